"""check-ins: whether the private note is shared anonymously with the programme team

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 12:30:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0009'
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Existing notes were written as private: they stay unshared.
    with op.batch_alter_table('checkins', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('note_shared', sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table('checkins', schema=None) as batch_op:
        batch_op.drop_column('note_shared')
