"""Which client address to believe, and the key that limits and bans use."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pnyx.domain.net import address_key, client_address

PROXIES = ["10.0.0.0/8", "fd00::/8"]


@pytest.mark.parametrize(
    ("peer", "forwarded_for"),
    [
        ("203.0.113.9", "198.51.100.1"),
        ("203.0.113.9", "198.51.100.1, 10.0.0.2"),
        ("2001:db8::9", "198.51.100.1"),
        ("11.0.0.1", "198.51.100.1"),
    ],
)
def test_forwarded_for_is_ignored_from_an_untrusted_peer(peer: str, forwarded_for: str) -> None:
    assert client_address(peer, forwarded_for, PROXIES) == peer


def test_forwarded_for_is_ignored_without_trusted_proxies() -> None:
    assert client_address("10.0.0.1", "198.51.100.1", []) == "10.0.0.1"


def test_no_header_gives_the_peer() -> None:
    assert client_address("10.0.0.1", None, PROXIES) == "10.0.0.1"
    assert client_address("10.0.0.1", "", PROXIES) == "10.0.0.1"
    assert client_address("10.0.0.1", " , ", PROXIES) == "10.0.0.1"
    assert client_address(None, "198.51.100.1", PROXIES) is None


def test_trusted_peer_gives_the_forwarded_address() -> None:
    assert client_address("10.0.0.1", "198.51.100.1", PROXIES) == "198.51.100.1"
    assert client_address("fd00::1", "2001:db8::5", PROXIES) == "2001:db8::5"


def test_walks_right_to_left_past_trusted_proxies() -> None:
    # The reader wrote the leftmost entry; only the first untrusted hop from the right is believed.
    header = "1.2.3.4, 198.51.100.1, 10.0.0.3, 10.0.0.2"
    assert client_address("10.0.0.1", header, PROXIES) == "198.51.100.1"


def test_a_forged_leftmost_entry_is_not_believed() -> None:
    assert client_address("10.0.0.1", "127.0.0.1, 198.51.100.1", PROXIES) == "198.51.100.1"


def test_all_hops_trusted_gives_the_leftmost() -> None:
    assert client_address("10.0.0.1", "10.0.0.3, 10.0.0.2", PROXIES) == "10.0.0.3"


@pytest.mark.parametrize("header", ["garbage", "garbage, 10.0.0.2", "198.51.100.1:4431", "unknown"])
def test_an_unparseable_hop_falls_back_to_the_peer(header: str) -> None:
    assert client_address("10.0.0.1", header, PROXIES) == "10.0.0.1"


def test_single_address_and_network_are_both_accepted_as_trusted() -> None:
    assert client_address("192.0.2.10", "198.51.100.1", ["192.0.2.10"]) == "198.51.100.1"
    assert client_address("192.0.2.11", "198.51.100.1", ["192.0.2.10"]) == "192.0.2.11"


@pytest.mark.parametrize(
    ("address", "key"),
    [
        ("192.0.2.1", "192.0.2.1"),
        ("203.0.113.255", "203.0.113.255"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
        ("2001:DB8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"),
        ("2001:db8:1:2::", "2001:db8:1:2::/64"),
        ("::1", "::/64"),
        ("::ffff:192.0.2.1", "192.0.2.1"),
        ("::FFFF:c000:0201", "192.0.2.1"),
        ("not-an-address", "not-an-address"),
    ],
)
def test_address_key(address: str, key: str) -> None:
    assert address_key(address) == key


@given(st.ip_addresses(v=6), st.integers(min_value=0, max_value=2**64 - 1))
def test_addresses_in_one_ipv6_64_share_a_key(address: ipaddress.IPv6Address, host_bits: int) -> None:
    if address.ipv4_mapped is not None:
        return
    neighbour = ipaddress.IPv6Address((int(address) >> 64 << 64) | host_bits)
    if neighbour.ipv4_mapped is not None:
        return
    assert address_key(str(address)) == address_key(str(neighbour))


@given(st.ip_addresses(v=4))
def test_ipv4_keys_are_the_address_and_mapped_forms_agree(address: ipaddress.IPv4Address) -> None:
    assert address_key(str(address)) == str(address)
    assert address_key(f"::ffff:{address}") == str(address)
