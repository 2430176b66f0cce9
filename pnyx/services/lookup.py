"""Looking up one comment as every reader may see it (the widget re-renders a comment after a write)."""

from __future__ import annotations

from dataclasses import dataclass

from pnyx.domain.anchoring import Anchor
from pnyx.domain.models import Comment, CommentStatus, Thread
from pnyx.errors import NotFound
from pnyx.services.anchors import anchor_of
from pnyx.services.container import Services
from pnyx.store import comments as comment_store
from pnyx.store import threads as thread_store

PUBLIC = frozenset({CommentStatus.APPROVED, CommentStatus.DELETED})
AUTHOR_SEES = PUBLIC | {CommentStatus.PENDING, CommentStatus.SPAM}


@dataclass(frozen=True, slots=True)
class Shown:
    """A public comment, the thread it belongs to, and the passage or prompt it is about."""

    comment: Comment
    thread: Thread
    anchor: Anchor | None = None


def visible_to(comment: Comment, viewer: int | None) -> bool:
    """Whether ``viewer`` (an identity id, or None) may see ``comment``: everyone its public form, its author more."""
    if comment.identity_id is not None and comment.identity_id == viewer:
        # Authors see their own held (pending, or held as spam: both "awaiting moderation" to them) and shadow
        # comments; rejected ones are gone for them too.
        return comment.status in AUTHOR_SEES
    return comment.status in PUBLIC and not comment.shadow


async def public_comment(services: Services, comment_id: int, viewer: int | None = None) -> Shown:
    """A comment as ``viewer`` may see it: approved, a deleted one's placeholder, or their own held one."""
    async with services.db.read() as conn:
        comment = await comment_store.get_comment(conn, comment_id)
        if comment is None or not visible_to(comment, viewer):
            raise NotFound(f"There is no comment {comment_id}.")
        thread = await thread_store.get_thread(conn, comment.thread_id)
        assert thread is not None  # a comment's thread outlives it
        return Shown(comment, thread, await anchor_of(conn, comment))
