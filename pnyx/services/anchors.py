"""Use cases for inline feedback: the anchor of a new comment, an article's anchors, and finding them in its text.

pnyx never fetches an article (DESIGN.md): the browser sends the text of the element marked
``data-pnyx-article`` and every anchor is located in it here, with the one algorithm of
``pnyx.domain.anchoring``. Every reader of an article sends the same text, so answers are kept by
(thread, version, text); positions alone by (anchor, text), since votes change counts, not places.
"""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass

from pnyx.domain.anchoring import Anchor, AnchorSpec, Location, locate
from pnyx.domain.models import Comment
from pnyx.errors import TooLarge
from pnyx.services.container import Services
from pnyx.services.readers import Reader, actor_of
from pnyx.services.sites import site_named
from pnyx.services.threads import thread_for_read
from pnyx.store import anchors as anchor_store
from pnyx.store.engine import Conn

MAX_TEXT_CHARS = 200_000


async def anchor_for_post(
    conn: Conn, services: Services, thread_id: int, spec: AnchorSpec | None, parent: Comment | None
) -> Anchor | None:
    """The anchor a new comment is stored under: its parent's for a reply, else the one it names (created once)."""
    if parent is not None:
        return await anchor_of(conn, parent)
    if spec is None:
        return None
    return await anchor_store.get_or_create(conn, thread_id, spec, services.clock())


async def anchor_of(conn: Conn, comment: Comment) -> Anchor | None:
    """The anchor a stored comment is about, if any."""
    if comment.anchor_id is None:
        return None
    return (await anchor_store.anchors_by_id(conn, comment.thread_id, [comment.anchor_id])).get(comment.anchor_id)


async def list_anchors(services: Services, site_slug: str, key: str) -> list[anchor_store.Counted]:
    """The article's anchors that have visible comments, with their counts; none before the thread exists."""
    async with services.db.read() as conn:
        site = await site_named(conn, site_slug)
        thread = await thread_for_read(conn, site, key)
        return await anchor_store.counted_anchors(conn, thread.id) if thread else []


@dataclass(frozen=True, slots=True)
class Located:
    """An anchor, its count, and where it is in the text (None: a publisher's prompt, or an orphaned passage)."""

    anchor: Anchor
    count: int
    location: Location | None


def _locate_all(text: str, anchors: list[Anchor]) -> list[tuple[Anchor, Location | None]]:
    return [(anchor, locate(text, anchor.selector)) for anchor in anchors if anchor.selector is not None]


async def locate_anchors(services: Services, site_slug: str, key: str, text: str, reader: Reader) -> list[Located]:
    """Every anchor of the article with its place in ``text``, the article's text as the reader's browser has it."""
    if len(text) > MAX_TEXT_CHARS:
        raise TooLarge(f"The article's text is {len(text):,} characters long; pnyx reads at most {MAX_TEXT_CHARS:,}.")
    async with services.db.read() as conn:
        site = await site_named(conn, site_slug)
        thread = await thread_for_read(conn, site, key)
        if thread is None:
            return []
        digest = hashlib.sha256(text.encode()).hexdigest()
        cache_key = (thread.id, thread.version, digest)
        cached = services.located.get(cache_key)
        if cached is not None:
            return cached
        counted = await anchor_store.counted_anchors(conn, thread.id)
    located = await _located(services, counted, text, digest, reader)
    services.located.put(cache_key, located)
    return located


async def _located(
    services: Services, counted: list[anchor_store.Counted], text: str, digest: str, reader: Reader
) -> list[Located]:
    # Places are kept in 1-tuples: a cached None (an orphan) must not read as a miss.
    known = {item.anchor.id: services.places.get((item.anchor.id, digest)) for item in counted}
    missing = [item.anchor for item in counted if known[item.anchor.id] is None and item.anchor.selector is not None]
    if missing:
        # Only work the caches could not spare counts against the reader: it is what costs CPU.
        await services.limiter.hit("locate", actor_of(services, reader))
        # Approximate matching is pure CPU: off the event loop, so other requests keep being answered.
        for anchor, location in await asyncio.to_thread(_locate_all, text, missing):
            known[anchor.id] = (location,)
            services.places.put((anchor.id, digest), (location,))
    return [Located(item.anchor, item.count, (known[item.anchor.id] or (None,))[0]) for item in counted]
