"""Atom documents: the structure RFC 4287 requires, and user text that stays text."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from pnyx.domain.atom import ATOM, AtomEntry, AtomFeed, latest_update, render_feed, rfc3339, tag_uri

NS = {"a": ATOM}
CREATED = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
HOSTILE_BODY = '<p>Tom &amp; Jerry say "hi" &lt;script&gt;alert(1)&lt;/script&gt;</p>'
HOSTILE_TITLE = "Ana said <script>alert(\"x\")</script> & 'left'"
HOSTILE_NAME = "Bo ]]> <b>bold</b> & co"


def _entry(number: int = 1, **changes: Any) -> AtomEntry:
    entry = AtomEntry(
        id=f"tag:comments.example,2026:comment-{number}",
        title=f"Reader {number} commented",
        author=f"Reader {number}",
        published=CREATED + timedelta(minutes=number),
        updated=CREATED + timedelta(minutes=number),
        content_html=f"<p>Comment {number}</p>",
        link=f"https://news.example/a#pnyx-comment-{number}",
    )
    return replace(entry, **changes)


def _feed(*entries: AtomEntry, **changes: Any) -> AtomFeed:
    feed = AtomFeed(
        id="tag:comments.example,2026:thread-7",
        title="Comments on “Night buses”",
        author="The Daily Example",
        self_url="https://comments.example/feeds/thread.atom?site=daily&key=night-buses",
        updated=latest_update(entries, CREATED),
        entries=entries,
        alternate_url="https://news.example/night-buses",
    )
    return replace(feed, **changes)


def _parse(feed: AtomFeed) -> ET.Element:
    return ET.fromstring(render_feed(feed))


def _text(element: ET.Element, path: str) -> str:
    found = element.find(path, NS)
    assert found is not None, path
    return found.text or ""


def test_feed_is_in_the_atom_namespace_with_its_required_elements() -> None:
    root = _parse(_feed(_entry(1)))
    assert root.tag == f"{{{ATOM}}}feed"
    assert _text(root, "a:id") == "tag:comments.example,2026:thread-7"
    assert _text(root, "a:title") == "Comments on “Night buses”"
    assert _text(root, "a:updated") == "2026-03-01T09:31:00Z"
    assert _text(root, "a:author/a:name") == "The Daily Example"
    links = {link.get("rel"): link for link in root.findall("a:link", NS)}
    assert links["self"].get("href") == "https://comments.example/feeds/thread.atom?site=daily&key=night-buses"
    assert links["self"].get("type") == "application/atom+xml"
    assert links["alternate"].get("href") == "https://news.example/night-buses"


def test_every_entry_has_id_title_updated_author_content_and_link() -> None:
    root = _parse(_feed(_entry(2), _entry(1)))
    entries = root.findall("a:entry", NS)
    assert [_text(entry, "a:id") for entry in entries] == [
        "tag:comments.example,2026:comment-2",
        "tag:comments.example,2026:comment-1",
    ]
    for entry in entries:
        for required in ("a:id", "a:title", "a:updated", "a:published", "a:author/a:name"):
            assert _text(entry, required), required
        content = entry.find("a:content", NS)
        assert content is not None and content.get("type") == "html"
        link = entry.find("a:link[@rel='alternate']", NS)
        assert link is not None and link.get("type") == "text/html"


def test_document_is_utf8_xml_with_a_declaration() -> None:
    document = render_feed(_feed(_entry(1, author="Zoë Ægir")))
    assert document.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    assert "Zoë Ægir".encode() in document


def test_html_content_is_carried_as_escaped_text() -> None:
    document = render_feed(_feed(_entry(1, content_html=HOSTILE_BODY)))
    assert b"<script" not in document and b"<p>" not in document
    content = ET.fromstring(document).find("a:entry/a:content", NS)
    assert content is not None
    assert content.text == HOSTILE_BODY
    assert list(content) == []  # text, not child elements


def test_titles_names_and_links_stay_text() -> None:
    link = 'https://news.example/a?x=1&y="2"#pnyx-comment-1'
    document = render_feed(
        _feed(_entry(1, title=HOSTILE_TITLE, author=HOSTILE_NAME, link=link), title=HOSTILE_TITLE, author=HOSTILE_NAME)
    )
    assert b"]]>" not in document and b"<script" not in document and b"<b>" not in document
    root = ET.fromstring(document)
    assert _text(root, "a:title") == HOSTILE_TITLE
    assert _text(root, "a:author/a:name") == HOSTILE_NAME
    entry = root.find("a:entry", NS)
    assert entry is not None
    assert _text(entry, "a:title") == HOSTILE_TITLE
    assert _text(entry, "a:author/a:name") == HOSTILE_NAME
    found = entry.find("a:link", NS)
    assert found is not None and found.get("href") == link


def test_characters_xml_cannot_carry_are_dropped() -> None:
    # A NUL, a vertical tab and a lone surrogate would make the document unparseable or unencodable.
    root = _parse(_feed(_entry(1, author="An\x00a\x0b\ud800", content_html="<p>o\x01k</p>")))
    assert _text(root, "a:entry/a:author/a:name") == "Ana"
    assert _text(root, "a:entry/a:content") == "<p>ok</p>"


def test_an_empty_feed_is_valid_and_dated_by_its_fallback() -> None:
    root = _parse(_feed())
    assert root.findall("a:entry", NS) == []
    assert _text(root, "a:updated") == "2026-03-01T09:30:00Z"
    # Without entries the feed itself must name an author (RFC 4287 section 4.1.1).
    assert _text(root, "a:author/a:name") == "The Daily Example"


def test_feed_without_article_has_no_alternate_link() -> None:
    root = _parse(_feed(_entry(1, link=None), alternate_url=None))
    assert [link.get("rel") for link in root.findall("a:link", NS)] == ["self"]
    assert root.findall("a:entry/a:link", NS) == []


def test_latest_update_takes_the_newest_entry_change() -> None:
    edited = _entry(1, updated=CREATED + timedelta(hours=5))
    assert latest_update([_entry(2), edited], CREATED) == CREATED + timedelta(hours=5)
    assert latest_update([], CREATED) == CREATED


def test_times_are_written_in_utc() -> None:
    paris = timezone(timedelta(hours=1))
    assert rfc3339(datetime(2026, 3, 1, 10, 30, 15, 999, tzinfo=paris)) == "2026-03-01T09:30:15Z"
    with pytest.raises(ValueError, match="timezone"):
        rfc3339(datetime(2026, 3, 1, 10, 30))


@pytest.mark.parametrize(
    ("public_url", "expected"),
    [
        ("https://Comments.Example:8443/pnyx", "tag:comments.example,2026:comment-5"),
        ("http://127.0.0.1:8000", "tag:127.0.0.1,2026:comment-5"),
        ("http://[::1]:8000", "tag:localhost,2026:comment-5"),
    ],
)
def test_tag_uris_name_the_public_host(public_url: str, expected: str) -> None:
    assert tag_uri(public_url, "comment-5") == expected
