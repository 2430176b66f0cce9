"""Helpers of the moderation tests: actors, held comments, a site's policy, and what the public and the log show."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from sqlalchemy import select

from pnyx.domain.models import BodyFormat, Comment, CommentStatus, Thread
from pnyx.domain.policy import Policy, policy_settings
from pnyx.services.container import Services
from pnyx.services.moderation import Actor
from pnyx.store import comments as comment_store
from pnyx.store import sites as site_store
from pnyx.store import tables
from pnyx.store import threads as thread_store
from tests.factories import Api, Reader
from tests.integration.comments_support import flatten

HOOK_URL = "https://hooks.example/pnyx"


async def site_id(api: Api) -> int:
    """The id of the test's own site."""
    async with api.services.db.read() as conn:
        found = await site_store.get_by_slug(conn, api.site)
    assert found is not None
    return found.id


async def moderator_of(api: Api, email: str = "mod@news.example") -> Actor:
    """A moderator of the test's site only."""
    return Actor(moderator_id=None, email=email, sites=frozenset({await site_id(api)}))


ADMIN = Actor(moderator_id=None, email="admin@news.example", sites=None, admin=True)
OUTSIDER = Actor(moderator_id=None, email="elsewhere@news.example", sites=frozenset({2_000_000_000}))


async def set_policy(api: Api, policy: Policy) -> None:
    """Store a moderation policy on the test's site."""
    async with api.services.db.write() as conn:
        found = await site_store.get_by_slug(conn, api.site)
        assert found is not None
        await site_store.set_settings(conn, found.id, {**found.settings, "moderation": policy_settings(policy)})


async def comment(services: Services, comment_id: int) -> Comment:
    """A comment as stored."""
    async with services.db.read() as conn:
        found = await comment_store.get_comment(conn, comment_id)
    assert found is not None
    return found


async def thread(services: Services, thread_id: int) -> Thread:
    """A thread as stored."""
    async with services.db.read() as conn:
        found = await thread_store.get_thread(conn, thread_id)
    assert found is not None
    return found


async def held(services: Services, like: Comment, body: str, **values: Any) -> Comment:
    """A comment in the thread of ``like``, stored as pre-moderation holds one; ``values`` set fields or columns."""
    new = comment_store.NewComment(
        thread_id=like.thread_id,
        parent_id=None,
        root_id=None,
        reply_to_id=None,
        depth=0,
        identity_id=None,
        author_name="Held Author",
        author_email="held@example.org",
        website=None,
        body_source=body,
        body_format=BodyFormat.MARKDOWN,
        body_html=f"<p>{body}</p>",
        status=CommentStatus.PENDING,
        created_at=like.created_at,
    )
    fields = {name: value for name, value in values.items() if name in comment_store.NewComment.__slots__}
    columns = {name: value for name, value in values.items() if name not in fields}
    if values.get("status", CommentStatus.PENDING) is not CommentStatus.APPROVED:
        columns.setdefault("held_reason", "premoderation")
    async with services.db.write() as conn:
        stored = await comment_store.insert_comment(conn, replace(new, **fields))
        return await comment_store.update_comment(conn, stored.id, **columns) if columns else stored


async def public_ids(api: Api, key: str) -> list[int]:
    """Ids of every comment a reader without identity sees on the thread, replies included."""
    return [item["id"] for item in flatten((await api.page(key))["comments"])]


async def audit_rows(services: Services, target_kind: str, target_id: int | str) -> list[Any]:
    """The audit rows about one target, oldest first."""
    query = select(tables.audit).where(
        tables.audit.c.target_kind == target_kind, tables.audit.c.target_id == str(target_id)
    )
    async with services.db.read() as conn:
        return list(await conn.execute(query.order_by(tables.audit.c.id)))


async def webhook_events(services: Services, event: str) -> list[dict[str, Any]]:
    """The data of the webhook deliveries of ``event`` in the outbox."""
    query = select(tables.outbox.c.payload).where(tables.outbox.c.kind == "webhook")
    async with services.db.read() as conn:
        payloads = list((await conn.execute(query)).scalars())
    return [json.loads(p["body"])["data"] for p in payloads if p["event"] == event]


async def post_as(api: Api, reader: Reader, key: str, body: str, **extra: Any) -> Comment:
    """Post through the API and return the stored comment."""
    posted = await api.post_ok(reader, key, body, url=key, **extra)
    return await comment(api.services, posted["id"])
