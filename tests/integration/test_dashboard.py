"""The dashboard's numbers on both engines: per UTC day, per site set, and the busiest threads of the week."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text

from pnyx.services import dashboard
from pnyx.services import sites as site_service
from pnyx.store import dashboard as store
from tests.conftest import FakeClock
from tests.factories import Api, Reader


@pytest.fixture
def noon(clock: FakeClock) -> datetime:
    """Today at noon UTC: posts placed whole days before it stay on the day they name."""
    clock.now = clock.now.astimezone(UTC).replace(hour=12, minute=0, second=0, microsecond=0)
    return clock.now


async def _site_id(api: Api) -> int:
    return (await site_service.site_by_slug(api.services, api.site)).id


async def _post_at(api: Api, clock: FakeClock, moment: datetime, reader: Reader, key: str) -> dict[str, Any]:
    saved = clock.now
    clock.now = moment
    try:
        return await api.post_ok(reader, key)
    finally:
        clock.now = saved


async def _report(api: Api, comment_id: int) -> None:
    response = await api.client.post(
        f"/api/v1/comments/{comment_id}/report", json={"reason": "abuse"}, headers=Reader().headers()
    )
    assert response.status_code == 201, response.text


async def test_counts_fall_on_the_days_they_happened(api: Api, clock: FakeClock, noon: datetime) -> None:
    old, marta, jonas = Reader(), Reader(), Reader()
    key = api.article()
    await _post_at(api, clock, noon - timedelta(days=40), old, key)
    await _post_at(api, clock, noon - timedelta(days=3), marta, key)
    await _post_at(api, clock, noon - timedelta(days=3), marta, key)
    await _post_at(api, clock, noon, marta, key)
    await _post_at(api, clock, noon, old, key)
    latest = await _post_at(api, clock, noon, jonas, key)
    await _report(api, latest["id"])

    found = await dashboard.activity(api.services, frozenset({await _site_id(api)}))

    chart = found.chart
    assert len(chart.days) == 30 and chart.days[-1] == noon.date()
    assert chart.days[0] == noon.date() - timedelta(days=29)
    comments, reports, newcomers = (series.values for series in chart.series)
    assert comments[-1] == 3 and comments[-4] == 2 and sum(comments) == 5, "the 40-day-old comment is outside"
    assert reports[-1] == 1 and sum(reports) == 1
    # Marta's first comment was three days ago; the old reader's first is outside the window, not today.
    assert newcomers[-4] == 1 and newcomers[-1] == 1 and sum(newcomers) == 2
    assert [series.key for series in chart.series] == ["comments", "reports", "newcomers"]


async def test_other_sites_are_not_counted(api: Api, clock: FakeClock, noon: datetime) -> None:
    await _post_at(api, clock, noon, Reader(), api.article())
    other = await Api.with_new_site(api.client, api.services)
    await _post_at(other, clock, noon, Reader(), other.article())
    mine, theirs = await _site_id(api), await _site_id(other)

    assert (await dashboard.activity(api.services, frozenset({mine}))).chart.series[0].values[-1] == 1
    assert (await dashboard.activity(api.services, frozenset({mine, theirs}))).chart.series[0].values[-1] == 2
    assert (await dashboard.activity(api.services, None)).chart.series[0].values[-1] >= 2
    nothing = await dashboard.activity(api.services, frozenset())
    assert all(sum(series.values) == 0 for series in nothing.chart.series) and nothing.busiest == []


async def test_a_day_is_a_utc_day_whatever_the_session_time_zone(api: Api, clock: FakeClock, noon: datetime) -> None:
    day = noon.date() - timedelta(days=2)
    late = datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=23, minutes=30)
    await _post_at(api, clock, late, Reader(), api.article())
    await _post_at(api, clock, late + timedelta(hours=1), Reader(), api.article())
    sites = frozenset({await _site_id(api)})
    async with api.services.db.read() as conn:
        if conn.dialect.name == "postgresql":
            # 23:30 UTC is already tomorrow in Auckland: the day must not follow the session's zone.
            await conn.execute(text("SET LOCAL TIME ZONE 'Pacific/Auckland'"))
        counts = await store.comments_per_day(conn, sites, late - timedelta(days=1))
    assert counts == {day: 1, day + timedelta(days=1): 1}
    assert all(isinstance(key, date) for key in counts)


async def test_the_busiest_threads_of_the_week_come_first(api: Api, clock: FakeClock, noon: datetime) -> None:
    quiet, busy, old = api.article(), api.article(), api.article()
    for _ in range(3):
        await _post_at(api, clock, noon - timedelta(days=1), Reader(), busy)
    await _post_at(api, clock, noon - timedelta(days=6), Reader(), quiet)
    for _ in range(4):
        await _post_at(api, clock, noon - timedelta(days=10), Reader(), old)

    busiest = (await dashboard.activity(api.services, frozenset({await _site_id(api)}))).busiest

    assert [(thread.key, thread.received) for thread in busiest] == [(busy, 3), (quiet, 1)]
    assert busiest[0].site_slug == api.site and busiest[0].comment_count == 3 and not busiest[0].closed
