"""Events API traffic: App Home and direct messages, through the signed endpoint."""

from __future__ import annotations

import json
import logging

import pytest
from slack_sdk.models.views import View

from bot.fakes import FakeSlack, SlackRequestSender

pytestmark = pytest.mark.usefixtures("server")

USER = "U0ALICE"


async def test_opening_app_home_publishes_the_home_view(
    slack: SlackRequestSender, fake_slack: FakeSlack
) -> None:
    sent = await slack.event({"type": "app_home_opened", "user": USER, "tab": "home"})
    assert sent.status == 200
    call = await fake_slack.wait_for_call("views.publish")
    assert call.args["user_id"] == USER
    view = call.args["view"]
    View(**view).validate_json()
    assert view["type"] == "home"
    assert "Being a good peer coach" in str(view)
    assert call.response["ok"] is True


async def test_a_direct_message_gets_a_pointer_to_the_commands(
    slack: SlackRequestSender, fake_slack: FakeSlack
) -> None:
    dm = {"type": "message", "channel_type": "im", "channel": "D0ALICE", "user": USER, "text": "hi"}
    sent = await slack.event(dm)
    assert sent.status == 200
    call = await fake_slack.wait_for_call("chat.postMessage")
    assert call.args["channel"] == "D0ALICE"
    assert "/peercoach help" in call.args["text"]


async def test_bot_echoes_and_edits_get_no_answer(
    slack: SlackRequestSender, fake_slack: FakeSlack
) -> None:
    echo = {
        "type": "message",
        "channel_type": "im",
        "channel": "D0ALICE",
        "bot_id": "B0PEER",
        "text": "Hi! I answer commands",
    }
    edit = {
        "type": "message",
        "subtype": "message_changed",
        "channel_type": "im",
        "channel": "D0ALICE",
    }
    assert (await slack.event(echo)).status == 200
    assert (await slack.event(edit)).status == 200
    # A real DM afterwards is answered, which proves the two above were processed and ignored.
    real = {
        "type": "message",
        "channel_type": "im",
        "channel": "D0ALICE",
        "user": USER,
        "text": "?",
    }
    await slack.event(real)
    await fake_slack.wait_for_call("chat.postMessage")
    assert len(fake_slack.calls_to("chat.postMessage")) == 1


async def test_a_slack_failure_in_a_listener_is_apologised_for_in_the_dm(
    slack: SlackRequestSender, fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    # Every attempt fails with 500, retries included: the listener gives up with an exception.
    fake_slack.script("chat.postMessage", status=500, times=3)
    dm = {"type": "message", "channel_type": "im", "channel": "D0ALICE", "user": USER, "text": "hi"}
    with caplog.at_level(logging.ERROR, logger="peercoach.errors"):
        sent = await slack.event(dm)
        assert sent.status == 200
        apology = await fake_slack.wait_for_call(
            "chat.postMessage",
            timeout=10,
            predicate=lambda c: "Sorry" in str(c.args.get("text")),
        )
    assert apology.args["channel"] == USER
    [record] = [r for r in caplog.records if r.name == "peercoach.errors"]
    assert record.__dict__["error_id"] in apology.args["text"]
    assert [c.status for c in fake_slack.calls_to("chat.postMessage")] == [500, 500, 500, 200]


async def test_the_url_verification_handshake_is_answered(slack: SlackRequestSender) -> None:
    # Slack sends this, signed, when the request URL is saved in the app's settings.
    body = json.dumps(
        {"token": "t", "challenge": "3eZbrw1aBm2rZgRNFdxV", "type": "url_verification"}
    )
    sent = await slack.post_raw(body, "application/json")
    assert sent.status == 200
    assert "3eZbrw1aBm2rZgRNFdxV" in sent.body
