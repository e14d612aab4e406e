"""A round end to end: people join through Slack, the clock moves, the tick (through its lock)
matches them, reads statuses from Slack and queues one intro per group and one note each for
the people it leaves out."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from slack_sdk.models.blocks import Block
from sqlalchemy import select

from bot.domain import MembershipRole
from bot.fakes import FakeSlack
from bot.process.clock import SimulatedClock
from bot.process.config import Settings
from bot.process.runtime import Server
from bot.rounds.timing import match_time
from scheduling.context import context_for
from scheduling.tick import tick_job
from storage.models import MatchGroup, Membership, OutboxMessage, Person, ProgrammeRow, Round
from tests.e2e.driver import Coach

WEDNESDAY = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
MONDAY = date(2026, 12, 7)
ROUNDS = "bot.rounds.steps:run_rounds"


@pytest.fixture
def clock() -> SimulatedClock:
    return SimulatedClock(WEDNESDAY)


@pytest.fixture
async def server(settings: Settings, clock: SimulatedClock) -> AsyncIterator[Server]:
    running = Server(settings, host="127.0.0.1", port=0, clock=clock)
    await running.start()
    try:
        yield running
    finally:
        await running.stop()


async def _ensure_memberships(coach: Coach, users: list[str]) -> int:
    """Joining may or may not create the membership yet: make sure each person is a member of
    the workspace's default programme (creating it if there is none)."""
    async with coach.sessions() as session:
        people = list(await session.scalars(select(Person).where(Person.slack_user_id.in_(users))))
        team = people[0].team_id
        programme = await session.scalar(
            select(ProgrammeRow).where(ProgrammeRow.team_id == team, ProgrammeRow.is_default)
        )
        if programme is None:
            programme = ProgrammeRow(
                team_id=team,
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
        for person in people:
            found = await session.scalar(
                select(Membership).where(
                    Membership.programme_id == programme.id, Membership.person_id == person.id
                )
            )
            if found is None:
                session.add(
                    Membership(
                        team_id=team,
                        programme_id=programme.id,
                        person_id=person.id,
                        role=MembershipRole.PARTICIPANT,
                    )
                )
        await session.commit()
        return programme.id


async def test_people_who_joined_get_one_intro_and_the_away_one_a_note(
    coach: Coach, fake_slack: FakeSlack, clock: SimulatedClock, server: Server
) -> None:
    fake_slack.add_user("U0CAROL", name="carol", tz="Europe/Berlin")
    fake_slack.add_user("U0DAN", name="dan", tz="Europe/Paris")
    users = ["U0ALICE", "U0BOB", "U0CAROL", "U0DAN"]
    for user in users:
        await coach.enrol(user)
    programme_id = await _ensure_memberships(coach, users)
    fake_slack.set_status("U0DAN", "On holiday", ":palm_tree:", 0)

    first = await tick_job(server.job_context_id)
    assert first is not None
    async with coach.sessions() as session:
        programme = await session.get(ProgrammeRow, programme_id)
        assert programme is not None
        assert programme.next_round_at == match_time(MONDAY)

    clock.set(match_time(MONDAY) + timedelta(seconds=30))
    done = await tick_job(server.job_context_id)
    assert done is not None
    assert done[ROUNDS] == 1
    again = await tick_job(server.job_context_id)
    assert again is not None
    assert again[ROUNDS] == 0

    assert fake_slack.calls_to("users.list")
    async with coach.sessions() as session:
        rounds = list(await session.scalars(select(Round)))
        groups = list(await session.scalars(select(MatchGroup)))
        outbox = list(await session.scalars(select(OutboxMessage).order_by(OutboxMessage.key)))
    assert [r.scheduled_for for r in rounds] == [MONDAY]
    assert len(groups) == 1
    [intro] = [m for m in outbox if m.kind == "intro"]
    assert sorted(intro.open_users) == ["U0ALICE", "U0BOB", "U0CAROL"]
    # 09:00 in New York (the westernmost) is daytime in London and Berlin too.
    assert intro.due_at == datetime(2026, 12, 7, 14, tzinfo=UTC)
    blocks: list[dict[str, Any]] = intro.blocks or []
    for block in blocks:
        parsed = Block.parse(block)
        assert parsed is not None
        parsed.validate_json()
    text = str(blocks)
    for user in ("U0ALICE", "U0BOB", "U0CAROL"):
        assert f"<@{user}>" in text
    [note] = [m for m in outbox if m.kind == "dm"]
    assert note.open_users == ["U0DAN"]
    assert "away" in note.text
    # The context the server registered carries its Slack client for the tick.
    assert context_for(server.job_context_id).slack is not None


async def test_the_scheduler_fires_the_tick_by_itself(
    settings: Settings, fake_slack: FakeSlack, coach: Coach
) -> None:
    """The tick job runs on the server's own scheduler (here every 0.2 s of wall clock)."""
    await coach.enrol("U0ALICE")
    programme_id = await _ensure_memberships(coach, ["U0ALICE"])
    fast = Server(
        settings, host="127.0.0.1", port=0, clock=SimulatedClock(WEDNESDAY), tick_seconds=0.2
    )
    await fast.start()
    try:
        async with asyncio.timeout(10):
            while True:
                async with coach.sessions() as session:
                    programme = await session.get(ProgrammeRow, programme_id)
                    assert programme is not None
                    if programme.next_round_at is not None:
                        break
                await asyncio.sleep(0.05)
    finally:
        await fast.stop()
    assert programme.next_round_at == match_time(MONDAY)
