"""outbox: files to upload with a message, and replies in another message's thread

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 12:30:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("thread_key", sa.String(length=200), nullable=True))
        batch_op.create_index(
            "ix_outbox_thread_key",
            ["thread_key"],
            unique=False,
            postgresql_where=sa.text("thread_key IS NOT NULL"),
            sqlite_where=sa.text("thread_key IS NOT NULL"),
        )
    op.create_table(
        "outbox_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("alt_text", sa.String(length=1000), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("slack_file_id", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["outbox.id"],
            name=op.f("fk_outbox_files_message_id_outbox"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_files")),
        sa.UniqueConstraint("message_id", name=op.f("uq_outbox_files_message_id")),
    )


def downgrade() -> None:
    op.drop_table("outbox_files")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_thread_key")
        batch_op.drop_column("thread_key")
