"""Benchmarks of what #5 and #6 add to the write path and the console, run by bench.run for each engine.

Side by side with the plain POST of bench.run: a post under a strict site policy (word lists of 400
words, links held), a post that notifies 50 subscribers (50 outbox rows in its transaction), and
the moderation queues over the 10,000-comment thread (a page of Pending, a text search in All).
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from httpx import AsyncClient
from sqlalchemy import update

from pnyx.domain.models import Site
from pnyx.services import queues, sites
from pnyx.services.container import Services
from pnyx.services.moderation import SYSTEM
from pnyx.store import subscriptions as subscription_store
from pnyx.store import threads as thread_store
from pnyx.store.tables import comment

Timer = Callable[[str, Callable[[int], Awaitable[None]]], Awaitable[str]]


@dataclass(frozen=True, slots=True)
class Bench:
    """What every measurement here needs: the app's client and services, the bench site, a reader, a timer."""

    http: AsyncClient
    services: Services
    site: Site
    auth: dict[str, str]
    timed: Timer


SUBSCRIBERS = 50
WORDS = 200


async def bench(b: Bench, big: str) -> list[str]:
    """The lines of this module's measurements."""
    return [await _strict_policy(b), await _fan_out(b), *await _queues(b, big)]


async def _strict_policy(b: Bench) -> str:
    http, services, site, auth = b.http, b.services, b.site, b.auth
    strict = await sites.add_site(services, "bench-strict-" + secrets.token_hex(3), list(site.origins))
    words = [f"bannedword{n}" for n in range(WORDS)]
    await sites.set_policy(
        services,
        strict.slug,
        {"premoderation": "links", "banned_words": words, "hold_words": [f"holdword{n}" for n in range(WORDS)]},
    )
    body = {"site": strict.slug, "key": f"{site.origins[0]}/strict", "body": "A *benchmark* comment, no links."}

    async def post(_: int) -> None:
        assert (await http.post("/api/v1/comments", json=body, headers=auth)).status_code == 201

    return await b.timed("POST comment, 400-word policy", post)


async def _fan_out(b: Bench) -> str:
    http, services, site, auth = b.http, b.services, b.site, b.auth
    key = f"{site.origins[0]}/followed"
    body = {"site": site.slug, "key": key, "body": "News for fifty readers."}
    assert (await http.post("/api/v1/comments", json=body, headers=auth)).status_code == 201
    now = datetime.now(UTC)
    async with services.db.write() as conn:
        thread = await thread_store.find_thread(conn, site.id, key)
        assert thread is not None
        for n in range(SUBSCRIBERS):
            sub = await subscription_store.find_or_add(
                conn, thread.id, f"r{n}@bench.example", "followups", None, None, now
            )
            await subscription_store.confirm(conn, sub.id, now)

    async def post(_: int) -> None:
        assert (await http.post("/api/v1/comments", json=body, headers=auth)).status_code == 201

    return await b.timed(f"POST comment, {SUBSCRIBERS} subscribers", post)


async def _queues(b: Bench, big: str) -> list[str]:
    services, site, timed = b.services, b.site, b.timed
    async with services.db.write() as conn:
        thread = await thread_store.find_thread(conn, site.id, big)
        assert thread is not None
        # A fifth of the big thread waits in Pending: 2,000 comments.
        await conn.execute(
            update(comment).where(comment.c.thread_id == thread.id, comment.c.depth == 0).values(status="pending")
        )
    pending = queues.QueueFilter(site_id=site.id)
    search = queues.QueueFilter(site_id=site.id, text="needle")

    async def page(_: int) -> None:
        assert len((await queues.queue(services, SYSTEM, "pending", pending, None, 50)).items) == 50

    async def find(_: int) -> None:
        await queues.queue(services, SYSTEM, "all", search, None, 50)

    return [await timed("queue: Pending page of 2,000", page), await timed("queue: search All (10k rows)", find)]
