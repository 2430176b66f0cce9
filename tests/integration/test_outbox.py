"""The outbox: written in the transaction that causes it, delivered by workers to a real SMTP server, never twice.

aiosmtpd listens on a free loopback port for each test that needs it (see smtp_support.py).
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, func, select

from pnyx.config import Settings
from pnyx.domain.outbox import MAIL, mail_payload
from pnyx.jobs.mail import MemoryMailer
from pnyx.jobs.worker import Worker
from pnyx.store import outbox, tables
from pnyx.store.engine import Database
from pnyx.store.migrate import upgrade
from tests.conftest import TEST_SECRET, FakeClock
from tests.integration.smtp_support import SmtpServer

SENDER = "news@pnyx.test"
HOST = "pnyx.test"


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    """An SMTP server that is not yet listening; the test starts it."""
    server = SmtpServer()
    try:
        yield server
    finally:
        server.stop()


async def _open_clean(url: str) -> Database:
    db = Database.open(url)
    await upgrade(db)
    # The test databases live for the whole run: start each test with an empty outbox.
    async with db.write() as conn:
        await conn.execute(delete(tables.outbox))
    return db


@pytest.fixture
async def db(settings: Settings) -> AsyncIterator[Database]:
    database = await _open_clean(settings.database_url)
    try:
        yield database
    finally:
        await database.close()


async def _enqueue(db: Database, clock: FakeClock, key: str, to: str = "reader@example.org") -> bool:
    payload = mail_payload(
        to=to,
        subject=f"New reply ({key})",
        text="Someone answered you.",
        html="<p>Someone answered you.</p>",
        dedupe_key=key,
        host=HOST,
        headers={"List-Unsubscribe": "<https://pnyx.test/u/x>"},
    )
    async with db.write() as conn:
        return await outbox.enqueue(conn, MAIL, payload, key, clock())


async def _rows(db: Database) -> list[dict[str, Any]]:
    async with db.read() as conn:
        return [dict(row._mapping) for row in await conn.execute(select(tables.outbox).order_by(tables.outbox.c.id))]


async def test_enqueue_is_idempotent_by_dedupe_key(db: Database, clock: FakeClock) -> None:
    assert await _enqueue(db, clock, "reply:1:a@example.org")
    assert not await _enqueue(db, clock, "reply:1:a@example.org")
    payload = mail_payload(to="a@example.org", subject="s", text="t", dedupe_key="k2", host=HOST)
    async with db.write() as conn:
        assert await outbox.enqueue(conn, MAIL, payload, "k2", clock())
        assert not await outbox.enqueue(conn, MAIL, payload, "k2", clock())
    assert [row["dedupe_key"] for row in await _rows(db)] == ["reply:1:a@example.org", "k2"]


async def test_a_rolled_back_transaction_leaves_no_outbox_row(db: Database, clock: FakeClock) -> None:
    payload = mail_payload(to="a@example.org", subject="s", text="t", dedupe_key="gone", host=HOST)
    with pytest.raises(RuntimeError):
        async with db.write() as conn:
            await outbox.enqueue(conn, MAIL, payload, "gone", clock())
            raise RuntimeError("the comment's transaction failed")
    async with db.read() as conn:
        assert (await conn.execute(select(func.count()).select_from(tables.outbox))).scalar_one() == 0


async def test_the_worker_delivers_to_smtp_with_a_stable_message_id(
    db: Database, clock: FakeClock, smtp: SmtpServer
) -> None:
    smtp.start()
    await _enqueue(db, clock, "reply:7:reader@example.org")
    worker = Worker(db, smtp.mailer(), clock, sender=SENDER)
    assert await worker.run_once() == 1
    assert await worker.run_once() == 0
    [message] = smtp.sink.received
    [row] = await _rows(db)
    assert message["From"] == SENDER
    assert message["To"] == "reader@example.org"
    assert message["Subject"] == "New reply (reply:7:reader@example.org)"
    assert message["Message-ID"] == row["payload"]["message_id"]
    assert str(message["Message-ID"]).startswith("<outbox-") and str(message["Message-ID"]).endswith(f"@{HOST}>")
    assert message["List-Unsubscribe"] == "<https://pnyx.test/u/x>"
    assert message.get_body(("html",)) is not None
    assert row["sent_at"] == clock() and row["attempts"] == 0 and row["claimed_until"] is None


async def test_smtp_down_backs_off_then_delivers_once_when_it_is_up(
    db: Database, clock: FakeClock, smtp: SmtpServer
) -> None:
    await _enqueue(db, clock, "followup:3:reader@example.org")
    worker = Worker(db, smtp.mailer(), clock, sender=SENDER)
    assert await worker.run_once() == 1
    [row] = await _rows(db)
    assert row["sent_at"] is None and row["attempts"] == 1 and row["last_error"]
    assert row["next_attempt_at"] >= clock() + timedelta(seconds=30)
    assert await worker.run_once() == 0, "not due again before the backoff"

    smtp.start()
    clock.advance(minutes=1)
    assert await worker.run_once() == 1
    clock.advance(hours=2)
    assert await worker.run_once() == 0
    assert smtp.sink.message_ids() == [row["payload"]["message_id"]]
    [row] = await _rows(db)
    assert row["sent_at"] is not None and row["attempts"] == 1


async def test_a_crashed_workers_rows_come_back_after_the_lease_with_the_same_message_id(
    db: Database, clock: FakeClock
) -> None:
    await _enqueue(db, clock, "reply:9:reader@example.org")
    async with db.write() as conn:
        # A worker claims the row, then dies before marking it sent.
        [claimed] = await outbox.claim(conn, clock(), 10, timedelta(minutes=5))
    mailer = MemoryMailer()
    worker = Worker(db, mailer, clock, sender=SENDER)
    assert await worker.run_once() == 0, "leased to the dead worker"
    clock.advance(minutes=6)
    assert await worker.run_once() == 1
    assert [message["Message-ID"] for message in mailer.sent] == [claimed.payload["message_id"]]


async def test_a_recipient_gets_at_most_the_hourly_cap_and_the_rest_later(db: Database, clock: FakeClock) -> None:
    for number in range(3):
        await _enqueue(db, clock, f"busy:{number}", to="busy@example.org")
    await _enqueue(db, clock, "calm:0", to="calm@example.org")
    mailer = MemoryMailer()
    worker = Worker(db, mailer, clock, sender=SENDER, hourly_cap=2)
    assert await worker.run_once() == 4
    assert sorted(str(message["To"]) for message in mailer.sent) == ["busy@example.org"] * 2 + ["calm@example.org"]
    held = [row for row in await _rows(db) if row["sent_at"] is None]
    assert len(held) == 1 and held[0]["attempts"] == 0
    assert held[0]["next_attempt_at"] == clock() + timedelta(hours=1)
    clock.advance(minutes=61)
    assert await worker.run_once() == 1
    assert len(mailer.sent) == 4


async def test_two_workers_on_postgresql_never_deliver_a_row_twice(
    postgres_url: str, clock: FakeClock, smtp: SmtpServer
) -> None:
    smtp.start()
    first, second = await _open_clean(postgres_url), Database.open(postgres_url)
    try:
        for number in range(50):
            await _enqueue(first, clock, f"race:{number}", to=f"reader{number}@example.org")
        workers = [Worker(db, smtp.mailer(), clock, sender=SENDER, batch=5) for db in (first, second)]
        claimed = Counter[int]()
        async with asyncio.timeout(30):
            while True:
                batches = await asyncio.gather(*(worker.run_once() for worker in workers))
                claimed.update(dict(enumerate(batches)))
                if not sum(batches):
                    break
        assert claimed[0] and claimed[1], "both workers took part"
        counts = Counter(smtp.sink.message_ids())
        assert len(counts) == 50 and set(counts.values()) == {1}
        assert all(row["sent_at"] is not None for row in await _rows(first))
    finally:
        await first.close()
        await second.close()


async def test_pnyx_worker_delivers_and_stops_on_sigterm(tmp_path: Path, clock: FakeClock, smtp: SmtpServer) -> None:
    smtp.start()
    url = f"sqlite+aiosqlite:///{tmp_path / 'worker.db'}"
    db = await _open_clean(url)
    try:
        await _enqueue(db, clock, "cli:1")
    finally:
        await db.close()
    env = {name: value for name, value in os.environ.items() if not name.startswith("PNYX_")}
    env.update(
        PNYX_DATABASE_URL=url,
        PNYX_SECRET_KEY=TEST_SECRET,
        PNYX_DATA_DIR=str(tmp_path),
        PNYX_SMTP_HOST="127.0.0.1",
        PNYX_SMTP_PORT=str(smtp.port),
        PNYX_SMTP_TLS="none",
        PNYX_MAIL_FROM=SENDER,
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "pnyx", "worker"],
        env=env,
        cwd=tmp_path,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        async with asyncio.timeout(15):
            while not smtp.sink.received:
                await asyncio.sleep(0.05)
    finally:
        process.send_signal(signal.SIGTERM)
        stdout, stderr = process.communicate(timeout=10)
    assert process.returncode == 0, stdout + stderr
    assert "Traceback" not in stderr, stderr
    [message] = smtp.sink.received
    assert message["From"] == SENDER and message["Subject"] == "New reply (cli:1)"
