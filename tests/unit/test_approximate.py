"""Approximate matching (Myers' bit-vector algorithm) against the textbook dynamic programme, and offset tables."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from pnyx.domain.approximate import Span, best_match, distances
from pnyx.domain.offsets import fold, units_of

SMALL = st.text(alphabet="abc ", max_size=40)


def textbook(text: str, pattern: str, anchored: bool) -> list[int]:
    """Sellers' table, one column per text character: the slow, obviously right answer."""
    column = list(range(len(pattern) + 1))
    found = []
    for j, ch in enumerate(text):
        current = [j + 1 if anchored else 0]
        for i in range(1, len(pattern) + 1):
            current.append(min(column[i] + 1, current[i - 1] + 1, column[i - 1] + (pattern[i - 1] != ch)))
        found.append(current[-1])
        column = current
    return found


@given(SMALL, st.text(alphabet="abc ", min_size=1, max_size=12), st.booleans())
def test_distances_agree_with_the_textbook_table(text: str, pattern: str, anchored: bool) -> None:
    assert distances(text, pattern, anchored=anchored) == textbook(text, pattern, anchored)


def test_the_best_match_spans_the_edited_passage() -> None:
    text = "the quick brown fox jumps over the lazy dog"
    assert best_match(text, "brown fix jumps", 3) == Span(10, 25, 1)
    assert best_match(text, "purple elephants", 3) is None


def test_ties_go_to_the_match_nearest_the_hint() -> None:
    text = "cat dog cat dog cat"
    assert best_match(text, "cot", 1, near=16) == Span(16, 19, 1)
    assert best_match(text, "cot", 1) == Span(0, 3, 1)


@given(st.text(alphabet="a \n\t\u00a0b", max_size=40))
def test_folded_positions_map_back_to_the_original(text: str) -> None:
    folded = fold(text)
    assert " ".join(text.split()) == folded.text.strip()
    for index, ch in enumerate(folded.text):
        original = text[folded.original(index)]
        assert original == ch or (ch == " " and original.isspace())
    assert folded.original(len(folded.text)) == len(text)


@given(st.text(alphabet="a\U0001f600\u00e9", max_size=30))
def test_utf16_offsets_round_trip(text: str) -> None:
    units = units_of(text)
    for index in range(len(text) + 1):
        offset = len(text[:index].encode("utf-16-le")) // 2
        assert units.to_units(index) == offset
        assert units.to_index(offset) == index
