"""Moderator accounts: creating, resetting and listing them, changing passwords and enrolling a TOTP second factor.

Signing in, the lockout, password hashing and console sessions are pnyx.services.signin's; the checks here that
ask for the current password count towards the same lockout.
"""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass
from datetime import datetime

import pyotp

from pnyx.domain.models import Site
from pnyx.domain.text import clean_email
from pnyx.errors import Conflict, Forbidden, Invalid, NotFound
from pnyx.services.container import Services
from pnyx.services.signin import (
    MAX_PASSWORD_CHARS,
    account_of,
    audit_account,
    count_failure,
    hash_password,
    lock_end,
    lockout_sentence,
    matching_step,
    normal_email,
    password_matches,
    token_digest,
)
from pnyx.store import moderators as store
from pnyx.store import sites as site_store
from pnyx.store.engine import Conn
from pnyx.store.moderators import Account

ROLES = ("admin", "moderator")
MIN_PASSWORD_CHARS = 12
TOTP_ISSUER = "pnyx"
_TOTP_SECRET = re.compile(r"^[A-Z2-7]{32}\Z")


@dataclass(frozen=True, slots=True)
class Listing:
    """An account as `pnyx admin list` and the account page show it."""

    account: Account
    site_slugs: tuple[str, ...] | None
    site_names: tuple[str, ...] | None
    sessions: int


def check_password(password: str) -> None:
    """Refuse a password too short to resist guessing (or absurdly long)."""
    if len(password) < MIN_PASSWORD_CHARS:
        raise Invalid(
            f"A password needs at least {MIN_PASSWORD_CHARS} characters; a few unrelated words make a good one."
        )
    if len(password) > MAX_PASSWORD_CHARS:
        raise Invalid(f"A password may have at most {MAX_PASSWORD_CHARS} characters.")


async def _confirm_password(services: Services, moderator_id: int, password: str) -> None:
    """Refuse a wrong current password; it counts towards the lockout like a failed sign-in."""
    now = services.clock()
    async with services.db.read() as conn:
        account = await account_of(conn, moderator_id)
    if (locked := lock_end(account, now)) is not None:
        raise Forbidden(lockout_sentence(locked, now))
    if await password_matches(account.password_hash, password):
        return
    async with services.db.write() as conn:
        until = await count_failure(conn, services, account, now, "confirm")
    raise Forbidden(lockout_sentence(until, now) if until else "Your current password is not the one you typed.")


async def change_password(
    services: Services, moderator_id: int, token: str, current: str, new: str, repeat: str
) -> int:
    """Replace the password after checking the current one; signs out every other session (returns how many)."""
    check_password(new)
    if not hmac.compare_digest(new.encode(), repeat.encode()):
        raise Invalid("The new password and its repetition differ; type the same password twice.")
    await _confirm_password(services, moderator_id, current)
    new_hash = await hash_password(new)
    now = services.clock()
    async with services.db.write() as conn:
        account = await account_of(conn, moderator_id)
        await store.set_password_hash(conn, account.id, new_hash)
        ended = await store.delete_sessions(conn, account.id, keep=token_digest(token))
        await audit_account(conn, account, "account.password_changed", now, {"sessions_ended": ended})
    return ended


def is_totp_secret(value: str) -> bool:
    """Whether ``value`` has the shape of a secret ``new_totp_secret`` makes."""
    return bool(_TOTP_SECRET.match(value))


def new_totp_secret() -> str:
    """A fresh random TOTP secret (160 bits, base32), not stored until a code confirms it."""
    return pyotp.random_base32()


def totp_uri(secret: str, email: str) -> str:
    """The otpauth:// URI authenticator apps read (as a QR code or pasted)."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=TOTP_ISSUER)


async def enable_totp(services: Services, moderator_id: int, secret: str, code: str) -> None:
    """Turn the second factor on once a code from the app proves it holds ``secret``."""
    if not is_totp_secret(secret):
        raise Invalid("The set-up form was damaged; open the second-factor page again to get a new secret.")
    now = services.clock()
    step = matching_step(secret, code, now)
    if step is None:
        raise Invalid("That code does not match the secret; check the app's clock and enter the current code.")
    async with services.db.write() as conn:
        account = await account_of(conn, moderator_id)
        if account.totp_secret is not None:
            raise Conflict("A second factor is already set up; turn it off first to replace it.")
        await store.set_totp_secret(conn, account.id, secret)
        await audit_account(conn, account, "account.totp_enabled", now, {"totp_step": step})


async def disable_totp(services: Services, moderator_id: int, password: str) -> None:
    """Turn the second factor off after checking the password."""
    await _confirm_password(services, moderator_id, password)
    now = services.clock()
    async with services.db.write() as conn:
        account = await account_of(conn, moderator_id)
        if account.totp_secret is None:
            return
        await store.set_totp_secret(conn, account.id, None)
        await audit_account(conn, account, "account.totp_disabled", now)


async def _site_ids(conn: Conn, slugs: list[str]) -> list[int]:
    ids: list[int] = []
    for slug in slugs:
        site = await site_store.get_by_slug(conn, slug)
        if site is None:
            raise NotFound(f"There is no site named {slug!r}; `pnyx site list` shows the sites.")
        ids.append(site.id)
    return sorted(set(ids))


async def unknown_sites(services: Services, slugs: list[str]) -> list[str]:
    """Those of ``slugs`` that name no site."""
    async with services.db.read() as conn:
        known = {site.slug for site in await site_store.list_sites(conn)}
    return [slug for slug in slugs if slug not in known]


def checked_email(email: str) -> str:
    """An account's address: a plausible e-mail address, lower-cased."""
    try:
        cleaned = clean_email(email)
    except Invalid:
        cleaned = None
    if cleaned is None:
        raise Invalid(f"{email.strip()[:80]!r} is not an e-mail address; give one like ana@example.org.")
    return cleaned.lower()


async def create_account(services: Services, email: str, password: str, role: str, site_slugs: list[str]) -> Account:
    """A new moderator or admin account; moderators may be limited to some sites (admins have them all)."""
    address = checked_email(email)
    if role not in ROLES:
        raise Invalid(f"{role!r} is not a role; use admin or moderator.")
    if role == "admin" and site_slugs:
        raise Invalid("Admins moderate every site; give --site only for the moderator role.")
    check_password(password)
    password_hash = await hash_password(password)
    now = services.clock()
    async with services.db.write() as conn:
        sites = await _site_ids(conn, site_slugs) if site_slugs else None
        if await store.get_by_email(conn, address) is not None:
            raise Conflict(f"An account for {address} exists already.")
        account = await store.insert_account(conn, address, password_hash, role, sites, now)
        await audit_account(conn, account, "account.created", now, {"role": role, "sites": sites})
    return account


async def reset_account(services: Services, email: str, password: str, *, remove_totp: bool) -> Account:
    """Set a new password from the command line, lift any lock and end every session (recovery)."""
    check_password(password)
    password_hash = await hash_password(password)
    now = services.clock()
    async with services.db.write() as conn:
        account = await store.get_by_email(conn, normal_email(email), for_update=True)
        if account is None:
            raise NotFound(f"There is no account for {email.strip()!r}; `pnyx admin list` shows the accounts.")
        await store.set_password_hash(conn, account.id, password_hash)
        await store.unlock(conn, account.id)
        await store.delete_sessions(conn, account.id)
        if remove_totp and account.totp_secret is not None:
            await store.set_totp_secret(conn, account.id, None)
        await audit_account(conn, account, "account.password_reset", now, {"totp_removed": remove_totp})
    return account


async def _listing(conn: Conn, account: Account, sites: dict[int, Site], now: datetime) -> Listing:
    sessions = await store.count_sessions(conn, account.id, now)
    if account.sites is None:
        return Listing(account, None, None, sessions)
    # A removed site's id may linger in the list; it grants nothing, so it is left out.
    kept = [sites[site_id] for site_id in account.sites if site_id in sites]
    return Listing(account, tuple(site.slug for site in kept), tuple(site.name for site in kept), sessions)


async def list_accounts(services: Services) -> list[Listing]:
    """Every account with its sites."""
    now = services.clock()
    async with services.db.read() as conn:
        sites = {site.id: site for site in await site_store.list_sites(conn)}
        return [await _listing(conn, account, sites, now) for account in await store.list_accounts(conn)]


async def account_overview(services: Services, moderator_id: int) -> Listing:
    """The signed-in account with its sites, for the account page."""
    async with services.db.read() as conn:
        sites = {site.id: site for site in await site_store.list_sites(conn)}
        return await _listing(conn, await account_of(conn, moderator_id), sites, services.clock())
