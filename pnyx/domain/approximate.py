"""Approximate string matching: where in a text a pattern occurs with the fewest edits.

Myers' bit-parallel algorithm ("A fast bit-vector algorithm for approximate string matching based
on dynamic programming", JACM 1999, in Hyyrö's formulation) keeps a whole column of the edit-distance
table in two integers, so each character of the text costs a few integer operations whatever the
pattern's length. Python's integers have no width limit, so a 1,000-character pattern needs no blocks.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Span:
    """``text[start:end]`` is within ``edits`` insertions, deletions and substitutions of the pattern."""

    start: int
    end: int
    edits: int


def _positions(pattern: str) -> dict[str, int]:
    table: dict[str, int] = {}
    for i, ch in enumerate(pattern):
        table[ch] = table.get(ch, 0) | (1 << i)
    return table


def distances(text: str, pattern: str, *, anchored: bool = False) -> list[int]:
    """Entry ``j``: the fewest edits turning ``pattern`` into a substring of ``text`` ending at ``j + 1``.

    ``anchored`` pins the substring's start to the start of ``text``.
    """
    size = len(pattern)
    mask, high = (1 << size) - 1, 1 << (size - 1)
    table = _positions(pattern)
    carry = 1 if anchored else 0  # row 0 costs one per text character only when the start is pinned
    pv, mv, score = mask, 0, size
    found: list[int] = []
    # Bound methods as locals: this loop runs once per character of a long article.
    lookup, keep = table.get, found.append
    for ch in text:
        eq = lookup(ch, 0)
        xv = eq | mv
        xh = (((eq & pv) + pv) ^ pv) | eq
        ph = mv | (mask ^ ((xh | pv) & mask))
        mh = pv & xh
        if ph & high:
            score += 1
        elif mh & high:
            score -= 1
        ph = ((ph << 1) | carry) & mask
        mh = (mh << 1) & mask
        pv = mh | (mask ^ ((xv | ph) & mask))
        mv = ph & xv
        keep(score)
    return found


def _nearest(values: list[int], target: int, wanted: int | None) -> int:
    hits = [j for j, value in enumerate(values) if value == target]
    return hits[0] if wanted is None else min(hits, key=lambda j: abs(j - wanted))


def leading_match(text: str, pattern: str) -> int:
    """The length of the start of ``text`` that is closest to ``pattern`` (ties: the length nearest the pattern's)."""
    if not pattern or not text:
        return 0
    found = distances(text, pattern, anchored=True)
    return _nearest(found, min(found), len(pattern) - 1) + 1


def edit_distance(first: str, second: str) -> int:
    """The fewest insertions, deletions and substitutions turning ``first`` into ``second``."""
    if not first or not second:
        return len(first) + len(second)
    return distances(second, first, anchored=True)[-1]


def best_match(text: str, pattern: str, max_edits: int, near: int | None = None) -> Span | None:
    """The substring of ``text`` closest to ``pattern`` within ``max_edits``; ties go to the one nearest ``near``."""
    if not pattern or not text:
        return None
    ends = distances(text, pattern)
    edits = min(ends)
    if edits > max_edits:
        return None
    end = _nearest(ends, edits, None if near is None else near + len(pattern) - 1) + 1
    # The start: the same search run backwards from the end, pinned there.
    before = text[max(0, end - len(pattern) - max_edits) : end]
    return Span(end - leading_match(before[::-1], pattern[::-1]), end, edits)
