"""Queries on comments: writing one, and reading a thread page by page without N+1."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, insert, or_, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql import Select

from pnyx.domain.models import BodyFormat, Comment, CommentStatus, Sort
from pnyx.store.tables import comment

VISIBLE = (CommentStatus.APPROVED.value, CommentStatus.DELETED.value)
# What an author still sees of their own unpublished comments: spam looks held to them, so it tells a spammer nothing.
OWN_HELD = (CommentStatus.PENDING.value, CommentStatus.SPAM.value)


def to_comment(row: Any) -> Comment:
    """A comment row as the domain entity."""
    return Comment(
        id=row.id,
        thread_id=row.thread_id,
        parent_id=row.parent_id,
        root_id=row.root_id,
        reply_to_id=row.reply_to_id,
        depth=row.depth,
        identity_id=row.identity_id,
        author_name=row.author_name,
        author_email=row.author_email,
        website=row.website,
        body_source=row.body_source,
        body_format=BodyFormat(row.body_format),
        body_html=row.body_html,
        status=CommentStatus(row.status),
        up=row.up,
        down=row.down,
        pinned=row.pinned,
        featured=row.featured,
        created_at=row.created_at,
        edited_at=row.edited_at,
        anchor_id=row.anchor_id,
        spam_score=row.spam_score,
        held_reason=row.held_reason,
        report_count=row.report_count,
        moderator_note=row.moderator_note,
        shadow=bool(row.shadow),
    )


@dataclass(frozen=True, slots=True)
class NewComment:
    """Everything a new comment row needs; counters start at zero."""

    thread_id: int
    parent_id: int | None
    root_id: int | None
    reply_to_id: int | None
    depth: int
    identity_id: int | None
    author_name: str | None
    author_email: str | None
    website: str | None
    body_source: str
    body_format: BodyFormat
    body_html: str
    status: CommentStatus
    created_at: datetime
    ip_hash: str | None = None
    anchor_id: int | None = None
    # A shadow-banned author's comment: stored like any other, shown to its author alone.
    shadow: bool = False
    spam_score: int | None = None
    held_reason: str | None = None


async def insert_comment(conn: AsyncConnection, new: NewComment) -> Comment:
    """Store a new comment."""
    values = {name: getattr(new, name) for name in NewComment.__slots__}
    values.update(body_format=new.body_format.value, status=new.status.value)
    result = await conn.execute(
        insert(comment).values(**values, up=0, down=0, rank=0, pinned=False, featured=False).returning(comment)
    )
    return to_comment(result.one())


async def get_comment(conn: AsyncConnection, comment_id: int, *, lock: bool = False) -> Comment | None:
    """The comment with this id; ``lock`` takes its row lock until the transaction ends."""
    query = select(comment).where(comment.c.id == comment_id)
    row = (await conn.execute(query.with_for_update(key_share=True) if lock else query)).one_or_none()
    return to_comment(row) if row else None


async def update_comment(conn: AsyncConnection, comment_id: int, **values: Any) -> Comment:
    """Change columns of one comment and return it as stored."""
    result = await conn.execute(update(comment).where(comment.c.id == comment_id).values(**values).returning(comment))
    return to_comment(result.one())


async def move_votes(conn: AsyncConnection, comment_id: int, up: int, down: int) -> tuple[int, int]:
    """Add to a comment's up and down counters; returns the new pair."""
    result = await conn.execute(
        update(comment)
        .where(comment.c.id == comment_id)
        .values(up=comment.c.up + up, down=comment.c.down + down)
        .returning(comment.c.up, comment.c.down)
    )
    new_up, new_down = result.one()
    return int(new_up), int(new_down)


@dataclass(frozen=True, slots=True)
class PageQuery:
    """One page of a thread's top-level comments, after the keyset position ``after``.

    ``anchor_id`` keeps only the comments on that anchor; ``unanchored`` only those on none.
    """

    thread_id: int
    sort: Sort
    limit: int
    after: tuple[Any, int] | None = None
    anchor_id: int | None = None
    unanchored: bool = False


def _sort_columns(sort: Sort) -> tuple[ColumnElement[Any], ColumnElement[Any]]:
    first = comment.c.rank if sort is Sort.BEST else comment.c.created_at
    return first, comment.c.id


def _top_level(page: PageQuery) -> Select[Any]:
    query = _visible_top_level(page.thread_id)
    if page.anchor_id is not None:
        return query.where(comment.c.anchor_id == page.anchor_id)
    return query.where(comment.c.anchor_id.is_(None)) if page.unanchored else query


def _visible_top_level(thread_id: int) -> Select[Any]:
    replies = comment.alias("reply")
    # The thread as a constant: the lookup uses the (thread_id, root_id, ...) index, and a hashed
    # subplan on PostgreSQL reads this thread's replies only, not every comment of every site.
    live_reply = exists().where(
        replies.c.thread_id == thread_id,
        replies.c.root_id == comment.c.id,
        replies.c.status == CommentStatus.APPROVED.value,
        replies.c.shadow.is_(False),
    )
    return select(comment).where(
        comment.c.thread_id == thread_id,
        comment.c.root_id.is_(None),
        # A shadow-banned author's comments reach their author through /me, never the shared page.
        comment.c.shadow.is_(False),
        or_(
            comment.c.status == CommentStatus.APPROVED.value,
            and_(comment.c.status == CommentStatus.DELETED.value, live_reply),
        ),
    )


async def top_level_page(conn: AsyncConnection, page: PageQuery) -> list[Comment]:
    """Up to ``limit + 1`` unpinned top-level comments in sort order (the extra one says a next page exists)."""
    first, second = _sort_columns(page.sort)
    ascending = page.sort is Sort.OLDEST
    query = _top_level(page).where(comment.c.pinned.is_(False))
    if page.after is not None:
        position = tuple_(first, second)
        bound = tuple_(*page.after)
        query = query.where(position > bound if ascending else position < bound)
    # root_id is NULL on every row here; naming it lets PostgreSQL (which does not treat IS NULL as a
    # constant) read the (thread_id, root_id, sort, id) index in order and stop at the limit, without a sort.
    root = comment.c.root_id
    order = (root.asc(), first.asc(), second.asc()) if ascending else (root.desc(), first.desc(), second.desc())
    rows = await conn.execute(query.order_by(*order).limit(page.limit + 1))
    return [to_comment(row) for row in rows]


async def pinned_top_level(conn: AsyncConnection, page: PageQuery) -> list[Comment]:
    """Pinned top-level comments, newest pin first; they head the first page."""
    query = _top_level(page).where(comment.c.pinned.is_(True)).order_by(comment.c.id.desc())
    return [to_comment(row) for row in await conn.execute(query)]


async def replies_of(conn: AsyncConnection, thread_id: int, root_ids: list[int]) -> list[Comment]:
    """Every shown reply under the given top-level comments, in one query."""
    if not root_ids:
        return []
    query = select(comment).where(
        comment.c.thread_id == thread_id,
        comment.c.root_id.in_(root_ids),
        comment.c.status.in_(VISIBLE),
        comment.c.shadow.is_(False),
    )
    return [to_comment(row) for row in await conn.execute(query)]


async def own_recent(conn: AsyncConnection, thread_id: int, identity_id: int, since: datetime) -> list[Comment]:
    """This identity's undeleted comments in a thread written after ``since``."""
    query = select(comment).where(
        comment.c.thread_id == thread_id,
        comment.c.identity_id == identity_id,
        comment.c.created_at >= since,
        comment.c.status != CommentStatus.DELETED.value,
    )
    return [to_comment(row) for row in await conn.execute(query.order_by(comment.c.id))]


async def own_ids(conn: AsyncConnection, thread_id: int, identity_id: int) -> list[int]:
    """Ids of this identity's undeleted comments in a thread."""
    query = select(comment.c.id).where(
        comment.c.thread_id == thread_id,
        comment.c.identity_id == identity_id,
        comment.c.status != CommentStatus.DELETED.value,
    )
    return list((await conn.execute(query.order_by(comment.c.id))).scalars())


async def own_hidden(conn: AsyncConnection, thread_id: int, identity_id: int) -> list[Comment]:
    """This identity's comments in a thread that only its author sees: held, flagged as spam, or shadow."""
    query = select(comment).where(
        comment.c.thread_id == thread_id,
        comment.c.identity_id == identity_id,
        or_(
            comment.c.status.in_(OWN_HELD),
            and_(comment.c.status == CommentStatus.APPROVED.value, comment.c.shadow.is_(True)),
        ),
    )
    return [to_comment(row) for row in await conn.execute(query.order_by(comment.c.created_at, comment.c.id))]


async def count_comments(conn: AsyncConnection) -> int:
    """How many comment rows exist, in any status."""
    return int((await conn.execute(select(func.count()).select_from(comment))).scalar_one())
