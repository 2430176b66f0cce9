"""Bans: who may no longer write, on one site or on all of them, until a time or until lifted.

A ban names an identity (its id), an e-mail address or an IP hash (the keyed hash that rate limits use,
never the address itself). Its scope is ``"all"`` or ``"site:<id>"``: a text column rather than a
nullable site id, because NULLs never collide in a unique constraint and the same ban must not be
stored twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from pnyx.domain.models import MAX_ID
from pnyx.errors import Invalid

BanKind = Literal["identity", "email", "ip_hash"]
BAN_KINDS: tuple[BanKind, ...] = ("identity", "email", "ip_hash")
ALL_SITES = "all"
MAX_VALUE_CHARS = 254


@dataclass(frozen=True, slots=True)
class Ban:
    """One stored ban."""

    id: int
    site_id: int | None
    kind: BanKind
    value: str
    scope: str
    reason: str | None
    moderator_id: int | None
    created_at: datetime
    expires_at: datetime | None

    def active(self, now: datetime) -> bool:
        """Whether the ban still holds at ``now``."""
        return self.expires_at is None or self.expires_at > now


def scope_of(site_id: int | None) -> str:
    """The scope text of a ban on one site, or on every site when ``site_id`` is None."""
    return ALL_SITES if site_id is None else f"site:{site_id}"


def scopes_for(site_id: int) -> tuple[str, str]:
    """The scopes whose bans apply to a write on this site."""
    return ALL_SITES, scope_of(site_id)


def ban_kind(kind: str) -> BanKind:
    """``kind`` checked against the kinds a ban can have."""
    for known in BAN_KINDS:
        if kind == known:
            return known
    raise Invalid(f"A ban names an identity, an email or an ip_hash, not {kind[:40]!r}.")


def ban_value(kind: BanKind, value: str) -> str:
    """The stored form of a banned value: an identity id as digits, an e-mail address in lower case."""
    text = value.strip()
    if not text or len(text) > MAX_VALUE_CHARS:
        raise Invalid(f"A ban needs a value of 1 to {MAX_VALUE_CHARS} characters.")
    if kind == "identity" and not (text.isascii() and text.isdigit() and 0 < int(text) <= MAX_ID):
        raise Invalid(f"An identity ban names the identity's id, a whole number, not {text[:40]!r}.")
    if kind == "identity":
        return str(int(text))
    # Matching is case-blind: the same mailbox is often typed with different capitals.
    return text.lower() if kind == "email" else text
