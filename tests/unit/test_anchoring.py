"""Finding a reader's passage again in an article that may have changed, and reading W3C selectors."""

from __future__ import annotations

import random
import string
import time
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pnyx.domain.anchoring import (
    AnchorKind,
    AnchorSpec,
    Location,
    Match,
    Selector,
    locate,
    parse_anchor,
    parse_selector,
    selector_json,
)
from pnyx.errors import Invalid

ARTICLE = (
    "The city council voted on Tuesday to keep the night buses running through the winter. "
    "Supporters said the late routes are the only way home for nurses, cooks and cleaners. "
    "Critics pointed to the cost, which has doubled since the service began. "
    "The vote was close: seven members in favour, six against. "
    "The mayor said the decision would be reviewed in spring, when new ridership figures arrive."
)


def cut(text: str, passage: str, context: int = 32) -> Selector:
    """The selector a browser would send for the first occurrence of ``passage`` (all ASCII, so units = indices)."""
    start = text.index(passage)
    end = start + len(passage)
    return Selector(passage, text[max(0, start - context) : start], text[end : end + context], start, end)


def found(text: str, selector: Selector) -> str:
    location = locate(text, selector)
    assert location is not None
    return text[location.start : location.end]


# Exact matches


def test_an_unchanged_passage_is_found_exactly_where_it_was() -> None:
    selector = cut(ARTICLE, "the only way home for nurses")
    assert locate(ARTICLE, selector) == Location(selector.start or 0, selector.end or 0, Match.EXACT)


def test_a_repeated_quote_is_told_apart_by_its_context() -> None:
    text = "Prices rose in March. Wages did not. Prices rose in April, and again wages did not."
    second = text.index("wages did not")
    selector = Selector("did not", prefix="and again wages ", suffix=".")
    location = locate(text, selector)
    assert location == Location(second + len("wages "), second + len("wages did not"), Match.EXACT)


def test_context_outweighs_the_old_position() -> None:
    text = "yes. no. yes. maybe yes."
    # The stored position points at the first "yes", but the context names the last one.
    selector = Selector("yes", prefix="maybe ", suffix=".", start=0, end=3)
    assert locate(text, selector) == Location(20, 23, Match.EXACT)


def test_a_repeated_quote_without_context_goes_to_the_nearest_old_position() -> None:
    text = "ok " * 20
    selector = Selector("ok", start=31, end=33)
    assert locate(text, selector) == Location(30, 32, Match.EXACT)


def test_without_context_or_position_the_first_occurrence_wins() -> None:
    assert locate("ab ab ab", Selector("ab")) == Location(0, 2, Match.EXACT)


# After the article was edited


def test_a_changed_word_is_found_approximately() -> None:
    selector = cut(ARTICLE, "Critics pointed to the cost, which has doubled since the service began.")
    edited = ARTICLE.replace("doubled", "tripled")
    assert found(edited, selector) == "Critics pointed to the cost, which has tripled since the service began."
    location = locate(edited, selector)
    assert location is not None and location.match is Match.FUZZY


def test_a_sentence_inserted_before_moves_the_passage_but_it_is_found_exactly() -> None:
    selector = cut(ARTICLE, "seven members in favour, six against")
    edited = "Updated on Wednesday with the final count. " + ARTICLE
    location = locate(edited, selector)
    assert location is not None and location.match is Match.EXACT
    assert edited[location.start : location.end] == "seven members in favour, six against"


def test_an_inserted_sentence_and_a_changed_word_together() -> None:
    selector = cut(ARTICLE, "The mayor said the decision would be reviewed in spring")
    edited = ("A correction was appended to this article. " * 5 + ARTICLE).replace("in spring", "in early spring")
    assert found(edited, selector) == "The mayor said the decision would be reviewed in early spring"


def test_a_sentence_removed_just_before_a_changed_passage_does_not_move_its_start() -> None:
    passage = "Critics pointed to the cost, which has doubled since the service began."
    selector = cut(ARTICLE, passage)
    removed = "Supporters said the late routes are the only way home for nurses, cooks and cleaners. "
    edited = ARTICLE.replace(removed, "").replace("has doubled", "has nearly doubled")
    assert found(edited, selector) == passage.replace("has doubled", "has nearly doubled")


def test_whitespace_and_punctuation_edits_are_tolerated() -> None:
    selector = cut(ARTICLE, "The vote was close: seven members in favour, six against.")
    edited = ARTICLE.replace("The vote was close: seven", "The vote was close \u2014\n    seven").replace(
        "favour, six", "favour;  six"
    )
    text = found(edited, selector)
    assert text.startswith("The vote was close") and text.endswith("six against.")
    location = locate(edited, selector)
    assert location is not None and location.match is Match.FUZZY


def test_reindented_markup_alone_is_a_fuzzy_match_covering_the_whole_passage() -> None:
    selector = cut(ARTICLE, "keep the night buses running through the winter")
    edited = ARTICLE.replace("night buses running", "night\n        buses\n        running")
    assert found(edited, selector) == "keep the night\n        buses\n        running through the winter"


def test_a_passage_that_was_deleted_is_an_orphan() -> None:
    selector = cut(ARTICLE, "Critics pointed to the cost, which has doubled since the service began. ")
    edited = ARTICLE.replace(selector.exact, "")
    assert locate(edited, selector) is None


def test_a_passage_that_was_rewritten_is_an_orphan() -> None:
    selector = cut(ARTICLE, "Supporters said the late routes are the only way home for nurses, cooks and cleaners.")
    edited = ARTICLE.replace(selector.exact, "Unions welcomed the decision and promised to keep campaigning.")
    assert locate(edited, selector) is None


def test_a_short_quote_must_be_found_exactly() -> None:
    assert locate("the cat sat", Selector("cot")) is None


def test_positions_count_utf16_units_like_the_dom() -> None:
    text = "\U0001f44d Great point \U0001f44d about buses"
    # In JavaScript, "about" starts at 18: each emoji counts two units.
    selector = Selector("about", start=18, end=23)
    assert locate(text, selector) == Location(18, 23, Match.EXACT)
    edited = "\U0001f525" + text.replace("about", "abuot")
    location = locate(edited, Selector("about buses", start=18, end=29))
    assert location == Location(20, 31, Match.FUZZY)


def test_a_position_past_the_end_of_the_text_is_only_a_hint() -> None:
    assert locate(ARTICLE, Selector("night buses", start=999_000, end=999_011)) is not None


def _article(rng: random.Random, words: int) -> str:
    vocabulary = ["".join(rng.choices(string.ascii_lowercase, k=rng.randint(2, 10))) for _ in range(4000)]
    return " ".join(rng.choice(vocabulary) for _ in range(words))


def test_locating_in_a_long_article_is_fast() -> None:
    rng = random.Random(4)
    text = _article(rng, 6000)[:30_000]
    quote = text[15_000:16_000]
    orphan = Selector(_article(rng, 200)[:1000], start=15_000, end=16_000)
    fuzzy = Selector(quote[:400] + "something else entirely" + quote[423:], start=15_000, end=16_000)
    took = []
    for selector in (orphan, fuzzy, cut(text, quote)):
        began = time.perf_counter()
        locate(text, selector)
        took.append(time.perf_counter() - began)
    assert max(took) < 0.2, took  # about 20-40 ms here; the margin is for slow CI machines


# Property: a passage cut from any text is found at its place


@given(
    st.text(alphabet="ab \n\u00e9\U0001f600", min_size=1, max_size=300),
    st.data(),
)
def test_a_quote_cut_from_the_text_is_found_exactly_at_its_place(text: str, data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    exact = text[start:end]
    units = [len(text[:i].encode("utf-16-le")) // 2 for i in (start, end)]
    selector = Selector(exact, text[max(0, start - 64) : start], text[end : end + 64], units[0], units[1])
    assert locate(text, selector) == Location(units[0], units[1], Match.EXACT)


# Reading selectors


def quote(**fields: Any) -> dict[str, Any]:
    return {"type": "TextQuoteSelector", **fields}


def position(start: Any, end: Any) -> dict[str, Any]:
    return {"type": "TextPositionSelector", "start": start, "end": end}


def test_a_full_selector_is_read() -> None:
    raw = [quote(exact="night buses", prefix="keep the ", suffix=" running"), position(40, 51)]
    selector = parse_selector(raw)
    assert selector == Selector("night buses", "keep the ", " running", 40, 51)
    assert selector_json(selector) == raw


def test_the_position_and_the_context_are_optional() -> None:
    assert parse_selector([quote(exact="night buses")]) == Selector("night buses")
    assert selector_json(Selector("x")) == [quote(exact="x", prefix="", suffix="")]


@pytest.mark.parametrize(
    "raw",
    [
        None,
        "night buses",
        {"type": "TextQuoteSelector", "exact": "x"},
        [],
        [position(1, 2)],
        [quote(prefix="a")],
        [quote(exact="")],
        [quote(exact=" \n\t ")],
        [quote(exact="x" * 1001)],
        [quote(exact=7)],
        [quote(exact=None)],
        [quote(exact="x", prefix="p" * 65)],
        [quote(exact="x", suffix="s" * 65)],
        [quote(exact="x", prefix=None)],
        [quote(exact="x", colour="red")],
        [quote(exact="x\x00y")],
        [quote(exact="x\ud800")],
        [quote(exact="x"), quote(exact="y")],
        [quote(exact="x"), {"type": "CssSelector", "value": "p"}],
        [quote(exact="x"), {"type": ["TextQuoteSelector"]}],
        [quote(exact="x"), "TextPositionSelector"],
        [quote(exact="x"), position(5, 5)],
        [quote(exact="x"), position(6, 5)],
        [quote(exact="x"), position(-1, 5)],
        [quote(exact="x"), position(0, 1_000_001)],
        [quote(exact="x"), position(0.5, 5)],
        [quote(exact="x"), position(True, 5)],
        [quote(exact="x"), position("1", "5")],
        [quote(exact="x"), {"type": "TextPositionSelector", "start": 1}],
        [quote(exact="x"), {**position(1, 2), "extra": 1}],
    ],
)
def test_selectors_that_are_not_valid_are_refused_with_a_sentence(raw: Any) -> None:
    with pytest.raises(Invalid) as refused:
        parse_selector(raw)
    assert refused.value.detail.endswith(".") and len(refused.value.detail.split()) >= 4


def test_the_longest_allowed_values_are_accepted() -> None:
    raw = [quote(exact="x" * 1000, prefix="p" * 64, suffix="s" * 64), position(0, 1_000_000)]
    assert parse_selector(raw).exact == "x" * 1000


# Reading the anchor of a new comment


def test_a_publisher_anchor_is_read_with_its_question_tidied() -> None:
    spec = parse_anchor({"kind": "publisher", "id": "prompt-1.a:b_c", "question": "  Do you\n agree? "})
    assert spec == AnchorSpec(AnchorKind.PUBLISHER, label="prompt-1.a:b_c", question="Do you agree?")
    assert parse_anchor({"kind": "publisher", "id": "p", "question": " "}).question is None


def test_a_reader_anchor_is_read_with_its_selector() -> None:
    spec = parse_anchor({"kind": "reader", "selector": [quote(exact="night buses")]})
    assert spec == AnchorSpec(AnchorKind.READER, selector=Selector("night buses"))


@pytest.mark.parametrize(
    "raw",
    [
        None,
        [],
        {"kind": "other"},
        {"kind": ["publisher"]},
        {"id": "p1"},
        {"kind": "publisher"},
        {"kind": "publisher", "id": ""},
        {"kind": "publisher", "id": "x" * 101},
        {"kind": "publisher", "id": "has space"},
        {"kind": "publisher", "id": "<b>"},
        {"kind": "publisher", "id": 7},
        {"kind": "publisher", "id": "p1", "question": "?" * 201},
        {"kind": "publisher", "id": "p1", "question": 3},
        {"kind": "publisher", "id": "p1", "selector": []},
        {"kind": "reader"},
        {"kind": "reader", "selector": "x"},
        {"kind": "reader", "selector": [quote(exact="x")], "id": "p1"},
    ],
)
def test_anchors_that_are_not_valid_are_refused_with_a_sentence(raw: Any) -> None:
    with pytest.raises(Invalid) as refused:
        parse_anchor(raw)
    assert refused.value.detail.endswith(".")


def test_fingerprints_name_the_same_prompt_or_passage_the_same_way() -> None:
    prompt = AnchorSpec(AnchorKind.PUBLISHER, label="p1", question="Agree?")
    assert prompt.fingerprint == AnchorSpec(AnchorKind.PUBLISHER, label="p1").fingerprint
    assert prompt.fingerprint != AnchorSpec(AnchorKind.PUBLISHER, label="p2").fingerprint
    passage = AnchorSpec(AnchorKind.READER, selector=Selector("x", "a", "b", 1, 2))
    assert passage.fingerprint == AnchorSpec(AnchorKind.READER, selector=Selector("x", "a", "b", 1, 2)).fingerprint
    assert passage.fingerprint != AnchorSpec(AnchorKind.READER, selector=Selector("x", "a", "b", 3, 4)).fingerprint
    long_label = AnchorSpec(AnchorKind.PUBLISHER, label="x" * 100)
    assert all(len(spec.fingerprint) == 64 for spec in (prompt, passage, long_label))
