"""Bans by identity, e-mail address or IP hash, on one site or all: add, lift, and check before a write.

``add_ban`` and ``lift_ban`` run in the caller's transaction, so a moderator's action, its audit
entry and the ban commit together; ``refuse_banned`` is what every reader's write path calls.
"""

from __future__ import annotations

from datetime import datetime

from pnyx.domain.bans import Ban, ban_kind, ban_value, scope_of, scopes_for
from pnyx.errors import Forbidden, Invalid
from pnyx.store import bans as store
from pnyx.store.engine import Conn

MAX_REASON_CHARS = 500


async def add_ban(
    conn: Conn,
    *,
    kind: str,
    value: str,
    site_id: int | None,
    reason: str | None,
    moderator_id: int | None,
    now: datetime,
    expires_at: datetime | None,
) -> Ban:
    """Ban ``value`` of ``kind`` on one site (or all when ``site_id`` is None); banning again renews the ban."""
    checked = ban_kind(kind)
    if expires_at is not None and expires_at <= now:
        raise Invalid("A ban must end in the future; leave the end out for a ban until lifted.")
    note = (reason or "").strip() or None
    if note is not None and len(note) > MAX_REASON_CHARS:
        raise Invalid(f"The reason is {len(note):,} characters long; the limit is {MAX_REASON_CHARS}.")
    new = store.NewBan(
        kind=checked,
        value=ban_value(checked, value),
        scope=scope_of(site_id),
        site_id=site_id,
        reason=note,
        moderator_id=moderator_id,
        created_at=now,
        expires_at=expires_at,
    )
    return await store.upsert_ban(conn, new)


async def lift_ban(conn: Conn, *, kind: str, value: str, site_id: int | None) -> Ban | None:
    """Remove the ban on ``value`` of ``kind`` in that scope; the lifted ban, or None when there was none."""
    checked = ban_kind(kind)
    return await store.delete_ban(conn, checked, ban_value(checked, value), scope_of(site_id))


async def active_ban(
    conn: Conn,
    *,
    site_id: int,
    identity_id: int | None,
    email: str | None,
    ip_hash: str | None,
    now: datetime,
) -> Ban | None:
    """The ban in force on this site (its own or an all-sites one) on any of the writer's names, if any."""
    names: list[tuple[str, str]] = []
    if identity_id is not None:
        names.append(("identity", str(identity_id)))
    if email:
        names.append(("email", email.strip().lower()))
    if ip_hash:
        names.append(("ip_hash", ip_hash))
    return await store.find_active(conn, scopes_for(site_id), names, now)


async def list_bans(conn: Conn, *, site_id: int | None, now: datetime) -> list[Ban]:
    """The bans in force on a site (with the all-sites ones), or every ban when ``site_id`` is None."""
    return await store.list_bans(conn, None if site_id is None else scopes_for(site_id), now)


async def refuse_banned(
    conn: Conn,
    *,
    site_id: int,
    identity_id: int | None,
    email: str | None,
    ip_hash: str | None,
    now: datetime,
) -> None:
    """Raise Forbidden (``banned``) when a ban stops this writer; the sentence never says which name matched."""
    found = await active_ban(conn, site_id=site_id, identity_id=identity_id, email=email, ip_hash=ip_hash, now=now)
    if found is None:
        return
    until = "" if found.expires_at is None else f" until {found.expires_at:%Y-%m-%d %H:%M} UTC"
    raise Forbidden(
        f"This site's moderators have stopped you from commenting, voting and reporting{until}.", code="banned"
    )
