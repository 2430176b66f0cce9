"""The moderation queues: what each holds, search in All, keyset paging, sizes, and reading the audit log."""

from __future__ import annotations

from datetime import timedelta

import pytest

from pnyx.domain.models import Comment, CommentStatus
from pnyx.errors import BadRequest, Forbidden, Invalid
from pnyx.services import moderation, queues
from pnyx.services.container import Services
from pnyx.services.queues import QueueFilter
from tests.conftest import FakeClock
from tests.factories import Api, Reader
from tests.integration.moderation_support import ADMIN, OUTSIDER, held, moderator_of, post_as, site_id


async def _ids(services: Services, actor: moderation.Actor, name: queues.QueueName, **filters: object) -> list[int]:
    page = await queues.queue(services, actor, name, QueueFilter(**filters), None, 100)  # type: ignore[arg-type]
    return [item.comment.id for item in page.items]


async def _report(api: Api, comment_id: int, reason: str) -> None:
    response = await api.client.post(
        f"/api/v1/comments/{comment_id}/report", json={"reason": reason}, headers=Reader().headers()
    )
    assert response.status_code == 201, response.text


async def test_each_queue_holds_its_comments_newest_first(api: Api, services: Services, clock: FakeClock) -> None:
    key = api.article()
    public = await post_as(api, Reader(), key, "Public.")
    clock.advance(seconds=1)
    waiting = await held(services, public, "Waiting.")
    spam = await held(services, public, "Buy pills.", status=CommentStatus.SPAM, spam_score=93)
    await _report(api, public.id, "abuse")
    await _report(api, public.id, "abuse")
    actor = await moderator_of(api)

    assert await _ids(services, actor, "pending") == [waiting.id]
    assert await _ids(services, actor, "spam") == [spam.id]
    assert await _ids(services, actor, "reported") == [public.id]
    everything = await _ids(services, actor, "all")
    assert set(everything) == {public.id, waiting.id, spam.id} and everything[-1] == public.id

    page = await queues.queue(services, actor, "reported", QueueFilter(), None, 10)
    [item] = page.items
    assert item.reasons == {"abuse": 2} and item.comment.report_count == 2
    assert (item.site_slug, item.thread_key, item.thread_url) == (api.site, key, key)
    assert item.ip_hash, "moderators see the author's hashed address"
    [spam_item] = (await queues.queue(services, actor, "spam", QueueFilter(), None, 10)).items
    assert spam_item.comment.spam_score == 93 and spam_item.comment.author_email == "held@example.org"
    assert await queues.queue_sizes(services, actor) == {"pending": 1, "reported": 1, "spam": 1}

    await moderation.approve(services, actor, [public.id, waiting.id])
    await moderation.reject(services, actor, [spam.id])
    assert await queues.queue_sizes(services, actor) == {"pending": 0, "reported": 0, "spam": 0}
    assert await _ids(services, actor, "reported") == [], "approving dismisses the reports"


async def test_searching_all_by_text_author_email_address_thread_and_date(
    api: Api, services: Services, clock: FakeClock
) -> None:
    first_key, second_key = api.article(), api.article()
    start = clock()
    ana = await post_as(api, Reader(), first_key, "Der ÄRGER über Trams.", author_name="Ana Lima")
    clock.advance(hours=1)
    bo = await post_as(api, Reader(), second_key, "Trams are 100% late_ish.", author_email="Bo@Example.org")
    clock.advance(hours=1)
    cy = await post_as(api, Reader(), second_key, "Buses instead.", author_name="Cy")
    actor = await moderator_of(api)

    assert await _ids(services, actor, "all", text="trams") == [bo.id, ana.id]
    assert await _ids(services, actor, "all", text="ÄRGER") == [ana.id]
    assert await _ids(services, actor, "all", text="100%") == [bo.id], "LIKE wildcards are plain text"
    assert await _ids(services, actor, "all", text="late_ish") == [bo.id]
    assert await _ids(services, actor, "all", text="0% l") == [bo.id]
    assert await _ids(services, actor, "all", author="lima") == [ana.id]
    assert await _ids(services, actor, "all", email="bo@example") == [bo.id]
    assert await _ids(services, actor, "all", ip_hash=_ip_hash(await _item(services, actor, cy))) == [
        cy.id,
        bo.id,
        ana.id,
    ]
    assert await _ids(services, actor, "all", ip_hash="0" * 64) == []
    assert await _ids(services, actor, "all", thread=second_key) == [cy.id, bo.id]
    assert await _ids(services, actor, "all", thread=f"{second_key}?utm_source=feed#top") == [cy.id, bo.id]
    window = {"since": start + timedelta(minutes=30), "until": start + timedelta(minutes=90)}
    assert await _ids(services, actor, "all", **window) == [bo.id]
    assert await _ids(services, actor, "all", text="trams", author="cy") == []
    with pytest.raises(Invalid):
        await _ids(services, actor, "all", since=start.replace(tzinfo=None))
    with pytest.raises(Invalid):
        await _ids(services, actor, "all", text="x" * 300)


async def _item(services: Services, actor: moderation.Actor, target: Comment) -> queues.QueueItem:
    page = await queues.queue(services, actor, "all", QueueFilter(), None, 100)
    [found] = [item for item in page.items if item.comment.id == target.id]
    return found


def _ip_hash(item: queues.QueueItem) -> str:
    assert item.ip_hash is not None
    return item.ip_hash


async def test_queues_page_by_keyset_without_gaps_or_repeats(api: Api, services: Services, clock: FakeClock) -> None:
    key = api.article()
    posted = []
    for n in range(7):
        posted.append(await post_as(api, Reader(), key, f"Comment {n}."))
        if n % 2:
            clock.advance(seconds=1)  # some share a timestamp: the id breaks the tie
    actor = await moderator_of(api)
    seen: list[int] = []
    cursor: str | None = None
    while True:
        page = await queues.queue(services, actor, "all", QueueFilter(), cursor, 3)
        seen.extend(item.comment.id for item in page.items)
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == [c.id for c in reversed(posted)]
    with pytest.raises(BadRequest):
        await queues.queue(services, actor, "all", QueueFilter(), "not-a-cursor", 3)
    with pytest.raises(Invalid):
        await queues.queue(services, actor, "all", QueueFilter(), None, 0)
    with pytest.raises(Invalid):
        await queues.queue(services, actor, "everything", QueueFilter(), None, 10)  # type: ignore[arg-type]


async def test_an_actor_sees_only_the_sites_it_moderates(api: Api, services: Services) -> None:
    other = await Api.with_new_site(api.client, services)
    ours = await post_as(api, Reader(), api.article(), "Ours.")
    theirs = await post_as(other, Reader(), other.article(), "Theirs.")
    actor = await moderator_of(api)
    assert await _ids(services, actor, "all") == [ours.id]
    assert await _ids(services, OUTSIDER, "all") == []
    with pytest.raises(Forbidden):
        await _ids(services, actor, "all", site_id=await site_id(other))
    assert await _ids(services, ADMIN, "all", site_id=await site_id(other)) == [theirs.id]
    with pytest.raises(Forbidden):
        await queues.queue_sizes(services, actor, await site_id(other))


async def test_admins_read_the_audit_log_page_by_page(api: Api, services: Services) -> None:
    key = api.article()
    posted = [await post_as(api, Reader(), key, f"Comment {n}.") for n in range(3)]
    actor = await moderator_of(api, "audited@news.example")
    await moderation.reject(services, actor, [c.id for c in posted], reason="cleanup")
    with pytest.raises(Forbidden):
        await queues.audit_log(services, actor, None, 10)

    ours = await site_id(api)
    first = await queues.audit_log(services, ADMIN, None, 2, site_id=ours)
    assert len(first.entries) == 2 and first.next_cursor is not None
    rest = await queues.audit_log(services, ADMIN, first.next_cursor, 2, site_id=ours)
    entries = [*first.entries, *rest.entries]
    assert rest.next_cursor is None
    assert [(e.action, e.actor, e.reason, e.target_id) for e in entries] == [
        ("reject", "audited@news.example", "cleanup", str(c.id)) for c in reversed(posted)
    ]
    assert {e.site_id for e in entries} == {ours}
    everywhere = await queues.audit_log(services, ADMIN, None, 100)
    assert everywhere.entries, "without a site, the log of every site"
