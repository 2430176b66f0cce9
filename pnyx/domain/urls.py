"""Article URLs as thread keys, and site origins.

A thread key is either an explicit id chosen by the publisher or the article URL
in canonical form: lower-case scheme and host, no default port, no fragment, no
tracking parameters, remaining parameters sorted, and no trailing slash except
on the root path. ``canonicalise`` is idempotent.
"""

from __future__ import annotations

import unicodedata
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from pnyx.errors import Invalid

TRACKING_PARAMS = frozenset({"fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "igshid", "_ga", "ref_src"})
DEFAULT_PORTS = {"http": 80, "https": 443}
MAX_KEY_CHARS = 500


def is_url(key: str) -> bool:
    """True when a thread key is an article URL rather than an explicit id."""
    return key[:8].lower().startswith(("http://", "https://"))


def _split(url: str) -> tuple[str, str, int | None]:
    try:
        if _has_control(url.strip()):  # a NUL or escape in a stored key breaks databases and terminals
            raise ValueError(url)
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise Invalid(f"{url[:100]!r} is not a valid web address.") from exc
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    if scheme not in DEFAULT_PORTS or not host:
        raise Invalid(f"{url[:100]!r} is not an http:// or https:// address.")
    return scheme, host, port


def _has_control(text: str) -> bool:
    return any(unicodedata.category(ch) == "Cc" for ch in text)


def _netloc(scheme: str, host: str, port: int | None) -> str:
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    return host if port in (None, DEFAULT_PORTS[scheme]) else f"{host}:{port}"


def canonicalise(url: str) -> str:
    """The canonical form of an article URL, used as its thread key."""
    scheme, host, port = _split(url)
    parts = urlsplit(url.strip())
    path = parts.path or "/"
    if len(path) > 1:
        path = path.rstrip("/") or "/"
    query = sorted(
        (name, value)
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
        if not name.lower().startswith("utm_") and name.lower() not in TRACKING_PARAMS
    )
    return urlunsplit((scheme, _netloc(scheme, host, port), path, urlencode(query), ""))


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of a URL, lower-case, default port left out."""
    scheme, host, port = _split(url)
    return f"{scheme}://{_netloc(scheme, host, port)}"


def normalise_origin(origin: str) -> str:
    """A site origin as browsers send it in the ``Origin`` header; refuses paths and queries."""
    parts = urlsplit(origin.strip())
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise Invalid(f"{origin!r} is not an origin; give only scheme and host, like https://news.example.")
    return origin_of(origin)


def thread_key(key: str) -> str:
    """The stored key for what a request names: a canonical URL, or the explicit id trimmed."""
    key = key.strip()
    if not key:
        raise Invalid("The thread key is empty; pass the article's id or URL as `key`.")
    if len(key) > MAX_KEY_CHARS:
        raise Invalid(f"The thread key is longer than {MAX_KEY_CHARS} characters.")
    if is_url(key):
        return canonicalise(key)
    if _has_control(key):
        raise Invalid("The thread key contains control characters.")
    return key
