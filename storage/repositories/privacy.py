"""Queries behind a person's data export and their request to be forgotten.

Every read is scoped to one person: their own rows, or groups they were a member of. Nothing
here reads another person's check-ins or do-not-pair list on their behalf.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, cast

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import CursorResult, Result
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import MeetingStatus
from storage.models import (
    AnonymousTally,
    CheckIn,
    DoNotPair,
    MatchGroup,
    MatchMember,
    Meeting,
    Person,
    Round,
)


@dataclass(frozen=True, slots=True)
class Membership:
    """One group a person was in, with the round that formed it."""

    member: MatchMember
    group: MatchGroup
    round: Round


class PrivacyRepository:
    """Reads for export, writes for erasure. Flushes, never commits: the caller owns the
    transaction, so a forget either happens completely or not at all."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    # -- reads -----------------------------------------------------------------------------

    async def blocked_user_ids(self, person_id: int) -> list[str]:
        """The person's own do-not-pair list, oldest entry first."""
        result = await self._session.scalars(
            select(DoNotPair.blocked_user_id)
            .where(DoNotPair.person_id == person_id)
            .order_by(DoNotPair.created_at, DoNotPair.id)
        )
        return list(result)

    async def memberships(self, person_id: int) -> list[Membership]:
        """Every group the person was in, oldest round first."""
        result = await self._session.execute(
            select(MatchMember, MatchGroup, Round)
            .join(MatchGroup, MatchMember.group_id == MatchGroup.id)
            .join(Round, MatchGroup.round_id == Round.id)
            .where(MatchMember.person_id == person_id)
            .order_by(Round.scheduled_for, MatchGroup.id)
        )
        return [Membership(member, group, round_) for member, group, round_ in result.tuples()]

    async def group_ids(self, person_id: int) -> list[int]:
        result = await self._session.scalars(
            select(MatchMember.group_id)
            .where(MatchMember.person_id == person_id)
            .order_by(MatchMember.group_id)
        )
        return list(result)

    async def partners(self, person_id: int, group_ids: Sequence[int]) -> dict[int, list[str]]:
        """Slack ids of the other members of each group, by group id.

        Members who have since been forgotten have no person any more and are left out.
        """
        partners: dict[int, list[str]] = {group_id: [] for group_id in group_ids}
        if not group_ids:
            return partners
        result = await self._session.execute(
            select(MatchMember.group_id, Person.slack_user_id)
            .join(Person, MatchMember.person_id == Person.id)
            .where(MatchMember.group_id.in_(group_ids), MatchMember.person_id != person_id)
            .order_by(MatchMember.group_id, MatchMember.id)
        )
        for group_id, slack_user_id in result.tuples():
            partners[group_id].append(slack_user_id)
        return partners

    async def meetings(self, group_ids: Sequence[int]) -> list[Meeting]:
        if not group_ids:
            return []
        result = await self._session.scalars(
            select(Meeting)
            .where(Meeting.group_id.in_(group_ids))
            .order_by(Meeting.due_on, Meeting.group_id, Meeting.id)
        )
        return list(result)

    async def count_meetings_met(self, group_ids: Sequence[int]) -> int:
        if not group_ids:
            return 0
        result = await self._session.execute(
            select(func.count())
            .select_from(Meeting)
            .where(Meeting.group_id.in_(group_ids), Meeting.status == MeetingStatus.MET)
        )
        return result.scalar_one()

    async def checkins(self, person_id: int) -> list[CheckIn]:
        """The person's own check-ins, oldest week first."""
        result = await self._session.scalars(
            select(CheckIn).where(CheckIn.person_id == person_id).order_by(CheckIn.week_start)
        )
        return list(result)

    async def count_answered_checkins(self, person_id: int) -> int:
        result = await self._session.execute(
            select(func.count())
            .select_from(CheckIn)
            .where(CheckIn.person_id == person_id, CheckIn.answered_at.is_not(None))
        )
        return result.scalar_one()

    # -- writes ----------------------------------------------------------------------------

    async def add_to_tally(
        self,
        team_id: str,
        month: date,
        *,
        people: int,
        matches: int,
        meetings_met: int,
        checkins: int,
    ) -> AnonymousTally:
        """Add to the month's counts, creating the row on first use.

        One INSERT ... ON CONFLICT DO UPDATE that adds to the stored values, so two people
        forgotten at the same moment cannot lose each other's counts.
        """
        values = {
            "team_id": team_id,
            "month": month,
            "people": people,
            "matches": matches,
            "meetings_met": meetings_met,
            "checkins": checkins,
        }
        counters = ("people", "matches", "meetings_met", "checkins")
        dialect = self._session.get_bind().dialect.name
        if dialect == "postgresql":
            pg_insert = postgresql.insert(AnonymousTally).values(**values)
            statement = pg_insert.on_conflict_do_update(
                index_elements=["team_id", "month"],
                set_={
                    name: getattr(AnonymousTally, name) + pg_insert.excluded[name]
                    for name in counters
                },
            ).returning(AnonymousTally)
        elif dialect == "sqlite":
            lite_insert = sqlite.insert(AnonymousTally).values(**values)
            statement = lite_insert.on_conflict_do_update(
                index_elements=["team_id", "month"],
                set_={
                    name: getattr(AnonymousTally, name) + lite_insert.excluded[name]
                    for name in counters
                },
            ).returning(AnonymousTally)
        else:
            raise NotImplementedError(f"tally upsert is not implemented for {dialect}")
        # populate_existing: a copy already in the session must show the row as written.
        result = await self._session.scalars(
            statement, execution_options={"populate_existing": True}
        )
        return result.one()

    async def delete_checkins(self, person_id: int) -> int:
        result = await self._session.execute(delete(CheckIn).where(CheckIn.person_id == person_id))
        return _rowcount(result)

    async def delete_own_do_not_pair(self, person_id: int) -> int:
        result = await self._session.execute(
            delete(DoNotPair).where(DoNotPair.person_id == person_id)
        )
        return _rowcount(result)

    async def delete_do_not_pair_naming(self, team_id: str, slack_user_id: str) -> int:
        """Remove other people's entries that block this Slack id."""
        result = await self._session.execute(
            delete(DoNotPair).where(
                DoNotPair.team_id == team_id, DoNotPair.blocked_user_id == slack_user_id
            )
        )
        return _rowcount(result)

    async def blank_explanations(self, group_ids: Sequence[int]) -> int:
        if not group_ids:
            return 0
        result = await self._session.execute(
            update(MatchGroup).where(MatchGroup.id.in_(group_ids)).values(explanation="")
        )
        return _rowcount(result)

    async def detach_memberships(self, person_id: int) -> int:
        # ON DELETE SET NULL would do the same, but only where foreign keys are enforced
        # (SQLite needs a per-connection pragma); saying it here does not depend on that.
        result = await self._session.execute(
            update(MatchMember).where(MatchMember.person_id == person_id).values(person_id=None)
        )
        return _rowcount(result)

    async def detach_meeting_records(self, person_id: int) -> int:
        result = await self._session.execute(
            update(Meeting).where(Meeting.recorded_by == person_id).values(recorded_by=None)
        )
        return _rowcount(result)

    async def delete_person(self, person: Person) -> None:
        await self._session.delete(person)
        await self._session.flush()


def _rowcount(result: Result[Any]) -> int:
    # UPDATE and DELETE come back as a CursorResult, which the async signature does not say.
    return cast("CursorResult[Any]", result).rowcount
