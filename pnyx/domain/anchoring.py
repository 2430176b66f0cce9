"""Comments anchored to passages of an article: W3C Web Annotation selectors, and finding them again after edits.

A reader's passage is stored as a TextQuoteSelector (the exact words, with up to 64 characters of
context either side) plus, when the browser gives it, a TextPositionSelector (where it was). pnyx
never fetches the article: the browser sends its text, and ``locate`` finds each passage in it,
from the most to the least certain evidence:

1. the exact words; among several occurrences the one whose surroundings agree longest with the
   stored context, then the one nearest the old position;
2. else the closest approximate match (whitespace folded, at most a quarter of the quote's
   characters edited) near the old position, then anywhere in the text;
3. else nothing: the passage was deleted or rewritten, and its comments are orphans.

Positions count UTF-16 code units as the DOM does (``Range`` offsets), so the browser uses them
unchanged. (The W3C model counts code points, which JavaScript cannot index directly.)
"""

from __future__ import annotations

import hashlib
import re
from bisect import bisect_left
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import orjson

from pnyx.domain.approximate import Span, best_match, edit_distance, leading_match
from pnyx.domain.offsets import fold, units_of
from pnyx.domain.text import clean_text
from pnyx.errors import Invalid

QUOTE = "TextQuoteSelector"
POSITION = "TextPositionSelector"
MAX_EXACT_CHARS = 1000
MAX_CONTEXT_CHARS = 64
MAX_POSITION = 1_000_000
# An approximate match must keep at least this share of the quote's characters.
MIN_SIMILARITY = 0.75
# Searched first around the old position: this many quote lengths either side, and at least WINDOW_CHARS.
WINDOW_QUOTES = 2
WINDOW_CHARS = 2000
# Occurrences of a quote whose context is compared, around the old position.
MAX_CANDIDATES = 1000
MAX_QUESTION_CHARS = 200
_LABEL = re.compile(r"^[A-Za-z0-9_.:-]{1,100}\Z")
_FIELDS = {QUOTE: frozenset({"type", "exact", "prefix", "suffix"}), POSITION: frozenset({"type", "start", "end"})}


class AnchorKind(StrEnum):
    PUBLISHER = "publisher"
    READER = "reader"


class Match(StrEnum):
    EXACT = "exact"
    FUZZY = "fuzzy"


@dataclass(frozen=True, slots=True)
class Selector:
    """A passage: its exact words, the context either side, and its old place (UTF-16 offsets) if known."""

    exact: str
    prefix: str = ""
    suffix: str = ""
    start: int | None = None
    end: int | None = None


@dataclass(frozen=True, slots=True)
class Location:
    """Where a passage is in the current text (UTF-16 offsets), and whether its words were found unchanged."""

    start: int
    end: int
    match: Match


@dataclass(frozen=True, slots=True)
class Anchor:
    """A stored anchor: a publisher's prompt (``label`` is its element's id) or a reader's passage."""

    id: int
    thread_id: int
    kind: AnchorKind
    label: str | None
    question: str | None
    selector: Selector | None

    @property
    def exact(self) -> str | None:
        """The quoted words of a reader's passage; None for a publisher's prompt."""
        return self.selector.exact if self.selector else None


@dataclass(frozen=True, slots=True)
class AnchorSpec:
    """An anchor as a new comment names it, before it is stored."""

    kind: AnchorKind
    label: str | None = None
    question: str | None = None
    selector: Selector | None = None

    @property
    def fingerprint(self) -> str:
        """64 characters naming the anchor within its thread: the same prompt or passage twice is one anchor."""
        if self.selector is None:
            # Labels run to 100 characters, so they are hashed to fit; the prefix keeps prompts apart from passages.
            return "p:" + hashlib.sha256(str(self.label).encode()).hexdigest()[:62]
        s = self.selector
        return hashlib.sha256(orjson.dumps([s.exact, s.prefix, s.suffix, s.start, s.end])).hexdigest()


# Reading selectors


def _parts(raw: object) -> dict[str, dict[str, Any]]:
    if not isinstance(raw, list) or not raw:
        raise Invalid("The selector must be a list holding a TextQuoteSelector and optionally a TextPositionSelector.")
    parts: dict[str, dict[str, Any]] = {}
    for part in raw:
        kind = part.get("type") if isinstance(part, dict) else None
        if not isinstance(kind, str) or kind not in _FIELDS:
            raise Invalid("Each selector must be an object whose type is TextQuoteSelector or TextPositionSelector.")
        if kind in parts:
            raise Invalid(f"The selector names more than one {kind}; give each kind once.")
        unknown = sorted(set(part) - _FIELDS[kind])
        if unknown:
            raise Invalid(f"A {kind} has no field {unknown[0]!r}; remove it.")
        parts[kind] = part
    return parts


def _storable(value: str, what: str) -> str:
    try:
        value.encode()
    except UnicodeEncodeError as exc:
        raise Invalid(f"{what} contains half of a surrogate pair, which is not a character.") from exc
    if "\x00" in value:  # no database stores it
        raise Invalid(f"{what} contains a NUL character.")
    return value


def _text(part: dict[str, Any], name: str, limit: int) -> str:
    value = part.get(name, "")
    if not isinstance(value, str):
        raise Invalid(f"The selector's {name} must be a string.")
    if len(value) > limit:
        raise Invalid(f"The selector's {name} is {len(value):,} characters long; the limit is {limit:,}.")
    return _storable(value, f"The selector's {name}")


def _offset(part: dict[str, Any], name: str) -> int:
    value = part.get(name)
    if type(value) is not int or not 0 <= value <= MAX_POSITION:
        raise Invalid(f"The TextPositionSelector's {name} must be a whole number from 0 to {MAX_POSITION:,}.")
    return value


def parse_selector(raw: object) -> Selector:
    """The selector a W3C JSON list describes; refuses anything else with a sentence."""
    parts = _parts(raw)
    if QUOTE not in parts:
        raise Invalid("The selector needs a TextQuoteSelector with the exact words of the passage.")
    quote = parts[QUOTE]
    if "exact" not in quote:
        raise Invalid("The TextQuoteSelector needs `exact`, the words of the passage.")
    exact = _text(quote, "exact", MAX_EXACT_CHARS)
    if not exact.strip():
        raise Invalid("The passage is empty; select some words of the article.")
    prefix, suffix = _text(quote, "prefix", MAX_CONTEXT_CHARS), _text(quote, "suffix", MAX_CONTEXT_CHARS)
    if POSITION not in parts:
        return Selector(exact, prefix, suffix)
    start, end = _offset(parts[POSITION], "start"), _offset(parts[POSITION], "end")
    if start >= end:
        raise Invalid("The TextPositionSelector's start must come before its end.")
    return Selector(exact, prefix, suffix, start, end)


def selector_json(selector: Selector) -> list[dict[str, Any]]:
    """The selector as the W3C JSON list (the position part only when known)."""
    parts: list[dict[str, Any]] = [
        {"type": QUOTE, "exact": selector.exact, "prefix": selector.prefix, "suffix": selector.suffix}
    ]
    if selector.start is not None and selector.end is not None:
        parts.append({"type": POSITION, "start": selector.start, "end": selector.end})
    return parts


def _question(raw: object) -> str | None:
    if raw is None:
        return None
    if not isinstance(raw, str):
        raise Invalid("The anchor's question must be a string.")
    question = " ".join(clean_text(_storable(raw, "The anchor's question")).split())
    if len(question) > MAX_QUESTION_CHARS:
        raise Invalid(f"The anchor's question is {len(question)} characters long; the limit is {MAX_QUESTION_CHARS}.")
    return question or None


def _publisher(raw: dict[str, Any]) -> AnchorSpec:
    label = raw.get("id")
    if not isinstance(label, str) or not _LABEL.match(label):
        raise Invalid(
            "A publisher anchor's id must be 1 to 100 letters, digits or the characters - _ . : "
            "(the value of the element's data-pnyx-inline attribute)."
        )
    return AnchorSpec(AnchorKind.PUBLISHER, label=label, question=_question(raw.get("question")))


_ANCHOR_FIELDS = {
    AnchorKind.PUBLISHER: frozenset({"kind", "id", "question"}),
    AnchorKind.READER: frozenset({"kind", "selector"}),
}


def parse_anchor(raw: object) -> AnchorSpec:
    """The anchor a new comment names: a publisher's prompt by its id, or a reader's passage by its selector."""
    kind = raw.get("kind") if isinstance(raw, dict) else None
    if not isinstance(raw, dict) or not isinstance(kind, str) or kind not in _ANCHOR_FIELDS:
        raise Invalid('The anchor must be an object whose kind is "publisher" or "reader".')
    unknown = sorted(set(raw) - _ANCHOR_FIELDS[AnchorKind(kind)])
    if unknown:
        raise Invalid(f"A {kind} anchor has no field {unknown[0]!r}; remove it.")
    if kind == AnchorKind.PUBLISHER:
        return _publisher(raw)
    if "selector" not in raw:
        raise Invalid("A reader anchor needs `selector`, the W3C selectors of the passage.")
    return AnchorSpec(AnchorKind.READER, selector=parse_selector(raw["selector"]))


# Finding passages


def _occurrences(text: str, exact: str) -> list[int]:
    found, at = [], text.find(exact)
    while at != -1:
        found.append(at)
        at = text.find(exact, at + 1)
    return found


def _agreement(text: str, at: int, selector: Selector) -> int:
    """Characters of stored context that match the text, counted outward from the quote until the first difference."""
    agreed, before, after = 0, selector.prefix, selector.suffix
    while agreed < len(before) and at - agreed > 0 and text[at - agreed - 1] == before[-agreed - 1]:
        agreed += 1
    end, following = at + len(selector.exact), 0
    while following < len(after) and end + following < len(text) and text[end + following] == after[following]:
        following += 1
    return agreed + following


def _exact(text: str, selector: Selector, hint: int | None) -> int | None:
    found = _occurrences(text, selector.exact)
    if len(found) <= 1:
        return found[0] if found else None
    near = 0 if hint is None else hint
    # A one-letter quote may occur thousands of times: weigh the context of those nearest the old place only.
    middle = bisect_left(found, near)
    nearest = found[max(0, middle - MAX_CANDIDATES // 2) : middle + MAX_CANDIDATES // 2]
    return max(nearest, key=lambda at: (_agreement(text, at, selector), -abs(at - near), -at))


def _windows(length: int, quote: int, hint: int | None) -> list[tuple[int, int]]:
    if hint is None:
        return [(0, length)]
    reach = max(WINDOW_QUOTES * quote, WINDOW_CHARS)
    window = (max(0, hint - reach), min(length, hint + quote + reach))
    return [window] if window == (0, length) else [window, (0, length)]


def _max_edits(quote: str) -> int:
    return int(len(quote) * (1 - MIN_SIMILARITY))


def _disagreement(window: str, start: int, end: int, quote: str, before: str, after: str) -> int:
    """Edits between the stored quote and context and what surrounds ``window[start:end]``."""
    return (
        edit_distance(quote, window[start:end])
        + edit_distance(before, window[max(0, start - len(before)) : start])
        + edit_distance(after, window[end : end + len(after)])
    )


def _refined(window: str, span: Span, selector: Selector) -> Span:
    """The match's edges, moved where the stored context agrees better with the text.

    The quote alone prefers a shortened match ("reviewed in spring" is fewer edits from the "reviewed in
    ear" of "reviewed in early spring" than from the whole phrase); the words after it settle the end.
    """
    quote, before, after = (fold(part).text for part in (selector.exact, selector.prefix, selector.suffix))
    if not before and not after:
        return span
    whole = fold(selector.prefix + selector.exact + selector.suffix).text
    lo, hi = max(0, span.start - len(whole)), min(len(window), span.end + len(whole))
    region = best_match(window[lo:hi], whole, _max_edits(whole), span.start - lo - len(before))
    if region is None:
        return span
    inside = window[lo + region.start : lo + region.end]
    start = lo + region.start + leading_match(inside, before)
    end = lo + region.end - leading_match(inside[::-1], after[::-1])
    if start >= end or edit_distance(quote, window[start:end]) > _max_edits(quote):
        return span
    # Context that was itself edited can pull the edges the wrong way: keep whichever agrees better overall.
    if _disagreement(window, start, end, quote, before, after) < _disagreement(
        window, span.start, span.end, quote, before, after
    ):
        return Span(start, end, span.edits)
    return span


def _fuzzy(text: str, selector: Selector, hint: int | None) -> tuple[int, int] | None:
    quote = fold(selector.exact).text
    for lo, hi in _windows(len(text), len(selector.exact), hint):
        window = fold(text[lo:hi])
        near = len(fold(text[lo:hint]).text) if hint is not None and lo <= hint <= hi else None
        # The quote alone decides whether the passage is there: no match of it means none with context either.
        span = best_match(window.text, quote, _max_edits(quote), near)
        if span is not None:
            span = _refined(window.text, span, selector)
            return lo + window.original(span.start), lo + window.original(span.end)
    return None


def locate(text: str, selector: Selector) -> Location | None:
    """Where the passage is in ``text`` now; None when it is gone (an orphan)."""
    units = units_of(text)
    hint = None if selector.start is None else min(units.to_index(selector.start), len(text))
    at = _exact(text, selector, hint)
    if at is not None:
        return Location(units.to_units(at), units.to_units(at + len(selector.exact)), Match.EXACT)
    found = _fuzzy(text, selector, hint)
    if found is None:
        return None
    return Location(units.to_units(found[0]), units.to_units(found[1]), Match.FUZZY)
