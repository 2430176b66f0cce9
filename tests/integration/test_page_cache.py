"""Thread pages are cached by thread version: a repeat read skips the page queries, a write shows at once."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from pnyx.services.pagecache import PageCache
from tests.factories import Api, Reader


@contextmanager
def counting_statements(api: Api) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    engine = api.services.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _select_count(statements: list[str]) -> int:
    return sum(1 for statement in statements if statement.lstrip().upper().startswith("SELECT"))


async def test_a_repeat_read_is_served_from_the_cache(api: Api) -> None:
    key = api.article()
    for n in range(3):
        await api.post_ok(Reader(), key, f"Comment {n}")
    with counting_statements(api) as cold:
        await api.page(key)
    with counting_statements(api) as warm:
        await api.page(key)
    assert _select_count(warm) == 2  # the site and the thread with its version
    assert _select_count(cold) > _select_count(warm)


async def test_a_write_is_visible_on_the_next_read(api: Api) -> None:
    key, voter = api.article(), Reader()
    comment = await api.post_ok(Reader(), key)
    assert (await api.page(key))["comments"][0]["up"] == 0
    assert (await api.vote(voter, comment["id"], 1)).status_code == 200
    assert (await api.page(key))["comments"][0]["up"] == 1
    await api.post_ok(Reader(), key, "A second voice")
    assert (await api.page(key))["total"] == 2


def test_the_cache_forgets_the_least_recently_used_page() -> None:
    cache: PageCache[str] = PageCache(capacity=2)
    cache.put("a", "page a")
    cache.put("b", "page b")
    assert cache.get("a") == "page a"
    cache.put("c", "page c")
    assert (cache.get("a"), cache.get("b"), cache.get("c"), len(cache)) == ("page a", None, "page c", 2)
