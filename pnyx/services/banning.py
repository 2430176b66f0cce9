"""Moderators' bans and shadow-bans: ban the author behind a comment or lift a ban, shadow-ban authors or unshadow them.

Each action runs in one transaction with its audit rows, through moderation's batch, and tells live readers after
the commit. The ban rows themselves are pnyx.services.bans' (store, lift, check before a write).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from pnyx.domain.bans import Ban, BanKind, ban_kind
from pnyx.domain.models import Comment
from pnyx.errors import Forbidden, Invalid
from pnyx.services import bans as ban_service
from pnyx.services.container import Services
from pnyx.services.moderation import (
    REJECT,
    Actor,
    Batch,
    Moderated,
    change_detail,
    checked_ids,
    clean_reason,
    publish_changes,
    require_site,
    targets_of,
)
from pnyx.store import comments as comment_store
from pnyx.store import moderation as store
from pnyx.store import reports as report_store
from pnyx.store.engine import Conn
from pnyx.store.moderation import REVIEWABLE, Target


async def _authors(conn: Conn, actor: Actor, ids: Sequence[int]) -> tuple[list[Target], list[int]]:
    targets = await targets_of(conn, actor, list(ids))
    for target in targets:
        if target.comment.identity_id is None:
            raise Invalid(
                f"Comment {target.comment.id} has no reader account (it was imported); ban its e-mail instead."
            )
    return targets, sorted({target.comment.identity_id for target in targets if target.comment.identity_id})


async def _shadow(services: Services, actor: Actor, ids: Iterable[int], flag: bool, reason: str | None) -> Moderated:
    clean_ids, why = checked_ids(ids, "comment"), clean_reason(reason)
    name, event = ("shadow_ban", "comment.removed") if flag else ("lift_shadow_ban", "comment.approved")
    async with services.db.write() as conn:
        targets, identities = await _authors(conn, actor, clean_ids)
        site_of = {target.comment.identity_id: target.site_id for target in targets}
        batch = Batch(conn, services, actor, name, event, why)
        changed: list[int] = []
        for identity_id in identities:
            flipped = await store.set_shadowbanned(conn, identity_id, flag)
            # Every comment of the reader, on every site: the flag is the identity's, not a site's.
            before = await store.set_shadow(conn, identity_id, flag)
            for comment in before:
                batch.move(comment, replace(comment, shadow=flag))
            if flipped or before:
                changed.append(identity_id)
                await batch.audit(site_of[identity_id], "identity", identity_id, {"comments": len(before)})
        events = await batch.finish()
    await publish_changes(services, events)
    return Moderated(tuple(after for _, after in batch.moved), identities=tuple(changed))


async def shadow_ban(services: Services, actor: Actor, ids: Iterable[int], reason: str | None = None) -> Moderated:
    """Shadow-ban the authors of these comments: everything they wrote and write is seen by them alone."""
    return await _shadow(services, actor, ids, True, reason)


async def lift_shadow_ban(services: Services, actor: Actor, ids: Iterable[int], reason: str | None = None) -> Moderated:
    """Lift the shadow-ban of these comments' authors: their comments are public again (no mails go out)."""
    return await _shadow(services, actor, ids, False, reason)


@dataclass(frozen=True, slots=True)
class Banned:
    """The bans an action stored (renewed when they existed), and the comments it rejected with them."""

    bans: tuple[Ban, ...]
    rejected: tuple[Comment, ...] = ()


def _banned_value(target: Target, kind: BanKind) -> str:
    value = {"identity": target.comment.identity_id, "email": target.comment.author_email, "ip_hash": target.ip_hash}
    found = value[kind]
    if found is None:
        noun = {"identity": "reader account", "email": "e-mail address", "ip_hash": "address hash"}[kind]
        raise Invalid(f"Comment {target.comment.id} has no {noun} to ban.")
    return str(found)


def _require_all_sites(actor: Actor) -> None:
    if actor.sites is not None:
        raise Forbidden("Only an account that moderates every site may ban on every site.")


async def ban(
    services: Services,
    actor: Actor,
    ids: Iterable[int],
    kind: str,
    *,
    expires_at: datetime | None = None,
    all_sites: bool = False,
    reject_comments: bool = False,
    reason: str | None = None,
) -> Banned:
    """Ban the identity, e-mail or IP hash behind these comments on their site (or all), until a time or lifted.

    ``reject_comments`` also rejects what that author has published or has waiting within the ban's scope.
    """
    checked, clean_ids, why = ban_kind(kind), checked_ids(ids, "comment"), clean_reason(reason)
    if all_sites:
        _require_all_sites(actor)
    async with services.db.write() as conn:
        batch = Batch(conn, services, actor, REJECT.name, REJECT.event, why)
        made: dict[tuple[str, int | None], Ban] = {}
        for target in await targets_of(conn, actor, clean_ids):
            value, site_id = _banned_value(target, checked), None if all_sites else target.site_id
            if (value, site_id) in made:
                continue
            stored = await ban_service.add_ban(
                conn,
                kind=checked,
                value=value,
                site_id=site_id,
                reason=why,
                moderator_id=actor.moderator_id,
                now=services.clock(),
                expires_at=expires_at,
            )
            made[(value, site_id)] = stored
            detail = {"scope": stored.scope, "expires_at": _iso(expires_at), "comment": target.comment.id}
            await batch.audit(target.site_id, checked, stored.value, detail, action="ban")
            if reject_comments:
                await _reject_by(batch, stored)
        await report_store.resolve_reports(conn, [after.id for _, after in batch.moved])
        events = await batch.finish()
    await publish_changes(services, events)
    return Banned(tuple(made.values()), tuple(after for _, after in batch.moved))


async def _reject_by(batch: Batch, stored: Ban) -> None:
    """Reject the banned author's published and waiting comments within the ban's scope."""
    sites = None if stored.site_id is None else [stored.site_id]
    for target in await store.comments_by_author(batch.conn, stored.kind, stored.value, sites, REVIEWABLE):
        values = REJECT.change(target.comment)
        if values is not None:
            after = await comment_store.update_comment(batch.conn, target.comment.id, **values)
            batch.move(target.comment, after)
            await batch.audit(target.site_id, "comment", after.id, change_detail(target.comment, after))


async def lift_ban(
    services: Services, actor: Actor, kind: str, value: str, site_id: int | None, reason: str | None = None
) -> Ban | None:
    """Lift the ban on ``value`` of ``kind`` on one site (or every site); the lifted ban, None when there was none."""
    checked, why = ban_kind(kind), clean_reason(reason)
    if site_id is None:
        _require_all_sites(actor)
    else:
        require_site(actor, site_id, "That ban")
    async with services.db.write() as conn:
        lifted = await ban_service.lift_ban(conn, kind=checked, value=value, site_id=site_id)
        if lifted is not None:
            batch = Batch(conn, services, actor, "unban", "", why)
            await batch.audit(site_id, checked, lifted.value, {"scope": lifted.scope})
    return lifted


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()
