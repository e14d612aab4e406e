"""Two running copies on one PostgreSQL database: only the tick lock's holder runs ticks, and
when it dies the other takes over at its next tick; the round is stored once either way."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select, text

from bot.domain import MembershipRole
from bot.fakes import FakeSlack
from bot.process.clock import SimulatedClock
from bot.process.config import Settings
from bot.process.runtime import Server
from bot.rounds.timing import match_time
from scheduling.tick import tick_job
from storage.models import Membership, OutboxMessage, Person, ProgrammeRow, Round, Workspace
from storage.session import create_engine, create_sessionmaker
from tests.fixtures.app import running_server

pytestmark = pytest.mark.parametrize("database_kind", ["postgresql"], indirect=True)

WEDNESDAY = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
MONDAY = date(2026, 12, 7)
ROUNDS = "bot.rounds.steps:run_rounds"


@pytest.fixture
def clock() -> SimulatedClock:
    return SimulatedClock(WEDNESDAY)


@pytest.fixture
async def two_servers(
    settings: Settings, clock: SimulatedClock
) -> AsyncIterator[tuple[Server, Server]]:
    first = Server(settings, host="127.0.0.1", port=0, clock=clock)
    second = Server(settings, host="127.0.0.1", port=0, clock=clock)
    await first.start()
    try:
        await second.start()
        try:
            yield first, second
        finally:
            await second.stop()
    finally:
        await first.stop()


async def _seed(database_url: str, fake: FakeSlack) -> None:
    engine = create_engine(database_url)
    try:
        async with create_sessionmaker(engine)() as session:
            session.add(Workspace(team_id=fake.team_id, name="Acme"))
            await session.flush()
            programme = ProgrammeRow(
                team_id=fake.team_id,
                name="Peer pairs",
                mode="pairs",
                cadence="weekly",
                weekday=0,
                intro_hour=9,
                group_size=2,
                is_default=True,
            )
            session.add(programme)
            await session.flush()
            for user in ("U0ALICE", "U0BOB"):
                person = Person(
                    team_id=fake.team_id,
                    slack_user_id=user,
                    display_name=user.lower(),
                    time_zone="Europe/London",
                    function="engineering",
                    level=3,
                    enrolment_state="enrolled",
                    profile_completed_at=WEDNESDAY,
                )
                session.add(person)
                await session.flush()
                session.add(
                    Membership(
                        team_id=fake.team_id,
                        programme_id=programme.id,
                        person_id=person.id,
                        role=MembershipRole.PARTICIPANT,
                    )
                )
            await session.commit()
    finally:
        await engine.dispose()


async def _kill_lock_holder(database_url: str) -> int:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            killed = await connection.scalar(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_locks "
                    "WHERE locktype = 'advisory' AND granted AND database = "
                    "(SELECT oid FROM pg_database WHERE datname = current_database())"
                )
            )
            await connection.commit()
            return int(killed or 0)
    finally:
        await engine.dispose()


async def test_only_the_holder_ticks_and_the_other_takes_over(
    two_servers: tuple[Server, Server],
    database_url: str,
    fake_slack: FakeSlack,
    clock: SimulatedClock,
) -> None:
    first, second = two_servers
    await _seed(database_url, fake_slack)
    assert await tick_job(first.job_context_id) is not None  # takes the lock
    assert await tick_job(second.job_context_id) is None  # does not tick

    # The holder dies (its lock connection is cut); the other copy's next tick runs the round.
    assert await _kill_lock_holder(database_url) == 1
    clock.set(match_time(MONDAY) + timedelta(seconds=5))
    done = await tick_job(second.job_context_id)
    assert done is not None
    assert done[ROUNDS] == 1
    assert await tick_job(first.job_context_id) is None  # lost the lock, stays out

    engine = create_engine(database_url)
    try:
        async with create_sessionmaker(engine)() as session:
            assert await session.scalar(select(func.count()).select_from(Round)) == 1
            intros = await session.scalar(
                select(func.count()).select_from(OutboxMessage).where(OutboxMessage.kind == "intro")
            )
            assert intros == 1
    finally:
        await engine.dispose()


async def test_a_stopping_copy_hands_the_lock_on(
    settings: Settings, clock: SimulatedClock, database_url: str, fake_slack: FakeSlack
) -> None:
    await _seed(database_url, fake_slack)
    async with running_server(settings) as other:
        first = Server(settings, host="127.0.0.1", port=0, clock=clock)
        await first.start()
        try:
            assert await tick_job(first.job_context_id) is not None
            assert await tick_job(other.job_context_id) is None
        finally:
            await first.stop()  # releases the lock
        assert await tick_job(other.job_context_id) is not None
