"""Atom feeds: an article's latest comments for anyone, and the replies to one reader behind a private address.

The replies feed is named by a feed token (see TokenSigner.feed_token), not by the identity token: a feed
address ends up in feed readers and their servers, so it may read but never write.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode, urlsplit

from pnyx.domain.atom import AtomEntry, AtomFeed, latest_update, render_feed, tag_uri
from pnyx.domain.models import Comment
from pnyx.errors import NotFound, Unauthorized
from pnyx.services.container import Services
from pnyx.services.sites import site_named
from pnyx.services.threads import thread_for_read
from pnyx.store import feeds as feed_store

FEED_ENTRIES = 50
THREAD_FEED_PATH = "/feeds/thread.atom"
REPLIES_FEED_PATH = "/feeds/replies.atom"
NAMELESS = "A reader"


@dataclass(frozen=True, slots=True)
class FeedDocument:
    """A rendered Atom document and when its content last changed."""

    body: bytes
    updated: datetime


@dataclass(frozen=True, slots=True)
class _Article:
    """What an entry shows of the article its comment is on."""

    name: str
    url: str | None


async def thread_feed(services: Services, site: str, key: str) -> FeedDocument:
    """The latest approved comments of an article, newest first; NotFound for an unknown site or thread."""
    async with services.db.read() as conn:
        found = await site_named(conn, site)
        thread = await thread_for_read(conn, found, key)
        if thread is None:
            raise NotFound(f"There is no thread {key!r} on site {site!r} yet; its feed starts with the first comment.")
        comments = await feed_store.latest_in_thread(conn, thread.id, FEED_ENTRIES)
        created = await feed_store.thread_created_at(conn, thread.id)
    article = _Article(thread.title or thread.url or thread.key, thread.url)
    entries = [_entry(services, item, article, _thread_entry_title(item)) for item in comments]
    feed = AtomFeed(
        id=tag_uri(services.settings.public_url, f"thread-{thread.id}"),
        title=f"Comments on “{article.name}”",
        author=found.name,
        self_url=_address(services, THREAD_FEED_PATH, {"site": found.slug, "key": thread.key}),
        updated=latest_update(entries, created),
        entries=entries,
        alternate_url=thread.url,
    )
    return FeedDocument(render_feed(feed), feed.updated)


async def replies_feed(services: Services, token: str) -> FeedDocument:
    """The latest approved replies others wrote to the reader's comments, on every site; Unauthorized if damaged."""
    identity_id = _feed_identity(services, token)
    async with services.db.read() as conn:
        since = await feed_store.identity_created_at(conn, identity_id)
        if since is None:
            raise NotFound("The reader this feed belonged to no longer exists on this server; remove the feed.")
        replies = await feed_store.latest_replies_to(conn, identity_id, FEED_ENTRIES)
    entries = [_reply_entry(services, reply) for reply in replies]
    feed = AtomFeed(
        id=tag_uri(services.settings.public_url, f"replies-{identity_id}"),
        title=f"Replies to your comments ({_host(services)})",
        author=_host(services),
        self_url=replies_feed_url(services, identity_id),
        updated=latest_update(entries, since),
        entries=entries,
    )
    return FeedDocument(render_feed(feed), feed.updated)


def replies_feed_url(services: Services, identity_id: int) -> str:
    """The absolute, private address of this identity's replies feed."""
    return _address(services, REPLIES_FEED_PATH, {"token": services.tokens.feed_token(identity_id)})


def _feed_identity(services: Services, token: str) -> int:
    try:
        return services.tokens.feed_identity(token)
    except Unauthorized as exc:
        # The signer's sentence speaks of mails; a feed address comes from the comment section instead.
        raise Unauthorized(
            "This feed address is damaged or incomplete; copy the whole address of your replies feed again.",
            code="invalid_link",
        ) from exc


def _reply_entry(services: Services, reply: feed_store.Reply) -> AtomEntry:
    article = _Article(reply.thread_title or reply.thread_url or reply.thread_key, reply.thread_url)
    return _entry(services, reply.comment, article, f"{_author(reply.comment)} replied on “{article.name}”")


def _entry(services: Services, comment: Comment, article: _Article, title: str) -> AtomEntry:
    return AtomEntry(
        id=tag_uri(services.settings.public_url, f"comment-{comment.id}"),
        title=title,
        author=_author(comment),
        published=comment.created_at,
        updated=comment.edited_at or comment.created_at,
        content_html=comment.body_html,
        # The same anchor the embed gives each comment, as in notification mails.
        link=f"{article.url}#pnyx-comment-{comment.id}" if article.url else None,
    )


def _thread_entry_title(comment: Comment) -> str:
    verb = "replied" if comment.reply_to_id is not None else "commented"
    return f"{_author(comment)} {verb}"


def _author(comment: Comment) -> str:
    return comment.author_name or NAMELESS


def _host(services: Services) -> str:
    return urlsplit(services.settings.public_url).hostname or "pnyx"


def _address(services: Services, path: str, query: dict[str, str]) -> str:
    return f"{services.settings.public_url.rstrip('/')}{path}?{urlencode(query)}"
