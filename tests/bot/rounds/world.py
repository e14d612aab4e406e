"""Build a workspace with programmes and members straight in the database, for round tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.domain import (
    Cadence,
    EnrolmentState,
    MembershipRole,
    MembershipState,
    ProgrammeKind,
    ProgrammeMode,
)
from bot.fakes import FakeSlack
from bot.process.clock import SimulatedClock
from scheduling.context import JobContext, register_context, unregister_context
from storage.models import Membership, OutboxMessage, Person, ProgrammeRow, Workspace
from storage.session import create_engine, create_sessionmaker

TEAM = "T0PEERCO"


@dataclass
class World:
    sessions: async_sessionmaker[AsyncSession]
    clock: SimulatedClock
    context_id: str
    fake: FakeSlack

    async def add(self, *rows: Any) -> None:
        async with self.sessions() as session:
            session.add_all(rows)
            await session.commit()

    async def programme(self, **values: Any) -> ProgrammeRow:
        fields: dict[str, Any] = {
            "team_id": TEAM,
            "name": "Peer pairs",
            "mode": ProgrammeMode.PAIRS,
            "kind": ProgrammeKind.EVERGREEN,
            "cadence": Cadence.WEEKLY,
            "weekday": 0,
            "intro_hour": 9,
            "group_size": 2,
            "is_default": True,
        }
        fields.update(values)
        row = ProgrammeRow(**fields)
        await self.add(row)
        return row

    async def person(
        self,
        user: str,
        tz: str = "Europe/London",
        *,
        level: int = 3,
        function: str = "Engineering",
        state: EnrolmentState = EnrolmentState.ENROLLED,
        paused_until: date | None = None,
        flash_week: date | None = None,
        work: tuple[int, int] = (9, 17),
        mentor_capacity: int = 0,
        add_to_slack: bool = True,
        **values: Any,
    ) -> Person:
        row = Person(
            team_id=TEAM,
            slack_user_id=user,
            display_name=user.lower(),
            time_zone=tz,
            function=function,
            level=level,
            work_start=time(work[0]),
            work_end=time(work[1]),
            enrolment_state=state,
            paused_until=paused_until,
            flash_week=flash_week,
            mentor_capacity=mentor_capacity,
            profile_completed_at=self.clock(),
            enrolled_at=self.clock(),
            **values,
        )
        await self.add(row)
        if add_to_slack and user not in self.fake.users:
            self.fake.add_user(user, name=user.lower(), tz=tz)
        return row

    async def member(
        self,
        programme: ProgrammeRow,
        person: Person,
        role: MembershipRole = MembershipRole.PARTICIPANT,
        **values: Any,
    ) -> Membership:
        row = Membership(
            team_id=TEAM,
            programme_id=programme.id,
            person_id=person.id,
            role=role,
            state=values.pop("state", MembershipState.ACTIVE),
            **values,
        )
        await self.add(row)
        return row

    async def outbox(self, kind: str | None = None) -> list[OutboxMessage]:
        async with self.sessions() as session:
            query = select(OutboxMessage).order_by(OutboxMessage.key)
            if kind is not None:
                query = query.where(OutboxMessage.kind == kind)
            return list(await session.scalars(query))

    async def count(self, model: Any) -> int:
        async with self.sessions() as session:
            return int(await session.scalar(select(func.count()).select_from(model)) or 0)

    async def get(self, model: Any, ident: int) -> Any:
        async with self.sessions() as session:
            return await session.get(model, ident)


@asynccontextmanager
async def world(
    database_url: str, fake: FakeSlack, start: datetime, *, name: str = "world"
) -> AsyncIterator[World]:
    """A session maker on the test database, a simulated clock, and a registered job context
    whose Slack client talks to the fake."""
    engine = create_engine(database_url)
    clock = SimulatedClock(start)
    sessions = create_sessionmaker(engine, clock=clock)
    async with sessions() as session:
        if await session.scalar(select(Workspace).where(Workspace.team_id == TEAM)) is None:
            session.add(Workspace(team_id=TEAM, name="Acme"))
            await session.commit()
    client = AsyncWebClient(token=fake.bot_token, base_url=fake.api_url)
    context_id = f"test-{name}-{id(clock)}"
    register_context(context_id, JobContext(sessions=sessions, clock=clock, slack=client))
    try:
        yield World(sessions, clock, context_id, fake)
    finally:
        unregister_context(context_id)
        await engine.dispose()
