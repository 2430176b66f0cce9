"""Subscriptions: double opt-in, one-click unsubscribe, and the page managing all of an address's subscriptions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pnyx.domain.models import CommentStatus, Site, Thread
from pnyx.domain.text import clean_email
from pnyx.errors import Invalid, NotFound
from pnyx.services import mails
from pnyx.services.container import Services
from pnyx.services.notifications import title_of, what
from pnyx.services.readers import Reader, actor_of
from pnyx.services.sites import require_origin, site_named
from pnyx.services.threads import ThreadRef, thread_for_write
from pnyx.store import comments as comment_store
from pnyx.store import identities as identity_store
from pnyx.store import subscriptions as store
from pnyx.store import threads as thread_store
from pnyx.store.engine import Conn

Kind = Literal["followups", "replies"]
Outcome = Literal["confirmation_sent", "subscribed"]
Change = Literal["unsubscribe", "unsubscribe_all", "digest", "instant"]


@dataclass(frozen=True, slots=True)
class Done:
    """What a confirmation or unsubscribe link did, and the article to go back to."""

    changed: bool
    back: str | None


@dataclass(frozen=True, slots=True)
class Wish:
    """What a subscriber asks for: which address, which mails, and how often."""

    email: str
    kind: Kind
    comment_id: int | None = None
    digest: bool = False


@dataclass(frozen=True, slots=True)
class Managed:
    """An address and all of its subscriptions, for the page that manages them."""

    email: str
    subscriptions: list[store.Listed]


def address_of(email: str | None) -> str:
    """The cleaned address of a subscriber; a missing or malformed one is refused with a sentence."""
    wanted = "Give the e-mail address the mails should go to, like ana@example.org."
    try:
        address = clean_email(email)
    except Invalid as exc:
        # clean_email's sentence offers leaving the field empty, which a subscription cannot do.
        raise Invalid(f"{(email or '').strip()[:80]!r} is not an e-mail address. {wanted}") from exc
    if address is None:
        raise Invalid(wanted)
    return address


async def subscribe(services: Services, ref: ThreadRef, wish: Wish, reader: Reader) -> Outcome:
    """Record a subscription; unless the reader's address is verified, its confirmation mail goes in the outbox."""
    if (wish.kind == store.REPLIES) != (wish.comment_id is not None):
        raise Invalid("Send `comment_id` with kind `replies`, and only then.")
    wish = Wish(address_of(wish.email), wish.kind, wish.comment_id, wish.digest)
    await services.limiter.hit("comment", actor_of(services, reader))
    async with services.db.write() as conn:
        site = await site_named(conn, ref.site)
        require_origin(site, reader.origin)
        thread = await thread_for_write(conn, services, site, ref)
        await _check_comment(conn, thread, wish.comment_id)
        return await subscribe_in(conn, services, site, thread, wish, reader.identity_id)


async def subscribe_in(
    conn: Conn, services: Services, site: Site, thread: Thread, wish: Wish, identity_id: int | None
) -> Outcome:
    """Subscribe within the caller's transaction (a comment's "Notify of" commits or rolls back with it)."""
    sub = await store.find_or_add(
        conn, thread.id, wish.email, wish.kind, wish.comment_id, identity_id, services.clock(), wish.digest
    )
    verified = await verified_address(conn, identity_id)
    if sub.confirmed or verified == wish.email:
        # Someone who proved they read this address may change how often it gets mail; nobody else may.
        if verified == wish.email and sub.digest != wish.digest:
            await store.set_digest(conn, sub.id, wish.digest)
        if not sub.confirmed:
            await store.confirm(conn, sub.id, services.clock())
        return "subscribed"
    if sub.digest != wish.digest:  # unconfirmed: whoever confirms accepts the latest choice
        await store.set_digest(conn, sub.id, wish.digest)
    await _enqueue_confirmation(conn, services, site, thread, sub)
    return "confirmation_sent"


async def verified_address(conn: Conn, identity_id: int | None) -> str | None:
    """The address this identity proved it reads, if any."""
    if identity_id is None:
        return None
    identity = await identity_store.get_identity(conn, identity_id)
    return identity.email if identity and identity.email_verified else None


async def _check_comment(conn: Conn, thread: Thread, comment_id: int | None) -> None:
    if comment_id is None:
        return
    comment = await comment_store.get_comment(conn, comment_id)
    if comment is None or comment.thread_id != thread.id or comment.status is not CommentStatus.APPROVED:
        raise NotFound(f"There is no comment {comment_id} in this article to follow.")


async def _enqueue_confirmation(
    conn: Conn, services: Services, site: Site, thread: Thread, sub: store.Subscription
) -> None:
    """Put the confirmation mail of ``sub`` in the outbox (once per subscription)."""
    confirm_url = mails.link(services, "/subscriptions/confirm", services.tokens.confirm_token(sub.id))
    bodies = mails.render(
        "confirm", site_name=site.name, what=what(sub.kind), title=title_of(thread), confirm_url=confirm_url
    )
    subject = f"Confirm your subscription on {site.name}"
    await mails.enqueue(conn, services, sub.email, subject, bodies, f"confirm:{sub.id}")


async def confirm(services: Services, token: str) -> Done:
    """Confirm the subscription a link names, and verify the address of the reader who asked for it."""
    subscription_id = services.tokens.confirmed_subscription(token)
    async with services.db.write() as conn:
        changed = await store.confirm(conn, subscription_id, services.clock())
        sub = await store.get_subscription(conn, subscription_id) if changed else None
        if sub is not None and sub.identity_id is not None:
            await identity_store.verify_email(conn, sub.identity_id, sub.email)
        back = await _article_url(conn, subscription_id) if changed else None
    return Done(changed, back)


async def unsubscribe(services: Services, token: str) -> Done:
    """End the subscription a link names; answering twice is harmless."""
    subscription_id = services.tokens.unsubscribed_subscription(token)
    async with services.db.write() as conn:
        back = await _article_url(conn, subscription_id)
        changed = await store.remove(conn, subscription_id)
    return Done(changed, back)


async def _article_url(conn: Conn, subscription_id: int) -> str | None:
    sub = await store.get_subscription(conn, subscription_id)
    if sub is None:
        return None
    thread = await thread_store.get_thread(conn, sub.thread_id)
    return thread.url if thread else None


async def managed(services: Services, token: str) -> Managed:
    """The address a manage link names and every subscription it has."""
    email = services.tokens.managed_address(token)
    async with services.db.read() as conn:
        return Managed(email, await store.of_address(conn, email))


async def change(services: Services, token: str, action: Change, subscription_id: int | None) -> int:
    """Apply one change from the manage page to the link's address; how many subscriptions it touched."""
    email = services.tokens.managed_address(token)
    async with services.db.write() as conn:
        if action == "unsubscribe_all":
            return await store.remove_all(conn, email)
        if subscription_id is None:
            raise Invalid("Choose the subscription to change, or use “Unsubscribe from all”.")
        if action == "unsubscribe":
            return int(await store.remove_for(conn, subscription_id, email))
        return int(await store.set_digest(conn, subscription_id, action == "digest", email))
