"""Use cases for votes: Upvote / Downvote on comments, and the article's points ("What do you think?").

A reader holds at most one vote per target. Each change locks the target row, reads the
reader's standing vote, stores the new one and moves the counters by the difference, all in
one transaction: racing changes queue on the lock, so counters always equal a recount.
"""

from __future__ import annotations

from dataclasses import dataclass

from pnyx.domain.events import ThreadChanged
from pnyx.domain.models import CommentStatus, TargetKind
from pnyx.domain.ranking import rank
from pnyx.errors import Conflict, Forbidden, NotFound
from pnyx.services import bans
from pnyx.services.container import Services
from pnyx.services.ratelimit import Actor
from pnyx.services.readers import Reader, actor_of, writer_for
from pnyx.services.sites import require_origin, site_named
from pnyx.services.threads import ThreadRef, thread_for_write, thread_of_comment
from pnyx.store import comments as comment_store
from pnyx.store import threads as thread_store
from pnyx.store import votes as vote_store
from pnyx.store.engine import Conn


@dataclass(frozen=True, slots=True)
class Tally:
    """Counters of a target after a vote, the reader's standing vote, and a token for a new reader."""

    up: int
    down: int
    value: int
    new_token: str | None

    @property
    def points(self) -> int:
        return self.up - self.down


def _deltas(old: int, new: int) -> tuple[int, int]:
    return (new == 1) - (old == 1), (new == -1) - (old == -1)


async def _record(
    conn: Conn, services: Services, kind: TargetKind, target_id: int, identity_id: int, value: int
) -> tuple[int, int]:
    old = await vote_store.current_vote(conn, kind, target_id, identity_id)
    if old != value:
        await vote_store.put_vote(conn, kind, target_id, identity_id, value, services.clock())
    return _deltas(old, value)


async def _refuse_banned(conn: Conn, services: Services, site_id: int, identity_id: int, actor: Actor) -> None:
    await bans.refuse_banned(
        conn, site_id=site_id, identity_id=identity_id, email=None, ip_hash=actor.address_hash, now=services.clock()
    )


async def vote_comment(services: Services, comment_id: int, value: int, reader: Reader) -> Tally:
    """Set the reader's vote on a comment to 1, -1 or 0 (withdrawn)."""
    actor = actor_of(services, reader)
    await services.limiter.hit("vote", actor)
    async with services.db.write() as conn:
        comment = await comment_store.get_comment(conn, comment_id, lock=True)
        if comment is None:
            raise NotFound(f"There is no comment {comment_id}.")
        if comment.status is not CommentStatus.APPROVED:
            raise Conflict("That comment was removed, so it can no longer be voted on.")
        thread = await thread_of_comment(conn, comment, reader.origin)
        writer = await writer_for(conn, services, reader)
        await _refuse_banned(conn, services, thread.site_id, writer.identity_id, actor)
        if comment.identity_id == writer.identity_id:
            raise Forbidden("You cannot vote on your own comment.")
        up, down = await _record(conn, services, TargetKind.COMMENT, comment_id, writer.identity_id, value)
        if up or down:
            new_up, new_down = await comment_store.move_votes(conn, comment_id, up, down)
            await comment_store.update_comment(conn, comment_id, rank=rank(new_up, new_down))
            thread = await thread_store.bump(conn, thread.id)
        else:
            new_up, new_down = comment.up, comment.down
    if up or down:
        await services.broker.publish(
            ThreadChanged(thread.site_id, thread.id, thread.version, "comment.voted", comment_id)
        )
    return Tally(new_up, new_down, value, writer.new_token)


async def vote_thread(services: Services, ref: ThreadRef, value: int, reader: Reader) -> Tally:
    """Set the reader's points vote on the article to 1, -1 or 0 (withdrawn)."""
    actor = actor_of(services, reader)
    await services.limiter.hit("vote", actor)
    async with services.db.write() as conn:
        site = await site_named(conn, ref.site)
        require_origin(site, reader.origin)
        thread = await thread_for_write(conn, services, site, ref)
        writer = await writer_for(conn, services, reader)
        await _refuse_banned(conn, services, site.id, writer.identity_id, actor)
        up, down = await _record(conn, services, TargetKind.THREAD, thread.id, writer.identity_id, value)
        if up or down:
            thread = await thread_store.bump(conn, thread.id, points_up=up, points_down=down)
    if up or down:
        await services.broker.publish(ThreadChanged(site.id, thread.id, thread.version, "thread.voted"))
    return Tally(thread.points_up, thread.points_down, value, writer.new_token)
