"""Use cases for reading: a page of a thread, comment counts of many articles, and a reader's own state."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from pnyx.domain.anchoring import Anchor
from pnyx.domain.models import Comment, CommentStatus, Site, Sort, TargetKind, Thread
from pnyx.domain.paging import decode_cursor, encode_cursor, sort_key
from pnyx.domain.threading import Node, build_forest
from pnyx.domain.urls import thread_key
from pnyx.errors import Invalid
from pnyx.services.container import Services
from pnyx.services.feeds import replies_feed_url
from pnyx.services.sites import site_named
from pnyx.services.subscriptions import verified_address
from pnyx.services.threads import thread_for_read
from pnyx.store import anchors as anchor_store
from pnyx.store import comments as comment_store
from pnyx.store import threads as thread_store
from pnyx.store import votes as vote_store
from pnyx.store.anchors import Counted
from pnyx.store.engine import Conn

MAX_COUNT_KEYS = 100


@dataclass(frozen=True, slots=True)
class PageRequest:
    """Which page of which thread a reader asks for; ``view_all`` lifts the page size to the configured cap.

    ``anchor`` asks for the comments on one passage or prompt of the article (an inline panel).
    """

    site: str
    key: str
    sort: Sort = Sort.BEST
    cursor: str | None = None
    limit: int | None = None
    view_all: bool = False
    anchor: int | None = None


@dataclass(frozen=True, slots=True)
class ThreadPage:
    """The thread (None before its first write), the page's comment trees, and where the next page starts.

    ``anchors`` are those of the page's comments; ``focus`` is the requested anchor with its count;
    ``inline_in_main`` is the site's choice to show comments on passages in the main thread too.
    """

    thread: Thread | None
    nodes: list[Node]
    next_cursor: str | None
    sort: Sort
    anchors: dict[int, Anchor] = field(default_factory=dict)
    focus: Counted | None = None
    inline_in_main: bool = True


def _page_size(services: Services, request: PageRequest) -> int:
    if request.view_all:
        return services.settings.view_all_cap
    return request.limit or services.settings.page_size


def _reply_order(sort: Sort) -> Any:
    # Replies read as a conversation, oldest first, unless the reader asked for the best.
    if sort is Sort.BEST:
        return lambda comment: (-sort_key(comment, sort)[0], comment.id)
    return lambda comment: (comment.created_at, comment.id)


def _page_query(
    services: Services, request: PageRequest, after: tuple[Any, int] | None, site: Site, thread: Thread
) -> comment_store.PageQuery:
    size = _page_size(services, request)
    # A site may keep comments on passages to their panels, out of the main thread.
    unanchored = request.anchor is None and not site.inline_in_main
    return comment_store.PageQuery(thread.id, request.sort, size, after, request.anchor, unanchored)


async def _anchors(
    conn: Conn, query: comment_store.PageQuery, roots: list[Comment]
) -> tuple[dict[int, Anchor], Counted | None]:
    if query.anchor_id is not None:
        focus = await anchor_store.counted_anchor(conn, query.thread_id, query.anchor_id)
        return ({focus.anchor.id: focus.anchor} if focus else {}), focus
    # Replies share their root's anchor, so the roots name every anchor of the page.
    ids = [comment.anchor_id for comment in roots if comment.anchor_id is not None]
    return await anchor_store.anchors_by_id(conn, query.thread_id, ids), None


async def list_comments(services: Services, request: PageRequest) -> ThreadPage:
    """One page of top-level comments with all their visible replies nested."""
    after = decode_cursor(request.cursor, request.sort) if request.cursor else None
    async with services.db.read() as conn:
        site = await site_named(conn, request.site)
        thread = await thread_for_read(conn, site, request.key)
        if thread is None:
            return ThreadPage(None, [], None, request.sort, inline_in_main=site.inline_in_main)
        query = _page_query(services, request, after, site, thread)
        cache_key = (thread.version, query)  # the query names the thread, sort, position, size and anchor
        cached = services.pages.get(cache_key)
        if cached is not None:
            return cached
        roots = await comment_store.top_level_page(conn, query)
        more = len(roots) > query.limit
        roots = roots[: query.limit]
        if query.after is None:
            roots = [*await comment_store.pinned_top_level(conn, query), *roots]
        replies = await comment_store.replies_of(conn, thread.id, [comment.id for comment in roots])
        anchors, focus = await _anchors(conn, query, roots)
    next_cursor = encode_cursor(request.sort, sort_key(roots[-1], request.sort)) if more else None
    nodes = build_forest(roots, replies, _reply_order(request.sort))
    page = ThreadPage(thread, nodes, next_cursor, request.sort, anchors, focus, site.inline_in_main)
    services.pages.put(cache_key, page)
    return page


async def comment_counts(services: Services, site_slug: str, keys: list[str]) -> dict[str, int]:
    """Comment counts for up to 100 articles, by the keys as the caller gave them; unknown articles count 0."""
    if not keys:
        raise Invalid("Name at least one article with `key`.")
    if len(keys) > MAX_COUNT_KEYS:
        raise Invalid(f"Ask for at most {MAX_COUNT_KEYS} articles at once; this request names {len(keys)}.")
    canonical = {key: thread_key(key) for key in keys}
    async with services.db.read() as conn:
        site = await site_named(conn, site_slug)
        found = await thread_store.comment_counts(conn, site.id, sorted(set(canonical.values())))
    return {key: found.get(stored, 0) for key, stored in canonical.items()}


@dataclass(frozen=True, slots=True)
class Editable:
    """One of the reader's own comments, its Markdown source, and until when they may change it."""

    comment_id: int
    until: datetime
    body: str


@dataclass(frozen=True, slots=True)
class Hidden:
    """One of the reader's own comments nobody else sees: held for review, or written while shadow-banned.

    A shadow comment reads as approved: telling its author would defeat the shadow-ban.
    """

    comment_id: int
    parent_id: int | None
    created_at: datetime
    html: str
    status: str
    note: str | None


def _hidden(comment: Comment) -> Hidden:
    status = CommentStatus.APPROVED if comment.status is CommentStatus.APPROVED else CommentStatus.PENDING
    return Hidden(
        comment.id, comment.parent_id, comment.created_at, comment.body_html, status.value, comment.moderator_note
    )


@dataclass(frozen=True, slots=True)
class ReaderState:
    """What differs per reader on a thread: votes, article points vote, own comments and the editable ones.

    ``replies_feed`` is the private address of the reader's "replies to me" Atom feed (None without identity);
    ``own_hidden`` are their comments only they see, for the widget to merge into the shared page.
    """

    identity_id: int | None
    votes: dict[int, int] = field(default_factory=dict)
    points_vote: int = 0
    editable: list[Editable] = field(default_factory=list)
    own: list[int] = field(default_factory=list)
    replies_feed: str | None = None
    own_hidden: list[Hidden] = field(default_factory=list)
    # The reader proved they read mail at their address: "Notify of" needs no e-mail field from them.
    email_verified: bool = False


async def reader_state(services: Services, site_slug: str, key: str, identity_id: int | None) -> ReaderState:
    """This reader's votes and editable comments on one thread, and the address of their replies feed."""
    feed = replies_feed_url(services, identity_id) if identity_id is not None else None
    async with services.db.read() as conn:
        site = await site_named(conn, site_slug)
        thread = await thread_for_read(conn, site, key)
        verified = await verified_address(conn, identity_id) is not None
        if thread is None or identity_id is None:
            return ReaderState(identity_id, replies_feed=feed, email_verified=verified)
        window = timedelta(minutes=services.settings.edit_window_minutes)
        recent = await comment_store.own_recent(conn, thread.id, identity_id, services.clock() - window)
        votes = await vote_store.comment_votes_in_thread(conn, thread.id, identity_id)
        points = await vote_store.current_vote(conn, TargetKind.THREAD, thread.id, identity_id)
        mine = await comment_store.own_ids(conn, thread.id, identity_id)
        hidden = await comment_store.own_hidden(conn, thread.id, identity_id)
    editable = [Editable(c.id, c.created_at + window, c.body_source) for c in recent]
    return ReaderState(identity_id, votes, points, editable, mine, feed, [_hidden(c) for c in hidden], verified)
