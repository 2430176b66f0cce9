"""A small in-process cache of thread pages, keyed by the thread's version.

Every write that changes what readers see grows ``thread.version`` in its own
transaction, so a cached page is never stale: a newer version is simply another key.
Old versions fall out by least-recent use.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

DEFAULT_CAPACITY = 1024
T = TypeVar("T")


class PageCache(Generic[T]):
    """Least-recently-used mapping with a fixed capacity."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        self._capacity = capacity
        self._entries: OrderedDict[Hashable, T] = OrderedDict()

    def get(self, key: Hashable) -> T | None:
        """The cached value, refreshed as most recently used; None on a miss."""
        value = self._entries.get(key)
        if value is not None:
            self._entries.move_to_end(key)
        return value

    def put(self, key: Hashable, value: T) -> None:
        """Store a value, evicting the least recently used one when full."""
        self._entries[key] = value
        self._entries.move_to_end(key)
        while len(self._entries) > self._capacity:
            self._entries.popitem(last=False)

    def clear(self) -> None:
        """Forget every page (benchmarks measure cold reads this way)."""
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
