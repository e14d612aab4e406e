"""Rounds, groups and members written straight to the database, as the round runner leaves
them, so a group's life after its intro can be tested on its own."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.domain import (
    Cadence,
    EnrolmentState,
    GroupState,
    MemberRole,
    MembershipRole,
    ProgrammeMode,
)
from storage.models import (
    MatchGroup,
    MatchMember,
    Membership,
    OutboxMessage,
    Person,
    ProgrammeRow,
    Round,
    Workspace,
)

TEAM = "T0PEERCO"
T = TypeVar("T")


@dataclass
class World:
    sessions: async_sessionmaker[AsyncSession]
    team_id: str = TEAM
    programme_id: int = 0

    async def setup(self, mode: ProgrammeMode = ProgrammeMode.PAIRS) -> World:
        async with self.sessions() as session:
            known = await session.scalar(
                select(Workspace.id).where(Workspace.team_id == self.team_id)
            )
            if known is None:
                session.add(Workspace(team_id=self.team_id, name="Acme"))
                await session.flush()
            programme = ProgrammeRow(
                team_id=self.team_id,
                name=f"Programme {mode.value}",
                mode=mode,
                cadence=Cadence.WEEKLY,
                weekday=0,
                intro_hour=9,
                group_size=2,
            )
            session.add(programme)
            await session.commit()
            self.programme_id = programme.id
        return self

    async def person(
        self,
        user_id: str,
        tz: str = "Europe/London",
        *,
        role: MembershipRole = MembershipRole.PARTICIPANT,
        goals: Sequence[str] = ("Give clearer feedback",),
        function: str | None = "engineering",
        level: int | None = 3,
    ) -> Person:
        async with self.sessions() as session:
            person = Person(
                team_id=self.team_id,
                slack_user_id=user_id,
                display_name=user_id.lower(),
                time_zone=tz,
                function=function,
                level=level,
                goals=list(goals),
                enrolment_state=EnrolmentState.ENROLLED,
            )
            session.add(person)
            await session.flush()
            session.add(
                Membership(
                    team_id=self.team_id,
                    programme_id=self.programme_id,
                    person_id=person.id,
                    role=role,
                )
            )
            await session.commit()
            return person

    async def round(self, start: datetime, *, length: timedelta = timedelta(days=7)) -> Round:
        async with self.sessions() as session:
            round_ = Round(
                team_id=self.team_id,
                programme_id=self.programme_id,
                mode="pairs",
                seed=1,
                scheduled_for=start.date(),
                ends_on=(start + length).date(),
                midpoint_at=start + length / 2,
                ends_at=start + length,
            )
            session.add(round_)
            await session.commit()
            return round_

    async def group(
        self,
        round_: Round,
        members: Sequence[tuple[Person, MemberRole]],
        *,
        state: GroupState = GroupState.ACTIVE,
        channel_id: str | None = None,
        fallbacks: Sequence[str] = (),
    ) -> MatchGroup:
        async with self.sessions() as session:
            group = MatchGroup(
                team_id=self.team_id,
                round_id=round_.id,
                score=1.0,
                state=state,
                channel_id=channel_id,
                mentor_fallbacks=list(fallbacks),
            )
            session.add(group)
            await session.flush()
            for person, role in members:
                session.add(MatchMember(group_id=group.id, person_id=person.id, role=role))
            await session.commit()
            return group

    async def pair(self, round_: Round, a: Person, b: Person, **kwargs: object) -> MatchGroup:
        return await self.group(round_, [(a, MemberRole.PEER), (b, MemberRole.PEER)], **kwargs)  # type: ignore[arg-type]

    async def outbox(self, prefix: str = "") -> list[OutboxMessage]:
        async with self.sessions() as session:
            found = await session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.key.startswith(prefix))
                .order_by(OutboxMessage.id)
            )
            return list(found)

    async def reload(self, model: type[T], ident: int) -> T:
        async with self.sessions() as session:
            found = await session.get(model, ident)
            assert found is not None
            return found

    async def membership_of(self, person: Person) -> Membership:
        async with self.sessions() as session:
            found = await session.scalar(
                select(Membership).where(
                    Membership.person_id == person.id,
                    Membership.programme_id == self.programme_id,
                )
            )
            assert found is not None
            return found


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())
