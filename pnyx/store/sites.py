"""Queries on sites."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from pnyx.domain.models import Site
from pnyx.store.tables import site


def _to_site(row: Any) -> Site:
    return Site(id=row.id, slug=row.slug, name=row.name, origins=tuple(row.origins), settings=dict(row.settings))


async def insert_site(conn: AsyncConnection, slug: str, name: str, origins: list[str], now: datetime) -> Site:
    """Create a site; the caller checked the slug is free."""
    result = await conn.execute(
        insert(site).values(slug=slug, name=name, origins=origins, settings={}, created_at=now).returning(site)
    )
    return _to_site(result.one())


async def set_origins(conn: AsyncConnection, site_id: int, origins: list[str]) -> None:
    """Replace a site's origins."""
    await conn.execute(update(site).where(site.c.id == site_id).values(origins=origins))


async def set_settings(conn: AsyncConnection, site_id: int, settings: dict[str, object]) -> None:
    """Replace a site's settings."""
    await conn.execute(update(site).where(site.c.id == site_id).values(settings=settings))


async def get_by_slug(conn: AsyncConnection, slug: str) -> Site | None:
    """The site with this slug, if any."""
    row = (await conn.execute(select(site).where(site.c.slug == slug))).one_or_none()
    return _to_site(row) if row else None


async def get_by_id(conn: AsyncConnection, site_id: int) -> Site:
    """The site with this id (callers hold a row that refers to it)."""
    return _to_site((await conn.execute(select(site).where(site.c.id == site_id))).one())


async def list_sites(conn: AsyncConnection) -> list[Site]:
    """Every site, by slug."""
    return [_to_site(row) for row in await conn.execute(select(site).order_by(site.c.slug))]


async def all_origins(conn: AsyncConnection) -> set[str]:
    """The union of every site's origins (for CORS preflight, which names no site)."""
    origins: set[str] = set()
    for (site_origins,) in await conn.execute(select(site.c.origins)):
        origins.update(site_origins)
    return origins
