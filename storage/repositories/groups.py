"""Groups after they are formed: due rounds, their groups and members, meetings, memberships.

The `claim_*` methods are conditional updates: the first caller to move a round or group on
gets True and does the work in the same transaction; anyone after it (a second tick, a replay)
gets False and does nothing. Called first in a transaction, they also take SQLite's write
lock before any read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import GroupState, MemberRole, MembershipState, OutboxStatus
from storage.models import (
    MatchGroup,
    MatchMember,
    Meeting,
    Membership,
    OutboxMessage,
    Person,
    Round,
)

# How many rounds or groups one tick takes on per kind of work; the rest wait a minute.
BATCH = 200


@dataclass(frozen=True, slots=True)
class Member:
    """A group member with the person behind them (None once that person was forgotten)."""

    row: MatchMember
    person: Person | None


def _changed(result: object) -> bool:
    assert isinstance(result, CursorResult)
    return bool(result.rowcount == 1)


class GroupRepository:
    """Flushes, never commits: the caller owns the transaction."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    # ------------------------------------------------------------------ rounds

    async def rounds_due_midpoint(self, now: datetime) -> list[int]:
        found = await self._session.scalars(
            select(Round.id)
            .where(Round.midpoint_at <= now, Round.midpoint_done_at.is_(None))
            .order_by(Round.midpoint_at, Round.id)
            .limit(BATCH)
        )
        return list(found)

    async def rounds_due_end(self, now: datetime) -> list[int]:
        found = await self._session.scalars(
            select(Round.id)
            .where(Round.ends_at <= now, Round.end_done_at.is_(None))
            .order_by(Round.ends_at, Round.id)
            .limit(BATCH)
        )
        return list(found)

    async def claim_midpoint(self, round_id: int, now: datetime) -> Round | None:
        result = await self._session.execute(
            update(Round)
            .where(Round.id == round_id, Round.midpoint_done_at.is_(None))
            .values(midpoint_done_at=now)
        )
        return await self._session.get(Round, round_id) if _changed(result) else None

    async def claim_end(self, round_id: int, now: datetime) -> Round | None:
        result = await self._session.execute(
            update(Round)
            .where(Round.id == round_id, Round.end_done_at.is_(None))
            .values(end_done_at=now)
        )
        return await self._session.get(Round, round_id) if _changed(result) else None

    async def round(self, round_id: int) -> Round | None:
        return await self._session.get(Round, round_id)

    # ------------------------------------------------------------------ groups

    async def group(self, group_id: int, *, lock: bool = False) -> MatchGroup | None:
        """The group; with `lock`, its row is held until the transaction ends (PostgreSQL;
        SQLite has one writer at a time anyway), so two members answering at once queue."""
        return await self._session.get(MatchGroup, group_id, with_for_update=lock or None)

    async def groups_of_round(self, round_id: int, state: GroupState) -> list[MatchGroup]:
        found = await self._session.scalars(
            select(MatchGroup)
            .where(MatchGroup.round_id == round_id, MatchGroup.state == state)
            .order_by(MatchGroup.id)
        )
        return list(found)

    async def groups_after(
        self, round_id: int, state: GroupState, after_id: int, *, limit: int
    ) -> list[MatchGroup]:
        """The next `limit` groups of a round in `state`, by id, after `after_id`."""
        found = await self._session.scalars(
            select(MatchGroup)
            .where(
                MatchGroup.round_id == round_id,
                MatchGroup.state == state,
                MatchGroup.id > after_id,
            )
            .order_by(MatchGroup.id)
            .limit(limit)
        )
        return list(found)

    async def end_group(self, group_id: int, now: datetime) -> bool:
        """End an active group; False when it was no longer active."""
        result = await self._session.execute(
            update(MatchGroup)
            .where(MatchGroup.id == group_id, MatchGroup.state == GroupState.ACTIVE)
            .values(state=GroupState.ENDED, ended_at=now)
        )
        return _changed(result)

    async def members(self, group_ids: Sequence[int]) -> dict[int, list[Member]]:
        """Each group's members, in a stable order, with their people."""
        if not group_ids:
            return {}
        rows = await self._session.execute(
            select(MatchMember, Person)
            .outerjoin(Person, Person.id == MatchMember.person_id)
            .where(MatchMember.group_id.in_(group_ids))
            .order_by(MatchMember.group_id, MatchMember.id)
        )
        found: dict[int, list[Member]] = {group_id: [] for group_id in group_ids}
        for member, person in rows.tuples():
            found[member.group_id].append(Member(member, person))
        return found

    async def proposed_unasked(self) -> list[int]:
        found = await self._session.scalars(
            select(MatchGroup.id)
            .where(MatchGroup.state == GroupState.PROPOSED, MatchGroup.mentor_asked_at.is_(None))
            .order_by(MatchGroup.id)
            .limit(BATCH)
        )
        return list(found)

    async def proposed_unanswered_since(self, cutoff: datetime) -> list[int]:
        found = await self._session.scalars(
            select(MatchGroup.id)
            .where(MatchGroup.state == GroupState.PROPOSED, MatchGroup.mentor_asked_at <= cutoff)
            .order_by(MatchGroup.mentor_asked_at, MatchGroup.id)
            .limit(BATCH)
        )
        return list(found)

    async def claim_ask(self, group_id: int, asked_at: datetime) -> MatchGroup | None:
        """Mark a proposed group's current mentor as asked, unless someone did already."""
        result = await self._session.execute(
            update(MatchGroup)
            .where(
                MatchGroup.id == group_id,
                MatchGroup.state == GroupState.PROPOSED,
                MatchGroup.mentor_asked_at.is_(None),
            )
            .values(mentor_asked_at=asked_at)
        )
        return await self.group(group_id) if _changed(result) else None

    async def claim_timeout(self, group_id: int, cutoff: datetime) -> MatchGroup | None:
        """Take a proposed group whose mentor was asked at or before `cutoff` and did not
        answer; its mentor_asked_at is cleared for the next mentor."""
        result = await self._session.execute(
            update(MatchGroup)
            .where(
                MatchGroup.id == group_id,
                MatchGroup.state == GroupState.PROPOSED,
                MatchGroup.mentor_asked_at <= cutoff,
            )
            .values(mentor_asked_at=None)
        )
        return await self.group(group_id) if _changed(result) else None

    async def claim_proposed(self, group_id: int) -> MatchGroup | None:
        """Take a proposed group for the mentor's answer (a no-op update that locks the row)."""
        result = await self._session.execute(
            update(MatchGroup)
            .where(MatchGroup.id == group_id, MatchGroup.state == GroupState.PROPOSED)
            .values(state=GroupState.PROPOSED)
        )
        return await self.group(group_id) if _changed(result) else None

    # ------------------------------------------------------------------ meetings

    async def meeting(self, group_id: int, due_on: date) -> Meeting | None:
        found: Meeting | None = await self._session.scalar(
            select(Meeting).where(Meeting.group_id == group_id, Meeting.due_on == due_on)
        )
        return found

    async def answered_groups(self, group_ids: Sequence[int]) -> set[int]:
        """Groups someone answered for: a meeting row exists, whatever its status."""
        if not group_ids:
            return set()
        found = await self._session.scalars(
            select(Meeting.group_id).where(
                Meeting.group_id.in_(group_ids), Meeting.recorded_at.is_not(None)
            )
        )
        return set(found)

    # ------------------------------------------------------------------ people

    async def person(self, team_id: str, slack_user_id: str) -> Person | None:
        found: Person | None = await self._session.scalar(
            select(Person).where(Person.team_id == team_id, Person.slack_user_id == slack_user_id)
        )
        return found

    async def person_by_id(self, person_id: int) -> Person | None:
        return await self._session.get(Person, person_id)

    async def memberships(self, programme_id: int, person_ids: Sequence[int]) -> list[Membership]:
        if not person_ids:
            return []
        found = await self._session.scalars(
            select(Membership)
            .where(Membership.programme_id == programme_id, Membership.person_id.in_(person_ids))
            .order_by(Membership.id)
        )
        return list(found)

    async def membership(self, membership_id: int) -> Membership | None:
        return await self._session.get(Membership, membership_id)

    async def active_membership_count(self, person_id: int) -> int:
        count = await self._session.scalar(
            select(func.count())
            .select_from(Membership)
            .where(Membership.person_id == person_id, Membership.state == MembershipState.ACTIVE)
        )
        return int(count or 0)

    async def is_member(self, group_id: int, person_id: int) -> MemberRole | None:
        found: MemberRole | None = await self._session.scalar(
            select(MatchMember.role).where(
                MatchMember.group_id == group_id, MatchMember.person_id == person_id
            )
        )
        return found

    # ------------------------------------------------------------------ outbox

    async def cancel_pending(self, keys: Sequence[str]) -> int:
        """Cancel queued messages that are no longer wanted; ones already sent stay sent."""
        if not keys:
            return 0
        result = await self._session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.key.in_(keys), OutboxMessage.status == OutboxStatus.PENDING)
            .values(status=OutboxStatus.CANCELLED)
        )
        assert isinstance(result, CursorResult)
        return int(result.rowcount or 0)
