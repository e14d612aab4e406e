"""match groups: when the next weekly question falls due, with a partial index

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 06:20:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision: str = '0007'
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WEEK = timedelta(days=7)


def upgrade() -> None:
    with op.batch_alter_table('match_groups', schema=None) as batch_op:
        batch_op.add_column(sa.Column('question_due_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(
            'ix_match_groups_question_due',
            ['question_due_at'],
            unique=False,
            postgresql_where=sa.text('question_due_at IS NOT NULL'),
            sqlite_where=sa.text('question_due_at IS NOT NULL'),
        )
    # Groups of running rounds longer than a week: their first weekly question is due a week
    # after the intro. One already past is caught up by the next tick (this week's, once: the
    # outbox key is unique), as before.
    bind = op.get_bind()
    rows = bind.execute(
        sa.text(
            "SELECT g.id, g.intro_at, r.ends_at FROM match_groups g"
            " JOIN rounds r ON r.id = g.round_id"
            " JOIN programmes p ON p.id = r.programme_id"
            " WHERE g.state = 'active' AND g.intro_at IS NOT NULL"
            " AND r.end_done_at IS NULL AND r.ends_at IS NOT NULL"
            " AND p.cadence <> 'weekly' AND p.closed_at IS NULL"
        ).columns(
            sa.column('id', sa.Integer()),
            sa.column('intro_at', UTCDateTime()),
            sa.column('ends_at', UTCDateTime()),
        )
    ).all()
    table = sa.table(
        'match_groups',
        sa.column('id', sa.Integer()),
        sa.column('question_due_at', UTCDateTime()),
    )
    due = [
        {'group_id': group_id, 'due': intro_at + WEEK}
        for group_id, intro_at, ends_at in rows
        if intro_at + WEEK < ends_at
    ]
    if due:
        bind.execute(
            table.update()
            .where(table.c.id == sa.bindparam('group_id'))
            .values(question_due_at=sa.bindparam('due')),
            due,
        )


def downgrade() -> None:
    with op.batch_alter_table('match_groups', schema=None) as batch_op:
        batch_op.drop_index('ix_match_groups_question_due')
        batch_op.drop_column('question_due_at')
