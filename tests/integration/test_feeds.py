"""Atom feeds: /feeds/thread.atom for an article's comments, /feeds/replies.atom for the replies to one reader."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from httpx import AsyncClient, Response

from pnyx.domain.atom import ATOM, rfc3339
from pnyx.domain.models import CommentStatus
from pnyx.services import feeds as feed_service
from pnyx.store import comments as comment_store
from pnyx.store import threads as thread_store
from tests.conftest import FakeClock
from tests.factories import Api, Reader
from tests.integration.comments_support import assert_error, delete, edit, forbid_server_errors

NS = {"a": ATOM}
THREAD_FEED = "/feeds/thread.atom"
REPLIES_FEED = "/feeds/replies.atom"


@pytest.fixture(autouse=True)
def _no_server_errors(client: AsyncClient) -> None:
    forbid_server_errors(client)


@dataclass
class Entry:
    """What a test looks at in one parsed entry."""

    comment_id: int
    title: str
    author: str
    link: str | None
    content: str
    published: str
    updated: str


def _parse(response: Response) -> ET.Element:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/atom+xml; charset=utf-8"
    root = ET.fromstring(response.content)
    assert root.tag == f"{{{ATOM}}}feed"
    return root


def _text(element: ET.Element, path: str) -> str:
    found = element.find(path, NS)
    assert found is not None, path
    return found.text or ""


def _entries(root: ET.Element) -> list[Entry]:
    entries = []
    for element in root.findall("a:entry", NS):
        link = element.find("a:link[@rel='alternate']", NS)
        entries.append(
            Entry(
                comment_id=int(_text(element, "a:id").rsplit("comment-", 1)[1]),
                title=_text(element, "a:title"),
                author=_text(element, "a:author/a:name"),
                link=link.get("href") if link is not None else None,
                content=_text(element, "a:content"),
                published=_text(element, "a:published"),
                updated=_text(element, "a:updated"),
            )
        )
    return entries


async def _thread_feed(api: Api, key: str, **headers: str) -> Response:
    return await api.client.get(THREAD_FEED, params={"site": api.site, "key": key}, headers=headers)


async def _feed_path(api: Api, reader: Reader, key: str) -> str:
    """The replies feed address /api/v1/me gives this reader, as a path on the test client."""
    address = (await api.me(reader, key))["replies_feed"]
    assert isinstance(address, str)
    assert address.startswith(api.services.settings.public_url.rstrip("/") + REPLIES_FEED + "?token=")
    parts = urlsplit(address)
    return f"{parts.path}?{parts.query}"


async def _reply(api: Api, reader: Reader, key: str, parent: dict[str, Any], body: str, **extra: Any) -> dict[str, Any]:
    return await api.post_ok(reader, key, body, parent_id=parent["id"], **extra)


async def test_thread_feed_lists_approved_comments_newest_first(api: Api, clock: FakeClock) -> None:
    key = api.article()
    ana, bo = Reader(), Reader()
    first = await api.post_ok(ana, key, "First, with **bold**.", title="Night buses", author_name="Ana")
    clock.advance(seconds=5)
    removed = await api.post_ok(bo, key, "I will think better of this.", author_name="Bo")
    clock.advance(seconds=5)
    reply = await _reply(api, bo, key, first, "A reply to Ana.")
    held = await api.post_ok(bo, key, "Held for moderation.")
    assert (await delete(api, bo, removed["id"])).status_code == 204
    # Held back as a moderator would, counter included, so the shared database stays consistent.
    async with api.services.db.write() as conn:
        stored = await comment_store.update_comment(conn, held["id"], status=CommentStatus.PENDING.value)
        await thread_store.bump(conn, stored.thread_id, comments=-1)

    root = _parse(await _thread_feed(api, key))
    entries = _entries(root)
    assert [entry.comment_id for entry in entries] == [reply["id"], first["id"]]
    assert [entry.title for entry in entries] == ["A reader replied", "Ana commented"]
    assert entries[1].content == first["body_html"] and "<strong>bold</strong>" in entries[1].content
    assert entries[1].link == f"{key}#pnyx-comment-{first['id']}"
    assert _text(root, "a:title") == "Comments on “Night buses”"
    assert _text(root, "a:updated") == entries[0].updated
    links = {link.get("rel"): link.get("href") for link in root.findall("a:link", NS)}
    assert links["alternate"] == key
    public = api.services.settings.public_url.rstrip("/")
    assert links["self"] == f"{public}{THREAD_FEED}?{urlencode({'site': api.site, 'key': key})}"


async def test_thread_feed_entry_shows_the_edit_time(api: Api, clock: FakeClock) -> None:
    key = api.article()
    ana = Reader()
    posted = await api.post_ok(ana, key, "Typo hre.")
    clock.advance(minutes=2)
    assert (await edit(api, ana, posted["id"], "Typo here.")).status_code == 200

    (entry,) = _entries(_parse(await _thread_feed(api, key)))
    assert entry.published < entry.updated == rfc3339(clock.now)
    assert "Typo here." in entry.content


async def test_thread_feed_holds_the_latest_entries_only(
    api: Api, monkeypatch: pytest.MonkeyPatch, clock: FakeClock
) -> None:
    monkeypatch.setattr(feed_service, "FEED_ENTRIES", 2)
    key = api.article()
    posted = []
    for number in range(3):
        posted.append(await api.post_ok(Reader(), key, f"Comment {number}."))
        clock.advance(seconds=1)

    entries = _entries(_parse(await _thread_feed(api, key)))
    assert [entry.comment_id for entry in entries] == [posted[2]["id"], posted[1]["id"]]


async def test_thread_feed_answers_304_to_its_etag(api: Api) -> None:
    key = api.article()
    await api.post_ok(Reader(), key, "Worth caching.")
    response = await _thread_feed(api, key)
    _parse(response)
    etag = response.headers["etag"]
    assert response.headers["cache-control"].startswith("public, max-age=")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["last-modified"].endswith(" GMT")

    cached = await _thread_feed(api, key, **{"If-None-Match": etag})
    assert cached.status_code == 304 and cached.content == b""
    assert cached.headers["etag"] == etag

    await api.post_ok(Reader(), key, "News for the feed.")
    fresh = await _thread_feed(api, key, **{"If-None-Match": etag})
    assert fresh.status_code == 200 and fresh.headers["etag"] != etag
    assert len(_entries(_parse(fresh))) == 2


async def test_thread_feed_without_comments_is_empty_and_dated_by_the_thread(api: Api, clock: FakeClock) -> None:
    key = api.article()
    created = rfc3339(clock.now)
    # An article vote creates the thread without any comment.
    assert (await api.points(Reader(), key, 1)).status_code == 200
    clock.advance(hours=1)

    root = _parse(await _thread_feed(api, key))
    assert root.findall("a:entry", NS) == []
    assert _text(root, "a:updated") == created
    assert _text(root, "a:id") and _text(root, "a:author/a:name")


async def test_thread_feed_of_an_unknown_thread_or_site_is_404(api: Api) -> None:
    detail = assert_error(await _thread_feed(api, api.article()), 404, "not_found")
    assert "first comment" in detail
    response = await api.client.get(THREAD_FEED, params={"site": "no-such-site", "key": api.article()})
    assert "no-such-site" in assert_error(response, 404, "not_found")
    assert_error(await api.client.get(THREAD_FEED, params={"site": api.site}), 422, "invalid")


async def test_replies_feed_holds_replies_by_others_to_my_comments(api: Api, clock: FakeClock) -> None:
    buses, trams = api.article(), api.article()
    ana, bo, cy = Reader(), Reader(), Reader()
    mine_on_buses = await api.post_ok(ana, buses, "Buses matter.", title="Night buses", author_name="Ana")
    mine_on_trams = await api.post_ok(ana, trams, "Trams too.", title="Trams")
    theirs = await api.post_ok(bo, buses, "Unrelated to Ana.", author_name="Bo")
    clock.advance(seconds=1)
    bo_to_ana = await _reply(api, bo, buses, mine_on_buses, "Bo answers Ana.", author_name="Bo")
    clock.advance(seconds=1)
    await _reply(api, ana, buses, mine_on_buses, "Ana adds to her own comment.")
    ana_to_bo = await _reply(api, ana, buses, theirs, "Ana answers Bo.")
    cy_to_bo = await _reply(api, cy, buses, theirs, "Cy answers Bo.")
    withdrawn = await _reply(api, cy, trams, mine_on_trams, "Cy thinks better of it.")
    assert (await delete(api, cy, withdrawn["id"])).status_code == 204
    clock.advance(seconds=1)
    cy_to_ana = await _reply(api, cy, trams, mine_on_trams, "Cy answers Ana on trams.")

    root = _parse(await api.client.get(await _feed_path(api, ana, buses)))
    entries = _entries(root)
    assert [entry.comment_id for entry in entries] == [cy_to_ana["id"], bo_to_ana["id"]]
    assert [entry.title for entry in entries] == ["A reader replied on “Trams”", "Bo replied on “Night buses”"]
    assert entries[0].link == f"{trams}#pnyx-comment-{cy_to_ana['id']}"
    assert entries[1].link == f"{buses}#pnyx-comment-{bo_to_ana['id']}"
    assert entries[1].content == bo_to_ana["body_html"]
    assert _text(root, "a:title").startswith("Replies to your comments")

    # Bo's feed: the answers to his top-level comment, and not his own reply to Ana.
    bo_entries = _entries(_parse(await api.client.get(await _feed_path(api, bo, buses))))
    assert [entry.comment_id for entry in bo_entries] == [cy_to_bo["id"], ana_to_bo["id"]]


async def test_replies_feed_is_private_and_cacheable_by_etag(api: Api) -> None:
    key = api.article()
    ana = Reader()
    await api.post_ok(ana, key, "Nobody answered yet.")
    path = await _feed_path(api, ana, key)
    response = await api.client.get(path)
    root = _parse(response)
    assert root.findall("a:entry", NS) == []
    assert response.headers["cache-control"] == "private, no-cache"
    assert response.headers["x-robots-tag"] == "noindex"
    assert response.headers["x-content-type-options"] == "nosniff"
    links = {link.get("rel"): link.get("href") for link in root.findall("a:link", NS)}
    assert links["self"] == (await api.me(ana, key))["replies_feed"]

    cached = await api.client.get(path, headers={"If-None-Match": response.headers["etag"]})
    assert cached.status_code == 304


async def test_me_gives_a_replies_feed_only_to_a_reader_with_identity(api: Api) -> None:
    key = api.article()
    assert (await api.me(Reader(), key))["replies_feed"] is None
    ana, bo = Reader(), Reader()
    await api.post_ok(ana, key)
    await api.post_ok(bo, key)
    ana_feed = await _feed_path(api, ana, key)
    # The same address on any article, and another for another reader.
    assert await _feed_path(api, ana, api.article()) == ana_feed
    assert await _feed_path(api, bo, key) != ana_feed


async def test_replies_feed_refuses_a_damaged_token(api: Api) -> None:
    key = api.article()
    ana = Reader()
    await api.post_ok(ana, key)
    token = (await _feed_path(api, ana, key)).split("token=", 1)[1]
    tampered = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
    for bad in (tampered, "nonsense", ana.token or ""):
        response = await api.client.get(REPLIES_FEED, params={"token": bad})
        assert "feed address" in assert_error(response, 401, "invalid_link")
    assert_error(await api.client.get(REPLIES_FEED), 422, "invalid")
