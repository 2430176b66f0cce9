"""Subscriptions: double opt-in, notifications through the outbox to a real SMTP server, one-click unsubscribe."""

from __future__ import annotations

import re
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import func, select

from pnyx.jobs.worker import Worker
from pnyx.services import comments as comment_service
from pnyx.services import notifications
from pnyx.services.comments import NewPost
from pnyx.services.container import Services
from pnyx.services.readers import Reader as ReaderIdentity
from pnyx.services.threads import ThreadRef
from pnyx.store import tables
from tests.factories import Api, Reader
from tests.integration.mail_support import SENDER, confirmed, deliver, subscribe, text_of, token_in
from tests.integration.smtp_support import SmtpServer


async def test_confirmation_flow(api: Api, worker: Worker, mail_server: SmtpServer, client: AsyncClient) -> None:
    key = api.article()
    await api.post_ok(Reader(), key, url=key, title="Budget <b>day</b>")
    response = await subscribe(api, key, "ana@example.org")
    assert response.status_code == 202 and response.json() == {"status": "confirmation_sent"}
    [mail] = await deliver(worker, mail_server)
    assert mail["To"] == "ana@example.org" and mail["From"] == SENDER
    html = mail.get_body(("html",))
    assert html is not None and "Budget &lt;b&gt;day&lt;/b&gt;" in str(html.get_content())
    token = token_in(mail, "/subscriptions/confirm")
    page = await client.get("/subscriptions/confirm", params={"token": token})
    assert page.status_code == 200 and "Subscription confirmed" in page.text
    assert "default-src 'none'" in page.headers["content-security-policy"]
    again = await subscribe(api, key, "ana@example.org")
    assert again.json() == {"status": "subscribed"}
    assert await deliver(worker, mail_server) == [], "no second confirmation once confirmed"


async def test_followups_reach_exactly_the_confirmed_subscribers(
    api: Api, worker: Worker, mail_server: SmtpServer
) -> None:
    key = api.article()
    await api.post_ok(Reader(), key, url=key, title="Harbour plans")
    await confirmed(api, worker, mail_server, key, "ana@example.org")
    await confirmed(api, worker, mail_server, key, "bo@example.org")
    await subscribe(api, key, "unconfirmed@example.org")
    await deliver(worker, mail_server)

    comment = await api.post_ok(
        Reader(), key, "Hello <script>x</script>", author_name="Bo", author_email="bo@example.org"
    )
    [mail] = await deliver(worker, mail_server)
    assert mail["To"] == "ana@example.org"
    assert f"{key}#pnyx-comment-{comment['id']}" in text_of(mail)
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert re.fullmatch(r"<http://127\.0\.0\.1:8000/subscriptions/unsubscribe\?token=\S+>", mail["List-Unsubscribe"])
    html = mail.get_body(("html",))
    assert html is not None and "<script>" not in str(html.get_content())


async def test_a_reply_reaches_the_parents_subscriber_once(api: Api, worker: Worker, mail_server: SmtpServer) -> None:
    key = api.article()
    parent = await api.post_ok(Reader(), key, url=key)
    await confirmed(api, worker, mail_server, key, "cy@example.org", kind="replies", comment_id=parent["id"])
    await confirmed(api, worker, mail_server, key, "cy@example.org")

    await api.post_ok(Reader(), key, "Not a reply.")
    assert [m["To"] for m in await deliver(worker, mail_server)] == ["cy@example.org"]
    await api.post_ok(Reader(), key, "A reply.", parent_id=parent["id"])
    [mail] = await deliver(worker, mail_server)
    assert mail["To"] == "cy@example.org" and "replied" in text_of(mail)


async def test_one_click_unsubscribe_stops_later_mails(
    api: Api, worker: Worker, mail_server: SmtpServer, client: AsyncClient
) -> None:
    key = api.article()
    await api.post_ok(Reader(), key, url=key)
    await confirmed(api, worker, mail_server, key, "di@example.org")
    await api.post_ok(Reader(), key)
    [mail] = await deliver(worker, mail_server)
    url = str(mail["List-Unsubscribe"]).strip("<>")
    page = await client.get(url)
    assert page.status_code == 200 and 'method="post"' in page.text
    done = await client.post(url, content=b"List-Unsubscribe=One-Click")
    assert done.status_code == 200 and "Unsubscribed" in done.text
    assert (await client.post(url, content=b"List-Unsubscribe=One-Click")).status_code == 200
    await api.post_ok(Reader(), key)
    assert await deliver(worker, mail_server) == []


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/subscriptions/confirm"), ("GET", "/subscriptions/unsubscribe"), ("POST", "/subscriptions/unsubscribe")],
)
async def test_a_tampered_token_gets_a_friendly_page(client: AsyncClient, method: str, path: str) -> None:
    for token in ("eyJzIjoxfQ.tampered", "", "x" * 400):
        response = await client.request(method, path, params={"token": token})
        assert response.status_code == 401, response.text
        assert "damaged" in response.text and response.headers["content-type"].startswith("text/html")
        assert "still in the form" not in response.text, "the comment form's hint does not belong on a link page"


async def test_a_malformed_address_is_refused_with_a_sentence(api: Api) -> None:
    key = api.article()
    await api.post_ok(Reader(), key, url=key)
    response = await subscribe(api, key, "not an address")
    assert response.status_code == 422 and "e-mail address" in response.json()["detail"]


async def test_a_rolled_back_comment_enqueues_nothing(
    api: Api, worker: Worker, mail_server: SmtpServer, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = api.article()
    await api.post_ok(Reader(), key, url=key)
    await confirmed(api, worker, mail_server, key, "ed@example.org")
    real_notify = notifications.notify

    async def notify_then_fail(*args: Any) -> int:
        assert await real_notify(*args) == 1, "the mail was enqueued inside the comment's transaction"
        raise RuntimeError("the comment's transaction failed after the outbox write")

    monkeypatch.setattr(notifications, "notify", notify_then_fail)
    post = NewPost(ThreadRef(api.site, key), "Lost in the rollback.")
    with pytest.raises(RuntimeError):
        await comment_service.post_comment(services, post, ReaderIdentity(origin=api.origin))
    async with services.db.read() as conn:
        pending = select(func.count()).select_from(tables.outbox).where(tables.outbox.c.sent_at.is_(None))
        assert (await conn.execute(pending)).scalar_one() == 0
    assert len((await api.page(key))["comments"]) == 1
    assert await deliver(worker, mail_server) == []
