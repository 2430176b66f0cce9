"""Queries on bans: add or renew one, lift one, and find the ban that stops a write."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncConnection

from pnyx.domain.bans import Ban, ban_kind
from pnyx.store.dialect import conflict_insert
from pnyx.store.tables import ban


def _to_ban(row: Any) -> Ban:
    return Ban(
        id=row.id,
        site_id=row.site_id,
        kind=ban_kind(row.kind),
        value=row.value,
        scope=row.scope,
        reason=row.reason,
        moderator_id=row.moderator_id,
        created_at=row.created_at,
        expires_at=row.expires_at,
    )


@dataclass(frozen=True, slots=True)
class NewBan:
    """A ban to store; ``scope`` follows ``site_id`` (see pnyx.domain.bans.scope_of)."""

    kind: str
    value: str
    scope: str
    site_id: int | None
    reason: str | None
    moderator_id: int | None
    created_at: datetime
    expires_at: datetime | None


async def upsert_ban(conn: AsyncConnection, new: NewBan) -> Ban:
    """Store a ban; the same kind, value and scope again replaces its reason, moderator, times and expiry."""
    values = {name: getattr(new, name) for name in NewBan.__slots__}
    statement = conflict_insert(conn, ban).values(**values)
    changed = {name: values[name] for name in ("reason", "moderator_id", "created_at", "expires_at")}
    result = await conn.execute(
        statement.on_conflict_do_update(index_elements=[ban.c.kind, ban.c.value, ban.c.scope], set_=changed).returning(
            ban
        )
    )
    return _to_ban(result.one())


async def delete_ban(conn: AsyncConnection, kind: str, value: str, scope: str) -> Ban | None:
    """Remove a ban; the ban as it was, or None when there was none."""
    statement = delete(ban).where(ban.c.kind == kind, ban.c.value == value, ban.c.scope == scope).returning(ban)
    row = (await conn.execute(statement)).one_or_none()
    return _to_ban(row) if row else None


async def find_active(
    conn: AsyncConnection, scopes: Sequence[str], names: Sequence[tuple[str, str]], now: datetime
) -> Ban | None:
    """A ban in one of ``scopes`` on one of the (kind, value) ``names`` that has not expired at ``now``."""
    if not names:
        return None
    query = (
        select(ban)
        .where(
            ban.c.scope.in_(scopes),
            tuple_(ban.c.kind, ban.c.value).in_(names),
            or_(ban.c.expires_at.is_(None), ban.c.expires_at > now),
        )
        # The longest-lasting ban first: it is the one a reader will want to hear about.
        .order_by(ban.c.expires_at.is_not(None), ban.c.expires_at.desc(), ban.c.id)
        .limit(1)
    )
    row = (await conn.execute(query)).one_or_none()
    return _to_ban(row) if row else None


async def list_bans(conn: AsyncConnection, scopes: Sequence[str] | None, now: datetime) -> list[Ban]:
    """Bans still in force, newest first; only those in ``scopes`` unless it is None."""
    query = select(ban).where(or_(ban.c.expires_at.is_(None), ban.c.expires_at > now))
    if scopes is not None:
        query = query.where(ban.c.scope.in_(scopes))
    rows = await conn.execute(query.order_by(ban.c.created_at.desc(), ban.c.id.desc()))
    return [_to_ban(row) for row in rows]
