"""The reads behind a programme digest: counts per round, grouped in SQL.

A digest covers up to `TREND_ROUNDS` rounds of a programme with thousands of people, so every
figure that is a plain count is a GROUP BY over the rounds at once; only the current and the
previous round are read a row per group or member (for the quiet groups and the breakdowns),
and then only a few columns. Nothing here reads a note or a step.

A round's window is [scheduled_for, ends_on); a round with no end yet runs up to today.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    and_,
    case,
    distinct,
    func,
    or_,
    select,
    true,
    union,
)
from sqlalchemy.engine import Result
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Executable, Subquery

from bot.domain import (
    EnrolmentState,
    GoalStatus,
    GroupState,
    MeetingStatus,
    MembershipState,
    StepDone,
)
from storage.models import (
    CheckIn,
    MatchGroup,
    MatchMember,
    Meeting,
    Membership,
    Person,
    ProgrammeRow,
    Round,
    WorkspaceSettings,
)

# Proposed and declined mentorships never ran: they are no group of the round.
COUNTED_STATES = (GroupState.ACTIVE, GroupState.ENDED)


@dataclass(frozen=True, slots=True)
class RoundRow:
    id: int
    scheduled_for: date
    ends_on: date | None


@dataclass(frozen=True, slots=True)
class GroupCounts:
    groups: int
    met: int
    people: int


@dataclass(frozen=True, slots=True)
class CheckInCounts:
    sent: int
    answered: int
    ratings: int
    rating_sum: int
    steps_asked: int
    steps_done: int
    # Each person's latest goal status in the round, counted once per person.
    goals: dict[GoalStatus, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class GroupRow:
    """One group of a round and whether it met (see `DigestRepository._met_groups`)."""

    id: int
    round_id: int
    channel_id: str | None
    met: bool


@dataclass(frozen=True, slots=True)
class MemberRow:
    """One member row; a forgotten person has no id, Slack id, function or level."""

    group_id: int
    person_id: int | None
    slack_user_id: str | None
    function: str | None
    level: int | None


@dataclass(frozen=True, slots=True)
class ParticipantCounts:
    active: int
    paused: int
    new: int
    left: int


@dataclass(frozen=True, slots=True)
class RetentionCounts:
    opened: int
    still_open: int


def day_start(day: date) -> datetime:
    """Midnight UTC at the start of `day`: where a window bounded by dates begins or ends."""
    return datetime.combine(day, time(0), tzinfo=UTC)


def _in_window(today: date) -> ColumnElement[bool]:
    """The check-in's week lies in its round's window (the round joined as `Round`).

    Written as two plain bounds (a round with no end runs to today, included) so that with
    the check-in's person they are one range of the (person_id, week_start) index."""
    end = func.coalesce(Round.ends_on, today + timedelta(days=1))
    return and_(CheckIn.week_start >= Round.scheduled_for, CheckIn.week_start < end)


class DigestRepository:
    """Read-only queries of one team's programme for its digest. Never writes."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def _rows(self, statement: Executable) -> Result[Any]:
        # Plain rows of a few columns: the Core path skips the ORM's per-row loading, which
        # costs more than the query itself on the thousands of member rows.
        connection = await self._session.connection()
        return await connection.execute(statement)

    async def programme(self, team_id: str, programme_id: int) -> ProgrammeRow | None:
        result = await self._session.scalars(
            select(ProgrammeRow).where(
                ProgrammeRow.team_id == team_id, ProgrammeRow.id == programme_id
            )
        )
        return result.one_or_none()

    async def open_programmes(self, team_id: str) -> list[ProgrammeRow]:
        """The team's open programmes, the default first, then by name."""
        result = await self._session.scalars(
            select(ProgrammeRow)
            .where(ProgrammeRow.team_id == team_id, ProgrammeRow.closed_at.is_(None))
            .order_by(ProgrammeRow.is_default.desc(), ProgrammeRow.name, ProgrammeRow.id)
        )
        return list(result)

    async def rounds(self, programme_id: int) -> list[RoundRow]:
        """Every round of the programme, oldest first."""
        result = await self._rows(
            select(Round.id, Round.scheduled_for, Round.ends_on)
            .where(Round.programme_id == programme_id)
            .order_by(Round.scheduled_for, Round.id)
        )
        return [RoundRow(id, start, end) for id, start, end in result]

    def _met_groups(self, round_ids: Sequence[int], today: date) -> Subquery:
        """The ids of the rounds' groups that met: We met was clicked, a meeting was recorded
        as met, or a member's check-in of a week in the round's window said so. Joins rather
        than a subquery per group, so thousands of groups cost three scans, not thousands."""
        counted = and_(MatchGroup.round_id.in_(round_ids), MatchGroup.state.in_(COUNTED_STATES))
        clicked = select(MatchGroup.id.label("group_id")).where(
            counted, MatchGroup.met_at.is_not(None)
        )
        recorded = (
            select(Meeting.group_id)
            .join(MatchGroup, MatchGroup.id == Meeting.group_id)
            .where(counted, Meeting.status == MeetingStatus.MET)
        )
        said = (
            select(MatchMember.group_id)
            .join(MatchGroup, MatchGroup.id == MatchMember.group_id)
            .join(Round, Round.id == MatchGroup.round_id)
            .join(CheckIn, CheckIn.person_id == MatchMember.person_id)
            .where(counted, CheckIn.met == true(), _in_window(today))
        )
        return union(clicked, recorded, said).subquery("met_groups")

    async def group_counts(self, round_ids: Sequence[int], today: date) -> dict[int, GroupCounts]:
        """Per round: its groups, those that met, and the people in them (a forgotten
        person's member row still counts as one)."""
        if not round_ids:
            return {}
        met = self._met_groups(round_ids, today)
        groups = (
            select(
                MatchGroup.round_id.label("round_id"),
                func.count().label("groups"),
                func.count(met.c.group_id).label("met"),
            )
            .outerjoin(met, met.c.group_id == MatchGroup.id)
            .where(MatchGroup.round_id.in_(round_ids), MatchGroup.state.in_(COUNTED_STATES))
            .group_by(MatchGroup.round_id)
        )
        forgotten = case((MatchMember.person_id.is_(None), 1), else_=0)
        people = (
            select(
                MatchGroup.round_id,
                func.count(distinct(MatchMember.person_id)),
                func.coalesce(func.sum(forgotten), 0),
            )
            .join(MatchGroup, MatchGroup.id == MatchMember.group_id)
            .where(MatchGroup.round_id.in_(round_ids), MatchGroup.state.in_(COUNTED_STATES))
            .group_by(MatchGroup.round_id)
        )
        heads = {
            round_id: int(known) + int(unknown)
            for round_id, known, unknown in await self._rows(people)
        }
        return {
            row.round_id: GroupCounts(int(row.groups), int(row.met), heads.get(row.round_id, 0))
            for row in await self._rows(groups)
        }

    async def checkin_counts(
        self, round_ids: Sequence[int], today: date
    ) -> dict[int, CheckInCounts]:
        """Per round: the check-ins of its people in its window, sent, answered, rated and
        asking about last week's step, and how many people gave each goal status last (their
        latest check-in in the window that has one). One pass over the check-ins."""
        if not round_ids:
            return {}
        people = self._people_subquery(round_ids, today)
        rows = (
            select(
                people.c.round_id,
                CheckIn.sent_at,
                CheckIn.answered_at,
                CheckIn.rating,
                CheckIn.previous_step_done,
                CheckIn.goal_status,
                # 1 on each person's newest check-in with a goal status in the round.
                func.row_number()
                .over(
                    partition_by=(
                        people.c.round_id,
                        people.c.person_id,
                        CheckIn.goal_status.is_(None),
                    ),
                    order_by=CheckIn.week_start.desc(),
                )
                .label("newest"),
            )
            .select_from(people)
            .join(CheckIn, self._in_window_of(people))
            .subquery("round_checkins")
        )
        rated = and_(rows.c.answered_at.is_not(None), rows.c.rating.is_not(None))

        def total(condition: ColumnElement[bool], value: Any = 1) -> ColumnElement[int]:
            return func.coalesce(func.sum(case((condition, value), else_=0)), 0)

        latest = [
            total(and_(rows.c.newest == 1, rows.c.goal_status == status)) for status in GoalStatus
        ]
        statement = select(
            rows.c.round_id,
            func.count(rows.c.sent_at),
            func.count(rows.c.answered_at),
            total(rated),
            total(rated, rows.c.rating),
            func.count(rows.c.previous_step_done),
            total(rows.c.previous_step_done == StepDone.YES),
            *latest,
        ).group_by(rows.c.round_id)
        counts: dict[int, CheckInCounts] = {}
        for row in await self._rows(statement):
            values = [int(value) for value in row[1:]]
            goals = dict(zip(GoalStatus, values[6:], strict=True))
            sent, answered, ratings, rating_sum, steps_asked, steps_done = values[:6]
            counts[row[0]] = CheckInCounts(
                sent, answered, ratings, rating_sum, steps_asked, steps_done, goals
            )
        return counts

    def _people_subquery(self, round_ids: Sequence[int], today: date) -> Subquery:
        """The distinct people of the rounds' groups with their round's window: a person in
        two groups of one round is still one person whose check-ins count once. The window
        travels with each row so the join to the check-ins is one range of the
        (person_id, week_start) index, or one hash join, whichever the planner prefers."""
        return (
            select(
                MatchGroup.round_id.label("round_id"),
                MatchMember.person_id.label("person_id"),
                Round.scheduled_for.label("starts"),
                func.coalesce(Round.ends_on, today + timedelta(days=1)).label("ends"),
            )
            .join(MatchGroup, MatchGroup.id == MatchMember.group_id)
            .join(Round, Round.id == MatchGroup.round_id)
            .where(
                MatchGroup.round_id.in_(round_ids),
                MatchGroup.state.in_(COUNTED_STATES),
                MatchMember.person_id.is_not(None),
            )
            .distinct()
            .subquery("round_people")
        )

    @staticmethod
    def _in_window_of(people: Subquery) -> ColumnElement[bool]:
        """A check-in of one of `people` in the window of their round."""
        return and_(
            CheckIn.person_id == people.c.person_id,
            CheckIn.week_start >= people.c.starts,
            CheckIn.week_start < people.c.ends,
        )

    async def groups(self, round_ids: Sequence[int], today: date) -> list[GroupRow]:
        """The rounds' groups one by one, with whether each met; by group id."""
        if not round_ids:
            return []
        met = self._met_groups(round_ids, today)
        statement = (
            select(
                MatchGroup.id,
                MatchGroup.round_id,
                MatchGroup.channel_id,
                met.c.group_id.is_not(None),
            )
            .outerjoin(met, met.c.group_id == MatchGroup.id)
            .where(MatchGroup.round_id.in_(round_ids), MatchGroup.state.in_(COUNTED_STATES))
            .order_by(MatchGroup.id)
        )
        return [
            GroupRow(id, round_id, channel, bool(met))
            for id, round_id, channel, met in await self._rows(statement)
        ]

    async def members(self, round_ids: Sequence[int]) -> list[MemberRow]:
        """The member rows of the rounds' groups with the person's Slack id, function and
        level (none of them for a forgotten person); by group, then member row."""
        if not round_ids:
            return []
        statement = (
            select(
                MatchMember.group_id,
                MatchMember.person_id,
                Person.slack_user_id,
                Person.function,
                Person.level,
            )
            .join(MatchGroup, MatchGroup.id == MatchMember.group_id)
            .outerjoin(Person, Person.id == MatchMember.person_id)
            .where(MatchGroup.round_id.in_(round_ids), MatchGroup.state.in_(COUNTED_STATES))
            .order_by(MatchMember.group_id, MatchMember.id)
        )
        return [MemberRow(*row) for row in await self._rows(statement)]

    async def round_person_ids(self, round_id: int) -> list[int]:
        """The people (still stored) in the round's counted groups."""
        statement = (
            select(MatchMember.person_id)
            .join(MatchGroup, MatchGroup.id == MatchMember.group_id)
            .where(
                MatchGroup.round_id == round_id,
                MatchGroup.state.in_(COUNTED_STATES),
                MatchMember.person_id.is_not(None),
            )
            .distinct()
        )
        return [int(person_id) for (person_id,) in await self._rows(statement)]

    async def names(self, team_id: str) -> list[str]:
        """Every display and real name in the workspace: what a summary must never repeat."""
        statement = select(Person.display_name, Person.real_name).where(Person.team_id == team_id)
        found: set[str] = set()
        for display, real in await self._rows(statement):
            found.update(n for n in (display, real) if n)
        return sorted(found)

    async def checkins_by_person(self, round_id: int, today: date) -> dict[int, tuple[int, int]]:
        """(sent, answered) check-ins per person of one round, in its window."""
        people = self._people_subquery([round_id], today)
        statement = (
            select(people.c.person_id, func.count(CheckIn.sent_at), func.count(CheckIn.answered_at))
            .select_from(people)
            .join(CheckIn, self._in_window_of(people))
            .group_by(people.c.person_id)
        )
        return {
            person_id: (int(sent), int(answered))
            for person_id, sent, answered in await self._rows(statement)
        }

    async def participants(
        self, programme_id: int, window: tuple[datetime, datetime] | None
    ) -> ParticipantCounts:
        """Active memberships by their person's state now, and the memberships that began
        or ended in `window` ([start, end) in time; none without a current round)."""
        active = Membership.state == MembershipState.ACTIVE
        enrolled = and_(active, Person.enrolment_state == EnrolmentState.ENROLLED)
        paused = and_(active, Person.enrolment_state == EnrolmentState.PAUSED)
        columns: list[ColumnElement[int]] = [
            func.coalesce(func.sum(case((enrolled, 1), else_=0)), 0),
            func.coalesce(func.sum(case((paused, 1), else_=0)), 0),
        ]
        if window is not None:
            start, end = window
            joined = and_(Membership.joined_at >= start, Membership.joined_at < end)
            left = and_(Membership.left_at >= start, Membership.left_at < end)
            columns += [
                func.coalesce(func.sum(case((joined, 1), else_=0)), 0),
                func.coalesce(func.sum(case((left, 1), else_=0)), 0),
            ]
        statement = (
            select(*columns)
            .select_from(Membership)
            .join(Person, Person.id == Membership.person_id)
            .where(Membership.programme_id == programme_id)
        )
        row = (await self._rows(statement)).one()
        values = [int(value) for value in row] + [0, 0]
        return ParticipantCounts(active=values[0], paused=values[1], new=values[2], left=values[3])

    async def retention(
        self, programme_id: int, spans: Sequence[tuple[datetime, datetime]]
    ) -> list[RetentionCounts]:
        """For each (opened before, still open at) pair: the programme's memberships that
        began before the first moment and, of those, the ones not ended by the second. One
        statement for every round of the trend."""
        if not spans:
            return []
        columns: list[ColumnElement[int]] = []
        for opened_before, open_at in spans:
            opened = Membership.joined_at < opened_before
            still_open = and_(
                opened, or_(Membership.left_at.is_(None), Membership.left_at >= open_at)
            )
            columns += [
                func.coalesce(func.sum(case((opened, 1), else_=0)), 0),
                func.coalesce(func.sum(case((still_open, 1), else_=0)), 0),
            ]
        statement = select(*columns).where(Membership.programme_id == programme_id)
        row = [int(value) for value in (await self._rows(statement)).one()]
        return [RetentionCounts(row[i], row[i + 1]) for i in range(0, len(row), 2)]

    async def min_aggregate_size(self, team_id: str) -> int | None:
        """The workspace's smallest group shown in breakdowns, if an admin saved settings."""
        size: int | None = await self._session.scalar(
            select(WorkspaceSettings.min_aggregate_size).where(WorkspaceSettings.team_id == team_id)
        )
        return size
