"""Queries on moderator accounts and their admin console sessions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from pnyx.store.tables import admin_session, audit, moderator

# Audit actions whose detail records the time step of a TOTP code that was accepted.
TOTP_ACTIONS = ("account.login", "account.totp_enabled")


@dataclass(frozen=True, slots=True)
class Account:
    """A moderator account as stored; ``sites`` None means every site."""

    id: int
    email: str
    password_hash: str
    role: str
    sites: tuple[int, ...] | None
    totp_secret: str | None
    failed_logins: int
    locked_until: datetime | None
    created_at: datetime
    last_login_at: datetime | None


@dataclass(frozen=True, slots=True)
class SessionRow:
    """A session with the account it belongs to."""

    account: Account
    csrf: str
    last_seen_at: datetime
    expires_at: datetime


def _to_account(row: Any) -> Account:
    sites = None if row.sites is None else tuple(int(site_id) for site_id in row.sites)
    return Account(
        id=row.id,
        email=row.email,
        password_hash=row.password_hash,
        role=row.role,
        sites=sites,
        totp_secret=row.totp_secret,
        failed_logins=row.failed_logins,
        locked_until=row.locked_until,
        created_at=row.created_at,
        last_login_at=row.last_login_at,
    )


async def insert_account(
    conn: AsyncConnection, email: str, password_hash: str, role: str, sites: list[int] | None, now: datetime
) -> Account:
    """Create an account; the caller checked the address is free."""
    values = {"email": email, "password_hash": password_hash, "role": role, "sites": sites, "created_at": now}
    result = await conn.execute(insert(moderator).values(**values, failed_logins=0).returning(moderator))
    return _to_account(result.one())


async def get_by_email(conn: AsyncConnection, email: str, *, for_update: bool = False) -> Account | None:
    """The account with this (lower-cased) address, if any; ``for_update`` locks the row on PostgreSQL."""
    query = select(moderator).where(moderator.c.email == email)
    row = (await conn.execute(query.with_for_update() if for_update else query)).one_or_none()
    return _to_account(row) if row else None


async def get_by_id(conn: AsyncConnection, moderator_id: int, *, for_update: bool = False) -> Account | None:
    """The account with this id, if any; ``for_update`` locks the row on PostgreSQL."""
    query = select(moderator).where(moderator.c.id == moderator_id)
    row = (await conn.execute(query.with_for_update() if for_update else query)).one_or_none()
    return _to_account(row) if row else None


async def list_accounts(conn: AsyncConnection) -> list[Account]:
    """Every account, by address."""
    return [_to_account(row) for row in await conn.execute(select(moderator).order_by(moderator.c.email))]


async def add_failure(conn: AsyncConnection, moderator_id: int) -> int:
    """Count one failed sign-in; returns the failures in a row so far."""
    # One statement: two failures racing on PostgreSQL both count.
    result = await conn.execute(
        update(moderator)
        .where(moderator.c.id == moderator_id)
        .values(failed_logins=moderator.c.failed_logins + 1)
        .returning(moderator.c.failed_logins)
    )
    return int(result.scalar_one())


async def lock(conn: AsyncConnection, moderator_id: int, until: datetime) -> None:
    """Lock the account until ``until``; the count starts again afterwards."""
    await conn.execute(
        update(moderator).where(moderator.c.id == moderator_id).values(locked_until=until, failed_logins=0)
    )


async def signed_in(conn: AsyncConnection, moderator_id: int, now: datetime) -> None:
    """Record a successful sign-in: no failures, no lock."""
    await conn.execute(
        update(moderator)
        .where(moderator.c.id == moderator_id)
        .values(failed_logins=0, locked_until=None, last_login_at=now)
    )


async def set_password_hash(conn: AsyncConnection, moderator_id: int, password_hash: str) -> None:
    """Replace the account's password hash."""
    await conn.execute(update(moderator).where(moderator.c.id == moderator_id).values(password_hash=password_hash))


async def unlock(conn: AsyncConnection, moderator_id: int) -> None:
    """Lift a lock and forget the failures."""
    await conn.execute(
        update(moderator).where(moderator.c.id == moderator_id).values(locked_until=None, failed_logins=0)
    )


async def set_totp_secret(conn: AsyncConnection, moderator_id: int, secret: str | None) -> None:
    """Turn the second factor on with ``secret``, or off with None."""
    await conn.execute(update(moderator).where(moderator.c.id == moderator_id).values(totp_secret=secret))


async def last_totp_step(conn: AsyncConnection, moderator_id: int) -> int | None:
    """The time step of the last TOTP code this account had accepted, if any.

    The audit row of each accepted code carries its step: the schema has no column of its own for it.
    """
    query = (
        select(audit.c.detail)
        .where(audit.c.moderator_id == moderator_id, audit.c.action.in_(TOTP_ACTIONS))
        .order_by(audit.c.id.desc())
        .limit(1)
    )
    detail = (await conn.execute(query)).scalar_one_or_none()
    step = detail.get("totp_step") if isinstance(detail, dict) else None
    return step if isinstance(step, int) else None


async def insert_session(
    conn: AsyncConnection, digest: str, moderator_id: int, csrf: str, now: datetime, expires_at: datetime
) -> None:
    """Store a new session under the digest of its cookie token."""
    await conn.execute(
        insert(admin_session).values(
            id=digest, moderator_id=moderator_id, csrf=csrf, created_at=now, last_seen_at=now, expires_at=expires_at
        )
    )


async def get_session(conn: AsyncConnection, digest: str) -> SessionRow | None:
    """The session stored under this digest, with its account, if any."""
    query = select(
        moderator,
        admin_session.c.csrf,
        admin_session.c.last_seen_at.label("session_seen"),
        admin_session.c.expires_at.label("session_expires"),
    ).select_from(admin_session.join(moderator, moderator.c.id == admin_session.c.moderator_id))
    row = (await conn.execute(query.where(admin_session.c.id == digest))).one_or_none()
    if row is None:
        return None
    return SessionRow(_to_account(row), row.csrf, row.session_seen, row.session_expires)


async def touch_session(conn: AsyncConnection, digest: str, now: datetime, expires_at: datetime) -> None:
    """Move a session's expiry on: it was just used."""
    await conn.execute(
        update(admin_session).where(admin_session.c.id == digest).values(last_seen_at=now, expires_at=expires_at)
    )


async def delete_session(conn: AsyncConnection, digest: str) -> None:
    """End one session."""
    await conn.execute(delete(admin_session).where(admin_session.c.id == digest))


async def delete_sessions(conn: AsyncConnection, moderator_id: int, *, keep: str | None = None) -> int:
    """End every session of the account, except the one stored under ``keep``; returns how many ended."""
    query = delete(admin_session).where(admin_session.c.moderator_id == moderator_id)
    if keep is not None:
        query = query.where(admin_session.c.id != keep)
    result = await conn.execute(query)
    return int(result.rowcount)


async def delete_expired_sessions(conn: AsyncConnection, now: datetime) -> None:
    """Drop sessions whose time ran out (they no longer let anyone in either way)."""
    await conn.execute(delete(admin_session).where(admin_session.c.expires_at <= now))


async def count_sessions(conn: AsyncConnection, moderator_id: int, now: datetime) -> int:
    """How many live sessions the account has."""
    query = select(func.count()).where(admin_session.c.moderator_id == moderator_id, admin_session.c.expires_at > now)
    return int((await conn.execute(query)).scalar_one())
