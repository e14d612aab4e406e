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
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Date,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Text,
    Time,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates
from sqlalchemy.sql.expression import false, true

from bot.domain import (
    DEFAULT_CHECKIN_WEEKDAY,
    MAX_GOALS,
    Cadence,
    EnrolmentState,
    GoalStatus,
    GroupState,
    MeetingStatus,
    MemberRole,
    MembershipRole,
    MembershipState,
    OutboxStatus,
    ProgrammeKind,
    ProgrammeMode,
    QuestionSource,
    QuestionTheme,
    StepDone,
)
from storage.base import Base
from storage.types import clock_now


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
    created_at: Mapped[datetime] = mapped_column(default=clock_now)
    updated_at: Mapped[datetime] = mapped_column(default=clock_now, onupdate=clock_now)

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
        CheckConstraint("mentor_capacity BETWEEN 0 AND 3", name="mentor_capacity_range"),
        # Partial indexes for the scheduler tick: only the few paused people and the few one-off
        # requests are in them, so finding whose pause is over stays one short range scan.
        Index(
            "ix_people_paused_until",
            "paused_until",
            postgresql_where=text("enrolment_state = 'paused'"),
            sqlite_where=text("enrolment_state = 'paused'"),
        ),
        Index(
            "ix_people_flash_week",
            "flash_week",
            postgresql_where=text("flash_week IS NOT NULL"),
            sqlite_where=text("flash_week IS NOT NULL"),
        ),
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
    mentor_capacity: Mapped[int] = mapped_column(SmallInteger, default=0, server_default="0")
    # A one-off conversation asked for with `find flash`, for the week starting on this date.
    flash_week: Mapped[date | None] = mapped_column(Date)
    profile_completed_at: Mapped[datetime | None]

    enrolment_state: Mapped[EnrolmentState] = mapped_column(
        _string_enum(EnrolmentState, "enrolment_state"),
        default=EnrolmentState.NOT_ENROLLED,
        server_default=EnrolmentState.NOT_ENROLLED.value,
    )
    paused_until: Mapped[date | None] = mapped_column(Date)
    enrolled_at: Mapped[datetime | None]
    left_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=clock_now)
    updated_at: Mapped[datetime] = mapped_column(default=clock_now, onupdate=clock_now)

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


class WorkspaceSettings(Base):
    """The programme settings an admin chose; a workspace without a row uses the defaults."""

    __tablename__ = "workspace_settings"
    __table_args__ = (
        CheckConstraint("round_weekday BETWEEN 0 AND 6", name="round_weekday_range"),
        CheckConstraint("intro_hour BETWEEN 0 AND 23", name="intro_hour_range"),
        CheckConstraint("circle_size BETWEEN 3 AND 6", name="circle_size_range"),
        CheckConstraint("min_aggregate_size >= 3", name="min_aggregate_size_floor"),
    )

    team_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("workspaces.team_id", ondelete="CASCADE"), primary_key=True
    )
    cadence: Mapped[Cadence] = mapped_column(_string_enum(Cadence, "cadence"))
    round_weekday: Mapped[int] = mapped_column(SmallInteger)
    intro_hour: Mapped[int] = mapped_column(SmallInteger)
    circle_size: Mapped[int] = mapped_column(SmallInteger)
    digest_channel_id: Mapped[str | None] = mapped_column(String(32))
    min_aggregate_size: Mapped[int] = mapped_column(SmallInteger)
    max_tz_gap_hours: Mapped[int] = mapped_column(SmallInteger)
    mentor_min_level_gap: Mapped[int] = mapped_column(SmallInteger)
    weight_function: Mapped[float] = mapped_column(Float)
    weight_level: Mapped[float] = mapped_column(Float)
    weight_hours: Mapped[float] = mapped_column(Float)
    weight_goals: Mapped[float] = mapped_column(Float)
    weight_complement: Mapped[float] = mapped_column(Float)
    updated_at: Mapped[datetime] = mapped_column(default=clock_now, onupdate=clock_now)


class DoNotPair(Base):
    """One entry of a person's private do-not-pair list, honoured in both directions."""

    __tablename__ = "do_not_pair"
    __table_args__ = (UniqueConstraint("person_id", "blocked_user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("workspaces.team_id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    # A Slack id rather than a person id: people may block someone who never enrolled.
    blocked_user_id: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=clock_now)


class ProgrammeRow(Base):
    """A programme a workspace runs: how it groups people, how often, and for how long.

    Every workspace has a default peer-pairs programme; admins add circles, mentorship or
    cohorts with a start and an end date. `next_round_at` is when the scheduler next matches
    it, so finding due rounds is one indexed range scan however many programmes exist."""

    __tablename__ = "programmes"
    __table_args__ = (
        UniqueConstraint("team_id", "name"),
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_range"),
        CheckConstraint("intro_hour BETWEEN 0 AND 23", name="intro_hour_range"),
        CheckConstraint("group_size BETWEEN 2 AND 6", name="group_size_range"),
        # Check-ins go out on working days only.
        CheckConstraint("checkin_weekday BETWEEN 0 AND 4", name="checkin_weekday_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("workspaces.team_id", ondelete="CASCADE")
    )
    name: Mapped[str] = mapped_column(String(80))
    mode: Mapped[ProgrammeMode] = mapped_column(_string_enum(ProgrammeMode, "programme_mode"))
    kind: Mapped[ProgrammeKind] = mapped_column(
        _string_enum(ProgrammeKind, "programme_kind"), default=ProgrammeKind.EVERGREEN
    )
    cadence: Mapped[Cadence] = mapped_column(_string_enum(Cadence, "cadence"))
    weekday: Mapped[int] = mapped_column(SmallInteger)  # 0 = Monday
    intro_hour: Mapped[int] = mapped_column(SmallInteger)  # local to each group
    group_size: Mapped[int] = mapped_column(SmallInteger)
    home_channel_id: Mapped[str | None] = mapped_column(String(32))
    digest_channel_id: Mapped[str | None] = mapped_column(String(32))
    is_default: Mapped[bool] = mapped_column(default=False, server_default=false())
    starts_on: Mapped[date | None] = mapped_column(Date)  # cohorts only
    ends_on: Mapped[date | None] = mapped_column(Date)  # cohorts only
    next_round_at: Mapped[datetime | None] = mapped_column(index=True)
    closed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=clock_now)
    updated_at: Mapped[datetime] = mapped_column(default=clock_now, onupdate=clock_now)
    # The day members get their weekly check-in, at 09:00 their time (0 = Monday, 4 = Friday).
    checkin_weekday: Mapped[int] = mapped_column(
        SmallInteger,
        default=DEFAULT_CHECKIN_WEEKDAY,
        server_default=str(DEFAULT_CHECKIN_WEEKDAY),
    )


class Membership(Base):
    """A person's place in one programme. A person may be in several (pairs and a mentor)."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("programme_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("workspaces.team_id", ondelete="CASCADE"), index=True
    )
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    role: Mapped[MembershipRole] = mapped_column(
        _string_enum(MembershipRole, "membership_role"), default=MembershipRole.PARTICIPANT
    )
    state: Mapped[MembershipState] = mapped_column(
        _string_enum(MembershipState, "membership_state"), default=MembershipState.ACTIVE
    )
    # Rounds in a row without a sign of life (no We met, no answer); 3 puts the membership on
    # hold until the person answers the "stay, pause or leave?" DM.
    silent_rounds: Mapped[int] = mapped_column(SmallInteger, default=0, server_default="0")
    on_hold_since: Mapped[datetime | None]
    joined_at: Mapped[datetime] = mapped_column(default=clock_now)
    left_at: Mapped[datetime | None]


class Round(Base):
    """One matching run of a programme, stored once: (programme, date) is unique.

    The seed is stored so the round can be replayed exactly. `midpoint_at` and `ends_at`
    are when the nudge and the "did you meet?" fall due."""

    __tablename__ = "rounds"
    __table_args__ = (
        UniqueConstraint("programme_id", "scheduled_for"),
        # Only rounds whose mid-point or end is still to be handled: past rounds, the vast
        # majority, stay out of the indexes the tick reads.
        Index(
            "ix_rounds_midpoint_due",
            "midpoint_at",
            postgresql_where=text("midpoint_done_at IS NULL"),
            sqlite_where=text("midpoint_done_at IS NULL"),
        ),
        Index(
            "ix_rounds_end_due",
            "ends_at",
            postgresql_where=text("end_done_at IS NULL"),
            sqlite_where=text("end_done_at IS NULL"),
        ),
        # Only rounds with a digest still ahead of them.
        Index(
            "ix_rounds_digest_due",
            "digest_due_at",
            postgresql_where=text("digest_due_at IS NOT NULL"),
            sqlite_where=text("digest_due_at IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("workspaces.team_id", ondelete="CASCADE")
    )
    programme_id: Mapped[int | None] = mapped_column(
        ForeignKey("programmes.id", ondelete="CASCADE")
    )
    mode: Mapped[str] = mapped_column(String(16))
    seed: Mapped[int] = mapped_column(BigInteger)
    scheduled_for: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    midpoint_at: Mapped[datetime | None]
    ends_at: Mapped[datetime | None]
    # Set once the round's mid-point and end work has been planned, so a tick skips it after.
    midpoint_done_at: Mapped[datetime | None]
    end_done_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=clock_now)
    # When the programme's next digest of this round is due (weekly inside long rounds, then
    # at its end; `bot.digests.timing`); NULL once the last one went out.
    digest_due_at: Mapped[datetime | None]


class MatchGroup(Base):
    """A pair, triad, circle or mentorship formed by a round."""

    __tablename__ = "match_groups"
    __table_args__ = (
        # Mentorships waiting for a mentor's answer: a handful among millions of groups.
        Index(
            "ix_match_groups_proposed",
            "mentor_asked_at",
            postgresql_where=text("state = 'proposed'"),
            sqlite_where=text("state = 'proposed'"),
        ),
        # Only groups with a weekly question ahead: the tick's read of due questions stays
        # short whatever the years of groups behind it.
        Index(
            "ix_match_groups_question_due",
            "question_due_at",
            postgresql_where=text("question_due_at IS NOT NULL"),
            sqlite_where=text("question_due_at IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("workspaces.team_id", ondelete="CASCADE"), index=True
    )
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    score: Mapped[float] = mapped_column(Float)
    breakdown: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    explanation: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[GroupState] = mapped_column(
        _string_enum(GroupState, "group_state"),
        default=GroupState.ACTIVE,
        server_default=GroupState.ACTIVE.value,
    )
    # The group DM, known once the intro has gone out.
    channel_id: Mapped[str | None] = mapped_column(String(32))
    intro_at: Mapped[datetime | None]  # when the intro is due (the group's local intro hour)
    # Mentorship: when the current mentor was asked, and who else could be asked in turn.
    mentor_asked_at: Mapped[datetime | None]
    mentor_fallbacks: Mapped[list[str]] = mapped_column(default=list, server_default="[]")
    nudges_sent: Mapped[int] = mapped_column(SmallInteger, default=0, server_default="0")
    met_at: Mapped[datetime | None]
    skipped_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=clock_now)
    ended_at: Mapped[datetime | None]
    # When the group's next weekly question falls due (bot.questions.weeks); NULL when none is.
    question_due_at: Mapped[datetime | None]


class MatchMember(Base):
    """Who is in a group. `person_id` becomes NULL when that person asks to be forgotten,
    so the group still counts in anonymous statistics but no longer points at anyone."""

    __tablename__ = "match_members"
    __table_args__ = (UniqueConstraint("group_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(
        ForeignKey("match_groups.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), index=True
    )
    role: Mapped[MemberRole] = mapped_column(_string_enum(MemberRole, "member_role"))


class Meeting(Base):
    """Whether a group met in a given cadence period ("We met" / "Skip")."""

    __tablename__ = "meetings"
    __table_args__ = (UniqueConstraint("group_id", "due_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("workspaces.team_id", ondelete="CASCADE"), index=True
    )
    group_id: Mapped[int] = mapped_column(ForeignKey("match_groups.id", ondelete="CASCADE"))
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[MeetingStatus] = mapped_column(
        _string_enum(MeetingStatus, "meeting_status"), default=MeetingStatus.PENDING
    )
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime | None]


class CheckIn(Base):
    """A person's weekly check-in: private to them (admins only ever see aggregates).

    One per person and local week (Monday `week_start`), whatever the number of programmes.
    The row is planned ahead with `due_at` (09:00 their time on the check-in day); `sent_at`,
    `remind_at` and `reminded_at` track its delivery, and the answers may be changed until
    `closes_at`, the end of their local week. `note` is seen by its author only; `step` also
    by their circle when `step_shared` is set. A note with `note_shared` set may, with four
    or more others, feed an unattributed summary of themes for the programme team; the note
    itself is never shown to anyone else."""

    __tablename__ = "checkins"
    __table_args__ = (
        UniqueConstraint("person_id", "week_start"),
        CheckConstraint("rating BETWEEN 1 AND 5", name="rating_range"),
        CheckConstraint("goal_progress BETWEEN 1 AND 5", name="goal_progress_range"),
        # Only check-ins still to send, or still to remind about, are in these: a short scan
        # on every tick, whatever the history.
        Index(
            "ix_checkins_due_unsent",
            "due_at",
            postgresql_where=text("sent_at IS NULL"),
            sqlite_where=text("sent_at IS NULL"),
        ),
        Index(
            "ix_checkins_remind_due",
            "remind_at",
            postgresql_where=text("reminded_at IS NULL"),
            sqlite_where=text("reminded_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("workspaces.team_id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    week_start: Mapped[date] = mapped_column(Date)
    rating: Mapped[int | None] = mapped_column(SmallInteger)
    # 1 to 5, derived from the goal status and whether last week's step happened.
    goal_progress: Mapped[int | None] = mapped_column(SmallInteger)
    note: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None]
    # The programme whose check-in day was used; NULL for one asked for with `checkin`.
    programme_id: Mapped[int | None] = mapped_column(
        ForeignKey("programmes.id", ondelete="SET NULL")
    )
    goal_status: Mapped[GoalStatus | None] = mapped_column(_string_enum(GoalStatus, "goal_status"))
    met: Mapped[bool | None]
    step: Mapped[str | None] = mapped_column(Text)
    step_shared: Mapped[bool] = mapped_column(default=False, server_default=false())
    note_shared: Mapped[bool] = mapped_column(default=False, server_default=false())
    previous_step_done: Mapped[StepDone | None] = mapped_column(_string_enum(StepDone, "step_done"))
    due_at: Mapped[datetime | None]
    closes_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    remind_at: Mapped[datetime | None]
    reminded_at: Mapped[datetime | None]
    created_at: Mapped[datetime | None] = mapped_column(default=clock_now)
    updated_at: Mapped[datetime | None] = mapped_column(default=clock_now, onupdate=clock_now)


class AnonymousTally(Base):
    """What is left of people who asked to be forgotten: counts per month, no identities."""

    __tablename__ = "anonymous_tallies"
    __table_args__ = (UniqueConstraint("team_id", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("workspaces.team_id", ondelete="CASCADE")
    )
    month: Mapped[date] = mapped_column(Date)  # first day of the month they left
    people: Mapped[int] = mapped_column(default=0)
    matches: Mapped[int] = mapped_column(default=0)
    meetings_met: Mapped[int] = mapped_column(default=0)
    checkins: Mapped[int] = mapped_column(default=0)


class OutboxMessage(Base):
    """A message peercoach sends on its own initiative, written in the transaction of the
    change that causes it and delivered by the dispatcher, once.

    `key` says what the message is for (``intro:<group>``, ``nudge:<group>:<n>``); it is
    unique, so writing the same message twice is impossible, and it travels with the message
    as Slack `metadata` so an attempt whose outcome is unknown can be checked in the channel's
    history before any resend. Either `channel_id` is known, or `open_users` are the people
    to open a DM or group DM with first."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_status_next_attempt_at", "status", "next_attempt_at"),
        # Retrying a message finds the replies that failed with it.
        Index(
            "ix_outbox_thread_key",
            "thread_key",
            postgresql_where=text("thread_key IS NOT NULL"),
            sqlite_where=text("thread_key IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("workspaces.team_id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(32))  # intro, nudge, dm, invite, ... (for admins)
    channel_id: Mapped[str | None] = mapped_column(String(32))
    open_users: Mapped[list[str]] = mapped_column(default=list, server_default="[]")
    text: Mapped[str] = mapped_column(Text)  # the notification / fallback text
    blocks: Mapped[list[Any] | None] = mapped_column(JSON)
    # When sent, what to remember: e.g. {"group_id": 7} stores the group DM's id on the group.
    on_sent: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    status: Mapped[OutboxStatus] = mapped_column(
        _string_enum(OutboxStatus, "outbox_status"), default=OutboxStatus.PENDING
    )
    due_at: Mapped[datetime]
    next_attempt_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # A dispatcher's lease on a row it is sending; an expired lease means it died mid-send.
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(200))
    sent_channel_id: Mapped[str | None] = mapped_column(String(32))
    sent_ts: Mapped[str | None] = mapped_column(String(32))
    sent_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=clock_now)
    # The key of the row whose message this one answers in its thread: sent only after it,
    # into its conversation.
    thread_key: Mapped[str | None] = mapped_column(String(200))


class OutboxMessageFile(Base):
    """The file an outbox row uploads, its text the comment that goes with it.

    `slack_file_id` is written as soon as Slack hands out the upload ticket, so an attempt
    whose outcome is unknown can ask Slack whether that file was shared before uploading it
    again."""

    __tablename__ = "outbox_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(
        ForeignKey("outbox.id", ondelete="CASCADE"), unique=True
    )
    filename: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(200))
    alt_text: Mapped[str] = mapped_column(String(1000))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    slack_file_id: Mapped[str | None] = mapped_column(String(32))


class ProcessedRequest(Base):
    """Keys of Slack requests already handled, so a retried delivery is processed once."""

    __tablename__ = "processed_requests"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=clock_now, index=True)


class Question(Base):
    """A reflective question: the curated bank, one an admin added for their workspace, or
    one drafted for a group. Retired questions are kept so the record of who was sent what
    still reads."""

    __tablename__ = "questions"
    # The bank's rows (no team) are copied into each workspace on first use, so that an admin
    # retiring one retires it for their workspace only; a text appears once per workspace.
    __table_args__ = (UniqueConstraint("team_id", "text"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str | None] = mapped_column(
        String(32), ForeignKey("workspaces.team_id", ondelete="CASCADE")
    )
    theme: Mapped[QuestionTheme] = mapped_column(_string_enum(QuestionTheme, "question_theme"))
    text: Mapped[str] = mapped_column(String(300))
    source: Mapped[QuestionSource] = mapped_column(_string_enum(QuestionSource, "question_source"))
    retired_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=clock_now)


class QuestionSeen(Base):
    """That a person was sent a question (in a group's intro, its weekly question, or on
    demand), so nobody is asked the same thing twice within a year. Deleted with the person."""

    __tablename__ = "question_seen"
    __table_args__ = (Index("ix_question_seen_person_id_seen_at", "person_id", "seen_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("workspaces.team_id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), index=True
    )
    # The group it was sent to; NULL for `/peercoach question`, or once the group is gone.
    group_id: Mapped[int | None] = mapped_column(ForeignKey("match_groups.id", ondelete="SET NULL"))
    seen_at: Mapped[datetime]


class DirectoryEntry(Base):
    """What the HR import says about one Slack user, whether or not they ever join.

    Kept apart from `Person` so an import enrols nobody: the data waits here until the person
    joins, and prefills their profile then. Level and manager are seen only by the person and
    admins.
    """

    __tablename__ = "directory_entries"
    __table_args__ = (
        UniqueConstraint("team_id", "slack_user_id"),
        CheckConstraint("level IS NULL OR level BETWEEN 1 AND 6", name="level_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("workspaces.team_id", ondelete="CASCADE")
    )
    slack_user_id: Mapped[str] = mapped_column(String(32))
    email: Mapped[str | None] = mapped_column(String(255))
    function: Mapped[str | None] = mapped_column(String(100))
    level: Mapped[int | None] = mapped_column(SmallInteger)
    title: Mapped[str | None] = mapped_column(String(150))
    location: Mapped[str | None] = mapped_column(String(100))
    time_zone: Mapped[str | None] = mapped_column(String(64))
    manager_slack_id: Mapped[str | None] = mapped_column(String(32))
    department: Mapped[str | None] = mapped_column(String(100))
    start_date: Mapped[date | None] = mapped_column(Date)
    imported_at: Mapped[datetime] = mapped_column(default=clock_now)
    updated_at: Mapped[datetime] = mapped_column(default=clock_now, onupdate=clock_now)


class EligibilitySettings(Base):
    """Who may take part, and how HR data is used; a workspace without a row uses the defaults
    (guests excluded, same-manager pairs kept apart, HR function and level editable)."""

    __tablename__ = "eligibility_settings"

    team_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("workspaces.team_id", ondelete="CASCADE"), primary_key=True
    )
    exclude_guests: Mapped[bool] = mapped_column(default=True, server_default=true())
    same_manager_apart: Mapped[bool] = mapped_column(default=True, server_default=true())
    hr_fields_editable: Mapped[bool] = mapped_column(default=True, server_default=true())
    excluded_user_ids: Mapped[list[str]] = mapped_column(default=list, server_default="[]")
    excluded_usergroup_id: Mapped[str | None] = mapped_column(String(32))
    updated_at: Mapped[datetime] = mapped_column(default=clock_now, onupdate=clock_now)
