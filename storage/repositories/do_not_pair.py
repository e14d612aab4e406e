"""Private do-not-pair lists."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import DoNotPair, Person


class DoNotPairRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def for_person(self, person_id: int) -> list[str]:
        result = await self._session.scalars(
            select(DoNotPair.blocked_user_id)
            .where(DoNotPair.person_id == person_id)
            .order_by(DoNotPair.blocked_user_id)
        )
        return list(result)

    async def replace(
        self, person: Person, blocked_user_ids: Iterable[str], *, now: datetime
    ) -> None:
        """Make the person's list exactly `blocked_user_ids` (the modal shows the whole list)."""
        wanted = set(blocked_user_ids) - {person.slack_user_id}
        await self._session.execute(
            delete(DoNotPair).where(
                DoNotPair.person_id == person.id, DoNotPair.blocked_user_id.not_in(wanted)
            )
        )
        existing = set(await self.for_person(person.id))
        self._session.add_all(
            DoNotPair(
                team_id=person.team_id,
                person_id=person.id,
                blocked_user_id=user_id,
                created_at=now,
            )
            for user_id in sorted(wanted - existing)
        )
        await self._session.flush()

    async def pairs_for_team(self, team_id: str) -> list[tuple[str, str]]:
        """(who, must_not_meet) for everyone in the workspace, for matching."""
        result = await self._session.execute(
            select(Person.slack_user_id, DoNotPair.blocked_user_id)
            .join(Person, Person.id == DoNotPair.person_id)
            .where(DoNotPair.team_id == team_id)
        )
        return [(who, blocked) for who, blocked in result.tuples()]
