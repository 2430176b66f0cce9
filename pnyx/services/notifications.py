"""Notifications: the mails a new approved comment causes, written to the outbox in the comment's transaction.

Each confirmed subscriber gets one mail per comment, or with a digest subscription one mail per thread
and interval listing what came in: the digest is an outbox row due when its interval ends, and every
comment before then rewrites it. A worker that has claimed it leaves it alone, so a late comment opens
the next interval instead of being lost or sent twice.
"""

from __future__ import annotations

from typing import Any

from pnyx.domain.digests import Window, following, window_of, with_item
from pnyx.domain.models import Comment, CommentStatus, Site, Thread
from pnyx.domain.outbox import MAIL
from pnyx.services import mails
from pnyx.services.container import Services
from pnyx.store import outbox
from pnyx.store import subscriptions as store
from pnyx.store.engine import Conn

ONE_CLICK = "List-Unsubscribe=One-Click"
# A digest whose interval row was claimed moves on to the next interval; two moves cover any clock skew.
DIGEST_TRIES = 3


def what(kind: str) -> str:
    """How a mail names what a subscription of ``kind`` asked for."""
    return "new follow-up comments" if kind == store.FOLLOWUPS else "new replies to a comment"


def title_of(thread: Thread) -> str:
    """The article's title as mails show it."""
    return thread.title or thread.key


def comment_url(thread: Thread, comment: Comment) -> str:
    """The comment's place in the article."""
    return f"{thread.url or ''}#pnyx-comment-{comment.id}"


async def notify(conn: Conn, services: Services, site: Site, thread: Thread, comment: Comment) -> int:
    """Enqueue the mail of every confirmed subscriber a new approved comment concerns; how many addresses."""
    if comment.status is not CommentStatus.APPROVED:
        return 0
    chosen = _chosen(await store.recipients(conn, thread.id, comment.reply_to_id), comment)
    instant = []
    for sub in chosen:
        if sub.digest:
            await _add_to_digest(conn, services, site, thread, comment, sub)
        else:
            instant.append(_notification(services, site, thread, comment, sub))
    # One statement for all of them: a popular thread's fan-out stays one round trip in the comment's transaction.
    await outbox.enqueue_many(conn, MAIL, instant, services.clock())
    return len(chosen)


def _chosen(subs: list[store.Subscription], comment: Comment) -> list[store.Subscription]:
    """One subscription per address, never the author's own."""
    author = (comment.author_email or "").lower()
    chosen: dict[str, store.Subscription] = {}
    for sub in subs:
        if sub.email.lower() == author or (sub.identity_id is not None and sub.identity_id == comment.identity_id):
            continue
        # A reply subscription names the reason best; otherwise the first one found.
        if sub.email not in chosen or sub.kind == store.REPLIES:
            chosen[sub.email] = sub
    return list(chosen.values())


def _footer(services: Services, site: Site, sub: store.Subscription) -> tuple[dict[str, str], dict[str, str]]:
    """The template context and headers every notification carries: why it came and how to stop it."""
    unsubscribe_url = mails.link(services, "/subscriptions/unsubscribe", services.tokens.unsubscribe_token(sub.id))
    context = {
        "site_name": site.name,
        "what": what(sub.kind),
        "unsubscribe_url": unsubscribe_url,
        "manage_url": mails.manage_url(services, sub.email),
    }
    return context, {"List-Unsubscribe": f"<{unsubscribe_url}>", "List-Unsubscribe-Post": ONE_CLICK}


def _item(thread: Thread, comment: Comment) -> dict[str, Any]:
    return {
        "author": comment.author_name or "A reader",
        "reply": comment.reply_to_id is not None,
        "body": comment.body_source,
        "url": comment_url(thread, comment),
    }


def _notification(
    services: Services, site: Site, thread: Thread, comment: Comment, sub: store.Subscription
) -> tuple[dict[str, Any], str]:
    """The mail about ``comment`` for ``sub``, with one-click unsubscribe headers, and its outbox key."""
    footer, headers = _footer(services, site, sub)
    item = _item(thread, comment)
    bodies = mails.render(
        "notify",
        **footer,
        title=title_of(thread),
        author=item["author"],
        reply=item["reply"],
        body=item["body"],
        comment_url=item["url"],
    )
    subject = f"New comment on “{title_of(thread)}” ({site.name})"
    key = mails.key_for(f"notify:{comment.id}", sub.email)
    return mails.payload(services, sub.email, subject, bodies, key, headers), key


async def _add_to_digest(
    conn: Conn, services: Services, site: Site, thread: Thread, comment: Comment, sub: store.Subscription
) -> None:
    """Add ``comment`` to the digest of ``sub``'s address for this thread, due when the interval ends."""
    minutes = services.settings.digest_minutes
    window = window_of(services.clock(), minutes)
    for _ in range(DIGEST_TRIES):
        if await _write_digest(conn, services, site, thread, sub, window, _item(thread, comment)):
            return
        window = following(window, minutes)
    # Every interval row was taken (a clock far behind the workers'): a single mail is better than none.
    await outbox.enqueue_many(conn, MAIL, [_notification(services, site, thread, comment, sub)], services.clock())


async def _write_digest(
    conn: Conn,
    services: Services,
    site: Site,
    thread: Thread,
    sub: store.Subscription,
    window: Window,
    item: dict[str, Any],
) -> bool:
    """Add ``item`` to the digest row of ``window``, creating it; False when a worker has claimed that row."""
    key = mails.key_for(f"digest:{thread.id}:{window.index}", sub.email)
    found = await outbox.unclaimed_payload(conn, key)
    so_far: dict[str, Any] = found[1]["digest"] if found else {"items": [], "more": 0}
    items, more = with_item(so_far["items"], so_far["more"], item)
    footer, headers = _footer(services, site, sub)
    count = len(items) + more
    bodies = mails.render("digest", **footer, title=title_of(thread), items=items, more=more, article_url=thread.url)
    noun = "comment" if count == 1 else "comments"
    subject = f"{count} new {noun} on “{title_of(thread)}” ({site.name})"
    payload = mails.payload(services, sub.email, subject, bodies, key, headers)
    payload["digest"] = {"items": items, "more": more}
    if found is not None:
        return await outbox.replace_payload(conn, found[0], payload)
    return await outbox.enqueue(conn, MAIL, payload, key, services.clock(), window.due)
