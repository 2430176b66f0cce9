"""Opaque keyset cursors: they round-trip, and anything damaged or foreign is refused."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pnyx.domain.models import MAX_ID, BodyFormat, Comment, CommentStatus, Sort
from pnyx.domain.paging import MAX_CURSOR_CHARS, decode_cursor, encode_cursor, sort_key
from pnyx.domain.ranking import RANK_SCALE, rank
from pnyx.errors import BadRequest

WHEN = datetime(2025, 3, 4, 5, 6, 7, 890123, tzinfo=UTC)
COMMENT_IDS = st.integers(min_value=1, max_value=MAX_ID)
RANKS = st.integers(min_value=0, max_value=RANK_SCALE)
TIMES = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC))


def forged(*values: Any) -> str:
    """A cursor made by hand from JSON text, the way a curious reader would."""
    return base64.urlsafe_b64encode(orjson.dumps(list(values))).decode().rstrip("=")


def a_comment(up: int, down: int, created_at: datetime, comment_id: int = 7) -> Comment:
    return Comment(
        id=comment_id,
        thread_id=1,
        parent_id=None,
        root_id=None,
        reply_to_id=None,
        depth=0,
        identity_id=None,
        author_name=None,
        author_email=None,
        website=None,
        body_source="x",
        body_format=BodyFormat.MARKDOWN,
        body_html="<p>x</p>",
        status=CommentStatus.APPROVED,
        up=up,
        down=down,
        pinned=False,
        featured=False,
        created_at=created_at,
        edited_at=None,
    )


@pytest.mark.parametrize(
    ("sort", "position"),
    [
        (Sort.BEST, (722_467_200, 42)),
        (Sort.BEST, (0, 1)),
        (Sort.NEWEST, (WHEN, 7)),
        (Sort.OLDEST, (WHEN, 7)),
        (Sort.OLDEST, (datetime(2025, 1, 1, tzinfo=timezone(timedelta(hours=-5))), 3)),
    ],
)
def test_round_trip(sort: Sort, position: tuple[Any, int]) -> None:
    cursor = encode_cursor(sort, position)
    assert decode_cursor(cursor, sort) == position
    assert len(cursor) <= MAX_CURSOR_CHARS
    assert set(cursor) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


@pytest.mark.parametrize("sort", list(Sort))
def test_round_trip_of_a_comment_position(sort: Sort) -> None:
    position = sort_key(a_comment(10, 2, WHEN), sort)
    assert decode_cursor(encode_cursor(sort, position), sort) == position


def test_sort_key() -> None:
    c = a_comment(10, 0, WHEN, comment_id=9)
    assert sort_key(c, Sort.BEST) == (rank(10, 0), 9)
    assert sort_key(c, Sort.NEWEST) == (WHEN, 9)
    assert sort_key(c, Sort.OLDEST) == (WHEN, 9)


@given(RANKS, COMMENT_IDS)
def test_best_cursor_round_trip(value: int, comment_id: int) -> None:
    assert decode_cursor(encode_cursor(Sort.BEST, (value, comment_id)), Sort.BEST) == (value, comment_id)


@given(st.sampled_from([Sort.NEWEST, Sort.OLDEST]), TIMES, COMMENT_IDS)
def test_time_cursor_round_trip(sort: Sort, when: datetime, comment_id: int) -> None:
    cursor = encode_cursor(sort, (when, comment_id))
    assert decode_cursor(cursor, sort) == (when, comment_id)
    assert len(cursor) <= MAX_CURSOR_CHARS


def assert_refused(cursor: str, sort: Sort) -> None:
    with pytest.raises(BadRequest) as caught:
        decode_cursor(cursor, sort)
    assert caught.value.code == "invalid_cursor"
    assert caught.value.status == 400


@pytest.mark.parametrize("made_for", list(Sort))
@pytest.mark.parametrize("used_for", list(Sort))
def test_cursor_of_another_sort_is_refused(made_for: Sort, used_for: Sort) -> None:
    position: tuple[Any, int] = (123, 4) if made_for is Sort.BEST else (WHEN, 4)
    cursor = encode_cursor(made_for, position)
    if made_for is used_for:
        assert decode_cursor(cursor, used_for) == position
    else:
        assert_refused(cursor, used_for)


@pytest.mark.parametrize(
    "cursor",
    [
        "",
        "!!!!",
        "a",
        "abcde",
        "not a cursor",
        "é",
        "%%%%",
        "x" * (MAX_CURSOR_CHARS + 1),
        base64.urlsafe_b64encode(b"\xff\xfe\xfd").decode(),
        base64.urlsafe_b64encode(b"not json").decode(),
        base64.urlsafe_b64encode(b"{}").decode(),
        base64.urlsafe_b64encode(b'"best"').decode(),
        forged("best", 1),
        forged("best", 1, 2, 3),
        forged("best", None, 2),
        forged("best", "x", 2),
        forged("best", 1, "2"),
        forged("best", 1, None),
        forged("best", 1, 2.0),
        forged("best", 1.5, 2),
        forged("best", "123", 2),
        forged("best", True, 2),
        forged("best", 1, True),
        forged("best", 1, 2**64 - 1),
        forged("best", 2**63, 2),
        forged("best", -1, 2),
        forged("best", 1, MAX_ID + 1),
        forged("best", RANK_SCALE + 1, 2),
        forged("best", 1, -5),
        forged("BEST", 1, 2),
    ],
)
def test_damaged_best_cursor_is_refused(cursor: str) -> None:
    assert_refused(cursor, Sort.BEST)


@pytest.mark.parametrize(
    "cursor",
    [
        forged("newest", "yesterday", 2),
        forged("newest", 1700000000, 2),
        forged("newest", None, 2),
        forged("newest", WHEN.isoformat(), "2"),
        forged("newest", WHEN.isoformat(), True),
        forged("newest", WHEN.isoformat(), 2**63),
        forged("newest", "2025-03-04T05:06:07", 2),
        forged("newest", "9999-12-31T23:59:59-12:00", 2),
        forged("oldest", WHEN.isoformat(), 2),
    ],
)
def test_damaged_newest_cursor_is_refused(cursor: str) -> None:
    assert_refused(cursor, Sort.NEWEST)


def test_too_long_cursor_is_refused_before_decoding() -> None:
    valid = encode_cursor(Sort.BEST, (1, 2))
    assert_refused(valid + "A" * (MAX_CURSOR_CHARS + 1 - len(valid)), Sort.BEST)


@given(st.text(max_size=MAX_CURSOR_CHARS + 10), st.sampled_from(list(Sort)))
def test_any_string_decodes_or_is_refused_cleanly(cursor: str, sort: Sort) -> None:
    try:
        first, comment_id = decode_cursor(cursor, sort)
    except BadRequest as exc:
        assert exc.code == "invalid_cursor"
        return
    assert type(comment_id) is int
    assert isinstance(first, int if sort is Sort.BEST else datetime)
