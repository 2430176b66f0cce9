"""Outbox: messages (mail, later webhooks) written in the transaction that causes them, sent by the worker.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import pnyx.store.types

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("dedupe_key", sa.String(length=200), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", pnyx.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("claimed_until", pnyx.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("sent_at", pnyx.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", pnyx.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_outbox_dedupe_key")),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_outbox_sent_at_next_attempt_at"), "outbox", ["sent_at", "next_attempt_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_outbox_sent_at_next_attempt_at"), table_name="outbox")
    op.drop_table("outbox")
