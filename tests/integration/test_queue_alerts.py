"""Queue alerts: one mail per address and site and hour once the queues reach the policy's size, through the outbox."""

from __future__ import annotations

import secrets
from typing import Any

from sqlalchemy import insert, select, text

from pnyx.domain.models import Site
from pnyx.domain.policy import Policy, policy_settings
from pnyx.domain.webhooks import QUEUE_ALERT
from pnyx.services import alerts
from pnyx.services import sites as site_service
from pnyx.services import webhooks as webhook_service
from pnyx.services.container import Services
from pnyx.store import sites as site_store
from pnyx.store import tables
from tests.conftest import FakeClock
from tests.factories import Api, Reader


async def _site_with(api: Api, policy: Policy) -> Site:
    site = await site_service.site_by_slug(api.services, api.site)
    async with api.services.db.write() as conn:
        await site_store.set_settings(conn, site.id, {**site.settings, "moderation": policy_settings(policy)})
    return await site_service.site_by_slug(api.services, api.site)


async def _hold(api: Api, count: int) -> list[int]:
    """Post ``count`` comments and put them in the pending queue, as pre-moderation would."""
    ids = [(await api.post_ok(Reader(), api.article()))["id"] for _ in range(count)]
    async with api.services.db.write() as conn:
        for comment_id in ids:
            await conn.execute(text("UPDATE comment SET status = 'pending' WHERE id = :id"), {"id": comment_id})
    return ids


async def _alert(services: Services, site: Site) -> int:
    async with services.db.write() as conn:
        return await alerts.after_hold(conn, services, site)


async def _rows(services: Services, kind: str = "mail") -> list[dict[str, Any]]:
    async with services.db.read() as conn:
        query = select(tables.outbox.c.payload).where(tables.outbox.c.kind == kind).order_by(tables.outbox.c.id)
        return [row.payload for row in await conn.execute(query)]


def _address() -> str:
    return f"desk-{secrets.token_hex(4)}@news.example"


async def test_nothing_is_sent_while_alerts_are_off(api: Api, services: Services) -> None:
    site = await _site_with(api, Policy(queue_alert_size=0, queue_alert_emails=(_address(),)))
    await _hold(api, 3)
    assert await _alert(services, site) == 0
    assert await _rows(services) == []


async def test_each_address_hears_once_the_queue_reaches_the_size(api: Api, services: Services) -> None:
    desk, editor = _address(), _address()
    site = await _site_with(api, Policy(queue_alert_size=3, queue_alert_emails=(desk, editor, desk.upper())))
    await _hold(api, 2)
    assert await _alert(services, site) == 0, "two waiting, alert at three"

    await _hold(api, 1)
    assert await _alert(services, site) == 2

    mails = await _rows(services)
    assert [mail["to"] for mail in mails] == [desk, editor], "an address given twice hears once"
    subject, body = mails[0]["subject"], mails[0]["text"]
    assert subject == f"3 comments wait for moderation on {site.name}"
    assert "3 held for review and 0 reported" in body and "3 or more" in body
    assert f"{services.settings.public_url.rstrip('/')}/admin/queue/pending" in body
    assert "/admin/queue/reported" in mails[0]["html"]


async def test_a_queue_hovering_at_the_size_alerts_once_an_hour(api: Api, services: Services, clock: FakeClock) -> None:
    desk = _address()
    site = await _site_with(api, Policy(queue_alert_size=1, queue_alert_emails=(desk,)))
    clock.now = clock.now.replace(minute=5)
    await _hold(api, 1)
    assert await _alert(services, site) == 1
    for _ in range(3):
        await _hold(api, 1)
        assert await _alert(services, site) == 0, "the same hour: already told"
    clock.advance(hours=1)
    assert await _alert(services, site) == 1
    assert len(await _rows(services)) == 2
    assert (await _rows(services))[1]["subject"].startswith("4 comments wait")


async def test_reported_comments_count_towards_the_size(api: Api, services: Services) -> None:
    desk = _address()
    site = await _site_with(api, Policy(queue_alert_size=2, queue_alert_emails=(desk,)))
    await _hold(api, 1)
    published = await api.post_ok(Reader(), api.article())
    response = await api.client.post(
        f"/api/v1/comments/{published['id']}/report", json={"reason": "abuse"}, headers=Reader().headers()
    )
    assert response.status_code == 201
    assert await _alert(services, site) == 1
    assert "1 held for review and 1 reported" in (await _rows(services))[0]["text"]


async def test_without_addresses_the_sites_moderators_hear(api: Api, services: Services) -> None:
    site = await _site_with(api, Policy(queue_alert_size=1))
    other = await Api.with_new_site(api.client, services)
    other_id = (await site_service.site_by_slug(services, other.site)).id
    mine, everywhere, elsewhere = _address(), _address(), _address()
    async with services.db.write() as conn:
        for email, role, sites in ((mine, "moderator", [site.id]), (everywhere, "admin", None)):
            await conn.execute(insert(tables.moderator).values(**_account(services, email, role, sites)))
        await conn.execute(insert(tables.moderator).values(**_account(services, elsewhere, "moderator", [other_id])))
    await _hold(api, 1)

    await _alert(services, site)

    told = {mail["to"] for mail in await _rows(services)}
    assert {mine, everywhere} <= told and elsewhere not in told


def _account(services: Services, email: str, role: str, sites: list[int] | None) -> dict[str, Any]:
    return {"email": email, "password_hash": "x", "role": role, "sites": sites, "created_at": services.clock()}


async def test_a_webhook_hears_the_alert(api: Api, services: Services) -> None:
    site = await _site_with(api, Policy(queue_alert_size=1, queue_alert_emails=(_address(),)))
    await webhook_service.add_hook(services, api.site, "https://hooks.example/queue", [QUEUE_ALERT])
    await _hold(api, 1)

    await _alert(services, site)
    await _alert(services, site)

    [delivery] = await _rows(services, "webhook")
    assert delivery["event"] == QUEUE_ALERT
    assert '"pending":1' in delivery["body"] and '"reported":0' in delivery["body"]


async def test_a_comment_held_by_reports_counts_once(api: Api, services: Services) -> None:
    site = await _site_with(api, Policy(queue_alert_size=5, queue_alert_emails=(_address(),)))
    [held] = await _hold(api, 1)
    for _ in range(2):
        response = await api.client.post(
            f"/api/v1/comments/{held}/report", json={"reason": "abuse"}, headers=Reader().headers()
        )
        assert response.status_code == 201
    async with services.db.write() as conn:
        await conn.execute(text("UPDATE comment SET held_reason = 'reports' WHERE id = :id"), {"id": held})
        load = await alerts.queue_load(conn, site)
    assert (load.pending, load.reported) == (0, 1)
