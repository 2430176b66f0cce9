"""Shadow-bans: the author still sees their comments through /me; every other reader's page, counts and feeds do not."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from httpx import AsyncClient

from pnyx.domain.models import CommentStatus
from pnyx.errors import Invalid
from pnyx.services import banning
from pnyx.services import webhooks as webhook_service
from pnyx.services.container import Services
from tests.factories import Api, Reader
from tests.integration.comments_support import forbid_server_errors
from tests.integration.moderation_support import (
    HOOK_URL,
    audit_rows,
    comment,
    held,
    moderator_of,
    post_as,
    public_ids,
    thread,
    webhook_events,
)


@pytest.fixture(autouse=True)
def _no_server_errors(client: AsyncClient) -> None:
    forbid_server_errors(client)


async def _count(api: Api, key: str) -> int:
    response = await api.client.get("/api/v1/counts", params={"site": api.site, "key": key})
    assert response.status_code == 200, response.text
    count: int = response.json()["counts"][key]
    return count


async def _fragment(api: Api, key: str) -> str:
    response = await api.client.get("/embed/thread", params={"site": api.site, "key": key})
    assert response.status_code == 200, response.text
    return response.text


async def _feed(api: Api, path_and_query: str) -> str:
    response = await api.client.get(path_and_query)
    assert response.status_code == 200, response.text
    return response.text


async def test_a_shadow_banned_authors_comments_vanish_for_everyone_else(api: Api, services: Services) -> None:
    author, other, key = Reader(), Reader(), api.article()
    visible = await post_as(api, other, key, "Visible to all.")
    hidden = await post_as(api, author, key, "Shadow words here.")
    reply = await api.post_ok(author, key, "Shadow reply to other.", parent_id=visible.id)
    before = await thread(services, visible.thread_id)

    done = await banning.shadow_ban(services, await moderator_of(api), [hidden.id], reason="sock puppet")
    assert done.identities == (hidden.identity_id,) and {c.id for c in done.changed} == {hidden.id, reply["id"]}
    after = await thread(services, visible.thread_id)
    assert after.comment_count == before.comment_count - 2 and after.version > before.version

    assert await public_ids(api, key) == [visible.id]
    assert (await api.page(key))["total"] == 1 and await _count(api, key) == 1
    page = await _fragment(api, key)
    assert "Visible to all." in page and "Shadow words" not in page and "Shadow reply" not in page
    thread_feed = await _feed(api, f"/feeds/thread.atom?site={api.site}&key={key}")
    assert "Visible to all." in thread_feed and "Shadow" not in thread_feed
    replies_feed = urlsplit((await api.me(other, key))["replies_feed"])
    assert "Shadow reply" not in await _feed(api, f"{replies_feed.path}?{replies_feed.query}")

    mine = await api.me(author, key)
    assert [(item["id"], item["status"], item["parent_id"]) for item in mine["own_hidden"]] == [
        (hidden.id, "approved", None),
        (reply["id"], "approved", visible.id),
    ]
    assert mine["own_hidden"][0]["html"] == "<p>Shadow words here.</p>" and mine["own_hidden"][0]["note"] is None
    assert (await api.me(other, key))["own_hidden"] == []
    assert (await api.me(Reader(), key))["own_hidden"] == []
    [row] = await audit_rows(services, "identity", hidden.identity_id or 0)
    assert (row.action, row.reason, row.detail) == ("shadow_ban", "sock puppet", {"comments": 2})


async def test_comments_written_after_a_shadow_ban_are_stored_shadow_and_tell_nobody(
    api: Api, services: Services
) -> None:
    author, key = Reader(), api.article()
    await webhook_service.add_hook(services, api.site, HOOK_URL, ["comment.created"])
    first = await post_as(api, author, key, "Before the ban.")
    await banning.shadow_ban(services, await moderator_of(api), [first.id])
    count = (await thread(services, first.thread_id)).comment_count

    later = await api.post_ok(author, key, "After the ban.")
    stored = await comment(services, later["id"])
    assert stored.shadow and stored.status is CommentStatus.APPROVED
    assert (await thread(services, first.thread_id)).comment_count == count
    assert later["id"] not in await public_ids(api, key)
    assert later["id"] in [item["id"] for item in (await api.me(author, key))["own_hidden"]]
    created = [data["id"] for data in await webhook_events(services, "comment.created")]
    assert first.id in created and later["id"] not in created, "the publisher hears nothing of it either"


async def test_lifting_a_shadow_ban_brings_the_comments_back(api: Api, services: Services) -> None:
    author, key = Reader(), api.article()
    first = await post_as(api, author, key, "Back soon.")
    actor = await moderator_of(api)
    await banning.shadow_ban(services, actor, [first.id])
    assert (await banning.shadow_ban(services, actor, [first.id])).identities == (), "banned already"
    count = (await thread(services, first.thread_id)).comment_count

    lifted = await banning.lift_shadow_ban(services, actor, [first.id])
    assert lifted.identities == (first.identity_id,) and [c.id for c in lifted.changed] == [first.id]
    assert await public_ids(api, key) == [first.id]
    assert (await thread(services, first.thread_id)).comment_count == count + 1
    assert (await api.me(author, key))["own_hidden"] == []
    later = await api.post_ok(author, key, "Writing in public again.")
    assert later["id"] in await public_ids(api, key)


async def test_a_shadow_ban_needs_a_reader_account(api: Api, services: Services) -> None:
    anchor = await post_as(api, Reader(), api.article(), "Someone.")
    imported = await held(services, anchor, "Imported, no account.", status=CommentStatus.APPROVED)
    with pytest.raises(Invalid, match="account"):
        await banning.shadow_ban(services, await moderator_of(api), [imported.id])


async def test_me_shows_the_authors_held_comments_as_pending(api: Api, services: Services) -> None:
    author, key = Reader(), api.article()
    first = await post_as(api, author, key, "Public one.")
    waiting = await held(services, first, "Waiting one.", identity_id=first.identity_id)
    spam = await held(services, first, "Caught as spam.", identity_id=first.identity_id, status=CommentStatus.SPAM)
    rejected = await held(services, first, "Rejected.", identity_id=first.identity_id, status=CommentStatus.REJECTED)

    hidden = {item["id"]: item for item in (await api.me(author, key))["own_hidden"]}
    assert set(hidden) == {waiting.id, spam.id}, "a rejected comment is gone, even for its author"
    assert hidden[waiting.id]["status"] == hidden[spam.id]["status"] == "pending"
    assert rejected.id not in hidden and waiting.id not in await public_ids(api, key)
    assert (await api.me(Reader(), key))["own_hidden"] == []
