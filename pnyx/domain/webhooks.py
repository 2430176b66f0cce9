"""Outgoing webhooks: event names, the JSON body, target checks, and the HMAC-SHA256 signature.

Every delivery carries ``X-Pnyx-Signature: t=<unix seconds>,v1=<hex>``, where the hex is
HMAC-SHA256 of ``"<t>.<raw body>"`` keyed with the hook's secret. The timestamp is inside the
signed text, so a receiver that refuses old timestamps also refuses replayed deliveries (the
scheme Stripe and GitHub made familiar). ``verify_signature`` is the receiver's side of it.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import socket
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlsplit

from pnyx.errors import Invalid

WEBHOOK = "webhook"  # the outbox kind of a delivery
COMMENT_CREATED = "comment.created"
COMMENT_APPROVED = "comment.approved"
REPORT_FILED = "report.filed"
QUEUE_ALERT = "queue.alert"
EVENTS = (COMMENT_CREATED, COMMENT_APPROVED, REPORT_FILED, QUEUE_ALERT)

SIGNATURE_HEADER = "X-Pnyx-Signature"
EVENT_HEADER = "X-Pnyx-Event"
DELIVERY_HEADER = "X-Pnyx-Delivery"
SIGNATURE_VERSION = "v1"
DEFAULT_TOLERANCE_S = 300
MAX_URL_CHARS = 2000
MAX_KEY_CHARS = 200  # outbox.dedupe_key
# Names that always mean this machine (RFC 6761); refused like 127.0.0.1 when private targets are off.
LOOPBACK_NAMES = ("localhost", ".localhost")
# The well-known NAT64 prefix: such an address reaches the IPv4 address in its last 32 bits.
NAT64 = ipaddress.ip_network("64:ff9b::/96")

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True, slots=True)
class Webhook:
    """A URL of a site's that receives the events it asked for, signed with its secret."""

    id: int
    site_id: int
    url: str
    events: tuple[str, ...]
    created_at: datetime
    secret: str = field(repr=False)

    def wants(self, event: str) -> bool:
        """Whether this hook asked for ``event``."""
        return event in self.events


def check_events(events: Iterable[str] | None) -> tuple[str, ...]:
    """The events a new hook asks for, in EVENTS order; none named means all of them."""
    wanted = set(events or EVENTS)
    unknown = sorted(wanted - set(EVENTS))
    if unknown:
        names = ", ".join(map(repr, unknown))
        noun = "event" if len(unknown) == 1 else "events"
        raise Invalid(f"pnyx has no webhook {noun} {names}; the events are {', '.join(EVENTS)}.")
    return tuple(event for event in EVENTS if event in wanted)


def check_target(url: str, *, allow_private: bool) -> str:
    """The URL a hook may post to: http(s), a host, no user info; private addresses only if allowed."""
    if len(url) > MAX_URL_CHARS:
        raise Invalid(f"The webhook address is {len(url):,} characters long; the limit is {MAX_URL_CHARS:,}.")
    if any(unicodedata.category(ch) in ("Cc", "Zs") for ch in url):
        raise Invalid("The webhook address contains spaces or control characters; give a plain URL.")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - reading the port is what validates it
    except ValueError as exc:
        raise Invalid(f"{url[:100]!r} is not a valid web address.") from exc
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Invalid(f"{url[:100]!r} is not an http:// or https:// address with a host.")
    if parts.username is not None or parts.password is not None:
        raise Invalid("The webhook address may not carry a user name or password; sign requests with the secret.")
    if not allow_private and not is_public_host(parts.hostname):
        raise Invalid(
            f"{parts.hostname} is a loopback, private or reserved address; pnyx posts webhooks to public addresses "
            "only unless PNYX_WEBHOOK_PRIVATE_TARGETS is set."
        )
    return url


def ip_literal(host: str) -> IPAddress | None:
    """The address a host names without DNS: an IP literal, including the short IPv4 forms (127.1, 0x7f.1)."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    try:
        # inet_aton reads every form the resolver would (decimal, hex, octal, short): no DNS, no I/O.
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except OSError:
        return None


def is_public_host(host: str) -> bool:
    """False for a loopback name or an IP literal that is not public; other names need resolving to tell."""
    name = host.lower().rstrip(".")
    if name == LOOPBACK_NAMES[0] or name.endswith(LOOPBACK_NAMES[1]):
        return False
    address = ip_literal(name)
    return address is None or is_public_address(address)


def is_public_address(address: IPAddress) -> bool:
    """True for an address on the public internet: not loopback, private, link-local, multicast or reserved."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            # ::ffff:a.b.c.d is how a dual-stack socket spells a.b.c.d: that address decides.
            return is_public_address(address.ipv4_mapped)
        embedded = _embedded_ipv4(address)
        if embedded is not None and not is_public_address(embedded):
            return False
        if address.is_site_local:
            return False
    return address.is_global and not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address.sixtofour is not None:
        return address.sixtofour
    if address in NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def delivery_key(hook_id: int, event: str, subject: str) -> str:
    """The outbox dedupe key of one event for one hook; a long subject is hashed to fit."""
    key = f"hook:{hook_id}:{event}:{subject}"
    if len(key) <= MAX_KEY_CHARS:
        return key
    return f"hook:{hook_id}:{event}:sha256:{hashlib.sha256(subject.encode()).hexdigest()}"


def iso(moment: datetime) -> str:
    """A moment as ISO 8601 in UTC with a ``Z``."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def event_body(delivery_id: str, event: str, created_at: datetime, site: str, data: Mapping[str, object]) -> str:
    """The JSON text of one delivery; fixed when enqueued, so every retry sends the same bytes."""
    envelope = {"id": delivery_id, "event": event, "created_at": iso(created_at), "site": site, "data": data}
    return json.dumps(envelope, ensure_ascii=False, separators=(",", ":"))


def signature(secret: str, body: bytes, timestamp: int) -> str:
    """Hex HMAC-SHA256 of ``"<timestamp>.<body>"`` keyed with ``secret``."""
    signed = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def signature_header(secret: str, body: bytes, timestamp: int) -> str:
    """The value of ``X-Pnyx-Signature`` for ``body`` sent at ``timestamp`` (unix seconds)."""
    return f"t={timestamp},{SIGNATURE_VERSION}={signature(secret, body, timestamp)}"


def verify_signature(secret: str, header: str, body: bytes, now: float, tolerance: float = DEFAULT_TOLERANCE_S) -> bool:
    """True when ``header`` signs ``body`` with ``secret`` and its timestamp is within ``tolerance`` s of ``now``."""
    parsed = _parse_header(header)
    if parsed is None:
        return False
    timestamp, candidates = parsed
    if abs(now - timestamp) > tolerance:
        return False
    expected = signature(secret, body, timestamp)
    # Every candidate is compared, in constant time, so the timing tells nothing about which one was close.
    matches = [hmac.compare_digest(expected, candidate) for candidate in candidates]
    return any(matches)


def _parse_header(header: str) -> tuple[int, list[str]] | None:
    """The timestamp and the v1 signatures of a header, or None when it is malformed."""
    timestamp: int | None = None
    candidates: list[str] = []
    for part in header.split(","):
        name, sep, value = part.strip().partition("=")
        if not sep:
            return None
        if name == "t" and value.isascii() and value.isdigit():
            timestamp = int(value)
        elif name == SIGNATURE_VERSION and value.isascii():
            candidates.append(value)
    if timestamp is None or not candidates:
        return None
    return timestamp, candidates
