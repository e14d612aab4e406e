"""Joining: `find` and its variants, the profile modal, `profile`, `status`, App Home."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, time

import pytest

from bot.domain import EnrolmentState, MemberRole, MembershipRole, ProgrammeMode
from bot.enrolment.profile_form import (
    BLOCK_DO_NOT_PAIR,
    BLOCK_GOALS,
    BLOCK_LEVEL,
    BLOCK_TIME_ZONE,
)
from bot.enrolment.profile_form import CALLBACK_ID as PROFILE_CALLBACK_ID
from bot.fakes import FakeSlack
from bot.slack.blocks.home import ACTION_EDIT_PROFILE, ACTION_FIND
from storage.models import MatchGroup, MatchMember, Person, Round
from tests.e2e.driver import Coach, all_text

ALICE, BOB = "U0ALICE", "U0BOB"


async def test_find_without_a_profile_opens_the_modal_prefilled_from_slack(coach: Coach) -> None:
    view = await coach.open_profile("find", ALICE)
    # Slack's time zone for Alice is the starting value; nothing is enrolled until she saves.
    time_zone = next(b for b in view["blocks"] if b.get("block_id") == BLOCK_TIME_ZONE)
    assert time_zone["element"]["initial_value"] == "Europe/London"
    # Opening the modal writes nothing: no person (and no workspace) until she submits.
    counts = await coach.row_counts()
    assert counts["people"] == 0
    assert counts["workspaces"] == 0
    assert json.loads(view["private_metadata"]) == {"intent": "find"}


async def test_saving_the_profile_enrols_and_confirms(coach: Coach, fake_slack: FakeSlack) -> None:
    mark = len(fake_slack.calls)
    dm = await coach.enrol(ALICE, function="engineering", level="3", time_zone="Europe/Berlin")
    assert "next round" in all_text(dm).lower()

    person = await coach.person(ALICE)
    assert person is not None
    assert person.enrolment_state is EnrolmentState.ENROLLED
    assert await coach.memberships(ALICE) == {(ProgrammeMode.PAIRS, MembershipRole.PARTICIPANT)}
    assert person.function == "engineering"
    assert person.level == 3
    assert person.time_zone == "Europe/Berlin"
    assert person.goals == ["Give clearer feedback to my team"]
    assert person.goal_tags == ["giving-feedback"]
    assert (person.work_start, person.work_end) == (time(9), time(17))
    assert person.enrolled_at is not None
    # App Home is refreshed with the new state.
    home = await coach.home_after(ALICE, mark)
    assert "Give clearer feedback" in json.dumps(home)


async def test_invalid_values_come_back_as_inline_errors_and_nothing_is_saved(
    coach: Coach,
) -> None:
    view = await coach.open_profile("find", ALICE)
    values = coach.profile_values(
        view,
        time_zone="Europe/Berlinn",
        **{BLOCK_GOALS[0]: {"value": "x" * 400}, BLOCK_DO_NOT_PAIR: {"selected_users": [ALICE]}},
    )
    values[BLOCK_LEVEL] = {next(iter(values[BLOCK_LEVEL])): {"type": "static_select"}}
    sent = await coach.submit(PROFILE_CALLBACK_ID, view, values, ALICE)
    answer = sent.json
    assert answer["response_action"] == "errors"
    errors = answer["errors"]
    assert {BLOCK_TIME_ZONE, BLOCK_GOALS[0], BLOCK_DO_NOT_PAIR, BLOCK_LEVEL} <= set(errors)
    assert "Europe/Berlin" in errors[BLOCK_TIME_ZONE]
    # Validated from the payload alone: nothing was written.
    assert await coach.person(ALICE) is None


async def test_find_with_a_profile_confirms_and_names_the_next_round(coach: Coach) -> None:
    await coach.enrol(ALICE)
    answer = await coach.ask("find", ALICE)
    text = all_text(answer)
    assert "next round" in text.lower()
    assert answer["response_type"] == "ephemeral"


PAIRS = (ProgrammeMode.PAIRS, MembershipRole.PARTICIPANT)


@pytest.mark.parametrize(
    ("command", "check", "joined"),
    [
        ("find circle", None, {PAIRS, (ProgrammeMode.CIRCLES, MembershipRole.PARTICIPANT)}),
        ("find mentor", None, {PAIRS, (ProgrammeMode.MENTORSHIP, MembershipRole.MENTEE)}),
        ("find flash", lambda p: p.flash_week is not None, {PAIRS}),
        (
            "mentor 2",
            lambda p: p.mentor_capacity == 2,
            {PAIRS, (ProgrammeMode.MENTORSHIP, MembershipRole.MENTOR)},
        ),
        (
            "mentor",
            lambda p: p.mentor_capacity == 1,
            {PAIRS, (ProgrammeMode.MENTORSHIP, MembershipRole.MENTOR)},
        ),
    ],
)
async def test_joining_variants_after_a_profile(
    coach: Coach,
    command: str,
    check: Callable[[Person], bool] | None,
    joined: set[tuple[ProgrammeMode, MembershipRole]],
) -> None:
    await coach.enrol(ALICE)
    answer = await coach.ask(command, ALICE)
    assert answer["response_type"] == "ephemeral"
    person = await coach.person(ALICE)
    assert person is not None
    assert person.enrolment_state is EnrolmentState.ENROLLED
    assert check is None or check(person)
    assert await coach.memberships(ALICE) == joined


async def test_find_circle_first_time_goes_through_the_modal(coach: Coach) -> None:
    await coach.enrol(BOB, text="find circle")
    person = await coach.person(BOB)
    assert person is not None
    assert await coach.memberships(BOB) == {(ProgrammeMode.CIRCLES, MembershipRole.PARTICIPANT)}


async def test_profile_edit_is_prefilled_and_keeps_enrolment(coach: Coach) -> None:
    await coach.enrol(ALICE, level="4")
    before = await coach.person(ALICE)
    assert before is not None
    view = await coach.open_profile("profile", ALICE)
    level = next(b for b in view["blocks"] if b.get("block_id") == BLOCK_LEVEL)
    assert level["element"]["initial_option"]["value"] == "4"
    assert json.loads(view["private_metadata"]) == {"intent": "profile"}
    values = coach.profile_values(view, level="5", function="design")
    mark = len(coach.fake.calls)
    await coach.submit(PROFILE_CALLBACK_ID, view, values, ALICE)
    dm = await coach.dm_after(ALICE, mark)
    assert "saved" in all_text(dm).lower()
    person = await coach.person(ALICE)
    assert person is not None
    assert (person.level, person.function) == (5, "design")
    assert person.enrolment_state is EnrolmentState.ENROLLED
    assert (person.enrolled_at, person.cadence) == (before.enrolled_at, before.cadence)
    assert await coach.memberships(ALICE) == {(ProgrammeMode.PAIRS, MembershipRole.PARTICIPANT)}


async def test_status_when_not_enrolled_says_how_to_join(coach: Coach) -> None:
    answer = await coach.ask("status", ALICE)
    assert "/peercoach find" in all_text(answer)
    assert await coach.person(ALICE) is None


async def test_status_when_enrolled_shows_programme_and_next_round(coach: Coach) -> None:
    await coach.enrol(ALICE)
    answer = await coach.ask("status", ALICE)
    text = all_text(answer)
    assert "Peer pairs" in text
    assert "/peercoach pause" in text


async def test_do_not_pair_list_is_stored_and_never_shown(coach: Coach) -> None:
    view = await coach.open_profile("find", ALICE)
    values = coach.profile_values(view, **{BLOCK_DO_NOT_PAIR: {"selected_users": [BOB]}})
    mark = len(coach.fake.calls)
    await coach.submit(PROFILE_CALLBACK_ID, view, values, ALICE)
    home = await coach.home_after(ALICE, mark)
    dm = await coach.dm_after(ALICE, mark)
    assert BOB not in json.dumps(home)
    assert BOB not in json.dumps(dm)
    counts = await coach.row_counts()
    assert counts["do_not_pair"] == 1
    status = await coach.ask("status", ALICE)
    assert BOB not in all_text(status)


async def test_app_home_shows_state_and_buttons(coach: Coach, fake_slack: FakeSlack) -> None:
    mark = len(fake_slack.calls)
    await coach.slack.event({"type": "app_home_opened", "user": ALICE, "tab": "home"})
    home = await coach.home_after(ALICE, mark)
    assert ACTION_FIND in json.dumps(home)
    await coach.enrol(ALICE)
    mark = len(fake_slack.calls)
    await coach.slack.event({"type": "app_home_opened", "user": ALICE, "tab": "home"})
    home = await coach.home_after(ALICE, mark)
    dumped = json.dumps(home)
    assert ACTION_EDIT_PROFILE in dumped
    assert "Give clearer feedback" in dumped
    assert "open-ended" in dumped  # the guide to being a good peer coach


async def test_home_find_button_opens_the_profile_modal(
    coach: Coach, fake_slack: FakeSlack
) -> None:
    mark = len(fake_slack.calls)
    sent = await coach.slack.block_action(
        ACTION_FIND, user_id=BOB, view={"id": "VHOME", "type": "home"}
    )
    assert sent.status == 200
    view = await coach.opened_view(BOB, PROFILE_CALLBACK_ID, after=mark)
    assert json.loads(view["private_metadata"]) == {"intent": "find"}


async def test_home_and_status_show_current_partners(coach: Coach, fake_slack: FakeSlack) -> None:
    await coach.enrol(ALICE)
    await coach.enrol(BOB, function="design")
    alice, bob = await coach.person(ALICE), await coach.person(BOB)
    assert alice is not None
    assert bob is not None
    async with coach.sessions() as session:
        round_ = Round(
            team_id=alice.team_id, mode="pairs", seed=7, scheduled_for=date(2026, 11, 30)
        )
        session.add(round_)
        await session.flush()
        group = MatchGroup(
            team_id=alice.team_id,
            round_id=round_.id,
            score=3.2,
            breakdown={},
            explanation="different functions, both level 3",
        )
        session.add(group)
        await session.flush()
        session.add_all(
            MatchMember(group_id=group.id, person_id=p.id, role=MemberRole.PEER)
            for p in (alice, bob)
        )
        await session.commit()

    mark = len(fake_slack.calls)
    await coach.slack.event({"type": "app_home_opened", "user": ALICE, "tab": "home"})
    home = json.dumps(await coach.home_after(ALICE, mark, containing=f"<@{BOB}>"))
    # Stored before explanations left levels out: shown without Bob's level.
    assert "Why you were matched: different functions" in home
    assert "level 3" not in home
    status = all_text(await coach.ask("status", ALICE))
    assert f"<@{BOB}>" in status
    assert "level 3" not in status
