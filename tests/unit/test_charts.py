"""The dashboard's SVG chart: well-formed, accessible, escaped, script-free, and drawn to scale."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pnyx.domain.charts import Chart, Series, describe, scale_top, short_date, svg

NS = {"svg": "http://www.w3.org/2000/svg"}
DAYS = tuple(date(2025, 2, 14) + timedelta(days=offset) for offset in range(30))


def _chart(comments: tuple[int, ...] = tuple(range(30)), title: str = "Activity") -> Chart:
    return Chart(
        title,
        DAYS,
        (
            Series("Comments", "comments", comments),
            Series("Reports", "reports", (0,) * 29 + (3,)),
            Series("New commenters", "newcomers", (1,) * 30),
        ),
    )


def _parse(text: str) -> ET.Element:
    return ET.fromstring(text)


def test_the_svg_names_itself_for_assistive_technology() -> None:
    root = _parse(svg(_chart(), "activity"))
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "activity-title activity-desc"
    assert root.get("viewBox") == "0 0 720 280"
    assert root.get("width") is None and root.get("height") is None, "sized by its container, not in pixels"
    title = root.find("svg:title", NS)
    desc = root.find("svg:desc", NS)
    assert title is not None and title.get("id") == "activity-title" and title.text == "Activity"
    assert desc is not None and desc.get("id") == "activity-desc"
    assert "2025-02-14 to 2025-03-15" in (desc.text or "")


def test_the_description_gives_totals_and_busiest_days() -> None:
    text = describe(_chart())
    assert "Comments: 435 in total, most on 2025-03-15 (29)." in text
    assert "Reports: 3 in total, most on 2025-03-15 (3)." in text
    assert "New commenters: 30 in total, most on 2025-02-14 (1)." in text, "a tie names the earliest day"
    assert "Reports: none." in describe(Chart("t", DAYS, (Series("Reports", "r", (0,) * 30),)))


def test_text_is_escaped_and_nothing_runs() -> None:
    hostile = '</title><script>alert(1)</script><a href="javascript:x">'
    chart = Chart(hostile, DAYS, (Series(hostile, "comments", (1,) * 30),))
    text = svg(chart, "activity")
    root = _parse(text)
    assert root.find(".//svg:script", NS) is None and root.find(".//svg:a", NS) is None
    assert "<script" not in text
    assert not [name for node in root.iter() for name in node.attrib if name.lower().startswith("on")]
    assert "style=" not in text, "colours come from the stylesheet: the page's CSP forbids inline styles"
    title = root.find("svg:title", NS)
    assert title is not None and title.text == hostile


def test_every_mark_draws_in_current_color_with_a_class_per_series() -> None:
    root = _parse(svg(_chart(), "activity"))
    lines = root.findall("svg:polyline", NS)
    assert [line.get("class") for line in lines] == [
        "pnyx-chart__series pnyx-chart__series--comments",
        "pnyx-chart__series pnyx-chart__series--reports",
        "pnyx-chart__series pnyx-chart__series--newcomers",
    ]
    assert {line.get("stroke") for line in lines} == {"currentColor"}
    dashes = [line.get("stroke-dasharray") for line in lines]
    assert len(set(dashes)) == 3, "series differ by pattern, not by colour alone"


def test_points_are_drawn_to_scale() -> None:
    root = _parse(svg(_chart(), "activity"))
    points = [
        tuple(map(float, pair.split(","))) for pair in root.findall("svg:polyline", NS)[0].get("points", "").split()
    ]
    assert len(points) == 30
    assert points[0] == (44.0, 252.0), "zero sits on the baseline at the left edge"
    assert points[-1][0] == 708.0
    # The axis tops out at 40 for a peak of 29: 29/40 of the 216-unit plot above the baseline.
    assert points[-1][1] == pytest.approx(252 - 216 * 29 / 40, abs=0.05)
    xs = [x for x, _ in points]
    assert xs == sorted(xs)


def test_axis_labels_show_the_ends_and_weeks_between() -> None:
    texts = [node.text for node in _parse(svg(_chart(), "activity")).iter("{http://www.w3.org/2000/svg}text")]
    assert "14 Feb" in texts and "15 Mar" in texts and "21 Feb" in texts
    assert ["0", "10", "20", "30", "40"] == [text for text in texts if text and text.isdigit()]


def test_a_bar_chart_draws_one_rect_per_nonzero_value() -> None:
    root = _parse(svg(_chart(), "activity", kind="bar"))
    assert root.get("class") == "pnyx-chart pnyx-chart--bar"
    rects = root.findall(".//svg:rect", NS)
    assert len(rects) == 29 + 1 + 30
    assert all(float(rect.get("height", "0")) > 0 for rect in rects)


def test_an_empty_month_still_draws_a_readable_axis() -> None:
    root = _parse(svg(_chart(comments=(0,) * 30), "quiet"))
    assert root.find("svg:polyline", NS) is not None
    assert scale_top(0) == 4


@pytest.mark.parametrize(
    ("peak", "top"), [(0, 4), (4, 4), (5, 8), (9, 20), (21, 40), (41, 80), (81, 200), (1999, 2000)]
)
def test_the_axis_top_is_a_round_number(peak: int, top: int) -> None:
    assert scale_top(peak) == top


@given(st.integers(min_value=0, max_value=10**9))
def test_the_axis_always_covers_the_peak(peak: int) -> None:
    top = scale_top(peak)
    assert top >= peak and top % 4 == 0
    assert top <= max(4, peak * 5), "never so high that the line hugs the floor"


@given(st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=60))
def test_any_values_make_well_formed_svg(values: list[int]) -> None:
    days = tuple(date(2024, 12, 20) + timedelta(days=offset) for offset in range(len(values)))
    chart = Chart("t", days, (Series("S", "s", tuple(values)),))
    for kind in ("line", "bar"):
        assert _parse(svg(chart, "c", kind=kind)).tag == "{http://www.w3.org/2000/svg}svg"


def test_bad_names_and_mismatched_series_are_refused() -> None:
    with pytest.raises(ValueError, match="chart name"):
        svg(_chart(), 'x" onload="alert(1)')
    with pytest.raises(ValueError, match="chart name"):
        Chart("t", DAYS, (Series("S", "Bad Key", (0,) * 30),))
    with pytest.raises(ValueError, match="29 values for 30 days"):
        Chart("t", DAYS, (Series("S", "s", (0,) * 29),))
    with pytest.raises(ValueError, match="at least one day"):
        Chart("t", (), ())


def test_short_dates_do_not_depend_on_the_locale() -> None:
    assert short_date(date(2025, 3, 1)) == "1 Mar"
    assert short_date(date(2025, 12, 31)) == "31 Dec"
