"""The page behind "All your subscriptions": every subscription of one address, changed or ended without login."""

from __future__ import annotations

from email.message import EmailMessage

import pytest
from httpx import AsyncClient

from pnyx.jobs.worker import Worker
from tests.conftest import FakeClock
from tests.factories import Api, Reader
from tests.integration.mail_support import confirmed, deliver, subscribe, token_in
from tests.integration.smtp_support import SmtpServer

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


async def _manage_token(api: Api, worker: Worker, server: SmtpServer, key: str) -> str:
    """The manage link of the next notification about ``key``."""
    await api.post_ok(Reader(), key, "News for the subscriber.")
    mails: list[EmailMessage] = await deliver(worker, server)
    return token_in(mails[0], "/subscriptions/manage")


async def test_the_page_lists_changes_and_ends_every_subscription_of_the_address(
    api: Api, worker: Worker, mail_server: SmtpServer, client: AsyncClient, clock: FakeClock
) -> None:
    first, second = api.article(), api.article()
    parent = await api.post_ok(Reader(), first, url=first, title="Ferry timetable")
    await api.post_ok(Reader(), second, url=second, title="School meals")
    await confirmed(api, worker, mail_server, first, "jo@example.org")
    await confirmed(api, worker, mail_server, first, "jo@example.org", kind="replies", comment_id=parent["id"])
    await confirmed(api, worker, mail_server, second, "jo@example.org")
    await confirmed(api, worker, mail_server, second, "kim@example.org")
    token = await _manage_token(api, worker, mail_server, second)

    page = await client.get("/subscriptions/manage", params={"token": token})
    assert page.status_code == 200 and "jo@example.org" in page.text
    assert "Ferry timetable" in page.text and "School meals" in page.text and "kim@" not in page.text
    assert "form-action 'self'" in page.headers["content-security-policy"]
    assert page.text.count('value="unsubscribe"') == 3

    ids = [int(part.split('"')[0]) for part in page.text.split('name="id" value="')[1:]]
    done = await client.post(
        "/subscriptions/manage", params={"token": token}, content=f"action=digest&id={ids[0]}", headers=FORM
    )
    assert done.status_code == 303 and "done=1" in done.headers["location"]
    assert "as a digest" in (await client.get(done.headers["location"])).text

    await client.post("/subscriptions/manage", params={"token": token}, content="action=unsubscribe_all", headers=FORM)
    after = await client.get("/subscriptions/manage", params={"token": token})
    assert "has no subscriptions" in after.text
    await api.post_ok(Reader(), first, "Anyone there?", parent_id=parent["id"])
    await api.post_ok(Reader(), second, "Still here.")
    clock.advance(hours=2)
    assert [m["To"] for m in await deliver(worker, mail_server)] == ["kim@example.org"]


async def test_a_manage_link_cannot_touch_another_addresss_subscriptions(
    api: Api, worker: Worker, mail_server: SmtpServer, client: AsyncClient
) -> None:
    key = api.article()
    await api.post_ok(Reader(), key, url=key)
    await confirmed(api, worker, mail_server, key, "lu@example.org")
    await confirmed(api, worker, mail_server, key, "max@example.org")
    mails = await deliver(worker, mail_server)
    assert mails == []
    await api.post_ok(Reader(), key, "For both.")
    by_address = {m["To"]: m for m in await deliver(worker, mail_server)}
    lu_token = token_in(by_address["lu@example.org"], "/subscriptions/manage")
    max_page = await client.get(
        "/subscriptions/manage", params={"token": token_in(by_address["max@example.org"], "/subscriptions/manage")}
    )
    max_id = max_page.text.split('name="id" value="')[1].split('"')[0]
    await client.post(
        "/subscriptions/manage", params={"token": lu_token}, content=f"action=unsubscribe&id={max_id}", headers=FORM
    )
    await api.post_ok(Reader(), key, "Max still gets this.")
    assert sorted(m["To"] for m in await deliver(worker, mail_server)) == ["lu@example.org", "max@example.org"]


@pytest.mark.parametrize("content", ["action=explode&id=1", "action=unsubscribe&id=abc", "action=digest", "%ff"])
async def test_a_bad_form_or_token_gets_a_page_that_says_so(
    client: AsyncClient, api: Api, worker: Worker, mail_server: SmtpServer, content: str
) -> None:
    key = api.article()
    await api.post_ok(Reader(), key, url=key)
    await confirmed(api, worker, mail_server, key, "ned@example.org")
    token = await _manage_token(api, worker, mail_server, key)
    response = await client.post("/subscriptions/manage", params={"token": token}, content=content, headers=FORM)
    assert 400 <= response.status_code < 500 and response.headers["content-type"].startswith("text/html")
    tampered = await client.get("/subscriptions/manage", params={"token": token[:-3] + "abc"})
    assert tampered.status_code == 401 and "damaged" in tampered.text


async def test_link_pages_speak_the_readers_language(client: AsyncClient) -> None:
    page = await client.get(
        "/subscriptions/confirm", params={"token": "broken"}, headers={"Accept-Language": "de-AT,de;q=0.9,en;q=0.5"}
    )
    assert page.status_code == 401 and '<html lang="de">' in page.text
    assert "This link did not work" not in page.text


async def test_subscribing_again_with_a_digest_choice_is_kept_for_the_confirmer(
    api: Api, worker: Worker, mail_server: SmtpServer, clock: FakeClock
) -> None:
    key = api.article()
    await api.post_ok(Reader(), key, url=key)
    await subscribe(api, key, "ola@example.org")
    await confirmed(api, worker, mail_server, key, "ola@example.org", digest=True)
    await api.post_ok(Reader(), key, "Batched.")
    assert await deliver(worker, mail_server) == []
    clock.advance(hours=1)
    assert [m["To"] for m in await deliver(worker, mail_server)] == ["ola@example.org"]
