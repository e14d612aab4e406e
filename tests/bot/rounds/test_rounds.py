"""Rounds through the tick, on SQLite and PostgreSQL, with Slack statuses from the fake."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.domain import EnrolmentState, GroupState, MembershipRole, MembershipState, ProgrammeMode
from bot.fakes import FakeSlack
from bot.matching.from_database import load_programme_match_input
from bot.matching.model import Mode, Unavailable
from bot.rounds.service import run_round_now
from bot.rounds.timing import match_time
from scheduling.tick import run_tick
from storage.models import MatchGroup, MatchMember, Person, ProgrammeRow, Round
from tests.bot.rounds.world import TEAM, World, world

# A Wednesday; the weekly programme's round falls on Mondays.
WEDNESDAY = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
NEXT_MONDAY = date(2026, 12, 7)
ROUNDS = "bot.rounds.steps:run_rounds"


@pytest.fixture
async def w(database_url: str, fake_slack: FakeSlack) -> AsyncIterator[World]:
    async with world(database_url, fake_slack, WEDNESDAY) as built:
        yield built


async def _groups(w: World) -> list[tuple[MatchGroup, list[str]]]:
    async with w.sessions() as session:
        groups = list(await session.scalars(select(MatchGroup).order_by(MatchGroup.id)))
        out = []
        for group in groups:
            users = await session.scalars(
                select(Person.slack_user_id)
                .join(MatchMember, MatchMember.person_id == Person.id)
                .where(MatchMember.group_id == group.id)
                .order_by(Person.slack_user_id)
            )
            out.append((group, list(users)))
        return out


async def _pairs_programme(w: World, people: int, zones: list[str]) -> ProgrammeRow:
    programme = await w.programme()
    for n in range(people):
        person = await w.person(f"U{n:03d}", zones[n % len(zones)])
        await w.member(programme, person)
    return programme


def _daytime(when: datetime, zone: str) -> bool:
    return 8 <= when.astimezone(ZoneInfo(zone)).hour < 20


async def test_a_round_missed_during_downtime_runs_once_late(w: World) -> None:
    zones = ["Europe/London", "Europe/Berlin", "America/New_York", "Asia/Kolkata"]
    programme = await _pairs_programme(w, 8, zones)
    first = await run_tick(w.context_id)
    assert first["bot.rounds.steps:schedule_programmes"] == 1
    assert first[ROUNDS] == 0
    stored = await w.get(ProgrammeRow, programme.id)
    assert stored.next_round_at == match_time(NEXT_MONDAY)

    # Down for three weeks: the first tick back runs the missed round once.
    w.clock.advance(timedelta(weeks=3))
    back = await run_tick(w.context_id)
    assert back[ROUNDS] == 1
    again = await run_tick(w.context_id)
    assert again[ROUNDS] == 0
    async with w.sessions() as session:
        rounds = list(await session.scalars(select(Round)))
    assert [r.scheduled_for for r in rounds] == [NEXT_MONDAY]
    stored = await w.get(ProgrammeRow, programme.id)
    assert stored.next_round_at > w.clock()  # the next one is ahead, not another catch-up

    groups = await _groups(w)
    placed = [u for _, users in groups for u in users]
    assert sorted(placed) == [f"U{n:03d}" for n in range(8)]
    intros = await w.outbox("intro")
    assert sorted(i.key for i in intros) == sorted(f"intro:{g.id}" for g, _ in groups)
    zone_of = {f"U{n:03d}": zones[n % len(zones)] for n in range(8)}
    for group, users in groups:
        intro = next(i for i in intros if i.key == f"intro:{group.id}")
        assert sorted(intro.open_users) == users
        assert intro.on_sent == {"group_id": group.id}
        assert intro.due_at == group.intro_at
        # Late, so not before now, and daytime for every member.
        assert intro.due_at >= w.clock()
        assert all(_daytime(intro.due_at, zone_of[u]) for u in users)
        actions = next(b for b in intro.blocks or [] if b["type"] == "actions")["elements"]
        assert [(a["action_id"], a["value"]) for a in actions] == [
            ("group_met", str(group.id)),
            ("group_skip", str(group.id)),
            ("group_pause", str(group.id)),
        ]
    # users.list was asked (paged), not users.info per person.
    assert w.fake.calls_to("users.list")
    assert not w.fake.calls_to("users.info")


async def test_on_time_round_intros_at_the_intro_hour(w: World) -> None:
    programme = await w.programme(intro_hour=10)
    for user in ("U1", "U2"):
        await w.member(programme, await w.person(user, "Europe/Berlin"))
    await run_tick(w.context_id)
    w.clock.set(match_time(NEXT_MONDAY))
    done = await run_tick(w.context_id)
    assert done[ROUNDS] == 1
    [(group, users)] = await _groups(w)
    assert users == ["U1", "U2"]
    assert group.intro_at == datetime(2026, 12, 7, 9, tzinfo=UTC)  # 10:00 in Berlin
    async with w.sessions() as session:
        [round_row] = list(await session.scalars(select(Round)))
    assert round_row.midpoint_at == group.intro_at + timedelta(days=3, hours=12)
    assert round_row.ends_at == group.intro_at + timedelta(days=7)
    stored = await w.get(ProgrammeRow, programme.id)
    assert stored.next_round_at == match_time(NEXT_MONDAY + timedelta(weeks=1))


async def test_two_runners_at_once_store_each_round_once(
    w: World, database_url: str, fake_slack: FakeSlack
) -> None:
    await _pairs_programme(w, 10, ["Europe/London", "Europe/Paris"])
    await run_tick(w.context_id)
    w.clock.set(match_time(NEXT_MONDAY) + timedelta(minutes=1))
    async with world(database_url, fake_slack, w.clock(), name="second") as other:
        results = await asyncio.gather(run_tick(w.context_id), run_tick(other.context_id))
        again = await asyncio.gather(run_tick(w.context_id), run_tick(other.context_id))
    assert sorted(r[ROUNDS] for r in results) == [0, 1]
    assert [r[ROUNDS] for r in again] == [0, 0]
    assert await w.count(Round) == 1
    groups = await _groups(w)
    assert len(groups) == 5
    assert len(await w.outbox("intro")) == 5
    placed = [u for _, users in groups for u in users]
    assert len(placed) == len(set(placed)) == 10


async def test_people_left_out_are_each_told_once_why(w: World) -> None:
    programme = await w.programme()
    now = w.clock()
    available = [await w.person(u) for u in ("U0A", "U0B", "U0C", "U0D")]
    paused = await w.person("U0PAUSED", state=EnrolmentState.PAUSED)
    left = await w.person("U0LEFT")
    gone = await w.person("U0GONE")
    away = await w.person("U0AWAY")
    back = await w.person("U0BACK")  # an "away" status that has expired
    held = await w.person("U0HELD")
    for person in [*available, paused, away, back, gone]:
        await w.member(programme, person)
    await w.member(programme, left, state=MembershipState.LEFT, left_at=now)
    await w.member(programme, held, on_hold_since=now - timedelta(days=1))
    w.fake.users["U0GONE"]["deleted"] = True
    w.fake.set_status("U0AWAY", "Vacationing", ":palm_tree:", 0)
    w.fake.set_status("U0BACK", "Out sick", ":face_with_thermometer:", int(now.timestamp()))

    await run_tick(w.context_id)
    w.clock.set(match_time(NEXT_MONDAY))
    assert (await run_tick(w.context_id))[ROUNDS] == 1
    assert (await run_tick(w.context_id))[ROUNDS] == 0

    placed = sorted(u for _, users in await _groups(w) for u in users)
    assert placed == ["U0A", "U0B", "U0BACK", "U0C", "U0D"]
    dms = await w.outbox("dm")
    by_user = {tuple(m.open_users): m for m in dms}
    assert sorted(u for (u,) in by_user) == ["U0AWAY", "U0HELD", "U0LEFT", "U0PAUSED"]
    assert len(dms) == 4
    assert "paused" in by_user[("U0PAUSED",)].text
    assert "left" in by_user[("U0LEFT",)].text
    assert "away" in by_user[("U0AWAY",)].text
    assert "holding your place" in by_user[("U0HELD",)].text
    for message in dms:
        zone = ZoneInfo("Europe/London")
        assert 8 <= message.due_at.astimezone(zone).hour < 20


async def test_a_slack_failure_does_not_block_the_round(w: World) -> None:
    programme = await w.programme()
    for user in ("U1", "U2"):
        await w.member(programme, await w.person(user))
    w.fake.set_status("U2", "Vacationing", ":palm_tree:", 0)
    w.fake.script("users.list", error="fatal_error", times=5)
    await run_tick(w.context_id)
    w.clock.set(match_time(NEXT_MONDAY))
    assert (await run_tick(w.context_id))[ROUNDS] == 1
    # Statuses could not be read: nobody is known to be away.
    [(_, users)] = await _groups(w)
    assert users == ["U1", "U2"]


async def test_someone_no_rule_allows_a_partner_for_is_told_why(w: World) -> None:
    programme = await w.programme()
    for user, zone in (
        ("U1", "Europe/London"),
        ("U2", "Europe/London"),
        ("U3", "Pacific/Auckland"),
    ):
        await w.member(programme, await w.person(user, zone))
    await run_tick(w.context_id)
    w.clock.set(match_time(NEXT_MONDAY))
    await run_tick(w.context_id)
    [(_, users)] = await _groups(w)
    assert users == ["U1", "U2"]
    [note] = await w.outbox("dm")
    assert note.open_users == ["U3"]
    assert note.key.startswith("left-out:")
    assert "too many hours away" in note.text


async def test_mentorship_groups_wait_for_the_mentor_with_fallbacks(w: World) -> None:
    programme = await w.programme(name="Mentoring", mode=ProgrammeMode.MENTORSHIP, is_default=False)
    mentee = await w.person("U0MENTEE", level=1)
    for user, level in (("U0M1", 5), ("U0M2", 4), ("U0M3", 6)):
        await w.member(
            programme, await w.person(user, level=level, mentor_capacity=1), MembershipRole.MENTOR
        )
    await w.member(programme, mentee, MembershipRole.MENTEE)
    await run_tick(w.context_id)
    w.clock.set(match_time(NEXT_MONDAY))
    assert (await run_tick(w.context_id))[ROUNDS] == 1
    [(group, users)] = await _groups(w)
    assert group.state is GroupState.PROPOSED
    assert group.intro_at is None
    assert await w.outbox("intro") == []
    mentor = next(u for u in users if u != "U0MENTEE")
    assert len(group.mentor_fallbacks) == 2
    assert mentor not in group.mentor_fallbacks
    assert set(group.mentor_fallbacks) == {"U0M1", "U0M2", "U0M3"} - {mentor}


async def test_round_now_runs_at_once_and_only_once(w: World) -> None:
    programme = await _pairs_programme(w, 4, ["Europe/London"])
    await run_tick(w.context_id)
    summary = await run_round_now(w.sessions, None, programme.id, w.clock())
    assert summary.outcome == "ran"
    assert summary.scheduled_for == WEDNESDAY.date()
    assert summary.groups == 2
    again = await run_tick(w.context_id)
    assert again[ROUNDS] == 0
    intros = await w.outbox("intro")
    assert all(i.due_at == WEDNESDAY for i in intros)  # 12:00 in London: at once
    stored = await w.get(ProgrammeRow, programme.id)
    # The next round keeps the cadence from this one: a week on, on the programme's weekday.
    assert stored.next_round_at == match_time(date(2026, 12, 14))


async def test_round_now_twice_on_one_day_stores_one_round_and_moves_on(w: World) -> None:
    programme = await _pairs_programme(w, 4, ["Europe/London"])
    assert (await run_round_now(w.sessions, None, programme.id, w.clock())).outcome == "ran"
    w.clock.advance(timedelta(hours=1))
    second = await run_round_now(w.sessions, None, programme.id, w.clock())
    assert second.outcome == "taken"
    assert await w.count(Round) == 1
    stored = await w.get(ProgrammeRow, programme.id)
    assert stored.next_round_at == match_time(date(2026, 12, 14))  # not stuck at "now"
    assert (await run_tick(w.context_id))[ROUNDS] == 0


async def test_next_round_at_set_to_now_is_picked_up_by_the_next_tick(w: World) -> None:
    programme = await _pairs_programme(w, 2, ["Europe/London"])
    async with w.sessions() as session:
        row = await session.get(ProgrammeRow, programme.id)
        assert row is not None
        row.next_round_at = w.clock()
        await session.commit()
    w.clock.advance(timedelta(minutes=1))
    assert (await run_tick(w.context_id))[ROUNDS] == 1
    assert len(await w.outbox("intro")) == 1


async def test_a_pause_ends_on_its_date_once(w: World) -> None:
    person = await w.person(
        "U0P", "America/New_York", state=EnrolmentState.PAUSED, paused_until=date(2026, 12, 4)
    )
    await w.person("U0Q", state=EnrolmentState.PAUSED, paused_until=date(2026, 12, 20))
    assert (await run_tick(w.context_id))["bot.rounds.steps:end_pauses"] == 0
    w.clock.set(datetime(2026, 12, 4, 0, 5, tzinfo=UTC))
    assert (await run_tick(w.context_id))["bot.rounds.steps:end_pauses"] == 1
    assert (await run_tick(w.context_id))["bot.rounds.steps:end_pauses"] == 0
    stored = await w.get(Person, person.id)
    assert stored.enrolment_state is EnrolmentState.ENROLLED
    assert stored.paused_until is None
    [note] = await w.outbox("dm")
    assert note.open_users == ["U0P"]
    assert "pause is over" in note.text
    # 00:05 UTC is 19:05 in New York: daytime, so it goes at once.
    assert note.due_at == w.clock()


async def test_a_cohort_closes_after_its_end_with_one_note_each(w: World) -> None:
    programme = await w.programme(
        name="Winter circle",
        mode=ProgrammeMode.CIRCLES,
        kind="cohort",
        group_size=3,
        is_default=False,
        starts_on=date(2026, 11, 2),
        ends_on=date(2026, 12, 3),
        next_round_at=match_time(date(2026, 12, 7)),
    )
    for user in ("U1", "U2", "U3"):
        await w.member(programme, await w.person(user))
    assert (await run_tick(w.context_id))["bot.rounds.steps:close_cohorts"] == 0
    w.clock.set(datetime(2026, 12, 4, 9, tzinfo=UTC))
    done = await run_tick(w.context_id)
    assert done["bot.rounds.steps:close_cohorts"] == 1
    assert done[ROUNDS] == 0
    assert (await run_tick(w.context_id))["bot.rounds.steps:close_cohorts"] == 0
    stored = await w.get(ProgrammeRow, programme.id)
    assert stored.closed_at == w.clock()
    assert stored.next_round_at is None
    notes = await w.outbox("dm")
    assert sorted(n.open_users[0] for n in notes) == ["U1", "U2", "U3"]
    assert all("Winter circle" in n.text and "come to an end" in n.text for n in notes)
    assert await w.count(Round) == 0


async def test_a_cohort_runs_rounds_only_within_its_dates(w: World) -> None:
    programme = await w.programme(
        name="Sprint",
        kind="cohort",
        is_default=False,
        starts_on=date(2026, 12, 10),
        ends_on=date(2026, 12, 20),
    )
    for user in ("U1", "U2"):
        await w.member(programme, await w.person(user))
    await run_tick(w.context_id)
    stored = await w.get(ProgrammeRow, programme.id)
    assert stored.next_round_at == match_time(date(2026, 12, 14))  # first Monday from the start
    w.clock.set(match_time(date(2026, 12, 14)))
    assert (await run_tick(w.context_id))[ROUNDS] == 1
    stored = await w.get(ProgrammeRow, programme.id)
    # The next Monday is after the end: the cohort is due only to close.
    assert stored.next_round_at == match_time(date(2026, 12, 21))
    w.clock.set(match_time(date(2026, 12, 21)))
    done = await run_tick(w.context_id)
    assert done[ROUNDS] == 0
    assert (await w.get(ProgrammeRow, programme.id)).closed_at is not None
    assert await w.count(Round) == 1


async def test_flash_requests_are_paired_daily_and_the_odd_one_is_told_later(w: World) -> None:
    week = date(2026, 11, 30)
    for user, zone in (("U1", "Europe/London"), ("U2", "Europe/Paris"), ("U3", "Pacific/Auckland")):
        await w.person(user, zone, flash_week=week)
    await w.programme()
    done = await run_tick(w.context_id)
    assert done["bot.rounds.steps:match_flash"] == 1
    assert (await run_tick(w.context_id))["bot.rounds.steps:match_flash"] == 0
    [(group, users)] = await _groups(w)
    assert users == ["U1", "U2"]
    [intro] = await w.outbox("intro")
    assert intro.key == f"intro:{group.id}"
    assert intro.due_at >= w.clock()
    # The one left waits; after the following week nobody else asked, so they are told.
    w.clock.set(datetime(2026, 12, 14, 9, tzinfo=UTC))
    await run_tick(w.context_id)
    notes = await w.outbox("dm")
    assert len(notes) == 1
    assert "Nobody else asked" in notes[0].text
    assert await w.count(MatchGroup) == 1


async def test_a_programme_preview_input_comes_from_its_memberships(w: World) -> None:
    programme = await w.programme()
    other = await w.programme(name="Circles", mode=ProgrammeMode.CIRCLES, is_default=False)
    now = w.clock()
    for user in ("U1", "U2"):
        await w.member(programme, await w.person(user))
    await w.member(programme, await w.person("U3", state=EnrolmentState.PAUSED))
    await w.member(programme, await w.person("U4"), on_hold_since=now)
    await w.member(programme, await w.person("U5"), state=MembershipState.LEFT, left_at=now)
    await w.member(other, await w.person("U6"))
    async with w.sessions() as session:
        inp = await load_programme_match_input(
            session, programme_id=programme.id, team_id=TEAM, mode=Mode.PAIRS, on=NEXT_MONDAY
        )
    by_id = {p.id: p for p in inp.participants}
    assert sorted(by_id) == ["U1", "U2", "U3"]
    assert by_id["U3"].unavailable is Unavailable.PAUSED
    assert by_id["U1"].unavailable is None


async def test_one_tick_reads_a_workspaces_statuses_once_for_all_its_rounds(w: World) -> None:
    pairs = await w.programme()
    circles = await w.programme(
        name="Circles", mode=ProgrammeMode.CIRCLES, group_size=3, is_default=False
    )
    for n in range(6):
        person = await w.person(f"U{n}")
        await w.member(pairs, person)
        await w.member(circles, person)
    w.fake.set_status("U5", "Vacationing", ":palm_tree:", 0)
    await run_tick(w.context_id)
    w.clock.set(match_time(NEXT_MONDAY))
    before = len(w.fake.calls_to("users.list"))
    assert (await run_tick(w.context_id))[ROUNDS] == 2
    # One pass over the (single-page) member list for both rounds.
    assert len(w.fake.calls_to("users.list")) - before == 1
    away = [n for n in await w.outbox("dm") if n.key.startswith("skip:")]
    assert sorted(n.open_users[0] for n in away) == ["U5", "U5"]  # once per programme
