"""Inputs that used to crash a handler or come back as live markup, each answered over the wire."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import AsyncIterator
from urllib.parse import urlencode

import pytest

from bot.fakes import FakeSlack, SlackRequestSender
from bot.slack.mrkdwn import ECHO_LIMIT
from tests.e2e.driver import Coach, all_text
from tests.fixtures.app import SIGNING_SECRET, make_settings, running_server

ALICE, BOB, ADMIN = "U0ALICE", "U0BOB", "U0ADMIN"
FORM = "application/x-www-form-urlencoded"
LIVE = ("<!channel>", "<!here>", "<@U0", "<#C0")


def _no_server_error(caplog: pytest.LogCaptureFixture) -> None:
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, [r.getMessage() for r in errors]
    assert "Traceback" not in caplog.text


def _texts_fit(answer: dict[str, object]) -> None:
    assert len(str(answer.get("text", ""))) <= 3000
    blocks = answer.get("blocks") or []
    assert isinstance(blocks, list)
    assert len(blocks) <= 50
    for block in blocks:
        assert len(json.dumps(block.get("text", ""))) <= 3100  # JSON quoting adds a little


async def test_a_very_long_command_is_answered_with_a_cut_echo(
    coach: Coach, caplog: pytest.LogCaptureFixture
) -> None:
    text = "frobnicate " + "x" * 3500
    answer = await coach.ask(text, ALICE)
    _texts_fit(answer)
    assert "…" in answer["text"]
    assert "x" * (ECHO_LIMIT + 1) not in all_text(answer)
    _no_server_error(caplog)


@pytest.mark.parametrize("text", ["pause ² weeks", "mentor ²", "pause ²", "pause ٣w"])
async def test_digits_that_are_not_ascii_get_a_usage_answer(
    coach: Coach, caplog: pytest.LogCaptureFixture, text: str
) -> None:
    sent = await coach.command(text, ALICE)
    assert sent.json is not None  # answered in the ack, before anything is looked up
    assert "Try `/peercoach" in all_text(sent.json)
    _no_server_error(caplog)


@pytest.mark.parametrize(
    "text",
    [
        "x` <!channel> `y",
        "find <!channel>",
        "pause until <!here>",
        "<@U0BOB> & <#C0GENERAL|general>",
    ],
)
async def test_typed_markup_comes_back_as_text(coach: Coach, text: str) -> None:
    answer = await coach.ask(text, ALICE)
    shown = all_text(answer)
    assert not [marker for marker in LIVE if marker in shown], shown
    assert "&lt;" in shown  # quoted, escaped


@pytest.fixture
async def admin_coach(fake_slack: FakeSlack, database_url: str) -> AsyncIterator[Coach]:
    fake_slack.add_user(ADMIN, name="ada", is_admin=True)
    fake_slack.add_user(ALICE, name="C:\\Users\\bob", real_name="C:\\Users\\bob")
    fake_slack.add_user(BOB, name="<!channel> & co", real_name="<!channel> & co")
    settings = make_settings(fake_slack, database_url)
    async with running_server(settings) as server:
        url = f"http://127.0.0.1:{server.bound_port}/slack/events"
        async with SlackRequestSender(url, SIGNING_SECRET, fake=fake_slack) as sender:
            yield Coach(sender, fake_slack, server)


async def test_display_names_with_backslashes_and_markup_in_the_preview(
    admin_coach: Coach, caplog: pytest.LogCaptureFixture
) -> None:
    await admin_coach.enrol(ALICE, function="engineering", level="3")
    await admin_coach.enrol(BOB, function="design", level="3", time_zone="Europe/Paris")
    answer = await admin_coach.ask("admin match preview", ADMIN)
    shown = all_text(answer)
    assert "C:\\\\Users\\\\bob" in shown  # as JSON shows one backslash
    assert "&lt;!channel&gt; &amp; co" in shown
    assert "<!channel>" not in shown
    _no_server_error(caplog)


@pytest.mark.parametrize("timestamp", ["abc", "1.5", "²", "", "-5", "1e9"])
async def test_a_timestamp_that_is_not_an_integer_is_refused(
    slack: SlackRequestSender, caplog: pytest.LogCaptureFixture, timestamp: str
) -> None:
    body = urlencode(slack.command_payload("help", user_id=ALICE))
    sent = await slack.post_raw(body, FORM, headers={"X-Slack-Request-Timestamp": timestamp})
    assert sent.status == 401
    _no_server_error(caplog)


async def test_a_stale_signed_request_is_refused(slack: SlackRequestSender) -> None:
    body = urlencode(slack.command_payload("help", user_id=ALICE))
    sent = await slack.post_raw(body, FORM, timestamp=int(time.time()) - 600)
    assert sent.status == 401


@pytest.mark.parametrize(
    "payload",
    ["{not json", "[1, 2]", '"text"', "null", "7"],
    ids=["not-json", "list", "string", "null", "number"],
)
async def test_interaction_payloads_that_are_not_objects_get_400(
    coach: Coach, caplog: pytest.LogCaptureFixture, payload: str
) -> None:
    sent = await coach.slack.post_raw(urlencode({"payload": payload}), FORM)
    assert sent.status == 400
    _no_server_error(caplog)
    assert (await coach.row_counts())["people"] == 0


async def test_a_block_action_without_actions_gets_400(
    coach: Coach, caplog: pytest.LogCaptureFixture
) -> None:
    payload = coach.slack.block_action_payload("peercoach_find", user_id=ALICE)
    payload["actions"] = []
    sent = await coach.slack.post_raw(urlencode({"payload": json.dumps(payload)}), FORM)
    assert sent.status == 400
    _no_server_error(caplog)


async def test_unsigned_requests_are_refused_and_their_bodies_never_logged(
    coach: Coach, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    marker = "UNSIGNEDMARKER"
    small = await coach.slack.post_raw(f"{marker}=1", FORM, signature="v0=" + "0" * 64)
    assert small.status == 401
    large = await coach.slack.post_raw(
        marker + "x" * (1024 * 1024 + 10), FORM, signature="v0=" + "0" * 64
    )
    assert large.status == 413
    assert marker not in caplog.text
    _no_server_error(caplog)


@pytest.mark.parametrize("kind", ["command", "action", "submission", "event"])
async def test_payloads_without_a_user_or_team_are_refused_and_store_nothing(
    coach: Coach, caplog: pytest.LogCaptureFixture, kind: str
) -> None:
    slack = coach.slack
    if kind == "command":
        payload = slack.command_payload("find", user_id=ALICE)
        payload["user_id"] = ""
        body, content_type = urlencode(payload), FORM
    elif kind == "event":
        payload = slack.event_payload({"type": "app_home_opened", "tab": "home"})
        body, content_type = json.dumps(payload), "application/json"
    else:
        if kind == "action":
            payload = slack.block_action_payload("peercoach_find", user_id=ALICE)
        else:
            payload = slack.view_submission_payload("profile", {}, user_id=ALICE)
        del payload["user"]
        body, content_type = urlencode({"payload": json.dumps(payload)}), FORM
    sent = await slack.post_raw(body, content_type)
    assert sent.status == 400
    assert all(count == 0 for count in (await coach.row_counts()).values())
    _no_server_error(caplog)
