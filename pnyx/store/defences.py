"""Queries the defences of a new comment need: when an article's comments began, and a reader's history."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import exists, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from pnyx.domain.models import CommentStatus
from pnyx.store.tables import comment, thread


async def first_comment_at(conn: AsyncConnection, thread_id: int) -> datetime | None:
    """When the thread's earliest comment was written, whatever became of it; None before any comment."""
    # The earliest comment is top-level (a reply follows its parent): the (thread, root, created) index serves it.
    query = select(func.min(comment.c.created_at)).where(comment.c.thread_id == thread_id, comment.c.root_id.is_(None))
    value: datetime | None = (await conn.execute(query)).scalar_one_or_none()
    return value


async def has_approved_comment(conn: AsyncConnection, site_id: int, identity_id: int) -> bool:
    """Whether this identity has a published comment anywhere on the site."""
    query = select(
        exists().where(
            comment.c.identity_id == identity_id,
            comment.c.status == CommentStatus.APPROVED.value,
            thread.c.id == comment.c.thread_id,
            thread.c.site_id == site_id,
        )
    )
    return bool((await conn.execute(query)).scalar())
