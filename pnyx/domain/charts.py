"""Daily charts as SVG text, built on the server: no scripts, no external assets, no inline styles.

The chart names itself to assistive technology (``role="img"`` with ``<title>`` and ``<desc>``) and the
page shows the same numbers as a table. Every mark is drawn in ``currentColor``, so the page's stylesheet
colours a series by setting ``color`` on its class (``pnyx-chart__series--<key>``, from CSS variables);
without a stylesheet the chart follows the text colour, light or dark. Series differ by dash pattern too.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from html import escape
from itertools import cycle
from typing import Literal

Kind = Literal["line", "bar"]
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# Line patterns by series position: colour is not the only way to tell the series apart.
DASHES = ("", "6 4", "2 3", "8 3 2 3")
NAME = re.compile(r"[a-z][a-z0-9-]{0,39}")
TICKS = 4
WIDTH = 720
HEIGHT = 280
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 36, 28
LEGEND_SPACING = 170


@dataclass(frozen=True, slots=True)
class Series:
    """One line of a chart: its label, the key its CSS class is named by, and one value per day."""

    label: str
    key: str
    values: tuple[int, ...]

    @property
    def total(self) -> int:
        return sum(self.values)


@dataclass(frozen=True, slots=True)
class Chart:
    """Values per day for a few series over the same days."""

    title: str
    days: tuple[date, ...]
    series: tuple[Series, ...]

    def __post_init__(self) -> None:
        if not self.days:
            raise ValueError("a chart needs at least one day")
        for one in self.series:
            if len(one.values) != len(self.days):
                raise ValueError(f"series {one.key!r} has {len(one.values)} values for {len(self.days)} days")
            _check_name(one.key)

    @property
    def peak(self) -> int:
        """The largest value of any series."""
        return max((max(one.values) for one in self.series), default=0)


def _check_name(name: str) -> str:
    # Keys and ids end up in class and id attributes; keep them to a plain alphabet rather than escape them.
    if not NAME.fullmatch(name):
        raise ValueError(f"{name!r} is not a chart name: lower-case letters, digits and dashes")
    return name


def short_date(day: date) -> str:
    """A day as the axis shows it, the same in every locale: ``14 Mar``."""
    return f"{day.day} {MONTHS[day.month - 1]}"


def scale_top(peak: int, ticks: int = TICKS) -> int:
    """The top of the value axis: ``ticks`` equal steps of 1, 2 or 5 times a power of ten covering ``peak``."""
    step, factors = 1, cycle((2, 2.5, 2))
    while step * ticks < peak:
        step = round(step * next(factors))
    return step * ticks


def describe(chart: Chart) -> str:
    """What the chart shows, in sentences: the range, then each series' total and busiest day."""
    first, last = chart.days[0], chart.days[-1]
    parts = [f"Daily counts from {first.isoformat()} to {last.isoformat()}."]
    for one in chart.series:
        if one.total == 0:
            parts.append(f"{one.label}: none.")
            continue
        busiest = max(range(len(one.values)), key=lambda index: (one.values[index], -index))
        parts.append(
            f"{one.label}: {one.total:,} in total, most on {chart.days[busiest].isoformat()} ({one.values[busiest]:,})."
        )
    return " ".join(parts)


def svg(chart: Chart, chart_id: str, kind: Kind = "line") -> str:
    """The chart as an ``<svg>`` element; every text in it is escaped, ``chart_id`` names its title and desc."""
    _check_name(chart_id)
    top = scale_top(chart.peak)
    marks = _lines(chart, top) if kind == "line" else _bars(chart, top)
    labelled = f"{chart_id}-title {chart_id}-desc"
    return "".join(
        [
            f'<svg xmlns="http://www.w3.org/2000/svg" class="pnyx-chart pnyx-chart--{kind}" role="img" '
            f'viewBox="0 0 {WIDTH} {HEIGHT}" preserveAspectRatio="xMidYMid meet" aria-labelledby="{labelled}">',
            f'<title id="{chart_id}-title">{escape(chart.title)}</title>',
            f'<desc id="{chart_id}-desc">{escape(describe(chart))}</desc>',
            *_grid(top),
            *_day_labels(chart.days),
            *marks,
            *_legend(chart.series),
            "</svg>",
        ]
    )


def _x(index: int, count: int) -> float:
    plot = WIDTH - LEFT - RIGHT
    return LEFT + (plot * index / (count - 1) if count > 1 else plot / 2)


def _y(value: int, top: int) -> float:
    plot = HEIGHT - TOP - BOTTOM
    return HEIGHT - BOTTOM - plot * value / top


def _n(number: float) -> str:
    """A coordinate with at most one decimal, no trailing zeros: small output, stable tests."""
    return f"{number:.1f}".rstrip("0").rstrip(".")


def _grid(top: int) -> list[str]:
    out = ['<g class="pnyx-chart__grid" stroke="currentColor" stroke-opacity="0.2" stroke-width="1">']
    for tick in range(TICKS + 1):
        y = _n(_y(top * tick // TICKS, top))
        out.append(f'<line x1="{LEFT}" y1="{y}" x2="{WIDTH - RIGHT}" y2="{y}"/>')
    out.append("</g>")
    out.append('<g class="pnyx-chart__axis" fill="currentColor" font-size="12" text-anchor="end">')
    for tick in range(TICKS + 1):
        value = top * tick // TICKS
        out.append(f'<text x="{LEFT - 6}" y="{_n(_y(value, top) + 4)}">{value:,}</text>')
    out.append("</g>")
    return out


def _label_positions(count: int) -> list[int]:
    """First, last and about weekly days in between: enough to read the axis, few enough not to overlap."""
    if count <= 1:
        return list(range(count))
    step = max(1, (count - 1) // 4)
    chosen = list(range(0, count - 1, step))
    if count - 1 - chosen[-1] < step / 2:
        chosen.pop()  # too close to the last label, which always shows
    return [*chosen, count - 1]


def _day_labels(days: Sequence[date]) -> list[str]:
    out = ['<g class="pnyx-chart__axis" fill="currentColor" font-size="12">']
    last = len(days) - 1
    for index in _label_positions(len(days)):
        # The end labels align inwards so they stay inside the view box.
        anchor = "start" if index == 0 and last else "end" if index == last and last else "middle"
        x = _n(_x(index, len(days)))
        text = escape(short_date(days[index]))
        out.append(f'<text x="{x}" y="{HEIGHT - 8}" text-anchor="{anchor}">{text}</text>')
    out.append("</g>")
    return out


def _dash(position: int) -> str:
    pattern = DASHES[position % len(DASHES)]
    return f' stroke-dasharray="{pattern}"' if pattern else ""


def _lines(chart: Chart, top: int) -> list[str]:
    out = []
    count = len(chart.days)
    for position, one in enumerate(chart.series):
        points = " ".join(f"{_n(_x(i, count))},{_n(_y(v, top))}" for i, v in enumerate(one.values))
        out.append(
            f'<polyline class="pnyx-chart__series pnyx-chart__series--{one.key}" fill="none" stroke="currentColor" '
            f'stroke-width="2" stroke-linejoin="round"{_dash(position)} points="{points}"/>'
        )
    return out


def _bars(chart: Chart, top: int) -> list[str]:
    out = []
    count, groups = len(chart.days), max(1, len(chart.series))
    slot = (WIDTH - LEFT - RIGHT) / count
    width = slot * 0.8 / groups
    for position, one in enumerate(chart.series):
        out.append(f'<g class="pnyx-chart__series pnyx-chart__series--{one.key}" fill="currentColor">')
        for index, value in enumerate(one.values):
            if value:
                x = LEFT + slot * index + slot * 0.1 + width * position
                y = _y(value, top)
                height = HEIGHT - BOTTOM - y
                out.append(f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(width)}" height="{_n(height)}"/>')
        out.append("</g>")
    return out


def _legend(series: Sequence[Series]) -> list[str]:
    out = ['<g class="pnyx-chart__legend" font-size="12" fill="currentColor">']
    for position, one in enumerate(series):
        x = LEFT + LEGEND_SPACING * position
        out.append(
            f'<line class="pnyx-chart__series pnyx-chart__series--{one.key}" x1="{x}" y1="14" x2="{x + 24}" y2="14" '
            f'stroke="currentColor" stroke-width="3"{_dash(position)}/>'
        )
        out.append(f'<text x="{x + 30}" y="18">{escape(one.label)}</text>')
    out.append("</g>")
    return out
