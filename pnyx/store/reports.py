"""Queries on reports: readers flagging comments for the moderators."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from pnyx.domain.models import ReportReason
from pnyx.store.dialect import conflict_insert
from pnyx.store.tables import report


@dataclass(frozen=True, slots=True)
class NewReport:
    """One reader's report on one comment."""

    comment_id: int
    identity_id: int
    reason: ReportReason
    detail: str | None
    ip_hash: str | None
    created_at: datetime


async def insert_report(conn: AsyncConnection, new: NewReport) -> bool:
    """Store a report; False when this reader had already reported the comment."""
    statement = (
        conflict_insert(conn, report)
        .values(
            comment_id=new.comment_id,
            identity_id=new.identity_id,
            reason=new.reason.value,
            detail=new.detail,
            ip_hash=new.ip_hash,
            created_at=new.created_at,
            resolved=False,
        )
        .on_conflict_do_nothing()
        .returning(report.c.id)
    )
    return (await conn.execute(statement)).first() is not None
