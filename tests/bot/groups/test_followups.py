"""The due work of groups, run tick by tick with a simulated clock on a real database."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain import GroupState, OutboxStatus
from bot.groups.followups import run_due
from bot.groups.timing import in_working_hours
from bot.process.clock import SimulatedClock
from bot.slack.blocks.groups import (
    ACTION_GHOST_LEAVE,
    ACTION_GHOST_PAUSE,
    ACTION_GHOST_STAY,
    ACTION_MET,
    ACTION_MET_YES,
    ACTION_NOT_MET,
    ACTION_PAUSE,
    ACTION_SKIP,
)
from scheduling.context import JobContext
from storage.models import MatchGroup, Membership, Round
from tests.bot.groups.conftest import START
from tests.bot.groups.factory import World


async def _tick_until(context: JobContext, clock: SimulatedClock, until: timedelta) -> int:
    """Tick every 2 hours from now to now + `until` (every minute would find the same work)."""
    done = 0
    end = clock() + until
    while clock() < end:
        clock.advance(timedelta(hours=2))
        done += await run_due(context, clock())
    return done


def _action_ids(blocks: object) -> set[str]:
    found: set[str] = set()
    for block in blocks if isinstance(blocks, list) else []:
        for element in block.get("elements", []) if block.get("type") == "actions" else []:
            found.add(element["action_id"])
    return found


async def test_midpoint_nudge_goes_once_inside_working_hours(
    world: World, job_context: JobContext, clock: SimulatedClock
) -> None:
    alice = await world.person("U0ALICE", "Europe/London")
    bob = await world.person("U0BOB", "America/New_York")
    round_ = await world.round(START)
    group = await world.pair(round_, alice, bob)

    assert await run_due(job_context, clock()) == 0  # nothing is due at the start
    # The mid-point is Thu 5 Nov 21:00 UTC: night in London, evening in New York.
    clock.set(START + timedelta(days=3, hours=12))
    assert await run_due(job_context, clock()) == 1
    assert await run_due(job_context, clock()) == 0
    clock.advance(timedelta(hours=1))
    assert await run_due(job_context, clock()) == 0

    [nudge] = await world.outbox("nudge:")
    assert nudge.key == f"nudge:{group.id}:1"
    assert nudge.open_users == ["U0ALICE", "U0BOB"]
    assert nudge.channel_id is None
    assert _action_ids(nudge.blocks) == {ACTION_MET, ACTION_SKIP, ACTION_PAUSE}
    assert all(e["value"] == str(group.id) for e in nudge.blocks[1]["elements"])  # type: ignore[index]
    # Not sent at night: held for the first hour inside both working days.
    assert nudge.due_at > clock() - timedelta(hours=1)
    for tz in ("Europe/London", "America/New_York"):
        assert in_working_hours(nudge.due_at, ZoneInfo(tz))
    stored = await world.reload(Round, round_.id)
    assert stored.midpoint_done_at is not None
    assert (await world.reload(MatchGroup, group.id)).nudges_sent == 1


async def test_no_midpoint_nudge_for_groups_that_met_or_skipped(
    world: World, job_context: JobContext, clock: SimulatedClock
) -> None:
    people = [await world.person(f"U0P{i}") for i in range(6)]
    round_ = await world.round(START)
    met = await world.pair(round_, people[0], people[1])
    skipped = await world.pair(round_, people[2], people[3])
    quiet = await world.pair(round_, people[4], people[5], channel_id="G0QUIET")
    async with world.sessions() as session:
        (await session.get(MatchGroup, met.id)).met_at = START  # type: ignore[union-attr]
        (await session.get(MatchGroup, skipped.id)).skipped_at = START  # type: ignore[union-attr]
        await session.commit()

    await _tick_until(job_context, clock, timedelta(days=4))
    nudges = await world.outbox("nudge:")
    assert [n.key for n in nudges] == [f"nudge:{quiet.id}:1"]
    # The group DM is known: the reminder goes there, no new conversation is opened.
    assert nudges[0].channel_id == "G0QUIET"
    assert nudges[0].open_users == []


async def test_at_most_two_per_round_and_the_groups_end(
    world: World, job_context: JobContext, clock: SimulatedClock
) -> None:
    alice = await world.person("U0ALICE", "Europe/Berlin")
    bob = await world.person("U0BOB", "America/Chicago")
    round_ = await world.round(START)
    group = await world.pair(round_, alice, bob)

    # Three weeks of ticks: the round's mid-point, its end, and long after.
    await _tick_until(job_context, clock, timedelta(days=21))
    nudges = await world.outbox("nudge:")
    assert [n.key for n in nudges] == [f"nudge:{group.id}:1", f"nudge:{group.id}:2"]
    end = nudges[1]
    assert _action_ids(end.blocks) == {ACTION_MET_YES, ACTION_NOT_MET}
    for nudge in nudges:
        for tz in ("Europe/Berlin", "America/Chicago"):
            assert in_working_hours(nudge.due_at, ZoneInfo(tz))
    stored = await world.reload(MatchGroup, group.id)
    assert stored.state is GroupState.ENDED
    assert stored.ended_at is not None
    assert stored.nudges_sent == 2
    assert (await world.reload(Round, round_.id)).end_done_at is not None


async def test_a_late_midpoint_reminder_is_overtaken_by_the_end(
    world: World, job_context: JobContext, clock: SimulatedClock
) -> None:
    # Down for the whole round: both due times have passed at the first tick.
    alice = await world.person("U0ALICE")
    bob = await world.person("U0BOB")
    round_ = await world.round(START, length=timedelta(days=2))
    group = await world.pair(round_, alice, bob)
    clock.set(START + timedelta(days=5))
    assert await run_due(job_context, clock()) == 2
    nudges = {n.key: n.status for n in await world.outbox("nudge:")}
    assert nudges == {
        f"nudge:{group.id}:1": OutboxStatus.CANCELLED,
        f"nudge:{group.id}:2": OutboxStatus.PENDING,
    }


async def _silent_rounds(
    world: World, job_context: JobContext, clock: SimulatedClock, count: int, *people: object
) -> list[Round]:
    rounds = []
    for _ in range(count):
        round_ = await world.round(clock())
        await world.pair(round_, *people)  # type: ignore[arg-type]
        assert round_.midpoint_at is not None
        assert round_.ends_at is not None
        for moment in (round_.midpoint_at, round_.ends_at):
            clock.set(moment + timedelta(minutes=1))
            assert await run_due(job_context, clock()) == 1
        rounds.append(round_)
    return rounds


async def test_three_silent_rounds_put_a_person_on_hold_with_one_question(
    world: World, job_context: JobContext, clock: SimulatedClock
) -> None:
    alice = await world.person("U0ALICE")
    bob = await world.person("U0BOB")
    await _silent_rounds(world, job_context, clock, 2, alice, bob)
    membership = await world.membership_of(alice)
    assert (membership.silent_rounds, membership.on_hold_since) == (2, None)
    assert await world.outbox("ghost:") == []

    [third] = await _silent_rounds(world, job_context, clock, 1, alice, bob)
    ghosts = await world.outbox("ghost:")
    assert len(ghosts) == 2  # one each for Alice and Bob
    membership = await world.membership_of(alice)
    assert membership.silent_rounds == 3
    assert third.ends_at is not None
    assert membership.on_hold_since == third.ends_at + timedelta(minutes=1)
    mine = next(g for g in ghosts if g.open_users == ["U0ALICE"])
    assert mine.key == f"ghost:{membership.id}:{third.id}"
    assert _action_ids(mine.blocks) == {ACTION_GHOST_STAY, ACTION_GHOST_PAUSE, ACTION_GHOST_LEAVE}
    assert all(e["value"] == str(membership.id) for e in mine.blocks[1]["elements"])  # type: ignore[index]
    assert in_working_hours(mine.due_at, ZoneInfo("Europe/London"))

    # A fourth silent round (the round runner would have left them out) asks nothing again.
    await _silent_rounds(world, job_context, clock, 1, alice, bob)
    assert len(await world.outbox("ghost:")) == 2


async def test_a_group_that_answered_resets_the_count(
    world: World, job_context: JobContext, clock: SimulatedClock
) -> None:
    alice = await world.person("U0ALICE")
    bob = await world.person("U0BOB")
    await _silent_rounds(world, job_context, clock, 2, alice, bob)
    round_ = await world.round(clock())
    group = await world.pair(round_, alice, bob)
    async with world.sessions() as session:
        (await session.get(MatchGroup, group.id)).met_at = clock()  # type: ignore[union-attr]
        await session.commit()
    clock.set(round_.ends_at + timedelta(minutes=1))  # type: ignore[operator]
    assert await run_due(job_context, clock()) == 2  # the mid-point and the end
    for person in (alice, bob):
        assert (await world.membership_of(person)).silent_rounds == 0
    await _silent_rounds(world, job_context, clock, 2, alice, bob)
    assert (await world.membership_of(alice)).silent_rounds == 2
    assert await world.outbox("ghost:") == []


async def test_a_membership_that_left_is_not_counted(
    world: World, job_context: JobContext, clock: SimulatedClock
) -> None:
    from bot.domain import MembershipState

    alice = await world.person("U0ALICE")
    bob = await world.person("U0BOB")
    membership = await world.membership_of(alice)
    async with world.sessions() as session:
        row = await session.get(Membership, membership.id)
        assert row is not None
        row.state = MembershipState.LEFT
        await session.commit()
    await _silent_rounds(world, job_context, clock, 3, alice, bob)
    assert (await world.membership_of(alice)).silent_rounds == 0
    assert [g.open_users for g in await world.outbox("ghost:")] == [["U0BOB"]]


def test_blocks_are_json() -> None:
    # Outbox rows store blocks as JSON; the builders must give plain data.
    from bot.slack.blocks.groups import end_nudge, ghost_question, midpoint_nudge

    for message in (midpoint_nudge(1), end_nudge(1), ghost_question(1, 3)):
        json.dumps(message)


async def test_one_failing_round_does_not_hold_up_the_others(
    world: World, job_context: JobContext, clock: SimulatedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.groups import followups

    people = [await world.person(f"U0P{i}") for i in range(4)]
    broken = await world.round(START)
    await world.pair(broken, people[0], people[1])
    other = await world.round(START + timedelta(days=1))
    group = await world.pair(other, people[2], people[3])
    real = followups.midpoint

    async def failing(context: JobContext, round_id: int, *, now: datetime) -> bool:
        if round_id == broken.id:
            raise RuntimeError("a round that cannot be processed")
        return await real(context, round_id, now=now)

    monkeypatch.setattr(followups, "midpoint", failing)
    clock.set(START + timedelta(days=5))
    assert await run_due(job_context, clock()) == 1
    assert [n.key for n in await world.outbox("nudge:")] == [f"nudge:{group.id}:1"]
    assert (await world.reload(Round, broken.id)).midpoint_done_at is None

    # When everything due fails, the tick hears of it.
    clock.advance(timedelta(minutes=1))
    with pytest.raises(RuntimeError, match="cannot be processed"):
        await run_due(job_context, clock())


async def test_a_large_round_is_done_in_batches_each_group_once(
    world: World, job_context: JobContext, clock: SimulatedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.groups import followups

    monkeypatch.setattr(followups, "GROUPS_PER_TRANSACTION", 2)
    people = [await world.person(f"U0P{i:02}") for i in range(10)]
    round_ = await world.round(START)
    groups = [await world.pair(round_, people[i], people[i + 1]) for i in range(0, 10, 2)]
    clock.set(START + timedelta(days=8))
    assert await run_due(job_context, clock()) == 2
    keys = sorted(n.key for n in await world.outbox("nudge:"))
    assert keys == sorted(f"nudge:{g.id}:{n}" for g in groups for n in (1, 2))
    for group in groups:
        stored = await world.reload(MatchGroup, group.id)
        assert (stored.state, stored.nudges_sent) == (GroupState.ENDED, 2)
    for person in people:
        assert (await world.membership_of(person)).silent_rounds == 1
