"""people directory from HR and eligibility settings

Revision ID: 0006
Revises: 0003
Create Date: 2026-12-07 05:40:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('directory_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.String(length=32), nullable=False),
    sa.Column('slack_user_id', sa.String(length=32), nullable=False),
    sa.Column('email', sa.String(length=255), nullable=True),
    sa.Column('function', sa.String(length=100), nullable=True),
    sa.Column('level', sa.SmallInteger(), nullable=True),
    sa.Column('title', sa.String(length=150), nullable=True),
    sa.Column('location', sa.String(length=100), nullable=True),
    sa.Column('time_zone', sa.String(length=64), nullable=True),
    sa.Column('manager_slack_id', sa.String(length=32), nullable=True),
    sa.Column('department', sa.String(length=100), nullable=True),
    sa.Column('start_date', sa.Date(), nullable=True),
    sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('level IS NULL OR level BETWEEN 1 AND 6', name=op.f('ck_directory_entries_level_range')),
    sa.ForeignKeyConstraint(['team_id'], ['workspaces.team_id'], name=op.f('fk_directory_entries_team_id_workspaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_directory_entries')),
    sa.UniqueConstraint('team_id', 'slack_user_id', name=op.f('uq_directory_entries_team_id_slack_user_id'))
    )
    op.create_table('eligibility_settings',
    sa.Column('team_id', sa.String(length=32), nullable=False),
    sa.Column('exclude_guests', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('same_manager_apart', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('hr_fields_editable', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('excluded_user_ids', sa.JSON(), server_default='[]', nullable=False),
    sa.Column('excluded_usergroup_id', sa.String(length=32), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['team_id'], ['workspaces.team_id'], name=op.f('fk_eligibility_settings_team_id_workspaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('team_id', name=op.f('pk_eligibility_settings'))
    )


def downgrade() -> None:
    op.drop_table('eligibility_settings')
    op.drop_table('directory_entries')
