"""Anchors: comments on a passage of the article or on a publisher's prompt.

Revision ID: 0003
Revises: 0002

SQLite cannot add a foreign key to a table in place, so ``comment`` is copied (batch mode) with its
AUTOINCREMENT kept; pnyx.store.migrate runs this with foreign keys off so the copy cascades nothing.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import pnyx.store.types

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# Reflection loses SQLite's AUTOINCREMENT, and comment ids must never be reused.
COMMENT_TABLE = {"sqlite_autoincrement": True}


def upgrade() -> None:
    op.create_table(
        "anchor",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=True),
        sa.Column("question", sa.String(length=200), nullable=True),
        sa.Column("exact", sa.Text(), nullable=True),
        sa.Column("prefix", sa.String(length=64), nullable=True),
        sa.Column("suffix", sa.String(length=64), nullable=True),
        sa.Column("start", sa.Integer(), nullable=True),
        sa.Column("end", sa.Integer(), nullable=True),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("created_at", pnyx.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["thread_id"], ["thread.id"], name=op.f("fk_anchor_thread_id_thread"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_anchor")),
        sa.UniqueConstraint("thread_id", "fingerprint", name=op.f("uq_anchor_thread_id_fingerprint")),
        sqlite_autoincrement=True,
    )
    issued = _last_comment_id()
    with op.batch_alter_table("comment", schema=None, table_kwargs=COMMENT_TABLE) as batch_op:
        batch_op.add_column(sa.Column("anchor_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_comment_thread_id_anchor_id"), ["thread_id", "anchor_id"], unique=False)
        batch_op.create_foreign_key(batch_op.f("fk_comment_anchor_id_anchor"), "anchor", ["anchor_id"], ["id"])
    _keep_last_comment_id(issued)


def _last_comment_id() -> int | None:
    """The highest comment id SQLite ever issued (the copy would restart after the highest one left)."""
    if op.get_bind().dialect.name != "sqlite":
        return None
    return op.get_bind().exec_driver_sql("SELECT seq FROM sqlite_sequence WHERE name = 'comment'").scalar()


def _keep_last_comment_id(issued: int | None) -> None:
    if issued is None:
        return
    seq = {"seq": issued}
    op.execute(sa.text("UPDATE sqlite_sequence SET seq = max(seq, :seq) WHERE name = 'comment'").bindparams(**seq))
    op.execute(
        sa.text(
            "INSERT INTO sqlite_sequence (name, seq) SELECT 'comment', :seq"
            " WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'comment')"
        ).bindparams(**seq)
    )


def downgrade() -> None:
    with op.batch_alter_table("comment", schema=None, table_kwargs=COMMENT_TABLE) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_comment_anchor_id_anchor"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_comment_thread_id_anchor_id"))
        batch_op.drop_column("anchor_id")

    op.drop_table("anchor")
