"""The entities readers and publishers deal with, as frozen dataclasses."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from pnyx.domain.policy import Policy, policy_of

# Row ids are INTEGER columns (32-bit on PostgreSQL): a larger number can name no row.
MAX_ID = 2**31 - 1
# The site setting that keeps comments on passages out of the main thread when false.
INLINE_IN_MAIN = "inline_in_main"


class CommentStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    SPAM = "spam"
    DELETED = "deleted"


class BodyFormat(StrEnum):
    MARKDOWN = "markdown"
    HTML = "html"
    TEXT = "text"


class IdentityKind(StrEnum):
    GUEST = "guest"
    EMAIL = "email"
    SSO = "sso"
    OIDC = "oidc"


class TargetKind(StrEnum):
    COMMENT = "comment"
    THREAD = "thread"


class ReportReason(StrEnum):
    SPAM = "spam"
    ABUSE = "abuse"
    OFF_TOPIC = "off_topic"
    MISINFORMATION = "misinformation"
    OTHER = "other"


class Sort(StrEnum):
    BEST = "best"
    NEWEST = "newest"
    OLDEST = "oldest"


@dataclass(frozen=True, slots=True)
class Site:
    id: int
    slug: str
    name: str
    origins: tuple[str, ...]
    settings: dict[str, object] = field(default_factory=dict)

    @property
    def policy(self) -> Policy:
        """The site's moderation policy (defaults where its settings say nothing)."""
        return policy_of(self.settings)

    @property
    def inline_in_main(self) -> bool:
        """Whether comments on passages of an article also appear in its main thread (the default)."""
        return self.settings.get(INLINE_IN_MAIN, True) is not False


@dataclass(frozen=True, slots=True)
class Thread:
    id: int
    site_id: int
    key: str
    url: str | None
    title: str | None
    closed: bool
    comment_count: int
    points_up: int
    points_down: int
    version: int

    @property
    def points(self) -> int:
        return self.points_up - self.points_down


@dataclass(frozen=True, slots=True)
class Identity:
    id: int
    kind: IdentityKind
    display_name: str | None
    email: str | None
    banned: bool = False
    # True once the reader proved they read mail at ``email`` (a confirmed subscription, a sign-in link).
    email_verified: bool = False
    # A shadow-banned reader's new comments are seen by their author alone.
    shadowbanned: bool = False


@dataclass(frozen=True, slots=True)
class Comment:
    id: int
    thread_id: int
    parent_id: int | None
    root_id: int | None
    reply_to_id: int | None
    depth: int
    identity_id: int | None
    author_name: str | None
    author_email: str | None
    website: str | None
    body_source: str
    body_format: BodyFormat
    body_html: str
    status: CommentStatus
    up: int
    down: int
    pinned: bool
    featured: bool
    created_at: datetime
    edited_at: datetime | None
    # The passage or prompt of the article the comment is about; replies share their parent's.
    anchor_id: int | None = None
    # Moderation: local spam score 0-100, why it is held, distinct reporters, a moderator's edit note,
    # and whether only its (shadow-banned) author sees it.
    spam_score: int | None = None
    held_reason: str | None = None
    report_count: int = 0
    moderator_note: str | None = None
    shadow: bool = False

    @property
    def is_top_level(self) -> bool:
        return self.parent_id is None
