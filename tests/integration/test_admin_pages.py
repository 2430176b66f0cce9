"""The console's moderation pages on both engines: what they show, the forms they post, and what readers then see."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import Response

from pnyx.domain.policy import Policy
from pnyx.web.admin import pages
from tests.factories import Api, Reader
from tests.integration.admin_support import Signed, browser, new_account, sign_in
from tests.integration.comments_support import assert_error, forbid_server_errors
from tests.integration.moderation_support import comment, public_ids, set_policy, site_id

JSON_HEADERS = {"Accept": "application/json"}


@pytest.fixture
async def held_site(api: Api) -> Api:
    """The test's site, holding every comment for a moderator."""
    await set_policy(api, Policy(premoderation="all"))
    return api


@pytest.fixture
async def moderator(app: FastAPI, api: Api) -> AsyncIterator[Signed]:
    """A moderator of the test's site, signed in."""
    async with browser(app) as client:
        forbid_server_errors(client)
        yield await sign_in(client, await new_account(api.services, "moderator", [api.site]))


@pytest.fixture
async def admin(app: FastAPI, api: Api) -> AsyncIterator[Signed]:
    async with browser(app) as client:
        forbid_server_errors(client)
        yield await sign_in(client, await new_account(api.services, "admin"))


async def _post(api: Api, key: str, body: str, reader: Reader | None = None, **extra: Any) -> int:
    response = await api.post(reader or Reader(), key, body, **extra)
    assert response.status_code in (201, 202), response.text
    return int(response.json()["comment"]["id"])


async def _act(signed: Signed, data: dict[str, Any], **headers: str) -> Response:
    return await signed.client.post("/admin/actions", data={"csrf": signed.csrf, **data}, headers=headers)


async def _follow(signed: Signed, response: Response) -> Response:
    assert response.status_code == 303, response.text
    page = await signed.client.get(response.headers["location"])
    assert page.status_code == 200, page.text
    return page


def _notice(page: Response) -> str:
    found = re.search(r'<p class="notice" role="status">([^<]*)</p>', page.text)
    return found.group(1) if found else ""


def _item_ids(page: Response) -> list[int]:
    return [int(found) for found in re.findall(r'data-comment="(\d+)"', page.text)]


async def test_the_dashboard_charts_the_month_without_scripts_or_inline_styles(api: Api, moderator: Signed) -> None:
    key = api.article()
    await _post(api, key, "First!", title="Night buses")
    page = await moderator.client.get("/admin")
    assert page.status_code == 200
    assert "default-src 'none'" in page.headers["content-security-policy"]
    html = page.text
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="pnyx-chart pnyx-chart--line" role="img"' in html
    assert '<title id="activity-title">Comments, reports and new commenters per day, last 30 days</title>' in html
    assert html.count('<tr><th scope="row"><time') == 30, "the table gives every day of the chart"
    assert "style=" not in html and re.findall(r"<script[^>]*>", html) == ['<script src="/static/admin.js" defer>']
    assert re.search(r'href="/admin/queue/all\?site=[^"]+&amp;thread=[^"]+">Night buses</a>', html)
    assert "1 new comment" in html


async def test_the_dashboard_counts_the_queues_of_one_site(held_site: Api, moderator: Signed) -> None:
    await _post(held_site, held_site.article(), "Held one")
    await _post(held_site, held_site.article(), "Held two")
    page = await moderator.client.get("/admin", params={"site": held_site.site})
    assert re.search(r'<span class="queue-size">2</span> Pending', page.text)


async def test_a_moderator_approves_one_and_rejects_the_rest_without_scripts(held_site: Api, moderator: Signed) -> None:
    api, key = held_site, held_site.article()
    first, second, third = [await _post(api, key, f"Held comment {n}") for n in (1, 2, 3)]
    queue = await moderator.client.get("/admin/queue/pending")
    assert {first, second, third} <= set(_item_ids(queue)) and await public_ids(api, key) == []

    page = await _follow(moderator, await _act(moderator, {"one": f"approve:{first}", "next": "/admin/queue/pending"}))
    assert _notice(page) == "Approved 1 comment."
    assert first not in _item_ids(page) and await public_ids(api, key) == [first]

    bulk = {"action": "reject", "ids": [str(second), str(third)], "next": "/admin/queue/pending"}
    page = await _follow(moderator, await _act(moderator, bulk))
    assert _notice(page) == "Rejected 2 comments."
    assert not {second, third} & set(_item_ids(page)) and await public_ids(api, key) == [first]


async def test_admin_js_gets_json_and_the_same_rules(held_site: Api, moderator: Signed, app: FastAPI) -> None:
    api, key = held_site, held_site.article()
    waiting = await _post(api, key, "Held for the keyboard")
    headers = {**JSON_HEADERS, "X-CSRF-Token": moderator.csrf}
    response = await moderator.client.post(
        "/admin/actions", data={"action": "spam", "ids": str(waiting)}, headers=headers
    )
    assert response.status_code == 200
    assert response.json() == {
        "message": "Marked 1 comment as spam.",
        "count": 1,
        "comments": [{"id": waiting, "status": "spam", "reports": 0}],
    }
    again = await moderator.client.post("/admin/actions", data={"action": "spam", "ids": str(waiting)}, headers=headers)
    assert again.json()["message"] == pages.NOTHING

    assert_error(await _act(moderator, {"action": "explode", "ids": str(waiting)}, **JSON_HEADERS), 422, "invalid")
    assert_error(await _act(moderator, {"action": "approve"}, **JSON_HEADERS), 422, "invalid")
    other = await Api.with_new_site(api.client, api.services)
    foreign = await _post(other, other.article(), "Not yours")
    assert_error(await _act(moderator, {"action": "approve", "ids": str(foreign)}, **JSON_HEADERS), 403, "forbidden")
    assert (await comment(api.services, foreign)).status.value == "approved"


async def test_a_ban_from_the_queue_stops_the_reader_until_lifted(api: Api, moderator: Signed) -> None:
    key, troll = api.article(), Reader()
    posted = await _post(api, key, "Something rude", troll)
    form = {"one": f"ban_identity:{posted}", "duration": "7d", "reason": "Rude", "next": "/admin/queue/all"}
    page = await _follow(moderator, await _act(moderator, form))
    assert _notice(page) == "Banned 1 reader."

    refused = await api.post(troll, key, "Let me back in")
    assert "stopped you from commenting" in assert_error(refused, 403, "banned")

    bans = await moderator.client.get("/admin/bans")
    assert "Rude" in bans.text and "Reader <code>" in bans.text
    lift = {"csrf": moderator.csrf, "kind": "identity", "value": str((await comment(api.services, posted)).identity_id)}
    lift["site_id"] = str(await site_id(api))
    page = await _follow(moderator, await moderator.client.post("/admin/bans/lift", data=lift))
    assert _notice(page) == "Lifted the ban." and "No bans are in force." in page.text
    assert (await api.post(troll, key, "Sorry about that")).status_code == 201


async def test_more_actions_come_from_the_list(api: Api, moderator: Signed) -> None:
    posted = await _post(api, api.article(), "An editor's pick")
    form = {"action": "more", "more": "feature", "ids": str(posted), "next": "/admin/queue/all"}
    page = await _follow(moderator, await _act(moderator, form))
    assert _notice(page) == "Marked 1 comment as Featured."
    assert (await comment(api.services, posted)).featured


async def test_the_comment_page_edits_with_a_visible_note(api: Api, moderator: Signed, admin: Signed) -> None:
    posted = await _post(api, api.article(), "Teh original", author_name='Ann "<b>"')
    page = await moderator.client.get(f"/admin/comments/{posted}")
    assert page.status_code == 200 and "Teh original</textarea>" in page.text
    assert "Ann &#34;&lt;b&gt;&#34;" in page.text or "Ann &quot;&lt;b&gt;&quot;" in page.text
    edit = {"csrf": moderator.csrf, "body": "The *original*", "reason": "Typo"}
    page = await _follow(moderator, await moderator.client.post(f"/admin/comments/{posted}/edit", data=edit))
    assert "edited by moderator" in _notice(page)
    stored = await comment(api.services, posted)
    assert stored.body_html.strip() == "<p>The <em>original</em></p>" and stored.moderator_note == "edited by moderator"

    log = await admin.client.get("/admin/audit")
    assert log.status_code == 200 and f'href="/admin/comments/{posted}"' in log.text and "Typo" in log.text
    assert "Teh original" in log.text, "the text before the edit stays readable in the log"
    assert (await moderator.client.get("/admin/audit")).status_code == 403


async def test_closing_and_reopening_a_thread(api: Api, moderator: Signed) -> None:
    key = api.article()
    posted = await _post(api, key, "Last word")
    thread_id = (await comment(api.services, posted)).thread_id
    form = {"csrf": moderator.csrf, "next": f"/admin/comments/{posted}"}
    page = await _follow(moderator, await moderator.client.post(f"/admin/threads/{thread_id}/close", data=form))
    assert _notice(page) == "Closed the thread to new comments." and "Reopen the thread" in page.text
    assert_error(await api.post(Reader(), key, "Too late"), 403, "thread_closed")
    await _follow(moderator, await moderator.client.post(f"/admin/threads/{thread_id}/reopen", data=form))
    assert (await api.post(Reader(), key, "Open again")).status_code == 201


async def test_searching_all_comments_and_paging(api: Api, moderator: Signed, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pages, "PAGE_SIZE", 2)
    key = api.article()
    ids = [await _post(api, key, f"Bicycle lanes, take {n}", author_name="Rosa") for n in range(3)]
    await _post(api, key, "Something else entirely", author_name="Dev")

    page = await moderator.client.get("/admin/queue/all", params={"q": "BICYCLE", "site": api.site})
    assert _item_ids(page) == [ids[2], ids[1]]
    older = re.search(r'<a href="([^"]+)" rel="next">Older comments</a>', page.text)
    assert older
    rest = await moderator.client.get(older.group(1).replace("&amp;", "&"))
    assert _item_ids(rest) == [ids[0]] and "Older comments" not in rest.text

    today = (await comment(api.services, ids[0])).created_at.date().isoformat()
    dated = await moderator.client.get("/admin/queue/all", params={"author": "dev", "since": today, "until": today})
    assert len(_item_ids(dated)) == 1
    assert (await moderator.client.get("/admin/queue/all", params={"since": "yesterday"})).status_code == 422
    as_sent = {"q": "bicycle", "author": "", "email": "", "ip": "", "thread": "", "since": "", "until": ""}
    assert _item_ids(await moderator.client.get("/admin/queue/all", params=as_sent)) == [ids[2], ids[1]]


async def test_bad_addresses_and_notices_say_nothing_they_should_not(api: Api, moderator: Signed) -> None:
    assert (await moderator.client.get("/admin/queue/everything")).status_code == 404
    assert (await moderator.client.get("/admin/comments/2147483648")).status_code == 404
    page = await moderator.client.get("/admin/queue/pending", params={"done": "<script>", "n": "1"})
    assert page.status_code == 200 and _notice(page) == "" and "&lt;script&gt;" not in page.text
    page = await moderator.client.get("/admin/queue/pending", params={"done": "approve", "n": "3"})
    assert _notice(page) == "Approved 3 comments."


async def test_after_an_action_the_console_goes_back_only_to_itself(api: Api, moderator: Signed) -> None:
    posted = await _post(api, api.article(), "Fine")
    response = await _act(moderator, {"one": f"pin:{posted}", "next": "https://evil.example/admin"})
    assert response.status_code == 303 and response.headers["location"].startswith("/admin?")


def test_notices_agree_with_their_count() -> None:
    assert pages.sentence("approve", 1) == "Approved 1 comment."
    assert pages.sentence("ban_email", 2) == "Banned 2 e-mail addresses."
    assert pages.sentence("shadow_ban", 1) == "Shadow-banned 1 reader: only they see what they write."
    assert pages.sentence("reject", 0) == pages.NOTHING
    assert pages.sentence("nonsense", 1) is None and pages.sentence(None, 0) is None
    assert (
        pages.with_done("/admin/queue/all?q=x&done=reject&n=2", "approve", 1) == "/admin/queue/all?q=x&done=approve&n=1"
    )
