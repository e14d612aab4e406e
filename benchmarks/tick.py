"""Tick benchmark: how long one tick takes to find and do its due work, on SQLite and PostgreSQL.

    python -m benchmarks.tick                      # 5,000 people, a year of rounds, both databases
    python -m benchmarks.tick --people 100000 --database postgresql --no-plans
    python -m benchmarks.tick --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/test

A scratch SQLite file, and a scratch PostgreSQL database created through the admin URL
(--database-url, else PEERCOACH_TEST_POSTGRES_URL, else the local test server), are migrated to
head through the real migrations (so their indexes are the schema's), filled (COPY on
PostgreSQL), analysed, measured and dropped. The population: workspaces of 1,000 people each;
everyone enrolled in the workspace's peer-pairs programme, a tenth also in a circles programme
and a twentieth in a mentoring programme; a year of weekly pairs rounds, fortnightly circles
and monthly mentoring with their groups and members, the latest of each started a week ago
(its circles and mentorships past their first week, with their next weekly question due), their
mid-points and ends done; each workspace's question bank and a year of questions seen; eight
weeks of check-ins and this week's planned; a tenth of workspaces with work due now (their
rounds, the mid-points and ends of the last week, this week's questions, check-ins to plan, to
send and to remind about); a few mentorships per workspace waiting for a mentor (one not asked
yet, one whose mentor let the time run out); 5 % of people paused (a few of them ending today),
1 % with an open `find flash`, a few cohorts past their end; and an outbox of a year of sent
messages (one per person per week) with a few pending, some of them due.

Measured: the due-work queries of one tick, run by the code the tick runs (the statements of
`storage.repositories.rounds`, the follow-ups' `GroupRepository` calls, the weekly questions'
and the check-ins' reads, and the outbox dispatcher's `OutboxRepository.claim`, rolled back),
together in one session, best and median of --repeat runs after a warm-up; the target is 1 s.
The SQL each one sends is captured and its plan printed (`EXPLAIN (ANALYZE, BUFFERS)`, or
SQLite's `EXPLAIN QUERY PLAN`), so it can be checked for index use. Then the weekly-question
and check-in steps run for real, a tick a minute, until they have nothing left (the busy
ticks), and --repeat ticks more with nothing due (the idle ones), each step timed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import random
import re
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg  # type: ignore[import-untyped]
from sqlalchemy import Select, bindparam, event, text
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from benchmarks.postgres import admin_url, asyncpg_dsn
from bot.checkins import timing as checkin_timing
from bot.domain import Cadence
from bot.enrolment.service import week_start
from bot.groups import mentorship
from bot.outbox.pacing import Limits
from bot.process.clock import SimulatedClock
from bot.questions import steps as question_steps
from bot.questions.weeks import next_due
from bot.rounds.timing import match_time, next_date
from scheduling.context import JobContext
from scheduling.tick import STEPS, resolve
from storage.migrate import upgrade
from storage.models import Base
from storage.repositories.checkins import CheckInRepository
from storage.repositories.groups import GroupRepository
from storage.repositories.outbox import OutboxRepository
from storage.repositories.questions import questions_due_query
from storage.repositories.rounds import (
    due_programmes_query,
    ended_cohorts_query,
    flash_teams_query,
    pauses_over_query,
    unscheduled_programmes_query,
)
from storage.session import create_engine, create_sessionmaker
from storage.types import UTCDateTime

TARGET_SECONDS = 1.0
TEAM_SIZE = 1_000
# "Now" for the benchmark: a Wednesday; the data's year of rounds ends just before it.
NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
# Workspaces with t % DUE_EVERY == DUE_AT have their rounds and follow-ups due now.
DUE_EVERY, DUE_AT = 10, 1
# Weeks of check-in history per person (sent, answered or reminded).
CHECKIN_WEEKS = 8
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


def _checkins(
    call: Callable[[CheckInRepository, datetime], Awaitable[Sequence[object]]],
) -> Run:
    async def run(session: AsyncSession, now: datetime) -> int:
        return len(await call(CheckInRepository(session), now))

    return run


def _unplanned(repo: CheckInRepository, now: datetime) -> Awaitable[Sequence[object]]:
    """The check-in step's planning read, with the bounds `bot.checkins.steps.plan` gives it."""
    today = now.date()
    recent = checkin_timing.monday_of(today) - timedelta(days=7)
    return repo.unplanned(now - checkin_timing.CATCH_UP, today, recent)


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
        # The weekly questions' and the check-ins' reads, as their steps make them.
        Query(
            "weekly questions due",
            _statement(lambda at: questions_due_query(at, question_steps.BATCH)),
        ),
        Query("check-ins to plan", _checkins(_unplanned)),
        Query("check-ins due", _checkins(lambda r, at: r.due_unsent(at))),
        Query("check-in reminders due", _checkins(lambda r, at: r.due_reminders(at))),
        Query("outbox rows due", _claim_outbox),
    ]


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
    checkins: list[tuple[Any, ...]] = field(default_factory=list)


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
        pairs_programme = programme_id + 1
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
            # Every programme's latest round started a week ago: the pairs' ended today, the
            # circles' and mentoring's run on (so their groups have weekly questions).
            starts = list(range((weeks - 1) % every, weeks, every))
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
                    intro: datetime | None = match_time(day)
                    if latest_mentoring and n < len(PROPOSED_ASKED):
                        ago = PROPOSED_ASKED[n]
                        state, met, asked = "proposed", None, None if ago is None else NOW - ago
                        intro = None
                    question_due = None
                    if state == "active" and intro is not None and mode != "pairs":
                        # Where work is due now, this week's question is still to send;
                        # elsewhere it went out and the next one is due next week.
                        after = intro if due_now else NOW
                        question_due = next_due(intro, ends, after)
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
                            intro,
                            f"G{group_id:010d}" if intro is not None else None,
                            question_due,
                        )
                    )
                    for k, pid in enumerate(shuffled[start : start + per]):
                        role = "peer"
                        if mode == "mentorship":
                            role = "mentor" if k == 0 else "mentee"
                        pop.members.append((group_id, pid, role))
        pop.outbox.extend(_pending_outbox(team, ids, rng))
        paused = {row[0] for row in pop.people[-size:] if row[7] == "paused"}
        due_now = t % DUE_EVERY == DUE_AT
        pop.checkins.extend(_checkin_rows(team, ids, paused, pairs_programme, weeks, due_now, rng))
    return pop


def _checkin_rows(
    team: str,
    ids: Sequence[int],
    paused: set[int],
    programme_id: int,
    weeks: int,
    due_now: bool,
    rng: random.Random,
) -> list[tuple[Any, ...]]:
    """A workspace's check-ins: CHECKIN_WEEKS of history (sent; 70 % answered, the others
    reminded) and this week's, planned for Thursday 09:00. Where work is due now, a
    tenth of people have none planned yet, half have theirs due and unsent, and the rest had
    theirs sent yesterday with the reminder due."""
    rows: list[tuple[Any, ...]] = []
    this_week = checkin_timing.monday_of(NOW.date())
    for n, person in enumerate(ids):
        for back in range(min(weeks, CHECKIN_WEEKS), -1, -1):
            slot = checkin_timing.slot_for(this_week - timedelta(weeks=back), 3, "Europe/London")
            due, closes = slot.due_at, slot.closes_at
            sent = remind = reminded = answered = None
            if back > 0:
                sent, remind = due, due + checkin_timing.REMIND_AFTER
                if rng.random() < 0.7:
                    # Answered before its reminder: the reminder is called off.
                    answered, remind = due + timedelta(hours=2), None
                else:
                    reminded = remind
            elif person in paused:
                continue
            elif due_now and n % 10 == 0:
                continue  # to plan
            elif due_now and n % 10 < 6:
                due = NOW - timedelta(hours=1)  # to send
            elif due_now:
                due = NOW - timedelta(days=1)  # sent, the reminder due
                sent, remind = due, NOW - timedelta(minutes=30)
            answer = (rng.randint(1, 5), "on_track", 4, True) if answered else (None,) * 4
            rows.append(
                (
                    *(team, person, slot.week_start, programme_id, due, closes, sent, remind),
                    *(reminded, answered, *answer, False, due - timedelta(days=7), due),
                )
            )
    return rows


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
        "intro_at",
        "channel_id",
        "question_due_at",
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
    "checkins": (
        "team_id",
        "person_id",
        "week_start",
        "programme_id",
        "due_at",
        "closes_at",
        "sent_at",
        "remind_at",
        "reminded_at",
        "answered_at",
        "rating",
        "goal_status",
        "goal_progress",
        "met",
        "step_shared",
        "created_at",
        "updated_at",
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
    yield "checkins", pop.checkins


# Each workspace's copy of the curated question bank (as `QuestionRepository.ensure_bank`).
BANK_COPY = """
INSERT INTO questions (team_id, theme, text, source, created_at)
SELECT w.team_id, q.theme, q.text, q.source, q.created_at
FROM workspaces w CROSS JOIN questions q
WHERE q.team_id IS NULL
ORDER BY w.id, q.id
"""

# One week of questions seen: everyone was sent one of their workspace's bank that week.
SEEN_WEEK = """
INSERT INTO question_seen (team_id, person_id, question_id, group_id, seen_at)
SELECT p.team_id, p.id, b.first + (p.id + CAST(:week AS INTEGER)) % b.n, NULL, {at}
FROM people p
JOIN (SELECT team_id, min(id) AS first, count(*) AS n FROM questions
      WHERE team_id IS NOT NULL GROUP BY team_id) AS b ON b.team_id = p.team_id
"""

# One week of sent messages, on SQLite (PostgreSQL generates the year in one statement).
SENT_WEEK = """
INSERT INTO outbox (team_id, key, kind, channel_id, open_users, text, status, due_at,
                    next_attempt_at, attempts, sent_channel_id, sent_ts, sent_at, created_at)
SELECT p.team_id, 'sent:' || p.id || ':' || CAST(:week AS INTEGER), 'dm', 'D' || p.id, '[]',
       'A message', 'sent', :at, :at, 1, 'D' || p.id, '1700000000.000100', :at, :at
FROM people p
"""


async def load_history(engine: AsyncEngine, weeks: int) -> dict[str, int]:
    """The workspaces' question banks and a year of questions seen (both databases), and on
    SQLite the year of sent messages; then the planner's statistics."""
    postgres = engine.dialect.name == "postgresql"
    at = "CAST(:at AS TIMESTAMP WITH TIME ZONE)" if postgres else ":at"
    counts = {"questions": 0, "question_seen": 0}
    async with engine.begin() as connection:
        counts["questions"] = (await connection.execute(text(BANK_COPY))).rowcount
        for week in range(1, min(weeks, 52) + 1):
            params = {"week": week, "at": NOW - timedelta(weeks=week)}
            seen = text(SEEN_WEEK.format(at=at)).bindparams(bindparam("at", type_=UTCDateTime()))
            counts["question_seen"] += (await connection.execute(seen, params)).rowcount
            if not postgres:
                sent = text(SENT_WEEK).bindparams(bindparam("at", type_=UTCDateTime()))
                counts["outbox"] = (
                    counts.get("outbox", 0) + (await connection.execute(sent, params)).rowcount
                )
    async with engine.begin() as connection:
        await connection.exec_driver_sql("ANALYZE")
    return counts


JSON_COLUMNS = frozenset({"breakdown", "open_users"})


async def load_sqlite(engine: AsyncEngine, pop: Population) -> dict[str, int]:
    """The generated rows through the ORM's tables (so timestamps and JSON are stored as the
    app stores them), in chunks."""
    counts: dict[str, int] = {}
    async with engine.begin() as connection:
        for table, rows in _rows(pop):
            columns = TABLES[table]
            target = Base.metadata.tables[table]
            for start in range(0, len(rows), 5_000):
                chunk = [
                    {
                        column: json.loads(value) if column in JSON_COLUMNS else value
                        for column, value in zip(columns, row, strict=True)
                    }
                    for row in rows[start : start + 5_000]
                ]
                if chunk:
                    await connection.execute(target.insert(), chunk)
            counts[table] = len(rows)
    return counts


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
    """EXPLAIN ANALYZE every statement a query sent, with its parameters, rolled back (on
    SQLite, its EXPLAIN QUERY PLAN)."""
    postgres = engine.dialect.name == "postgresql"
    prefix = "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " if postgres else "EXPLAIN QUERY PLAN "
    plans: list[tuple[str, str]] = []
    async with engine.connect() as connection:
        for name, statements in sent.items():
            parts: list[str] = []
            for statement, parameters in statements:
                result = await connection.exec_driver_sql(prefix + statement, parameters)
                lines = [str(r[0]) if postgres else str(r[-1]) for r in result]
                parts.append(statement.strip() + "\n" + "\n".join(lines))
            await connection.rollback()
            plans.append((name, "\n\n".join(parts)))
    return plans


def scanned(plan: str) -> set[str]:
    """The tables a plan reads in full (PostgreSQL's "Seq Scan", SQLite's bare "SCAN")."""
    found = set(re.findall(r"Seq Scan on (\w+)", plan))
    found |= set(re.findall(r"^\s*SCAN (\w+)\s*$", plan, re.MULTILINE))
    return found


def uses_index(plan: str) -> bool:
    return _reads_index(plan) and not scanned(plan)


def _reads_index(plan: str) -> bool:
    return "Index" in plan or "USING INDEX" in plan or "USING COVERING INDEX" in plan


@dataclass(frozen=True, slots=True)
class StepTimes:
    """One step over the busy ticks (until it had nothing left) and the idle ticks after."""

    busy_ticks: int
    done: int
    busy_seconds: float
    slowest_busy: float
    idle_median: float
    idle_best: float


MAX_BUSY_TICKS = 200
# The steps run for real: the weekly questions and the check-ins. The others' busy ticks run
# the matching engine (see benchmarks.matching); their reads are the due-work queries above.
TIMED_STEPS: tuple[str, ...] = tuple(
    path for path in STEPS if path.startswith(("bot.questions.", "bot.checkins."))
)


async def time_steps(
    engine: AsyncEngine, now: datetime, repeat: int, steps: Sequence[str] = TIMED_STEPS
) -> dict[str, StepTimes]:
    """Run the tick's real steps, minute after minute from `now`, until none has work left
    (the busy ticks), then `repeat` ticks with nothing due (the idle ones), timing each step.
    Without Slack (statuses are not read) and without an LLM (questions come from the bank)."""
    clock = SimulatedClock(now)
    context = JobContext(sessions=create_sessionmaker(engine, clock=clock), clock=clock)
    resolved = [(path, resolve(path)) for path in steps]
    busy: dict[str, list[tuple[float, int]]] = {path: [] for path in steps}
    idle: dict[str, list[float]] = {path: [] for path in steps}
    pending = {path for path in steps}
    ticks = 0
    while pending and ticks < MAX_BUSY_TICKS:
        ticks += 1
        for path, step in resolved:
            started = time.perf_counter()
            done = await step(context, clock())
            seconds = time.perf_counter() - started
            if path in pending:
                busy[path].append((seconds, done))
                if done == 0:
                    pending.discard(path)
        clock.advance(timedelta(minutes=1))
    for _ in range(repeat):
        for path, step in resolved:
            started = time.perf_counter()
            done = await step(context, clock())
            idle[path].append(time.perf_counter() - started)
            if done:
                raise RuntimeError(f"{path} found work on an idle tick")
        clock.advance(timedelta(minutes=1))
    times: dict[str, StepTimes] = {}
    for path in steps:
        worked = [(seconds, done) for seconds, done in busy[path] if done]
        times[path] = StepTimes(
            busy_ticks=len(worked),
            done=sum(done for _, done in worked),
            busy_seconds=sum(seconds for seconds, _ in worked),
            slowest_busy=max((seconds for seconds, _ in worked), default=0.0),
            idle_median=statistics.median(idle[path]) if idle[path] else 0.0,
            idle_best=min(idle[path], default=0.0),
        )
    return times


@dataclass(frozen=True, slots=True)
class Result:
    counts: dict[str, int]
    load_seconds: float
    timing: Timing
    plans: list[tuple[str, str]]
    database: str = "PostgreSQL"
    steps: dict[str, StepTimes] = field(default_factory=dict)


async def measure(
    engine: AsyncEngine, *, repeat: int, steps: bool
) -> tuple[Timing, list[tuple[str, str]], dict[str, StepTimes]]:
    """The due-work queries (timed and explained), then the steps' busy and idle ticks (which
    do the due work, so they come last)."""
    recorder = _Recorder()
    event.listen(engine.sync_engine, "before_cursor_execute", recorder)
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    timing, sent = await time_due_work(sessions, recorder, NOW, repeat)
    plans = await explain(engine, sent)
    step_times = await time_steps(engine, NOW, repeat) if steps else {}
    return timing, plans, step_times


async def run_sqlite(*, people: int, weeks: int, repeat: int, steps: bool = True) -> Result:
    """The same population and measures on a scratch SQLite file."""
    with tempfile.TemporaryDirectory(prefix="peercoach-tick-") as folder:
        engine = create_engine(f"sqlite+aiosqlite:///{folder}/tick.db")
        try:
            await upgrade(engine)
            started = time.perf_counter()
            counts = await load_sqlite(engine, build(people, weeks))
            counts.update(await load_history(engine, weeks))
            load_seconds = time.perf_counter() - started
            timing, plans, step_times = await measure(engine, repeat=repeat, steps=steps)
        finally:
            await engine.dispose()
    return Result(counts, load_seconds, timing, plans, "SQLite", step_times)


async def run(admin: URL, *, people: int, weeks: int, repeat: int, steps: bool = True) -> Result:
    name = f"peercoach_bench_tick_{uuid.uuid4().hex[:10]}"
    admin_connection = await asyncpg.connect(asyncpg_dsn(admin), timeout=10)
    try:
        await admin_connection.execute(f'CREATE DATABASE "{name}"')
        url = admin.set(database=name)
        try:
            engine = create_engine(url.render_as_string(hide_password=False))
            try:
                await upgrade(engine)  # the real migrations: the schema's indexes, no others
                connection = await asyncpg.connect(asyncpg_dsn(url), timeout=10)
                started = time.perf_counter()
                try:
                    counts = await load(connection, build(people, weeks), weeks)
                finally:
                    await connection.close()
                history = await load_history(engine, weeks)
                counts.update(history)
                load_seconds = time.perf_counter() - started
                timing, plans, step_times = await measure(engine, repeat=repeat, steps=steps)
            finally:
                await engine.dispose()
        finally:
            await admin_connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin_connection.close()
    return Result(counts, load_seconds, timing, plans, "PostgreSQL", step_times)


def print_result(result: Result, out: Any = sys.stdout, *, plans: bool = True) -> None:
    print(f"{result.database}, population:", file=out)
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
        rows = timing.rows.get(name, 0)
        print(
            f"  {name:<26} {rows:>6} rows {timing.each[name] * 1000:>8.2f} ms  {_verdict(plan)}",
            file=out,
        )
    if result.steps:
        print(
            "\nSteps: busy ticks (until nothing is left) and idle ticks (nothing due), in ms",
            file=out,
        )
        print(
            f"  {'step':<40} {'busy ticks':>10} {'done':>6} {'busy total':>10} "
            f"{'slowest':>8} {'idle median':>11} {'idle best':>9}",
            file=out,
        )
        for path, t in result.steps.items():
            print(
                f"  {path:<40} {t.busy_ticks:>10} {t.done:>6} {t.busy_seconds * 1000:>10.1f} "
                f"{t.slowest_busy * 1000:>8.1f} {t.idle_median * 1000:>11.2f} "
                f"{t.idle_best * 1000:>9.2f}",
                file=out,
            )
        idle = sum(t.idle_median for t in result.steps.values())
        print(f"  {'whole idle tick (sum of medians)':<40} {idle * 1000:>63.2f}", file=out)
    if plans:
        for name, plan in result.plans:
            rows = timing.rows.get(name, 0)
            print(f"\n-- {name}: {rows} rows, {_verdict(plan)}", file=out)
            print(plan, file=out)


def _verdict(plan: str) -> str:
    tables = scanned(plan)
    if not tables:
        return "index" if _reads_index(plan) else "no table read"
    return "sequential scan of " + ", ".join(sorted(tables))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--database-url", help="admin URL of a PostgreSQL server (asyncpg)")
    parser.add_argument("--database", choices=("both", "postgresql", "sqlite"), default="both")
    parser.add_argument("--people", type=int, default=5_000)
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--no-steps", action="store_true", help="time the queries only")
    parser.add_argument("--no-plans", action="store_true", help="leave the EXPLAIN output out")
    args = parser.parse_args(argv)
    # The steps log what they do at INFO; only warnings and errors matter here.
    logging.basicConfig(level=logging.WARNING)
    steps = not args.no_steps
    if args.database in ("both", "sqlite"):
        result = asyncio.run(
            run_sqlite(people=args.people, weeks=args.weeks, repeat=args.repeat, steps=steps)
        )
        print_result(result, plans=not args.no_plans)
        print(file=sys.stdout)
    if args.database in ("both", "postgresql"):
        result = asyncio.run(
            run(
                admin_url(args.database_url),
                people=args.people,
                weeks=args.weeks,
                repeat=args.repeat,
                steps=steps,
            )
        )
        print_result(result, plans=not args.no_plans)
    return 0


if __name__ == "__main__":
    sys.exit(main())
