"""The defences of a site against abuse and spam: whether a new comment is refused, held or published.

Refusals answer the reader at once with a sentence: a closed article (``thread_closed``), a ban
(``banned``), a banned word or too many links (``invalid``), a filled honeypot (``invalid``). Holds
store the comment for a moderator instead of publishing it, with ``held_reason`` saying why:

    akismet     the Akismet-compatible service said spam            status spam
    spam        the local score reached the site's spam threshold   status spam
    hold_word   a hold word of the site's policy                    status pending
    links       the site holds comments with links                  status pending
    first_time  the site holds a reader's first comment             status pending
    all         the site holds every comment                        status pending

The first reason that applies, in this order, is the one stored. Every comment gets its spam score.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, fields, replace
from datetime import timedelta
from typing import TYPE_CHECKING

from pnyx.domain import spam
from pnyx.domain.links import links_in
from pnyx.domain.models import Comment, CommentStatus, Site, Thread
from pnyx.domain.policy import PREMODERATION, Policy
from pnyx.domain.text import clean_email
from pnyx.domain.urls import is_url, origin_of, thread_key
from pnyx.domain.wordlists import compile_words, words
from pnyx.errors import Forbidden, Invalid
from pnyx.services import akismet, bans
from pnyx.services.container import Services
from pnyx.store import defences as store
from pnyx.store import sites as site_store
from pnyx.store import threads as thread_store
from pnyx.store.engine import Conn

if TYPE_CHECKING:
    # Only a type here: importing services.threads would close a cycle through services.sites.
    from pnyx.services.threads import ThreadRef

log = logging.getLogger("pnyx.spam")
# The honeypot: a form field people never see and bots fill in (see docs/api.md).
HONEYPOT_FIELD = "homepage"
MAX_LIST_ENTRIES = 1000
MAX_ENTRY_CHARS = 100
MAX_ALERT_EMAILS = 20
# The range of each number of a policy: (lowest, highest, what it counts).
NUMBER_RANGES = {
    "max_links": (0, 100, "links"),
    "close_after_days": (0, 36_500, "days"),
    "report_threshold": (0, 1000, "readers"),
    "spam_threshold": (0, 100, "points"),
    "queue_alert_size": (0, 100_000, "comments"),
}


@dataclass(frozen=True, slots=True)
class Draft:
    """A comment's text (as typed and as rendered) and its author fields, as the defences see them."""

    body: str
    html: str
    author_name: str | None = None
    author_email: str | None = None
    website: str | None = None


@dataclass(frozen=True, slots=True)
class Verdict:
    """The status a comment is stored with, why it is held (None when published), and its spam score."""

    status: CommentStatus
    held_reason: str | None
    spam_score: int

    @property
    def held(self) -> bool:
        return self.status is not CommentStatus.APPROVED


@dataclass(frozen=True, slots=True)
class _Content:
    """What a comment's text holds that the policy cares about."""

    links: int
    hold_word: str | None
    score: int


def refuse_trap(value: str | None) -> None:
    """Refuse a post whose honeypot field was filled: openly, so a person whose tool filled it can retry."""
    if value and value.strip():
        log.info("honeypot field filled: post refused")
        raise Invalid(
            "This comment was not accepted because a field meant to stay empty was filled in, as spam robots do. "
            "If a form-filling tool did that, clear the field and send the comment again."
        )


def _inspect(policy: Policy, draft: Draft) -> _Content:
    """Refuse banned words and too many links; the facts the hold rules need."""
    banned = compile_words(policy.banned_words)
    # The sentence never names the word: the list would otherwise be read out one probe at a time.
    if banned.find(draft.body):
        raise Invalid("This comment contains a word this site does not accept. Please rephrase it and try again.")
    if draft.author_name and banned.find(draft.author_name):
        raise Invalid("The name contains a word this site does not accept. Please choose another name.")
    links = links_in(draft.html)
    if len(links) > policy.max_links:
        if policy.max_links == 0:
            raise Invalid("This site does not accept links in comments. Please remove them and try again.")
        raise Invalid(f"A comment may contain at most {policy.max_links} links; this one has {len(links)}.")
    holds = compile_words(policy.hold_words)
    hold_word = holds.find(draft.body) or (holds.find(draft.author_name) if draft.author_name else None)
    signals = spam.Signals(draft.body, tuple(links), draft.author_name, draft.author_email, draft.website)
    return _Content(len(links), hold_word, spam.score(signals).value)


def _spam_hold(policy: Policy, content: _Content, flagged: bool | None) -> str | None:
    if flagged:
        return "akismet"
    if policy.spam_threshold and content.score >= policy.spam_threshold:
        return "spam"
    return None


def _initial(
    policy: Policy, content: _Content, flagged: bool | None, first_time: bool
) -> tuple[CommentStatus, str | None]:
    """The status and held reason of a new comment, by the order in the module docstring."""
    reason = _spam_hold(policy, content, flagged)
    if reason is not None:
        return CommentStatus.SPAM, reason
    if content.hold_word is not None:
        reason = "hold_word"
    elif policy.premoderation == "links" and content.links:
        reason = "links"
    elif policy.premoderation == "first_time" and first_time:
        reason = "first_time"
    elif policy.premoderation == "all":
        reason = "all"
    return (CommentStatus.PENDING, reason) if reason else (CommentStatus.APPROVED, None)


async def _refuse_closed(conn: Conn, policy: Policy, thread: Thread, services: Services) -> None:
    if not policy.close_after_days:
        return
    first = await store.first_comment_at(conn, thread.id)
    if first is not None and services.clock() >= first + timedelta(days=policy.close_after_days):
        raise Forbidden(
            f"Comments on this article closed {policy.close_after_days} days after the first one was written.",
            code="thread_closed",
        )


async def judge(
    conn: Conn,
    services: Services,
    site: Site,
    thread: Thread,
    identity_id: int,
    draft: Draft,
    ip_hash: str | None,
    flagged: bool | None = None,
) -> Verdict:
    """Refuse a new comment, or say how to store it; ``flagged`` is the Akismet answer (None: not asked)."""
    policy = site.policy
    await _refuse_closed(conn, policy, thread, services)
    now = services.clock()
    await bans.refuse_banned(
        conn, site_id=site.id, identity_id=identity_id, email=draft.author_email, ip_hash=ip_hash, now=now
    )
    content = _inspect(policy, draft)
    first_time = policy.premoderation == "first_time" and not await store.has_approved_comment(
        conn, site.id, identity_id
    )
    status, reason = _initial(policy, content, flagged, first_time)
    return Verdict(status, reason, content.score)


async def judge_edit(conn: Conn, services: Services, comment: Comment, draft: Draft, ip_hash: str | None) -> Verdict:
    """Refuse an edit as a new comment would be; a published comment is held again only for what the edit added."""
    thread = await thread_store.get_thread(conn, comment.thread_id)
    assert thread is not None  # a comment's thread outlives it
    site = await site_store.get_by_id(conn, thread.site_id)
    policy = site.policy
    await bans.refuse_banned(
        conn,
        site_id=site.id,
        identity_id=comment.identity_id,
        email=comment.author_email,
        ip_hash=ip_hash,
        now=services.clock(),
    )
    after = _inspect(policy, draft)
    if comment.status is not CommentStatus.APPROVED:
        return Verdict(comment.status, comment.held_reason, after.score)
    before = _inspect_quietly(policy, comment)
    spam_reason = _spam_hold(policy, after, None) if _spam_hold(policy, before, None) is None else None
    if spam_reason is not None:
        return Verdict(CommentStatus.SPAM, spam_reason, after.score)
    # A moderator may have approved what was held; only what the edit brings in is held again.
    if after.hold_word is not None and after.hold_word != before.hold_word:
        return Verdict(CommentStatus.PENDING, "hold_word", after.score)
    if policy.premoderation == "links" and after.links > before.links:
        return Verdict(CommentStatus.PENDING, "links", after.score)
    return Verdict(CommentStatus.APPROVED, None, after.score)


def _inspect_quietly(policy: Policy, comment: Comment) -> _Content:
    """The facts of a stored comment without refusing it (its policy may have changed since)."""
    lenient = Policy(hold_words=policy.hold_words, spam_threshold=policy.spam_threshold, max_links=10**6)
    draft = Draft(comment.body_source, comment.body_html, comment.author_name, comment.author_email, comment.website)
    return _inspect(lenient, draft)


async def ask_akismet(
    services: Services, ref: ThreadRef, draft: Draft, address: str | None, *, reply: bool = False
) -> bool | None:
    """The Akismet-compatible check of a new comment, before its transaction; None when off or unanswered.

    Refusals that need no service (banned words, too many links) come first: such a comment is never sent.
    """
    if not akismet.configured(services.settings):
        return None
    async with services.db.read() as conn:
        site = await site_store.get_by_slug(conn, ref.site)
        if site is None:  # the post's transaction says so in a sentence
            return None
        thread = await thread_store.find_thread(conn, site.id, thread_key(ref.key))
    _inspect(site.policy, draft)
    permalink = (thread.url if thread else None) or ref.url or (ref.key if is_url(ref.key) else None)
    item = akismet.Submission(
        # The "blog" is the front page of the publication: the article's origin, one of the site's.
        blog=origin_of(permalink) if permalink else site.origins[0],
        permalink=permalink,
        content=draft.body,
        author=draft.author_name,
        email=draft.author_email,
        website=draft.website,
        user_ip=address,
        reply=reply,
    )
    return await akismet.is_spam(services.settings, item)


def checked_policy(policy: Policy) -> Policy:
    """The policy with its word lists and addresses cleaned; Invalid with a sentence for anything unusable."""
    if policy.premoderation not in PREMODERATION:
        raise Invalid(f"Premoderation is one of {', '.join(PREMODERATION)}, not {str(policy.premoderation)[:40]!r}.")
    for field in fields(Policy):
        if field.name in NUMBER_RANGES:
            _check_number(field.name, getattr(policy, field.name))
    return replace(
        policy,
        banned_words=_word_list("banned words", policy.banned_words),
        hold_words=_word_list("hold words", policy.hold_words),
        queue_alert_emails=_addresses(policy.queue_alert_emails),
    )


def _check_number(name: str, value: object) -> None:
    low, high, unit = NUMBER_RANGES[name]
    label = name.replace("_", " ")
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise Invalid(f"The {label} setting takes a whole number of {unit} from {low} to {high:,}, not {value!r}.")


def _word_list(label: str, entries: tuple[str, ...]) -> tuple[str, ...]:
    cleaned = tuple(dict.fromkeys(" ".join(str(entry).split()) for entry in entries if str(entry).strip()))
    if len(cleaned) > MAX_LIST_ENTRIES:
        raise Invalid(f"The {label} list has {len(cleaned):,} entries; the limit is {MAX_LIST_ENTRIES:,}.")
    for entry in cleaned:
        if len(entry) > MAX_ENTRY_CHARS:
            raise Invalid(f"An entry of the {label} list is longer than {MAX_ENTRY_CHARS} characters.")
        if not words(entry):
            raise Invalid(f"The {label} entry {entry!r} has no letters or digits, so it could never match a word.")
    return cleaned


def _addresses(entries: tuple[str, ...]) -> tuple[str, ...]:
    cleaned = tuple(dict.fromkeys(address for entry in entries if (address := _address(str(entry)))))
    if len(cleaned) > MAX_ALERT_EMAILS:
        raise Invalid(f"Give at most {MAX_ALERT_EMAILS} addresses for queue alerts, not {len(cleaned)}.")
    return cleaned


def _address(entry: str) -> str | None:
    try:
        return clean_email(entry)
    except Invalid as exc:
        raise Invalid(f"Queue alerts go to e-mail addresses like ana@example.org; {entry[:80]!r} is not one.") from exc
