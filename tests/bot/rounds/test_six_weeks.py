"""Six simulated weeks of two programmes: one intro per group per round, nobody twice with
the same partner, nothing due at night, and the away and paused told instead of matched."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.domain import EnrolmentState, ProgrammeMode
from bot.fakes import FakeSlack
from bot.rounds.timing import match_time
from scheduling.tick import STEPS, run_tick
from storage.models import MatchGroup, MatchMember, OutboxMessage, Person, Round
from tests.bot.rounds.world import World, world

START = datetime(2026, 10, 21, 12, 0, tzinfo=UTC)  # a Wednesday; EU clocks change on the 25th
ZONES = ["Europe/London", "Europe/Berlin", "America/New_York", "America/Chicago"]
WEEKS = 6
# Rounds only: nobody here answers, so the follow-ups would (rightly) put everyone on hold after
# three silent rounds; tests/e2e/test_cadence.py runs the whole tick with people answering.
ROUND_STEPS = tuple(step for step in STEPS if not step.startswith("bot.groups."))


@pytest.fixture
async def w(database_url: str, fake_slack: FakeSlack) -> AsyncIterator[World]:
    async with world(database_url, fake_slack, START) as built:
        yield built


async def test_six_weeks_of_pairs_and_circles(w: World) -> None:
    pairs = await w.programme(intro_hour=9)
    circles = await w.programme(
        name="Circles", mode=ProgrammeMode.CIRCLES, group_size=4, weekday=2, is_default=False
    )
    zone_of: dict[str, str] = {}
    for n in range(30):
        user = f"U{n:03d}"
        zone_of[user] = ZONES[n % len(ZONES)]
        state = EnrolmentState.PAUSED if user == "U029" else EnrolmentState.ENROLLED
        person = await w.person(user, zone_of[user], level=1 + n % 6, state=state)
        await w.member(pairs, person)
        if n < 12:
            await w.member(circles, person)
    w.fake.set_status("U028", "Out of office", ":palm_tree:", 0)

    for _ in range(WEEKS * 7 * 2):  # every 12 hours for six weeks
        await run_tick(w.context_id, steps=ROUND_STEPS)
        w.clock.advance(timedelta(hours=12))

    async with w.sessions() as session:
        rounds = list(await session.scalars(select(Round).order_by(Round.id)))
        groups = list(await session.scalars(select(MatchGroup)))
        members = (
            await session.execute(
                select(MatchMember.group_id, Person.slack_user_id).join(
                    Person, Person.id == MatchMember.person_id
                )
            )
        ).tuples()
        outbox = list(await session.scalars(select(OutboxMessage)))
    by_group: dict[int, list[str]] = {}
    for group_id, user in members:
        by_group.setdefault(group_id, []).append(user)
    round_of = {g.id: g.round_id for g in groups}

    # Six Monday rounds of pairs and six Wednesday rounds of circles, each stored once.
    per_programme = Counter(r.programme_id for r in rounds)
    assert per_programme == {pairs.id: WEEKS, circles.id: WEEKS}
    assert len({(r.programme_id, r.scheduled_for) for r in rounds}) == len(rounds)
    assert all(r.scheduled_for.weekday() == 0 for r in rounds if r.programme_id == pairs.id)

    # One intro per group, to exactly its members, daytime for each of them.
    intros = {m.key: m for m in outbox if m.kind == "intro"}
    assert set(intros) == {f"intro:{g.id}" for g in groups}
    for group in groups:
        intro = intros[f"intro:{group.id}"]
        assert sorted(intro.open_users) == sorted(by_group[group.id])
        for user in by_group[group.id]:
            local = intro.due_at.astimezone(ZoneInfo(zone_of[user]))
            assert 8 <= local.hour < 20, (user, local)

    # In each round, everyone eligible is in exactly one group or told why not.
    notes = [m for m in outbox if m.kind == "dm"]
    for round_row in rounds:
        placed = Counter(
            u for g, users in by_group.items() if round_of[g] == round_row.id for u in users
        )
        assert all(count == 1 for count in placed.values())
        told = {
            m.open_users[0]
            for m in notes
            if m.key.split(":")[0] in ("skip", "left-out")
            and m.key.split(":")[1] == str(round_row.id)
        }
        assert not set(placed) & told
        expected = {f"U{n:03d}" for n in range(30 if round_row.programme_id == pairs.id else 12)}
        assert set(placed) | told == expected
        if round_row.programme_id == pairs.id:
            assert {"U028", "U029"} <= told

    # Nobody meets the same person twice, across both programmes.
    seen: Counter[frozenset[str]] = Counter()
    for users in by_group.values():
        for a, b in itertools.combinations(sorted(users), 2):
            seen[frozenset((a, b))] += 1
    assert max(seen.values()) == 1

    # Every note, too, is due in daytime for its reader.
    for note in notes:
        local = note.due_at.astimezone(ZoneInfo(zone_of[note.open_users[0]]))
        assert 8 <= local.hour < 20
    assert date(2026, 10, 26) in {r.scheduled_for for r in rounds}
    assert match_time(date(2026, 10, 26)) <= w.clock()
