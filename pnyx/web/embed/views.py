"""What the embed templates show of a thread and its comments: plain values and labels in the reader's language.

An author's e-mail never reaches a view. The body is the sanitised HTML stored with the comment;
every other value is a plain string the templates escape.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from pnyx.domain.anchoring import Anchor
from pnyx.domain.models import Comment, CommentStatus
from pnyx.domain.threading import Node
from pnyx.i18n import translations
from pnyx.services.tokens import TokenSigner

AVATAR_COLOURS = 12
HELD = frozenset({CommentStatus.PENDING, CommentStatus.SPAM})


@dataclass(frozen=True, slots=True)
class Labels:
    """Accessible names of one comment and its buttons, which name the author."""

    article: str
    upvote: str
    downvote: str
    reply: str
    report: str


@dataclass(frozen=True, slots=True)
class Quote:
    """Above a comment in the main thread: the passage it is about, or the publisher's question it answers."""

    anchor_id: int
    text: str
    question: bool


def quote_of(anchor: Anchor) -> Quote | None:
    """The quote an anchor shows; a publisher's prompt without a question has none."""
    if anchor.exact is not None:
        return Quote(anchor.id, anchor.exact, question=False)
    return Quote(anchor.id, anchor.question, question=True) if anchor.question else None


@dataclass(frozen=True, slots=True)
class CommentView:
    """One comment as the widget shows it; a deleted one keeps only its id and place."""

    id: int
    deleted: bool
    name: str | None = None
    website: str | None = None
    initial: str = ""
    colour: int = 0
    created_at: datetime = datetime(1970, 1, 1, tzinfo=UTC)
    edited: bool = False
    body_html: str = ""
    up: int = 0
    down: int = 0
    labels: Labels | None = None
    replies: list[CommentView] = field(default_factory=list)
    quote: Quote | None = None
    # Held for a moderator: only its author is ever served this view (pnyx.services.lookup).
    pending: bool = False
    pinned: bool = False
    featured: bool = False
    # A moderator changed the text; the reader is told so beside the comment.
    moderated: bool = False

    @property
    def created_iso(self) -> str:
        """The moment in the ISO form every browser's ``Date`` parses (no microseconds)."""
        return self.created_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    @property
    def count(self) -> int:
        """Readable comments in this tree: this one unless deleted, and its replies."""
        return (0 if self.deleted else 1) + sum(reply.count for reply in self.replies)


def labels_for(name: str | None, language: str) -> Labels:
    """The names of a comment's article and buttons; a guest gets phrases of their own (grammar differs)."""
    t = translations(language)
    if name is None:
        return Labels(
            article=t.gettext("Comment by a guest"),
            upvote=t.gettext("Upvote comment by a guest"),
            downvote=t.gettext("Downvote comment by a guest"),
            reply=t.gettext("Reply to a guest"),
            report=t.gettext("Report comment by a guest"),
        )
    who = {"name": name}
    return Labels(
        article=t.gettext("Comment by %(name)s") % who,
        upvote=t.gettext("Upvote comment by %(name)s") % who,
        downvote=t.gettext("Downvote comment by %(name)s") % who,
        reply=t.gettext("Reply to %(name)s") % who,
        report=t.gettext("Report comment by %(name)s") % who,
    )


def _initial(name: str | None) -> str:
    letter = next((ch for ch in name or "" if ch.isalnum()), "")
    return letter.upper() or "?"


def comment_view(
    comment: Comment, tokens: TokenSigner, language: str, replies: list[CommentView], quote: Quote | None = None
) -> CommentView:
    """The view of one comment with its already-built replies, and what it is about when that is to be shown."""
    if comment.status is CommentStatus.DELETED:
        return CommentView(comment.id, deleted=True, replies=replies)
    seed = tokens.avatar_seed(comment.identity_id, comment.author_name)
    return CommentView(
        id=comment.id,
        deleted=False,
        name=comment.author_name,
        website=comment.website,
        initial=_initial(comment.author_name),
        colour=int(seed[:8], 16) % AVATAR_COLOURS,
        created_at=comment.created_at,
        edited=comment.edited_at is not None,
        body_html=comment.body_html,
        up=comment.up,
        down=comment.down,
        labels=labels_for(comment.author_name, language),
        replies=replies,
        quote=quote,
        # Spam looks held to its author; a shadow comment reads as published (telling would defeat the ban).
        pending=comment.status in HELD,
        pinned=comment.pinned,
        featured=comment.featured,
        moderated=comment.moderator_note is not None,
    )


def shown_quote(comment: Comment, anchors: Mapping[int, Anchor]) -> Quote | None:
    """The quote above a top-level comment on a passage or prompt; replies carry none (their parent shows it)."""
    anchor = anchors.get(comment.anchor_id) if comment.anchor_id is not None and comment.is_top_level else None
    return quote_of(anchor) if anchor else None


def tree_views(
    nodes: list[Node], tokens: TokenSigner, language: str, anchors: Mapping[int, Anchor] | None = None
) -> list[CommentView]:
    """Views of comment trees, replies nested; given ``anchors``, top-level comments show what they are about."""
    return [
        comment_view(
            node.comment,
            tokens,
            language,
            tree_views(node.replies, tokens, language),
            shown_quote(node.comment, anchors or {}),
        )
        for node in nodes
    ]
