"""Pause (with or without an end date), resume and leave, from commands and App Home."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.domain import EnrolmentState
from bot.fakes import FakeSlack
from bot.slack.blocks.enrolment import (
    ACTION_CANCEL,
    ACTION_CONFIRM_LEAVE,
    ACTION_PAUSE_UNTIL,
    BLOCK_PAUSE_UNTIL,
    PAUSE_CALLBACK_ID,
)
from bot.slack.blocks.home import ACTION_PAUSE, ACTION_RESUME
from tests.e2e.driver import Coach, all_text

ALICE = "U0ALICE"


def _today() -> datetime:
    return datetime.now(UTC)


async def test_pause_for_weeks_confirms_the_end_date(coach: Coach) -> None:
    await coach.enrol(ALICE)
    answer = await coach.ask("pause 2 weeks", ALICE)
    until = (_today() + timedelta(weeks=2)).date()
    person = await coach.person(ALICE)
    assert person is not None
    assert person.enrolment_state is EnrolmentState.PAUSED
    assert person.paused_until == until
    text = all_text(answer)
    assert str(until.day) in text
    assert "resume" in text.lower()


async def test_pause_until_a_date_and_resume(coach: Coach) -> None:
    await coach.enrol(ALICE)
    until = (_today() + timedelta(days=30)).date()
    await coach.ask(f"pause until {until.isoformat()}", ALICE)
    person = await coach.person(ALICE)
    assert person is not None
    assert person.paused_until == until
    answer = await coach.ask("resume", ALICE)
    assert answer["response_type"] == "ephemeral"
    person = await coach.person(ALICE)
    assert person is not None
    assert person.enrolment_state is EnrolmentState.ENROLLED
    assert person.paused_until is None


async def test_pause_without_a_date_lasts_until_resume(coach: Coach) -> None:
    await coach.enrol(ALICE)
    await coach.ask("pause", ALICE)
    person = await coach.person(ALICE)
    assert person is not None
    assert person.enrolment_state is EnrolmentState.PAUSED
    assert person.paused_until is None


async def test_malformed_pause_is_explained_in_the_ack_and_changes_nothing(coach: Coach) -> None:
    await coach.enrol(ALICE)
    for text in ("pause 40 weeks", "pause until 2020-01-01", "pause until someday", "pause x y z"):
        sent = await coach.command(text, ALICE)
        answer = sent.json
        assert answer["response_type"] == "ephemeral"
        assert "/peercoach pause" in all_text(answer)
    person = await coach.person(ALICE)
    assert person is not None
    assert person.enrolment_state is EnrolmentState.ENROLLED


async def test_resume_when_not_paused_says_so(coach: Coach) -> None:
    await coach.enrol(ALICE)
    answer = await coach.ask("resume", ALICE)
    assert "not paused" in all_text(answer).lower()


async def test_pause_when_not_enrolled_says_how_to_join(coach: Coach) -> None:
    answer = await coach.ask("pause 2 weeks", ALICE)
    assert "/peercoach find" in all_text(answer)
    assert await coach.person(ALICE) is None


async def test_leave_asks_first_then_stops_and_keeps_history(coach: Coach) -> None:
    await coach.enrol(ALICE)
    answer = await coach.ask("leave", ALICE)
    assert ACTION_CONFIRM_LEAVE in all_text(answer)
    person = await coach.person(ALICE)
    assert person is not None
    assert person.enrolment_state is EnrolmentState.ENROLLED  # nothing happens before "yes"

    sent = await coach.slack.block_action(ACTION_CONFIRM_LEAVE, user_id=ALICE)
    assert sent.status == 200
    url = sent.payload["response_url"]
    response = await coach.fake.wait_for_response(predicate=lambda r: r.url == url)
    assert response.json["replace_original"] is True
    person = await coach.person(ALICE)
    assert person is not None
    assert person.enrolment_state is EnrolmentState.LEFT
    assert person.left_at is not None
    # The profile stays for statistics; `find` brings them back.
    assert person.level == 3
    answer = await coach.ask("find", ALICE)
    # Someone who comes back is welcomed back, not introduced to peercoach as a newcomer.
    assert "Welcome back to peercoach" in all_text(answer)
    person = await coach.person(ALICE)
    assert person is not None
    assert person.enrolment_state is EnrolmentState.ENROLLED


async def test_cancel_leaves_everything_as_it_was(coach: Coach) -> None:
    await coach.enrol(ALICE)
    sent = await coach.slack.block_action(ACTION_CANCEL, user_id=ALICE)
    url = sent.payload["response_url"]
    response = await coach.fake.wait_for_response(predicate=lambda r: r.url == url)
    assert response.json["replace_original"] is True
    person = await coach.person(ALICE)
    assert person is not None
    assert person.enrolment_state is EnrolmentState.ENROLLED


async def test_home_pause_modal_and_resume_button(coach: Coach, fake_slack: FakeSlack) -> None:
    await coach.enrol(ALICE)
    mark = len(fake_slack.calls)
    await coach.slack.block_action(ACTION_PAUSE, user_id=ALICE, view={"id": "VH", "type": "home"})
    view = await coach.opened_view(ALICE, PAUSE_CALLBACK_ID, after=mark)

    past = {
        BLOCK_PAUSE_UNTIL: {
            ACTION_PAUSE_UNTIL: {"type": "datepicker", "selected_date": "2020-01-01"}
        }
    }
    sent = await coach.submit(PAUSE_CALLBACK_ID, view, past, ALICE)
    assert sent.json["response_action"] == "errors"
    assert BLOCK_PAUSE_UNTIL in sent.json["errors"]

    until = (_today() + timedelta(days=10)).date()
    chosen = {
        BLOCK_PAUSE_UNTIL: {
            ACTION_PAUSE_UNTIL: {"type": "datepicker", "selected_date": until.isoformat()}
        }
    }
    mark = len(fake_slack.calls)
    sent = await coach.submit(PAUSE_CALLBACK_ID, view, chosen, ALICE)
    assert not sent.body
    home = await coach.home_after(ALICE, mark, containing=ACTION_RESUME)
    assert ACTION_PAUSE not in str(home)
    person = await coach.person(ALICE)
    assert person is not None
    assert person.paused_until == until

    mark = len(fake_slack.calls)
    await coach.slack.block_action(ACTION_RESUME, user_id=ALICE, view={"id": "VH", "type": "home"})
    await coach.home_after(ALICE, mark, containing=ACTION_PAUSE)
    person = await coach.person(ALICE)
    assert person is not None
    assert person.enrolment_state is EnrolmentState.ENROLLED


async def test_find_while_paused_resumes_and_says_so_rather_than_welcoming_anew(
    coach: Coach,
) -> None:
    await coach.enrol(ALICE)
    until = (_today() + timedelta(days=21)).date()
    await coach.ask(f"pause until {until.isoformat()}", ALICE)
    before = await coach.person(ALICE)
    assert before is not None
    assert before.enrolled_at is not None
    answer = await coach.ask("find", ALICE)
    text = all_text(answer)
    assert "Welcome back" in text
    assert "pause is over" in text
    assert "Welcome to peercoach" not in text
    person = await coach.person(ALICE)
    assert person is not None
    assert person.enrolment_state is EnrolmentState.ENROLLED
    assert person.paused_until is None
    assert person.enrolled_at == before.enrolled_at


async def test_mentor_offer_while_paused_says_the_pause_is_over(coach: Coach) -> None:
    await coach.enrol(ALICE)
    await coach.ask("pause 2 weeks", ALICE)
    answer = await coach.ask("mentor 2", ALICE)
    assert "pause is over" in all_text(answer)
    person = await coach.person(ALICE)
    assert person is not None
    assert person.enrolment_state is EnrolmentState.ENROLLED
    assert person.mentor_capacity == 2
