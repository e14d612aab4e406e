"""Database models.

Every workspace-scoped table carries ``team_id`` (a foreign key to ``workspaces.team_id`` with
ON DELETE CASCADE) so that one installation's data can be queried, and removed, on its own.
Rounds, matches and check-ins follow the same pattern.

Relationships use ``lazy="raise"``: an attribute access that would issue a hidden query under
asyncio fails loudly instead; load what you need with ``selectinload`` and friends.

JSON list columns are not mutation-tracked: assign a new list rather than appending in place.
"""

from __future__ import annotations

from datetime import date, datetime, time
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    Date,
    Enum,
    ForeignKey,
    SmallInteger,
    String,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from storage.base import Base
from storage.types import utcnow

MAX_GOALS = 3


class EnrolmentState(StrEnum):
    NOT_ENROLLED = "not_enrolled"
    ENROLLED = "enrolled"
    PAUSED = "paused"
    LEFT = "left"


class Cadence(StrEnum):
    WEEKLY = "weekly"
    FORTNIGHTLY = "fortnightly"
    MONTHLY = "monthly"


def _string_enum(enum: type[StrEnum], name: str) -> Enum:
    # VARCHAR plus a named CHECK rather than a native PostgreSQL ENUM: adding a value later is
    # then an ordinary constraint swap on both databases. The values (not the member names) are
    # stored so the data reads naturally in SQL.
    return Enum(
        enum,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=16,
        validate_strings=True,
        values_callable=lambda members: [member.value for member in members],
    )


class Workspace(Base):
    __tablename__ = "workspaces"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    enterprise_id: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    people: Mapped[list[Person]] = relationship(
        back_populates="workspace",
        lazy="raise",
        # The database cascades the delete; loading every person first would defeat lazy="raise".
        passive_deletes=True,
    )

    def __repr__(self) -> str:
        return f"Workspace(team_id={self.team_id!r}, name={self.name!r})"


class Person(Base):
    __tablename__ = "people"
    __table_args__ = (
        # Also serves lookups by team_id alone, so that column needs no index of its own.
        UniqueConstraint("team_id", "slack_user_id"),
        CheckConstraint("level BETWEEN 1 AND 6", name="level_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("workspaces.team_id", ondelete="CASCADE")
    )
    slack_user_id: Mapped[str] = mapped_column(String(32))

    # Refreshed from Slack whenever the person is seen.
    display_name: Mapped[str] = mapped_column(String(255))
    real_name: Mapped[str | None] = mapped_column(String(255))
    time_zone: Mapped[str | None] = mapped_column(String(64))  # IANA name, e.g. Europe/Berlin

    # Filled in by the person; empty until then.
    function: Mapped[str | None] = mapped_column(String(100))
    level: Mapped[int | None] = mapped_column(SmallInteger)
    goals: Mapped[list[str]] = mapped_column(default=list, server_default="[]")
    goal_tags: Mapped[list[str]] = mapped_column(default=list, server_default="[]")
    skills: Mapped[list[str]] = mapped_column(default=list, server_default="[]")
    work_start: Mapped[time | None] = mapped_column(Time)  # local to time_zone
    work_end: Mapped[time | None] = mapped_column(Time)
    cadence: Mapped[Cadence | None] = mapped_column(_string_enum(Cadence, "cadence"))

    enrolment_state: Mapped[EnrolmentState] = mapped_column(
        _string_enum(EnrolmentState, "enrolment_state"),
        default=EnrolmentState.NOT_ENROLLED,
        server_default=EnrolmentState.NOT_ENROLLED.value,
    )
    paused_until: Mapped[date | None] = mapped_column(Date)
    enrolled_at: Mapped[datetime | None]
    left_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    workspace: Mapped[Workspace] = relationship(back_populates="people", lazy="raise")

    @validates("goals")
    def _validate_goals(self, _key: str, goals: list[str]) -> list[str]:
        if len(goals) > MAX_GOALS:
            raise ValueError(f"at most {MAX_GOALS} goals, got {len(goals)}")
        return goals

    def __repr__(self) -> str:
        return (
            f"Person(team_id={self.team_id!r}, slack_user_id={self.slack_user_id!r}, "
            f"enrolment_state={self.enrolment_state.value!r})"
        )
