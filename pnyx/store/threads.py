"""Queries on threads, their aliases and their counters."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from pnyx.domain.models import Thread
from pnyx.store.dialect import insert_or_ignore
from pnyx.store.tables import thread, thread_alias


def _to_thread(row: Any) -> Thread:
    return Thread(
        id=row.id,
        site_id=row.site_id,
        key=row.key,
        url=row.url,
        title=row.title,
        closed=row.closed,
        comment_count=row.comment_count,
        points_up=row.points_up,
        points_down=row.points_down,
        version=row.version,
    )


async def find_thread(conn: AsyncConnection, site_id: int, key: str, *, lock: bool = False) -> Thread | None:
    """The thread a key names, directly or through an alias; ``lock`` takes its row lock."""
    alias = select(thread_alias.c.thread_id).where(thread_alias.c.site_id == site_id, thread_alias.c.url == key)
    query = select(thread).where(thread.c.site_id == site_id, (thread.c.key == key) | thread.c.id.in_(alias))
    if lock:
        query = query.with_for_update(key_share=True)
    rows = (await conn.execute(query.order_by(thread.c.key != key).limit(1))).one_or_none()
    return _to_thread(rows) if rows else None


async def get_thread(conn: AsyncConnection, thread_id: int, *, lock: bool = False) -> Thread | None:
    """The thread with this id; ``lock`` takes its row lock until the transaction ends."""
    query = select(thread).where(thread.c.id == thread_id)
    row = (await conn.execute(query.with_for_update(key_share=True) if lock else query)).one_or_none()
    return _to_thread(row) if row else None


async def create_thread(
    conn: AsyncConnection, site_id: int, key: str, url: str | None, title: str | None, now: datetime
) -> Thread:
    """The thread for ``key``, created if absent; safe when two first comments race."""
    await conn.execute(
        insert_or_ignore(
            conn,
            thread,
            site_id=site_id,
            key=key,
            url=url,
            title=title,
            closed=False,
            comment_count=0,
            points_up=0,
            points_down=0,
            version=1,
            created_at=now,
        )
    )
    created = await find_thread(conn, site_id, key, lock=True)
    assert created is not None  # inserted or already there, in this transaction
    if url is not None and url != key:
        await conn.execute(insert_or_ignore(conn, thread_alias, site_id=site_id, thread_id=created.id, url=url))
    return created


async def bump(
    conn: AsyncConnection, thread_id: int, *, comments: int = 0, points_up: int = 0, points_down: int = 0
) -> Thread:
    """Move a thread's counters and grow its version; returns the thread as it now stands."""
    result = await conn.execute(
        update(thread)
        .where(thread.c.id == thread_id)
        .values(
            version=thread.c.version + 1,
            comment_count=thread.c.comment_count + comments,
            points_up=thread.c.points_up + points_up,
            points_down=thread.c.points_down + points_down,
        )
        .returning(thread)
    )
    return _to_thread(result.one())


async def comment_counts(conn: AsyncConnection, site_id: int, keys: list[str]) -> dict[str, int]:
    """Comment counts by key (or alias) for many threads in one query; unknown keys are left out."""
    direct = select(thread.c.key.label("name"), thread.c.comment_count).where(
        thread.c.site_id == site_id, thread.c.key.in_(keys)
    )
    aliased = (
        select(thread_alias.c.url.label("name"), thread.c.comment_count)
        .join(thread, thread.c.id == thread_alias.c.thread_id)
        .where(thread_alias.c.site_id == site_id, thread_alias.c.url.in_(keys))
    )
    rows = await conn.execute(direct.union_all(aliased))
    return {row.name: row.comment_count for row in rows}


async def thread_ids(conn: AsyncConnection) -> list[int]:
    """Every thread id, in order (for the doctor's recount)."""
    return list((await conn.execute(select(thread.c.id).order_by(thread.c.id))).scalars())


async def count_threads(conn: AsyncConnection) -> int:
    """How many threads exist."""
    return int((await conn.execute(select(func.count()).select_from(thread))).scalar_one())
