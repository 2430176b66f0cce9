"""Looking up one comment as every reader may see it (the widget re-renders a comment after a write)."""

from __future__ import annotations

from dataclasses import dataclass

from pnyx.domain.models import Comment, CommentStatus, Thread
from pnyx.errors import NotFound
from pnyx.services.container import Services
from pnyx.store import comments as comment_store
from pnyx.store import threads as thread_store

PUBLIC = frozenset({CommentStatus.APPROVED, CommentStatus.DELETED})


@dataclass(frozen=True, slots=True)
class Shown:
    """A public comment and the thread it belongs to."""

    comment: Comment
    thread: Thread


async def public_comment(services: Services, comment_id: int) -> Shown:
    """An approved comment, or a deleted one's placeholder; anything else is not found."""
    async with services.db.read() as conn:
        comment = await comment_store.get_comment(conn, comment_id)
        thread = await thread_store.get_thread(conn, comment.thread_id) if comment else None
    if comment is None or thread is None or comment.status not in PUBLIC:
        raise NotFound(f"There is no comment {comment_id}.")
    return Shown(comment, thread)
