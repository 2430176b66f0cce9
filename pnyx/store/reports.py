"""Queries on reports: readers flagging comments, the distinct-reporter count, and what the Reported queue shows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from pnyx.domain.models import ReportReason
from pnyx.store.dialect import conflict_insert
from pnyx.store.tables import comment, report


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


async def add_reporter(conn: AsyncConnection, comment_id: int) -> int:
    """Count one more distinct reporter on a comment (in the report's transaction); the new count."""
    result = await conn.execute(
        update(comment)
        .where(comment.c.id == comment_id)
        .values(report_count=comment.c.report_count + 1)
        .returning(comment.c.report_count)
    )
    return int(result.scalar_one())


async def resolve_reports(conn: AsyncConnection, comment_ids: Sequence[int]) -> int:
    """Close the open reports on these comments after a moderator's review (callers zero ``report_count``)."""
    if not comment_ids:
        return 0
    result = await conn.execute(
        update(report)
        .where(report.c.comment_id.in_(list(comment_ids)), report.c.resolved.is_(False))
        .values(resolved=True)
    )
    return int(result.rowcount)


async def open_reasons(conn: AsyncConnection, comment_ids: Sequence[int]) -> dict[int, dict[str, int]]:
    """The open reports' reasons with their counts, by comment; who reported is never part of it."""
    if not comment_ids:
        return {}
    query = (
        select(report.c.comment_id, report.c.reason, func.count())
        .where(report.c.comment_id.in_(list(comment_ids)), report.c.resolved.is_(False))
        .group_by(report.c.comment_id, report.c.reason)
    )
    found: dict[int, dict[str, int]] = {}
    for comment_id, reason, count in await conn.execute(query):
        found.setdefault(int(comment_id), {})[str(reason)] = int(count)
    return found
