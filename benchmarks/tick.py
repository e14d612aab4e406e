"""Tick benchmark: how long one tick takes to find its due work, on a large PostgreSQL database.

    python -m benchmarks.tick                      # 100,000 people, a year of rounds
    python -m benchmarks.tick --people 20000 --weeks 12
    python -m benchmarks.tick --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/test

A scratch database is created through the admin URL (--database-url, else
PEERCOACH_TEST_POSTGRES_URL, else the local test server), migrated to head through the real
migrations (so its indexes are the schema's), filled with COPY, analysed, measured and dropped.
The population: workspaces of 1,000 people each; everyone enrolled in the workspace's
peer-pairs programme, a tenth also in a circles programme and a twentieth in a mentoring
programme; a year of weekly pairs rounds, fortnightly circles and monthly mentoring with their
groups and members, their mid-points and ends done; a tenth of workspaces with work due now
(their rounds, and the mid-points and ends of the last week); a few mentorships per workspace
waiting for a mentor (one not asked yet, one whose mentor let the time run out); 5 % of people
paused (a few of them ending today), 1 % with an open `find flash`, a few cohorts past their
end; and an outbox of a year of sent messages (one per person per week) with a few hundred
pending, some of them due.

Measured: the due-work queries of one tick, run by the code the tick runs (the statements of
`storage.repositories.rounds`, the follow-ups' `GroupRepository` calls, and the outbox
dispatcher's `OutboxRepository.claim`, rolled back), together in one session, best and median
of --repeat runs after a warm-up; the target is 1 s. The SQL each one sends is captured and
its `EXPLAIN (ANALYZE, BUFFERS)` printed, so the plan can be checked for index use.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import re
import statistics
import sys
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg  # type: ignore[import-untyped]
from sqlalchemy import Select, event, make_url
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.domain import Cadence
from bot.enrolment.service import week_start
from bot.groups import mentorship
from bot.outbox.pacing import Limits
from bot.rounds.timing import match_time, next_date
from storage.migrate import upgrade
from storage.repositories.groups import GroupRepository
from storage.repositories.outbox import OutboxRepository
from storage.repositories.rounds import (
    due_programmes_query,
    ended_cohorts_query,
    flash_teams_query,
    pauses_over_query,
    unscheduled_programmes_query,
)
from storage.session import create_engine

DEFAULT_ADMIN_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
TARGET_SECONDS = 1.0
TEAM_SIZE = 1_000
# "Now" for the benchmark: a Wednesday; the data's year of rounds ends just before it.
NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
# Workspaces with t % DUE_EVERY == DUE_AT have their rounds and follow-ups due now.
DUE_EVERY, DUE_AT = 10, 1
# Per workspace: pending outbox rows already due, and ones due later today.
OUTBOX_DUE, OUTBOX_LATER = 2, 2
# Per workspace, in its latest mentoring round: when each proposed group's mentor was asked
# (None: not asked yet). One is waiting for a mentor, two wait for an answer, one timed out.
PROPOSED_ASKED: tuple[timedelta | None, ...] = (
    None,
    timedelta(hours=2),
    timedelta(days=1),
    mentorship.ANSWER_WITHIN + timedelta(hours=1),
)


Run = Callable[[AsyncSession, datetime], Awaitable[int]]


@dataclass(frozen=True, slots=True)
class Query:
    """One piece of a tick's due work: `run` does it the way the tick does, returning how many
    rows it found."""

    name: str
    run: Run


def _statement(build: Callable[[datetime], Select[Any]]) -> Run:
    async def run(session: AsyncSession, now: datetime) -> int:
        return len((await session.execute(build(now))).all())

    return run


def _repository(call: Callable[[GroupRepository, datetime], Awaitable[list[int]]]) -> Run:
    async def run(session: AsyncSession, now: datetime) -> int:
        return len(await call(GroupRepository(session), now))

    return run


async def _claim_outbox(session: AsyncSession, now: datetime) -> int:
    """The dispatcher's claim of due rows (as `Dispatcher._claim`), rolled back so every run
    finds the same rows due."""
    limits = Limits()
    claimed = await OutboxRepository(session).claim(
        owner="tick-benchmark",
        now=now,
        lease=timedelta(seconds=limits.lease),
        limit=limits.concurrency,
    )
    await session.rollback()
    return len(claimed)


def due_work_queries(now: datetime) -> list[Query]:
    """What one tick runs to find its due work (and the outbox's claim), as the code runs it.

    `now` is passed to each `run`; the list is the same for every `now`."""
    del now
    return [
        Query("programmes to schedule", _statement(lambda _: unscheduled_programmes_query(500))),
        Query("rounds due", _statement(lambda at: due_programmes_query(at, 100))),
        Query("cohorts ended", _statement(lambda at: ended_cohorts_query(at.date(), 100))),
        Query("pauses over", _statement(lambda at: pauses_over_query(at.date(), 500))),
        Query("flash requests", _statement(lambda at: flash_teams_query(at.date()))),
        # The follow-ups' reads, as bot.groups.followups.run_due makes them.
        Query("round mid-points due", _repository(lambda r, at: r.rounds_due_midpoint(at))),
        Query("round ends due", _repository(lambda r, at: r.rounds_due_end(at))),
        Query("mentors to ask", _repository(lambda r, _: r.proposed_unasked())),
        Query(
            "mentor answers timed out",
            _repository(lambda r, at: r.proposed_unanswered_since(at - mentorship.ANSWER_WITHIN)),
        ),
        Query("outbox rows due", _claim_outbox),
    ]


def _admin_url(raw: str | None) -> URL:
    return make_url(raw or os.environ.get("PEERCOACH_TEST_POSTGRES_URL") or DEFAULT_ADMIN_URL)


def _dsn(url: URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


# --------------------------------------------------------------------------- population


@dataclass
class Population:
    workspaces: list[tuple[Any, ...]]
    people: list[tuple[Any, ...]]
    programmes: list[tuple[Any, ...]]
    memberships: list[tuple[Any, ...]]
    rounds: list[tuple[Any, ...]]
    groups: list[tuple[Any, ...]]
    members: list[tuple[Any, ...]]
    # The pending outbox rows; the year of sent ones is generated in the database (see load).
    outbox: list[tuple[Any, ...]] = field(default_factory=list)


def build(people: int, weeks: int, seed: int = 7) -> Population:
    rng = random.Random(seed)
    teams = max(1, people // TEAM_SIZE)
    created = NOW - timedelta(weeks=weeks + 1)
    today = NOW.date()
    pop = Population([], [], [], [], [], [], [])
    person_id = programme_id = round_id = group_id = 0
    this_week = week_start(today)
    for t in range(teams):
        team = f"T{t:07d}"
        pop.workspaces.append((t + 1, team, f"Workspace {t}", created, created))
        size = TEAM_SIZE if t < teams - 1 else people - TEAM_SIZE * (teams - 1)
        ids: list[int] = []
        for n in range(size):
            person_id += 1
            ids.append(person_id)
            roll = rng.random()
            state, until, flash = "enrolled", None, None
            if roll < 0.05:
                state = "paused"
                until = today + timedelta(days=rng.randint(-1, 60)) if roll < 0.04 else None
            elif roll < 0.06:
                flash = this_week
            pop.people.append(
                (
                    person_id,
                    team,
                    f"U{t:05d}{n:05d}",
                    f"person {n}",
                    "Europe/London",
                    "engineering",
                    rng.randint(1, 6),
                    state,
                    until,
                    flash,
                    created,
                    created,
                    created,
                )
            )
        # Three programmes per workspace; the default is due next Monday.
        kinds = (
            ("pairs", "Peer pairs", 0, ids, "weekly", 1),
            ("circles", "Peer circles", 1, ids[: size // 10], "fortnightly", 2),
            ("mentorship", "Mentoring", 2, ids[: size // 20], "monthly", 4),
        )
        for mode, name, weekday, members, cadence, every in kinds:
            programme_id += 1
            cohort = t % 10 == 0 and mode == "circles"
            ends_on = today - timedelta(days=2) if cohort else None
            next_round = match_time(next_date(_cadence(cadence), weekday, today, None))
            due_now = t % DUE_EVERY == DUE_AT
            if due_now:
                next_round = NOW - timedelta(hours=1)  # a tenth of workspaces have a round due
            pop.programmes.append(
                (
                    programme_id,
                    team,
                    name,
                    mode,
                    "cohort" if cohort else "evergreen",
                    cadence,
                    weekday,
                    9,
                    4 if mode == "circles" else 2,
                    mode == "pairs",
                    ends_on - timedelta(weeks=8) if ends_on is not None else None,
                    ends_on,
                    next_round,
                    created,
                    created,
                )
            )
            for pid in members:
                role = "participant"
                if mode == "mentorship":
                    role = "mentor" if pid % 3 == 0 else "mentee"
                pop.memberships.append((team, programme_id, pid, role, "active", created))
            starts = list(range(0, weeks, every))
            for week in starts:
                round_id += 1
                day = today - timedelta(weeks=weeks - week)
                midpoint = match_time(day) + timedelta(days=3)
                ends = match_time(day) + timedelta(weeks=every)
                end_done = _done(ends, due_now)
                pop.rounds.append(
                    (
                        round_id,
                        team,
                        programme_id,
                        mode,
                        rng.randint(0, 2**31 - 1),
                        day,
                        day + timedelta(weeks=every),
                        midpoint,
                        ends,
                        _done(midpoint, due_now),
                        end_done,
                        match_time(day),
                    )
                )
                shuffled = list(members)
                rng.shuffle(shuffled)
                per = 4 if mode == "circles" else 2
                latest_mentoring = mode == "mentorship" and week == starts[-1]
                for n, start in enumerate(range(0, len(shuffled) - per + 1, per)):
                    group_id += 1
                    met = match_time(day) + timedelta(days=2) if rng.random() < 0.6 else None
                    state = "ended" if end_done else "active"
                    asked: datetime | None = None
                    if latest_mentoring and n < len(PROPOSED_ASKED):
                        ago = PROPOSED_ASKED[n]
                        state, met, asked = "proposed", None, None if ago is None else NOW - ago
                    pop.groups.append(
                        (
                            group_id,
                            team,
                            round_id,
                            1.0,
                            "{}",
                            "",
                            state,
                            met,
                            asked,
                            match_time(day),
                        )
                    )
                    for k, pid in enumerate(shuffled[start : start + per]):
                        role = "peer"
                        if mode == "mentorship":
                            role = "mentor" if k == 0 else "mentee"
                        pop.members.append((group_id, pid, role))
        pop.outbox.extend(_pending_outbox(team, ids, rng))
    return pop


def _done(at: datetime, due_now: bool) -> datetime | None:
    """When a round's mid-point or end work was done: at its time, once past, except in the
    workspaces with work due now, where the last week's is still to do."""
    if at > NOW or (due_now and at > NOW - timedelta(weeks=1)):
        return None
    return at


def _pending_outbox(team: str, ids: Sequence[int], rng: random.Random) -> list[tuple[Any, ...]]:
    """A workspace's queued messages: a few due now, a few due later today."""
    rows: list[tuple[Any, ...]] = []
    for n in range(OUTBOX_DUE + OUTBOX_LATER):
        person = ids[rng.randrange(len(ids))]
        if n < OUTBOX_DUE:
            at = NOW - timedelta(seconds=rng.randint(1, 120))
        else:
            at = NOW + timedelta(hours=rng.randint(1, 8))
        rows.append(
            (
                team,
                f"bench:{team}:{n}",
                "dm",
                f"D{person:010d}",
                "[]",
                "A message",
                "pending",
                at,
                at,
                0,
                at - timedelta(days=1),
            )
        )
    return rows


def _cadence(value: str) -> Cadence:
    return Cadence(value)


TABLES: dict[str, tuple[str, ...]] = {
    "workspaces": ("id", "team_id", "name", "created_at", "updated_at"),
    "people": (
        "id",
        "team_id",
        "slack_user_id",
        "display_name",
        "time_zone",
        "function",
        "level",
        "enrolment_state",
        "paused_until",
        "flash_week",
        "profile_completed_at",
        "created_at",
        "updated_at",
    ),
    "programmes": (
        "id",
        "team_id",
        "name",
        "mode",
        "kind",
        "cadence",
        "weekday",
        "intro_hour",
        "group_size",
        "is_default",
        "starts_on",
        "ends_on",
        "next_round_at",
        "created_at",
        "updated_at",
    ),
    "memberships": ("team_id", "programme_id", "person_id", "role", "state", "joined_at"),
    "rounds": (
        "id",
        "team_id",
        "programme_id",
        "mode",
        "seed",
        "scheduled_for",
        "ends_on",
        "midpoint_at",
        "ends_at",
        "midpoint_done_at",
        "end_done_at",
        "created_at",
    ),
    "match_groups": (
        "id",
        "team_id",
        "round_id",
        "score",
        "breakdown",
        "explanation",
        "state",
        "met_at",
        "mentor_asked_at",
        "created_at",
    ),
    "match_members": ("group_id", "person_id", "role"),
    "outbox": (
        "team_id",
        "key",
        "kind",
        "channel_id",
        "open_users",
        "text",
        "status",
        "due_at",
        "next_attempt_at",
        "attempts",
        "created_at",
    ),
}

# A year of sent messages: one per person per week (nudges, intros, check-ins).
SENT_OUTBOX = """
INSERT INTO outbox (team_id, key, kind, channel_id, open_users, text, status, due_at,
                    next_attempt_at, attempts, sent_channel_id, sent_ts, sent_at, created_at)
SELECT p.team_id, 'sent:' || p.id || ':' || w, 'dm', 'D' || p.id, '[]', 'A message', 'sent',
       at, at, 1, 'D' || p.id, '1700000000.000100', at, at
FROM people p
CROSS JOIN generate_series(1, $2::int) AS w
CROSS JOIN LATERAL (SELECT $1::timestamptz - w * interval '1 week'
                           + (p.id % 3600) * interval '1 second' AS at) AS due
"""


def _rows(pop: Population) -> Iterator[tuple[str, list[tuple[Any, ...]]]]:
    yield "workspaces", pop.workspaces
    yield "people", pop.people
    yield "programmes", pop.programmes
    yield "memberships", pop.memberships
    yield "rounds", pop.rounds
    yield "match_groups", pop.groups
    yield "match_members", pop.members
    yield "outbox", pop.outbox


async def load(connection: asyncpg.Connection, pop: Population, weeks: int) -> dict[str, int]:
    counts: dict[str, int] = {}
    # The generated rows are consistent by construction: on a scratch database, skip the
    # per-row foreign-key triggers when the role may (a superuser), which makes COPY ~5x faster.
    with contextlib.suppress(asyncpg.InsufficientPrivilegeError):
        await connection.execute("SET session_replication_role = replica")
    for table, rows in _rows(pop):
        await connection.copy_records_to_table(table, records=rows, columns=TABLES[table])
        counts[table] = len(rows)
    status = await connection.execute(SENT_OUTBOX, NOW, weeks)
    counts["outbox"] += int(status.split()[-1])
    await connection.execute("RESET session_replication_role")
    for table in ("workspaces", "people", "programmes", "rounds", "match_groups"):
        await connection.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"(SELECT coalesce(max(id), 1) FROM {table}))"
        )
    await connection.execute("ANALYZE")
    return counts


# --------------------------------------------------------------------------- measuring


@dataclass(frozen=True, slots=True)
class Timing:
    best: float
    median: float
    rows: dict[str, int]
    # Each query's median time, in seconds.
    each: dict[str, float]


@dataclass
class _Recorder:
    """The SQL each query sends, as the driver gets it, captured while `into` is set."""

    into: list[tuple[str, Any]] | None = None

    def __call__(self, _conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if self.into is not None:
            self.into.append((statement, parameters))


async def time_due_work(
    sessions: async_sessionmaker[AsyncSession],
    recorder: _Recorder,
    now: datetime,
    repeat: int,
) -> tuple[Timing, dict[str, list[tuple[str, Any]]]]:
    """Run one tick's queries `repeat` times after a warm-up that records their SQL."""
    queries = due_work_queries(now)
    rows: dict[str, int] = {}
    sent: dict[str, list[tuple[str, Any]]] = {}
    async with sessions() as session:  # warm-up
        for query in queries:
            sent[query.name] = recorder.into = []
            rows[query.name] = await query.run(session, now)
            recorder.into = None
        await session.rollback()
    samples: list[float] = []
    each: dict[str, list[float]] = {query.name: [] for query in queries}
    for _ in range(repeat):
        started = time.perf_counter()
        async with sessions() as session:
            for query in queries:
                at = time.perf_counter()
                await query.run(session, now)
                each[query.name].append(time.perf_counter() - at)
            await session.rollback()
        samples.append(time.perf_counter() - started)
    medians = {name: statistics.median(times) for name, times in each.items()}
    return Timing(min(samples), statistics.median(samples), rows, medians), sent


async def explain(
    engine: AsyncEngine, sent: dict[str, list[tuple[str, Any]]]
) -> list[tuple[str, str]]:
    """EXPLAIN ANALYZE every statement a query sent, with its parameters, rolled back."""
    plans: list[tuple[str, str]] = []
    async with engine.connect() as connection:
        for name, statements in sent.items():
            parts: list[str] = []
            for statement, parameters in statements:
                result = await connection.exec_driver_sql(
                    "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + statement, parameters
                )
                parts.append(statement.strip() + "\n" + "\n".join(r[0] for r in result))
            await connection.rollback()
            plans.append((name, "\n\n".join(parts)))
    return plans


def scanned(plan: str) -> set[str]:
    """The tables a plan reads in full."""
    return set(re.findall(r"Seq Scan on (\w+)", plan))


def uses_index(plan: str) -> bool:
    return "Index" in plan and not scanned(plan)


@dataclass(frozen=True, slots=True)
class Result:
    counts: dict[str, int]
    load_seconds: float
    timing: Timing
    plans: list[tuple[str, str]]


async def run(admin: URL, *, people: int, weeks: int, repeat: int) -> Result:
    name = f"peercoach_bench_tick_{uuid.uuid4().hex[:10]}"
    admin_connection = await asyncpg.connect(_dsn(admin), timeout=10)
    try:
        await admin_connection.execute(f'CREATE DATABASE "{name}"')
        url = admin.set(database=name)
        try:
            engine = create_engine(url.render_as_string(hide_password=False))
            try:
                await upgrade(engine)  # the real migrations: the schema's indexes, no others
                connection = await asyncpg.connect(_dsn(url), timeout=10)
                try:
                    started = time.perf_counter()
                    counts = await load(connection, build(people, weeks), weeks)
                    load_seconds = time.perf_counter() - started
                finally:
                    await connection.close()
                recorder = _Recorder()
                event.listen(engine.sync_engine, "before_cursor_execute", recorder)
                sessions = async_sessionmaker(engine, expire_on_commit=False)
                timing, sent = await time_due_work(sessions, recorder, NOW, repeat)
                plans = await explain(engine, sent)
            finally:
                await engine.dispose()
        finally:
            await admin_connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin_connection.close()
    return Result(counts, load_seconds, timing, plans)


def print_result(result: Result, out: Any = sys.stdout) -> None:
    print("Population:", file=out)
    for table, count in result.counts.items():
        print(f"  {table:<14} {count:>10,}", file=out)
    print(f"  loaded in {result.load_seconds:.1f} s", file=out)
    timing = result.timing
    verdict = "within" if timing.best <= TARGET_SECONDS else "OVER"
    print(
        f"\nDue work of one tick: best {timing.best * 1000:.1f} ms, "
        f"median {timing.median * 1000:.1f} ms ({verdict} the {TARGET_SECONDS:.0f} s target)",
        file=out,
    )
    for name, plan in result.plans:
        print(f"  {name:<26} {timing.each[name] * 1000:>8.2f} ms  {_verdict(plan)}", file=out)
    for name, plan in result.plans:
        rows = timing.rows.get(name, 0)
        print(f"\n-- {name}: {rows} rows, {_verdict(plan)}", file=out)
        print(plan, file=out)


def _verdict(plan: str) -> str:
    tables = scanned(plan)
    if not tables:
        return "index" if "Index" in plan else "no table read"
    return "sequential scan of " + ", ".join(sorted(tables))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--database-url", help="admin URL of a PostgreSQL server (asyncpg)")
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args(argv)
    result = asyncio.run(
        run(
            _admin_url(args.database_url),
            people=args.people,
            weeks=args.weeks,
            repeat=args.repeat,
        )
    )
    print_result(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
