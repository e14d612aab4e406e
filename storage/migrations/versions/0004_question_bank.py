"""questions (with the curated bank) and who was sent which question

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07 05:30:00.000000
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from datetime import UTC, datetime
from importlib import resources

import sqlalchemy as sa
from alembic import op

revision: str = '0004'
down_revision: str | Sequence[str] | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_THEMES = ('goals', 'feedback', 'growth', 'career', 'leadership', 'wellbeing', 'collaboration')
_SOURCES = ('curated', 'admin', 'llm')

_questions = sa.table(
    'questions',
    sa.column('team_id', sa.String),
    sa.column('theme', sa.String),
    sa.column('text', sa.String),
    sa.column('source', sa.String),
    sa.column('created_at', sa.DateTime(timezone=True)),
)


def _bank() -> list[dict[str, str]]:
    # The bank ships inside the package, so a later revision can add to it the same way.
    data = resources.files('bot.questions').joinpath('bank.toml').read_bytes()
    return list(tomllib.loads(data.decode('utf-8'))['question'])


def upgrade() -> None:
    op.create_table('questions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.String(length=32), nullable=True),
    sa.Column('theme', sa.Enum(*_THEMES, name='question_theme', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('text', sa.String(length=300), nullable=False),
    sa.Column('source', sa.Enum(*_SOURCES, name='question_source', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['team_id'], ['workspaces.team_id'], name=op.f('fk_questions_team_id_workspaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_questions')),
    sa.UniqueConstraint('team_id', 'text', name=op.f('uq_questions_team_id_text'))
    )

    op.create_table('question_seen',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.String(length=32), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=True),
    sa.Column('seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['match_groups.id'], name=op.f('fk_question_seen_group_id_match_groups'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_question_seen_person_id_people'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['question_id'], ['questions.id'], name=op.f('fk_question_seen_question_id_questions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['workspaces.team_id'], name=op.f('fk_question_seen_team_id_workspaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_question_seen'))
    )
    with op.batch_alter_table('question_seen', schema=None) as batch_op:
        batch_op.create_index('ix_question_seen_person_id_seen_at', ['person_id', 'seen_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_question_seen_question_id'), ['question_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_question_seen_team_id'), ['team_id'], unique=False)

    now = datetime.now(UTC)
    op.bulk_insert(
        _questions,
        [
            {'team_id': None, 'theme': q['theme'], 'text': q['text'], 'source': 'curated', 'created_at': now}
            for q in _bank()
        ],
    )


def downgrade() -> None:
    with op.batch_alter_table('question_seen', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_question_seen_team_id'))
        batch_op.drop_index(batch_op.f('ix_question_seen_question_id'))
        batch_op.drop_index('ix_question_seen_person_id_seen_at')

    op.drop_table('question_seen')
    op.drop_table('questions')
