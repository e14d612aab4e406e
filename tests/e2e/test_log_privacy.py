"""Logs carry ids, never names, emails or what people typed, even at DEBUG."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from bot.enrolment.profile_form import CALLBACK_ID as PROFILE_CALLBACK_ID
from bot.fakes import FakeSlack, SlackRequestSender
from bot.process.config import LogFormat
from bot.process.logs import configure_logging
from bot.slack.blocks.enrolment import ACTION_CONFIRM_FORGET
from tests.e2e.driver import Coach, all_text
from tests.fixtures.app import SIGNING_SECRET, make_settings, running_server

USER = "U0ZELDA"
NAME = "zelda.quillfeather"
REAL_NAME = "Zelda Quillfeather-Marsh"
GOALS = ("Coach the Ravenclaw apprentices kq47", "Say no to the Thursday standup vx92")


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


async def test_the_enrolment_tour_at_debug_logs_no_personal_data(
    fake_slack: FakeSlack, database_url: str, debug_log: io.StringIO
) -> None:
    fake_slack.add_user(USER, name=NAME, real_name=REAL_NAME)
    email = fake_slack.users[USER]["profile"]["email"]
    settings = make_settings(fake_slack, database_url, PEERCOACH_LOG_LEVEL="DEBUG")
    async with running_server(settings) as server:
        url = f"http://127.0.0.1:{server.bound_port}/slack/events"
        async with SlackRequestSender(url, SIGNING_SECRET, fake=fake_slack) as slack:
            coach = Coach(slack, fake_slack, server)
            await coach.enrol(USER, goal=GOALS[0])
            assert "taking part" in all_text(await coach.ask("status", USER))
            view = await coach.open_profile("profile", USER)
            values = coach.profile_values(view, goal=GOALS[1])
            await coach.submit(PROFILE_CALLBACK_ID, view, values, USER)
            assert "paused" in all_text(await coach.ask("pause 2 weeks", USER)).lower()
            await coach.ask("resume", USER)
            await coach.ask("export", USER)
            await fake_slack.wait_for_call("files.completeUploadExternal")
            await coach.ask("forget", USER)
            sent = await slack.block_action(ACTION_CONFIRM_FORGET, user_id=USER)
            await fake_slack.wait_for_response(
                predicate=lambda r: r.url == sent.payload["response_url"]
            )
            assert await coach.person(USER) is None

    log = debug_log.getvalue()
    # The log is really at DEBUG and saw the tour: ids are there, the people are not.
    assert " DEBUG " in log
    assert log.count("POST /slack/events") >= 10  # every request of the tour, by path only
    for secret in (NAME, REAL_NAME, email, *GOALS, "Quillfeather", "kq47"):
        assert secret not in log, f"{secret!r} is in the log"
