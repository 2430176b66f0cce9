"""Events services emit after a commit; the broker carries them to live readers and caches."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ThreadChanged:
    """Event name: ``thread.changed``. Anything a public reader sees in the thread changed."""

    site_id: int
    thread_id: int
    version: int
    reason: str
    comment_id: int | None = None

    name = "thread.changed"
