"""Rounds as the scheduler needs them: what is due, and storing a round with its groups once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import EnrolmentState, GroupState, MemberRole, MembershipState, ProgrammeKind
from storage.models import MatchGroup, MatchMember, Membership, Person, ProgrammeRow, Round


@dataclass(frozen=True, slots=True)
class NewGroup:
    score: float
    breakdown: dict[str, Any]
    explanation: str
    state: GroupState
    intro_at: datetime | None
    members: Sequence[tuple[int, MemberRole]]  # (person id, role)
    mentor_fallbacks: Sequence[str] = ()


# The due-work queries are module-level statements so the benchmark can EXPLAIN exactly them.


def unscheduled_programmes_query(limit: int) -> Select[tuple[ProgrammeRow]]:
    return (
        select(ProgrammeRow)
        .where(ProgrammeRow.next_round_at.is_(None), ProgrammeRow.closed_at.is_(None))
        .order_by(ProgrammeRow.id)
        .limit(limit)
    )


def due_programmes_query(now: datetime, limit: int) -> Select[tuple[ProgrammeRow]]:
    return (
        select(ProgrammeRow)
        .where(ProgrammeRow.next_round_at <= now, ProgrammeRow.closed_at.is_(None))
        .order_by(ProgrammeRow.next_round_at, ProgrammeRow.id)
        .limit(limit)
    )


def ended_cohorts_query(today: date, limit: int) -> Select[tuple[ProgrammeRow]]:
    return (
        select(ProgrammeRow)
        .where(
            ProgrammeRow.kind == ProgrammeKind.COHORT,
            ProgrammeRow.closed_at.is_(None),
            ProgrammeRow.ends_on < today,
        )
        .order_by(ProgrammeRow.id)
        .limit(limit)
    )


def pauses_over_query(today: date, limit: int) -> Select[tuple[Person]]:
    return (
        select(Person)
        .where(
            Person.enrolment_state == EnrolmentState.PAUSED,
            Person.paused_until.is_not(None),
            Person.paused_until <= today,
        )
        .order_by(Person.id)
        .limit(limit)
    )


def flash_teams_query(week: date) -> Select[tuple[str]]:
    """Workspaces with at least one open `find flash` request for a week up to `week`."""
    return select(Person.team_id).where(Person.flash_week <= week).distinct()


class RoundRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def unscheduled_programmes(self, limit: int = 500) -> list[ProgrammeRow]:
        return list(await self._session.scalars(unscheduled_programmes_query(limit)))

    async def due_programme_ids(self, now: datetime, limit: int = 100) -> list[int]:
        rows = await self._session.scalars(
            due_programmes_query(now, limit).with_only_columns(ProgrammeRow.id)
        )
        return list(rows)

    async def programme(self, programme_id: int) -> ProgrammeRow | None:
        return await self._session.get(ProgrammeRow, programme_id, populate_existing=True)

    async def ended_cohorts(self, today: date, limit: int = 100) -> list[ProgrammeRow]:
        return list(await self._session.scalars(ended_cohorts_query(today, limit)))

    async def pauses_over(self, today: date, limit: int = 500) -> list[Person]:
        return list(await self._session.scalars(pauses_over_query(today, limit)))

    async def flash_teams(self, week: date) -> list[str]:
        return list(await self._session.scalars(flash_teams_query(week)))

    async def flash_requests(self, team_id: str, week: date) -> list[Person]:
        """Enrolled people of a workspace with an open `find flash` for a week up to `week`."""
        return list(
            await self._session.scalars(
                select(Person)
                .where(
                    Person.team_id == team_id,
                    Person.flash_week <= week,
                    Person.enrolment_state == EnrolmentState.ENROLLED,
                    Person.profile_completed_at.is_not(None),
                )
                .order_by(Person.slack_user_id)
            )
        )

    async def stale_flash_requests(self, team_id: str, week: date) -> list[Person]:
        """Requests for a week before `week`, or of people no longer taking part."""
        return list(
            await self._session.scalars(
                select(Person)
                .where(
                    Person.team_id == team_id,
                    Person.flash_week.is_not(None),
                    (Person.flash_week < week)
                    | (Person.enrolment_state != EnrolmentState.ENROLLED),
                )
                .order_by(Person.slack_user_id)
            )
        )

    async def claim_flash(self, person_ids: Sequence[int], week: date) -> bool:
        """Close these people's requests; False when another runner closed one first."""
        if not person_ids:
            return True
        result = await self._session.execute(
            update(Person)
            .where(Person.id.in_(person_ids), Person.flash_week <= week)
            .values(flash_week=None)
            .execution_options(synchronize_session=False)
        )
        return int(result.rowcount) == len(person_ids)  # type: ignore[attr-defined]

    async def last_round_date(self, programme_id: int) -> date | None:
        result = await self._session.scalars(
            select(Round.scheduled_for)
            .where(Round.programme_id == programme_id)
            .order_by(Round.scheduled_for.desc())
            .limit(1)
        )
        return result.first()

    async def round_on(self, programme_id: int, scheduled_for: date) -> int | None:
        found: int | None = await self._session.scalar(
            select(Round.id).where(
                Round.programme_id == programme_id, Round.scheduled_for == scheduled_for
            )
        )
        return found

    async def last_round(self, programme_id: int) -> Round | None:
        result = await self._session.scalars(
            select(Round)
            .where(Round.programme_id == programme_id)
            .order_by(Round.scheduled_for.desc())
            .limit(1)
        )
        return result.first()

    async def roster(self, programme_id: int) -> list[tuple[Membership, Person]]:
        """Every membership of the programme whose person has a complete profile."""
        result = await self._session.execute(
            select(Membership, Person)
            .join(Person, Person.id == Membership.person_id)
            .where(
                Membership.programme_id == programme_id,
                Person.profile_completed_at.is_not(None),
            )
            .order_by(Person.slack_user_id)
        )
        return [(m, p) for m, p in result.tuples()]

    async def members_of(self, programme_id: int) -> list[tuple[Membership, Person]]:
        """Active memberships, for the cohort's closing message."""
        result = await self._session.execute(
            select(Membership, Person)
            .join(Person, Person.id == Membership.person_id)
            .where(
                Membership.programme_id == programme_id,
                Membership.state == MembershipState.ACTIVE,
                Person.enrolment_state.in_([EnrolmentState.ENROLLED, EnrolmentState.PAUSED]),
            )
            .order_by(Person.slack_user_id)
        )
        return [(m, p) for m, p in result.tuples()]

    async def programme_history(self, programme_id: int) -> dict[int, tuple[int, int]]:
        """Per person: (groups they were in, groups that met) in this programme."""
        result = await self._session.execute(
            select(
                MatchMember.person_id,
                func.count(MatchGroup.id),
                func.count(MatchGroup.met_at),
            )
            .join(MatchGroup, MatchGroup.id == MatchMember.group_id)
            .join(Round, Round.id == MatchGroup.round_id)
            .where(Round.programme_id == programme_id, MatchMember.person_id.is_not(None))
            .group_by(MatchMember.person_id)
        )
        return {pid: (int(groups), int(met)) for pid, groups, met in result.tuples() if pid}

    async def add_round(
        self,
        *,
        team_id: str,
        programme_id: int | None,
        mode: str,
        seed: int,
        scheduled_for: date,
        ends_on: date | None,
        midpoint_at: datetime | None,
        ends_at: datetime | None,
        now: datetime,
    ) -> Round:
        """Insert the round; a second insert for the same programme and date fails at flush
        with an IntegrityError (the caller's transaction then rolls back as a whole)."""
        row = Round(
            team_id=team_id,
            programme_id=programme_id,
            mode=mode,
            seed=seed,
            scheduled_for=scheduled_for,
            ends_on=ends_on,
            midpoint_at=midpoint_at,
            ends_at=ends_at,
            created_at=now,
        )
        self._session.add(row)
        await self._session.flush()
        return row

    async def add_group(
        self, *, team_id: str, round_id: int, group: NewGroup, now: datetime
    ) -> MatchGroup:
        row = MatchGroup(
            team_id=team_id,
            round_id=round_id,
            score=group.score,
            breakdown=dict(group.breakdown),
            explanation=group.explanation,
            state=group.state,
            intro_at=group.intro_at,
            mentor_fallbacks=list(group.mentor_fallbacks),
            created_at=now,
        )
        self._session.add(row)
        await self._session.flush()
        self._session.add_all(
            MatchMember(group_id=row.id, person_id=pid, role=role) for pid, role in group.members
        )
        return row

    async def set_next_round(
        self, programme_id: int, expected: datetime | None, next_round_at: datetime | None
    ) -> bool:
        """Move `next_round_at` on, only if it still is `expected` (another runner or an admin
        may have changed it since it was read); True when it moved."""
        condition = (
            ProgrammeRow.next_round_at.is_(None)
            if expected is None
            else ProgrammeRow.next_round_at == expected
        )
        result = await self._session.execute(
            update(ProgrammeRow)
            .where(ProgrammeRow.id == programme_id, condition, ProgrammeRow.closed_at.is_(None))
            .values(next_round_at=next_round_at)
            .execution_options(synchronize_session=False)
        )
        return int(result.rowcount) == 1  # type: ignore[attr-defined]

    async def close_programme(self, programme_id: int, now: datetime) -> bool:
        result = await self._session.execute(
            update(ProgrammeRow)
            .where(ProgrammeRow.id == programme_id, ProgrammeRow.closed_at.is_(None))
            .values(closed_at=now, next_round_at=None, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        return int(result.rowcount) == 1  # type: ignore[attr-defined]

    async def end_pause(self, person_id: int, today: date, now: datetime) -> bool:
        result = await self._session.execute(
            update(Person)
            .where(
                Person.id == person_id,
                Person.enrolment_state == EnrolmentState.PAUSED,
                Person.paused_until <= today,
            )
            .values(enrolment_state=EnrolmentState.ENROLLED, paused_until=None, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        return int(result.rowcount) == 1  # type: ignore[attr-defined]
