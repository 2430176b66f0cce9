"""Queue alerts: moderators hear by mail (and webhook) when a site's pending and reported queues grow too long.

``after_hold`` runs inside the transaction that holds a comment or hides one by reports, so the alert
is written with the change that caused it. Its outbox keys carry the site and the UTC hour: a queue
hovering around the size sends at most one alert per site and hour, however many comments cross it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from pnyx.domain.models import Site
from pnyx.domain.outbox import MAIL
from pnyx.domain.webhooks import QUEUE_ALERT
from pnyx.services import mails, webhooks
from pnyx.services.container import Services
from pnyx.store import moderation as queues
from pnyx.store import moderators as accounts
from pnyx.store import outbox
from pnyx.store.engine import Conn


@dataclass(frozen=True, slots=True)
class QueueLoad:
    """The sizes of a site's Pending and Reported queues, as the console shows them."""

    pending: int
    reported: int

    @property
    def total(self) -> int:
        return self.pending + self.reported


async def queue_load(conn: Conn, site: Site) -> QueueLoad:
    """What waits for the site's moderators now."""
    only = frozenset({site.id})
    return QueueLoad(await queues.queue_size(conn, "pending", only), await queues.queue_size(conn, "reported", only))


async def moderator_addresses(conn: Conn, site_id: int) -> list[str]:
    """The addresses of the accounts that moderate a site: admins, and moderators of every site or of this one."""
    found = await accounts.list_accounts(conn)
    return [a.email for a in found if a.role == "admin" or a.sites is None or site_id in a.sites]


def hour_of(moment: datetime) -> str:
    """The UTC hour a moment falls in, as it appears in outbox keys: ``2025-03-14T09``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H")


async def after_hold(conn: Conn, services: Services, site: Site) -> int:
    """Alert the site's moderators if its queues have reached the policy's size; how many mails were enqueued."""
    size = site.policy.queue_alert_size
    if size <= 0:
        return 0
    load = await queue_load(conn, site)
    if load.total < size:
        return 0
    hour = hour_of(services.clock())
    addresses = list(site.policy.queue_alert_emails) or await moderator_addresses(conn, site.id)
    sent = 0
    for address in dict.fromkeys(addresses):
        sent += await _mail(conn, services, site, address, load, hour)
    data = {"pending": load.pending, "reported": load.reported, "size": size, "hour": hour}
    await webhooks.enqueue_event(conn, services, site, QUEUE_ALERT, data, subject=f"{site.id}:{hour}")
    return sent


async def _mail(conn: Conn, services: Services, site: Site, to: str, load: QueueLoad, hour: str) -> int:
    """Enqueue one alert to ``to`` unless this hour's alert for the site already went to it."""
    console = services.settings.public_url.rstrip("/") + "/admin/queue"
    bodies = mails.render(
        "queue_alert",
        site_name=site.name,
        total=load.total,
        pending=load.pending,
        reported=load.reported,
        size=site.policy.queue_alert_size,
        pending_url=f"{console}/pending",
        reported_url=f"{console}/reported",
    )
    noun = "comment waits" if load.total == 1 else "comments wait"
    subject = f"{load.total} {noun} for moderation on {site.name}"
    key = mails.key_for(f"queue-alert:{site.id}:{hour}", to.lower())
    # The outbox answers whether the key was new: that is how this hour's second crossing stays quiet.
    message = mails.payload(services, to, subject, bodies, key)
    return 1 if await outbox.enqueue(conn, MAIL, message, key, services.clock()) else 0
