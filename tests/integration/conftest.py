"""Fixtures of the mail tests: a real SMTP server on loopback, the app's services, and a worker sending to it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from sqlalchemy import delete

from pnyx.jobs.worker import Worker
from pnyx.services.container import Services
from pnyx.store import tables
from tests.conftest import FakeClock
from tests.integration.mail_support import SENDER
from tests.integration.smtp_support import SmtpServer


@pytest.fixture
def mail_server() -> Iterator[SmtpServer]:
    """aiosmtpd listening on loopback for the whole test."""
    server = SmtpServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
async def services(app: FastAPI) -> Services:
    """The app's services, with an empty outbox (the test databases live for the whole run)."""
    found: Services = app.state.services
    async with found.db.write() as conn:
        await conn.execute(delete(tables.outbox))
    return found


@pytest.fixture
def worker(services: Services, mail_server: SmtpServer, clock: FakeClock) -> Worker:
    """A worker on the app's database that delivers to ``mail_server``."""
    return Worker(services.db, mail_server.mailer(), clock, sender=SENDER)
