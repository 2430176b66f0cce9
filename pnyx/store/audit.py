"""The audit log: one row per thing a moderator or the console did, kept after the account is gone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, tuple_
from sqlalchemy.ext.asyncio import AsyncConnection

from pnyx.store.tables import audit


async def write_audit(
    conn: AsyncConnection,
    *,
    site_id: int | None,
    moderator_id: int | None,
    actor: str,
    action: str,
    target_kind: str,
    target_id: str | int,
    reason: str | None = None,
    detail: dict[str, Any] | None = None,
    now: datetime,
) -> None:
    """Append one row to the audit log, in the caller's transaction."""
    await conn.execute(
        insert(audit).values(
            site_id=site_id,
            moderator_id=moderator_id,
            actor=actor,
            action=action,
            target_kind=target_kind,
            target_id=str(target_id),
            reason=reason,
            detail=detail,
            created_at=now,
        )
    )


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One row of the audit log as admins read it."""

    id: int
    site_id: int | None
    moderator_id: int | None
    actor: str
    action: str
    target_kind: str
    target_id: str
    reason: str | None
    detail: dict[str, Any] | None
    created_at: datetime


async def audit_page(
    conn: AsyncConnection, *, site_id: int | None, after: tuple[datetime, int] | None, limit: int
) -> list[AuditEntry]:
    """Up to ``limit + 1`` audit rows, newest first, of one site or all (the extra one says a next page exists)."""
    query = select(audit)
    if site_id is not None:
        query = query.where(audit.c.site_id == site_id)
    if after is not None:
        query = query.where(tuple_(audit.c.created_at, audit.c.id) < tuple_(*after))
    query = query.order_by(audit.c.created_at.desc(), audit.c.id.desc()).limit(limit + 1)
    return [
        AuditEntry(
            id=row.id,
            site_id=row.site_id,
            moderator_id=row.moderator_id,
            actor=row.actor,
            action=row.action,
            target_kind=row.target_kind,
            target_id=row.target_id,
            reason=row.reason,
            detail=row.detail,
            created_at=row.created_at,
        )
        for row in await conn.execute(query)
    ]
