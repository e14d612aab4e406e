"""rounds: when the programme's next digest of the round falls due, with a partial index

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 12:40:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0010'
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('digest_due_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(
            'ix_rounds_digest_due',
            ['digest_due_at'],
            unique=False,
            postgresql_where=sa.text('digest_due_at IS NOT NULL'),
            sqlite_where=sa.text('digest_due_at IS NOT NULL'),
        )
    # Rounds of programmes still running get their end-of-round digest; weekly ones inside
    # long rounds start with the next round.
    op.execute(
        "UPDATE rounds SET digest_due_at = ends_at"
        " WHERE programme_id IS NOT NULL AND ends_at IS NOT NULL AND end_done_at IS NULL"
    )


def downgrade() -> None:
    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.drop_index('ix_rounds_digest_due')
        batch_op.drop_column('digest_due_at')
