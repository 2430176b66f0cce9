"""Digest subscriptions, the index that finds an address's subscriptions, and per-site webhooks.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import pnyx.store.types

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN, not batch mode: copying the table on SQLite would lose its AUTOINCREMENT counter.
    op.add_column("subscription", sa.Column("digest", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.create_index(op.f("ix_subscription_email"), "subscription", ["email"], unique=False)
    op.create_table(
        "webhook",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("secret", sa.String(length=128), nullable=False),
        sa.Column("events", sa.JSON(), nullable=False),
        sa.Column("created_at", pnyx.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"], name=op.f("fk_webhook_site_id_site"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook")),
        sa.UniqueConstraint("site_id", "url", name=op.f("uq_webhook_site_id_url")),
        sqlite_autoincrement=True,
    )


def downgrade() -> None:
    op.drop_table("webhook")
    op.drop_index(op.f("ix_subscription_email"), table_name="subscription")
    op.drop_column("subscription", "digest")
