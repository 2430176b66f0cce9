"""The broker seam and its in-process implementation (one node, the embedded default)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Protocol

from pnyx.domain.events import ThreadChanged

# A subscriber that falls this far behind loses the oldest events rather than growing without bound.
QUEUE_SIZE = 1000


class Broker(Protocol):
    async def publish(self, event: ThreadChanged) -> None: ...

    def subscribe(self) -> AbstractAsyncContextManager[asyncio.Queue[ThreadChanged]]: ...

    async def close(self) -> None: ...


class InMemoryBroker:
    """Delivers each published event to every current subscriber of this process."""

    def __init__(self) -> None:
        self._queues: set[asyncio.Queue[ThreadChanged]] = set()

    async def publish(self, event: ThreadChanged) -> None:
        for queue in self._queues:
            if queue.full():
                queue.get_nowait()
            queue.put_nowait(event)

    @asynccontextmanager
    async def subscribe(self) -> AsyncIterator[asyncio.Queue[ThreadChanged]]:
        queue: asyncio.Queue[ThreadChanged] = asyncio.Queue(QUEUE_SIZE)
        self._queues.add(queue)
        try:
            yield queue
        finally:
            self._queues.discard(queue)

    async def close(self) -> None:
        self._queues.clear()
