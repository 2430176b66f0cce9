"""Atom 1.0 documents (RFC 4287) for feeds of comments, serialised by ElementTree so every text is escaped.

Ids are tag URIs (RFC 4151) on the host of pnyx's public URL: they stay the same when an article moves,
so feed readers never show an entry twice.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

ATOM = "http://www.w3.org/2005/Atom"
# Part of every id ever issued: changing it would make every feed reader see every entry as new.
TAG_DATE = "2026"
GENERATOR = "pnyx"
# Characters XML 1.0 cannot carry at all, not even escaped (C0 controls, lone surrogates, U+FFFE/U+FFFF).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_DNS_NAME = re.compile(r"^[a-z0-9]([a-z0-9.-]*[a-z0-9])?\Z")


@dataclass(frozen=True, slots=True)
class AtomEntry:
    """One entry: ``content_html`` is HTML already sanitised, carried as escaped text (type="html")."""

    id: str
    title: str
    author: str
    published: datetime
    updated: datetime
    content_html: str
    link: str | None = None


@dataclass(frozen=True, slots=True)
class AtomFeed:
    """A feed: ``author`` names who publishes it (Atom wants one when a feed has no entries)."""

    id: str
    title: str
    author: str
    self_url: str
    updated: datetime
    entries: Sequence[AtomEntry] = ()
    alternate_url: str | None = None


def tag_uri(public_url: str, specific: str) -> str:
    """A tag URI on the host of ``public_url``, like ``tag:comments.example,2026:comment-7``."""
    host = urlsplit(public_url).hostname or ""
    # An IPv6 literal or an odd name cannot be a tag authority.
    authority = host if _DNS_NAME.match(host) else "localhost"
    return f"tag:{authority},{TAG_DATE}:{specific}"


def latest_update(entries: Sequence[AtomEntry], fallback: datetime) -> datetime:
    """When the newest entry last changed; ``fallback`` for a feed without entries."""
    return max((entry.updated for entry in entries), default=fallback)


def render_feed(feed: AtomFeed) -> bytes:
    """The feed as a UTF-8 XML document."""
    # Unprefixed names under a default namespace: ElementTree's default_namespace would refuse plain attributes.
    root = ET.Element("feed", xmlns=ATOM)
    _text(root, "id", feed.id)
    _text(root, "title", feed.title)
    _text(root, "updated", rfc3339(feed.updated))
    _author(root, feed.author)
    _link(root, "self", feed.self_url, "application/atom+xml")
    if feed.alternate_url:
        _link(root, "alternate", feed.alternate_url, "text/html")
    _text(root, "generator", GENERATOR)
    for entry in feed.entries:
        root.append(_entry(entry))
    document: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return document


def rfc3339(moment: datetime) -> str:
    """A timezone-aware time as Atom writes it, in UTC to the second: ``2026-03-01T09:30:00Z``."""
    if moment.tzinfo is None:
        raise ValueError("Atom times need a timezone; pass an aware datetime.")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _entry(entry: AtomEntry) -> ET.Element:
    element = ET.Element("entry")
    _text(element, "id", entry.id)
    _text(element, "title", entry.title)
    _text(element, "published", rfc3339(entry.published))
    _text(element, "updated", rfc3339(entry.updated))
    _author(element, entry.author)
    if entry.link:
        _link(element, "alternate", entry.link, "text/html")
    _text(element, "content", entry.content_html).set("type", "html")
    return element


def _text(parent: ET.Element, name: str, value: str) -> ET.Element:
    # ElementTree escapes markup; characters XML cannot carry at all are dropped instead.
    element = ET.SubElement(parent, name)
    element.text = _NOT_XML.sub("", value)
    return element


def _author(parent: ET.Element, name: str) -> None:
    _text(ET.SubElement(parent, "author"), "name", name)


def _link(parent: ET.Element, rel: str, href: str, media_type: str) -> None:
    ET.SubElement(parent, "link", rel=rel, type=media_type, href=_NOT_XML.sub("", href))
