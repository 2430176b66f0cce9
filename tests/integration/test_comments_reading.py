"""Reading through GET /api/v1/comments and /api/v1/counts: sorts, pages, view all, caching, OpenAPI."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from typing import Any

import orjson
import pytest
from asgi_lifespan import LifespanManager
from httpx import ASGITransport, AsyncClient

from pnyx.config import Settings
from pnyx.domain.ranking import rank
from pnyx.web.app import create_app
from tests.conftest import FakeClock
from tests.factories import Api, Reader
from tests.integration.comments_support import COMMENTS, assert_error, forbid_server_errors

SORTS = ("best", "newest", "oldest")


@pytest.fixture(autouse=True)
def _no_server_errors(client: AsyncClient) -> None:
    forbid_server_errors(client)


@pytest.fixture
async def capped_api(settings: Settings, clock: FakeClock) -> AsyncIterator[Api]:
    """An Api on an app whose "view all" returns at most 5 top-level comments."""
    application = create_app(settings.model_copy(update={"view_all_cap": 5}), clock=clock)
    async with LifespanManager(application):
        transport = ASGITransport(app=application)
        async with AsyncClient(transport=transport, base_url="http://pnyx.test") as http:
            forbid_server_errors(http)
            yield await Api.with_new_site(http, application.state.services)


async def _vote_many(api: Api, comment_id: int, ups: int, downs: int) -> None:
    for value, times in ((1, ups), (-1, downs)):
        for _ in range(times):
            response = await api.vote(Reader(), comment_id, value)
            assert response.status_code == 200, response.text


async def _post_top_level(api: Api, clock: FakeClock, key: str, count: int) -> list[dict[str, Any]]:
    """``count`` top-level comments; every third one a second later, so times both tie and differ."""
    reader, posted = Reader(), []
    for number in range(count):
        if number % 3 == 0:
            clock.advance(seconds=1)
        posted.append(await api.post_ok(reader, key, f"Comment number {number}."))
    return posted


async def _walk(api: Api, key: str, sort: str, limit: int | None = None) -> tuple[list[int], int]:
    """Every top-level id reached by following next_cursor, and how many pages that took."""
    ids: list[int] = []
    params: dict[str, Any] = {"sort": sort} | ({"limit": limit} if limit else {})
    pages = 0
    while True:
        page = await api.page(key, **params)
        pages += 1
        assert page["total"] == 25 and page["sort"] == sort
        ids.extend(comment["id"] for comment in page["comments"])
        if page["next_cursor"] is None:
            return ids, pages
        params["cursor"] = page["next_cursor"]


# Sorting


async def test_best_ranks_by_the_wilson_lower_bound(api: Api) -> None:
    key = api.article()
    author = Reader()
    one_up = await api.post_ok(author, key, "One up.")
    mixed = await api.post_ok(author, key, "One up, two down.")
    unvoted = await api.post_ok(author, key, "No votes.")
    three_up = await api.post_ok(author, key, "Three up.")
    await _vote_many(api, one_up["id"], 1, 0)
    await _vote_many(api, mixed["id"], 1, 2)
    await _vote_many(api, three_up["id"], 3, 0)
    page = await api.page(key, sort="best")
    assert [c["id"] for c in page["comments"]] == [three_up["id"], one_up["id"], mixed["id"], unvoted["id"]]
    assert [(c["up"], c["down"]) for c in page["comments"]] == [(3, 0), (1, 0), (1, 2), (0, 0)]


async def test_newest_and_oldest_order_by_time(api: Api, clock: FakeClock) -> None:
    key = api.article()
    posted = await _post_top_level(api, clock, key, 5)
    ids = [c["id"] for c in posted]
    assert [c["id"] for c in (await api.page(key, sort="oldest"))["comments"]] == ids
    assert [c["id"] for c in (await api.page(key, sort="newest"))["comments"]] == ids[::-1]


async def test_the_default_sort_is_best(api: Api) -> None:
    assert (await api.page(api.article()))["sort"] == "best"


async def test_an_unknown_sort_is_refused(api: Api) -> None:
    response = await api.client.get(COMMENTS, params={"site": api.site, "key": api.article(), "sort": "loudest"})
    assert_error(response, 422, "invalid")


# Pages


@pytest.mark.parametrize("sort", SORTS)
async def test_cursor_pages_reach_every_comment_once_in_order(api: Api, clock: FakeClock, sort: str) -> None:
    key = api.article()
    posted = await _post_top_level(api, clock, key, 25)
    for index, votes in ((3, (2, 0)), (7, (1, 0)), (11, (1, 1)), (20, (2, 0)), (24, (0, 1))):
        await _vote_many(api, posted[index]["id"], *votes)
    shown = (await api.page(key, sort=sort, view="all"))["comments"]
    everything = [c["id"] for c in shown]
    oldest_first = [c["id"] for c in posted]
    expected = {
        "best": [c["id"] for c in sorted(shown, key=lambda c: (-rank(c["up"], c["down"]), -c["id"]))],
        "newest": oldest_first[::-1],
        "oldest": oldest_first,
    }
    assert everything == expected[sort] and len(everything) == 25
    assert await _walk(api, key, sort) == (everything, 2)
    assert await _walk(api, key, sort, limit=4) == (everything, 7)


async def test_the_default_page_holds_20_and_a_cursor(api: Api, clock: FakeClock) -> None:
    key = api.article()
    await _post_top_level(api, clock, key, 25)
    first = await api.page(key)
    assert len(first["comments"]) == 20 and first["next_cursor"] and first["total"] == 25
    second = await api.page(key, cursor=first["next_cursor"])
    assert len(second["comments"]) == 5 and second["next_cursor"] is None


async def test_replies_do_not_count_against_the_page_size(api: Api) -> None:
    reader, key = Reader(), api.article()
    top = await api.post_ok(reader, key, "Top.")
    for number in range(3):
        await api.post_ok(reader, key, f"Reply {number}.", parent_id=top["id"])
    page = await api.page(key, limit=1)
    assert len(page["comments"]) == 1 and len(page["comments"][0]["replies"]) == 3
    assert page["next_cursor"] is None and page["total"] == 4


@pytest.mark.parametrize("limit", [0, -1, 101, "many"])
async def test_a_limit_outside_1_to_100_is_refused(api: Api, limit: int | str) -> None:
    response = await api.client.get(COMMENTS, params={"site": api.site, "key": api.article(), "limit": limit})
    assert_error(response, 422, "invalid")


async def test_a_limit_of_100_is_accepted(api: Api) -> None:
    assert (await api.page(api.article(), limit=100))["comments"] == []


async def test_view_all_returns_every_top_level_comment(api: Api, clock: FakeClock) -> None:
    key = api.article()
    await _post_top_level(api, clock, key, 25)
    page = await api.page(key, view="all")
    assert len(page["comments"]) == 25 and page["next_cursor"] is None


async def test_view_all_stops_at_the_cap(capped_api: Api, clock: FakeClock) -> None:
    key = capped_api.article()
    posted = await _post_top_level(capped_api, clock, key, 7)
    page = await capped_api.page(key, view="all", sort="oldest")
    assert [c["id"] for c in page["comments"]] == [c["id"] for c in posted[:5]]
    assert page["total"] == 7 and page["next_cursor"]


def _cursor(*position: object) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(position)).decode().rstrip("=")


@pytest.mark.parametrize("cursor", ["not-a-cursor!", "WyJiZXN0Il0", "x" * 300, "bm9wZQ"])
async def test_a_damaged_cursor_is_400(api: Api, cursor: str) -> None:
    reader, key = Reader(), api.article()
    await api.post_ok(reader, key)
    response = await api.client.get(COMMENTS, params={"site": api.site, "key": key, "cursor": cursor})
    assert_error(response, 400, "invalid_cursor")


@pytest.mark.parametrize(
    "position",
    [
        ("best", 1e30, 1),
        ("best", 2**62, 1),
        ("best", 0, 2**40),
        ("best", "nan", 1),
        ("best", True, 1),
        ("newest", "2024-01-01T00:00:00", 1),
        ("newest", "2024-01-01T00:00:00+00:00", 2**40),
        ("oldest", "9999-12-31T23:59:59-14:00", 1),
        ("oldest", "0001-01-01T00:00:00+14:00", 1),
        ("oldest", 17, 1),
    ],
)
async def test_a_hand_made_cursor_out_of_range_is_400(api: Api, position: tuple[Any, ...]) -> None:
    reader, key = Reader(), api.article()
    await api.post_ok(reader, key)
    params = {"site": api.site, "key": key, "sort": str(position[0]), "cursor": _cursor(*position)}
    assert_error(await api.client.get(COMMENTS, params=params), 400, "invalid_cursor")


async def test_a_cursor_of_another_sort_is_400(api: Api, clock: FakeClock) -> None:
    key = api.article()
    await _post_top_level(api, clock, key, 3)
    cursor = (await api.page(key, sort="newest", limit=1))["next_cursor"]
    response = await api.client.get(COMMENTS, params={"site": api.site, "key": key, "sort": "best", "cursor": cursor})
    assert_error(response, 400, "invalid_cursor")


# Caching


async def test_etag_and_if_none_match(api: Api) -> None:
    reader, key = Reader(), api.article()
    await api.post_ok(reader, key, "First.")
    params = {"site": api.site, "key": key}
    first = await api.client.get(COMMENTS, params=params)
    etag = first.headers["etag"]
    assert etag.startswith('"') and etag.endswith('"')
    again = await api.client.get(COMMENTS, params=params, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    await api.post_ok(reader, key, "Second.")
    changed = await api.client.get(COMMENTS, params=params, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag
    assert changed.json()["total"] == 2


# Empty threads and unknown sites


async def test_an_article_nobody_wrote_on_yet(api: Api) -> None:
    page = await api.page(api.article())
    assert page["thread"] is None and page["comments"] == [] and page["total"] == 0
    assert page["next_cursor"] is None


async def test_an_unknown_site_is_404(api: Api) -> None:
    response = await api.client.get(COMMENTS, params={"site": "no-such-site", "key": api.article()})
    assert_error(response, 404, "not_found")


async def test_site_and_key_are_required(api: Api) -> None:
    assert_error(await api.client.get(COMMENTS, params={"site": api.site}), 422, "invalid")
    assert_error(await api.client.get(COMMENTS, params={"key": api.article()}), 422, "invalid")


# Counts


async def test_counts_answer_many_keys_as_given(api: Api) -> None:
    reader, busy, quiet = Reader(), api.article(), api.article()
    for _ in range(3):
        await api.post_ok(reader, busy)
    await api.post_ok(reader, quiet)
    explicit_url = api.article()
    await api.post_ok(reader, "article-7", url=explicit_url)
    await api.post_ok(reader, "article-7")
    messy = busy.replace("https://news.example", "HTTPS://NEWS.EXAMPLE") + "/?utm_medium=mail#comments"
    keys = [busy, messy, quiet, "article-7", explicit_url, "article-unknown", api.article()]
    keys += [f"filler-{number}" for number in range(100 - len(keys))]
    response = await api.client.get("/api/v1/counts", params={"site": api.site, "key": keys})
    assert response.status_code == 200, response.text
    counts = response.json()["counts"]
    assert set(counts) == set(keys)
    assert [counts[key] for key in keys[:7]] == [3, 3, 1, 2, 2, 0, 0]
    assert all(counts[key] == 0 for key in keys[7:])


async def test_counts_refuse_more_than_100_keys(api: Api) -> None:
    keys = [f"article-{number}" for number in range(101)]
    response = await api.client.get("/api/v1/counts", params={"site": api.site, "key": keys})
    assert_error(response, 422, "invalid")


async def test_counts_need_a_key_and_a_known_site(api: Api) -> None:
    assert_error(await api.client.get("/api/v1/counts", params={"site": api.site}), 422, "invalid")
    response = await api.client.get("/api/v1/counts", params={"site": "no-such-site", "key": "a"})
    assert_error(response, 404, "not_found")


# OpenAPI


async def test_openapi_lists_the_public_api(api: Api) -> None:
    response = await api.client.get("/api/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in ("/api/v1/comments", "/api/v1/comments/{comment_id}", "/api/v1/counts", "/api/v1/me"):
        assert path in paths
    assert {"get", "post"} <= set(paths["/api/v1/comments"])


async def test_api_docs_answer_html(api: Api) -> None:
    response = await api.client.get("/api/docs")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
