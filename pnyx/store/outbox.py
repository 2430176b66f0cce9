"""Queries on the outbox: messages written in the transaction that causes them, then claimed and sent by workers.

A row is due while ``sent_at`` is null, ``next_attempt_at`` has come and no worker's lease
(``claimed_until``) is running. Claiming sets the lease in a short transaction of its own, so a
worker holds no database lock while it talks to SMTP, and a crashed worker's rows come back
when its lease runs out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from pnyx.store.dialect import conflict_insert, insert_or_ignore
from pnyx.store.tables import outbox


@dataclass(frozen=True, slots=True)
class OutboxRow:
    """One message a worker has claimed."""

    id: int
    kind: str
    payload: dict[str, Any]
    dedupe_key: str
    attempts: int


async def enqueue(
    conn: AsyncConnection,
    kind: str,
    payload: dict[str, Any],
    dedupe_key: str,
    now: datetime,
    not_before: datetime | None = None,
) -> bool:
    """Add a message, due at ``not_before`` (default now), unless one with ``dedupe_key`` exists; False if it did."""
    statement = insert_or_ignore(
        conn,
        outbox,
        kind=kind,
        payload=payload,
        dedupe_key=dedupe_key,
        attempts=0,
        next_attempt_at=not_before or now,
        created_at=now,
    ).returning(outbox.c.id)
    return (await conn.execute(statement)).first() is not None


async def enqueue_many(
    conn: AsyncConnection, kind: str, messages: list[tuple[dict[str, Any], str]], now: datetime
) -> None:
    """Add many ``(payload, dedupe_key)`` messages in one statement, skipping keys that exist already."""
    if not messages:
        return
    rows = [
        {"kind": kind, "payload": payload, "dedupe_key": key, "attempts": 0, "next_attempt_at": now, "created_at": now}
        for payload, key in messages
    ]
    await conn.execute(conflict_insert(conn, outbox).on_conflict_do_nothing(), rows)


def _due(now: datetime) -> Any:
    return and_(
        outbox.c.sent_at.is_(None),
        outbox.c.next_attempt_at <= now,
        or_(outbox.c.claimed_until.is_(None), outbox.c.claimed_until <= now),
    )


async def claim(conn: AsyncConnection, now: datetime, limit: int, lease: timedelta) -> list[OutboxRow]:
    """Lease up to ``limit`` due rows to this worker until ``now + lease``, oldest due first."""
    chosen = select(outbox.c.id).where(_due(now)).order_by(outbox.c.next_attempt_at, outbox.c.id).limit(limit)
    if conn.dialect.name == "postgresql":
        # Rows another worker is claiming right now are skipped, not waited for; SQLite has one writer anyway.
        chosen = chosen.with_for_update(skip_locked=True)
    ids = list((await conn.execute(chosen)).scalars())
    if not ids:
        return []
    claimed = (
        update(outbox)
        .where(outbox.c.id.in_(ids))
        .values(claimed_until=now + lease)
        .returning(outbox.c.id, outbox.c.kind, outbox.c.payload, outbox.c.dedupe_key, outbox.c.attempts)
    )
    rows = [
        OutboxRow(row.id, row.kind, row.payload, row.dedupe_key, row.attempts) for row in await conn.execute(claimed)
    ]
    return sorted(rows, key=lambda row: ids.index(row.id))


async def mark_sent(conn: AsyncConnection, row_id: int, now: datetime) -> None:
    """Record that the message left; it is never claimed again."""
    await conn.execute(update(outbox).where(outbox.c.id == row_id).values(sent_at=now, claimed_until=None))


async def release(conn: AsyncConnection, row_ids: list[int]) -> None:
    """Give claimed rows back unsent, for the next worker to claim at once."""
    if row_ids:
        await conn.execute(
            update(outbox).where(outbox.c.id.in_(row_ids), outbox.c.sent_at.is_(None)).values(claimed_until=None)
        )


async def mark_failed(conn: AsyncConnection, row_id: int, error: str, next_attempt_at: datetime) -> None:
    """Count a failed attempt, keep its error, and release the row until ``next_attempt_at``."""
    await conn.execute(
        update(outbox)
        .where(outbox.c.id == row_id)
        .values(attempts=outbox.c.attempts + 1, last_error=error, next_attempt_at=next_attempt_at, claimed_until=None)
    )


async def defer(conn: AsyncConnection, row_id: int, next_attempt_at: datetime) -> None:
    """Release the row until ``next_attempt_at`` without counting an attempt (a cap, not a failure)."""
    await conn.execute(
        update(outbox).where(outbox.c.id == row_id).values(next_attempt_at=next_attempt_at, claimed_until=None)
    )


async def mail_sent_to(conn: AsyncConnection, address: str, since: datetime) -> tuple[int, datetime | None]:
    """How many mails went to ``address`` since ``since``, and when the earliest of them went."""
    statement = select(func.count(), func.min(outbox.c.sent_at)).where(
        outbox.c.kind == "mail",
        outbox.c.sent_at >= since,
        outbox.c.payload["to"].as_string() == address,
    )
    count, earliest = (await conn.execute(statement)).one()
    return int(count), earliest


async def unclaimed_payload(conn: AsyncConnection, dedupe_key: str) -> tuple[int, dict[str, Any]] | None:
    """The id and payload of the row with ``dedupe_key`` while no worker has claimed or sent it, locked."""
    statement = select(outbox.c.id, outbox.c.payload).where(
        outbox.c.dedupe_key == dedupe_key, outbox.c.sent_at.is_(None), outbox.c.claimed_until.is_(None)
    )
    if conn.dialect.name == "postgresql":
        statement = statement.with_for_update()
    row = (await conn.execute(statement)).first()
    return (row.id, row.payload) if row else None


async def replace_payload(conn: AsyncConnection, row_id: int, payload: dict[str, Any]) -> bool:
    """Replace the payload of a row no worker has claimed yet; False when one claimed it meanwhile."""
    result = await conn.execute(
        update(outbox)
        .where(outbox.c.id == row_id, outbox.c.sent_at.is_(None), outbox.c.claimed_until.is_(None))
        .values(payload=payload)
    )
    return result.rowcount > 0
