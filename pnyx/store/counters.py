"""Recounting every counter from its source rows, for ``pnyx doctor``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

from sqlalchemy import case, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql import Subquery

from pnyx.domain.models import CommentStatus, TargetKind
from pnyx.store.tables import comment, thread, vote


@dataclass(frozen=True, slots=True)
class Recount:
    """A row's stored counters beside the ones its source rows give."""

    table: str
    row_id: int
    stored: dict[str, int]
    actual: dict[str, int]


def _tally(kind: TargetKind) -> Subquery:
    return (
        select(
            vote.c.target_id.label("target_id"),
            func.coalesce(func.sum(case((vote.c.value == 1, 1), else_=0)), 0).label("up"),
            func.coalesce(func.sum(case((vote.c.value == -1, 1), else_=0)), 0).label("down"),
        )
        .where(vote.c.target_kind == kind.value)
        .group_by(vote.c.target_id)
        .subquery()
    )


async def thread_recounts(conn: AsyncConnection) -> AsyncIterator[Recount]:
    """Every thread's comment count and points beside a recount."""
    tally = _tally(TargetKind.THREAD)
    approved = (
        select(comment.c.thread_id, func.count().label("n"))
        .where(comment.c.status == CommentStatus.APPROVED.value, comment.c.shadow.is_(False))
        .group_by(comment.c.thread_id)
        .subquery()
    )
    query = (
        select(
            thread.c.id,
            thread.c.comment_count,
            thread.c.points_up,
            thread.c.points_down,
            func.coalesce(approved.c.n, 0),
            func.coalesce(tally.c.up, 0),
            func.coalesce(tally.c.down, 0),
        )
        .outerjoin(approved, approved.c.thread_id == thread.c.id)
        .outerjoin(tally, tally.c.target_id == thread.c.id)
        .order_by(thread.c.id)
    )
    for row in await conn.execute(query):
        names = ("comment_count", "points_up", "points_down")
        yield Recount(
            "thread", row[0], dict(zip(names, row[1:4], strict=True)), dict(zip(names, row[4:7], strict=True))
        )


async def comment_recounts(conn: AsyncConnection) -> AsyncIterator[Recount]:
    """Every comment with votes or counters: stored up/down/rank beside the vote rows' up/down."""
    tally = _tally(TargetKind.COMMENT)
    query = (
        select(
            comment.c.id,
            comment.c.up,
            comment.c.down,
            comment.c.rank,
            func.coalesce(tally.c.up, 0),
            func.coalesce(tally.c.down, 0),
        )
        .outerjoin(tally, tally.c.target_id == comment.c.id)
        .where((comment.c.up != 0) | (comment.c.down != 0) | (comment.c.rank != 0) | tally.c.target_id.is_not(None))
        .order_by(comment.c.id)
    )
    for row in await conn.execute(query):
        stored = {"up": row[1], "down": row[2], "rank": row[3]}
        yield Recount("comment", row[0], stored, {"up": row[4], "down": row[5]})


async def write_thread_counters(conn: AsyncConnection, thread_id: int, values: dict[str, int]) -> None:
    """Overwrite a thread's counters and grow its version (readers' caches must see the change)."""
    await conn.execute(update(thread).where(thread.c.id == thread_id).values(**values, version=thread.c.version + 1))


async def write_comment_counters(conn: AsyncConnection, comment_id: int, up: int, down: int, rank: int) -> None:
    """Overwrite a comment's vote counters and rank."""
    await conn.execute(update(comment).where(comment.c.id == comment_id).values(up=up, down=down, rank=rank))
