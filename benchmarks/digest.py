"""Digest benchmark: how long one programme's digest figures take, against counting its check-ins.

    python -m benchmarks.digest                        # 5,000 people, 9 weekly rounds, SQLite
    python -m benchmarks.digest --database postgresql  # the same on PostgreSQL
    python -m benchmarks.digest --database both --people 20000 --rounds 12

A scratch SQLite file, or a scratch PostgreSQL database created through the admin URL
(--database-url, else PEERCOACH_TEST_POSTGRES_URL, else the local test server), is migrated to
head through the real migrations (so its indexes are the schema's), filled, analysed, measured
and dropped. The population: one workspace whose pairs programme everyone joined a month before
the first round (a few left since, 2 % are paused), functions and levels unevenly sized, a
weekly round for each of the last --rounds weeks, everyone paired in each (some pairs met: We
met, a meeting row, or a check-in saying so), and a check-in per person and week, most sent,
most of those answered with a rating, a goal status, last week's step and a note.

Measured, best and median of --repeat runs after a warm-up: `programme_digest` for the current
round (its trend covers the last eight rounds), and as the baseline, measured in the same run
on the same database, a plain `SELECT count(*)` of the same check-in rows. The ratio says how
many such scans a digest costs.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg  # type: ignore[import-untyped]
from sqlalchemy import func, select
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine

from benchmarks.postgres import admin_url, asyncpg_dsn
from bot.digests.figures import ProgrammeDigest
from bot.digests.service import programme_digest
from storage.base import Base
from storage.migrate import upgrade
from storage.models import CheckIn
from storage.session import create_engine, create_sessionmaker

TEAM = "T0000001"
PROGRAMME_ID = 1
# The current round started on Monday 23 November 2026; the digest runs on its Thursday.
CURRENT_START = date(2026, 11, 23)
NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
FUNCTIONS: tuple[str, ...] = (
    "engineering",
    "sales",
    "product",
    "customer-success",
    "support",
    "design",
    "marketing",
    "operations",
    "finance",
    "data",
    "people",
    "legal",
)
FUNCTION_WEIGHTS: tuple[float, ...] = tuple(1 / (1 + 0.4 * i) for i in range(len(FUNCTIONS)))
LEVEL_WEIGHTS: tuple[float, ...] = (0.14, 0.25, 0.25, 0.18, 0.12, 0.06)
PAUSED_SHARE = 0.02
LEFT_SHARE = 0.03
MET_SHARE = 0.55  # of pairs, through any of the three signs
SENT_SHARE = 0.92
ANSWERED_SHARE = 0.7  # of those sent
GOALS = ("on_track", "some_progress", "stuck", "achieved")
STEPS = ("yes", "partly", "no")


# --------------------------------------------------------------------------- population


@dataclass
class Population:
    """The rows to load, by table, and what the current round's figures must come to."""

    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    current_round_id: int = 0
    current_sent: int = 0
    current_answered: int = 0
    checkins_in_rounds: int = 0


def _at(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def build(people: int, rounds: int, seed: int = 11) -> Population:
    """`people` in one pairs programme with `rounds` weekly rounds, the last one current."""
    rng = random.Random(seed)
    pop = Population()
    first = CURRENT_START - timedelta(weeks=rounds - 1)
    joined = _at(first - timedelta(days=30))
    pop.tables["workspaces"] = [{"id": 1, "team_id": TEAM, "name": "Bench", "created_at": joined}]
    pop.tables["programmes"] = [
        {
            "id": PROGRAMME_ID,
            "team_id": TEAM,
            "name": "Peer pairs",
            "mode": "pairs",
            "kind": "evergreen",
            "cadence": "weekly",
            "weekday": 0,
            "intro_hour": 9,
            "group_size": 2,
            "is_default": True,
            "created_at": joined,
        }
    ]
    person_rows: list[dict[str, Any]] = []
    memberships: list[dict[str, Any]] = []
    for n in range(1, people + 1):
        left = rng.random() < LEFT_SHARE
        person_rows.append(
            {
                "id": n,
                "team_id": TEAM,
                "slack_user_id": f"U{n:08d}",
                "display_name": f"Person {n}",
                "function": rng.choices(FUNCTIONS, FUNCTION_WEIGHTS)[0],
                "level": rng.choices(range(1, 7), LEVEL_WEIGHTS)[0],
                "enrolment_state": "paused" if rng.random() < PAUSED_SHARE else "enrolled",
                "created_at": joined,
            }
        )
        memberships.append(
            {
                "id": n,
                "team_id": TEAM,
                "programme_id": PROGRAMME_ID,
                "person_id": n,
                "role": "participant",
                "state": "left" if left else "active",
                "joined_at": joined,
                "left_at": _at(first + timedelta(days=rng.randrange(7 * rounds - 4)))
                if left
                else None,
            }
        )
    pop.tables["people"] = person_rows
    pop.tables["memberships"] = memberships

    round_rows: list[dict[str, Any]] = []
    groups: list[dict[str, Any]] = []
    members: list[dict[str, Any]] = []
    meetings: list[dict[str, Any]] = []
    checkins: list[dict[str, Any]] = []
    ids = list(range(1, people + 1))
    for index in range(rounds):
        start = first + timedelta(weeks=index)
        current = index == rounds - 1
        round_id = index + 1
        round_rows.append(
            {
                "id": round_id,
                "team_id": TEAM,
                "programme_id": PROGRAMME_ID,
                "mode": "pairs",
                "seed": index,
                "scheduled_for": start,
                "ends_on": start + timedelta(weeks=1),
                "created_at": _at(start),
            }
        )
        rng.shuffle(ids)
        met_by_checkin: set[int] = set()
        for pair in range(people // 2):
            group_id = len(groups) + 1
            a, b = ids[2 * pair], ids[2 * pair + 1]
            sign = rng.random()
            met_at = _at(start + timedelta(days=2)) if sign < MET_SHARE / 3 else None
            if MET_SHARE / 3 <= sign < 2 * MET_SHARE / 3:
                meetings.append(
                    {
                        "team_id": TEAM,
                        "group_id": group_id,
                        "due_on": start + timedelta(days=6),
                        "status": "met",
                    }
                )
            elif 2 * MET_SHARE / 3 <= sign < MET_SHARE:
                met_by_checkin.add(a)
            groups.append(
                {
                    "id": group_id,
                    "team_id": TEAM,
                    "round_id": round_id,
                    "score": 1.0,
                    "breakdown": {},
                    "explanation": "",
                    "state": "active" if current else "ended",
                    "channel_id": f"G{group_id:08d}",
                    "met_at": met_at,
                    "created_at": _at(start),
                }
            )
            members += [
                {"group_id": group_id, "person_id": a, "role": "peer"},
                {"group_id": group_id, "person_id": b, "role": "peer"},
            ]
        for person in range(1, people + 1):
            sent = rng.random() < SENT_SHARE
            answered = sent and rng.random() < ANSWERED_SHARE
            checkins.append(
                {
                    "team_id": TEAM,
                    "person_id": person,
                    "week_start": start,
                    "programme_id": PROGRAMME_ID,
                    "due_at": _at(start + timedelta(days=3)),
                    "sent_at": _at(start + timedelta(days=3)) if sent else None,
                    "answered_at": _at(start + timedelta(days=3), 11) if answered else None,
                    "rating": rng.randint(1, 5) if answered and rng.random() < 0.9 else None,
                    "goal_status": rng.choice(GOALS) if answered else None,
                    "met": (person in met_by_checkin) if answered else None,
                    "previous_step_done": rng.choice(STEPS) if answered and index else None,
                    "note": "A private note" if answered else None,
                    "step_shared": False,
                    "created_at": _at(start),
                    "updated_at": _at(start),
                }
            )
            if current:
                pop.current_sent += sent
                pop.current_answered += answered
        pop.checkins_in_rounds += people
    pop.tables["rounds"] = round_rows
    pop.tables["match_groups"] = groups
    pop.tables["match_members"] = members
    pop.tables["meetings"] = meetings
    pop.tables["checkins"] = checkins
    pop.current_round_id = rounds
    return pop


def _chunks(rows: list[dict[str, Any]], size: int = 5_000) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


async def load(engine: AsyncEngine, pop: Population) -> dict[str, int]:
    """The rows through the models' tables (timestamps and enums stored as the app stores
    them), then the planner's statistics."""
    counts: dict[str, int] = {}
    async with engine.begin() as connection:
        for table, rows in pop.tables.items():
            target = Base.metadata.tables[table]
            for chunk in _chunks(rows):
                await connection.execute(target.insert(), chunk)
            counts[table] = len(rows)
    async with engine.begin() as connection:
        await connection.exec_driver_sql("ANALYZE")
    return counts


# --------------------------------------------------------------------------- measuring


@dataclass(frozen=True, slots=True)
class Result:
    database: str
    counts: dict[str, int]
    load_seconds: float
    digest_best: float
    digest_median: float
    baseline_best: float
    baseline_median: float
    digest: ProgrammeDigest
    baseline_rows: int
    # What the current round's check-in response must come to, counted while generating.
    expected_sent: int
    expected_answered: int

    @property
    def ratio(self) -> float:
        return self.digest_median / self.baseline_median


async def measure(
    engine: AsyncEngine, pop: Population, *, repeat: int
) -> tuple[ProgrammeDigest, int, list[float], list[float]]:
    sessions = create_sessionmaker(engine)
    first = pop.tables["rounds"][0]["scheduled_for"]
    # The same check-in rows the digest reads: the programme's people, the rounds' weeks.
    baseline = (
        select(func.count())
        .select_from(CheckIn)
        .where(CheckIn.team_id == TEAM, CheckIn.week_start >= first)
    )
    digest_times: list[float] = []
    baseline_times: list[float] = []
    digest: ProgrammeDigest | None = None
    rows = 0
    for attempt in range(repeat + 1):  # the first is the warm-up
        async with sessions() as session:
            started = time.perf_counter()
            digest = await programme_digest(session, TEAM, PROGRAMME_ID, now=NOW)
            took = time.perf_counter() - started
        async with sessions() as session:
            started = time.perf_counter()
            rows = int(await session.scalar(baseline) or 0)
            counted = time.perf_counter() - started
        if attempt:
            digest_times.append(took)
            baseline_times.append(counted)
    assert digest is not None
    return digest, rows, digest_times, baseline_times


async def run_sqlite(*, people: int, rounds: int, repeat: int) -> Result:
    with tempfile.TemporaryDirectory(prefix="peercoach-digest-") as folder:
        engine = create_engine(f"sqlite+aiosqlite:///{folder}/digest.db")
        try:
            return await _run(engine, "SQLite", people=people, rounds=rounds, repeat=repeat)
        finally:
            await engine.dispose()


async def run_postgres(admin: URL, *, people: int, rounds: int, repeat: int) -> Result:
    name = f"peercoach_bench_digest_{uuid.uuid4().hex[:10]}"
    admin_connection = await asyncpg.connect(asyncpg_dsn(admin), timeout=10)
    try:
        await admin_connection.execute(f'CREATE DATABASE "{name}"')
        try:
            url = admin.set(database=name).render_as_string(hide_password=False)
            engine = create_engine(url)
            try:
                return await _run(engine, "PostgreSQL", people=people, rounds=rounds, repeat=repeat)
            finally:
                await engine.dispose()
        finally:
            await admin_connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin_connection.close()


async def _run(
    engine: AsyncEngine, database: str, *, people: int, rounds: int, repeat: int
) -> Result:
    await upgrade(engine)  # the real migrations: the schema's indexes, no others
    pop = build(people, rounds)
    started = time.perf_counter()
    counts = await load(engine, pop)
    load_seconds = time.perf_counter() - started
    digest, rows, digest_times, baseline_times = await measure(engine, pop, repeat=repeat)
    return Result(
        database=database,
        counts=counts,
        load_seconds=load_seconds,
        digest_best=min(digest_times),
        digest_median=statistics.median(digest_times),
        baseline_best=min(baseline_times),
        baseline_median=statistics.median(baseline_times),
        digest=digest,
        baseline_rows=rows,
        expected_sent=pop.current_sent,
        expected_answered=pop.current_answered,
    )


def print_result(result: Result, out: Any = sys.stdout) -> None:
    print(f"{result.database}, population:", file=out)
    for table, count in result.counts.items():
        print(f"  {table:<14} {count:>10,}", file=out)
    print(f"  loaded in {result.load_seconds:.1f} s", file=out)
    current = result.digest.current
    trend = len(result.digest.trend)
    if current is not None:
        print(
            f"\nCurrent round: {current.groups:,} groups, {current.people:,} people, "
            f"{trend} rounds in the trend, {len(result.digest.breakdowns)} breakdown rows, "
            f"{len(result.digest.quiet_groups):,} quiet groups",
            file=out,
        )
    print(
        f"Digest figures:          best {result.digest_best * 1000:8.1f} ms, "
        f"median {result.digest_median * 1000:8.1f} ms",
        file=out,
    )
    print(
        f"Baseline (count of {result.baseline_rows:,} check-ins): "
        f"best {result.baseline_best * 1000:8.2f} ms, "
        f"median {result.baseline_median * 1000:8.2f} ms",
        file=out,
    )
    print(f"Ratio (medians): {result.ratio:.1f}x the count", file=out)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--database-url", help="admin URL of a PostgreSQL server (asyncpg)")
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="sqlite")
    parser.add_argument("--people", type=int, default=5_000)
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    if args.database in ("sqlite", "both"):
        result = asyncio.run(run_sqlite(people=args.people, rounds=args.rounds, repeat=args.repeat))
        print_result(result)
        print()
    if args.database in ("postgresql", "both"):
        result = asyncio.run(
            run_postgres(
                admin_url(args.database_url),
                people=args.people,
                rounds=args.rounds,
                repeat=args.repeat,
            )
        )
        print_result(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
