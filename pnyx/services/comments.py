"""Use cases for comments: post, edit and delete one's own."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from pnyx.domain.anchoring import Anchor, AnchorSpec, parse_anchor
from pnyx.domain.events import ThreadChanged
from pnyx.domain.markdown import render
from pnyx.domain.models import BodyFormat, Comment, CommentStatus, Site, Thread
from pnyx.domain.text import clean_body, clean_email, clean_name, clean_website
from pnyx.domain.threading import place_reply
from pnyx.domain.webhooks import COMMENT_CREATED
from pnyx.errors import Conflict, Forbidden, Invalid, NotFound
from pnyx.services import alerts, defences, moderation, notifications, subscriptions, webhooks
from pnyx.services.anchors import anchor_for_post, anchor_of
from pnyx.services.container import Services
from pnyx.services.readers import Reader, actor_of, writer_for
from pnyx.services.sites import require_origin, site_named
from pnyx.services.threads import ThreadRef, thread_for_write, thread_of_comment
from pnyx.store import comments as comment_store
from pnyx.store import sites as site_store
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
    # "Notify of": "none", "replies" (to this comment) or "followups" (every new comment in the thread).
    notify: str = "none"
    # The honeypot field: people never see it, so anything in it was typed by a robot (see services/defences.py).
    homepage: str | None = None


@dataclass(frozen=True, slots=True)
class Posted:
    """The stored comment, its thread after the write, its anchor, and a token when the reader was new."""

    comment: Comment
    thread: Thread
    new_token: str | None
    anchor: Anchor | None = None
    # What "Notify of" did: None (not asked), "confirmation_sent" or "subscribed".
    subscription: subscriptions.Outcome | None = None


@dataclass(frozen=True, slots=True)
class _Clean:
    """A post's fields after validation, ready to store."""

    body: str
    html: str
    name: str | None
    email: str | None
    website: str | None
    anchor: AnchorSpec | None
    notify: subscriptions.Kind | None


NOTIFY_CHOICES: dict[str, subscriptions.Kind | None] = {"none": None, "replies": "replies", "followups": "followups"}


def _notify_choice(value: str) -> subscriptions.Kind | None:
    if value not in NOTIFY_CHOICES:
        raise Invalid("“Notify of” takes none, replies or followups.")
    return NOTIFY_CHOICES[value]


def _cleaned(services: Services, post: NewPost) -> _Clean:
    body = clean_body(post.body, max_chars=services.settings.max_body_chars)
    name = clean_name(post.author_name, max_chars=services.settings.max_name_chars)
    if post.anchor is not None and post.parent_id is not None:
        raise Invalid("A reply is about its parent's passage already; send `anchor` only with a new comment.")
    anchor = parse_anchor(post.anchor) if post.anchor is not None else None
    html = render(body, BodyFormat.MARKDOWN)
    email, notify = clean_email(post.author_email), _notify_choice(post.notify)
    return _Clean(body, html, name, email, clean_website(post.website), anchor, notify)


async def post_comment(services: Services, post: NewPost, reader: Reader) -> Posted:
    """Validate, render and store a comment or reply; the thread is created on its first comment."""
    clean = _cleaned(services, post)
    actor = actor_of(services, reader)
    await services.limiter.hit("comment", actor)
    defences.refuse_trap(post.homepage)
    draft = defences.Draft(clean.body, clean.html, clean.name, clean.email, clean.website)
    # Before the transaction: a slow spam service must not hold the database's write lock.
    flagged = await defences.ask_akismet(services, post.thread, draft, reader.address, reply=post.parent_id is not None)
    async with services.db.write() as conn:
        site = await site_named(conn, post.thread.site)
        require_origin(site, reader.origin)
        thread = await thread_for_write(conn, services, site, post.thread)
        if thread.closed:
            raise Forbidden("Comments on this article are closed.", code="thread_closed")
        writer = await writer_for(conn, services, reader)
        verdict = await defences.judge(
            conn, services, site, thread, writer.identity_id, draft, actor.address_hash, flagged
        )
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
                status=verdict.status,
                created_at=services.clock(),
                ip_hash=actor.address_hash,
                anchor_id=anchor.id if anchor else None,
                shadow=writer.shadowbanned,
                spam_score=verdict.spam_score,
                held_reason=verdict.held_reason,
            ),
        )
        thread = await thread_store.bump(conn, thread.id, comments=int(moderation.counted(comment)))
        await _announce(conn, services, site, thread, comment)
        subscribed = await _subscribe_author(conn, services, site, thread, comment, clean.notify)
    await services.broker.publish(ThreadChanged(site.id, thread.id, thread.version, "comment.posted", comment.id))
    return Posted(comment, thread, writer.new_token, anchor, subscribed)


async def _announce(conn: Conn, services: Services, site: Site, thread: Thread, comment: Comment) -> None:
    """Tell whom a new comment concerns, in its transaction: a rolled back comment tells nobody."""
    if comment.status is CommentStatus.PENDING:
        # Held: news to its readers once a moderator approves it (pnyx.services.moderation); to moderators now.
        await alerts.after_hold(conn, services, site)
    elif moderation.counted(comment):
        # A shadow-banned author's comment is news to nobody but its author: no mails, no webhooks.
        await notifications.notify(conn, services, site, thread, comment)
        await webhooks.enqueue_event(conn, services, site, COMMENT_CREATED, webhooks.comment_data(comment, thread))


async def _subscribe_author(
    conn: Conn, services: Services, site: Site, thread: Thread, comment: Comment, kind: subscriptions.Kind | None
) -> subscriptions.Outcome | None:
    """The author's "Notify of" choice, recorded with their comment; their verified address needs no mail."""
    if kind is None:
        return None
    email = comment.author_email or await subscriptions.verified_address(conn, comment.identity_id)
    if email is None:
        raise Invalid("Give your e-mail address to be notified; it is never shown publicly.")
    comment_id = comment.id if kind == "replies" else None
    wish = subscriptions.Wish(email, kind, comment_id)
    return await subscriptions.subscribe_in(conn, services, site, thread, wish, comment.identity_id)


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
    actor = actor_of(services, reader)
    await services.limiter.hit("edit", actor)
    async with services.db.write() as conn:
        comment = await _own_editable(conn, services, comment_id, reader)
        draft = defences.Draft(clean, html, comment.author_name, comment.author_email, comment.website)
        verdict = await defences.judge_edit(conn, services, comment, draft, actor.address_hash)
        updated = await comment_store.update_comment(
            conn,
            comment_id,
            body_source=clean,
            body_format=BodyFormat.MARKDOWN.value,
            body_html=html,
            edited_at=services.clock(),
            status=verdict.status.value,
            held_reason=verdict.held_reason,
            spam_score=verdict.spam_score,
        )
        anchor = await anchor_of(conn, updated)
        # An edit that brings in a hold word or spam takes the comment back to the queue, out of the count.
        counted = int(moderation.counted(updated)) - int(moderation.counted(comment))
        thread = await thread_store.bump(conn, comment.thread_id, comments=counted)
        if updated.status is CommentStatus.PENDING and comment.status is not CommentStatus.PENDING:
            await alerts.after_hold(conn, services, await site_store.get_by_id(conn, thread.site_id))
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
        counted = -int(moderation.counted(comment))
        thread = await thread_store.bump(conn, comment.thread_id, comments=counted)
    await services.broker.publish(
        ThreadChanged(thread.site_id, thread.id, thread.version, "comment.deleted", comment_id)
    )
