"""Tick benchmark: how long one tick takes to find its due work, on a large PostgreSQL database.

    python -m benchmarks.tick                      # 100,000 people, a year of rounds
    python -m benchmarks.tick --people 20000 --weeks 12
    python -m benchmarks.tick --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/test
    python -m benchmarks.tick --proposed-indexes   # also with the indexes the people queries want

A scratch database is created through the admin URL (--database-url, else
PEERCOACH_TEST_POSTGRES_URL, else the local test server), migrated to head, filled with COPY,
analysed, measured and dropped. The population: workspaces of 1,000 people each; everyone
enrolled in the workspace's peer-pairs programme, a tenth also in a circles programme and a
twentieth in a mentoring programme; a year of weekly pairs rounds, fortnightly circles and
monthly mentoring with their groups and members; a tenth of workspaces with their rounds due
now; 5 % of people paused (a few of them ending today), 1 % with an open `find flash`, and a
few cohorts past their end.

Measured: the due-work queries of one tick (the same statements the tick runs, from
`storage.repositories.rounds`), run together in one session, best and median of --repeat runs
after a warm-up; the target is 1 s. Each query's `EXPLAIN (ANALYZE, BUFFERS)` is printed so the
plan can be checked for index use.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import statistics
import sys
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg  # type: ignore[import-untyped]
from sqlalchemy import Select, make_url
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import URL

from bot.domain import Cadence
from bot.enrolment.service import week_start
from bot.rounds.timing import match_time, next_date
from storage.migrate import upgrade
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

# Indexes the pause and flash queries would use; not in the schema (see --proposed-indexes).
PROPOSED_INDEXES = (
    "CREATE INDEX ix_people_paused_until ON people (paused_until) WHERE enrolment_state = 'paused'",
    "CREATE INDEX ix_people_flash_week ON people (flash_week) WHERE flash_week IS NOT NULL",
)


@dataclass(frozen=True, slots=True)
class Query:
    name: str
    statement: Select[Any]


def due_work_queries(now: datetime) -> list[Query]:
    """The statements one tick runs to find its due work, as the tick builds them."""
    today = now.date()
    return [
        Query("programmes to schedule", unscheduled_programmes_query(500)),
        Query("rounds due", due_programmes_query(now, 100)),
        Query("cohorts ended", ended_cohorts_query(today, 100)),
        Query("pauses over", pauses_over_query(today, 500)),
        Query("flash requests", flash_teams_query(today)),
    ]


def render(statement: Select[Any]) -> str:
    return str(
        statement.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True})
    )


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
            if t % 10 == 1:
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
                    ends_on - timedelta(weeks=8) if cohort else None,
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
            for week in range(0, weeks, every):
                round_id += 1
                day = today - timedelta(weeks=weeks - week)
                pop.rounds.append(
                    (
                        round_id,
                        team,
                        programme_id,
                        mode,
                        rng.randint(0, 2**31 - 1),
                        day,
                        day + timedelta(weeks=every),
                        match_time(day) + timedelta(days=3),
                        match_time(day) + timedelta(weeks=every),
                        match_time(day) + timedelta(days=3),
                        match_time(day) + timedelta(weeks=every),
                        match_time(day),
                    )
                )
                shuffled = list(members)
                rng.shuffle(shuffled)
                per = 4 if mode == "circles" else 2
                for start in range(0, len(shuffled) - per + 1, per):
                    group_id += 1
                    met = match_time(day) + timedelta(days=2) if rng.random() < 0.6 else None
                    pop.groups.append(
                        (group_id, team, round_id, 1.0, "{}", "", "ended", met, match_time(day))
                    )
                    for k, pid in enumerate(shuffled[start : start + per]):
                        role = "peer"
                        if mode == "mentorship":
                            role = "mentor" if k == 0 else "mentee"
                        pop.members.append((group_id, pid, role))
    return pop


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
        "created_at",
    ),
    "match_members": ("group_id", "person_id", "role"),
}


def _rows(pop: Population) -> Iterator[tuple[str, list[tuple[Any, ...]]]]:
    yield "workspaces", pop.workspaces
    yield "people", pop.people
    yield "programmes", pop.programmes
    yield "memberships", pop.memberships
    yield "rounds", pop.rounds
    yield "match_groups", pop.groups
    yield "match_members", pop.members


async def load(connection: asyncpg.Connection, pop: Population) -> dict[str, int]:
    counts: dict[str, int] = {}
    # The generated rows are consistent by construction: on a scratch database, skip the
    # per-row foreign-key triggers when the role may (a superuser), which makes COPY ~5x faster.
    with contextlib.suppress(asyncpg.InsufficientPrivilegeError):
        await connection.execute("SET session_replication_role = replica")
    for table, rows in _rows(pop):
        await connection.copy_records_to_table(table, records=rows, columns=TABLES[table])
        counts[table] = len(rows)
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


async def time_due_work(connection: asyncpg.Connection, now: datetime, repeat: int) -> Timing:
    queries = [(q.name, render(q.statement)) for q in due_work_queries(now)]
    rows: dict[str, int] = {}
    for name, sql in queries:  # warm-up
        rows[name] = len(await connection.fetch(sql))
    samples: list[float] = []
    for _ in range(repeat):
        started = time.perf_counter()
        for _, sql in queries:
            await connection.fetch(sql)
        samples.append(time.perf_counter() - started)
    return Timing(min(samples), statistics.median(samples), rows)


async def explain(connection: asyncpg.Connection, now: datetime) -> list[tuple[str, str]]:
    plans: list[tuple[str, str]] = []
    for query in due_work_queries(now):
        lines = await connection.fetch(
            "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + render(query.statement)
        )
        plans.append((query.name, "\n".join(r[0] for r in lines)))
    return plans


def uses_index(plan: str) -> bool:
    return "Index" in plan and "Seq Scan" not in plan


@dataclass(frozen=True, slots=True)
class Result:
    counts: dict[str, int]
    load_seconds: float
    timing: Timing
    plans: list[tuple[str, str]]
    with_indexes: Timing | None = None
    plans_with_indexes: list[tuple[str, str]] | None = None


async def run(
    admin: URL, *, people: int, weeks: int, repeat: int, proposed_indexes: bool
) -> Result:
    name = f"peercoach_bench_tick_{uuid.uuid4().hex[:10]}"
    admin_connection = await asyncpg.connect(_dsn(admin), timeout=10)
    try:
        await admin_connection.execute(f'CREATE DATABASE "{name}"')
        url = admin.set(database=name)
        try:
            engine = create_engine(url.render_as_string(hide_password=False))
            try:
                await upgrade(engine)
            finally:
                await engine.dispose()
            connection = await asyncpg.connect(_dsn(url), timeout=10)
            try:
                started = time.perf_counter()
                counts = await load(connection, build(people, weeks))
                load_seconds = time.perf_counter() - started
                timing = await time_due_work(connection, NOW, repeat)
                plans = await explain(connection, NOW)
                with_indexes = plans_with = None
                if proposed_indexes:
                    for sql in PROPOSED_INDEXES:
                        await connection.execute(sql)
                    await connection.execute("ANALYZE people")
                    with_indexes = await time_due_work(connection, NOW, repeat)
                    plans_with = await explain(connection, NOW)
            finally:
                await connection.close()
        finally:
            await admin_connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin_connection.close()
    return Result(counts, load_seconds, timing, plans, with_indexes, plans_with)


def print_result(result: Result, out: Any = sys.stdout) -> None:
    print("Population:", file=out)
    for table, count in result.counts.items():
        print(f"  {table:<14} {count:>10,}", file=out)
    print(f"  loaded in {result.load_seconds:.1f} s", file=out)
    _print_timing("Due work of one tick", result.timing, result.plans, out)
    if result.with_indexes is not None and result.plans_with_indexes is not None:
        print("\nWith the proposed indexes:", file=out)
        for sql in PROPOSED_INDEXES:
            print(f"  {sql}", file=out)
        _print_timing("Due work of one tick", result.with_indexes, result.plans_with_indexes, out)


def _print_timing(title: str, timing: Timing, plans: Sequence[tuple[str, str]], out: Any) -> None:
    verdict = "within" if timing.best <= TARGET_SECONDS else "OVER"
    print(
        f"\n{title}: best {timing.best * 1000:.1f} ms, median {timing.median * 1000:.1f} ms "
        f"({verdict} the {TARGET_SECONDS:.0f} s target)",
        file=out,
    )
    for name, plan in plans:
        index = "index" if uses_index(plan) else "NO INDEX (sequential scan)"
        print(f"\n-- {name}: {timing.rows.get(name, 0)} rows, {index}", file=out)
        print(plan, file=out)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--database-url", help="admin URL of a PostgreSQL server (asyncpg)")
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--proposed-indexes", action="store_true")
    args = parser.parse_args(argv)
    result = asyncio.run(
        run(
            _admin_url(args.database_url),
            people=args.people,
            weeks=args.weeks,
            repeat=args.repeat,
            proposed_indexes=args.proposed_indexes,
        )
    )
    print_result(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
