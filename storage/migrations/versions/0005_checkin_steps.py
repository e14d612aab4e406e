"""weekly check-ins: goal status, next steps, delivery times; programmes' check-in day

Revision ID: 0005
Revises: 0003
Create Date: 2026-12-07 05:30:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0005'
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('programmes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('checkin_weekday', sa.SmallInteger(), server_default='3', nullable=False))
        batch_op.create_check_constraint('checkin_weekday_range', 'checkin_weekday BETWEEN 0 AND 4')

    with op.batch_alter_table('checkins', schema=None) as batch_op:
        batch_op.add_column(sa.Column('programme_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('goal_status', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('met', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('step', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('step_shared', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('previous_step_done', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('due_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('closes_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('remind_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('created_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_check_constraint(
            'goal_status', "goal_status IN ('on_track', 'some_progress', 'stuck', 'achieved')"
        )
        batch_op.create_check_constraint('step_done', "previous_step_done IN ('yes', 'partly', 'no')")
        batch_op.create_foreign_key(
            batch_op.f('fk_checkins_programme_id_programmes'),
            'programmes',
            ['programme_id'],
            ['id'],
            ondelete='SET NULL',
        )
        batch_op.create_index(
            'ix_checkins_due_unsent',
            ['due_at'],
            unique=False,
            postgresql_where=sa.text('sent_at IS NULL'),
            sqlite_where=sa.text('sent_at IS NULL'),
        )
        batch_op.create_index(
            'ix_checkins_remind_due',
            ['remind_at'],
            unique=False,
            postgresql_where=sa.text('reminded_at IS NULL'),
            sqlite_where=sa.text('reminded_at IS NULL'),
        )


def downgrade() -> None:
    with op.batch_alter_table('checkins', schema=None) as batch_op:
        batch_op.drop_index('ix_checkins_remind_due')
        batch_op.drop_index('ix_checkins_due_unsent')
        batch_op.drop_constraint(batch_op.f('fk_checkins_programme_id_programmes'), type_='foreignkey')
        batch_op.drop_constraint('step_done', type_='check')
        batch_op.drop_constraint('goal_status', type_='check')
        for column in (
            'updated_at',
            'created_at',
            'reminded_at',
            'remind_at',
            'sent_at',
            'closes_at',
            'due_at',
            'previous_step_done',
            'step_shared',
            'step',
            'met',
            'goal_status',
            'programme_id',
        ):
            batch_op.drop_column(column)

    with op.batch_alter_table('programmes', schema=None) as batch_op:
        batch_op.drop_constraint('checkin_weekday_range', type_='check')
        batch_op.drop_column('checkin_weekday')
