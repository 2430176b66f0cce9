"""Queries on subscriptions: addresses that asked for mail about a thread or about replies to a comment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from pnyx.store.dialect import insert_or_ignore
from pnyx.store.tables import site, subscription, thread

FOLLOWUPS = "followups"
REPLIES = "replies"


@dataclass(frozen=True, slots=True)
class Subscription:
    """One address's wish for mail about a thread (follow-ups) or about replies to one comment."""

    id: int
    thread_id: int
    comment_id: int | None
    email: str
    kind: str
    confirmed: bool
    identity_id: int | None
    digest: bool = False


@dataclass(frozen=True, slots=True)
class Listed:
    """A subscription as the page managing an address shows it: with its article and site."""

    subscription: Subscription
    site_name: str
    title: str
    url: str | None


def scope_of(comment_id: int | None) -> str:
    """The non-null part of the unique key that tells a thread-wide subscription from one on a comment."""
    return "thread" if comment_id is None else f"comment:{comment_id}"


def _to_subscription(row: Any) -> Subscription:
    return Subscription(
        row.id,
        row.thread_id,
        row.comment_id,
        row.email,
        row.kind,
        bool(row.confirmed),
        row.identity_id,
        bool(row.digest),
    )


async def find_or_add(
    conn: AsyncConnection,
    thread_id: int,
    email: str,
    kind: str,
    comment_id: int | None,
    identity_id: int | None,
    now: datetime,
    digest: bool = False,
) -> Subscription:
    """The subscription with this key, added unconfirmed when it did not exist yet."""
    scope = scope_of(comment_id)
    values = {"thread_id": thread_id, "email": email, "kind": kind, "comment_id": comment_id, "digest": digest}
    await conn.execute(
        insert_or_ignore(
            conn, subscription, **values, scope=scope, identity_id=identity_id, confirmed=False, created_at=now
        )
    )
    key = and_(
        subscription.c.thread_id == thread_id,
        subscription.c.email == email,
        subscription.c.kind == kind,
        subscription.c.scope == scope,
    )
    return _to_subscription((await conn.execute(select(subscription).where(key))).one())


async def get_subscription(conn: AsyncConnection, subscription_id: int) -> Subscription | None:
    """One subscription by id, or None when it was removed."""
    row = (await conn.execute(select(subscription).where(subscription.c.id == subscription_id))).first()
    return _to_subscription(row) if row else None


async def confirm(conn: AsyncConnection, subscription_id: int, now: datetime) -> bool:
    """Mark a subscription confirmed (once); False when it no longer exists."""
    result = await conn.execute(
        update(subscription)
        .where(subscription.c.id == subscription_id, subscription.c.confirmed.is_(False))
        .values(confirmed=True, confirmed_at=now)
    )
    return result.rowcount > 0 or await get_subscription(conn, subscription_id) is not None


async def remove(conn: AsyncConnection, subscription_id: int) -> bool:
    """Delete a subscription; False when it was gone already."""
    result = await conn.execute(delete(subscription).where(subscription.c.id == subscription_id))
    return result.rowcount > 0


async def recipients(conn: AsyncConnection, thread_id: int, parent_id: int | None) -> list[Subscription]:
    """Confirmed subscriptions a new comment in ``thread_id`` (a reply to ``parent_id``, if any) concerns."""
    wanted = subscription.c.kind == FOLLOWUPS
    if parent_id is not None:
        wanted = or_(wanted, and_(subscription.c.kind == REPLIES, subscription.c.comment_id == parent_id))
    statement = (
        select(subscription)
        .where(subscription.c.thread_id == thread_id, subscription.c.confirmed.is_(True), wanted)
        .order_by(subscription.c.id)
    )
    return [_to_subscription(row) for row in await conn.execute(statement)]


async def set_digest(conn: AsyncConnection, subscription_id: int, digest: bool, email: str | None = None) -> bool:
    """Switch a subscription between a mail per comment and digests; with ``email``, only that address's."""
    statement = update(subscription).where(subscription.c.id == subscription_id).values(digest=digest)
    if email is not None:
        statement = statement.where(subscription.c.email == email)
    return (await conn.execute(statement)).rowcount > 0


async def remove_for(conn: AsyncConnection, subscription_id: int, email: str) -> bool:
    """Delete one subscription of ``email``; False when it is not one of that address's."""
    statement = delete(subscription).where(subscription.c.id == subscription_id, subscription.c.email == email)
    return (await conn.execute(statement)).rowcount > 0


async def remove_all(conn: AsyncConnection, email: str) -> int:
    """Delete every subscription of ``email``; how many there were."""
    return int((await conn.execute(delete(subscription).where(subscription.c.email == email))).rowcount)


async def of_address(conn: AsyncConnection, email: str) -> list[Listed]:
    """Every subscription of ``email``, with its article, grouped by site and newest article first."""
    statement = (
        select(subscription, site.c.name.label("site_name"), thread.c.title, thread.c.key, thread.c.url)
        .join(thread, thread.c.id == subscription.c.thread_id)
        .join(site, site.c.id == thread.c.site_id)
        .where(subscription.c.email == email)
        .order_by(site.c.name, subscription.c.thread_id.desc(), subscription.c.id)
    )
    return [
        Listed(_to_subscription(row), row.site_name, row.title or row.key, row.url)
        for row in await conn.execute(statement)
    ]
