"""Paging the fragment (cursor, part=comments, view=all), sorting it, and /embed/comment for one comment."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from asgi_lifespan import LifespanManager
from httpx import ASGITransport, AsyncClient

from pnyx.config import Settings
from pnyx.web.app import create_app
from tests.conftest import FakeClock
from tests.factories import Api, Reader
from tests.integration.comments_support import delete, forbid_server_errors
from tests.integration.embed_support import Element, articles, button, parse, thread_tree, top_level_ids, visible


@pytest.fixture
async def small_api(settings: Settings, clock: FakeClock) -> AsyncIterator[Api]:
    """An Api on an app with pages of 2 top-level comments."""
    application = create_app(settings.model_copy(update={"page_size": 2}), clock=clock)
    async with LifespanManager(application):
        async with AsyncClient(transport=ASGITransport(app=application), base_url="http://pnyx.test") as http:
            forbid_server_errors(http)
            yield await Api.with_new_site(http, application.state.services)


async def _five(api: Api, clock: FakeClock) -> tuple[str, list[int], int]:
    """Five top-level comments a second apart, and one reply to the first."""
    key, reader, ids = api.article(), Reader(), []
    for number in range(5):
        clock.advance(seconds=1)
        ids.append((await api.post_ok(reader, key, f"Comment {number}.", author_name=f"R{number}"))["id"])
    clock.advance(seconds=1)
    reply = await api.post_ok(Reader(), key, "A reply.", parent_id=ids[0])
    return key, ids, reply["id"]


def _more(root: Element) -> tuple[str | None, bool]:
    """The cursor of "Load more comments" (None when absent) and whether "View all comments" is offered."""
    buttons = {b.text(): b for b in visible(root) if b.tag == "button" and b.get("data-act") in ("more", "all")}
    more = buttons.get("Load more comments")
    return (more.get("data-cursor") if more else None), "View all comments" in buttons


def _announce(root: Element) -> str:
    return str(root.find(lambda e: e.tag == "ol" and e.get("data-announce") is not None).get("data-announce"))


async def test_the_first_page_offers_more_and_all(small_api: Api, clock: FakeClock) -> None:
    key, ids, _ = await _five(small_api, clock)
    root = await thread_tree(small_api, key, sort="newest")
    assert top_level_ids(root) == [ids[4], ids[3]]
    cursor, offers_all = _more(root)
    assert cursor and offers_all
    assert button(root, "Newest").get("aria-pressed") == "true"


async def test_part_comments_continues_after_the_cursor_until_the_end(small_api: Api, clock: FakeClock) -> None:
    key, ids, _ = await _five(small_api, clock)
    cursor, _ = _more(await thread_tree(small_api, key, sort="oldest"))
    seen = [ids[0], ids[1]]
    while cursor:
        part = await thread_tree(small_api, key, sort="oldest", part="comments", cursor=cursor)
        assert not part.find_all(lambda e: e.tag in ("section", "form", "h2", "template")), "only comments"
        seen += top_level_ids(part)
        loaded = len(articles(part))
        assert _announce(part) == f"{loaded} more comment{'' if loaded == 1 else 's'} loaded."
        cursor, _ = _more(part)
    assert seen == ids


async def test_view_all_returns_every_comment_and_no_more_control(small_api: Api, clock: FakeClock) -> None:
    key, ids, reply = await _five(small_api, clock)
    part = await thread_tree(small_api, key, sort="oldest", part="comments", view="all")
    assert top_level_ids(part) == ids
    assert f"pnyx-comment-{reply}" in [a.get("id") for a in articles(part)]
    assert _more(part) == (None, False)
    assert _announce(part) == "6 comments shown."


async def test_sorts_match_the_json_api(small_api: Api, clock: FakeClock) -> None:
    key, ids, _ = await _five(small_api, clock)
    await small_api.vote(Reader(), ids[2], 1)
    for sort in ("best", "newest", "oldest"):
        expected = [c["id"] for c in (await small_api.page(key, sort=sort, view="all"))["comments"]]
        part = await thread_tree(small_api, key, sort=sort, part="comments", view="all")
        assert top_level_ids(part) == expected, sort


async def test_a_cursor_from_another_sort_is_refused_with_a_sentence(small_api: Api, clock: FakeClock) -> None:
    key, _, _ = await _five(small_api, clock)
    cursor, _ = _more(await thread_tree(small_api, key, sort="newest"))
    response = await small_api.client.get(
        "/embed/thread", params={"site": small_api.site, "key": key, "sort": "best", "cursor": cursor}
    )
    assert response.status_code == 400
    assert "cursor is not valid" in parse(response.text).text()


async def test_one_comment_renders_alone(api: Api) -> None:
    key = api.article()
    parent = await api.post_ok(Reader(), key, "Parent *text*.", author_name="Ana")
    await api.post_ok(Reader(), key, "Child.", parent_id=parent["id"])
    response = await api.client.get("/embed/comment", params={"id": parent["id"]})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert response.headers["etag"]
    root = parse(response.text)
    [article] = articles(root)
    assert article.get("aria-label") == "Comment by Ana" and article.get("id") == f"pnyx-comment-{parent['id']}"
    assert article.find(lambda e: e.tag == "em").text() == "text"
    assert "Child." not in root.text(), "replies are not part of one comment"


async def test_one_comment_shows_its_edit_mark(api: Api) -> None:
    reader, key = Reader(), api.article()
    comment = await api.post_ok(reader, key, "Before.")
    await api.client.patch(f"/api/v1/comments/{comment['id']}", json={"body": "After."}, headers=reader.headers())
    root = parse((await api.client.get("/embed/comment", params={"id": comment["id"]})).text)
    assert "(edited)" in root.text() and "After." in root.text()


async def test_one_deleted_comment_is_a_placeholder(api: Api) -> None:
    author, key = Reader(), api.article()
    comment = await api.post_ok(author, key, "Gone soon.", author_name="Gone")
    await delete(api, author, comment["id"])
    root = parse((await api.client.get("/embed/comment", params={"id": comment["id"]})).text)
    assert root.text() == "This comment was deleted."
    assert not root.find_all(lambda e: e.tag == "button")


async def test_an_unknown_comment_is_a_404_fragment(api: Api) -> None:
    for params, status in (({"id": 2_000_000_000}, 404), ({"id": "x"}, 422), ({}, 422), ({"id": 0}, 422)):
        response = await api.client.get("/embed/comment", params=params)
        assert response.status_code == status, params
        assert response.headers["content-type"].startswith("text/html")
