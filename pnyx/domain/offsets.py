"""Translating positions in an article's text: Python's code points, the DOM's UTF-16 units, folded whitespace.

Browsers count offsets in UTF-16 code units (``String.length``, ``Range`` offsets), Python in code
points; they differ after every character outside the Basic Multilingual Plane (most emoji).
Folding turns every run of whitespace into one space, so re-indented HTML or a doubled space does
not count as an edit of a quoted passage; ``Folded.original`` maps a folded position back.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import lru_cache

_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_SPACES = re.compile(r"\s+")
_LONG_SPACES = re.compile(r"\s{2,}")


@dataclass(frozen=True, slots=True)
class Units:
    """Converts between code point indices and UTF-16 offsets of one text."""

    # The UTF-16 offset just after each astral character (each takes two units), in order.
    astral_ends: tuple[int, ...]
    astral: tuple[int, ...]

    def to_units(self, index: int) -> int:
        """The UTF-16 offset of code point ``index``."""
        return index + bisect_left(self.astral, index)

    def to_index(self, units: int) -> int:
        """The code point index at UTF-16 offset ``units`` (an offset inside a pair counts as before it)."""
        return units - bisect_right(self.astral_ends, units)


@lru_cache(maxsize=8)
def units_of(text: str) -> Units:
    """The offset table of ``text`` (kept for the few texts in use: every anchor of an article shares one)."""
    astral = tuple(found.start() for found in _ASTRAL.finditer(text))
    return Units(tuple(index + k + 2 for k, index in enumerate(astral)), astral)


@dataclass(frozen=True, slots=True)
class Folded:
    """A text with each whitespace run turned into one space, and the way back to the original positions."""

    text: str
    # Folded position of each run that lost characters, and how many all runs up to it lost.
    runs: tuple[int, ...]
    lost: tuple[int, ...]

    def original(self, index: int) -> int:
        """The position in the original text of folded position ``index``."""
        before = bisect_left(self.runs, index)
        return index + (self.lost[before - 1] if before else 0)


@lru_cache(maxsize=8)
def fold(text: str) -> Folded:
    """``text`` with its whitespace folded."""
    runs: list[int] = []
    lost: list[int] = []
    total = 0
    for found in _LONG_SPACES.finditer(text):
        runs.append(found.start() - total)
        total += found.end() - found.start() - 1
        lost.append(total)
    return Folded(_SPACES.sub(" ", text), tuple(runs), tuple(lost))
