"""A ``pnyx worker`` killed with SIGKILL mid-run loses no mail and repeats at most the one it was sending.

The worker runs as a real process against a real database and a slowed aiosmtpd. The server holds
its answer to the QUIT after the tenth mail, so the kill lands in the worst place: the server has
taken that mail, the worker has not yet marked it sent. The dead worker's claimed rows stay leased
to it until ``--lease-seconds`` runs out; then a second worker sends them, the tenth again, with the
same Message-ID, so a receiver can drop the repeat.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from pnyx.domain.outbox import MAIL, mail_payload
from pnyx.services.container import utc_now
from pnyx.store import outbox, tables
from pnyx.store.engine import Database
from pnyx.store.migrate import upgrade
from tests.conftest import TEST_SECRET, temporary_postgres
from tests.integration.smtp_support import SmtpServer

SENDER = "news@pnyx.test"
MAILS = 60
KILL_AFTER = 10  # the worker dies just after the server took this many mails, well inside a batch of 50
DATA_DELAY_S = 0.08
LEASE_S = 2
WAIT_S = 60


@pytest.fixture(params=["sqlite", "postgresql"])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A new, empty database of each engine, only for this test."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'crash.db'}"
        return
    async with temporary_postgres("pnyx_crash") as url:
        yield url


@pytest.fixture
def slow_smtp() -> Iterator[SmtpServer]:
    server = SmtpServer(delay=DATA_DELAY_S, hold_quit_after=KILL_AFTER)
    server.start()
    try:
        yield server
    finally:
        server.stop()


class WorkerProcess:
    """``python -m pnyx worker`` with a short lease; its output goes to a file for the failure message."""

    def __init__(self, env: dict[str, str], folder: Path, name: str) -> None:
        self.log_path = folder / f"{name}.log"
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "pnyx", "worker", "--lease-seconds", str(LEASE_S)],
                env=env,
                cwd=folder,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def output(self) -> str:
        return self.log_path.read_text()

    def kill(self) -> None:
        """SIGKILL, by this process's own PID: no handler runs, nothing is marked sent."""
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> int:
        """SIGTERM and wait; the exit code."""
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=10)

    def ensure_gone(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


async def _enqueue_all(db: Database) -> dict[str, str]:
    """Enqueue MAILS mails to as many readers (the hourly cap is per address); each address's Message-ID."""
    expected: dict[str, str] = {}
    async with db.write() as conn:
        for number in range(MAILS):
            to, key = f"reader{number}@example.org", f"crash:{number}"
            payload = mail_payload(to=to, subject=f"Reply {number}", text="Hello.", dedupe_key=key, host="pnyx.test")
            await outbox.enqueue(conn, MAIL, payload, key, utc_now())
            expected[to] = payload["message_id"]
    return expected


async def _rows(db: Database) -> list[Any]:
    async with db.read() as conn:
        return list((await conn.execute(select(tables.outbox))).all())


def _env(url: str, folder: Path, server: SmtpServer) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if not name.startswith("PNYX_")}
    env.update(
        PNYX_DATABASE_URL=url,
        PNYX_SECRET_KEY=TEST_SECRET,
        PNYX_DATA_DIR=str(folder),
        PNYX_CONFIG=str(folder / "no-such-pnyx.toml"),
        **server.env(SENDER),
    )
    return env


async def _until(condition: Callable[[], Awaitable[bool]], what: str) -> None:
    """Poll ``condition`` until it holds; fail naming ``what`` after WAIT_S."""
    try:
        async with asyncio.timeout(WAIT_S):
            while not await condition():
                await asyncio.sleep(0.02)
    except TimeoutError:
        pytest.fail(f"timed out after {WAIT_S} s waiting for {what}")


async def test_a_killed_worker_loses_nothing_and_repeats_at_most_one_mail(
    database_url: str, tmp_path: Path, slow_smtp: SmtpServer
) -> None:
    db = Database.open(database_url)
    workers: list[WorkerProcess] = []
    try:
        await upgrade(db)
        expected = await _enqueue_all(db)
        env = _env(database_url, tmp_path, slow_smtp)

        async def caught_in_flight() -> bool:
            return slow_smtp.sink.quit_held.is_set()

        async def all_sent() -> bool:
            return all(row.sent_at is not None for row in await _rows(db))

        workers.append(WorkerProcess(env, tmp_path, "first"))
        await _until(caught_in_flight, f"the first worker's QUIT after mail {KILL_AFTER}")
        workers[0].kill()
        in_flight = str(slow_smtp.sink.received[KILL_AFTER - 1]["To"])
        leased = [row for row in await _rows(db) if row.sent_at is None and row.claimed_until is not None]
        assert in_flight in {row.payload["to"] for row in leased}, "the server took it; the worker never marked it"

        workers.append(WorkerProcess(env, tmp_path, "second"))
        await _until(all_sent, "every outbox row to be marked sent")
        assert workers[1].stop() == 0, workers[1].output()
        rows = await _rows(db)
    finally:
        for worker in workers:
            worker.ensure_gone()
        await db.close()
    assert not any("Traceback" in worker.output() for worker in workers), [w.output() for w in workers]
    assert len(rows) == MAILS and all(row.last_error is None for row in rows)
    repeated = _assert_delivered_once_but_the_one_in_flight(slow_smtp, expected)
    assert repeated == [in_flight], "the mail the server took just before the kill went out again"


def _assert_delivered_once_but_the_one_in_flight(server: SmtpServer, expected: dict[str, str]) -> list[str]:
    """Every mail arrived with its row's Message-ID, and at most one twice; the addresses that got two."""
    copies: dict[str, list[str]] = defaultdict(list)
    for message in server.sink.received:
        copies[str(message["To"])].append(str(message["Message-ID"]))
    assert set(copies) == set(expected), "every enqueued mail arrived"
    repeated = {to: ids for to, ids in copies.items() if len(ids) > 1}
    assert sum(len(ids) - 1 for ids in repeated.values()) <= 1, f"more than the one in-flight mail repeated: {repeated}"
    for to, ids in copies.items():
        assert set(ids) == {expected[to]}, f"{to} got a Message-ID other than its row's"
    return sorted(repeated)
