"""Moderation: moderator accounts and sessions, the audit log, bans, and the comment columns queues need.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import pnyx.store.types

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

UTC = pnyx.store.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    # Plain ADD COLUMN, not batch mode: copying ``comment`` on SQLite would lose its AUTOINCREMENT counter.
    op.add_column("comment", sa.Column("spam_score", sa.SmallInteger(), nullable=True))
    op.add_column("comment", sa.Column("held_reason", sa.String(length=32), nullable=True))
    op.add_column("comment", sa.Column("report_count", sa.Integer(), server_default="0", nullable=False))
    op.add_column("comment", sa.Column("moderator_note", sa.String(length=200), nullable=True))
    op.add_column("comment", sa.Column("shadow", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.create_index(op.f("ix_comment_status_created_at"), "comment", ["status", "created_at"], unique=False)
    op.create_table(
        "moderator",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("sites", sa.JSON(), nullable=True),
        sa.Column("totp_secret", sa.String(length=64), nullable=True),
        sa.Column("failed_logins", sa.Integer(), server_default="0", nullable=False),
        sa.Column("locked_until", UTC, nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("last_login_at", UTC, nullable=True),
        sa.CheckConstraint("role IN ('admin', 'moderator')", name=op.f("ck_moderator_role")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_moderator")),
        sa.UniqueConstraint("email", name=op.f("uq_moderator_email")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "admin_session",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("moderator_id", sa.Integer(), nullable=False),
        sa.Column("csrf", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("last_seen_at", UTC, nullable=False),
        sa.Column("expires_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["moderator_id"],
            ["moderator.id"],
            name=op.f("fk_admin_session_moderator_id_moderator"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_admin_session")),
    )
    with op.batch_alter_table("admin_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_admin_session_moderator_id"), ["moderator_id"], unique=False)
    op.create_table(
        "audit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=True),
        sa.Column("moderator_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=254), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("target_kind", sa.String(length=16), nullable=False),
        sa.Column("target_id", sa.String(length=254), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["moderator_id"], ["moderator.id"], name=op.f("fk_audit_moderator_id_moderator"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"], name=op.f("fk_audit_site_id_site"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("audit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_site_id_created_at"), ["site_id", "created_at"], unique=False)
    op.create_table(
        "ban",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=254), nullable=False),
        sa.Column("scope", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("moderator_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("expires_at", UTC, nullable=True),
        sa.CheckConstraint("kind IN ('identity', 'email', 'ip_hash')", name=op.f("ck_ban_kind")),
        sa.ForeignKeyConstraint(
            ["moderator_id"], ["moderator.id"], name=op.f("fk_ban_moderator_id_moderator"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"], name=op.f("fk_ban_site_id_site"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ban")),
        sa.UniqueConstraint("kind", "value", "scope", name=op.f("uq_ban_kind_value_scope")),
        sqlite_autoincrement=True,
    )


def downgrade() -> None:
    op.drop_table("ban")
    with op.batch_alter_table("audit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_site_id_created_at"))
        batch_op.drop_index(batch_op.f("ix_audit_created_at"))
    op.drop_table("audit")
    with op.batch_alter_table("admin_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_admin_session_moderator_id"))
    op.drop_table("admin_session")
    op.drop_table("moderator")
    op.drop_index(op.f("ix_comment_status_created_at"), table_name="comment")
    for column in ("shadow", "moderator_note", "report_count", "held_reason", "spam_score"):
        op.drop_column("comment", column)
