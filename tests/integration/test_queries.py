"""Index-backed reads: a page of a 10,000-comment thread costs a few statements, whatever the page size.

The thread is seeded by bulk inserts straight into the comment table (the API would take
minutes); counters are kept consistent and the thread is deleted afterwards, so other tests
sharing the database never see it.
"""

from __future__ import annotations

import random
import re
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import delete, event, insert, select, update
from sqlalchemy.engine import Connection

from pnyx.domain.models import CommentStatus, TargetKind
from pnyx.domain.ranking import rank
from pnyx.services.container import Services
from pnyx.store.engine import Database
from pnyx.store.tables import comment, thread, vote
from tests.factories import Api, Reader

TOP_LEVEL = 2_000
REPLIES_EACH = 4
MAX_STATEMENTS = 6
SORTS = ("best", "newest", "oldest")
SELF_REFERENCES = ("parent_id", "root_id", "reply_to_id")


@dataclass(frozen=True)
class Seeded:
    """The big thread: an API driver on its site, its key and id, and its top-level rows."""

    api: Api
    key: str
    thread_id: int
    top_level: list[dict[str, Any]]


def _top_level_rows(thread_id: int, start: datetime, rng: random.Random) -> list[dict[str, Any]]:
    rows = []
    for n in range(TOP_LEVEL):
        # Few distinct vote counts, so "best" has long runs of equal ranks that the cursor must break by id.
        up, down = rng.randrange(4), rng.randrange(3)
        rows.append(_row(thread_id, start + timedelta(seconds=n * 10), f"Top {n}", up=up, down=down))
    return rows


def _row(
    thread_id: int,
    created_at: datetime,
    body: str,
    *,
    up: int = 0,
    down: int = 0,
    parent_id: int | None = None,
    depth: int = 0,
) -> dict[str, Any]:
    return {
        "thread_id": thread_id,
        "parent_id": parent_id,
        "root_id": parent_id,
        "reply_to_id": parent_id,
        "depth": depth,
        "identity_id": None,
        "author_name": "Seeder",
        "author_email": None,
        "website": None,
        "body_source": body,
        "body_format": "markdown",
        "body_html": f"<p>{body}</p>",
        "status": CommentStatus.APPROVED.value,
        "up": up,
        "down": down,
        "rank": rank(up, down),
        "pinned": False,
        "featured": False,
        "created_at": created_at,
    }


async def _thread_id(db: Database, key: str) -> int:
    async with db.read() as conn:
        query = select(thread.c.id).where(thread.c.key == key)
        return int((await conn.execute(query)).scalar_one())


async def _seed(api: Api) -> Seeded:
    db = api.services.db
    key = api.article()
    # A points vote creates the thread through the API, so it is a thread like any other.
    assert (await api.points(Reader(), key, 1)).status_code == 200
    thread_id = await _thread_id(db, key)
    start = datetime.now(UTC) - timedelta(days=30)
    rng = random.Random(10_000)
    async with db.write() as conn:
        await conn.execute(insert(comment), _top_level_rows(thread_id, start, rng))
        top_query = (
            select(comment.c.id, comment.c.created_at, comment.c.rank)
            .where(comment.c.thread_id == thread_id, comment.c.root_id.is_(None))
            .order_by(comment.c.id)
        )
        top_level = [dict(row._mapping) for row in await conn.execute(top_query)]
        replies = [
            _row(thread_id, root["created_at"] + timedelta(seconds=n + 1), f"Reply {n}", parent_id=root["id"], depth=1)
            for root in top_level
            for n in range(REPLIES_EACH)
        ]
        await conn.execute(insert(comment), replies)
        total = TOP_LEVEL * (1 + REPLIES_EACH)
        await conn.execute(update(thread).where(thread.c.id == thread_id).values(comment_count=total))
    return Seeded(api, key, thread_id, top_level)


async def _remove(database_url: str, thread_id: int) -> None:
    db = Database.open(database_url)
    try:
        async with db.write() as conn:
            # Nothing indexes the comment-to-comment foreign keys, so each deleted row would make the
            # database scan the whole table for rows pointing at it; indexes for the clean-up avoid that.
            for column in SELF_REFERENCES:
                await conn.exec_driver_sql(f"CREATE INDEX tmp_cleanup_{column} ON comment ({column})")
            # Votes name their target without a foreign key, and SQLite reuses the id of a deleted last row:
            # left behind, they would count for the next thread or comment given that id.
            in_thread = select(comment.c.id).where(comment.c.thread_id == thread_id)
            await conn.execute(
                delete(vote).where(vote.c.target_kind == TargetKind.COMMENT.value, vote.c.target_id.in_(in_thread))
            )
            await conn.execute(
                delete(vote).where(vote.c.target_kind == TargetKind.THREAD.value, vote.c.target_id == thread_id)
            )
            # Replies first: they refer to their roots.
            await conn.execute(delete(comment).where(comment.c.thread_id == thread_id, comment.c.root_id.is_not(None)))
            await conn.execute(delete(comment).where(comment.c.thread_id == thread_id))
            await conn.execute(delete(thread).where(thread.c.id == thread_id))
            for column in SELF_REFERENCES:
                await conn.exec_driver_sql(f"DROP INDEX tmp_cleanup_{column}")
    finally:
        await db.close()


@pytest.fixture(scope="module")
async def seeded_threads() -> AsyncIterator[dict[str, Seeded]]:
    """The big thread of each engine by database URL, seeded once for this module and removed after it."""
    threads: dict[str, Seeded] = {}
    yield threads
    for database_url, big in threads.items():
        await _remove(database_url, big.thread_id)


@pytest.fixture
async def seeded(api: Api, db_url: str, seeded_threads: dict[str, Seeded]) -> Seeded:
    """A thread of 2,000 top-level comments with 4 replies each; its ``api`` is bound to this test's app."""
    if db_url not in seeded_threads:
        seeded_threads[db_url] = await _seed(api)
    big = seeded_threads[db_url]
    return Seeded(Api(api.client, big.api.site, api.services), big.key, big.thread_id, big.top_level)


@contextmanager
def recording(services: Services) -> Iterator[list[tuple[str, Any]]]:
    """Every SQL statement the engine sends while the block runs, with its parameters."""
    statements: list[tuple[str, Any]] = []

    def before(_conn: Connection, _cursor: Any, statement: str, parameters: Any, *_args: Any) -> None:
        statements.append((statement, parameters))

    engine = services.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)


def expected_order(seeded: Seeded, sort: str) -> list[int]:
    rows = seeded.top_level
    if sort == "best":
        return [row["id"] for row in sorted(rows, key=lambda row: (row["rank"], row["id"]), reverse=True)]
    by_time = sorted(rows, key=lambda row: (row["created_at"], row["id"]))
    return [row["id"] for row in (by_time if sort == "oldest" else reversed(by_time))]


@pytest.mark.parametrize("sort", SORTS)
async def test_a_page_costs_a_bounded_number_of_statements(seeded: Seeded, sort: str) -> None:
    counts: dict[str, int] = {}
    order = expected_order(seeded, sort)
    for limit in (5, 100):
        with recording(seeded.api.services) as first_statements:
            first = await seeded.api.page(seeded.key, sort=sort, limit=limit)
        assert first["total"] == TOP_LEVEL * (1 + REPLIES_EACH)
        assert [c["id"] for c in first["comments"]] == order[:limit]
        assert all(len(c["replies"]) == REPLIES_EACH for c in first["comments"])
        assert first["next_cursor"]

        with recording(seeded.api.services) as second_statements:
            second = await seeded.api.page(seeded.key, sort=sort, limit=limit, cursor=first["next_cursor"])
        assert [c["id"] for c in second["comments"]] == order[limit : 2 * limit]
        assert all(len(c["replies"]) == REPLIES_EACH for c in second["comments"])

        counts[f"first/{limit}"] = len(first_statements)
        counts[f"second/{limit}"] = len(second_statements)

    assert max(counts.values()) <= MAX_STATEMENTS, counts
    assert counts["first/5"] == counts["first/100"], counts
    assert counts["second/5"] == counts["second/100"], counts


async def test_the_whole_view_costs_the_same_few_statements(seeded: Seeded) -> None:
    with recording(seeded.api.services) as statements:
        page = await seeded.api.page(seeded.key, view="all")
    assert len(page["comments"]) == seeded.api.services.settings.view_all_cap
    assert sum(len(c["replies"]) for c in page["comments"]) == seeded.api.services.settings.view_all_cap * REPLIES_EACH
    assert len(statements) <= MAX_STATEMENTS, [statement for statement, _ in statements]


async def test_paging_through_the_thread_visits_every_top_level_comment_once(seeded: Seeded) -> None:
    seen: list[int] = []
    cursor: str | None = None
    for _ in range(TOP_LEVEL // 100 + 2):
        params: dict[str, Any] = {"sort": "best", "limit": 100}
        if cursor:
            params["cursor"] = cursor
        page = await seeded.api.page(seeded.key, **params)
        seen += [c["id"] for c in page["comments"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert cursor is None
    assert seen == expected_order(seeded, "best")


def _page_query(statements: list[tuple[str, Any]]) -> tuple[str, Any]:
    """The statement that selects the page of top-level comments (it has the LIMIT)."""
    found = [
        (statement, parameters)
        for statement, parameters in statements
        if "FROM comment" in statement and "LIMIT" in statement.upper() and "root_id IS NULL" in statement
    ]
    assert len(found) == 1, [statement for statement, _ in statements]
    return found[0]


@pytest.mark.parametrize("sort", SORTS)
async def test_the_top_level_page_query_uses_an_index(seeded: Seeded, sort: str) -> None:
    db = seeded.api.services.db
    first = await seeded.api.page(seeded.key, sort=sort, limit=20)
    with recording(seeded.api.services) as statements:
        await seeded.api.page(seeded.key, sort=sort, limit=20, cursor=first["next_cursor"])
    statement, parameters = _page_query(statements)

    if db.is_sqlite:
        async with db.read() as conn:
            rows = (await conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)).all()
        plan = "\n".join(str(row[-1]) for row in rows)
        assert "USING INDEX ix_comment_thread_id_root_id" in plan, plan
        assert "SCAN comment" not in plan and "SCAN reply" not in plan, plan
        assert "USE TEMP B-TREE" not in plan, plan
    else:
        async with db.write() as conn:
            await conn.exec_driver_sql("ANALYZE comment")
        async with db.read() as conn:
            rows = (await conn.exec_driver_sql("EXPLAIN " + statement, parameters)).all()
        plan = "\n".join(str(row[0]) for row in rows)
        # The page is read from the index in order and stops at the limit: no sort of the whole thread.
        assert re.search(r"Index Scan( Backward)? using ix_comment_thread_id_root_id\w* on comment ", plan), plan
        assert "Sort" not in plan, plan
        assert not re.search(r"Seq Scan on comment(?! reply)", plan), plan
        # Deleted comments kept for their replies: that lookup reads this thread's rows only. (On this test
        # database the thread is most of the table, so a sequential scan filtered by thread is a fair plan.)
        for line in plan.splitlines():
            if "on comment reply" in line:
                following = plan[plan.index(line) :].splitlines()[1:3]
                assert any("thread_id = " in condition for condition in following), plan
