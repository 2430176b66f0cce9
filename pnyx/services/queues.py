"""What moderators read: the queues (Pending, Reported, Spam, All) with search, their sizes, and the audit log.

Queues page newest first by keyset (created_at, id), like a thread's pages. Moderators see the author's
e-mail and hashed address here, never who reported a comment: only the reasons and how many gave each.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import get_args

from pnyx.domain.models import Sort
from pnyx.domain.paging import decode_cursor, encode_cursor
from pnyx.domain.text import clean_text
from pnyx.domain.urls import thread_key
from pnyx.errors import Forbidden, Invalid
from pnyx.services.container import Services
from pnyx.services.moderation import Actor, require_site
from pnyx.store import audit as audit_store
from pnyx.store import moderation as store
from pnyx.store import reports as report_store
from pnyx.store.audit import AuditEntry
from pnyx.store.moderation import QueueName

QUEUES: tuple[QueueName, ...] = get_args(QueueName)
SIZED: tuple[QueueName, ...] = ("pending", "reported", "spam")
MAX_PAGE = 100
MAX_FILTER_CHARS = 254
# Cursors reuse the thread pages' encoding: newest first by (created_at, id).
CURSOR_SORT = Sort.NEWEST


@dataclass(frozen=True, slots=True)
class QueueFilter(store.Search):
    """A search within a queue (see ``Search``), on one site of the moderator's (``site_id``) or all of them."""

    site_id: int | None = None


@dataclass(frozen=True, slots=True)
class QueueItem(store.QueueRow):
    """A queue row (the comment with status, held reason, spam score, report count, author; its article and site;
    the author's hashed address) and the reasons of its open reports with their counts."""

    reasons: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class QueuePage:
    """One page of a queue and the cursor of the next (None on the last page)."""

    name: QueueName
    items: list[QueueItem]
    next_cursor: str | None


def _text(value: str | None, name: str) -> str | None:
    text = clean_text(value).strip() if value else ""
    if len(text) > MAX_FILTER_CHARS:
        raise Invalid(f"The {name} to search for is longer than {MAX_FILTER_CHARS} characters.")
    return text or None


def _moment(value: datetime | None, name: str) -> datetime | None:
    if value is not None and value.tzinfo is None:
        raise Invalid(f"The {name} date needs a time zone, like 2025-03-14T00:00:00Z.")
    return value


def _sites(actor: Actor, site_id: int | None) -> frozenset[int] | None:
    if site_id is None:
        return actor.sites
    require_site(actor, site_id, f"Site {site_id}")
    return frozenset({site_id})


def _query(actor: Actor, name: QueueName, filters: QueueFilter, cursor: str | None, limit: int) -> store.QueueQuery:
    if name not in QUEUES:
        raise Invalid(f"There is no queue {name!r}; the queues are {', '.join(QUEUES)}.")
    if not 0 < limit <= MAX_PAGE:
        raise Invalid(f"Ask for 1 to {MAX_PAGE} comments a page.")
    thread = _text(filters.thread, "thread")
    return store.QueueQuery(
        queue=name,
        site_ids=_sites(actor, filters.site_id),
        limit=limit,
        after=decode_cursor(cursor, CURSOR_SORT) if cursor else None,
        search=store.Search(
            text=_text(filters.text, "text"),
            author=_text(filters.author, "author"),
            email=_text(filters.email, "e-mail"),
            ip_hash=_text(filters.ip_hash, "IP hash"),
            thread=thread_key(thread) if thread else None,
            since=_moment(filters.since, "since"),
            until=_moment(filters.until, "until"),
        ),
    )


def item_of(row: store.QueueRow, reasons: dict[int, dict[str, int]]) -> QueueItem:
    """A queue row as a moderator sees it, with its open reports' reasons (from ``reasons`` by comment id)."""
    columns = {column.name: getattr(row, column.name) for column in fields(row)}
    return QueueItem(**columns, reasons=reasons.get(row.comment.id, {}))


async def queue(
    services: Services, actor: Actor, name: QueueName, filters: QueueFilter, cursor: str | None, limit: int
) -> QueuePage:
    """One page of a queue over the actor's sites (or the filter's one site), newest first."""
    query = _query(actor, name, filters, cursor, limit)
    async with services.db.read() as conn:
        rows = await store.queue_page(conn, query)
        rows, more = rows[:limit], len(rows) > limit
        reasons = await report_store.open_reasons(conn, [row.comment.id for row in rows])
    items = [item_of(row, reasons) for row in rows]
    last = rows[-1].comment if rows else None
    next_cursor = encode_cursor(CURSOR_SORT, (last.created_at, last.id)) if more and last else None
    return QueuePage(name, items, next_cursor)


async def queue_sizes(services: Services, actor: Actor, site_id: int | None = None) -> dict[str, int]:
    """How many comments wait in the Pending, Reported and Spam queues of the actor's sites (or one site)."""
    sites = _sites(actor, site_id)
    async with services.db.read() as conn:
        return {name: await store.queue_size(conn, name, sites) for name in SIZED}


@dataclass(frozen=True, slots=True)
class AuditPage:
    """One page of the audit log, newest first, and the cursor of the next."""

    entries: list[AuditEntry]
    next_cursor: str | None


async def audit_log(
    services: Services, actor: Actor, cursor: str | None, limit: int, site_id: int | None = None
) -> AuditPage:
    """The audit log, newest first, of every site or one; admins only."""
    if not actor.admin:
        raise Forbidden("Only administrators may read the audit log.")
    if not 0 < limit <= MAX_PAGE:
        raise Invalid(f"Ask for 1 to {MAX_PAGE} entries a page.")
    after = decode_cursor(cursor, CURSOR_SORT) if cursor else None
    async with services.db.read() as conn:
        entries = await audit_store.audit_page(conn, site_id=site_id, after=after, limit=limit)
    more, entries = len(entries) > limit, entries[:limit]
    last = entries[-1] if entries else None
    next_cursor = encode_cursor(CURSOR_SORT, (last.created_at, last.id)) if more and last else None
    return AuditPage(entries, next_cursor)
