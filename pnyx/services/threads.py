"""Finding the thread a request names, creating it on the first write to an article of the site."""

from __future__ import annotations

from dataclasses import dataclass

from pnyx.domain.models import Comment, Site, Thread
from pnyx.domain.text import clean_name
from pnyx.domain.urls import canonicalise, is_url, thread_key
from pnyx.errors import NotFound
from pnyx.services.container import Services
from pnyx.services.sites import require_origin, require_url_on_site
from pnyx.store import sites as site_store
from pnyx.store import threads as thread_store
from pnyx.store.engine import Conn

MAX_TITLE_CHARS = 500


@dataclass(frozen=True, slots=True)
class ThreadRef:
    """A thread as a request names it: the site's slug, its key, and for a first write its URL and title."""

    site: str
    key: str
    url: str | None = None
    title: str | None = None


async def thread_for_write(conn: Conn, services: Services, site: Site, ref: ThreadRef) -> Thread:
    """The named thread, locked for this transaction; created when absent and the URL is on the site."""
    key = thread_key(ref.key)
    url = canonicalise(ref.url) if ref.url else (key if is_url(key) else None)
    if url is not None:
        require_url_on_site(site, url)
    existing = await thread_store.find_thread(conn, site.id, key, lock=True)
    if existing is not None:
        return existing
    if url is None:
        raise NotFound(
            f"There is no thread {key!r} on site {site.slug!r} yet; send the article's `url` with the first comment."
        )
    title = clean_name(ref.title, max_chars=MAX_TITLE_CHARS) if ref.title else None
    return await thread_store.create_thread(conn, site.id, key, url, title, services.clock())


async def thread_of_comment(conn: Conn, comment: Comment, origin: str | None) -> Thread:
    """The thread a comment belongs to, after checking the request comes from one of its site's origins."""
    thread = await thread_store.get_thread(conn, comment.thread_id)
    assert thread is not None  # a comment's thread outlives it
    require_origin(await site_store.get_by_id(conn, thread.site_id), origin)
    return thread


async def thread_for_read(conn: Conn, site: Site, key: str) -> Thread | None:
    """The named thread, or None when nobody has written to it yet."""
    return await thread_store.find_thread(conn, site.id, thread_key(key))
