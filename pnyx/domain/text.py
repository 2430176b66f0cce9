"""Cleaning and checking what readers type: bodies, names, e-mail addresses, websites."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit

from pnyx.errors import Invalid, TooLarge

_KEPT_CONTROLS = {"\n", "\t"}
# Bidi embeddings, overrides and isolates can make a comment display text other than its bytes
# ("Trojan Source"); the BOM is noise. Joiners stay: emoji sequences and Persian need them.
_DROPPED_FORMAT = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0xFEFF)}
# Shape only (delivery is the real check), but nothing that could break out of a header or markup.
_EMAIL = re.compile(r"^[^@\s<>()\[\]\\,;:\"]{1,64}@[^@\s<>()\[\]\\,;:\"/.]+(\.[^@\s<>()\[\]\\,;:\"/.]+)+\Z")
MAX_EMAIL_CHARS = 254
MAX_WEBSITE_CHARS = 500


def clean_text(value: str) -> str:
    """NFC-normalise, unify line breaks and drop control and bidi-override characters."""
    value = value.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n\n")
    kept = "".join(
        ch for ch in value if ch in _KEPT_CONTROLS or (unicodedata.category(ch) != "Cc" and ch not in _DROPPED_FORMAT)
    )
    # Normalise last: a dropped character may have separated a letter from its combining mark.
    return unicodedata.normalize("NFC", kept)


def clean_body(value: str, *, max_chars: int) -> str:
    """A comment body ready to render; refuses empty and over-long bodies."""
    body = clean_text(value).strip()
    if not body:
        raise Invalid("The comment is empty; write something before posting.")
    if len(body) > max_chars:
        raise TooLarge(f"The comment is {len(body):,} characters long; the limit is {max_chars:,}. Please shorten it.")
    return body


def clean_name(value: str | None, *, max_chars: int) -> str | None:
    """An optional author name on one line; None when blank."""
    if value is None:
        return None
    name = " ".join(clean_text(value).split())
    if len(name) > max_chars:
        raise Invalid(f"The name is {len(name)} characters long; the limit is {max_chars}.")
    return name or None


def clean_email(value: str | None) -> str | None:
    """An optional e-mail address, trimmed and checked for a plausible shape."""
    if value is None or not value.strip():
        return None
    email = clean_text(value).strip()
    if len(email) > MAX_EMAIL_CHARS or not _EMAIL.match(email):
        raise Invalid(
            f"{email[:80]!r} is not an e-mail address; leave the field empty or give one like ana@example.org."
        )
    local, _, domain = email.rpartition("@")
    return f"{local}@{domain.lower()}"


def clean_website(value: str | None) -> str | None:
    """An optional http or https address; anything else (javascript:, data:, ftp:) is refused."""
    if value is None or not value.strip():
        return None
    website = clean_text(value).strip()
    if len(website) > MAX_WEBSITE_CHARS:
        raise Invalid(f"The website address is longer than {MAX_WEBSITE_CHARS} characters.")
    try:
        parts = urlsplit(website)
    except ValueError as exc:
        raise Invalid("The website is not a valid address; give one like https://example.org.") from exc
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname or any(ch.isspace() for ch in website):
        raise Invalid("The website must be an http:// or https:// address, like https://example.org.")
    return website
