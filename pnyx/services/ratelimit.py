"""Rate limits on writes, per identity and per client address, with the ``limits`` library.

Memory storage by default; with PNYX_REDIS_URL the counters live in Redis so every
node shares them.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

from limits import RateLimitItem, parse_many
from limits.aio.storage import MemoryStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string

from pnyx.errors import RateLimited

# Generous for a person, tight for a script: a fast typist posts a few comments a minute at most.
DEFAULT_LIMITS = {
    "comment": "6/minute;40/hour",
    "edit": "20/minute",
    "vote": "60/minute;600/hour",
    # Reports cost a moderator's time: enough to flag a bad thread, not to flood the queue.
    "report": "10/minute;60/hour",
    # Locating anchors in a text no reader sent before is CPU work; one article view asks once.
    "locate": "30/minute;300/hour",
    # Console sign-ins (and codes) per address: a person mistypes a few times, guessing needs thousands.
    "login": "10/minute;60/hour",
}


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is writing, as far as limits care: an identity id and a hashed address, either may be absent."""

    identity_id: int | None
    address_hash: str | None


class RateLimiter:
    """Checks and counts one write against every limit of its action."""

    def __init__(self, storage: Storage | None, rules: dict[str, str] | None = None, namespace: str = "pnyx") -> None:
        self._limiter = MovingWindowRateLimiter(storage) if storage is not None else None
        # Deployments sharing one Redis must not share counters: identity ids repeat across databases.
        self._namespace = namespace
        self._rules: dict[str, list[RateLimitItem]] = {
            action: parse_many(spec) for action, spec in (rules or DEFAULT_LIMITS).items()
        }

    @classmethod
    def from_settings(
        cls, enabled: bool, redis_url: str | None, redis_pool: Any = None, namespace: str = "pnyx"
    ) -> RateLimiter:
        """Limits off, in memory, or in Redis through the node's shared connection pool."""
        if not enabled:
            return cls(None)
        if not redis_url:
            return cls(MemoryStorage(), namespace=namespace)
        # redis-py is already a dependency; limits would otherwise want coredis.
        storage = storage_from_string(
            f"async+{redis_url}", implementation="redispy", key_prefix="pnyx-limits", connection_pool=redis_pool
        )
        assert isinstance(storage, Storage)
        return cls(storage, namespace=namespace)

    async def hit(self, action: str, actor: Actor) -> None:
        """Count one ``action`` by ``actor``; raises RateLimited when any limit is spent."""
        if self._limiter is None:
            return
        keys = [f"id:{actor.identity_id}"] if actor.identity_id is not None else []
        if actor.address_hash:
            keys.append(f"ip:{actor.address_hash}")
        for item in self._rules[action]:
            for key in keys:
                if not await self._limiter.hit(item, self._namespace, action, key):
                    raise RateLimited(_sentence(item), retry_after=await self._retry_after(item, action, key))

    async def _retry_after(self, item: RateLimitItem, action: str, key: str) -> int:
        assert self._limiter is not None
        stats = await self._limiter.get_window_stats(item, self._namespace, action, key)
        return max(1, math.ceil(stats.reset_time - time.time()))


def _sentence(item: RateLimitItem) -> str:
    return f"You are writing faster than this site allows ({item}). Please wait a moment and try again."
