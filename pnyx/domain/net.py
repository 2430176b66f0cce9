"""Client addresses: which hop to believe, and the key that rate limits and bans use."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

IPV6_PREFIX = 64


def client_address(peer: str | None, forwarded_for: str | None, trusted: Sequence[str]) -> str | None:
    """The reader's address: ``X-Forwarded-For`` is believed only when the peer is a trusted proxy.

    Walks the header right to left past trusted proxies, so a reader cannot forge the leftmost entry.
    """
    if peer is None or not forwarded_for or not _is_trusted(peer, trusted):
        return peer
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _is_trusted(hop, trusted):
            return hop if _parse(hop) else peer
    return hops[0] if hops else peer


def address_key(address: str) -> str:
    """What identifies a client for limits and bans: the IPv4 address, or the IPv6 /64 network."""
    parsed = _parse(address)
    if parsed is None:
        return address
    if parsed.version == 6:
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/{IPV6_PREFIX}", strict=False))
    return str(parsed)


def _parse(address: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(address)
    except ValueError:
        return None


def _is_trusted(address: str, trusted: Sequence[str]) -> bool:
    parsed = _parse(address)
    return parsed is not None and any(parsed in ipaddress.ip_network(net, strict=False) for net in trusted)
