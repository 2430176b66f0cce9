"""Use cases for publishers' sites: add, list, change origins, and look one up."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import fields, replace
from typing import Any

from pnyx.domain.models import INLINE_IN_MAIN, Site
from pnyx.domain.policy import POLICY_KEY, Policy, policy_settings
from pnyx.domain.urls import normalise_origin, origin_of
from pnyx.errors import Conflict, Forbidden, Invalid, NotFound
from pnyx.services.container import Services
from pnyx.services.defences import checked_policy
from pnyx.store import sites as site_store
from pnyx.store.engine import Conn

_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}\Z")


def _clean_origins(origins: list[str]) -> list[str]:
    if not origins:
        raise Invalid("Give at least one origin, like --origin https://news.example.")
    return sorted({normalise_origin(origin) for origin in origins})


async def add_site(services: Services, slug: str, origins: list[str], name: str | None = None) -> Site:
    """Register a site that may embed pnyx from the given origins."""
    if not _SLUG.match(slug):
        raise Invalid(f"{slug!r} is not a usable site name: use lower-case letters, digits and dashes.")
    clean = _clean_origins(origins)
    async with services.db.write() as conn:
        if await site_store.get_by_slug(conn, slug) is not None:
            raise Conflict(f"A site named {slug!r} exists already; pick another name or change its origins.")
        return await site_store.insert_site(conn, slug, name or slug, clean, services.clock())


async def set_origins(services: Services, slug: str, origins: list[str]) -> Site:
    """Replace the origins a site may embed pnyx from."""
    clean = _clean_origins(origins)
    async with services.db.write() as conn:
        site = await site_named(conn, slug)
        await site_store.set_origins(conn, site.id, clean)
    return Site(site.id, site.slug, site.name, tuple(clean), site.settings)


async def set_inline_in_main(services: Services, slug: str, shown: bool) -> Site:
    """Whether comments on passages of an article also appear in its main thread."""
    async with services.db.write() as conn:
        site = await site_named(conn, slug)
        settings = {**site.settings, INLINE_IN_MAIN: shown}
        await site_store.set_settings(conn, site.id, settings)
    return Site(site.id, site.slug, site.name, site.origins, settings)


async def set_policy(services: Services, slug: str, changes: Mapping[str, object]) -> Site:
    """Change the named fields of a site's moderation policy (see pnyx.domain.policy); the rest stay."""
    async with services.db.write() as conn:
        site = await site_named(conn, slug)
        unknown = sorted(set(changes) - {field.name for field in fields(Policy)})
        if unknown:
            raise Invalid(f"A site's policy has no setting named {', '.join(unknown)}.")
        values: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in changes.items()}
        policy = checked_policy(replace(site.policy, **values))
        settings = {**site.settings, POLICY_KEY: policy_settings(policy)}
        await site_store.set_settings(conn, site.id, settings)
    return Site(site.id, site.slug, site.name, site.origins, settings)


async def site_named(conn: Conn, slug: str) -> Site:
    """The site a request names; NotFound with a hint when there is none."""
    # A name no site can have (a NUL breaks PostgreSQL) is not worth a query.
    site = await site_store.get_by_slug(conn, slug) if _SLUG.match(slug) else None
    if site is None:
        raise NotFound(f"There is no site named {slug!r}; check the data-pnyx-site attribute of the embed.")
    return site


async def site_by_slug(services: Services, slug: str) -> Site:
    """The site with this slug; NotFound when there is none."""
    async with services.db.read() as conn:
        return await site_named(conn, slug)


async def list_sites(services: Services) -> list[Site]:
    """Every site, by name."""
    async with services.db.read() as conn:
        return await site_store.list_sites(conn)


async def allowed_origins(services: Services) -> set[str]:
    """Every origin some site embeds pnyx from."""
    async with services.db.read() as conn:
        return await site_store.all_origins(conn)


def require_origin(site: Site, origin: str | None) -> None:
    """Refuse a browser write sent from a page outside the site's origins (scripts send no Origin)."""
    if origin is not None and origin not in site.origins:
        raise Forbidden(
            f"This page's origin {origin} is not one of site {site.slug!r}'s origins; the publisher can add it "
            f"with `pnyx site origins {site.slug} --origin {origin}`.",
            code="origin_not_allowed",
        )


def require_url_on_site(site: Site, url: str) -> None:
    """Refuse a thread URL outside the site's origins."""
    if origin_of(url) not in site.origins:
        raise Forbidden(
            f"The article address {url} is not on site {site.slug!r}'s origins ({', '.join(site.origins)}).",
            code="origin_not_allowed",
        )
