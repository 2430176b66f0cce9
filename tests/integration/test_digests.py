"""Digest subscriptions: at most one mail per thread and interval, listing every comment that came in between."""

from __future__ import annotations

from sqlalchemy import update

from pnyx.jobs.worker import Worker
from pnyx.services.container import Services
from pnyx.store import tables
from tests.conftest import FakeClock
from tests.factories import Api, Reader
from tests.integration.mail_support import confirmed, deliver, text_of
from tests.integration.smtp_support import SmtpServer

INTERVAL_MINUTES = 60  # the default of PNYX_DIGEST_MINUTES


async def test_a_digest_batches_an_interval_into_one_mail(
    api: Api, worker: Worker, mail_server: SmtpServer, clock: FakeClock
) -> None:
    key = api.article()
    await api.post_ok(Reader(), key, url=key, title="Bridge repairs")
    await confirmed(api, worker, mail_server, key, "dora@example.org", digest=True)
    await confirmed(api, worker, mail_server, key, "ivan@example.org")

    for body in ("First of the hour.", "Second of the hour.", "Third of the hour."):
        await api.post_ok(Reader(), key, body, author_name="Lee")
    instant = await deliver(worker, mail_server)
    assert [m["To"] for m in instant] == ["ivan@example.org"] * 3, "instant subscribers are not held back"

    clock.advance(minutes=INTERVAL_MINUTES)
    [digest] = await deliver(worker, mail_server)
    assert digest["To"] == "dora@example.org" and digest["Subject"].startswith("3 new comments")
    body = text_of(digest)
    assert all(text in body for text in ("First of the hour.", "Second of the hour.", "Third of the hour."))
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/subscriptions/manage?token=" in body

    await api.post_ok(Reader(), key, "Next hour.")
    assert [m["To"] for m in await deliver(worker, mail_server)] == ["ivan@example.org"]
    clock.advance(minutes=INTERVAL_MINUTES)
    [later] = await deliver(worker, mail_server)
    assert later["To"] == "dora@example.org" and later["Subject"].startswith("1 new comment ")
    assert "Next hour." in text_of(later) and "First of the hour." not in text_of(later)
    assert later["Message-ID"] != digest["Message-ID"]


async def test_a_comment_after_a_worker_claimed_the_digest_goes_to_the_next_one(
    api: Api, worker: Worker, mail_server: SmtpServer, clock: FakeClock, services: Services
) -> None:
    key = api.article()
    await api.post_ok(Reader(), key, url=key)
    await confirmed(api, worker, mail_server, key, "omar@example.org", digest=True)
    await api.post_ok(Reader(), key, "In the claimed digest.")
    async with services.db.write() as conn:
        # A worker whose clock is a little ahead has claimed this interval's digest already.
        await conn.execute(update(tables.outbox).where(tables.outbox.c.sent_at.is_(None)).values(claimed_until=clock()))
    await api.post_ok(Reader(), key, "Too late for it.")
    clock.advance(minutes=2 * INTERVAL_MINUTES)
    mails = await deliver(worker, mail_server)
    assert [m["To"] for m in mails] == ["omar@example.org"] * 2
    texts = [text_of(m) for m in mails]
    assert sum("In the claimed digest." in t for t in texts) == 1
    assert sum("Too late for it." in t for t in texts) == 1, "nothing lost, nothing twice"


async def test_a_busy_interval_lists_the_first_comments_and_counts_the_rest(
    api: Api, worker: Worker, mail_server: SmtpServer, clock: FakeClock
) -> None:
    key = api.article()
    await api.post_ok(Reader(), key, url=key)
    await confirmed(api, worker, mail_server, key, "pia@example.org", digest=True)
    for n in range(33):
        await api.post_ok(Reader(), key, f"Comment number {n}.")
    clock.advance(minutes=INTERVAL_MINUTES)
    [digest] = await deliver(worker, mail_server)
    assert digest["Subject"].startswith("33 new comments")
    assert "Comment number 29." in text_of(digest) and "Comment number 30." not in text_of(digest)
    assert "and 3 more" in text_of(digest)
