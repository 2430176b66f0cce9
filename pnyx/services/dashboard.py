"""What the console's pages show: the dashboard, and the views that put a use case beside the sites it concerns.

The dashboard charts the last 30 UTC days of comments, reports and new commenters on the moderator's
sites, lists the week's busiest threads and gives the queue sizes. The other views read one queue
page, comment, ban list or audit page plus the site names the page prints with it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from pnyx.domain.bans import Ban
from pnyx.domain.charts import Chart, Series
from pnyx.domain.models import MAX_ID, Site
from pnyx.errors import NotFound
from pnyx.services import bans as ban_service
from pnyx.services import queues
from pnyx.services.container import Services
from pnyx.services.moderation import Actor, require_site
from pnyx.services.queues import AuditPage, QueueFilter, QueueItem, QueuePage
from pnyx.store import dashboard as store
from pnyx.store import moderation as moderation_store
from pnyx.store import reports as report_store
from pnyx.store import sites as site_store
from pnyx.store.dashboard import BusyThread, Sites
from pnyx.store.moderation import QueueName

DAYS = 30
BUSY_DAYS = 7
BUSIEST = 10
TITLE = "Comments, reports and new commenters per day"


@dataclass(frozen=True, slots=True)
class Activity:
    """What happened on the moderator's sites: counts per day, and the threads that drew the most comments."""

    chart: Chart
    busiest: list[BusyThread]
    busy_days: int = BUSY_DAYS


@dataclass(frozen=True, slots=True)
class Overview:
    """The dashboard: activity and queue sizes of one site or of all the moderator's sites."""

    activity: Activity
    queues: dict[str, int]
    sites: list[Site]
    site: Site | None


@dataclass(frozen=True, slots=True)
class QueueView:
    """A page of a queue, the queue sizes, and the sites its search form offers."""

    page: QueuePage
    sizes: dict[str, int]
    sites: list[Site]


@dataclass(frozen=True, slots=True)
class BanList:
    """The bans in force that a moderator may see, and the names of their sites."""

    bans: list[Ban]
    site_names: dict[int, str]


@dataclass(frozen=True, slots=True)
class AuditView:
    """A page of the audit log and the slugs of the sites it names."""

    page: AuditPage
    site_names: dict[int, str]


def last_days(today: date, count: int) -> tuple[date, ...]:
    """The ``count`` days ending with ``today``, oldest first."""
    return tuple(today - timedelta(days=back) for back in range(count - 1, -1, -1))


def start_of(day: date) -> datetime:
    """Midnight UTC at the start of ``day``."""
    return datetime.combine(day, time(), UTC)


def _values(days: tuple[date, ...], counts: Mapping[date, int]) -> tuple[int, ...]:
    return tuple(counts.get(day, 0) for day in days)


async def activity(services: Services, sites: Sites, days: int = DAYS) -> Activity:
    """Counts per UTC day over the last ``days`` days of ``sites`` (None: every site), and the busiest threads."""
    today = services.clock().astimezone(UTC).date()
    shown = last_days(today, days)
    since = start_of(shown[0])
    async with services.db.read() as conn:
        comments = await store.comments_per_day(conn, sites, since)
        reports = await store.reports_per_day(conn, sites, since)
        newcomers = await store.new_commenters_per_day(conn, sites, since)
        busiest = await store.busiest_threads(conn, sites, start_of(today - timedelta(days=BUSY_DAYS - 1)), BUSIEST)
    series = (
        Series("Comments", "comments", _values(shown, comments)),
        Series("Reports", "reports", _values(shown, reports)),
        Series("New commenters", "newcomers", _values(shown, newcomers)),
    )
    return Activity(Chart(f"{TITLE}, last {days} days", shown, series), busiest)


async def moderated_sites(services: Services, actor: Actor) -> list[Site]:
    """The sites this actor moderates, by slug."""
    async with services.db.read() as conn:
        return [site for site in await site_store.list_sites(conn) if actor.may_moderate(site.id)]


def _scope(actor: Actor, site: Site | None) -> Sites:
    if site is None:
        return actor.sites
    require_site(actor, site.id, f"Site {site.slug!r}")
    return frozenset({site.id})


async def overview(services: Services, actor: Actor, site: Site | None = None) -> Overview:
    """The dashboard of one site, or of every site the actor moderates."""
    scope = _scope(actor, site)
    found = await activity(services, scope)
    sizes = await queues.queue_sizes(services, actor, site.id if site else None)
    return Overview(found, sizes, await moderated_sites(services, actor), site)


async def queue_view(
    services: Services, actor: Actor, name: QueueName, filters: QueueFilter, cursor: str | None, limit: int
) -> QueueView:
    """A page of a queue with the sizes of all queues (of the filter's site, if it names one)."""
    page = await queues.queue(services, actor, name, filters, cursor, limit)
    sizes = await queues.queue_sizes(services, actor, filters.site_id)
    return QueueView(page, sizes, await moderated_sites(services, actor))


async def comment_view(services: Services, actor: Actor, comment_id: int) -> QueueItem:
    """One comment with its thread, site, hashed address and open reports, for a moderator of its site."""
    async with services.db.read() as conn:
        row = await moderation_store.review_row(conn, comment_id) if 0 < comment_id <= MAX_ID else None
        if row is None:
            raise NotFound(f"There is no comment {comment_id}.")
        require_site(actor, row.site_id, f"Comment {comment_id}")
        reasons = await report_store.open_reasons(conn, [comment_id])
    return queues.item_of(row, reasons)


async def ban_list(services: Services, actor: Actor) -> BanList:
    """The bans in force on the actor's sites, the all-sites ones included, newest first."""
    async with services.db.read() as conn:
        found = await ban_service.list_bans(conn, site_id=None, now=services.clock())
        names = {site.id: site.slug for site in await site_store.list_sites(conn)}
    seen = [ban for ban in found if ban.site_id is None or actor.may_moderate(ban.site_id)]
    return BanList(seen, names)


async def audit_view(services: Services, actor: Actor, cursor: str | None, limit: int) -> AuditView:
    """A page of the audit log (admins only) with the slugs of its sites."""
    page = await queues.audit_log(services, actor, cursor, limit)
    async with services.db.read() as conn:
        names = {site.id: site.slug for site in await site_store.list_sites(conn)}
    return AuditView(page, names)
