"""Queries on webhooks: the URLs a site's events are posted to."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncConnection

from pnyx.domain.webhooks import Webhook
from pnyx.store.dialect import insert_or_ignore
from pnyx.store.tables import webhook


def _to_hook(row: Any) -> Webhook:
    return Webhook(
        id=row.id,
        site_id=row.site_id,
        url=row.url,
        events=tuple(row.events),
        created_at=row.created_at,
        secret=row.secret,
    )


async def insert_hook(
    conn: AsyncConnection, site_id: int, url: str, secret: str, events: Sequence[str], now: datetime
) -> Webhook | None:
    """Add a hook; None when the site has one for this URL already."""
    statement = insert_or_ignore(
        conn, webhook, site_id=site_id, url=url, secret=secret, events=list(events), created_at=now
    ).returning(webhook)
    row = (await conn.execute(statement)).one_or_none()
    return _to_hook(row) if row else None


async def list_hooks(conn: AsyncConnection, site_id: int) -> list[Webhook]:
    """The hooks of a site, oldest first."""
    query = select(webhook).where(webhook.c.site_id == site_id).order_by(webhook.c.id)
    return [_to_hook(row) for row in await conn.execute(query)]


async def hooks_for(conn: AsyncConnection, site_id: int, event: str) -> list[Webhook]:
    """The hooks of a site that want ``event``, oldest first."""
    # A site has a handful of hooks: filtering the JSON list here keeps one query for both databases.
    return [hook for hook in await list_hooks(conn, site_id) if hook.wants(event)]


async def get_hook(conn: AsyncConnection, hook_id: int) -> Webhook | None:
    """The hook with this id, if it still exists."""
    row = (await conn.execute(select(webhook).where(webhook.c.id == hook_id))).one_or_none()
    return _to_hook(row) if row else None


async def delete_hook(conn: AsyncConnection, site_id: int, hook_id: int) -> bool:
    """Remove a site's hook; False when the site has no hook with this id."""
    statement = delete(webhook).where(webhook.c.site_id == site_id, webhook.c.id == hook_id).returning(webhook.c.id)
    return (await conn.execute(statement)).first() is not None
