"""Digests: comments that arrive within one interval reach a subscriber as one mail when the interval ends."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

# A digest lists this many comments in full and counts the rest; one mail must stay readable.
MAX_ITEMS = 30


@dataclass(frozen=True, slots=True)
class Window:
    """One digest interval: its number since the epoch and when its mail is due."""

    index: int
    due: datetime


def window_of(moment: datetime, minutes: int) -> Window:
    """The interval of ``minutes`` that ``moment`` falls in; intervals start at whole multiples since the epoch."""
    length = minutes * 60
    index = int(moment.timestamp()) // length
    return Window(index, datetime.fromtimestamp((index + 1) * length, UTC))


def following(window: Window, minutes: int) -> Window:
    """The interval after ``window``."""
    return Window(window.index + 1, datetime.fromtimestamp((window.index + 2) * minutes * 60, UTC))


Item = dict[str, object]


def with_item(items: list[Item], more: int, item: Item) -> tuple[list[Item], int]:
    """The digest's listed items and uncounted rest after ``item`` arrives: the first MAX_ITEMS are listed."""
    if len(items) < MAX_ITEMS:
        return [*items, item], more
    return items, more + 1
