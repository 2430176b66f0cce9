"""'Notify of' on the comment form, verified addresses that skip confirmation, and mails on approval."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from pnyx.domain.models import BodyFormat, CommentStatus
from pnyx.errors import Conflict, NotFound
from pnyx.jobs.worker import Worker
from pnyx.services import moderation
from pnyx.services.container import Services
from pnyx.store import comments as comment_store
from pnyx.store import tables
from tests.factories import Api, Reader
from tests.integration.comments_support import assert_error
from tests.integration.mail_support import confirm_mail, confirmed, deliver, subscribe, text_of
from tests.integration.smtp_support import SmtpServer


async def test_notify_of_followups_sends_one_confirmation_then_the_thread(
    api: Api, worker: Worker, mail_server: SmtpServer
) -> None:
    key = api.article()
    author = Reader()
    response = await api.post(
        author, key, "First!", url=key, author_email="ana@example.org", notify="followups", title="Tram fares"
    )
    assert response.status_code == 201 and response.json()["subscription"] == "confirmation_sent"
    [mail] = await deliver(worker, mail_server)
    assert mail["To"] == "ana@example.org" and "Tram fares" in text_of(mail)

    await api.post_ok(Reader(), key, "Before the confirmation.")
    assert await deliver(worker, mail_server) == [], "nothing but the confirmation goes to an unconfirmed address"
    await confirm_mail(api, mail)
    await api.post_ok(Reader(), key, "After the confirmation.", author_name="Bo")
    [news] = await deliver(worker, mail_server)
    assert news["To"] == "ana@example.org" and "After the confirmation." in text_of(news)
    await api.post_ok(author, key, "My own follow-up.")
    assert await deliver(worker, mail_server) == [], "no mail about one's own comment"


async def test_notify_of_replies_follows_only_the_new_comment(
    api: Api, worker: Worker, mail_server: SmtpServer
) -> None:
    key = api.article()
    author = Reader()
    posted = await api.post(author, key, "Ask me.", url=key, author_email="cy@example.org", notify="replies")
    assert posted.json()["subscription"] == "confirmation_sent"
    await confirm_mail(api, (await deliver(worker, mail_server))[0])
    mine = posted.json()["comment"]["id"]

    await api.post_ok(Reader(), key, "Not an answer to Cy.")
    assert await deliver(worker, mail_server) == []
    await api.post_ok(Reader(), key, "An answer to Cy.", parent_id=mine)
    [mail] = await deliver(worker, mail_server)
    assert mail["To"] == "cy@example.org" and "replied" in text_of(mail)


async def test_a_verified_reader_skips_confirmation(api: Api, worker: Worker, mail_server: SmtpServer) -> None:
    reader = Reader()
    first, second = api.article(), api.article()
    await api.post_ok(reader, first, url=first)
    await confirmed(api, worker, mail_server, first, "di@example.org", reader=reader)

    assert (await api.me(reader, first))["email_verified"] is True
    assert (await api.me(Reader(), first))["email_verified"] is False
    response = await api.post(reader, second, "Now I am known.", url=second, notify="replies")
    assert response.status_code == 201 and response.json()["subscription"] == "subscribed"
    again = await subscribe(api, second, "di@example.org", reader=reader)
    assert again.json() == {"status": "subscribed"}
    assert await deliver(worker, mail_server) == [], "a verified address gets no confirmation mail"
    other = await subscribe(api, second, "someone.else@example.org", reader=reader)
    assert other.json() == {"status": "confirmation_sent"}, "only the verified address skips confirmation"


async def test_notify_of_needs_an_address_and_a_known_choice(api: Api, services: Services) -> None:
    key = api.article()
    missing = await api.post(Reader(), key, "Tell me.", url=key, notify="followups")
    assert_error(missing, 422, "invalid")
    assert "e-mail address" in missing.json()["detail"]
    address = f"{api.site}@example.org"
    unknown = await api.post(Reader(), key, "Tell me.", url=key, notify="everything", author_email=address)
    assert unknown.status_code == 422
    assert (await api.page(key))["comments"] == [], "a refused post stores nothing"
    counted = select(func.count()).select_from(tables.subscription).where(tables.subscription.c.email == address)
    async with services.db.read() as conn:
        assert (await conn.execute(counted)).scalar_one() == 0


async def test_subscribing_to_an_article_nobody_has_commented_yet(
    api: Api, worker: Worker, mail_server: SmtpServer
) -> None:
    key = api.article()
    response = await subscribe(api, key, "eve@example.org", url=key, title="Quiet story")
    assert response.status_code == 202 and response.json() == {"status": "confirmation_sent"}
    [mail] = await deliver(worker, mail_server)
    assert "Quiet story" in text_of(mail)
    await confirm_mail(api, mail)
    await api.post_ok(Reader(), key, "The first word.")
    assert [m["To"] for m in await deliver(worker, mail_server)] == ["eve@example.org"]
    unknown = await subscribe(api, "explicit-key-without-url", "eve@example.org")
    assert_error(unknown, 404, "not_found")


async def test_a_held_comment_notifies_when_approved_and_not_before(
    api: Api, worker: Worker, mail_server: SmtpServer, services: Services
) -> None:
    key = api.article()
    first = await api.post_ok(Reader(), key, url=key)
    await confirmed(api, worker, mail_server, key, "fay@example.org")
    async with services.db.write() as conn:
        # Pre-moderation stores a comment as pending and tells nobody; the moderation issue adds the rules.
        stored = await comment_store.get_comment(conn, first["id"])
        assert stored is not None
        held = await comment_store.insert_comment(conn, _pending(stored.thread_id, "Held for review."))
    assert await deliver(worker, mail_server) == []
    approved = await moderation.approve_comment(services, held.id)
    assert approved.status is CommentStatus.APPROVED
    [mail] = await deliver(worker, mail_server)
    assert mail["To"] == "fay@example.org" and "Held for review." in text_of(mail)
    assert (await api.page(key))["total"] == 2
    with pytest.raises(Conflict, match="approved already"):
        await moderation.approve_comment(services, held.id)
    with pytest.raises(NotFound):
        await moderation.approve_comment(services, 10**9)


def _pending(thread_id: int, body: str) -> comment_store.NewComment:
    return comment_store.NewComment(
        thread_id=thread_id,
        parent_id=None,
        root_id=None,
        reply_to_id=None,
        depth=0,
        identity_id=None,
        author_name="Gus",
        author_email=None,
        website=None,
        body_source=body,
        body_format=BodyFormat.MARKDOWN,
        body_html=f"<p>{body}</p>",
        status=CommentStatus.PENDING,
        created_at=datetime.now(UTC),
    )
