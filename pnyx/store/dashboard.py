"""Queries of the moderators' dashboard (counts per UTC day, the busiest threads) and of a comment's console page.

Days are UTC days on both engines. SQLite keeps timestamps as naive UTC text, so ``date()`` of it is
the UTC day; PostgreSQL keeps ``timestamptz``, which becomes a UTC day only after ``AT TIME ZONE 'UTC'``
(``date()`` alone would use the session's time zone). The constants are SQL literals, not parameters:
PostgreSQL matches a GROUP BY expression to the selected one by text, and two parameters never match.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Date, cast, func, literal_column, select, true
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql import Select

from pnyx.store.tables import comment, report, site, thread

Sites = frozenset[int] | None


@dataclass(frozen=True, slots=True)
class BusyThread:
    """A thread and how many comments it received in the window."""

    id: int
    site_slug: str
    key: str
    url: str | None
    title: str | None
    closed: bool
    received: int
    comment_count: int


def utc_day(conn: AsyncConnection, column: Any) -> ColumnElement[Any]:
    """The UTC calendar day of a timestamp column, as SQL for the connection's engine."""
    if conn.dialect.name == "postgresql":
        return cast(column.op("AT TIME ZONE")(literal_column("'UTC'")), Date)
    return func.date(column)


def _of_sites(sites: Sites) -> ColumnElement[bool]:
    return true() if sites is None else thread.c.site_id.in_(sorted(sites))


def _as_date(value: date | str) -> date:
    # SQLite answers date() with text, PostgreSQL with a date.
    return date.fromisoformat(value) if isinstance(value, str) else value


async def _per_day(conn: AsyncConnection, day: ColumnElement[Any], statement: Select[Any]) -> dict[date, int]:
    rows = await conn.execute(statement.add_columns(day, func.count()).group_by(day))
    return {_as_date(row[0]): int(row[1]) for row in rows}


async def comments_per_day(conn: AsyncConnection, sites: Sites, since: datetime) -> dict[date, int]:
    """Comments received per UTC day since ``since``, whatever became of them (held, rejected, spam)."""
    statement = (
        select()
        .select_from(comment.join(thread, thread.c.id == comment.c.thread_id))
        .where(comment.c.created_at >= since, _of_sites(sites))
    )
    return await _per_day(conn, utc_day(conn, comment.c.created_at), statement)


async def reports_per_day(conn: AsyncConnection, sites: Sites, since: datetime) -> dict[date, int]:
    """Reports filed per UTC day since ``since``."""
    joined = report.join(comment, comment.c.id == report.c.comment_id).join(thread, thread.c.id == comment.c.thread_id)
    statement = select().select_from(joined).where(report.c.created_at >= since, _of_sites(sites))
    return await _per_day(conn, utc_day(conn, report.c.created_at), statement)


async def new_commenters_per_day(conn: AsyncConnection, sites: Sites, since: datetime) -> dict[date, int]:
    """Identities whose first comment on these sites came that UTC day, per day since ``since``."""
    first_at = func.min(comment.c.created_at)
    firsts = (
        select(comment.c.identity_id, first_at.label("first_at"))
        .select_from(comment.join(thread, thread.c.id == comment.c.thread_id))
        .where(comment.c.identity_id.is_not(None), _of_sites(sites))
        .group_by(comment.c.identity_id)
        .having(first_at >= since)
        .subquery()
    )
    return await _per_day(conn, utc_day(conn, firsts.c.first_at), select().select_from(firsts))


async def busiest_threads(conn: AsyncConnection, sites: Sites, since: datetime, limit: int) -> list[BusyThread]:
    """The threads that received the most comments since ``since``, most first."""
    received = func.count(comment.c.id).label("received")
    statement = (
        select(thread, site.c.slug, received)
        .select_from(comment.join(thread, thread.c.id == comment.c.thread_id).join(site, site.c.id == thread.c.site_id))
        .where(comment.c.created_at >= since, _of_sites(sites))
        .group_by(thread.c.id, site.c.slug)
        .order_by(received.desc(), thread.c.id.desc())
        .limit(limit)
    )
    return [
        BusyThread(
            id=row.id,
            site_slug=row.slug,
            key=row.key,
            url=row.url,
            title=row.title,
            closed=row.closed,
            received=int(row.received),
            comment_count=row.comment_count,
        )
        for row in await conn.execute(statement)
    ]
