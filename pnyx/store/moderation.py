"""Queries of moderation: the comments an action targets, the queues and their sizes, shadow flags, closing threads."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import ColumnElement, and_, func, or_, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql import Select

from pnyx.domain.models import Comment, CommentStatus
from pnyx.store.comments import to_comment
from pnyx.store.engine import SQLITE_LOWER
from pnyx.store.tables import comment, identity, report, site, thread, thread_alias

QueueName = Literal["pending", "reported", "spam", "all"]
# Why a comment hidden by its readers' reports waits: the Reported queue, not the Pending one, shows it.
HELD_BY_REPORTS = "reports"
# Statuses whose reports still wait for a moderator: a rejected, spam or deleted comment has been dealt with.
REVIEWABLE = (CommentStatus.APPROVED.value, CommentStatus.PENDING.value)


@dataclass(frozen=True, slots=True)
class Target:
    """A comment an action is about, with its thread's site and the author's hashed address."""

    comment: Comment
    site_id: int
    ip_hash: str | None


def _target(row: Any) -> Target:
    return Target(to_comment(row), row.site_id, row.ip_hash)


async def lock_targets(conn: AsyncConnection, comment_ids: Sequence[int]) -> list[Target]:
    """The comments with these ids, row-locked in id order (a fixed order: two bulk actions cannot deadlock)."""
    query = (
        select(comment, thread.c.site_id.label("site_id"))
        .join(thread, thread.c.id == comment.c.thread_id)
        .where(comment.c.id.in_(list(comment_ids)))
        .order_by(comment.c.id)
        .with_for_update(of=comment, key_share=True)
    )
    return [_target(row) for row in await conn.execute(query)]


async def comments_by_author(
    conn: AsyncConnection, kind: str, value: str, site_ids: Iterable[int] | None, statuses: Sequence[str]
) -> list[Target]:
    """Comments of one author (by identity id, e-mail or IP hash) in these sites (None: all) and statuses, locked."""
    column = {
        "identity": comment.c.identity_id,
        "email": func.lower(comment.c.author_email),
        "ip_hash": comment.c.ip_hash,
    }
    match = column[kind] == (int(value) if kind == "identity" else value)
    query = (
        select(comment, thread.c.site_id.label("site_id"))
        .join(thread, thread.c.id == comment.c.thread_id)
        .where(match, comment.c.status.in_(statuses))
        .order_by(comment.c.id)
        .with_for_update(of=comment, key_share=True)
    )
    if site_ids is not None:
        query = query.where(thread.c.site_id.in_(list(site_ids)))
    return [_target(row) for row in await conn.execute(query)]


async def set_shadowbanned(conn: AsyncConnection, identity_id: int, flag: bool) -> bool:
    """Set an identity's shadow-ban flag; False when it already had that value."""
    result = await conn.execute(
        update(identity)
        .where(identity.c.id == identity_id, identity.c.shadowbanned != flag)
        .values(shadowbanned=flag)
        .returning(identity.c.id)
    )
    return result.first() is not None


async def set_shadow(conn: AsyncConnection, identity_id: int, flag: bool) -> list[Comment]:
    """Mark every comment of an identity shadow (or not); the comments that changed, as they were before."""
    changed = select(comment.c.id).where(comment.c.identity_id == identity_id, comment.c.shadow != flag)
    before = [to_comment(row) for row in await conn.execute(select(comment).where(comment.c.id.in_(changed)))]
    if before:
        ids = [item.id for item in before]
        await conn.execute(update(comment).where(comment.c.id.in_(ids)).values(shadow=flag))
    return before


async def set_closed(conn: AsyncConnection, thread_id: int, closed: bool) -> int | None:
    """Close or reopen a thread, growing its version; the new version, or None when it already was."""
    result = await conn.execute(
        update(thread)
        .where(thread.c.id == thread_id, thread.c.closed != closed)
        .values(closed=closed, version=thread.c.version + 1)
        .returning(thread.c.version)
    )
    version = result.scalar_one_or_none()
    return None if version is None else int(version)


@dataclass(frozen=True, slots=True)
class Search:
    """A search within a queue: every given field must match. Text, author and e-mail match case-insensitive
    substrings, ``ip_hash`` exactly, ``thread`` a canonical thread key or URL; ``since`` inclusive, ``until``
    exclusive."""

    text: str | None = None
    author: str | None = None
    email: str | None = None
    ip_hash: str | None = None
    thread: str | None = None
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True, slots=True)
class QueueQuery:
    """One page of a moderation queue, newest first, after the keyset position ``after``; ``site_ids`` None
    means every site."""

    queue: QueueName
    site_ids: frozenset[int] | None
    limit: int
    after: tuple[datetime, int] | None = None
    search: Search = Search()


@dataclass(frozen=True, slots=True)
class QueueRow:
    """A comment in a queue with what a moderator needs around it."""

    comment: Comment
    ip_hash: str | None
    site_id: int
    site_slug: str
    thread_key: str
    thread_url: str | None
    thread_title: str | None
    thread_closed: bool


def _open_reports() -> Select[Any]:
    return select(report.c.comment_id).where(report.c.resolved.is_(False))


def _queue_condition(name: QueueName) -> ColumnElement[bool] | None:
    if name == "pending":
        held = or_(comment.c.held_reason.is_(None), comment.c.held_reason != HELD_BY_REPORTS)
        return and_(comment.c.status == CommentStatus.PENDING.value, held)
    if name == "spam":
        return comment.c.status == CommentStatus.SPAM.value
    if name == "reported":
        return and_(comment.c.status.in_(REVIEWABLE), comment.c.id.in_(_open_reports()))
    return None


def _contains(column: ColumnElement[Any], needle: str, sqlite: bool) -> ColumnElement[bool]:
    # Both sides lower-cased the same way, Unicode included (PostgreSQL's lower() follows the database's ctype).
    lowered = getattr(func, SQLITE_LOWER)(column) if sqlite else func.lower(column)
    return lowered.contains(needle.lower(), autoescape=True)


def _filters(query: QueueQuery, sqlite: bool) -> list[ColumnElement[bool]]:
    found: list[ColumnElement[bool]] = []
    if query.site_ids is not None:
        found.append(thread.c.site_id.in_(sorted(query.site_ids)))
    wanted = query.search
    for column, needle in (
        (comment.c.body_source, wanted.text),
        (comment.c.author_name, wanted.author),
        (comment.c.author_email, wanted.email),
    ):
        if needle:
            found.append(_contains(column, needle, sqlite))
    if wanted.ip_hash:
        found.append(comment.c.ip_hash == wanted.ip_hash)
    if wanted.thread:
        aliased = select(thread_alias.c.thread_id).where(thread_alias.c.url == wanted.thread)
        found.append(or_(thread.c.key == wanted.thread, thread.c.url == wanted.thread, thread.c.id.in_(aliased)))
    if wanted.since is not None:
        found.append(comment.c.created_at >= wanted.since)
    if wanted.until is not None:
        found.append(comment.c.created_at < wanted.until)
    return found


def _queue_select(conn: AsyncConnection, query: QueueQuery, *columns: Any) -> Select[Any]:
    condition = _queue_condition(query.queue)
    conditions = [*_filters(query, conn.dialect.name == "sqlite"), *([condition] if condition is not None else [])]
    return select(*columns).select_from(comment.join(thread, thread.c.id == comment.c.thread_id)).where(*conditions)


# A queue row's comment with its thread and site, as every console list and page shows it.
_ROW_COLUMNS = (
    comment,
    thread.c.site_id.label("site_id"),
    site.c.slug.label("site_slug"),
    thread.c.key.label("thread_key"),
    thread.c.url.label("thread_url"),
    thread.c.title.label("thread_title"),
    thread.c.closed.label("thread_closed"),
)


def _to_row(row: Any) -> QueueRow:
    return QueueRow(
        to_comment(row),
        row.ip_hash,
        row.site_id,
        row.site_slug,
        row.thread_key,
        row.thread_url,
        row.thread_title,
        bool(row.thread_closed),
    )


async def queue_page(conn: AsyncConnection, query: QueueQuery) -> list[QueueRow]:
    """Up to ``limit + 1`` comments of a queue, newest first (the extra one says a next page exists)."""
    statement = _queue_select(conn, query, *_ROW_COLUMNS).join(site, site.c.id == thread.c.site_id)
    if query.after is not None:
        statement = statement.where(tuple_(comment.c.created_at, comment.c.id) < tuple_(*query.after))
    statement = statement.order_by(comment.c.created_at.desc(), comment.c.id.desc()).limit(query.limit + 1)
    return [_to_row(row) for row in await conn.execute(statement)]


async def review_row(conn: AsyncConnection, comment_id: int) -> QueueRow | None:
    """One comment as a queue shows it (thread, site, the author's hashed address), for its own console page."""
    statement = (
        select(*_ROW_COLUMNS)
        .select_from(comment.join(thread, thread.c.id == comment.c.thread_id).join(site, site.c.id == thread.c.site_id))
        .where(comment.c.id == comment_id)
    )
    row = (await conn.execute(statement)).one_or_none()
    return _to_row(row) if row else None


async def queue_size(conn: AsyncConnection, name: QueueName, site_ids: frozenset[int] | None) -> int:
    """How many comments wait in a queue of these sites (None: every site)."""
    statement = _queue_select(conn, QueueQuery(name, site_ids, 0), func.count())
    return int((await conn.execute(statement)).scalar_one())
