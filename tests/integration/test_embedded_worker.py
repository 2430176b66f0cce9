"""The outbox worker inside the app: ``worker = "embedded"`` delivers mail with no ``pnyx worker`` running.

``mail_server`` (aiosmtpd on loopback) comes from this folder's conftest.py.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from sqlalchemy import delete, select

import pnyx.web.app
from pnyx.config import Settings
from pnyx.domain.outbox import MAIL, mail_payload, message_id
from pnyx.jobs.worker import Worker
from pnyx.services.container import Services
from pnyx.store import outbox, tables
from pnyx.store.engine import Database
from pnyx.web.app import create_app
from tests.integration.smtp_support import SmtpServer

SENDER = "news@pnyx.test"
WAIT_S = 10
WORKER_TASK = "pnyx-outbox-worker"


def _embedded(settings: Settings, server: SmtpServer) -> Settings:
    smtp = {"smtp_host": "127.0.0.1", "smtp_port": server.port, "smtp_tls": "none", "mail_from": SENDER}
    return settings.model_copy(update={"worker": "embedded", **smtp})


def _worker_tasks() -> list[asyncio.Task[Any]]:
    return [task for task in asyncio.all_tasks() if task.get_name() == WORKER_TASK and not task.done()]


async def _enqueue(services: Services, key: str) -> None:
    payload = mail_payload(
        to="reader@example.org",
        subject="New reply",
        text="Someone answered you.",
        html="<p>Someone answered you.</p>",
        dedupe_key=key,
        host="pnyx.test",
    )
    async with services.db.write() as conn:
        # The test databases live for the whole run: this test's mail is the only one.
        await conn.execute(delete(tables.outbox))
        await outbox.enqueue(conn, MAIL, payload, key, services.clock())


async def _sent_at(services: Services, key: str) -> Any:
    async with services.db.read() as conn:
        statement = select(tables.outbox.c.sent_at).where(tables.outbox.c.dedupe_key == key)
        return (await conn.execute(statement)).scalar_one()


async def test_the_app_delivers_the_outbox_itself_and_stops_quickly(
    settings: Settings, mail_server: SmtpServer
) -> None:
    app: FastAPI = create_app(_embedded(settings, mail_server))
    manager = LifespanManager(app)
    await manager.__aenter__()
    try:
        assert len(_worker_tasks()) == 1
        services: Services = app.state.services
        await _enqueue(services, "embedded:1")
        async with asyncio.timeout(WAIT_S):
            while await _sent_at(services, "embedded:1") is None:
                await asyncio.sleep(0.05)
    finally:
        started = time.monotonic()
        await manager.__aexit__(None, None, None)
    assert time.monotonic() - started < 2, "an idle worker stops at once"
    assert _worker_tasks() == []
    # Rows other tests left due in the shared database may go out too; this test's mail is the one that counts.
    [message] = [m for m in mail_server.sink.received if m["Message-ID"] == message_id("embedded:1", "pnyx.test")]
    assert message["From"] == SENDER and message["To"] == "reader@example.org"
    assert message.get_body(("plain",)) is not None and message.get_body(("html",)) is not None


async def test_an_external_worker_setting_starts_none(settings: Settings) -> None:
    assert settings.worker == "external"
    async with LifespanManager(create_app(settings)):
        assert _worker_tasks() == []


async def test_without_smtp_only_the_demo_runs_one(settings: Settings) -> None:
    """Without SMTP the mailer only logs: outside the demo that would count unsent mail as sent."""
    async with LifespanManager(create_app(settings.model_copy(update={"worker": "embedded"}))):
        assert _worker_tasks() == []
    demo = settings.model_copy(update={"worker": "embedded", "demo": True})
    async with LifespanManager(create_app(demo)):
        assert len(_worker_tasks()) == 1


async def test_a_stopping_worker_hands_back_the_rest_of_its_batch(settings: Settings, mail_server: SmtpServer) -> None:
    app: FastAPI = create_app(settings)
    async with LifespanManager(app):
        services: Services = app.state.services
        for n in range(3):
            await _enqueue_more(services, f"handback:{n}")
        stop = asyncio.Event()
        stop.set()
        worker = Worker(services.db, mail_server.mailer(), services.clock, sender=SENDER)
        assert await worker.run_once(stop) == 3
        async with services.db.read() as conn:
            statement = select(tables.outbox.c.claimed_until, tables.outbox.c.sent_at)
            rows = (await conn.execute(statement)).all()
        assert rows and all(row.claimed_until is None and row.sent_at is None for row in rows)
        assert await worker.run_once() == 3, "the next worker claims them at once"


async def _enqueue_more(services: Services, key: str) -> None:
    payload = mail_payload(to="r@example.org", subject="s", text="t", dedupe_key=key, host="pnyx.test")
    async with services.db.write() as conn:
        if key.endswith(":0"):
            await conn.execute(delete(tables.outbox))
        await outbox.enqueue(conn, MAIL, payload, key, services.clock())


async def test_shutdown_cancels_a_worker_stuck_in_smtp_and_the_mail_stays_due(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pnyx.web.app, "WORKER_STOP_TIMEOUT_S", 0.5)
    stuck = SmtpServer(delay=30)
    stuck.start()
    try:
        app: FastAPI = create_app(_embedded(settings, stuck))
        manager = LifespanManager(app)
        await manager.__aenter__()
        try:
            services: Services = app.state.services
            await _enqueue(services, "embedded:stuck")
            async with asyncio.timeout(WAIT_S):
                while not await _claimed(services, "embedded:stuck"):
                    await asyncio.sleep(0.05)
        finally:
            started = time.monotonic()
            await manager.__aexit__(None, None, None)
        assert time.monotonic() - started < 3, "shutdown waits for the worker only a bounded time"
        assert _worker_tasks() == []
    finally:
        stuck.stop()
    assert stuck.sink.received == []
    db = Database.open(settings.database_url)
    try:
        async with db.read() as conn:
            row = (
                await conn.execute(select(tables.outbox).where(tables.outbox.c.dedupe_key == "embedded:stuck"))
            ).one()
    finally:
        await db.close()
    assert row.sent_at is None and row.claimed_until is not None, "sent again once its lease runs out"


async def _claimed(services: Services, key: str) -> bool:
    async with services.db.read() as conn:
        statement = select(tables.outbox.c.claimed_until).where(tables.outbox.c.dedupe_key == key)
        return (await conn.execute(statement)).scalar_one() is not None
