"""The outbox worker: claims due rows, delivers them (mail, webhooks), and records each outcome.

Delivery is at least once: a worker killed between sending a mail and marking it sent sends it
again when its lease runs out, with the same Message-ID, so receivers drop the repeat (a webhook
repeats its X-Pnyx-Delivery id the same way).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from datetime import datetime, timedelta

from pnyx.domain.outbox import MAIL
from pnyx.domain.webhooks import WEBHOOK
from pnyx.jobs.mail import Mailer, build_message, mailer_from_settings
from pnyx.jobs.webhooks import WebhookSender
from pnyx.services.container import Clock, Services, utc_now
from pnyx.store import outbox
from pnyx.store.engine import Database
from pnyx.store.outbox import OutboxRow

log = logging.getLogger("pnyx.jobs")
BATCH = 50
# Longer than any SMTP exchange (timeout 30 s): a lease that ran out mid-send would let a second worker send too.
LEASE = timedelta(minutes=5)
POLL_INTERVAL_S = 1.0
FIRST_RETRY_S = 30.0
LONGEST_RETRY_S = 3600.0
HOURLY_CAP = 20
MAX_ERROR_CHARS = 2000


def backoff(attempts: int) -> timedelta:
    """The wait before the next try after ``attempts`` earlier failures: doubling from 30 s, at most an hour."""
    delay = min(FIRST_RETRY_S * 2 ** min(attempts, 20), LONGEST_RETRY_S)
    # Jitter, so rows that failed together (SMTP down) do not all come back in the same second.
    return timedelta(seconds=delay * random.uniform(1.0, 1.1))


class Worker:
    """Delivers the outbox of one database through one mailer and one webhook sender."""

    def __init__(
        self,
        db: Database,
        mailer: Mailer,
        clock: Clock = utc_now,
        *,
        sender: str = "pnyx@localhost",
        batch: int = BATCH,
        lease: timedelta = LEASE,
        poll_interval: float = POLL_INTERVAL_S,
        hourly_cap: int = HOURLY_CAP,
        webhooks: WebhookSender | None = None,
    ) -> None:
        self.db, self.mailer, self.clock, self.sender = db, mailer, clock, sender
        self.webhooks = webhooks or WebhookSender()
        self.batch, self.lease, self.poll_interval, self.hourly_cap = batch, lease, poll_interval, hourly_cap

    @classmethod
    def from_services(cls, services: Services, *, lease: timedelta = LEASE) -> Worker:
        """A worker on the services' database, sending as the settings say."""
        settings = services.settings
        webhooks = WebhookSender(allow_private=settings.webhook_private_targets)
        mailer = mailer_from_settings(settings)
        return cls(services.db, mailer, services.clock, sender=settings.mail_from, webhooks=webhooks, lease=lease)

    async def run_once(self, stop: asyncio.Event | None = None) -> int:
        """Claim one batch of due rows and deliver each until ``stop`` is set; the number of rows claimed."""
        async with self.db.write() as conn:
            rows = await outbox.claim(conn, self.clock(), self.batch, self.lease)
        for index, row in enumerate(rows):
            if stop is not None and stop.is_set():
                # Shutting down: hand the rest back now rather than when the lease runs out.
                async with self.db.write() as conn:
                    await outbox.release(conn, [left.id for left in rows[index:]])
                break
            await self._deliver(row)
        return len(rows)

    async def run_forever(self, stop: asyncio.Event) -> None:
        """Deliver until ``stop`` is set, polling while the outbox is empty."""
        while not stop.is_set():
            try:
                claimed = await self.run_once(stop)
            except Exception:
                # The database may be away for a moment (restart, failover): keep the worker alive and retry.
                log.exception("outbox worker: claiming failed")
                claimed = 0
            if claimed < self.batch:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self.poll_interval)

    async def _deliver(self, row: OutboxRow) -> None:
        try:
            if not await self._send(row):
                return
        except Exception as exc:
            # One bad message or an SMTP outage must not stop the rest: record it and retry later.
            await self._failed(row, exc)
            return
        async with self.db.write() as conn:
            await outbox.mark_sent(conn, row.id, self.clock())

    async def _send(self, row: OutboxRow) -> bool:
        """Deliver one row by its kind, or raise; False when a mail was held back by the hourly cap."""
        if row.kind == WEBHOOK:
            # A hook removed since the event returns without posting: the row is done all the same.
            await self.webhooks.deliver(self.db, row.payload, self.clock())
            return True
        if row.kind != MAIL:
            raise ValueError(f"unknown outbox kind {row.kind!r}")
        if await self._defer_over_cap(row):
            return False
        await self.mailer.send(build_message(row.payload, self.sender, self.clock()))
        return True

    async def _failed(self, row: OutboxRow, exc: Exception) -> None:
        error = f"{type(exc).__name__}: {exc}"[:MAX_ERROR_CHARS]
        log.warning("outbox row %s failed (attempt %s): %s", row.id, row.attempts + 1, error)
        async with self.db.write() as conn:
            await outbox.mark_failed(conn, row.id, error, self.clock() + backoff(row.attempts))

    async def _defer_over_cap(self, row: OutboxRow) -> bool:
        """Hold a mail back when its address had ``hourly_cap`` mails in the last hour; True if held."""
        now = self.clock()
        async with self.db.read() as conn:
            count, earliest = await outbox.mail_sent_to(conn, row.payload["to"], now - timedelta(hours=1))
        if count < self.hourly_cap:
            return False
        retry_at: datetime = (earliest or now) + timedelta(hours=1)
        async with self.db.write() as conn:
            await outbox.defer(conn, row.id, retry_at)
        return True
