"""Use case: a reader reports a comment to the moderators; enough distinct reporters hide it until one reviews it.

The threshold is the site's ``policy.report_threshold`` (0: never hide). A hidden comment is held as pending
with ``held_reason`` "reports", so the Reported queue shows it; a moderator's approve or restore brings it back.
"""

from __future__ import annotations

from dataclasses import dataclass

from pnyx.domain.events import ThreadChanged
from pnyx.domain.models import Comment, CommentStatus, ReportReason, Thread
from pnyx.domain.text import clean_text
from pnyx.errors import Conflict, Forbidden, Invalid, NotFound
from pnyx.services import alerts, bans, webhooks
from pnyx.services.container import Services
from pnyx.services.moderation import counted
from pnyx.services.readers import Reader, actor_of, writer_for
from pnyx.services.threads import thread_of_comment
from pnyx.store import comments as comment_store
from pnyx.store import reports as report_store
from pnyx.store import sites as site_store
from pnyx.store import threads as thread_store
from pnyx.store.audit import write_audit
from pnyx.store.engine import Conn
from pnyx.store.moderation import HELD_BY_REPORTS

MAX_DETAIL_CHARS = 1000
# Who the audit log names when readers' reports, not a moderator, hid a comment.
REPORT_THRESHOLD_ACTOR = "report threshold"


@dataclass(frozen=True, slots=True)
class Filed:
    """A report was stored; carries a token when the reporter was new, and whether it hid the comment."""

    new_token: str | None
    hid: bool = False


def _clean_detail(detail: str | None) -> str | None:
    text = clean_text(detail).strip() if detail else ""
    if len(text) > MAX_DETAIL_CHARS:
        raise Invalid(f"The details are {len(text):,} characters long; the limit is {MAX_DETAIL_CHARS:,}.")
    return text or None


async def report_comment(
    services: Services, comment_id: int, reason: ReportReason, detail: str | None, reader: Reader
) -> Filed:
    """File one report per reader per comment; at the site's threshold of distinct reporters the comment is hidden."""
    clean = _clean_detail(detail)
    actor = actor_of(services, reader)
    await services.limiter.hit("report", actor)
    async with services.db.write() as conn:
        comment = await _reportable(conn, comment_id)
        thread = await thread_of_comment(conn, comment, reader.origin)
        writer = await writer_for(conn, services, reader)
        await bans.refuse_banned(
            conn,
            site_id=thread.site_id,
            identity_id=writer.identity_id,
            email=None,
            ip_hash=actor.address_hash,
            now=services.clock(),
        )
        if comment.identity_id == writer.identity_id:
            raise Forbidden("You cannot report your own comment; you can edit or delete it instead.")
        new = report_store.NewReport(
            comment_id, writer.identity_id, reason, clean, actor.address_hash, services.clock()
        )
        if not await report_store.insert_report(conn, new):
            raise Conflict("You have already reported this comment; the moderators will review it.")
        # Counted in the report's transaction: the unique report row makes every reporter count once.
        reporters = await report_store.add_reporter(conn, comment_id)
        hidden = await _hide_if_reported(conn, services, thread, comment, reporters)
        await webhooks.report_filed(conn, services, thread, new)
    if hidden is not None:
        await services.broker.publish(
            ThreadChanged(hidden.site_id, hidden.id, hidden.version, "comment.removed", comment_id)
        )
    return Filed(writer.new_token, hidden is not None)


async def _reportable(conn: Conn, comment_id: int) -> Comment:
    """The comment, locked, unless deleted; one already hidden by reports is under review."""
    comment = await comment_store.get_comment(conn, comment_id, lock=True)
    if comment is None or comment.status is CommentStatus.DELETED:
        raise NotFound(f"There is no comment {comment_id}.")
    if comment.held_reason == HELD_BY_REPORTS and comment.status is CommentStatus.PENDING:
        raise Conflict("Readers have reported this comment already; it is hidden until the moderators review it.")
    return comment


async def _hide_if_reported(
    conn: Conn, services: Services, thread: Thread, comment: Comment, reporters: int
) -> Thread | None:
    """Hide the comment pending review once its distinct reporters reach the site's threshold; its thread then."""
    site = await site_store.get_by_id(conn, thread.site_id)
    threshold = site.policy.report_threshold
    # Only what everyone sees can be hidden: a held, rejected or shadow comment is out of sight already.
    if threshold <= 0 or reporters < threshold or not counted(comment):
        return None
    await comment_store.update_comment(
        conn, comment.id, status=CommentStatus.PENDING.value, held_reason=HELD_BY_REPORTS
    )
    bumped = await thread_store.bump(conn, thread.id, comments=-1)
    await write_audit(
        conn,
        site_id=site.id,
        moderator_id=None,
        actor=REPORT_THRESHOLD_ACTOR,
        action="hide",
        target_kind="comment",
        target_id=comment.id,
        detail={"reports": reporters, "threshold": threshold},
        now=services.clock(),
    )
    await alerts.after_hold(conn, services, site)
    return bumped
