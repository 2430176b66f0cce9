"""The services container: everything a use case needs, built once by the app factory or the CLI."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from pnyx.config import Settings, resolve_secret
from pnyx.events import redis as redis_events
from pnyx.events.broker import Broker, InMemoryBroker
from pnyx.services.pagecache import PageCache
from pnyx.services.ratelimit import RateLimiter
from pnyx.services.tokens import TokenSigner
from pnyx.store.engine import Database

if TYPE_CHECKING:
    from pnyx.domain.anchoring import Location
    from pnyx.services.anchors import Located
    from pnyx.services.reading import ThreadPage

Clock = Callable[[], datetime]
# Anchors times the texts readers send of their articles; entries are small.
PLACES_CAPACITY = 8192


def utc_now() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


@dataclass
class Services:
    """Database, broker, clock, signer and limiter, with the settings they were made from."""

    settings: Settings
    db: Database
    broker: Broker
    tokens: TokenSigner
    limiter: RateLimiter
    clock: Clock = field(default=utc_now)
    redis_pool: Any = None
    # Thread pages by (version, page query: thread, sort, position, size, anchor): see pagecache.py.
    pages: PageCache[ThreadPage] = field(default_factory=PageCache)
    # Located anchors by (thread id, version, sha256 of the text), and each anchor's place by (anchor id, sha256).
    located: PageCache[list[Located]] = field(default_factory=PageCache)
    places: PageCache[tuple[Location | None]] = field(default_factory=lambda: PageCache(PLACES_CAPACITY))

    @classmethod
    def build(cls, settings: Settings, *, clock: Clock = utc_now) -> Services:
        """Open everything the settings name; nothing here talks to the network yet."""
        secret = resolve_secret(settings)
        pool = redis_events.connection_pool(settings.redis_url) if settings.redis_url else None
        tokens = TokenSigner(secret)
        limiter = RateLimiter.from_settings(settings.rate_limits == "on", settings.redis_url, pool, tokens.namespace())
        return cls(
            settings=settings,
            db=Database.open(settings.database_url),
            broker=InMemoryBroker(),
            tokens=tokens,
            limiter=limiter,
            clock=clock,
            redis_pool=pool,
        )

    async def close(self) -> None:
        await self.broker.close()
        await self.db.close()
        if self.redis_pool is not None:
            await redis_events.close_pool(self.redis_pool)
