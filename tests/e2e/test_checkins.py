"""A whole week of check-ins through Slack: sent at 09:00 local, answered with buttons, the
modal and plain words in the DM, reminded about once, a shared step posted to the circle, and
what people wrote found nowhere it should not be: not in any other Slack call, not in a log.
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.checkins.steps import checkin_key
from bot.domain import GoalStatus, GroupState, MemberRole
from bot.enrolment.profile_form import CALLBACK_ID as PROFILE_CALLBACK_ID
from bot.fakes import FakeSlack, SlackRequestSender
from bot.fakes.modal_state import option_for, with_values
from bot.fakes.openai import FakeOpenAI
from bot.fakes.slack import RecordedCall
from bot.process.clock import SimulatedClock
from bot.process.config import LogFormat
from bot.process.logs import configure_logging
from bot.process.runtime import Server
from bot.slack.blocks import checkin as blocks
from scheduling.tick import run_tick
from storage.models import CheckIn, MatchGroup, MatchMember, Person, Round
from tests.e2e.driver import Coach, all_text
from tests.fixtures.app import SIGNING_SECRET, make_settings

pytestmark = pytest.mark.timeout(120)

START = datetime(2026, 12, 7, 10, tzinfo=UTC)  # a Monday
AUTHOR, PEER, QUIET = "U0AUTHOR", "U0PEERKOL", "U0QUIETLA"
ZONES = {AUTHOR: "Europe/London", PEER: "Asia/Kolkata", QUIET: "America/Los_Angeles"}
STEP = "zebra-marmalade-417 <!channel> ask for *feedback*"
STEP_MARK = "zebra-marmalade-417"
NOTE_MARK = "walrus-origami-528"
PEER_MARK = "quokka-lantern-982"


@dataclass
class Week:
    coach: Coach
    clock: SimulatedClock
    server: Server
    log: io.StringIO

    @property
    def fake(self) -> FakeSlack:
        return self.coach.fake

    async def tick(self, moment: datetime) -> None:
        self.clock.set(moment)
        await run_tick(self.server.job_context_id)
        # Two messages to the same DM are paced a moment apart: let that moment pass.
        for _ in range(3):
            await self.server.dispatcher.dispatch_once()
            self.clock.advance(timedelta(seconds=5))

    async def dm(self, user: str, text: str) -> str:
        """Type `text` in the DM with the bot; the bot's answer there."""
        mark = len(self.fake.calls)
        channel = self.fake.im_channel_id(user)
        event = {
            "type": "message",
            "channel_type": "im",
            "channel": channel,
            "user": user,
            "text": text,
        }
        sent = await self.coach.slack.event(event)
        assert sent.status == 200
        call = await self.fake.wait_for_call(
            "chat.postMessage", predicate=lambda c: c.args.get("channel") == channel, after=mark
        )
        return all_text(call.args)

    async def press(self, action_id: str, user: str, value: str) -> str:
        payload = self.coach.slack.block_action_payload(action_id, user_id=user, value=value)
        url = payload["response_url"]
        sent = await self.coach.slack._post_interaction(payload)
        assert sent.status == 200
        response = await self.fake.wait_for_response(predicate=lambda r: r.url == url)
        return json.dumps(response.json)

    async def checkin_of(self, user: str, week: str) -> CheckIn:
        async with self.coach.sessions() as session:
            found = await session.scalar(
                select(CheckIn)
                .join(Person, Person.id == CheckIn.person_id)
                .where(Person.slack_user_id == user, CheckIn.week_start == date.fromisoformat(week))
            )
            assert found is not None
            return found


@pytest.fixture
def debug_log() -> Iterator[io.StringIO]:
    """The app's own logging configuration at DEBUG, written to a buffer."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    buffer = io.StringIO()
    configure_logging("DEBUG", LogFormat.TEXT, stream=buffer)
    try:
        yield buffer
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)


@pytest.fixture
async def fake_openai() -> AsyncIterator[FakeOpenAI]:
    async with FakeOpenAI() as fake:
        yield fake


@pytest.fixture
async def week(
    fake_slack: FakeSlack, database_url: str, fake_openai: FakeOpenAI, debug_log: io.StringIO
) -> AsyncIterator[Week]:
    for user, zone in ZONES.items():
        fake_slack.add_user(user, name=user.lower(), tz=zone)
    clock = SimulatedClock(START)
    # With an LLM configured, so that what reaches it is checked too.
    settings = make_settings(
        fake_slack,
        database_url,
        openai_api_key=fake_openai.api_key,
        openai_base_url=fake_openai.base_url,
    )
    server = Server(
        settings, host="127.0.0.1", port=0, clock=clock, run_dispatcher=False, tick_seconds=86400
    )
    await server.start()
    try:
        url = f"http://127.0.0.1:{server.bound_port}/slack/events"
        async with SlackRequestSender(url, SIGNING_SECRET, fake=fake_slack) as sender:
            yield Week(Coach(sender, fake_slack, server), clock, server, debug_log)
    finally:
        await server.stop()


async def _circle(week: Week) -> str:
    """The three of them in a circle whose group DM exists."""
    channel = week.fake.mpim_channel_id(list(ZONES))
    week.fake.add_channel(channel, name="mpdm-circle", members=list(ZONES))
    async with week.coach.sessions() as session:
        people = list(
            await session.scalars(select(Person).where(Person.slack_user_id.in_(list(ZONES))))
        )
        round_ = Round(
            team_id=people[0].team_id, mode="circles", seed=1, scheduled_for=START.date()
        )
        session.add(round_)
        await session.flush()
        group = MatchGroup(
            team_id=round_.team_id,
            round_id=round_.id,
            score=1.0,
            state=GroupState.ACTIVE,
            channel_id=channel,
        )
        session.add(group)
        await session.flush()
        for person in people:
            session.add(MatchMember(group_id=group.id, person_id=person.id, role=MemberRole.PEER))
        await session.commit()
    return channel


def _local_nine(user: str, day: int) -> datetime:
    return datetime(2026, 12, day, 9, tzinfo=ZoneInfo(ZONES[user])).astimezone(UTC)


def _dm_of(call: RecordedCall, user: str, fake: FakeSlack) -> bool:
    channel = call.args.get("channel") or call.args.get("channel_id")
    return channel in {user, fake.im_channel_id(user)}


async def test_a_week_of_check_ins_keeps_what_people_wrote_private(
    week: Week, caplog: pytest.LogCaptureFixture, fake_openai: FakeOpenAI
) -> None:
    caplog.set_level(logging.DEBUG)
    coach, fake = week.coach, week.fake
    for user in ZONES:
        await coach.enrol(user)
    circle = await _circle(week)
    await week.tick(START)

    # Thursday: each gets the check-in at 09:00 their time.
    for user in (PEER, AUTHOR, QUIET):
        await week.tick(_local_nine(user, 10))
    sent = [
        c
        for c in fake.calls
        if c.method == "chat.postMessage" and "weekly check-in" in str(c.args.get("text"))
    ]
    assert len(sent) == 3
    for call in sent:
        user = next(u for u in ZONES if _dm_of(call, u, fake))
        local = call.args["metadata"]["event_payload"]["key"]
        assert local.startswith("checkin:")
        assert (await week.checkin_of(user, "2026-12-07")).sent_at == _local_nine(user, 10)
    first = await week.checkin_of(AUTHOR, "2026-12-07")

    # The author: a rating button, then the modal with a shared step and a private note.
    assert "4/5" in await week.press("checkin_rate_4", AUTHOR, str(first.id))
    mark = len(fake.calls)
    payload = coach.slack.block_action_payload(
        blocks.ACTION_OPEN, user_id=AUTHOR, value=str(first.id)
    )
    assert (await coach.slack._post_interaction(payload)).status == 200
    view = await coach.opened_view(AUTHOR, blocks.CALLBACK_ID, after=mark)
    share = {"selected_options": [option_for(view, blocks.BLOCK_SHARE, blocks.SHARE_VALUE)]}
    bad = with_values(view, {blocks.BLOCK_SHARE: share})
    refused = await coach.submit(blocks.CALLBACK_ID, view, bad, AUTHOR)
    assert refused.json["response_action"] == "errors"
    # The rating from the button is already filled in; the goal is missing, and a step
    # cannot be shared without one.
    assert set(refused.json["errors"]) == {blocks.BLOCK_GOAL, blocks.BLOCK_SHARE}
    values = with_values(
        view,
        {
            blocks.BLOCK_RATING: {"selected_option": option_for(view, blocks.BLOCK_RATING, "4")},
            blocks.BLOCK_GOAL: {"selected_option": option_for(view, blocks.BLOCK_GOAL, "on_track")},
            blocks.BLOCK_MET: {"selected_option": option_for(view, blocks.BLOCK_MET, "yes")},
            blocks.BLOCK_STEP: {"value": STEP},
            blocks.BLOCK_NOTE: {"value": f"{NOTE_MARK} I felt heard"},
            blocks.BLOCK_SHARE: share,
        },
    )
    mark = len(fake.calls)
    saved = await coach.submit(blocks.CALLBACK_ID, view, values, AUTHOR)
    assert saved.json["response_action"] == "update"
    confirmation = await coach.dm_after(AUTHOR, mark)
    assert "Saved" in all_text(confirmation)
    assert "shared" in all_text(confirmation)
    await week.server.dispatcher.dispatch_once()
    [posted] = [
        c for c in fake.calls if c.method == "chat.postMessage" and c.args["channel"] == circle
    ]
    assert "zebra-marmalade-417 &lt;!channel&gt; ask for *feedback*" in all_text(posted.args)
    assert "<!channel>" not in all_text(posted.args)

    # Reopened, the modal shows the answers as saved.
    mark = len(fake.calls)
    payload = coach.slack.block_action_payload(
        blocks.ACTION_OPEN, user_id=AUTHOR, value=str(first.id)
    )
    assert (await coach.slack._post_interaction(payload)).status == 200
    again = await coach.opened_view(AUTHOR, blocks.CALLBACK_ID, after=mark)
    assert NOTE_MARK in json.dumps(again)
    assert STEP_MARK in json.dumps(again)

    # The peer answers in plain words, in two goes: one question, then complete.
    asked = await week.dm(PEER, "stuck. no meeting this week")
    assert "1 to 5" in asked
    done = await week.dm(PEER, f"3 — {PEER_MARK} was a rough week")
    assert "usefulness 3/5" in done
    assert "stuck" in done
    answered = await week.checkin_of(PEER, "2026-12-07")
    assert (answered.rating, answered.goal_status, answered.met) == (3, GoalStatus.STUCK, False)
    assert answered.note is not None
    assert PEER_MARK in answered.note

    # Friday: one reminder, to the one who did not answer, at a working hour of theirs.
    for user in (PEER, AUTHOR, QUIET):
        await week.tick(_local_nine(user, 11))
    await week.tick(datetime(2026, 12, 12, 12, tzinfo=UTC))
    reminders = [c for c in fake.calls if "gentle reminder" in str(c.args.get("text"))]
    assert len(reminders) == 1
    assert _dm_of(reminders[0], QUIET, fake)

    # Next Thursday: the author is asked about their step, in their own DM only.
    await week.tick(_local_nine(AUTHOR, 17))
    second = await week.checkin_of(AUTHOR, "2026-12-14")
    [nudge] = [
        c
        for c in fake.calls
        if c.method == "chat.postMessage"
        and (c.args.get("metadata") or {}).get("event_payload", {}).get("key")
        == checkin_key(second.person_id, date(2026, 12, 14))
    ]
    assert STEP_MARK in all_text(nudge.args)
    assert _dm_of(nudge, AUTHOR, fake)
    assert "you did it" in await week.press("checkin_previous_yes", AUTHOR, str(second.id))
    assert (await week.checkin_of(AUTHOR, "2026-12-14")).goal_progress == 4
    # Last week's check-in has closed.
    assert "closed" in await week.press("checkin_rate_2", AUTHOR, str(first.id))

    # Questions drafted by the LLM after all that was written: from goal tags only.
    for user in (AUTHOR, PEER):
        sent_question = await coach.slack.command("question", user_id=user)
        assert sent_question.status == 200
        url = sent_question.payload["response_url"]
        await fake.wait_for_response(predicate=lambda r, url=url: r.url == url)
    assert len(fake_openai.requests) == 2
    for mark_ in (NOTE_MARK, STEP_MARK, PEER_MARK, STEP):
        assert mark_ not in fake_openai.sent_text()

    # Nowhere else: no other Slack call, no response, no log line.
    for call in fake.calls:
        text = json.dumps(call.args)
        own_modal = call.method.startswith("views.") and blocks.CALLBACK_ID in text
        if not (_dm_of(call, AUTHOR, fake) or own_modal):
            assert NOTE_MARK not in text, call.method
            if call.args.get("channel") != circle:
                assert STEP_MARK not in text, call.method
        if not _dm_of(call, PEER, fake):
            assert PEER_MARK not in text, call.method
    for response in fake.responses:
        for mark_ in (NOTE_MARK, STEP_MARK, PEER_MARK):
            assert mark_ not in json.dumps(response.json)
    logged = week.log.getvalue() + "\n".join(
        f"{r.getMessage()} {r.__dict__}" for r in caplog.records
    )
    assert "check-in" in logged  # the log was written, and...
    for mark_ in (NOTE_MARK, STEP_MARK, PEER_MARK):
        assert mark_ not in logged


async def test_commands_typed_in_the_dm_answer_as_the_slash_command(week: Week) -> None:
    coach = week.coach
    await coach.enrol(PEER)
    for typed in ("status", "/peercoach status", "peercoach status"):
        assert await week.dm(PEER, typed) == all_text(await coach.ask("status", PEER))
    paused = await week.dm(PEER, "pause 2 weeks")
    assert "paused" in paused.lower()
    person = await coach.person(PEER)
    assert person is not None
    assert person.paused_until is not None
    assert "pause" in (await week.dm(PEER, "pause forever and ever")).lower()
    helped = await week.dm(PEER, "help")
    assert helped == all_text(await coach.ask("help", PEER))
    # Admin commands keep their check: a member is refused, as with the slash.
    refused = await week.dm(PEER, "admin settings")
    assert refused == all_text(await coach.ask("admin settings", PEER))
    # No check-in open and not a command: a pointer to help.
    assert "help" in await week.dm(PEER, "good morning!")
    # A form needs a click: the answer is a button, and the button opens the form.
    assert blocks.ACTION_DM_COMMAND in await week.dm(PEER, "profile")
    mark = len(week.fake.calls)
    payload = coach.slack.block_action_payload(
        blocks.ACTION_DM_COMMAND, user_id=PEER, value="profile"
    )
    assert (await coach.slack._post_interaction(payload)).status == 200
    await coach.opened_view(PEER, PROFILE_CALLBACK_ID, after=mark)


async def test_checkin_on_demand_and_answers_in_words(week: Week) -> None:
    coach = week.coach
    await coach.enrol(AUTHOR)
    # Typed in the DM: this week's check-in message, with its buttons.
    shown = await week.dm(AUTHOR, "checkin")
    assert blocks.ACTION_OPEN in shown
    assert "checkin_rate_5" in shown
    # The slash command opens the modal for the same check-in.
    mark = len(week.fake.calls)
    await coach.command("checkin", AUTHOR)
    view = await coach.opened_view(AUTHOR, blocks.CALLBACK_ID, after=mark)
    checkin = await week.checkin_of(AUTHOR, "2026-12-07")
    assert view["private_metadata"] == str(checkin.id)
    # Not in a circle: a step ticked for sharing stays private, and they are told so.
    values = with_values(
        view,
        {
            blocks.BLOCK_RATING: {"selected_option": option_for(view, blocks.BLOCK_RATING, "2")},
            blocks.BLOCK_GOAL: {"selected_option": option_for(view, blocks.BLOCK_GOAL, "stuck")},
            blocks.BLOCK_STEP: {"value": "Book a slot"},
            blocks.BLOCK_SHARE: {
                "selected_options": [option_for(view, blocks.BLOCK_SHARE, blocks.SHARE_VALUE)]
            },
        },
    )
    mark = len(week.fake.calls)
    await coach.submit(blocks.CALLBACK_ID, view, values, AUTHOR)
    assert "stays private" in all_text(await coach.dm_after(AUTHOR, mark))
    await week.server.dispatcher.dispatch_once()
    assert "Book a slot" not in json.dumps([c.args for c in week.fake.calls[mark:]])
    # Unclear words get one question; the answer to it completes the check-in.
    assert "how is your goal going" in await week.dm(AUTHOR, "on track but stuck, 4")
    assert "usefulness 4/5" in await week.dm(AUTHOR, "some progress")
    # Words that start like a command are an answer while a check-in is open.
    assert "usefulness 5/5" in await week.dm(AUTHOR, "status: 5, achieved, we met")
    done = await week.checkin_of(AUTHOR, "2026-12-07")
    assert (done.rating, done.goal_status, done.met) == (5, GoalStatus.ACHIEVED, True)
    # The scheduler does not send a second check-in that week.
    await week.tick(_local_nine(AUTHOR, 10))
    assert not [c for c in week.fake.calls if "weekly check-in" in str(c.args.get("text"))][1:]


async def _modal(week: Week, user: str) -> dict[str, Any]:
    mark = len(week.fake.calls)
    await week.coach.command("checkin", user)
    return await week.coach.opened_view(user, blocks.CALLBACK_ID, after=mark)


async def _save(week: Week, view: dict[str, Any], values: dict[str, Any], user: str) -> None:
    mark = len(week.fake.calls)
    saved = await week.coach.submit(blocks.CALLBACK_ID, view, values, user)
    assert saved.json["response_action"] == "update"
    assert "Saved" in all_text(await week.coach.dm_after(user, mark))


def _note_share(view: dict[str, Any]) -> dict[str, Any]:
    [block] = [b for b in view["blocks"] if b.get("block_id") == blocks.BLOCK_NOTE_SHARE]
    return dict(block)


async def test_a_note_shared_with_the_programme_team_is_kept_shown_exported_and_taken_back(
    week: Week,
) -> None:
    coach, fake = week.coach, week.fake
    await coach.enrol(AUTHOR)
    view = await _modal(week, AUTHOR)
    # The checkbox sits under the note, unticked, saying what admins do and do not see.
    ids = [b.get("block_id") for b in view["blocks"]]
    assert ids.index(blocks.BLOCK_NOTE_SHARE) == ids.index(blocks.BLOCK_NOTE) + 1
    shown = _note_share(view)
    assert shown["optional"] is True
    assert not shown["element"].get("initial_options")
    assert "anonymously with the programme team" in json.dumps(shown)
    assert "five or more" in shown["hint"]["text"]
    assert "never" in shown["hint"]["text"]
    ticked = {
        "selected_options": [option_for(view, blocks.BLOCK_NOTE_SHARE, blocks.NOTE_SHARE_VALUE)]
    }
    values = with_values(
        view,
        {
            blocks.BLOCK_RATING: {"selected_option": option_for(view, blocks.BLOCK_RATING, "4")},
            blocks.BLOCK_GOAL: {"selected_option": option_for(view, blocks.BLOCK_GOAL, "on_track")},
            blocks.BLOCK_NOTE: {"value": f"{NOTE_MARK} delegating is hard"},
            blocks.BLOCK_NOTE_SHARE: ticked,
        },
    )
    await _save(week, view, values, AUTHOR)
    stored = await week.checkin_of(AUTHOR, "2026-12-07")
    assert (stored.note, stored.note_shared) == (f"{NOTE_MARK} delegating is hard", True)

    # Reopened, the box is ticked; the export says the note was shared.
    again = await _modal(week, AUTHOR)
    [initial] = _note_share(again)["element"]["initial_options"]
    assert initial["value"] == blocks.NOTE_SHARE_VALUE
    mark = len(fake.calls)
    await coach.ask("export", AUTHOR)
    await fake.wait_for_call("files.completeUploadExternal", after=mark)
    (upload,) = fake.uploaded_files
    [exported] = json.loads(upload.content.decode())["checkins"]
    assert (exported["note"], exported["note_shared"]) == (stored.note, True)

    # Saved again without the tick (everything else as shown): the note is private again.
    await _save(
        week, again, with_values(again, {blocks.BLOCK_NOTE_SHARE: {"selected_options": []}}), AUTHOR
    )
    assert (await week.checkin_of(AUTHOR, "2026-12-07")).note_shared is False
    assert not _note_share(await _modal(week, AUTHOR))["element"].get("initial_options")

    # Shared again, then words added in the DM: those were never offered, so the note is
    # private until shared again from the modal.
    third = await _modal(week, AUTHOR)
    await _save(week, third, with_values(third, {blocks.BLOCK_NOTE_SHARE: ticked}), AUTHOR)
    assert (await week.checkin_of(AUTHOR, "2026-12-07")).note_shared is True
    await week.dm(AUTHOR, f"{PEER_MARK} one more thought")
    after_words = await week.checkin_of(AUTHOR, "2026-12-07")
    assert after_words.note is not None
    assert PEER_MARK in after_words.note
    assert after_words.note_shared is False


async def test_answers_in_words_never_share_the_note(week: Week) -> None:
    await week.coach.enrol(PEER)
    await week.dm(PEER, "checkin")
    await week.dm(PEER, f"4, on track, {PEER_MARK} a good week")
    answered = await week.checkin_of(PEER, "2026-12-07")
    assert answered.note is not None
    assert PEER_MARK in answered.note
    assert answered.note_shared is False
