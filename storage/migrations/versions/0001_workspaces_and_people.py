"""Workspaces and people.

Revision ID: 0001
Revises:
Create Date: 2024-11-23 12:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "workspaces",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("enterprise_id", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workspaces")),
        sa.UniqueConstraint("team_id", name=op.f("uq_workspaces_team_id")),
    )
    op.create_table(
        "people",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("slack_user_id", sa.String(length=32), nullable=False),
        sa.Column("display_name", sa.String(length=255), nullable=False),
        sa.Column("real_name", sa.String(length=255), nullable=True),
        sa.Column("time_zone", sa.String(length=64), nullable=True),
        sa.Column("function", sa.String(length=100), nullable=True),
        sa.Column("level", sa.SmallInteger(), nullable=True),
        sa.Column("goals", sa.JSON(), server_default="[]", nullable=False),
        sa.Column("goal_tags", sa.JSON(), server_default="[]", nullable=False),
        sa.Column("skills", sa.JSON(), server_default="[]", nullable=False),
        sa.Column("work_start", sa.Time(), nullable=True),
        sa.Column("work_end", sa.Time(), nullable=True),
        sa.Column("cadence", sa.String(length=16), nullable=True),
        sa.Column(
            "enrolment_state",
            sa.String(length=16),
            server_default="not_enrolled",
            nullable=False,
        ),
        sa.Column("paused_until", sa.Date(), nullable=True),
        sa.Column("enrolled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("left_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "cadence IN ('weekly', 'fortnightly', 'monthly')",
            name=op.f("ck_people_cadence"),
        ),
        sa.CheckConstraint(
            "enrolment_state IN ('not_enrolled', 'enrolled', 'paused', 'left')",
            name=op.f("ck_people_enrolment_state"),
        ),
        sa.CheckConstraint("level BETWEEN 1 AND 6", name=op.f("ck_people_level_range")),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["workspaces.team_id"],
            name=op.f("fk_people_team_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_people")),
        sa.UniqueConstraint("team_id", "slack_user_id", name=op.f("uq_people_team_id_slack_user_id")),
    )


def downgrade() -> None:
    op.drop_table("people")
    op.drop_table("workspaces")
