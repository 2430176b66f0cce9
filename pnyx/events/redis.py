"""The Redis connection pool shared by the node's Redis users (rate limits now, pub/sub later)."""

from __future__ import annotations

from redis.asyncio import ConnectionPool


def connection_pool(url: str) -> ConnectionPool:
    """A pool for ``url``; nothing connects until first use."""
    return ConnectionPool.from_url(url, socket_timeout=5, socket_connect_timeout=5)


async def close_pool(pool: ConnectionPool) -> None:
    """Close every connection of the pool."""
    await pool.aclose()
