"""Subscriptions: double opt-in, notifications written to the outbox with the comment, one-click unsubscribe."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from typing import Literal
from urllib.parse import urlencode, urlsplit

from jinja2 import Environment, PackageLoader, select_autoescape

from pnyx.domain.models import Comment, CommentStatus, Site, Thread
from pnyx.domain.outbox import MAIL, mail_payload
from pnyx.domain.text import clean_email
from pnyx.errors import Invalid, NotFound
from pnyx.services.container import Services
from pnyx.services.readers import Reader, actor_of
from pnyx.services.sites import require_origin, site_named
from pnyx.services.threads import thread_for_read
from pnyx.store import comments as comment_store
from pnyx.store import outbox
from pnyx.store import subscriptions as store
from pnyx.store import threads as thread_store
from pnyx.store.engine import Conn

Kind = Literal["followups", "replies"]
Outcome = Literal["confirmation_sent", "subscribed"]
ONE_CLICK = "List-Unsubscribe=One-Click"
MAX_KEY_CHARS = 200  # outbox.dedupe_key


@dataclass(frozen=True, slots=True)
class Done:
    """What a confirmation or unsubscribe link did, and the article to go back to."""

    changed: bool
    back: str | None


@cache
def _mail_templates() -> Environment:
    """The Jinja2 environment of the mail templates; HTML ones are escaped."""
    return Environment(
        loader=PackageLoader("pnyx", "templates/email"),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
        keep_trailing_newline=True,
    )


def _render(name: str, **context: object) -> tuple[str, str]:
    """The plain-text and HTML bodies of the mail template ``name``."""
    env = _mail_templates()
    return env.get_template(f"{name}.txt").render(**context), env.get_template(f"{name}.html").render(**context)


def _host(services: Services) -> str:
    return urlsplit(services.settings.public_url).hostname or "localhost"


def _link(services: Services, path: str, token: str) -> str:
    return f"{services.settings.public_url.rstrip('/')}{path}?{urlencode({'token': token})}"


def _what(kind: str) -> str:
    return "new follow-up comments" if kind == store.FOLLOWUPS else "new replies to a comment"


def _title(thread: Thread) -> str:
    return thread.title or thread.key


async def subscribe(
    services: Services, site: str, key: str, email: str, kind: Kind, comment_id: int | None, reader: Reader
) -> Outcome:
    """Record a subscription and send its confirmation mail in the same transaction; nothing when confirmed."""
    address = clean_email(email)
    if address is None:
        raise Invalid("Give the e-mail address the mails should go to, like ana@example.org.")
    if (kind == store.REPLIES) != (comment_id is not None):
        raise Invalid("Send `comment_id` with kind `replies`, and only then.")
    await services.limiter.hit("comment", actor_of(services, reader))
    async with services.db.write() as conn:
        found = await site_named(conn, site)
        require_origin(found, reader.origin)
        thread = await thread_for_read(conn, found, key)
        if thread is None:
            raise NotFound(f"There is no thread {key!r} on site {site!r} yet; subscribe once it has a comment.")
        await _check_comment(conn, thread, comment_id)
        sub = await store.find_or_add(conn, thread.id, address, kind, comment_id, reader.identity_id, services.clock())
        if sub.confirmed:
            return "subscribed"
        await _enqueue_confirmation(conn, services, found, thread, sub)
    return "confirmation_sent"


async def _check_comment(conn: Conn, thread: Thread, comment_id: int | None) -> None:
    if comment_id is None:
        return
    comment = await comment_store.get_comment(conn, comment_id)
    if comment is None or comment.thread_id != thread.id or comment.status is not CommentStatus.APPROVED:
        raise NotFound(f"There is no comment {comment_id} in this article to follow.")


async def _enqueue_mail(
    conn: Conn,
    services: Services,
    to: str,
    subject: str,
    bodies: tuple[str, str],
    key: str,
    headers: dict[str, str] | None = None,
) -> None:
    """Put one mail (plain text and HTML) in the outbox, once per ``key``."""
    text, html = bodies
    payload = mail_payload(
        to=to, subject=subject, text=text, html=html, dedupe_key=key, host=_host(services), headers=headers
    )
    await outbox.enqueue(conn, MAIL, payload, key, services.clock())


async def _enqueue_confirmation(
    conn: Conn, services: Services, site: Site, thread: Thread, sub: store.Subscription
) -> None:
    """Put the confirmation mail of ``sub`` in the outbox (once per subscription)."""
    confirm_url = _link(services, "/subscriptions/confirm", services.tokens.confirm_token(sub.id))
    text, html = _render(
        "confirm", site_name=site.name, what=_what(sub.kind), title=_title(thread), confirm_url=confirm_url
    )
    subject = f"Confirm your subscription on {site.name}"
    await _enqueue_mail(conn, services, sub.email, subject, (text, html), f"confirm:{sub.id}")


async def confirm(services: Services, token: str) -> Done:
    """Confirm the subscription a link names; False in ``changed`` when it was removed since."""
    subscription_id = services.tokens.confirmed_subscription(token)
    async with services.db.write() as conn:
        changed = await store.confirm(conn, subscription_id, services.clock())
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


async def notify(conn: Conn, services: Services, site: Site, thread: Thread, comment: Comment) -> int:
    """Enqueue one mail per confirmed subscriber a new approved comment concerns; the number enqueued."""
    if comment.status is not CommentStatus.APPROVED:
        return 0
    subs = await store.recipients(conn, thread.id, comment.reply_to_id)
    author = (comment.author_email or "").lower()
    chosen: dict[str, store.Subscription] = {}
    for sub in subs:
        if sub.email.lower() == author or (sub.identity_id is not None and sub.identity_id == comment.identity_id):
            continue
        # A reply subscription names the reason best; otherwise the first one found.
        if sub.email not in chosen or sub.kind == store.REPLIES:
            chosen[sub.email] = sub
    for sub in chosen.values():
        await _enqueue_notification(conn, services, site, thread, comment, sub)
    return len(chosen)


def _notify_key(comment_id: int, email: str) -> str:
    """``notify:<comment id>:<email>``, with the address hashed when the key would not fit its column."""
    key = f"notify:{comment_id}:{email}"
    return key if len(key) <= MAX_KEY_CHARS else f"notify:{comment_id}:{hashlib.sha256(email.encode()).hexdigest()}"


async def _enqueue_notification(
    conn: Conn, services: Services, site: Site, thread: Thread, comment: Comment, sub: store.Subscription
) -> None:
    """Put the notification of ``comment`` for ``sub`` in the outbox, with one-click unsubscribe headers."""
    unsubscribe_url = _link(services, "/subscriptions/unsubscribe", services.tokens.unsubscribe_token(sub.id))
    text, html = _render(
        "notify",
        site_name=site.name,
        author=comment.author_name or "A reader",
        reply=comment.reply_to_id is not None,
        title=_title(thread),
        body=comment.body_source,
        comment_url=f"{thread.url or ''}#pnyx-comment-{comment.id}",
        what=_what(sub.kind),
        unsubscribe_url=unsubscribe_url,
    )
    headers = {"List-Unsubscribe": f"<{unsubscribe_url}>", "List-Unsubscribe-Post": ONE_CLICK}
    subject = f"New comment on “{_title(thread)}” ({site.name})"
    key = _notify_key(comment.id, sub.email)
    await _enqueue_mail(conn, services, sub.email, subject, (text, html), key, headers)
