"""Use cases for comments: post, edit and delete one's own."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from pnyx.domain.anchoring import Anchor, AnchorSpec, parse_anchor
from pnyx.domain.events import ThreadChanged
from pnyx.domain.markdown import render
from pnyx.domain.models import BodyFormat, Comment, CommentStatus, Thread
from pnyx.domain.text import clean_body, clean_email, clean_name, clean_website
from pnyx.domain.threading import place_reply
from pnyx.errors import Conflict, Forbidden, Invalid, NotFound
from pnyx.services import subscriptions
from pnyx.services.anchors import anchor_for_post, anchor_of
from pnyx.services.container import Services
from pnyx.services.readers import Reader, actor_of, writer_for
from pnyx.services.sites import require_origin, site_named
from pnyx.services.threads import ThreadRef, thread_for_write, thread_of_comment
from pnyx.store import comments as comment_store
from pnyx.store import threads as thread_store
from pnyx.store.engine import Conn


@dataclass(frozen=True, slots=True)
class NewPost:
    """A comment as a reader submits it."""

    thread: ThreadRef
    body: str
    parent_id: int | None = None
    author_name: str | None = None
    author_email: str | None = None
    website: str | None = None
    # The passage or prompt commented on, as the request gave it (see pnyx.domain.anchoring.parse_anchor).
    anchor: object = None


@dataclass(frozen=True, slots=True)
class Posted:
    """The stored comment, its thread after the write, its anchor, and a token when the reader was new."""

    comment: Comment
    thread: Thread
    new_token: str | None
    anchor: Anchor | None = None


@dataclass(frozen=True, slots=True)
class _Clean:
    """A post's fields after validation, ready to store."""

    body: str
    html: str
    name: str | None
    email: str | None
    website: str | None
    anchor: AnchorSpec | None


def _cleaned(services: Services, post: NewPost) -> _Clean:
    body = clean_body(post.body, max_chars=services.settings.max_body_chars)
    name = clean_name(post.author_name, max_chars=services.settings.max_name_chars)
    if post.anchor is not None and post.parent_id is not None:
        raise Invalid("A reply is about its parent's passage already; send `anchor` only with a new comment.")
    anchor = parse_anchor(post.anchor) if post.anchor is not None else None
    html = render(body, BodyFormat.MARKDOWN)
    return _Clean(body, html, name, clean_email(post.author_email), clean_website(post.website), anchor)


async def post_comment(services: Services, post: NewPost, reader: Reader) -> Posted:
    """Validate, render and store a comment or reply; the thread is created on its first comment."""
    clean = _cleaned(services, post)
    actor = actor_of(services, reader)
    await services.limiter.hit("comment", actor)
    async with services.db.write() as conn:
        site = await site_named(conn, post.thread.site)
        require_origin(site, reader.origin)
        thread = await thread_for_write(conn, services, site, post.thread)
        if thread.closed:
            raise Forbidden("Comments on this article are closed.", code="thread_closed")
        writer = await writer_for(conn, services, reader)
        parent = await _parent(conn, thread, post.parent_id)
        place = place_reply(parent, services.settings.max_depth) if parent else None
        anchor = await anchor_for_post(conn, services, thread.id, clean.anchor, parent)
        comment = await comment_store.insert_comment(
            conn,
            comment_store.NewComment(
                thread_id=thread.id,
                parent_id=place.parent_id if place else None,
                root_id=place.root_id if place else None,
                reply_to_id=post.parent_id,
                depth=place.depth if place else 0,
                identity_id=writer.identity_id,
                author_name=clean.name,
                author_email=clean.email,
                website=clean.website,
                body_source=clean.body,
                body_format=BodyFormat.MARKDOWN,
                body_html=clean.html,
                status=CommentStatus.APPROVED,
                created_at=services.clock(),
                ip_hash=actor.address_hash,
                anchor_id=anchor.id if anchor else None,
            ),
        )
        thread = await thread_store.bump(conn, thread.id, comments=1)
        # In the same transaction: a comment rolled back notifies nobody, a stored one everybody.
        await subscriptions.notify(conn, services, site, thread, comment)
    await services.broker.publish(ThreadChanged(site.id, thread.id, thread.version, "comment.posted", comment.id))
    return Posted(comment, thread, writer.new_token, anchor)


async def _parent(conn: Conn, thread: Thread, parent_id: int | None) -> Comment | None:
    if parent_id is None:
        return None
    parent = await comment_store.get_comment(conn, parent_id)
    if parent is None:
        raise NotFound(f"There is no comment {parent_id} to reply to.")
    if parent.thread_id != thread.id:
        raise Invalid(f"Comment {parent_id} belongs to another article; a reply must stay in its thread.")
    if parent.status is not CommentStatus.APPROVED:
        raise Conflict("That comment was removed, so it can no longer be answered.")
    return parent


async def _own_editable(conn: Conn, services: Services, comment_id: int, reader: Reader) -> Comment:
    comment = await comment_store.get_comment(conn, comment_id, lock=True)
    if comment is None or comment.status is CommentStatus.DELETED:
        raise NotFound(f"There is no comment {comment_id}.")
    if reader.identity_id is None or comment.identity_id != reader.identity_id:
        raise Forbidden("Only the author of a comment may change it.", code="not_owner")
    await thread_of_comment(conn, comment, reader.origin)
    window = timedelta(minutes=services.settings.edit_window_minutes)
    if services.clock() > comment.created_at + window:
        minutes = services.settings.edit_window_minutes
        raise Forbidden(
            f"Comments can be changed for {minutes} minutes after posting; that time has passed.",
            code="edit_window_closed",
        )
    return comment


@dataclass(frozen=True, slots=True)
class Edited:
    """The comment as stored after an edit, and its anchor."""

    comment: Comment
    anchor: Anchor | None


async def edit_comment(services: Services, comment_id: int, body: str, reader: Reader) -> Edited:
    """Replace the body of one's own comment within the edit window."""
    clean = clean_body(body, max_chars=services.settings.max_body_chars)
    html = render(clean, BodyFormat.MARKDOWN)
    await services.limiter.hit("edit", actor_of(services, reader))
    async with services.db.write() as conn:
        comment = await _own_editable(conn, services, comment_id, reader)
        updated = await comment_store.update_comment(
            conn,
            comment_id,
            body_source=clean,
            body_format=BodyFormat.MARKDOWN.value,
            body_html=html,
            edited_at=services.clock(),
        )
        anchor = await anchor_of(conn, updated)
        thread = await thread_store.bump(conn, comment.thread_id)
    await services.broker.publish(
        ThreadChanged(thread.site_id, thread.id, thread.version, "comment.edited", comment_id)
    )
    return Edited(updated, anchor)


async def delete_comment(services: Services, comment_id: int, reader: Reader) -> None:
    """Delete one's own comment within the edit window; its text and author details are erased.

    Replies stay; the thread shows "deleted" in its place while any reply is visible.
    """
    await services.limiter.hit("edit", actor_of(services, reader))
    async with services.db.write() as conn:
        comment = await _own_editable(conn, services, comment_id, reader)
        await comment_store.update_comment(
            conn,
            comment_id,
            status=CommentStatus.DELETED.value,
            body_source="",
            body_html="",
            author_name=None,
            author_email=None,
            website=None,
            edited_at=services.clock(),
        )
        counted = -1 if comment.status is CommentStatus.APPROVED else 0
        thread = await thread_store.bump(conn, comment.thread_id, comments=counted)
    await services.broker.publish(
        ThreadChanged(thread.site_id, thread.id, thread.version, "comment.deleted", comment_id)
    )
