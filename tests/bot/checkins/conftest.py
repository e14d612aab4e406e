"""A database with a simulated clock, people in four time zones, and a tick driver."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.checkins.steps import send_due
from bot.domain import OutboxStatus
from bot.process.clock import SimulatedClock
from scheduling.context import JobContext
from storage.models import CheckIn, OutboxMessage, ProgrammeRow
from storage.session import create_sessionmaker
from tests.bot.groups.factory import World

# Monday 19 October 2026: Europe's clocks change on the 25th, the US's on 1 November.
START = datetime(2026, 10, 19, 0, tzinfo=UTC)
ZONES = ("America/Los_Angeles", "Europe/London", "Asia/Kolkata", "Australia/Sydney")
LONGEST_STEP = timedelta(hours=6)


@pytest.fixture
def clock() -> SimulatedClock:
    return SimulatedClock(START)


@pytest.fixture
def job_context(migrated_engine: AsyncEngine, clock: SimulatedClock) -> JobContext:
    return JobContext(sessions=create_sessionmaker(migrated_engine, clock=clock), clock=clock)


@pytest.fixture
async def world(job_context: JobContext) -> World:
    return await World(job_context.sessions).setup()


async def set_checkin_day(world: World, weekday: int, programme_id: int | None = None) -> None:
    async with world.sessions() as session:
        await session.execute(
            update(ProgrammeRow)
            .where(ProgrammeRow.id == (programme_id or world.programme_id))
            .values(checkin_weekday=weekday)
        )
        await session.commit()


async def next_event(context: JobContext) -> datetime:
    """The next moment anything of the check-ins is due, so the clock jumps between them."""
    now = context.clock()
    async with context.sessions() as session:
        candidates = [
            await session.scalar(select(func.min(CheckIn.due_at)).where(CheckIn.sent_at.is_(None))),
            await session.scalar(
                select(func.min(CheckIn.remind_at)).where(CheckIn.reminded_at.is_(None))
            ),
            await session.scalar(
                select(func.min(OutboxMessage.due_at)).where(
                    OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.due_at > now
                )
            ),
        ]
    due = min([c for c in candidates if c is not None and c > now] + [now + LONGEST_STEP])
    return due


async def run_until(context: JobContext, clock: SimulatedClock, end: datetime) -> None:
    """Tick at `now` and at every moment something is due, up to `end`."""
    while clock() < end:
        await send_due(context, clock())
        clock.set(min(await next_event(context), end))
    await send_due(context, clock())
