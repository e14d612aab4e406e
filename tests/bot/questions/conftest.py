"""A database with a simulated clock and the groups factory, for the question services."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.process.clock import SimulatedClock
from scheduling.context import JobContext
from storage.session import create_sessionmaker
from tests.bot.groups.factory import World

START = datetime(2026, 12, 7, 9, tzinfo=UTC)


@pytest.fixture
def clock() -> SimulatedClock:
    return SimulatedClock(START)


@pytest.fixture
def job_context(migrated_engine: AsyncEngine, clock: SimulatedClock) -> JobContext:
    return JobContext(sessions=create_sessionmaker(migrated_engine, clock=clock), clock=clock)


@pytest.fixture
async def world(job_context: JobContext) -> World:
    return await World(job_context.sessions).setup()
