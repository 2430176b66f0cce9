"""The schema in one file. Alembic migrations under ``migrations/`` build exactly this."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)

from pnyx.store.types import UTCDateTime

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

site = Table(
    "site",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("slug", String(64), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("origins", JSON, nullable=False),
    Column("settings", JSON, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

thread = Table(
    "thread",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("site_id", Integer, ForeignKey("site.id", ondelete="CASCADE"), nullable=False),
    Column("key", String(500), nullable=False),
    Column("url", String(2000)),
    Column("title", String(500)),
    Column("closed", Boolean, nullable=False),
    Column("comment_count", Integer, nullable=False),
    Column("points_up", Integer, nullable=False),
    Column("points_down", Integer, nullable=False),
    Column("version", BigInteger, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("site_id", "key"),
    # Ids are never reused (SQLite would reuse the highest after a delete): votes and caches refer to them.
    sqlite_autoincrement=True,
)

thread_alias = Table(
    "thread_alias",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("site_id", Integer, ForeignKey("site.id", ondelete="CASCADE"), nullable=False),
    Column("thread_id", Integer, ForeignKey("thread.id", ondelete="CASCADE"), nullable=False),
    Column("url", String(2000), nullable=False),
    UniqueConstraint("site_id", "url"),
)

identity = Table(
    "identity",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("display_name", String(200)),
    Column("email", String(254)),
    Column("email_verified", Boolean, nullable=False),
    Column("banned", Boolean, nullable=False),
    Column("shadowbanned", Boolean, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    # Tokens name identities by id: a reused id would hand an old token someone else's identity.
    sqlite_autoincrement=True,
)

anchor = Table(
    "anchor",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("thread_id", Integer, ForeignKey("thread.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(16), nullable=False),
    # A publisher's prompt: the id in its element's data-pnyx-inline attribute, and the question it asks.
    Column("label", String(100)),
    Column("question", String(200)),
    # A reader's passage: a W3C TextQuoteSelector plus, when known, a TextPositionSelector (UTF-16 offsets).
    Column("exact", Text),
    Column("prefix", String(64)),
    Column("suffix", String(64)),
    Column("start", Integer),
    Column("end", Integer),
    # The same prompt or passage chosen twice is one anchor: see AnchorSpec.fingerprint.
    Column("fingerprint", String(64), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("thread_id", "fingerprint"),
    sqlite_autoincrement=True,
)

comment = Table(
    "comment",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("thread_id", Integer, ForeignKey("thread.id", ondelete="CASCADE"), nullable=False),
    Column("parent_id", Integer, ForeignKey("comment.id")),
    # Top-level comments have no root; every reply names the top-level comment of its tree,
    # so one indexed query fetches all replies of a page.
    Column("root_id", Integer, ForeignKey("comment.id")),
    # The comment actually answered; differs from parent_id when a deep reply is attached higher up.
    Column("reply_to_id", Integer, ForeignKey("comment.id")),
    Column("depth", SmallInteger, nullable=False),
    Column("identity_id", Integer, ForeignKey("identity.id")),
    Column("author_name", String(200)),
    Column("author_email", String(254)),
    Column("website", String(500)),
    Column("body_source", Text, nullable=False),
    Column("body_format", String(16), nullable=False),
    Column("body_html", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("up", Integer, nullable=False),
    Column("down", Integer, nullable=False),
    Column("rank", BigInteger, nullable=False),
    Column("pinned", Boolean, nullable=False),
    Column("featured", Boolean, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("edited_at", UTCDateTime),
    Column("ip_hash", String(64)),
    Column("source_system", String(32)),
    Column("source_id", String(200)),
    # The passage or prompt the comment is about; replies copy their parent's, so one filter finds a whole panel.
    Column("anchor_id", Integer, ForeignKey("anchor.id")),
    # Moderation: the local spam score (0-100), why a comment waits in the queue, how many distinct
    # readers reported it, the note a moderator's edit leaves, and a shadow-banned author's comment
    # that only its author sees.
    Column("spam_score", SmallInteger),
    Column("held_reason", String(32)),
    Column("report_count", Integer, nullable=False, server_default="0"),
    Column("moderator_note", String(200)),
    Column("shadow", Boolean, nullable=False, server_default=false()),
    Index(None, "thread_id", "root_id", "created_at", "id"),
    Index(None, "thread_id", "root_id", "rank", "id"),
    Index(None, "thread_id", "pinned"),
    Index(None, "identity_id"),
    # The self-references: deleting or moving a comment checks them, and replies-to-me reads reply_to_id.
    Index(None, "parent_id"),
    Index(None, "root_id"),
    Index(None, "reply_to_id"),
    UniqueConstraint("source_system", "source_id"),
    Index(None, "thread_id", "anchor_id"),
    # The moderation queues: comments of one status, newest first.
    Index(None, "status", "created_at"),
    sqlite_autoincrement=True,
)

vote = Table(
    "vote",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("target_kind", String(16), nullable=False),
    Column("target_id", Integer, nullable=False),
    Column("identity_id", Integer, ForeignKey("identity.id", ondelete="CASCADE"), nullable=False),
    # 0 is a withdrawn vote: keeping the row lets a later change lock it instead of racing an insert.
    Column("value", SmallInteger, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    UniqueConstraint("target_kind", "target_id", "identity_id"),
    Index(None, "identity_id", "target_kind"),
    CheckConstraint("value IN (-1, 0, 1)", name="value"),
)

report = Table(
    "report",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("comment_id", Integer, ForeignKey("comment.id", ondelete="CASCADE"), nullable=False),
    Column("identity_id", Integer, ForeignKey("identity.id", ondelete="CASCADE"), nullable=False),
    Column("reason", String(32), nullable=False),
    Column("detail", Text),
    Column("ip_hash", String(64)),
    Column("created_at", UTCDateTime, nullable=False),
    Column("resolved", Boolean, nullable=False),
    # One report per reader per comment: a second one is refused, never counted twice.
    UniqueConstraint("comment_id", "identity_id"),
    Index(None, "resolved", "comment_id"),
    sqlite_autoincrement=True,
)

outbox = Table(
    "outbox",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("payload", JSON, nullable=False),
    # Enqueueing the same message twice (a retried request, a replayed event) must never send it twice.
    Column("dedupe_key", String(200), nullable=False, unique=True),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", UTCDateTime, nullable=False),
    # A worker's lease: while in the future, other workers leave the row alone; a crashed worker's lease runs out.
    Column("claimed_until", UTCDateTime),
    Column("sent_at", UTCDateTime),
    Column("last_error", Text),
    Column("created_at", UTCDateTime, nullable=False),
    Index(None, "sent_at", "next_attempt_at"),
    sqlite_autoincrement=True,
)

subscription = Table(
    "subscription",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("thread_id", Integer, ForeignKey("thread.id", ondelete="CASCADE"), nullable=False),
    # For kind "replies": the comment whose replies are wanted.
    Column("comment_id", Integer, ForeignKey("comment.id", ondelete="CASCADE")),
    Column("email", String(254), nullable=False),
    Column("identity_id", Integer, ForeignKey("identity.id", ondelete="SET NULL")),
    Column("kind", String(16), nullable=False),
    # "thread" or "comment:ID": NULL comment_id would not dedupe in a unique constraint on either engine.
    Column("scope", String(32), nullable=False),
    Column("confirmed", Boolean, nullable=False),
    # True: at most one mail per thread and digest interval, batching what came in between.
    Column("digest", Boolean, nullable=False, server_default=false()),
    Column("created_at", UTCDateTime, nullable=False),
    Column("confirmed_at", UTCDateTime),
    CheckConstraint("kind IN ('followups', 'replies')", name="kind"),
    UniqueConstraint("thread_id", "email", "kind", "scope"),
    Index(None, "comment_id"),
    # The page that manages all of an address's subscriptions looks them up by address.
    Index(None, "email"),
    sqlite_autoincrement=True,
)

webhook = Table(
    "webhook",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("site_id", Integer, ForeignKey("site.id", ondelete="CASCADE"), nullable=False),
    Column("url", String(2000), nullable=False),
    # The key of the HMAC-SHA256 signature on every delivery; shown once, when the hook is added.
    Column("secret", String(128), nullable=False),
    # The event names this hook wants, as a JSON list (see pnyx.domain.webhooks.EVENTS).
    Column("events", JSON, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("site_id", "url"),
    sqlite_autoincrement=True,
)

moderator = Table(
    "moderator",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("email", String(254), nullable=False, unique=True),
    Column("password_hash", String(255), nullable=False),
    Column("role", String(16), nullable=False),
    # Site ids this account may moderate, as a JSON list; NULL: every site.
    Column("sites", JSON),
    # Base32 TOTP secret once the second factor is set up.
    Column("totp_secret", String(64)),
    Column("failed_logins", Integer, nullable=False, server_default="0"),
    Column("locked_until", UTCDateTime),
    Column("created_at", UTCDateTime, nullable=False),
    Column("last_login_at", UTCDateTime),
    CheckConstraint("role IN ('admin', 'moderator')", name="role"),
    sqlite_autoincrement=True,
)

admin_session = Table(
    "admin_session",
    metadata,
    # The SHA-256 of the cookie's random token: a leaked table row does not let anyone in.
    Column("id", String(64), primary_key=True),
    Column("moderator_id", Integer, ForeignKey("moderator.id", ondelete="CASCADE"), nullable=False),
    Column("csrf", String(64), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("last_seen_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Index(None, "moderator_id"),
)

audit = Table(
    "audit",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("site_id", Integer, ForeignKey("site.id", ondelete="SET NULL")),
    Column("moderator_id", Integer, ForeignKey("moderator.id", ondelete="SET NULL")),
    # Kept as text too: the log must still say who acted after the account is removed.
    Column("actor", String(254), nullable=False),
    Column("action", String(32), nullable=False),
    Column("target_kind", String(16), nullable=False),
    Column("target_id", String(254), nullable=False),
    Column("reason", Text),
    Column("detail", JSON),
    Column("created_at", UTCDateTime, nullable=False),
    Index(None, "site_id", "created_at"),
    Index(None, "created_at"),
    sqlite_autoincrement=True,
)

ban = Table(
    "ban",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("site_id", Integer, ForeignKey("site.id", ondelete="CASCADE")),
    Column("kind", String(16), nullable=False),
    # An identity id, a lower-cased e-mail address or an IP hash, by kind.
    Column("value", String(254), nullable=False),
    # "all" or "site:ID": a NULL site_id would not dedupe in a unique constraint on either engine.
    Column("scope", String(32), nullable=False),
    Column("reason", Text),
    Column("moderator_id", Integer, ForeignKey("moderator.id", ondelete="SET NULL")),
    Column("created_at", UTCDateTime, nullable=False),
    # NULL: until lifted.
    Column("expires_at", UTCDateTime),
    CheckConstraint("kind IN ('identity', 'email', 'ip_hash')", name="kind"),
    UniqueConstraint("kind", "value", "scope"),
    sqlite_autoincrement=True,
)
