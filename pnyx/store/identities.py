"""Queries on reader identities."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from pnyx.domain.models import Identity, IdentityKind
from pnyx.store.tables import identity


def _to_identity(row: Any) -> Identity:
    return Identity(
        id=row.id,
        kind=IdentityKind(row.kind),
        display_name=row.display_name,
        email=row.email,
        banned=row.banned,
        email_verified=row.email_verified,
        shadowbanned=row.shadowbanned,
    )


async def insert_guest(conn: AsyncConnection, now: datetime) -> Identity:
    """Mint a new guest identity."""
    result = await conn.execute(
        insert(identity)
        .values(kind=IdentityKind.GUEST.value, email_verified=False, banned=False, shadowbanned=False, created_at=now)
        .returning(identity)
    )
    return _to_identity(result.one())


async def get_identity(conn: AsyncConnection, identity_id: int) -> Identity | None:
    """The identity with this id, if any."""
    row = (await conn.execute(select(identity).where(identity.c.id == identity_id))).one_or_none()
    return _to_identity(row) if row else None


async def verify_email(conn: AsyncConnection, identity_id: int, email: str) -> None:
    """Record that this identity proved it reads mail at ``email``."""
    await conn.execute(update(identity).where(identity.c.id == identity_id).values(email=email, email_verified=True))
