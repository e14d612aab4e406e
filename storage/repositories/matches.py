"""Rounds, groups and their members: who met whom, as matching and App Home need it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.domain import MemberRole
from storage.models import MatchGroup, MatchMember, Person, Round


@dataclass(frozen=True, slots=True)
class MembershipRow:
    group_id: int
    mode: str
    round_date: date
    role: MemberRole
    explanation: str
    created_at: datetime
    partner_ids: tuple[str, ...]


class MatchRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def current_for_person(self, person_id: int) -> list[MembershipRow]:
        """Groups this person is in that have not ended, with the other members' Slack ids."""
        mine = await self._session.execute(
            select(MatchGroup, MatchMember.role, Round.mode, Round.scheduled_for)
            .join(MatchMember, MatchMember.group_id == MatchGroup.id)
            .join(Round, Round.id == MatchGroup.round_id)
            .where(MatchMember.person_id == person_id, MatchGroup.ended_at.is_(None))
            .order_by(MatchGroup.created_at, MatchGroup.id)
        )
        rows = list(mine.tuples())
        if not rows:
            return []
        other = aliased(MatchMember)
        partners = await self._session.execute(
            select(other.group_id, Person.slack_user_id)
            .join(Person, Person.id == other.person_id)
            .where(
                other.group_id.in_([group.id for group, *_ in rows]),
                other.person_id != person_id,
            )
            .order_by(Person.slack_user_id)
        )
        by_group: dict[int, list[str]] = {}
        for group_id, user_id in partners.tuples():
            by_group.setdefault(group_id, []).append(user_id)
        return [
            MembershipRow(
                group_id=group.id,
                mode=mode,
                round_date=scheduled_for,
                role=role,
                explanation=group.explanation,
                created_at=group.created_at,
                partner_ids=tuple(by_group.get(group.id, [])),
            )
            for group, role, mode, scheduled_for in rows
        ]

    async def past_partner_pairs(self, team_id: str) -> set[frozenset[str]]:
        """Every pair of Slack ids that has ever shared a group in this workspace."""
        a, b = aliased(MatchMember), aliased(MatchMember)
        pa, pb = aliased(Person), aliased(Person)
        result = await self._session.execute(
            select(pa.slack_user_id, pb.slack_user_id)
            .select_from(a)
            .join(b, (b.group_id == a.group_id) & (b.person_id > a.person_id))
            .join(pa, pa.id == a.person_id)
            .join(pb, pb.id == b.person_id)
            .join(MatchGroup, MatchGroup.id == a.group_id)
            .where(MatchGroup.team_id == team_id)
        )
        return {frozenset(pair) for pair in result.tuples()}

    async def last_round_date(self, team_id: str) -> date | None:
        result = await self._session.scalars(
            select(Round.scheduled_for)
            .where(Round.team_id == team_id)
            .order_by(Round.scheduled_for.desc())
            .limit(1)
        )
        return result.first()
