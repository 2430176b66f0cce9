"""Cleaning what readers type: bodies, names, e-mail addresses and websites."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pnyx.domain.text import (
    MAX_EMAIL_CHARS,
    MAX_WEBSITE_CHARS,
    clean_body,
    clean_email,
    clean_name,
    clean_text,
    clean_website,
)
from pnyx.errors import Invalid, TooLarge

FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # man, ZWJ, woman, ZWJ, girl
RAINBOW_FLAG = "\U0001f3f3\ufe0f\u200d\U0001f308"


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("e\u0301", "\u00e9"),
        ("Cafe\u0301 au lait", "Caf\u00e9 au lait"),
        ("one\r\ntwo", "one\ntwo"),
        ("one\rtwo", "one\ntwo"),
        ("one\u2028two", "one\ntwo"),
        ("one\u2029two", "one\n\ntwo"),
        ("nul\x00byte", "nulbyte"),
        ("\x1b[31mred\x1b[0m", "[31mred[0m"),
        ("bell\x07 del\x7f c1\x85\x9b", "bell del c1"),
        ("keep\ttabs\nand lines", "keep\ttabs\nand lines"),
        ("abc\u202edcba", "abcdcba"),
        ("\u202aembedded\u202c \u2066isolated\u2069 \u200e", "embedded isolated \u200e"),
        ("\ufeffbom", "bom"),
        (FAMILY, FAMILY),
        (RAINBOW_FLAG, RAINBOW_FLAG),
        ("\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645", "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"),
    ],
)
def test_clean_text(raw: str, clean: str) -> None:
    assert clean_text(raw) == clean


@given(st.text())
def test_clean_text_output_is_nfc_and_free_of_controls(raw: str) -> None:
    clean = clean_text(raw)
    assert unicodedata.is_normalized("NFC", clean)
    assert "\r" not in clean
    assert all(ch in "\n\t" or unicodedata.category(ch) != "Cc" for ch in clean)
    assert not any(0x202A <= ord(ch) <= 0x202E or 0x2066 <= ord(ch) <= 0x2069 for ch in clean)
    assert clean_text(clean) == clean


def test_clean_text_normalises_after_dropping_controls() -> None:
    # Dropping the NUL brings the accent next to its letter: the result must still be NFC.
    assert clean_text("e\x00\u0301") == "\u00e9"
    assert clean_text("e\u202e\u0301") == "\u00e9"


def test_clean_body_trims() -> None:
    assert clean_body("  \n Hello\r\nthere \n\n", max_chars=100) == "Hello\nthere"


@pytest.mark.parametrize("raw", ["", "   ", "\n\n\t", "\r\n", "\x00\u202e", "\u2028\u2029"])
def test_clean_body_refuses_empty(raw: str) -> None:
    with pytest.raises(Invalid) as caught:
        clean_body(raw, max_chars=100)
    assert caught.value.status == 422
    assert caught.value.code == "invalid"


def test_clean_body_accepts_exactly_the_limit() -> None:
    assert clean_body("x" * 100, max_chars=100) == "x" * 100
    assert clean_body("  " + "x" * 100 + "  ", max_chars=100) == "x" * 100


def test_clean_body_counts_characters_after_normalising() -> None:
    # 100 letters each with a combining accent are 200 code points in, 100 characters out.
    assert clean_body("e\u0301" * 100, max_chars=100) == "\u00e9" * 100


def test_clean_body_refuses_over_long() -> None:
    with pytest.raises(TooLarge) as caught:
        clean_body("x" * 101, max_chars=100)
    assert caught.value.status == 413
    assert caught.value.code == "too_large"
    assert "101" in caught.value.detail and "100" in caught.value.detail


@pytest.mark.parametrize(
    ("raw", "name"),
    [
        ("Ana", "Ana"),
        ("  Ana   Lima ", "Ana Lima"),
        ("Ana\n\tLima", "Ana Lima"),
        ("Ana\u202eamiL", "AnaamiL"),
        ("Jose\u0301", "Jos\u00e9"),
        ("", None),
        ("   ", None),
        ("\x00", None),
        (None, None),
    ],
)
def test_clean_name(raw: str | None, name: str | None) -> None:
    assert clean_name(raw, max_chars=20) == name


def test_clean_name_limit() -> None:
    assert clean_name("x" * 20, max_chars=20) == "x" * 20
    assert clean_name("a" + " " * 30 + "b", max_chars=3) == "a b"
    with pytest.raises(Invalid):
        clean_name("x" * 21, max_chars=20)


@pytest.mark.parametrize(
    ("raw", "email"),
    [
        ("ana@example.org", "ana@example.org"),
        ("  ana@example.org ", "ana@example.org"),
        ("Ana.Lima@Example.ORG", "Ana.Lima@example.org"),
        ("ana+news@mail.example.co.uk", "ana+news@mail.example.co.uk"),
        ("", None),
        ("   ", None),
        (None, None),
    ],
)
def test_clean_email_keeps_valid(raw: str | None, email: str | None) -> None:
    assert clean_email(raw) == email


@pytest.mark.parametrize(
    "raw",
    [
        "ana",
        "ana@",
        "@example.org",
        "ana@localhost",
        "ana@@example.org",
        "ana@exa mple.org",
        "a na@example.org",
        "ana@example..org",
        "ana@example.org.",
        "ana@.example.org",
        "x" * 65 + "@example.org",
        "ana@" + "x" * MAX_EMAIL_CHARS + ".org",
    ],
)
def test_clean_email_refuses_invalid(raw: str) -> None:
    with pytest.raises(Invalid):
        clean_email(raw)


@pytest.mark.parametrize(
    ("raw", "website"),
    [
        ("https://example.org", "https://example.org"),
        ("http://example.org/about?x=1", "http://example.org/about?x=1"),
        ("  https://example.org/  ", "https://example.org/"),
        ("HTTPS://Example.org", "HTTPS://Example.org"),
        ("", None),
        ("  ", None),
        (None, None),
    ],
)
def test_clean_website_keeps_http_and_https(raw: str | None, website: str | None) -> None:
    assert clean_website(raw) == website


@pytest.mark.parametrize(
    "raw",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        " javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "ftp://example.org",
        "mailto:ana@example.org",
        "example.org",
        "//example.org",
        "https://",
        "https:///path",
        "https://exa mple.org",
        'https://example.org/" onmouseover="alert(1)',
        "http://[::1",
        "https://example.org/" + "x" * MAX_WEBSITE_CHARS,
    ],
)
def test_clean_website_refuses(raw: str) -> None:
    with pytest.raises(Invalid):
        clean_website(raw)
