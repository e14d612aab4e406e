"""Weeks of check-ins on a simulated clock, on both databases: planned, sent at 09:00 local
in four time zones across two daylight-saving changes, reminded about once, never at a
weekend, once per person and week."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bot.checkins import service
from bot.checkins.service import ModalAnswer, Outcome, goal_progress
from bot.checkins.steps import send_due
from bot.domain import (
    Cadence,
    EnrolmentState,
    GoalStatus,
    MembershipRole,
    ProgrammeMode,
    StepDone,
)
from bot.privacy.service import export_person, forget_person
from bot.process.clock import SimulatedClock
from scheduling.context import JobContext
from storage.models import CheckIn, Membership, OutboxMessage, Person, ProgrammeRow
from tests.bot.checkins.conftest import START, ZONES, run_until, set_checkin_day
from tests.bot.groups.factory import World

THURSDAY = 3


def _local(moment: datetime, zone: str) -> datetime:
    return moment.astimezone(ZoneInfo(zone))


async def _checkins(world: World, person: Person) -> list[CheckIn]:
    async with world.sessions() as session:
        found = await session.scalars(
            select(CheckIn).where(CheckIn.person_id == person.id).order_by(CheckIn.week_start)
        )
        return list(found)


async def test_four_zones_across_daylight_saving(
    world: World, job_context: JobContext, clock: SimulatedClock
) -> None:
    await set_checkin_day(world, THURSDAY)
    people = {zone: await world.person(f"UZ{n}", tz=zone) for n, zone in enumerate(ZONES)}
    london = people["Europe/London"]

    # London answers the second week's check-in on the Thursday itself: no reminder then.
    await run_until(job_context, clock, datetime(2026, 10, 29, 12, tzinfo=UTC))
    async with world.sessions() as session:
        person = await session.get(Person, london.id)
        assert person is not None
        checkin = await service.open_checkin(session, person, clock())
        assert checkin is not None
        assert checkin.week_start.isoformat() == "2026-10-26"
        service.record_rating(checkin, 4, clock())
        await session.commit()
    # A second runner at the same moment changes nothing.
    await send_due(job_context, clock())
    await run_until(job_context, clock, datetime(2026, 11, 16, tzinfo=UTC))

    outbox = await world.outbox("checkin")
    keys = Counter(row.key for row in outbox)
    assert set(keys.values()) == {1}
    for zone, person in people.items():
        sent = [r for r in outbox if r.key.startswith(f"checkin:{person.id}:")]
        reminders = [r for r in outbox if r.key.startswith(f"checkin-reminder:{person.id}:")]
        assert len(sent) == 4, zone
        for row in sent:
            local = _local(row.due_at, zone)
            assert (local.weekday(), local.time()) == (THURSDAY, time(9)), (zone, local)
            assert row.open_users == [person.slack_user_id]
        # One reminder a week, except the week London answered.
        assert len(reminders) == (3 if person is london else 4), zone
        for row in reminders:
            local = _local(row.due_at, zone)
            assert local.weekday() < 5, (zone, local)
            assert time(9) <= local.time() < time(18), (zone, local)
        weeks = [c.week_start for c in await _checkins(world, person)]
        assert [w.weekday() for w in weeks] == [0] * len(weeks)
        assert len(set(weeks)) == len(weeks)
    # The UTC hour moved with the clocks; the local one did not.
    london_hours = sorted(
        {r.due_at.astimezone(UTC).hour for r in outbox if r.key.startswith(f"checkin:{london.id}:")}
    )
    assert london_hours == [8, 9]


async def test_nothing_for_someone_paused_and_one_a_week_with_two_programmes(
    world: World, job_context: JobContext, clock: SimulatedClock
) -> None:
    await set_checkin_day(world, THURSDAY)
    busy = await world.person("UBUSY", tz="Europe/London")
    paused = await world.person("UPAUSED", tz="Europe/London")
    async with world.sessions() as session:
        circles = ProgrammeRow(
            team_id=world.team_id,
            name="Circles",
            mode=ProgrammeMode.CIRCLES,
            cadence=Cadence.WEEKLY,
            weekday=0,
            intro_hour=9,
            group_size=4,
            checkin_weekday=1,
        )
        session.add(circles)
        await session.flush()
        session.add(
            Membership(
                team_id=world.team_id,
                programme_id=circles.id,
                person_id=busy.id,
                role=MembershipRole.PARTICIPANT,
            )
        )
        stored = await session.get(Person, paused.id)
        assert stored is not None
        stored.enrolment_state = EnrolmentState.PAUSED
        await session.commit()

    await run_until(job_context, clock, START + timedelta(weeks=2))

    outbox = await world.outbox("checkin:")
    assert not [r for r in outbox if r.key.startswith(f"checkin:{paused.id}:")]
    mine = [r for r in outbox if r.key.startswith(f"checkin:{busy.id}:")]
    assert len(mine) == 2
    # The earlier of the two programmes' days (Tuesday), once a week.
    assert {_local(r.due_at, "Europe/London").weekday() for r in mine} == {1}


async def test_a_planned_check_in_is_dropped_when_its_person_pauses(
    world: World, job_context: JobContext, clock: SimulatedClock
) -> None:
    await set_checkin_day(world, THURSDAY)
    person = await world.person("ULATER", tz="Europe/London")
    await send_due(job_context, clock())
    assert len(await _checkins(world, person)) == 1
    async with world.sessions() as session:
        stored = await session.get(Person, person.id)
        assert stored is not None
        stored.enrolment_state = EnrolmentState.PAUSED
        await session.commit()
    await run_until(job_context, clock, START + timedelta(days=5))
    assert await _checkins(world, person) == []
    assert await world.outbox("checkin") == []


async def test_one_check_in_per_person_and_week(world: World) -> None:
    person = await world.person("UONCE")
    week = START.date()
    async with world.sessions() as session:
        session.add(CheckIn(team_id=world.team_id, person_id=person.id, week_start=week))
        await session.commit()
    async with world.sessions() as session:
        session.add(CheckIn(team_id=world.team_id, person_id=person.id, week_start=week))
        with pytest.raises(IntegrityError):
            await session.commit()


async def test_last_weeks_step_is_asked_about_and_feeds_goal_progress(
    world: World, job_context: JobContext, clock: SimulatedClock
) -> None:
    await set_checkin_day(world, THURSDAY)
    person = await world.person("USTEP", tz="Asia/Kolkata")
    await run_until(job_context, clock, datetime(2026, 10, 22, 6, tzinfo=UTC))
    async with world.sessions() as session:
        stored = await session.get(Person, person.id)
        assert stored is not None
        checkin = await service.open_checkin(session, stored, clock())
        assert checkin is not None
        answer = ModalAnswer(
            rating=4,
            goal_status=GoalStatus.SOME_PROGRESS,
            met=True,
            step="Ask <!channel> for *feedback*",
            note="private words",
            step_shared=False,
            previous_step_done=None,
            note_shared=False,
        )
        assert not await service.record_modal(session, checkin, stored, answer, clock())
        await session.commit()
        assert checkin.goal_progress == 3

    await run_until(job_context, clock, datetime(2026, 10, 29, 6, tzinfo=UTC))
    second = (await world.outbox(f"checkin:{person.id}:"))[-1]
    shown = json.dumps(second.blocks)
    assert "Ask &lt;!channel&gt; for *feedback*" in shown
    assert "<!channel>" not in shown
    assert "private words" not in shown
    assert "checkin_previous_yes" in shown

    async with world.sessions() as session:
        stored = await session.get(Person, person.id)
        assert stored is not None
        checkin = await service.open_checkin(session, stored, clock())
        assert checkin is not None
        assert checkin.week_start.isoformat() == "2026-10-26"
        service.record_previous(checkin, StepDone.YES, clock())
        assert checkin.goal_progress == 4  # from the step alone, before any goal status
        checkin.goal_status = GoalStatus.ON_TRACK
        service.record_rating(checkin, 5, clock())
        assert checkin.goal_progress == 5
        await session.commit()


def test_goal_progress_moves_with_the_step() -> None:
    assert goal_progress(None, None) is None
    assert goal_progress(GoalStatus.SOME_PROGRESS, None) == 3
    assert goal_progress(GoalStatus.SOME_PROGRESS, StepDone.YES) == 4
    assert goal_progress(GoalStatus.SOME_PROGRESS, StepDone.NO) == 2
    assert goal_progress(GoalStatus.STUCK, StepDone.NO) == 1
    assert goal_progress(GoalStatus.ACHIEVED, StepDone.YES) == 5
    assert goal_progress(None, StepDone.PARTLY) == 3


async def test_answers_can_change_until_the_week_ends(
    world: World, job_context: JobContext, clock: SimulatedClock
) -> None:
    await set_checkin_day(world, THURSDAY)
    person = await world.person("UEDIT", tz="America/Los_Angeles")
    await run_until(job_context, clock, datetime(2026, 10, 22, 18, tzinfo=UTC))
    [checkin] = await _checkins(world, person)
    assert checkin.sent_at is not None
    assert checkin.closes_at is not None
    # Sunday 23:59 their time: still open. Monday 00:00 their time: closed.
    for moment, outcome in (
        (checkin.closes_at - timedelta(minutes=1), Outcome.SAVED),
        (checkin.closes_at, Outcome.CLOSED),
    ):
        async with world.sessions() as session:
            found = await service.own_checkin(
                session, world.team_id, person.slack_user_id, checkin.id, moment
            )
            assert found.outcome is outcome
    async with world.sessions() as session:
        other = await service.own_checkin(session, world.team_id, "USOMEONE", checkin.id, START)
        assert other.outcome is Outcome.NOT_YOURS
    assert _local(checkin.closes_at, "America/Los_Angeles").weekday() == 0


async def test_export_has_the_steps_and_notes_and_forget_removes_every_copy(
    world: World, job_context: JobContext, clock: SimulatedClock
) -> None:
    await set_checkin_day(world, THURSDAY)
    person = await world.person("UFORGET", tz="Europe/London")
    await run_until(job_context, clock, datetime(2026, 10, 22, 12, tzinfo=UTC))
    async with world.sessions() as session:
        stored = await session.get(Person, person.id)
        assert stored is not None
        checkin = await service.open_checkin(session, stored, clock())
        assert checkin is not None
        answer = ModalAnswer(
            rating=2,
            goal_status=GoalStatus.STUCK,
            met=False,
            step="heron-saffron-311",
            note="otter-violet-205",
            step_shared=True,
            previous_step_done=None,
            note_shared=True,
        )
        # Not in a circle: sharing has nowhere to go, so the step stays private.
        assert not await service.record_modal(session, checkin, stored, answer, clock())
        await session.commit()
    await run_until(job_context, clock, datetime(2026, 10, 29, 12, tzinfo=UTC))
    assert "heron-saffron-311" in json.dumps([r.blocks for r in await world.outbox("checkin:")])

    async with world.sessions() as session:
        stored = await session.get(Person, person.id)
        assert stored is not None
        document = await export_person(session, stored, clock())
        [first, second] = document["checkins"]
        assert (first["step"], first["note"], first["goal_status"]) == (
            "heron-saffron-311",
            "otter-violet-205",
            "stuck",
        )
        # The export says which notes they shared with the programme team.
        assert (first["note_shared"], second["note_shared"]) == (True, False)
        summary = await forget_person(session, stored, clock())
        await session.commit()
    assert summary.checkins_deleted == 2
    async with world.sessions() as session:
        assert list(await session.scalars(select(CheckIn))) == []
        left = list(await session.scalars(select(OutboxMessage)))
    assert "heron-saffron-311" not in json.dumps([(r.key, r.text, r.blocks) for r in left])
    assert not [r for r in left if r.key.startswith(("checkin:", "checkin-reminder:"))]
