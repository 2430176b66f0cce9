"""Use cases for a site's outgoing webhooks: add, list and remove hooks, and enqueue an event's deliveries.

An event is written to the outbox in the transaction of the change it reports, one row per hook
that wants it; the worker signs and posts each row later (pnyx.jobs.webhooks).
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from pnyx.domain.models import MAX_ID, Comment, Site, Thread
from pnyx.domain.webhooks import (
    EVENTS,
    REPORT_FILED,
    WEBHOOK,
    Webhook,
    check_events,
    check_target,
    delivery_key,
    event_body,
    iso,
)
from pnyx.errors import Conflict, NotFound
from pnyx.services.container import Services
from pnyx.services.sites import site_named
from pnyx.store import outbox
from pnyx.store import sites as site_store
from pnyx.store import webhooks as store
from pnyx.store.engine import Conn
from pnyx.store.reports import NewReport

SECRET_BYTES = 32


async def add_hook(
    services: Services, site_slug: str, url: str, events: Iterable[str] | None = None
) -> tuple[Webhook, str]:
    """Add a hook to a site for ``events`` (all when none are named); the hook and its secret, shown once."""
    wanted = check_events(events)
    target = check_target(url.strip(), allow_private=services.settings.webhook_private_targets)
    secret = secrets.token_urlsafe(SECRET_BYTES)
    async with services.db.write() as conn:
        site = await site_named(conn, site_slug)
        hook = await store.insert_hook(conn, site.id, target, secret, wanted, services.clock())
        if hook is None:
            raise Conflict(f"Site {site.slug!r} has a webhook for {target} already; remove it first to replace it.")
    return hook, secret


async def list_hooks(services: Services, site_slug: str) -> list[Webhook]:
    """The hooks of a site, oldest first."""
    async with services.db.read() as conn:
        site = await site_named(conn, site_slug)
        return await store.list_hooks(conn, site.id)


async def remove_hook(services: Services, site_slug: str, hook_id: int) -> None:
    """Remove a site's hook; deliveries still in the outbox for it are dropped by the worker."""
    async with services.db.write() as conn:
        site = await site_named(conn, site_slug)
        if not (0 < hook_id <= MAX_ID and await store.delete_hook(conn, site.id, hook_id)):
            raise NotFound(
                f"Site {site.slug!r} has no webhook {hook_id}; `pnyx site webhook list {site.slug}` shows its hooks."
            )


async def enqueue_event(
    conn: Conn,
    services: Services,
    site: Site,
    event: str,
    data: Mapping[str, Any],
    *,
    subject: str | int | None = None,
) -> int:
    """Write one outbox row per hook of ``site`` that wants ``event``, in the caller's transaction; how many.

    ``subject`` names what the event is about (default ``data["id"]``): one delivery per hook, event and subject.
    """
    if event not in EVENTS:
        raise ValueError(f"unknown webhook event {event!r}")
    about = str(data["id"] if subject is None else subject)
    now = services.clock()
    enqueued = 0
    for hook in await store.hooks_for(conn, site.id, event):
        # Random, not derived from the key: receivers see it, and it must not reveal row ids across hooks.
        delivery = str(uuid.uuid4())
        payload = {
            "hook_id": hook.id,
            "url": hook.url,
            "event": event,
            "delivery_id": delivery,
            # The text itself, not its parts: every retry sends identical bytes under the same delivery id.
            "body": event_body(delivery, event, now, site.slug, data),
        }
        if await outbox.enqueue(conn, WEBHOOK, payload, delivery_key(hook.id, event, about), now):
            enqueued += 1
    return enqueued


def thread_data(thread: Thread) -> dict[str, Any]:
    """The article an event is about, as receivers see it."""
    return {"key": thread.key, "url": thread.url, "title": thread.title}


def comment_data(comment: Comment, thread: Thread) -> dict[str, Any]:
    """The ``data`` of a comment event: what the public sees, never the author's e-mail or address."""
    return {
        "id": comment.id,
        "thread": thread_data(thread),
        "parent_id": comment.parent_id,
        "author_name": comment.author_name,
        "body_html": comment.body_html,
        "status": comment.status.value,
        "created_at": iso(comment.created_at),
    }


def report_data(report: NewReport, thread: Thread) -> dict[str, Any]:
    """The ``data`` of a ``report.filed`` event: which comment and why, never who reported it."""
    return {
        "comment_id": report.comment_id,
        "thread": thread_data(thread),
        "reason": report.reason.value,
        "created_at": iso(report.created_at),
    }


async def report_filed(conn: Conn, services: Services, thread: Thread, report: NewReport) -> int:
    """Enqueue ``report.filed`` for a report just stored in this transaction; how many deliveries."""
    site = await site_store.get_by_id(conn, thread.site_id)
    # A reader reports a comment once, so the pair names the report; it stays in the key, out of the body.
    subject = f"{report.comment_id}:{report.identity_id}"
    return await enqueue_event(conn, services, site, REPORT_FILED, report_data(report, thread), subject=subject)
