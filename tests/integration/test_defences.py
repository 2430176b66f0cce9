"""Defences on every write path: premoderation, word lists, links, closing by age, bans, the honeypot, Akismet,
and rate limits, through the public API on both engines."""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient, Response
from pydantic import SecretStr
from sqlalchemy import select

from pnyx.config import Settings
from pnyx.domain.models import CommentStatus
from pnyx.services import bans
from pnyx.services import sites as site_service
from pnyx.services.readers import Reader as ServiceReader
from pnyx.services.readers import actor_of
from pnyx.store import comments as comment_store
from pnyx.store import tables
from pnyx.store import threads as thread_store
from pnyx.web.app import create_app
from tests.conftest import FakeClock
from tests.factories import Api, Reader
from tests.integration.comments_support import assert_error, forbid_server_errors

# The address httpx's ASGI transport reports for every request.
TEST_CLIENT_ADDRESS = "127.0.0.1"
SPAMMY = "Work from home and make money online, $500 per day! Click here: http://bit.ly/3xYz12"


@pytest.fixture(autouse=True)
def _no_server_errors(client: AsyncClient) -> None:
    forbid_server_errors(client)


async def _policy(api: Api, **changes: Any) -> None:
    await site_service.set_policy(api.services, api.site, changes)


async def _stored(api: Api, comment_id: int) -> tuple[str, str | None, int | None]:
    async with api.services.db.read() as conn:
        row = (
            await conn.execute(
                select(tables.comment.c.status, tables.comment.c.held_reason, tables.comment.c.spam_score).where(
                    tables.comment.c.id == comment_id
                )
            )
        ).one()
    return row.status, row.held_reason, row.spam_score


async def _held(api: Api, reader: Reader, key: str, body: str, reason: str, **extra: Any) -> dict[str, Any]:
    """Post a comment that must be held for ``reason``: stored, invisible, uncounted."""
    response = await api.post(reader, key, body, **extra)
    assert response.status_code == 201, response.text
    answer = response.json()
    assert answer["held"] is True
    # Held for spam looks the same as any held comment to its author.
    assert answer["comment"]["status"] == "pending"
    status, held_reason, score = await _stored(api, answer["comment"]["id"])
    assert held_reason == reason and status in ("pending", "spam") and score is not None
    page = await api.page(key)
    assert answer["comment"]["id"] not in [c["id"] for c in page["comments"]] and page["total"] == len(page["comments"])
    return dict(answer["comment"])


async def _published(api: Api, reader: Reader, key: str, body: str = "A fair point.", **extra: Any) -> int:
    response = await api.post(reader, key, body, **extra)
    assert response.status_code == 201, response.text
    assert response.json()["held"] is False
    comment_id = int(response.json()["comment"]["id"])
    assert comment_id in [c["id"] for c in (await api.page(key))["comments"]]
    return comment_id


async def _approve(api: Api, comment_id: int) -> None:
    # What a moderator's approval does to the row; the moderation console has its own tests.
    async with api.services.db.write() as conn:
        comment = await comment_store.update_comment(
            conn, comment_id, status=CommentStatus.APPROVED.value, held_reason=None
        )
        await thread_store.bump(conn, comment.thread_id, comments=1)


# Premoderation


async def test_without_premoderation_comments_are_published_with_their_spam_score(api: Api) -> None:
    key = api.article()
    comment_id = await _published(api, Reader(), key, "The night buses are back.")
    assert await _stored(api, comment_id) == ("approved", None, 0)
    assert (await api.page(key))["total"] == 1


async def test_premoderation_all_holds_every_comment(api: Api) -> None:
    await _policy(api, premoderation="all")
    key = api.article()
    await _held(api, Reader(), key, "First.", "all")
    await _held(api, Reader(), key, "Second.", "all")
    counts = await api.client.get("/api/v1/counts", params={"site": api.site, "key": key})
    assert counts.json()["counts"][key] == 0, counts.text


async def test_premoderation_first_time_holds_a_readers_first_comment_on_the_site(api: Api) -> None:
    await _policy(api, premoderation="first_time")
    ana, key = Reader(), api.article()
    first = await _held(api, ana, key, "Hello, first time here.", "first_time")
    # Until a moderator approves one, every comment of Ana's is a first one.
    await _held(api, ana, key, "Anyone?", "first_time")
    await _approve(api, first["id"])
    await _published(api, ana, api.article(), "Back again, on another article.")
    await _held(api, Reader(), key, "A newcomer.", "first_time")


async def test_premoderation_links_holds_comments_with_links(api: Api) -> None:
    await _policy(api, premoderation="links")
    key = api.article()
    await _published(api, Reader(), key, "No links here, only an opinion.")
    await _held(api, Reader(), key, "The report is at https://example.org/report and worth reading.", "links")
    await _held(api, Reader(), key, "See [the report](https://example.org/report), it says otherwise.", "links")


@pytest.mark.parametrize("mode", ["none", "all", "first_time", "links"])
async def test_hold_words_hold_in_every_mode(api: Api, mode: str) -> None:
    await _policy(api, premoderation=mode, hold_words=["lawsuit", "court order"])
    await _held(api, Reader(), api.article(), "There is a COURT-ORDER about this, I hear.", "hold_word")


async def test_a_high_spam_score_holds_as_spam(api: Api) -> None:
    await _policy(api, spam_threshold=70)
    comment = await _held(api, Reader(), api.article(), SPAMMY, "spam")
    status, _, score = await _stored(api, comment["id"])
    assert status == "spam" and score is not None and score >= 70
    await _policy(api, spam_threshold=0)
    await _published(api, Reader(), api.article(), SPAMMY)


# Word lists and links


async def test_banned_words_are_refused_without_echoing_the_list(api: Api) -> None:
    await _policy(api, banned_words=["scam", "buy followers"])
    key = api.article()
    for body in ("What a $CAM.", "Buy-followers here", "such a s.c.a.m"):
        detail = assert_error(await api.post(Reader(), key, body), 422, "invalid")
        assert "scam" not in detail.lower() and "followers" not in detail.lower()
    detail = assert_error(await api.post(Reader(), key, "Fine words.", author_name="Scam Artist"), 422, "invalid")
    assert "name" in detail
    await _published(api, Reader(), key, "Scamander is a river; scammers are not welcome.")
    assert (await api.page(key))["total"] == 1


async def test_too_many_links_are_refused_naming_the_maximum(api: Api) -> None:
    await _policy(api, max_links=2)
    key = api.article()
    body = "Read https://a.example/1, https://b.example/2 and https://c.example/3 before you vote."
    assert "at most 2 links" in assert_error(await api.post(Reader(), key, body), 422, "invalid")
    await _published(api, Reader(), key, "Read https://a.example/1 and https://b.example/2 before you vote.")
    await _policy(api, max_links=0)
    assert "does not accept links" in assert_error(await api.post(Reader(), key, "See example.org"), 422, "invalid")


# Closing by age


async def test_comments_close_n_days_after_the_first_one(api: Api, clock: FakeClock) -> None:
    await _policy(api, close_after_days=3)
    key, reader = api.article(), Reader()
    parent = await _published(api, reader, key, "First!")
    clock.advance(days=2, hours=23)
    await _published(api, Reader(), key, "Just in time.")
    clock.advance(hours=1)
    detail = assert_error(await api.post(Reader(), key, "Too late."), 403, "thread_closed")
    assert "3 days" in detail
    assert_error(await api.post(reader, key, "A late reply.", parent_id=parent), 403, "thread_closed")
    # An article nobody has commented on is open, whatever its age.
    await _published(api, Reader(), api.article(), "A new article.")


# Bans


async def _ban(api: Api, kind: str, value: str, *, site: bool = True, hours: float | None = None) -> None:
    now = api.services.clock()
    site_record = await site_service.site_by_slug(api.services, api.site)
    expires = now + timedelta(hours=hours) if hours is not None else None
    async with api.services.db.write() as conn:
        await bans.add_ban(
            conn,
            kind=kind,
            value=value,
            site_id=site_record.id if site else None,
            reason="test",
            moderator_id=None,
            now=now,
            expires_at=expires,
        )


def _identity_of(reader: Reader, api: Api) -> int:
    assert reader.token
    identity = api.services.tokens.identity_id(reader.token)
    assert identity is not None
    return identity


async def _report(api: Api, reader: Reader, comment_id: int) -> Response:
    response = await api.client.post(
        f"/api/v1/comments/{comment_id}/report", json={"reason": "abuse"}, headers=reader.headers()
    )
    return reader.keep_token(response)


async def test_an_identity_ban_stops_posting_voting_and_reporting_on_its_site_only(api: Api) -> None:
    troll, key = Reader(), api.article()
    await _published(api, troll, key, "Before the ban.")
    other = await _published(api, Reader(), key, "Someone else's comment.")
    await _ban(api, "identity", str(_identity_of(troll, api)))
    assert "stopped you" in assert_error(await api.post(troll, key, "After the ban."), 403, "banned")
    assert_error(await api.vote(troll, other, 1), 403, "banned")
    assert_error(await api.points(troll, key, 1), 403, "banned")
    assert_error(await _report(api, troll, other), 403, "banned")
    elsewhere = await Api.with_new_site(api.client, api.services)
    troll_elsewhere = Reader(troll.token)
    assert (await elsewhere.post(troll_elsewhere, elsewhere.article(), "On another site.")).status_code == 201


async def test_an_email_ban_on_all_sites_matches_any_capitals(api: Api) -> None:
    address = f"Spammer.{secrets.token_hex(4)}@Example.org"
    await _ban(api, "email", address, site=False)
    key = api.article()
    for email in (address, address.lower(), address.upper()):
        assert_error(await api.post(Reader(), key, "Hi.", author_email=email), 403, "banned")
    elsewhere = await Api.with_new_site(api.client, api.services)
    assert_error(await elsewhere.post(Reader(), elsewhere.article(), "Hi.", author_email=address), 403, "banned")
    await _published(api, Reader(), key, "Without the address.")
    async with api.services.db.write() as conn:
        assert await bans.lift_ban(conn, kind="email", value=address, site_id=None) is not None
    await _published(api, Reader(), key, "Lifted.", author_email=address)


async def test_an_ip_hash_ban_expires(api: Api, clock: FakeClock) -> None:
    ip_hash = actor_of(api.services, ServiceReader(address=TEST_CLIENT_ADDRESS)).address_hash
    assert ip_hash is not None
    key = api.article()
    await _ban(api, "ip_hash", ip_hash, hours=1)
    detail = assert_error(await api.post(Reader(), key, "From a banned address."), 403, "banned")
    assert "until" in detail
    clock.advance(hours=1, seconds=1)
    await _published(api, Reader(), key, "The ban has run out.")


async def test_banning_again_renews_and_lifting_twice_is_harmless(api: Api) -> None:
    site = await site_service.site_by_slug(api.services, api.site)
    now = api.services.clock()
    async with api.services.db.write() as conn:
        first = await bans.add_ban(
            conn, kind="identity", value="42", site_id=site.id, reason="a", moderator_id=None, now=now, expires_at=None
        )
        later = now + timedelta(days=1)
        again = await bans.add_ban(
            conn,
            kind="identity",
            value=" 42",
            site_id=site.id,
            reason="b",
            moderator_id=None,
            now=now,
            expires_at=later,
        )
        assert again.id == first.id and again.reason == "b" and again.expires_at == later
        found = await bans.active_ban(conn, site_id=site.id, identity_id=42, email=None, ip_hash=None, now=now)
        assert found is not None and found.scope == f"site:{site.id}"
        assert await bans.lift_ban(conn, kind="identity", value="42", site_id=site.id) is not None
        assert await bans.lift_ban(conn, kind="identity", value="42", site_id=site.id) is None


# Edits go through the same defences


async def test_an_edit_is_checked_like_a_new_comment(api: Api) -> None:
    await _policy(api, banned_words=["scam"], hold_words=["lawsuit"])
    author, key = Reader(), api.article()
    comment_id = await _published(api, author, key, "An innocent remark.")
    url = f"/api/v1/comments/{comment_id}"
    refused = await api.client.patch(url, json={"body": "Actually a scam."}, headers=author.headers())
    assert_error(refused, 422, "invalid")
    held = await api.client.patch(url, json={"body": "Expect a lawsuit."}, headers=author.headers())
    assert held.status_code == 200 and held.json()["held"] is True
    assert await _stored(api, comment_id) == ("pending", "hold_word", 0)
    page = await api.page(key)
    assert page["comments"] == [] and page["total"] == 0


# The honeypot


async def test_a_filled_honeypot_is_refused_openly_and_nothing_is_stored(api: Api) -> None:
    key = api.article()
    detail = assert_error(await api.post(Reader(), key, "Buy now!", homepage="http://bot.example"), 422, "invalid")
    assert "meant to stay empty" in detail
    assert (await api.page(key))["total"] == 0
    await _published(api, Reader(), key, "A person leaves it empty.", homepage="")


async def test_the_form_honeypot_answers_a_page(api: Api) -> None:
    key = api.article()
    fields = {"site": api.site, "key": key, "url": key, "body": "Hello.", "homepage": "x"}
    response = await api.client.post("/embed/comments", data=fields, headers={"Origin": api.origin})
    assert response.status_code == 422 and "meant to stay empty" in response.text
    assert (await api.page(key))["total"] == 0


async def test_a_held_form_post_says_it_awaits_moderation(api: Api) -> None:
    await _policy(api, premoderation="all")
    key = api.article()
    fields = {"site": api.site, "key": key, "url": key, "body": "Held, without JavaScript."}
    response = await api.client.post("/embed/comments", data=fields, headers={"Origin": api.origin})
    assert response.status_code == 200 and "awaits moderation" in response.text


# Akismet, against a fake service on loopback

HANG_LIMIT_S = 10.0


class FakeAkismet:
    """An Akismet-compatible endpoint on 127.0.0.1 that answers ``answer``: "true", "false", "error" or "hang"."""

    def __init__(self, answer: str) -> None:
        self.answer = answer
        self.received: list[dict[str, str]] = []
        self.release = threading.Event()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                fake.received.append(dict(parse_qsl(self.rfile.read(length).decode())))
                if fake.answer == "hang":
                    fake.release.wait(HANG_LIMIT_S)
                status, body = (500, b"oops") if fake.answer == "error" else (200, fake.answer.encode())
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/1.1/comment-check"

    def __enter__(self) -> FakeAkismet:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(HANG_LIMIT_S)


@pytest.fixture(params=["true", "false", "error", "hang"])
def akismet(request: pytest.FixtureRequest) -> Iterator[FakeAkismet]:
    with FakeAkismet(str(request.param)) as fake:
        yield fake


async def _akismet_api(settings: Settings, clock: FakeClock, fake: FakeAkismet) -> AsyncIterator[Api]:
    configured = settings.model_copy(
        update={"akismet_key": SecretStr("test-key"), "akismet_url": fake.url, "akismet_timeout_s": 0.5}
    )
    app: FastAPI = create_app(configured, clock=clock)
    async with LifespanManager(app), AsyncClient(transport=ASGITransport(app=app), base_url="http://pnyx.test") as http:
        forbid_server_errors(http)
        yield await Api.with_new_site(http, app.state.services)


async def test_akismet_holds_as_spam_or_is_skipped_without_blocking(
    settings: Settings, clock: FakeClock, akismet: FakeAkismet
) -> None:
    async for api in _akismet_api(settings, clock, akismet):
        key = api.article()
        started = time.monotonic()
        response = await api.post(Reader(), key, "An ordinary remark.", author_name="Ana", author_email="a@ex.org")
        assert time.monotonic() - started < 5, "the check is bounded by its timeout"
        assert response.status_code == 201, response.text
        comment_id = response.json()["comment"]["id"]
        if akismet.answer == "true":
            assert response.json()["held"] is True
            assert (await _stored(api, comment_id))[:2] == ("spam", "akismet")
        else:
            assert response.json()["held"] is False
        [sent] = akismet.received
        assert sent["api_key"] == "test-key" and sent["comment_content"] == "An ordinary remark."
        assert sent["blog"] == api.origin and sent["permalink"] == key and sent["comment_author"] == "Ana"
        assert sent["comment_author_email"] == "a@ex.org" and sent["comment_type"] == "comment"


async def test_a_refused_comment_is_never_sent_to_akismet(settings: Settings, clock: FakeClock) -> None:
    with FakeAkismet("false") as fake:
        async for api in _akismet_api(settings, clock, fake):
            await _policy(api, banned_words=["scam"])
            assert_error(await api.post(Reader(), api.article(), "A scam."), 422, "invalid")
            assert_error(await api.post(Reader(), api.article(), "x", homepage="bot"), 422, "invalid")
            assert fake.received == []


# Rate limits on every write path


async def _limited_api(settings: Settings, clock: FakeClock) -> AsyncIterator[Api]:
    # Each path below writes from an address of its own (believed from the loopback "proxy"), so counters stay apart.
    limited = settings.model_copy(update={"rate_limits": "on", "trusted_proxies": [TEST_CLIENT_ADDRESS]})
    app: FastAPI = create_app(limited, clock=clock)
    async with LifespanManager(app), AsyncClient(transport=ASGITransport(app=app), base_url="http://pnyx.test") as http:
        forbid_server_errors(http)
        yield await Api.with_new_site(http, app.state.services)


async def _until_limited(attempts: int, call: Callable[[int], Awaitable[Response]]) -> list[int]:
    statuses = []
    for attempt in range(attempts):
        response: Response = await call(attempt)
        statuses.append(response.status_code)
        if response.status_code == 429:
            assert int(response.headers["retry-after"]) >= 1
            break
    return statuses


@dataclass
class _Target:
    """What one write path acts on, and the address it writes from."""

    api: Api
    author: Reader
    key: str
    comment_id: int
    address: dict[str, str]


async def _act(path: str, target: _Target, attempt: int) -> Response:
    api, url = target.api, f"/api/v1/comments/{target.comment_id}"
    reader = target.author if path in ("edit", "delete") else Reader()
    headers = {**reader.headers(), **target.address}
    if path == "edit":
        return await api.client.patch(url, json={"body": f"Edit {attempt}."}, headers=headers)
    if path == "delete":
        return await api.client.delete(url, headers=headers)
    if path == "vote":
        return await api.client.put(f"{url}/vote", json={"value": 1}, headers=headers)
    if path == "points":
        payload = {"site": api.site, "key": target.key, "value": 1}
        return await api.client.put("/api/v1/threads/vote", json=payload, headers=headers)
    if path == "report":
        return await api.client.post(f"{url}/report", json={"reason": "spam"}, headers=headers)
    payload = {"site": api.site, "key": target.key, "email": f"r{attempt}@example.org", "kind": "followups"}
    return await api.client.post("/api/v1/subscriptions", json=payload, headers=headers)


@pytest.mark.parametrize("path", ["edit", "delete", "vote", "points", "report", "subscribe"])
async def test_every_write_path_is_rate_limited(settings: Settings, clock: FakeClock, path: str) -> None:
    async for api in _limited_api(settings, clock):
        author, key = Reader(), api.article()
        comment = await api.post_ok(author, key, "A comment to act on.")
        address = {"X-Forwarded-For": f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.7"}
        target = _Target(api, author, key, comment["id"], address)
        statuses = await _until_limited(120, partial(_act, path, target))
        assert statuses[-1] == 429, statuses
        assert 429 not in statuses[:-1] and len(statuses) > 2
