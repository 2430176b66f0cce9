"""Digest intervals: where a moment falls, when its mail is due, and how a busy interval is cut."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from pnyx.domain.digests import MAX_ITEMS, following, window_of, with_item

moments = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC))


@given(moments, st.integers(min_value=1, max_value=7 * 24 * 60))
def test_a_moment_falls_before_its_windows_due_time_and_within_one_interval(moment: datetime, minutes: int) -> None:
    window = window_of(moment, minutes)
    assert moment < window.due <= moment + timedelta(minutes=minutes)
    assert window_of(window.due - timedelta(microseconds=1), minutes) == window


@given(moments, st.integers(min_value=1, max_value=24 * 60))
def test_the_following_window_starts_where_the_last_one_was_due(moment: datetime, minutes: int) -> None:
    window = window_of(moment, minutes)
    after = following(window, minutes)
    assert after == window_of(window.due, minutes)
    assert after.due - window.due == timedelta(minutes=minutes)


def test_hourly_windows_end_on_the_hour() -> None:
    window = window_of(datetime(2026, 11, 29, 21, 17, 5, tzinfo=UTC), 60)
    assert window.due == datetime(2026, 11, 29, 22, 0, tzinfo=UTC)


def test_a_busy_interval_lists_the_first_items_and_counts_the_rest() -> None:
    items: list[dict[str, object]] = []
    more = 0
    for n in range(MAX_ITEMS + 5):
        items, more = with_item(items, more, {"n": n})
    assert [item["n"] for item in items] == list(range(MAX_ITEMS))
    assert more == 5
