"""People and failures a polished app must handle: each answered clearly, nothing half-saved."""

from __future__ import annotations

import pytest

from bot.domain import EnrolmentState
from bot.enrolment.profile_form import BLOCK_TIME_ZONE
from bot.enrolment.profile_form import CALLBACK_ID as PROFILE_CALLBACK_ID
from bot.fakes import FakeSlack
from tests.e2e.driver import Coach, all_text

ALICE = "U0ALICE"


async def _no_person_rows(coach: Coach) -> None:
    counts = await coach.row_counts()
    assert counts["people"] == 0
    assert counts["do_not_pair"] == 0


@pytest.mark.parametrize(
    ("user", "traits", "says"),
    [
        ("U0GONE", {"deleted": True}, "deactivated"),
        ("U0ROBOT", {"is_bot": True}, "bot"),
        ("U0GUEST", {"team_id": "T0OTHERORG"}, "workspace"),
    ],
)
async def test_people_who_cannot_take_part_are_told_why(
    coach: Coach, fake_slack: FakeSlack, user: str, traits: dict[str, object], says: str
) -> None:
    fake_slack.add_user(user, name=user.lower(), **traits)  # type: ignore[arg-type]
    answer = await coach.ask("find", user)
    assert says in all_text(answer).lower()
    assert not fake_slack.calls_to("views.open")
    await _no_person_rows(coach)


async def test_a_user_slack_no_longer_knows_is_told_kindly(
    coach: Coach, fake_slack: FakeSlack
) -> None:
    # users.info answers user_not_found: the account was deleted outright.
    answer = await coach.ask("status", "U0NOBODY")
    assert answer["response_type"] == "ephemeral"
    assert "U0NOBODY" not in all_text(answer)
    await _no_person_rows(coach)


async def test_a_user_without_a_time_zone_is_asked_for_one(
    coach: Coach, fake_slack: FakeSlack
) -> None:
    fake_slack.add_user("U0NOTZ", name="nomad", tz=None)
    view = await coach.open_profile("find", "U0NOTZ")
    block = next(b for b in view["blocks"] if b.get("block_id") == BLOCK_TIME_ZONE)
    assert not block["element"].get("initial_value")
    values = coach.profile_values(view)
    values[BLOCK_TIME_ZONE] = {
        next(iter(values[BLOCK_TIME_ZONE])): {"type": "plain_text_input", "value": None}
    }
    sent = await coach.submit(PROFILE_CALLBACK_ID, view, values, "U0NOTZ")
    assert BLOCK_TIME_ZONE in sent.json["errors"]
    await coach.enrol("U0NOTZ", time_zone="Asia/Kolkata")
    person = await coach.person("U0NOTZ")
    assert person is not None
    assert person.time_zone == "Asia/Kolkata"


async def test_a_retried_command_is_processed_once(coach: Coach, fake_slack: FakeSlack) -> None:
    first, second = await coach.send_twice("find", ALICE)
    assert first.status == 200
    assert second.status == 200
    await fake_slack.wait_for_call("views.open")
    assert len(fake_slack.calls_to("users.info")) == 1
    assert len(fake_slack.calls_to("views.open")) == 1


async def test_a_retried_event_is_processed_once(coach: Coach, fake_slack: FakeSlack) -> None:
    event = {"type": "app_home_opened", "user": ALICE, "tab": "home"}
    await coach.slack.event(event, event_id="Ev0SAME")
    await fake_slack.wait_for_call("views.publish")
    sent = await coach.slack.event(event, event_id="Ev0SAME", retry_num=1)
    assert sent.status == 200
    await coach.slack.event(event, event_id="Ev0OTHER")
    await fake_slack.wait_for_call(
        "views.publish", predicate=lambda c: fake_slack.calls_to("views.publish").index(c) == 1
    )
    assert len(fake_slack.calls_to("views.publish")) == 2


@pytest.mark.parametrize(("status", "error"), [(429, "ratelimited"), (500, None)])
async def test_users_info_failing_asks_to_try_again_and_saves_nothing(
    coach: Coach, fake_slack: FakeSlack, status: int, error: str | None
) -> None:
    fake_slack.script("users.info", status=status, error=error, retry_after=0, times=5)
    answer = await coach.ask("find", ALICE)
    assert "try again" in all_text(answer).lower()
    assert not fake_slack.calls_to("views.open")
    await _no_person_rows(coach)


async def test_users_info_failing_leaves_an_existing_profile_untouched(
    coach: Coach, fake_slack: FakeSlack
) -> None:
    await coach.enrol(ALICE)
    # Let the join's own App Home refresh (which also asks users.info) finish first.
    await coach.home_after(ALICE, 0)
    fake_slack.script("users.info", status=500, times=5)
    answer = await coach.ask("pause 2 weeks", ALICE)
    assert "try again" in all_text(answer).lower()
    person = await coach.person(ALICE)
    assert person is not None
    assert person.enrolment_state is EnrolmentState.ENROLLED
