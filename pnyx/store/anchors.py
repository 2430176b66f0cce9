"""Queries on anchors: the passages and prompts of an article that comments are about."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from pnyx.domain.anchoring import Anchor, AnchorKind, AnchorSpec, Selector
from pnyx.domain.models import CommentStatus
from pnyx.store.dialect import insert_or_ignore
from pnyx.store.tables import anchor, comment


def _to_anchor(row: Any) -> Anchor:
    selector = None
    if row.exact is not None:
        selector = Selector(row.exact, row.prefix or "", row.suffix or "", row.start, row.end)
    return Anchor(row.id, row.thread_id, AnchorKind(row.kind), row.label, row.question, selector)


def _values(spec: AnchorSpec) -> dict[str, Any]:
    s = spec.selector
    return {
        "kind": spec.kind.value,
        "label": spec.label,
        "question": spec.question,
        "exact": s.exact if s else None,
        "prefix": s.prefix if s else None,
        "suffix": s.suffix if s else None,
        "start": s.start if s else None,
        "end": s.end if s else None,
        "fingerprint": spec.fingerprint,
    }


async def get_or_create(conn: AsyncConnection, thread_id: int, spec: AnchorSpec, now: datetime) -> Anchor:
    """The thread's anchor for this prompt or passage, created if absent; safe when two first comments race."""
    values = _values(spec)
    await conn.execute(insert_or_ignore(conn, anchor, thread_id=thread_id, created_at=now, **values))
    query = select(anchor).where(anchor.c.thread_id == thread_id, anchor.c.fingerprint == values["fingerprint"])
    return _to_anchor((await conn.execute(query)).one())


async def anchors_by_id(conn: AsyncConnection, thread_id: int, ids: Iterable[int]) -> dict[int, Anchor]:
    """The thread's anchors among ``ids``, in one query."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    query = select(anchor).where(anchor.c.thread_id == thread_id, anchor.c.id.in_(wanted))
    return {row.id: _to_anchor(row) for row in await conn.execute(query)}


@dataclass(frozen=True, slots=True)
class Counted:
    """An anchor and how many approved comments (replies included) it has."""

    anchor: Anchor
    count: int


def _counted(thread_id: int) -> Any:
    # The thread as a constant lets the (thread_id, anchor_id) index find each anchor's comments.
    visible = and_(
        comment.c.thread_id == thread_id,
        comment.c.anchor_id == anchor.c.id,
        comment.c.status == CommentStatus.APPROVED.value,
        comment.c.shadow.is_(False),
    )
    return (
        select(anchor, func.count(comment.c.id).label("visible"))
        .outerjoin(comment, visible)
        .where(anchor.c.thread_id == thread_id)
        .group_by(*anchor.c)
    )


async def counted_anchors(conn: AsyncConnection, thread_id: int) -> list[Counted]:
    """The thread's anchors that have at least one approved comment, with their counts, oldest anchor first."""
    query = _counted(thread_id).having(func.count(comment.c.id) > 0).order_by(anchor.c.id)
    return [Counted(_to_anchor(row), row.visible) for row in await conn.execute(query)]


async def counted_anchor(conn: AsyncConnection, thread_id: int, anchor_id: int) -> Counted | None:
    """One anchor of the thread with its count of approved comments; None when the thread has no such anchor."""
    row = (await conn.execute(_counted(thread_id).where(anchor.c.id == anchor_id))).one_or_none()
    return Counted(_to_anchor(row), row.visible) if row else None
