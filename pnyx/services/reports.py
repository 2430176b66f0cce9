"""Use case: a reader reports a comment to the moderators (the moderation queue reads these rows)."""

from __future__ import annotations

from dataclasses import dataclass

from pnyx.domain.models import CommentStatus, ReportReason
from pnyx.domain.text import clean_text
from pnyx.errors import Conflict, Forbidden, Invalid, NotFound
from pnyx.services.container import Services
from pnyx.services.readers import Reader, actor_of, writer_for
from pnyx.services.threads import thread_of_comment
from pnyx.store import comments as comment_store
from pnyx.store import reports as report_store

MAX_DETAIL_CHARS = 1000


@dataclass(frozen=True, slots=True)
class Filed:
    """A report was stored; carries a token when the reporter was new."""

    new_token: str | None


def _clean_detail(detail: str | None) -> str | None:
    text = clean_text(detail).strip() if detail else ""
    if len(text) > MAX_DETAIL_CHARS:
        raise Invalid(f"The details are {len(text):,} characters long; the limit is {MAX_DETAIL_CHARS:,}.")
    return text or None


async def report_comment(
    services: Services, comment_id: int, reason: ReportReason, detail: str | None, reader: Reader
) -> Filed:
    """File one report per reader per comment; a second report by the same reader is refused."""
    clean = _clean_detail(detail)
    actor = actor_of(services, reader)
    await services.limiter.hit("report", actor)
    async with services.db.write() as conn:
        comment = await comment_store.get_comment(conn, comment_id)
        if comment is None or comment.status is CommentStatus.DELETED:
            raise NotFound(f"There is no comment {comment_id}.")
        await thread_of_comment(conn, comment, reader.origin)
        writer = await writer_for(conn, services, reader)
        if comment.identity_id == writer.identity_id:
            raise Forbidden("You cannot report your own comment; you can edit or delete it instead.")
        new = report_store.NewReport(
            comment_id, writer.identity_id, reason, clean, actor.address_hash, services.clock()
        )
        if not await report_store.insert_report(conn, new):
            raise Conflict("You have already reported this comment; the moderators will review it.")
    return Filed(writer.new_token)
