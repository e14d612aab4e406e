"""Fan-out benchmark: one round's intros for 10,000 people through the outbox, against the
fastest delivery Slack's limits allow.

    python -m benchmarks.fanout                       # 10,000 people, SQLite
    python -m benchmarks.fanout --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/test
    python -m benchmarks.fanout --participants 2000

Every pair gets one intro in a group DM: a `conversations.open` with its two people, then a
`chat.postMessage`, as a round does. The fake Slack enforces Slack's published limits: one
message a second per channel, and Tier 3 for `conversations.open`: 50 calls a minute after a
burst of 10, answering 429 with Retry-After beyond them.

Time is virtual. The dispatcher, its pacing and the fake's limits all read one simulated clock,
and every wait of the dispatcher is a wait on that clock. The clock stands still while anything
is being done (a database statement, an HTTP call) and jumps to the next wake-up only when every
task is waiting for time to pass. So the figure measures the dispatcher's decisions against the
limits, not the speed of the machine running the benchmark; the real seconds are printed too.

Each group DM takes exactly one open and one post, so the opens are the bottleneck: the fastest
any sender could deliver N intros is (N - burst) opens, one every 60/50 s, each post right after
its open. The report gives the time until the last intro was in Slack against that minimum
(target: at most 1.1 times), and counts duplicates (a key in Slack more than once) and lost
messages (a key never in Slack), both of which must be 0.

With --database-url pointing at PostgreSQL, a fresh database is created next to it (the URL's
role must be allowed to create databases) and dropped afterwards; by default SQLite in a
temporary file. The exit code is 0 even when a target is missed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import heapq
import itertools
import logging
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import asyncpg  # type: ignore[import-untyped]
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.domain import OutboxStatus
from bot.fakes import FakeSlack
from bot.outbox import METADATA_EVENT, Dispatcher, Limits, Message, enqueue
from bot.outbox.client import create_delivery_client
from bot.process.clock import SimulatedClock
from bot.process.config import load_settings
from storage.migrate import upgrade
from storage.models import OutboxMessage, Workspace
from storage.session import create_engine, create_sessionmaker

PARTICIPANTS = 10_000
TARGET_RATIO = 1.1
# What the fake enforces: Slack's published figures.
SLACK_POSTS_PER_CHANNEL_PER_S = 1.0
SLACK_TIER3_PER_MIN = 50.0
SLACK_TIER3_BURST = 10
TEAM = "T0FANOUT"
START = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
ENQUEUE_BATCH = 1_000
# How often the driver looks, in real seconds, when no task has gone to sleep meanwhile.
LOOK_SECONDS = 0.005
# A run that needs more virtual time than this many minimums is reported as it stands.
GIVE_UP_RATIO = 5.0


class VirtualTime:
    """A simulated clock whose `sleep` waits for the clock, and which `advance` moves to the
    earliest wake-up. See the module's docstring for when it may move."""

    def __init__(self, start: datetime) -> None:
        self.clock = SimulatedClock(start)
        self.start = start
        self._sleepers: list[tuple[datetime, int, asyncio.Future[None]]] = []
        self._order = itertools.count()
        self._slept = asyncio.Event()

    def seconds(self) -> float:
        return (self.clock() - self.start).total_seconds()

    async def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        deadline = self.clock() + timedelta(seconds=seconds)
        heapq.heappush(self._sleepers, (deadline, next(self._order), future))
        self._slept.set()
        await future

    def waiting(self) -> int:
        return sum(1 for _, _, future in self._sleepers if not future.done())

    def advance(self) -> bool:
        """Move to the earliest wake-up and wake everyone due then; False when nobody waits."""
        while self._sleepers and self._sleepers[0][2].done():
            heapq.heappop(self._sleepers)
        if not self._sleepers:
            return False
        self.clock.set(max(self._sleepers[0][0], self.clock()))
        while self._sleepers and self._sleepers[0][0] <= self.clock():
            _, _, future = heapq.heappop(self._sleepers)
            if not future.done():
                future.set_result(None)
        return True

    async def drive(self, dispatcher: Dispatcher, finished: Callable[[], bool]) -> None:
        """Move time on whenever the dispatcher's loop and all its rows wait for it: the loop
        idle between polls and not woken, every row it holds asleep until its turn. A row
        doing a database statement or an HTTP call is not asleep, so time stands still then."""
        while not finished():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._slept.wait(), LOOK_SECONDS)
            self._slept.clear()
            await asyncio.sleep(0)  # let whatever was woken run first
            if self.waiting() == dispatcher.sending + 1 and not dispatcher.woken:
                self.advance()


@dataclass(frozen=True)
class Result:
    database: str
    participants: int
    groups: int
    delivered: int
    duplicates: int
    lost: int
    failed_rows: int
    rate_limited: int
    seconds: float  # virtual, from the start of dispatching to the last intro in Slack
    minimum: float  # virtual
    real_seconds: float

    @property
    def ratio(self) -> float | None:
        return self.seconds / self.minimum if self.minimum > 0 else None


def minimum_seconds(groups: int) -> float:
    """The fastest the fake's limits allow: the opens beyond the burst, one per interval."""
    return max(groups - SLACK_TIER3_BURST, 0) * 60.0 / SLACK_TIER3_PER_MIN


def pair_users(participants: int) -> list[list[str]]:
    people = [f"U{n:07d}" for n in range(participants)]
    return [people[i : i + 2] for i in range(0, participants - 1, 2)]


async def run_fanout(
    database_url: str,
    *,
    participants: int = PARTICIPANTS,
    limits: Limits | None = None,
    label: str = "sqlite",
) -> Result:
    groups = pair_users(participants)
    time_ = VirtualTime(START)
    async with FakeSlack(team_id=TEAM) as fake:
        for pair in groups:
            for user in pair:
                fake.add_user(user, name=user.lower(), tz="UTC")
        fake.clock = time_.clock
        fake.enforce_limits(
            post_per_channel_per_s=SLACK_POSTS_PER_CHANNEL_PER_S,
            tier3_per_min=SLACK_TIER3_PER_MIN,
            tier3_burst=SLACK_TIER3_BURST,
            now=time_.seconds,
        )
        engine = create_engine(database_url)
        try:
            await upgrade(engine)
            sessions = create_sessionmaker(engine, clock=time_.clock)
            keys = await _queue_intros(sessions, groups, time_.clock)
            settings = load_settings(
                SLACK_BOT_TOKEN=fake.bot_token,
                SLACK_SIGNING_SECRET="fanout0signing0secret",
                SLACK_API_URL=fake.api_url,
                DATABASE_URL=database_url,
                _env_file=None,
            )
            give_up = START + timedelta(seconds=GIVE_UP_RATIO * max(minimum_seconds(len(keys)), 60))

            seen, posted = 0, 0

            def finished() -> bool:
                # Incremental: the fake's call list only grows.
                nonlocal seen, posted
                calls = fake.calls
                posted += sum(1 for c in calls[seen:] if c.method == "chat.postMessage" and c.ok)
                seen = len(calls)
                return posted >= len(keys) or time_.clock() > give_up

            async with aiohttp.ClientSession() as http:
                dispatcher = Dispatcher(
                    sessions,
                    create_delivery_client(settings, http),
                    clock=time_.clock,
                    limits=limits or Limits(),
                    sleep=time_.sleep,
                )
                began_real, began = time.monotonic(), time_.seconds()
                dispatcher.start()
                driver = asyncio.create_task(time_.drive(dispatcher, finished))
                try:
                    await driver
                finally:
                    # Let the last rows be recorded: stopping waits for them, time keeps moving.
                    stopping = asyncio.create_task(dispatcher.stop(grace=30))
                    while not stopping.done():
                        time_.advance()
                        await asyncio.sleep(0.01)
                    await stopping
                real_seconds = time.monotonic() - began_real
            async with sessions() as session:
                failed_rows = await session.scalar(
                    select(func.count())
                    .select_from(OutboxMessage)
                    .where(OutboxMessage.status == OutboxStatus.FAILED)
                )
        finally:
            await engine.dispose()

        copies = Counter(
            (m.get("metadata") or {}).get("event_payload", {}).get("key")
            for messages in fake.messages.values()
            for m in messages
            if (m.get("metadata") or {}).get("event_type") == METADATA_EVENT
        )
        posted_at = [
            c.clock_at for c in fake.calls_to("chat.postMessage") if c.ok and c.clock_at is not None
        ]
        last = max(posted_at, default=START)
        return Result(
            database=label,
            participants=participants,
            groups=len(keys),
            delivered=sum(1 for key in keys if copies[key] > 0),
            duplicates=sum(copies[key] - 1 for key in keys if copies[key] > 1),
            lost=sum(1 for key in keys if copies[key] == 0),
            failed_rows=int(failed_rows or 0),
            rate_limited=sum(1 for _, status, _ in fake.faults if status == 429),
            seconds=(last - START).total_seconds() - began,
            minimum=minimum_seconds(len(keys)),
            real_seconds=real_seconds,
        )


async def _queue_intros(
    sessions: async_sessionmaker[AsyncSession],
    groups: list[list[str]],
    clock: Callable[[], datetime],
) -> list[str]:
    run = uuid.uuid4().hex[:8]
    keys = [f"intro:{run}:{n}" for n in range(len(groups))]
    async with sessions() as session:
        session.add(Workspace(team_id=TEAM, name="Fan-out"))
        await session.commit()
    for start in range(0, len(groups), ENQUEUE_BATCH):
        async with sessions() as session:
            now = clock()
            batch = zip(keys[start : start + ENQUEUE_BATCH], groups[start:], strict=False)
            for key, pair in batch:
                await enqueue(
                    session,
                    Message(
                        team_id=TEAM,
                        key=key,
                        kind="intro",
                        text="Meet your peer coach for this round",
                        due_at=now,
                        open_users=pair,
                    ),
                    now=now,
                )
            await session.commit()
    return keys


# -- databases -------------------------------------------------------------------------------


@asynccontextmanager
async def fresh_database(url: str | None) -> AsyncIterator[tuple[str, str]]:
    """(label, URL) of an empty database: a temporary SQLite file, or a new PostgreSQL
    database beside `url`, dropped afterwards."""
    if not url or url.startswith("sqlite"):
        with tempfile.TemporaryDirectory(prefix="peercoach-fanout-") as folder:
            yield "sqlite", f"sqlite+aiosqlite:///{Path(folder) / 'peercoach.db'}"
        return
    admin_url = make_url(url)
    name = f"peercoach_fanout_{uuid.uuid4().hex[:12]}"
    dsn = admin_url.set(drivername="postgresql").render_as_string(hide_password=False)
    admin = await asyncpg.connect(dsn, timeout=5)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield "postgresql", admin_url.set(database=name).render_as_string(hide_password=False)
        finally:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


# -- report ----------------------------------------------------------------------------------


def print_result(result: Result) -> list[tuple[str, bool]]:
    print(
        f"\nFan-out: {result.participants:,} participants, {result.groups:,} group DMs; the fake "
        f"enforces {SLACK_TIER3_PER_MIN:.0f} conversations.open a minute (burst "
        f"{SLACK_TIER3_BURST}) and {SLACK_POSTS_PER_CHANNEL_PER_S:.0f} post a second per "
        "channel; times in virtual seconds"
    )
    print(
        "| database | intros | delivered | duplicates | lost | failed rows | 429s "
        "| time (s) | minimum (s) | ratio | real s |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    ratio = result.ratio
    print(
        f"| {result.database} | {result.groups:,} | {result.delivered:,} | {result.duplicates} "
        f"| {result.lost} | {result.failed_rows} | {result.rate_limited} "
        f"| {result.seconds:,.0f} | {result.minimum:,.0f} "
        f"| {'-' if ratio is None else f'{ratio:.3f}'} | {result.real_seconds:.1f} |"
    )
    checks = [
        (f"no duplicates ({result.duplicates})", result.duplicates == 0),
        (f"no lost messages ({result.lost})", result.lost == 0),
    ]
    if ratio is not None:
        within = ratio <= TARGET_RATIO
        checks.append((f"time <= {TARGET_RATIO}x the minimum ({ratio:.3f}x)", within))
    return checks


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.fanout",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--participants", type=int, default=PARTICIPANTS)
    parser.add_argument("--concurrency", type=int, default=Limits().concurrency)
    parser.add_argument("--database-url", default="", help="PostgreSQL URL (default: SQLite)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR, format="%(levelname)s %(name)s: %(message)s")

    async def run() -> list[tuple[str, bool]]:
        async with fresh_database(args.database_url) as (label, url):
            result = await run_fanout(
                url,
                participants=args.participants,
                limits=Limits(concurrency=args.concurrency),
                label=label,
            )
        return print_result(result)

    checks = asyncio.run(run())
    print()
    for label, ok in checks:
        print(f"{'PASS' if ok else 'FAIL'}  {label}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
