"""Signing in to the console: the password and TOTP code steps, the lockout, and console sessions.

Passwords are argon2id hashes (argon2-cffi), rehashed when the parameters change. A session cookie
carries a random token and the database keeps only its SHA-256, so a leaked table lets nobody in.
An unknown address costs the same work as a known one (a dummy hash is verified) and gets the same
sentence, so answers do not tell which addresses have accounts. Failed passwords and codes count
towards a lockout; a TOTP code is accepted once (its time step is kept in the audit row).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import math
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, URLSafeSerializer

from pnyx.config import resolve_secret
from pnyx.domain.net import address_key
from pnyx.errors import NotFound, Unauthorized
from pnyx.services.container import Services
from pnyx.services.ratelimit import Actor
from pnyx.store import moderators as store
from pnyx.store.audit import write_audit
from pnyx.store.engine import Conn
from pnyx.store.moderators import Account

HASHER = PasswordHasher()
# argon2 takes any length; the cap only stops a huge "password" from costing work before it fails.
MAX_PASSWORD_CHARS = 1000
TOKEN_BYTES = 32
# Sliding expiry writes at most this often per session, not on every page.
TOUCH_EVERY = timedelta(minutes=1)
CODE_STEP_MAX_AGE = timedelta(minutes=5)
TOTP_VALID_WINDOW = 1
_CODE = re.compile(r"^[0-9]{6}\Z")

LOGIN_FAILED = "Sign-in failed: the e-mail address or the password is wrong."
CODE_FAILED = "That code is wrong or was used already; enter the current code from your authenticator app."
START_AGAIN = "This sign-in has expired; please enter your e-mail address and password again."


class LoginRefused(Unauthorized):
    """A refused sign-in, with a sentence that does not say which part was wrong."""


class SignInExpired(LoginRefused):
    """The code step came too late, or after the password changed: start with the password again."""


@dataclass(frozen=True, slots=True)
class Staff:
    """The signed-in person behind a console session; ``sites`` None means every site."""

    moderator_id: int
    email: str
    role: str
    sites: frozenset[int] | None
    csrf: str


@dataclass(frozen=True, slots=True)
class ActiveSession:
    """A session found for a cookie; ``refreshed`` when its expiry moved on (the cookie should too)."""

    staff: Staff
    refreshed: bool
    max_age_s: int


@dataclass(frozen=True, slots=True)
class NewSession:
    """A session just opened: the token for the cookie and how long it lives unused."""

    token: str
    max_age_s: int


@dataclass(frozen=True, slots=True)
class CodeNeeded:
    """The password was right and the account has a second factor: ``pending`` carries that to the code step."""

    pending: str


def token_digest(token: str) -> str:
    """What the database stores of a session token."""
    return hashlib.sha256(token.encode()).hexdigest()


def normal_email(email: str) -> str:
    return email.strip().lower()


@cache
def _dummy_hash() -> str:
    return HASHER.hash(secrets.token_urlsafe())


async def password_matches(password_hash: str, password: str) -> bool:
    if len(password) > MAX_PASSWORD_CHARS:
        return False
    # argon2 is deliberately slow: off the event loop, so other requests keep moving.
    try:
        return await asyncio.to_thread(HASHER.verify, password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(HASHER.hash, password)


def lock_end(account: Account, now: datetime) -> datetime | None:
    """When the account's lock ends, if it is locked now."""
    return account.locked_until if account.locked_until is not None and account.locked_until > now else None


def lockout_sentence(until: datetime, now: datetime) -> str:
    minutes = max(1, math.ceil((until - now).total_seconds() / 60))
    unit = "minute" if minutes == 1 else "minutes"
    return f"{LOGIN_FAILED} Too many failed attempts: try again in {minutes} {unit}."


async def audit_account(
    conn: Conn, account: Account, action: str, now: datetime, detail: dict[str, Any] | None = None
) -> None:
    await write_audit(
        conn,
        site_id=None,
        moderator_id=account.id,
        actor=account.email,
        action=action,
        target_kind="moderator",
        target_id=account.id,
        detail=detail,
        now=now,
    )


async def _count_attempt(services: Services, address: str | None) -> None:
    hashed = services.tokens.address_hash(address_key(address)) if address else None
    await services.limiter.hit("login", Actor(identity_id=None, address_hash=hashed))


async def count_failure(conn: Conn, services: Services, account: Account, now: datetime, step: str) -> datetime | None:
    """Count a wrong password or code; returns when the lock ends if this failure locked the account."""
    failures = await store.add_failure(conn, account.id)
    await audit_account(conn, account, "account.login_failed", now, {"step": step, "failures": failures})
    if failures < services.settings.admin_max_failures:
        return None
    until = now + timedelta(minutes=services.settings.admin_lockout_minutes)
    await store.lock(conn, account.id, until)
    await audit_account(conn, account, "account.locked", now, {"until": until.isoformat()})
    return until


async def _open_session(
    conn: Conn, services: Services, account: Account, now: datetime, detail: dict[str, Any]
) -> NewSession:
    token = secrets.token_urlsafe(TOKEN_BYTES)
    lifetime = timedelta(hours=services.settings.admin_session_hours)
    await store.delete_expired_sessions(conn, now)
    csrf = secrets.token_urlsafe(TOKEN_BYTES)
    await store.insert_session(conn, token_digest(token), account.id, csrf, now, now + lifetime)
    await store.signed_in(conn, account.id, now)
    await audit_account(conn, account, "account.login", now, detail)
    return NewSession(token, int(lifetime.total_seconds()))


async def sign_in(services: Services, email: str, password: str, address: str | None) -> NewSession | CodeNeeded:
    """Check an address and password; a session, or the code step when the account has a second factor."""
    await _count_attempt(services, address)
    now = services.clock()
    async with services.db.read() as conn:
        account = await store.get_by_email(conn, normal_email(email))
    matches = await password_matches(account.password_hash if account else _dummy_hash(), password)
    if account is None:
        raise LoginRefused(LOGIN_FAILED)
    if (locked := lock_end(account, now)) is not None:
        raise LoginRefused(lockout_sentence(locked, now))
    if not matches:
        async with services.db.write() as conn:
            until = await count_failure(conn, services, account, now, "password")
        raise LoginRefused(lockout_sentence(until, now) if until else LOGIN_FAILED)
    if HASHER.check_needs_rehash(account.password_hash):
        new_hash = await hash_password(password)
        async with services.db.write() as conn:
            await store.set_password_hash(conn, account.id, new_hash)
    if account.totp_secret is not None:
        return CodeNeeded(_pending_token(services, account, now))
    async with services.db.write() as conn:
        return await _open_session(conn, services, account, now, {})


_PENDING_SHAPE = (("m", int), ("p", str), ("t", int))


def _pending_signer(services: Services) -> URLSafeSerializer:
    return URLSafeSerializer(resolve_secret(services.settings), salt="pnyx.admin.second-factor")


def _fingerprint(account: Account) -> str:
    # A new password ends sign-ins that were waiting for their code.
    return hashlib.sha256(account.password_hash.encode()).hexdigest()[:16]


def _pending_token(services: Services, account: Account, now: datetime) -> str:
    payload = {"m": account.id, "p": _fingerprint(account), "t": int(now.timestamp())}
    return str(_pending_signer(services).dumps(payload))


def _pending_account(services: Services, pending: str, now: datetime) -> tuple[int, str]:
    try:
        payload = _pending_signer(services).loads(pending)
    except BadSignature as exc:
        raise SignInExpired(START_AGAIN) from exc
    if not isinstance(payload, dict) or not all(isinstance(payload.get(key), t) for key, t in _PENDING_SHAPE):
        raise SignInExpired(START_AGAIN)
    if now.timestamp() - payload["t"] > CODE_STEP_MAX_AGE.total_seconds():
        raise SignInExpired(START_AGAIN)
    return payload["m"], payload["p"]


def matching_step(secret: str, code: str, now: datetime) -> int | None:
    """The time step whose code this is, within the allowed drift; None when it matches none."""
    code = "".join(code.split())
    if not _CODE.match(code):
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in range(current - TOTP_VALID_WINDOW, current + TOTP_VALID_WINDOW + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


async def verify_code(services: Services, pending: str, code: str, address: str | None) -> NewSession:
    """The code step of a sign-in: a session when the code is right and not used before."""
    await _count_attempt(services, address)
    now = services.clock()
    moderator_id, fingerprint = _pending_account(services, pending, now)
    async with services.db.write() as conn:
        outcome = await _check_code(conn, services, moderator_id, fingerprint, code, now)
    # Returned, not raised, inside the transaction: a failure must be counted, not rolled back.
    if isinstance(outcome, LoginRefused):
        raise outcome
    return outcome


async def _check_code(
    conn: Conn, services: Services, moderator_id: int, fingerprint: str, code: str, now: datetime
) -> NewSession | LoginRefused:
    # The row lock makes two sign-ins racing with the same code take turns, so only one gets in.
    account = await store.get_by_id(conn, moderator_id, for_update=True)
    if account is None or account.totp_secret is None or _fingerprint(account) != fingerprint:
        return SignInExpired(START_AGAIN)
    if (locked := lock_end(account, now)) is not None:
        return LoginRefused(lockout_sentence(locked, now))
    step = matching_step(account.totp_secret, code, now)
    last = await store.last_totp_step(conn, account.id)
    if step is None or (last is not None and step <= last):
        until = await count_failure(conn, services, account, now, "code")
        return LoginRefused(lockout_sentence(until, now) if until else CODE_FAILED)
    return await _open_session(conn, services, account, now, {"totp_step": step})


def _staff(row: store.SessionRow) -> Staff:
    account = row.account
    sites = None if account.role == "admin" or account.sites is None else frozenset(account.sites)
    return Staff(account.id, account.email, account.role, sites, row.csrf)


async def resolve_session(services: Services, token: str) -> ActiveSession | None:
    """The live session a cookie token names, its expiry moved on when it was last used a while ago."""
    if not token or len(token) > 2 * TOKEN_BYTES:
        return None
    now = services.clock()
    digest = token_digest(token)
    async with services.db.read() as conn:
        row = await store.get_session(conn, digest)
    if row is None or row.expires_at <= now:
        return None
    lifetime = timedelta(hours=services.settings.admin_session_hours)
    refreshed = now - row.last_seen_at >= TOUCH_EVERY
    if refreshed:
        async with services.db.write() as conn:
            await store.touch_session(conn, digest, now, now + lifetime)
    return ActiveSession(_staff(row), refreshed, int(lifetime.total_seconds()))


async def sign_out(services: Services, token: str) -> None:
    """End the session this token names."""
    async with services.db.write() as conn:
        await store.delete_session(conn, token_digest(token))


async def sign_out_everywhere(services: Services, moderator_id: int) -> int:
    """End every session of the account, this one included; returns how many ended."""
    now = services.clock()
    async with services.db.write() as conn:
        account = await account_of(conn, moderator_id)
        ended = await store.delete_sessions(conn, account.id)
        await audit_account(conn, account, "account.logout_everywhere", now, {"sessions": ended})
    return ended


async def account_of(conn: Conn, moderator_id: int) -> Account:
    account = await store.get_by_id(conn, moderator_id)
    if account is None:
        raise NotFound("This account no longer exists.")
    return account
