"""Queries on votes: one row per (target, identity), changed in place, never doubled."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from pnyx.domain.models import TargetKind
from pnyx.store.dialect import conflict_insert
from pnyx.store.tables import comment, vote


async def current_vote(conn: AsyncConnection, kind: TargetKind, target_id: int, identity_id: int) -> int:
    """The identity's vote on the target: 1, -1, or 0 when none or withdrawn."""
    query = select(vote.c.value).where(
        vote.c.target_kind == kind.value, vote.c.target_id == target_id, vote.c.identity_id == identity_id
    )
    value = (await conn.execute(query)).scalar_one_or_none()
    return int(value or 0)


async def put_vote(
    conn: AsyncConnection, kind: TargetKind, target_id: int, identity_id: int, value: int, now: datetime
) -> None:
    """Record the identity's vote on the target, replacing any earlier one."""
    statement = conflict_insert(conn, vote).values(
        target_kind=kind.value, target_id=target_id, identity_id=identity_id, value=value, updated_at=now
    )
    await conn.execute(
        statement.on_conflict_do_update(
            index_elements=[vote.c.target_kind, vote.c.target_id, vote.c.identity_id],
            set_={"value": value, "updated_at": now},
        )
    )


async def comment_votes_in_thread(conn: AsyncConnection, thread_id: int, identity_id: int) -> dict[int, int]:
    """This identity's standing votes on comments of one thread, by comment id."""
    query = (
        select(vote.c.target_id, vote.c.value)
        .join(comment, comment.c.id == vote.c.target_id)
        .where(
            vote.c.target_kind == TargetKind.COMMENT.value,
            vote.c.identity_id == identity_id,
            vote.c.value != 0,
            comment.c.thread_id == thread_id,
        )
    )
    return {int(target): int(value) for target, value in await conn.execute(query)}
