"""Webhook signatures, bodies and targets: the rules a receiver and pnyx must agree on."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
from datetime import UTC, datetime

import pytest

from pnyx.domain.webhooks import (
    EVENTS,
    MAX_KEY_CHARS,
    check_events,
    check_target,
    delivery_key,
    event_body,
    is_public_address,
    signature_header,
    verify_signature,
)
from pnyx.errors import Invalid

SECRET = "whsec-test-0123456789"
BODY = b'{"id":"d-1","event":"comment.created","data":{"id":7}}'
NOW = 1_790_000_000


def test_a_signature_verifies_with_the_secret_and_the_exact_body() -> None:
    header = signature_header(SECRET, BODY, NOW)
    assert header.startswith(f"t={NOW},v1=")
    assert verify_signature(SECRET, header, BODY, now=NOW + 30)


def test_the_signature_is_hmac_sha256_of_timestamp_dot_body() -> None:
    # Written out by hand, the way a receiver in another language would compute it.
    expected = hmac.new(SECRET.encode(), f"{NOW}.".encode() + BODY, hashlib.sha256).hexdigest()
    assert signature_header(SECRET, BODY, NOW) == f"t={NOW},v1={expected}"


def test_a_tampered_body_fails() -> None:
    header = signature_header(SECRET, BODY, NOW)
    assert not verify_signature(SECRET, header, BODY.replace(b"7", b"8"), now=NOW)
    assert not verify_signature(SECRET, header, BODY + b" ", now=NOW)


def test_a_wrong_secret_fails() -> None:
    header = signature_header(SECRET, BODY, NOW)
    assert not verify_signature("another-secret", header, BODY, now=NOW)


def test_a_changed_timestamp_fails() -> None:
    signature = signature_header(SECRET, BODY, NOW).split(",")[1]
    assert not verify_signature(SECRET, f"t={NOW + 1},{signature}", BODY, now=NOW)


@pytest.mark.parametrize("delay", [301, -301, 10_000])
def test_a_stale_or_future_timestamp_fails(delay: int) -> None:
    header = signature_header(SECRET, BODY, NOW)
    assert not verify_signature(SECRET, header, BODY, now=NOW + delay)
    assert verify_signature(SECRET, header, BODY, now=NOW + delay, tolerance=abs(delay))


def test_any_of_several_v1_signatures_may_match() -> None:
    good = signature_header(SECRET, BODY, NOW).split(",")[1]
    assert verify_signature(SECRET, f"t={NOW},v1={'0' * 64},{good}", BODY, now=NOW)


@pytest.mark.parametrize(
    "header",
    [
        "",
        "garbage",
        f"t={NOW}",
        "v1=" + "0" * 64,
        f"t=soon,v1={'0' * 64}",
        f"t=-{NOW},v1={'0' * 64}",
        f"t={NOW};v1={'0' * 64}",
        f"t={NOW},v1=é{'0' * 63}",
        f"t=１２３,v1={'0' * 64}",
        f"t={NOW},v0={'0' * 64}",
    ],
)
def test_a_malformed_header_fails_without_raising(header: str) -> None:
    assert not verify_signature(SECRET, header, BODY, now=NOW)


def test_the_body_has_the_documented_shape() -> None:
    moment = datetime(2026, 3, 1, 12, 30, tzinfo=UTC)
    text = event_body("d-1", "comment.created", moment, "daily", {"id": 7, "author_name": "Zoë"})
    assert json.loads(text) == {
        "id": "d-1",
        "event": "comment.created",
        "created_at": "2026-03-01T12:30:00Z",
        "site": "daily",
        "data": {"id": 7, "author_name": "Zoë"},
    }
    assert "Zoë" in text, "UTF-8 as it is, not \\u escapes"


def test_events_default_to_all_and_unknown_ones_are_refused() -> None:
    assert check_events(None) == EVENTS
    assert check_events([]) == EVENTS
    assert check_events(["report.filed", "comment.created", "report.filed"]) == ("comment.created", "report.filed")
    with pytest.raises(Invalid, match="no webhook event 'comment.deleted'"):
        check_events(["comment.deleted"])


def test_a_long_subject_is_hashed_into_the_dedupe_key() -> None:
    assert delivery_key(3, "comment.created", "42") == "hook:3:comment.created:42"
    long_key = delivery_key(3, "comment.created", "x" * 500)
    assert len(long_key) <= MAX_KEY_CHARS and long_key.startswith("hook:3:comment.created:sha256:")


@pytest.mark.parametrize(
    "url",
    ["https://hooks.example/in", "http://hooks.example:8080/pnyx?token=abc", "https://93.184.215.14/x"],
)
def test_public_targets_are_accepted(url: str) -> None:
    assert check_target(url, allow_private=False) == url


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://127.1/",
        "http://2130706433/",
        "http://0x7f000001/",
        "http://localhost:8000/",
        "http://api.localhost./",
        "http://[::1]/",
        "http://[::ffff:10.0.0.1]/",
        "http://10.1.2.3/",
        "http://192.168.0.10/",
        "http://169.254.169.254/latest/meta-data",
        "http://[fe80::1]/",
        "http://[fd00::5]/",
        "http://224.0.0.1/",
        "http://240.0.0.1/",
        "http://0.0.0.0/",
        "http://100.64.0.1/",
    ],
)
def test_private_targets_are_refused_unless_allowed(url: str) -> None:
    with pytest.raises(Invalid, match="PNYX_WEBHOOK_PRIVATE_TARGETS"):
        check_target(url, allow_private=False)
    assert check_target(url, allow_private=True) == url


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://hooks.example/", "http:// or https://"),
        ("https:///path-only", "http:// or https://"),
        ("hooks.example/in", "http:// or https://"),
        ("https://user:pw@hooks.example/", "user name or password"),
        ("https://hooks.example:99999/", "not a valid web address"),
        ("https://hooks.example/a b", "spaces or control"),
        ("https://hooks.example/\x00", "spaces or control"),
        ("https://hooks.example/" + "a" * 2000, "limit is 2,000"),
    ],
)
def test_bad_targets_are_refused_with_a_sentence(url: str, message: str) -> None:
    with pytest.raises(Invalid, match=message):
        check_target(url, allow_private=True)


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.215.14", True),
        ("2606:4700::1111", True),
        ("::ffff:93.184.215.14", True),
        ("::ffff:127.0.0.1", False),
        ("2002:7f00:1::", False),
        ("64:ff9b::a00:1", False),
        ("fec0::1", False),
        ("ff02::1", False),
    ],
)
def test_addresses_embedding_a_private_ipv4_are_not_public(address: str, public: bool) -> None:
    assert is_public_address(ipaddress.ip_address(address)) is public
