"""Moderation actions on one and on many comments: state, thread counts and versions, audit rows, permissions."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

import pytest
from httpx import AsyncClient

from pnyx.domain.models import CommentStatus
from pnyx.errors import Conflict, Forbidden, Invalid, NotFound
from pnyx.jobs.worker import Worker
from pnyx.services import banning, moderation
from pnyx.services import webhooks as webhook_service
from pnyx.services.container import Services
from pnyx.services.moderation import MODERATOR_EDIT_NOTE
from tests.conftest import FakeClock
from tests.factories import Api, Reader
from tests.integration.comments_support import assert_error, delete, flatten, forbid_server_errors
from tests.integration.mail_support import confirmed, deliver, text_of
from tests.integration.moderation_support import (
    ADMIN,
    HOOK_URL,
    OUTSIDER,
    audit_rows,
    comment,
    held,
    moderator_of,
    post_as,
    public_ids,
    thread,
    webhook_events,
)
from tests.integration.smtp_support import SmtpServer

ActionCall = Callable[..., Awaitable[moderation.Moderated]]


@pytest.fixture(autouse=True)
def _no_server_errors(client: AsyncClient) -> None:
    forbid_server_errors(client)


async def test_approving_one_held_comment_publishes_it_notifies_once_and_fires_the_webhook(
    api: Api, services: Services, worker: Worker, mail_server: SmtpServer
) -> None:
    key = api.article()
    first = await post_as(api, Reader(), key, "Already public.")
    await confirmed(api, worker, mail_server, key, "ivy@example.org")
    await webhook_service.add_hook(services, api.site, HOOK_URL, ["comment.approved"])
    waiting = await held(services, first, "Held *for* review.")
    before = await thread(services, first.thread_id)
    actor = await moderator_of(api)

    done = await moderation.approve(services, actor, [waiting.id], reason="fine after all")
    assert [c.status for c in done.changed] == [CommentStatus.APPROVED] and done.unchanged == ()
    after = await thread(services, first.thread_id)
    assert after.comment_count == before.comment_count + 1 and after.version > before.version
    assert waiting.id in await public_ids(api, key)
    [mail] = await deliver(worker, mail_server)
    assert mail["To"] == "ivy@example.org" and "Held *for* review." in text_of(mail)
    assert [data["id"] for data in await webhook_events(services, "comment.approved")] == [waiting.id]
    [row] = await audit_rows(services, "comment", waiting.id)
    assert (row.action, row.actor, row.reason) == ("approve", actor.email, "fine after all")
    assert row.detail == {"from": "pending", "to": "approved"}

    # Rejected and approved again: the subscribers heard of it once, the webhook fired once.
    await moderation.reject(services, actor, [waiting.id])
    await moderation.approve(services, actor, [waiting.id])
    assert await deliver(worker, mail_server) == []
    assert len(await webhook_events(services, "comment.approved")) == 1
    assert (await thread(services, first.thread_id)).comment_count == after.comment_count


async def test_approving_many_across_threads_moves_each_count_once(api: Api, services: Services) -> None:
    one, two = api.article(), api.article()
    a = await post_as(api, Reader(), one, "In one.")
    b = await post_as(api, Reader(), two, "In two.")
    waiting = [
        await held(services, a, "First held."),
        await held(services, a, "Second held."),
        await held(services, b, "Third."),
    ]
    before_a, before_b = await thread(services, a.thread_id), await thread(services, b.thread_id)

    async with services.broker.subscribe() as events:
        done = await moderation.approve(services, await moderator_of(api), [c.id for c in waiting] + [a.id])
        published = [events.get_nowait() for _ in range(events.qsize())]
    assert {(e.comment_id, e.reason) for e in published} == {(c.id, "comment.approved") for c in waiting}
    assert {c.id for c in done.changed} == {c.id for c in waiting} and done.unchanged == (a.id,)
    after_a, after_b = await thread(services, a.thread_id), await thread(services, b.thread_id)
    assert after_a.comment_count == before_a.comment_count + 2
    assert after_b.comment_count == before_b.comment_count + 1
    assert after_a.version == before_a.version + 1, "one bump per thread and action"
    assert {e.version for e in published if e.thread_id == a.thread_id} == {after_a.version}
    assert [len(await audit_rows(services, "comment", c.id)) for c in waiting] == [1, 1, 1]
    assert await audit_rows(services, "comment", a.id) == [], "nothing changed, nothing logged"


@pytest.mark.parametrize(
    ("action", "status"),
    [(moderation.reject, CommentStatus.REJECTED), (moderation.mark_spam, CommentStatus.SPAM)],
)
async def test_reject_and_spam_take_one_or_many_off_the_thread(
    api: Api, services: Services, action: ActionCall, status: CommentStatus
) -> None:
    key = api.article()
    posted = [await post_as(api, Reader(), key, f"Comment {n}.") for n in range(3)]
    actor = await moderator_of(api)

    single = await action(services, actor, [posted[0].id], reason="rude")
    assert [c.status for c in single.changed] == [status]
    many = await action(services, actor, [posted[0].id, posted[1].id, posted[2].id])
    assert [c.id for c in many.changed] == [posted[1].id, posted[2].id] and many.unchanged == (posted[0].id,)
    assert await public_ids(api, key) == []
    assert (await api.page(key))["total"] == 0
    assert [row.reason for row in await audit_rows(services, "comment", posted[0].id)] == ["rude"]

    restored = await moderation.restore(services, actor, [c.id for c in posted])
    assert len(restored.changed) == 3 and (await api.page(key))["total"] == 3


async def test_moderator_delete_keeps_the_text_for_restore(api: Api, services: Services) -> None:
    key = api.article()
    parent = await post_as(api, Reader(), key, "Parent with a reply.")
    reply = await api.post_ok(Reader(), key, "A reply.", parent_id=parent.id)
    actor = await moderator_of(api)

    await moderation.delete(services, actor, [parent.id], reason="off topic")
    stored = await comment(services, parent.id)
    assert stored.status is CommentStatus.DELETED and stored.body_source == "Parent with a reply."
    [shown] = (await api.page(key))["comments"]
    assert shown["status"] == "deleted" and shown["body_html"] == "" and shown["author"] is None
    assert [r["id"] for r in shown["replies"]] == [reply["id"]]
    assert (await api.page(key))["total"] == 1

    await moderation.restore(services, actor, [parent.id])
    [back] = (await api.page(key))["comments"]
    assert back["body_html"] == "<p>Parent with a reply.</p>" and (await api.page(key))["total"] == 2
    await moderation.delete(services, actor, [parent.id])
    with pytest.raises(Conflict, match="restore it"):
        await moderation.approve(services, actor, [parent.id])


async def test_an_author_deleted_comment_cannot_be_restored(api: Api, services: Services) -> None:
    author, key = Reader(), api.article()
    mine = await post_as(api, author, key, "Mine, then gone.")
    assert (await delete(api, author, mine.id)).status_code == 204
    with pytest.raises(Conflict, match="deleted by its author"):
        await moderation.restore(services, await moderator_of(api), [mine.id])


async def test_pin_and_feature_show_in_the_thread(api: Api, services: Services) -> None:
    key = api.article()
    older = await post_as(api, Reader(), key, "Older.")
    await post_as(api, Reader(), key, "Newer.")
    reply = await api.post_ok(Reader(), key, "Reply.", parent_id=older.id)
    actor = await moderator_of(api)

    assert len((await moderation.pin(services, actor, [older.id])).changed) == 1
    assert (await moderation.pin(services, actor, [older.id])).unchanged == (older.id,)
    page = await api.page(key, sort="newest")
    assert page["comments"][0]["id"] == older.id and page["comments"][0]["pinned"] is True
    with pytest.raises(Invalid, match="reply"):
        await moderation.pin(services, actor, [reply["id"]])
    await moderation.feature(services, actor, [older.id, reply["id"]])
    shown = {c["id"]: c for c in flatten((await api.page(key))["comments"])}
    assert shown[older.id]["featured"] and shown[reply["id"]]["featured"]

    await moderation.pin(services, actor, [older.id], pinned=False)
    await moderation.feature(services, actor, [older.id], featured=False)
    shown = {c["id"]: c for c in flatten((await api.page(key))["comments"])}
    assert not shown[older.id]["pinned"] and not shown[older.id]["featured"]
    actions = [row.action for row in await audit_rows(services, "comment", older.id)]
    assert actions == ["pin", "feature", "unpin", "unfeature"]


async def test_edit_renders_markdown_and_leaves_a_visible_note(api: Api, services: Services) -> None:
    key = api.article()
    original = await post_as(api, Reader(), key, "Call me at 555 0100.")
    edited = await moderation.edit(services, await moderator_of(api), original.id, "Call me *later*.", "phone number")
    assert edited.body_html == "<p>Call me <em>later</em>.</p>" and edited.moderator_note == MODERATOR_EDIT_NOTE
    assert edited.edited_at is not None
    [shown] = (await api.page(key))["comments"]
    assert shown["body_html"] == edited.body_html and shown["moderator_note"] == "edited by moderator"
    [row] = await audit_rows(services, "comment", original.id)
    assert row.action == "edit" and row.detail == {"previous_body": "Call me at 555 0100."}
    with pytest.raises(Invalid):
        await moderation.edit(services, await moderator_of(api), original.id, "   ")


async def test_closing_a_thread_refuses_new_comments_until_reopened(api: Api, services: Services) -> None:
    key = api.article()
    first = await post_as(api, Reader(), key, "Before closing.")
    actor = await moderator_of(api)
    async with services.broker.subscribe() as events:
        [closed] = await moderation.close_threads(services, actor, [first.thread_id], reason="election rules")
        [event] = [events.get_nowait() for _ in range(events.qsize())]
    assert (event.thread_id, event.version, event.reason) == (closed.id, closed.version, "thread.closed")
    assert closed.closed and (await api.page(key))["thread"]["closed"] is True
    assert await moderation.close_threads(services, actor, [first.thread_id]) == []
    assert_error(await api.post(Reader(), key, "Too late."), 403, "thread_closed")

    [reopened] = await moderation.close_threads(services, actor, [first.thread_id], closed=False)
    assert not reopened.closed and reopened.version > closed.version
    await api.post_ok(Reader(), key, "Open again.")
    assert [row.action for row in await audit_rows(services, "thread", first.thread_id)] == ["close", "reopen"]


async def test_an_actor_outside_the_site_changes_nothing(api: Api, services: Services) -> None:
    key = api.article()
    mine = await post_as(api, Reader(), key, "Stays.")
    before = await thread(services, mine.thread_id)
    calls = [
        moderation.approve(services, OUTSIDER, [mine.id]),
        moderation.reject(services, OUTSIDER, [mine.id]),
        moderation.mark_spam(services, OUTSIDER, [mine.id]),
        moderation.delete(services, OUTSIDER, [mine.id]),
        moderation.restore(services, OUTSIDER, [mine.id]),
        moderation.pin(services, OUTSIDER, [mine.id]),
        moderation.feature(services, OUTSIDER, [mine.id]),
        moderation.edit(services, OUTSIDER, mine.id, "Changed."),
        banning.shadow_ban(services, OUTSIDER, [mine.id]),
        banning.lift_shadow_ban(services, OUTSIDER, [mine.id]),
        moderation.close_threads(services, OUTSIDER, [mine.thread_id]),
    ]
    for call in calls:
        with pytest.raises(Forbidden):
            await call
    assert await comment(services, mine.id) == mine
    assert await thread(services, mine.thread_id) == before
    assert await audit_rows(services, "comment", mine.id) == []


async def test_one_foreign_comment_in_a_batch_stops_the_whole_batch(api: Api, services: Services) -> None:
    other = await Api.with_new_site(api.client, services)
    ours = await post_as(api, Reader(), api.article(), "Ours.")
    theirs = await post_as(other, Reader(), other.article(), "Theirs.")
    with pytest.raises(Forbidden):
        await moderation.reject(services, await moderator_of(api), [ours.id, theirs.id])
    assert (await comment(services, ours.id)).status is CommentStatus.APPROVED


async def test_unknown_and_missing_targets(api: Api, services: Services) -> None:
    actor = await moderator_of(api)
    ours = await post_as(api, Reader(), api.article(), "Here.")
    with pytest.raises(NotFound):
        await moderation.reject(services, actor, [ours.id, 2_000_000_000])
    with pytest.raises(NotFound):
        await moderation.reject(services, actor, [10**12])
    with pytest.raises(Invalid):
        await moderation.reject(services, actor, [])
    with pytest.raises(NotFound):
        await moderation.close_threads(services, actor, [2_000_000_000])
    with pytest.raises(Invalid, match="reason"):
        await moderation.reject(services, actor, [ours.id], reason="x" * 1001)
    assert (await comment(services, ours.id)).status is CommentStatus.APPROVED


async def test_banning_an_identity_can_reject_what_it_wrote_on_the_site(api: Api, services: Services) -> None:
    other = await Api.with_new_site(api.client, services)
    troll, key = Reader(), api.article()
    first = await post_as(api, troll, key, "Troll one.")
    second = await post_as(api, troll, api.article(), "Troll two.")
    elsewhere = await post_as(other, troll, other.article(), "Troll on another site.")
    bystander = await post_as(api, Reader(), key, "Innocent.")
    actor = await moderator_of(api)

    done = await banning.ban(services, actor, [first.id], "identity", reject_comments=True, reason="trolling")
    [stored] = done.bans
    assert (stored.kind, stored.value, stored.scope) == ("identity", str(first.identity_id), f"site:{stored.site_id}")
    assert {c.id for c in done.rejected} == {first.id, second.id}
    assert (await comment(services, elsewhere.id)).status is CommentStatus.APPROVED, "the ban is this site's"
    assert (await comment(services, bystander.id)).status is CommentStatus.APPROVED
    assert await public_ids(api, key) == [bystander.id]
    [row] = await audit_rows(services, "identity", first.identity_id or 0)
    assert (row.action, row.reason, row.detail["comment"]) == ("ban", "trolling", first.id)
    assert [r.action for r in await audit_rows(services, "comment", second.id)] == ["reject"]


async def test_banning_an_address_or_e_mail_for_a_time(api: Api, services: Services, clock: FakeClock) -> None:
    key = api.article()
    named = await post_as(api, Reader(), key, "With an address.", author_email="Spam@Example.org")
    nameless = await post_as(api, Reader(), key, "No address.")
    actor = await moderator_of(api)
    until = clock() + timedelta(days=7)

    [by_email] = (await banning.ban(services, actor, [named.id], "email", expires_at=until)).bans
    assert by_email.value == "spam@example.org" and by_email.expires_at == until
    [by_ip] = (await banning.ban(services, actor, [named.id, nameless.id], "ip_hash", expires_at=until)).bans
    assert by_ip.value and len(by_ip.value) > 8, "both comments came from the same address: one ban"
    with pytest.raises(Invalid, match="e-mail"):
        await banning.ban(services, actor, [nameless.id], "email")
    with pytest.raises(Invalid):
        await banning.ban(services, actor, [named.id], "email", expires_at=clock() - timedelta(minutes=1))
    with pytest.raises(Invalid):
        await banning.ban(services, actor, [named.id], "nickname")
    assert (await comment(services, named.id)).status is CommentStatus.APPROVED, "a ban alone rejects nothing"

    lifted = await banning.lift_ban(services, actor, "email", "SPAM@example.org", by_email.site_id)
    assert lifted is not None and lifted.id == by_email.id
    assert await banning.lift_ban(services, actor, "email", "spam@example.org", by_email.site_id) is None
    assert [r.action for r in await audit_rows(services, "email", "spam@example.org")] == ["ban", "unban"]


async def test_banning_on_every_site_needs_an_account_of_every_site(api: Api, services: Services) -> None:
    spammer = await post_as(api, Reader(), api.article(), "Everywhere.", author_email="everywhere@example.org")
    with pytest.raises(Forbidden):
        await banning.ban(services, await moderator_of(api), [spammer.id], "email", all_sites=True)
    with pytest.raises(Forbidden):
        await banning.lift_ban(services, await moderator_of(api), "email", "everywhere@example.org", None)
    [stored] = (await banning.ban(services, ADMIN, [spammer.id], "email", all_sites=True)).bans
    assert stored.scope == "all" and stored.site_id is None
    assert await banning.lift_ban(services, ADMIN, "email", "everywhere@example.org", None) is not None
