"""Real processes killed mid-round: every message of the round arrives exactly once.

A round of 20 pairs is run by peercoach in processes of their own (``tests/e2e/app_process.py``)
against the fake Slack in this process, whose posts are slowed so the intros take seconds to
go out. The process running the round is killed with SIGKILL while it is sending them. On
SQLite a fresh process is then started, as after a crash and a restart; on PostgreSQL a second
copy has been running all along on the same database and takes the ticks over. Either way
every group gets one intro, and then, when the test brings the round's mid-point and end
forward in the database, one reminder and one "did you meet?", and nothing twice.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.domain import Cadence, MembershipRole, OutboxStatus, ProgrammeMode
from bot.fakes import FakeSlack
from bot.process.clock import ScaledClock
from storage.models import (
    MatchGroup,
    Membership,
    OutboxMessage,
    Person,
    ProgrammeRow,
    Round,
    Workspace,
)
from storage.session import create_engine, create_sessionmaker
from tests.fixtures.app import SIGNING_SECRET

pytestmark = pytest.mark.timeout(180)

REPOSITORY_ROOT = Path(__file__).resolve().parents[2]
# A Monday just before 09:00 in London: the round's intros fall due seconds after start.
START = datetime(2026, 12, 7, 8, 59, 57, tzinfo=UTC)
PEOPLE = 40
FUNCTIONS = ["Engineering", "Design", "Sales", "Finance", "People"]


async def _seed(sessions: async_sessionmaker[AsyncSession], fake: FakeSlack) -> None:
    async with sessions() as session:
        session.add(Workspace(team_id=fake.team_id, name=fake.team_name))
        await session.flush()
        programme = ProgrammeRow(
            team_id=fake.team_id,
            name="Peer pairs",
            mode=ProgrammeMode.PAIRS,
            cadence=Cadence.WEEKLY,
            weekday=0,
            intro_hour=9,
            group_size=2,
            is_default=True,
            # Due now: the first tick of whichever process holds the tick lock runs the round.
            next_round_at=START - timedelta(seconds=1),
        )
        session.add(programme)
        await session.flush()
        for n in range(PEOPLE):
            user = f"UCRASH{n:02d}"
            fake.add_user(user, name=f"crash{n:02d}", tz="Europe/London")
            person = Person(
                team_id=fake.team_id,
                slack_user_id=user,
                display_name=f"crash{n:02d}",
                time_zone="Europe/London",
                function=FUNCTIONS[n % len(FUNCTIONS)],
                level=3,
                work_start=clock_time(9),
                work_end=clock_time(17),
                goal_tags=["giving-feedback"],
                enrolment_state="enrolled",
                profile_completed_at=START - timedelta(days=7),
                enrolled_at=START - timedelta(days=7),
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


class AppProcess:
    """One `peercoach` server process with the clock starting at START."""

    def __init__(self, name: str, env: dict[str, str], log: Path, clock: ScaledClock) -> None:
        self.name = name
        self.env = env
        self.log = log
        self.clock = clock
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        # A restarted copy's clock goes on from where time is now, as a real clock would.
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.e2e.app_process",
            "--start",
            self.clock().isoformat(),
            cwd=REPOSITORY_ROOT,
            env=self.env,
            stdout=asyncio.subprocess.PIPE,
            stderr=self.log.open("ab"),
        )
        assert self.process.stdout is not None
        line = await asyncio.wait_for(self.process.stdout.readline(), timeout=60)
        assert line.startswith(b"ready"), (line, self.log.read_text())

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)

    async def stop(self) -> None:
        if self.process is None or self.process.returncode is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(self.process.wait(), timeout=30)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()


@asynccontextmanager
async def processes(
    fake: FakeSlack, database_url: str, tmp_path: Path, clock: ScaledClock
) -> AsyncIterator[Callable[[str], AppProcess]]:
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": fake.bot_token,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake.api_url,
        "DATABASE_URL": database_url,
        "PEERCOACH_LOG_LEVEL": "INFO",
    }
    started: list[AppProcess] = []

    def make(name: str) -> AppProcess:
        process = AppProcess(name, env, tmp_path / f"{name}.log", clock)
        started.append(process)
        return process

    try:
        yield make
    finally:
        for process in started:
            await process.stop()


def keys_in_slack(fake: FakeSlack) -> Counter[str]:
    """How many messages in Slack carry each outbox key (in their metadata)."""
    found: Counter[str] = Counter()
    for messages in fake.messages.values():
        for message in messages:
            key = (message.get("metadata") or {}).get("event_payload", {}).get("key")
            if key:
                found[str(key)] += 1
    return found


async def wait_until(check: Callable[[], bool], what: str, limit: float = 90.0) -> None:
    deadline = time.monotonic() + limit
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.1)


async def settled(sessions: async_sessionmaker[AsyncSession], prefix: str, count: int) -> None:
    """Wait until `count` outbox rows with keys starting `prefix` exist and are all sent."""
    deadline = time.monotonic() + 90
    while True:
        async with sessions() as session:
            statuses = Counter(
                (
                    await session.execute(
                        select(OutboxMessage.status).where(OutboxMessage.key.like(f"{prefix}%"))
                    )
                ).scalars()
            )
        if sum(statuses.values()) == count and set(statuses) == {OutboxStatus.SENT}:
            return
        assert OutboxStatus.FAILED not in statuses, statuses
        if time.monotonic() > deadline:
            raise AssertionError(f"{prefix}: {statuses}")
        await asyncio.sleep(0.2)


async def test_a_killed_process_sends_nothing_twice_and_skips_nothing(
    fake_slack: FakeSlack, database_url: str, database_kind: str, tmp_path: Path
) -> None:
    engine = create_engine(database_url)
    sessions = create_sessionmaker(engine)
    try:
        await _seed(sessions, fake_slack)
        # Each post takes half a second, so twenty intros take a while to go out and a post is
        # in flight long enough for a test slowed by a busy machine to see it.
        fake_slack.script("chat.postMessage", delay=0.5, times=10_000)
        # One time for everyone: Slack stamps messages with it, and each process's clock starts
        # from it, so the history check compares like with like.
        clock = ScaledClock(START, 1.0)
        fake_slack.clock = clock
        async with processes(fake_slack, database_url, tmp_path, clock) as process:
            first = process("first")
            await first.start()
            second = process("second")
            if database_kind == "postgresql":
                # Two copies on one database from the start: both dispatch, one ticks.
                await second.start()

            def intros() -> int:
                return sum(1 for key in keys_in_slack(fake_slack) if key.startswith("intro:"))

            def posting() -> bool:
                return any(
                    call.method == "chat.postMessage" and not call.answered
                    for call in fake_slack.calls
                )

            # The first intro is enough: waiting for more lets a slowed test miss the moment.
            await wait_until(lambda: intros() >= 1, "the first intro")
            # Killed while a post is in flight: Slack keeps that message, the process never
            # learns it was posted, and whoever takes its row over must find it, not post again.
            await wait_until(posting, "an intro being posted")
            first.kill()
            assert first.process is not None
            await first.process.wait()
            assert intros() < PEOPLE // 2, "the kill came too late to interrupt the intros"

            if database_kind == "sqlite":
                await second.start()  # the restart
            async with sessions() as session:
                groups = int(await session.scalar(select(func.count(MatchGroup.id))) or 0)
                rounds = int(await session.scalar(select(func.count(Round.id))) or 0)
            assert groups == PEOPLE // 2
            assert rounds == 1
            await settled(sessions, "intro:", groups)

            # The round's mid-point, then its end, brought forward: whoever holds the tick
            # lock now (the survivor on PostgreSQL) sends each group one reminder, then one
            # "did you meet?".
            async with sessions() as session:
                await session.execute(update(Round).values(midpoint_at=START))
                await session.commit()
            await settled(sessions, "nudge:", groups)
            async with sessions() as session:
                await session.execute(update(Round).values(ends_at=START))
                await session.commit()
            await settled(sessions, "nudge:", 2 * groups)
            await asyncio.sleep(1.0)  # room for a late duplicate to show up

        in_slack = keys_in_slack(fake_slack)
        duplicates = {key: n for key, n in in_slack.items() if n > 1}
        assert duplicates == {}
        kinds = Counter(key.split(":")[0] for key in in_slack)
        assert kinds["intro"] == groups
        assert kinds["nudge"] == 2 * groups
        # Each group's messages all went to its own group DM, never to anyone else.
        async with sessions() as session:
            channels = set((await session.execute(select(MatchGroup.channel_id))).scalars())
        assert None not in channels
        assert len(channels) == groups
    finally:
        await engine.dispose()
