"""Queries behind the Atom feeds: a thread's latest comments, and the latest replies to one reader."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from pnyx.domain.models import Comment, CommentStatus
from pnyx.store.comments import to_comment
from pnyx.store.tables import comment, identity, thread


@dataclass(frozen=True, slots=True)
class Reply:
    """An approved reply to one of a reader's comments, with the article it was written under."""

    comment: Comment
    thread_key: str
    thread_url: str | None
    thread_title: str | None


async def latest_in_thread(conn: AsyncConnection, thread_id: int, limit: int) -> list[Comment]:
    """Up to ``limit`` approved comments of a thread, replies included, newest first."""
    query = (
        select(comment)
        .where(
            comment.c.thread_id == thread_id,
            comment.c.status == CommentStatus.APPROVED.value,
            comment.c.shadow.is_(False),
        )
        .order_by(comment.c.created_at.desc(), comment.c.id.desc())
        .limit(limit)
    )
    return [to_comment(row) for row in await conn.execute(query)]


async def latest_replies_to(conn: AsyncConnection, identity_id: int, limit: int) -> list[Reply]:
    """Up to ``limit`` approved replies to this identity's comments, in every thread, newest first.

    The reader's answers to their own comments are left out: nobody needs to be told what they wrote.
    """
    parent = comment.alias("parent")
    query = (
        select(
            comment,
            thread.c.key.label("thread_key"),
            thread.c.url.label("thread_url"),
            thread.c.title.label("thread_title"),
        )
        # From the reader's comments (identity_id index) to the replies to them (reply_to_id index).
        .select_from(parent.join(comment, comment.c.reply_to_id == parent.c.id))
        .join(thread, thread.c.id == comment.c.thread_id)
        .where(
            parent.c.identity_id == identity_id,
            comment.c.status == CommentStatus.APPROVED.value,
            comment.c.shadow.is_(False),
            or_(comment.c.identity_id.is_(None), comment.c.identity_id != identity_id),
        )
        .order_by(comment.c.created_at.desc(), comment.c.id.desc())
        .limit(limit)
    )
    rows = await conn.execute(query)
    return [Reply(to_comment(row), row.thread_key, row.thread_url, row.thread_title) for row in rows]


async def thread_created_at(conn: AsyncConnection, thread_id: int) -> datetime:
    """When the thread was created (the ``updated`` time of its feed before any comment)."""
    created: datetime = (await conn.execute(select(thread.c.created_at).where(thread.c.id == thread_id))).scalar_one()
    return created


async def identity_created_at(conn: AsyncConnection, identity_id: int) -> datetime | None:
    """When the identity was minted; None when there is no such identity."""
    query = select(identity.c.created_at).where(identity.c.id == identity_id)
    created: datetime | None = (await conn.execute(query)).scalar_one_or_none()
    return created
