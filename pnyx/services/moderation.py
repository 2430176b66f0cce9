"""Moderators' actions on comments and threads: one transaction each, audited, live readers told after.

Every action takes an Actor (the console maps its session to one) and one or many targets. It checks every
target's site before changing anything, keeps ``thread.comment_count`` (approved comments nobody shadows) and
``thread.version`` right, writes one audit row per changed target, and publishes ThreadChanged after the
commit. Approval is when a held comment's subscribers and the site's webhooks hear of it. Bans and shadow-bans,
which act on comments' authors through the same batch, are pnyx.services.banning's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from pnyx.domain.events import ThreadChanged
from pnyx.domain.markdown import render
from pnyx.domain.models import MAX_ID, BodyFormat, Comment, CommentStatus, Site, Thread
from pnyx.domain.text import clean_body, clean_text
from pnyx.domain.webhooks import COMMENT_APPROVED
from pnyx.errors import Conflict, Forbidden, Invalid, NotFound
from pnyx.services import notifications, webhooks
from pnyx.services.container import Services
from pnyx.store import comments as comment_store
from pnyx.store import moderation as store
from pnyx.store import reports as report_store
from pnyx.store import sites as site_store
from pnyx.store import threads as thread_store
from pnyx.store.audit import write_audit
from pnyx.store.engine import Conn
from pnyx.store.moderation import HELD_BY_REPORTS, Target

MAX_TARGETS = 500
MAX_REASON_CHARS = 1000
MODERATOR_EDIT_NOTE = "edited by moderator"


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts: a moderator account (None for pnyx itself), its e-mail for the log, and its sites (None: all)."""

    moderator_id: int | None
    email: str
    sites: frozenset[int] | None = None
    # Admins read the audit log; moderators act on their sites only.
    admin: bool = False

    def may_moderate(self, site_id: int) -> bool:
        """Whether this actor may act on the site."""
        return self.sites is None or site_id in self.sites


# Calls made by pnyx itself (the CLI, tests, the report threshold) rather than by a person in the console.
SYSTEM = Actor(None, "pnyx", None, admin=True)


@dataclass(frozen=True, slots=True)
class Moderated:
    """What an action did: the comments it changed as they now stand, and the ids it found as asked already.

    ``identities`` are the readers a shadow-ban or a lift changed.
    """

    changed: tuple[Comment, ...]
    unchanged: tuple[int, ...] = ()
    identities: tuple[int, ...] = ()


def counted(comment: Comment) -> bool:
    """Whether a comment counts in its thread's comment count: approved, and seen by everyone."""
    return comment.status is CommentStatus.APPROVED and not comment.shadow


def _never_shown(comment: Comment) -> bool:
    # Held when it was posted: its subscribers have not heard of it. A comment hidden by reports was shown.
    if comment.held_reason == HELD_BY_REPORTS:
        return False
    return comment.held_reason is not None or comment.status is CommentStatus.PENDING


def checked_ids(ids: Iterable[int], noun: str) -> list[int]:
    unique = list(dict.fromkeys(ids))
    if not unique:
        raise Invalid(f"Name at least one {noun}.")
    if len(unique) > MAX_TARGETS:
        raise Invalid(f"Act on at most {MAX_TARGETS} {noun}s at once; this request names {len(unique)}.")
    for target_id in unique:
        if not 0 < target_id <= MAX_ID:
            raise NotFound(f"There is no {noun} {target_id}.")
    return unique


def clean_reason(reason: str | None) -> str | None:
    """A moderator's reason as the audit log keeps it; None when empty."""
    text = clean_text(reason).strip() if reason else ""
    if len(text) > MAX_REASON_CHARS:
        raise Invalid(f"The reason is {len(text):,} characters long; the limit is {MAX_REASON_CHARS:,}.")
    return text or None


def require_site(actor: Actor, site_id: int, what: str) -> None:
    """Refuse an actor who does not moderate the site ``what`` belongs to."""
    if not actor.may_moderate(site_id):
        raise Forbidden(f"{what} belongs to a site this account does not moderate.")


async def targets_of(conn: Conn, actor: Actor, ids: list[int]) -> list[Target]:
    """The comments, locked; every one must exist and be on the actor's sites before anything changes."""
    targets = await store.lock_targets(conn, ids)
    missing = sorted(set(ids) - {target.comment.id for target in targets})
    if missing:
        raise NotFound(f"There is no comment {missing[0]}.")
    for target in targets:
        require_site(actor, target.site_id, f"Comment {target.comment.id}")
    return targets


@dataclass
class Batch:
    """One action's bookkeeping inside its transaction: counter moves, audit rows, approvals, events."""

    conn: Conn
    services: Services
    actor: Actor
    action: str
    event: str
    reason: str | None
    deltas: dict[int, int] = field(default_factory=dict)
    moved: list[tuple[Comment, Comment]] = field(default_factory=list)

    def move(self, before: Comment, after: Comment) -> None:
        """Note a comment's change; the thread's count follows whether everyone sees it."""
        delta = int(counted(after)) - int(counted(before))
        self.deltas[after.thread_id] = self.deltas.get(after.thread_id, 0) + delta
        self.moved.append((before, after))

    async def audit(
        self, site_id: int | None, kind: str, target_id: int | str, detail: dict[str, Any] | None, action: str = ""
    ) -> None:
        """Write the audit row of one changed target (under this batch's action unless ``action`` names another)."""
        await write_audit(
            self.conn,
            site_id=site_id,
            moderator_id=self.actor.moderator_id,
            actor=self.actor.email,
            action=action or self.action,
            target_kind=kind,
            target_id=str(target_id),
            reason=self.reason,
            detail=detail,
            now=self.services.clock(),
        )

    async def finish(self, *, announce: bool = False) -> list[ThreadChanged]:
        """Bump every touched thread once, announce newly public comments, and the events to publish."""
        threads: dict[int, Thread] = {}
        for thread_id in sorted(self.deltas):
            threads[thread_id] = await thread_store.bump(self.conn, thread_id, comments=self.deltas[thread_id])
        if announce:
            await self._announce(threads)
        return [
            ThreadChanged(threads[a.thread_id].site_id, a.thread_id, threads[a.thread_id].version, self.event, a.id)
            for _, a in self.moved
        ]

    async def _announce(self, threads: dict[int, Thread]) -> None:
        sites: dict[int, Site] = {}
        for before, after in self.moved:
            if not counted(after) or counted(before):
                continue
            thread = threads[after.thread_id]
            if thread.site_id not in sites:
                sites[thread.site_id] = await site_store.get_by_id(self.conn, thread.site_id)
            site = sites[thread.site_id]
            # In the approval's transaction: mails about a comment nobody may see must never leave.
            if _never_shown(before):
                await notifications.notify(self.conn, self.services, site, thread, after)
            data = webhooks.comment_data(after, thread)
            await webhooks.enqueue_event(self.conn, self.services, site, COMMENT_APPROVED, data)


async def publish_changes(services: Services, events: list[ThreadChanged]) -> None:
    for event in events:
        await services.broker.publish(event)


Change = Callable[[Comment], dict[str, Any] | None]


@dataclass(frozen=True, slots=True)
class _Action:
    """How one comment action changes a comment: its audit name, its live event, and whether it reviews reports."""

    name: str
    event: str
    change: Change
    review: bool = False
    announce: bool = False


def change_detail(before: Comment, after: Comment) -> dict[str, Any] | None:
    detail: dict[str, Any] = {}
    if before.status is not after.status:
        detail.update({"from": before.status.value, "to": after.status.value})
    if before.report_count:
        detail["reports"] = before.report_count
    if before.body_source != after.body_source:
        detail["previous_body"] = before.body_source
    return detail or None


async def _act(services: Services, actor: Actor, ids: Iterable[int], action: _Action, reason: str | None) -> Moderated:
    clean_ids, why = checked_ids(ids, "comment"), clean_reason(reason)
    async with services.db.write() as conn:
        batch = Batch(conn, services, actor, action.name, action.event, why)
        unchanged: list[int] = []
        for target in await targets_of(conn, actor, clean_ids):
            values = action.change(target.comment)
            if values is None:
                unchanged.append(target.comment.id)
                continue
            after = await comment_store.update_comment(conn, target.comment.id, **values)
            batch.move(target.comment, after)
            await batch.audit(target.site_id, "comment", after.id, change_detail(target.comment, after))
        if action.review:
            await report_store.resolve_reports(conn, [after.id for _, after in batch.moved])
        events = await batch.finish(announce=action.announce)
    await publish_changes(services, events)
    return Moderated(tuple(after for _, after in batch.moved), tuple(unchanged))


def _reviewed(comment: Comment, status: CommentStatus) -> dict[str, Any] | None:
    """A review's values: the status, and the open reports dealt with (the count starts again at zero)."""
    if comment.status is status and comment.report_count == 0:
        return None
    return {"status": status.value, "report_count": 0}


def _publishable(comment: Comment, *, undelete: bool) -> dict[str, Any] | None:
    if comment.status is CommentStatus.DELETED:
        if not undelete:
            raise Conflict(f"Comment {comment.id} was deleted; restore it to bring it back.")
        if not comment.body_source:
            raise Conflict(f"Comment {comment.id} was deleted by its author; there is no text left to restore.")
    if comment.status is CommentStatus.APPROVED and comment.held_reason is None and comment.report_count == 0:
        return None
    # held_reason goes: once public, the comment has been announced (see _never_shown).
    return {"status": CommentStatus.APPROVED.value, "held_reason": None, "report_count": 0}


def _hidden_as(status: CommentStatus) -> Change:
    def change(comment: Comment) -> dict[str, Any] | None:
        # A deleted comment is hidden already; rejecting it too would only blur the log.
        return None if comment.status is CommentStatus.DELETED else _reviewed(comment, status)

    return change


def _flag(name: str, value: bool, *, top_level_only: bool = False) -> Change:
    def change(comment: Comment) -> dict[str, Any] | None:
        if top_level_only and not comment.is_top_level:
            raise Invalid(f"Comment {comment.id} is a reply; only top-level comments can be pinned.")
        return None if getattr(comment, name) is value else {name: value}

    return change


APPROVE = _Action("approve", "comment.approved", lambda c: _publishable(c, undelete=False), True, True)
RESTORE = _Action("restore", "comment.approved", lambda c: _publishable(c, undelete=True), True, True)
REJECT = _Action("reject", "comment.removed", _hidden_as(CommentStatus.REJECTED), True)
SPAM = _Action("spam", "comment.removed", _hidden_as(CommentStatus.SPAM), True)
DELETE = _Action("delete", "comment.deleted", lambda c: _reviewed(c, CommentStatus.DELETED), True)


async def approve(services: Services, actor: Actor, ids: Iterable[int], reason: str | None = None) -> Moderated:
    """Publish held, rejected or spam comments (or keep reported ones, dismissing the reports)."""
    return await _act(services, actor, ids, APPROVE, reason)


async def restore(services: Services, actor: Actor, ids: Iterable[int], reason: str | None = None) -> Moderated:
    """Bring comments back to approved, from rejected, spam, deleted by a moderator, or hidden by reports."""
    return await _act(services, actor, ids, RESTORE, reason)


async def reject(services: Services, actor: Actor, ids: Iterable[int], reason: str | None = None) -> Moderated:
    """Take comments off the public thread as rejected."""
    return await _act(services, actor, ids, REJECT, reason)


async def mark_spam(services: Services, actor: Actor, ids: Iterable[int], reason: str | None = None) -> Moderated:
    """Take comments off the public thread as spam."""
    return await _act(services, actor, ids, SPAM, reason)


async def delete(services: Services, actor: Actor, ids: Iterable[int], reason: str | None = None) -> Moderated:
    """Delete comments: readers see the "deleted" placeholder above live replies; the text stays for restore."""
    return await _act(services, actor, ids, DELETE, reason)


async def pin(
    services: Services, actor: Actor, ids: Iterable[int], pinned: bool = True, reason: str | None = None
) -> Moderated:
    """Pin top-level comments to the head of their thread's first page, or unpin them."""
    action = _Action("pin" if pinned else "unpin", "comment.changed", _flag("pinned", pinned, top_level_only=True))
    return await _act(services, actor, ids, action, reason)


async def feature(
    services: Services, actor: Actor, ids: Iterable[int], featured: bool = True, reason: str | None = None
) -> Moderated:
    """Mark comments as an editor's pick ("Featured"), or take the mark away."""
    action = _Action("feature" if featured else "unfeature", "comment.changed", _flag("featured", featured))
    return await _act(services, actor, ids, action, reason)


async def edit(services: Services, actor: Actor, comment_id: int, body: str, reason: str | None = None) -> Comment:
    """Replace a comment's body (Markdown); readers see an "edited by moderator" note with it."""
    source = clean_body(body, max_chars=services.settings.max_body_chars)
    values = {
        "body_source": source,
        "body_format": BodyFormat.MARKDOWN.value,
        "body_html": render(source, BodyFormat.MARKDOWN),
        "moderator_note": MODERATOR_EDIT_NOTE,
        "edited_at": services.clock(),
    }

    def change(comment: Comment) -> dict[str, Any] | None:
        if comment.status is CommentStatus.DELETED:
            raise Conflict(f"Comment {comment.id} was deleted; restore it before editing it.")
        return None if comment.body_source == source and comment.moderator_note else values

    done = await _act(services, actor, [comment_id], _Action("edit", "comment.edited", change), reason)
    if done.changed:
        return done.changed[0]
    async with services.db.read() as conn:
        found = await comment_store.get_comment(conn, comment_id)
    assert found is not None  # _act found it a moment ago; comments are never removed
    return found


async def approve_comment(services: Services, comment_id: int, actor: Actor = SYSTEM) -> Comment:
    """Publish one held comment; Conflict when it is approved already."""
    done = await approve(services, actor, [comment_id])
    if not done.changed:
        raise Conflict(f"Comment {comment_id} is approved already.")
    return done.changed[0]


async def close_threads(
    services: Services, actor: Actor, thread_ids: Iterable[int], closed: bool = True, reason: str | None = None
) -> list[Thread]:
    """Close threads to new comments (or reopen them); the threads that changed, as they now stand."""
    ids, why = checked_ids(thread_ids, "thread"), clean_reason(reason)
    action, event = ("close", "thread.closed") if closed else ("reopen", "thread.reopened")
    changed: list[Thread] = []
    async with services.db.write() as conn:
        batch = Batch(conn, services, actor, action, event, why)
        threads = [await thread_store.get_thread(conn, thread_id, lock=True) for thread_id in sorted(ids)]
        for thread_id, thread in zip(sorted(ids), threads, strict=True):
            if thread is None:
                raise NotFound(f"There is no thread {thread_id}.")
            require_site(actor, thread.site_id, f"Thread {thread_id}")
        for thread in filter(None, threads):
            version = await store.set_closed(conn, thread.id, closed)
            if version is not None:
                changed.append(replace(thread, closed=closed, version=version))
                await batch.audit(thread.site_id, "thread", thread.id, None)
    await publish_changes(services, [ThreadChanged(t.site_id, t.id, t.version, batch.event) for t in changed])
    return changed
