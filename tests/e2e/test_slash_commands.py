"""Signed slash commands posted to the real /slack/events endpoint, answered as Slack would see."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import pytest
from slack_bolt.async_app import AsyncAck
from slack_sdk.models.blocks import Block

from bot.fakes import FakeSlack, SlackRequestSender
from bot.fakes.requests import SentRequest
from bot.process.runtime import Server

pytestmark = pytest.mark.usefixtures("server")

USER = "U0ALICE"


def _all_text(answer: dict[str, Any]) -> str:
    parts = [answer.get("text", "")]
    for block in answer.get("blocks", []):
        parts.append(str(block))
    return "\n".join(parts)


def _assert_valid_blocks(answer: dict[str, Any]) -> None:
    for raw in answer["blocks"]:
        block = Block.parse(raw)
        assert block is not None
        block.validate_json()


async def _answer(sent: SentRequest, fake_slack: FakeSlack) -> dict[str, Any]:
    """What arrived through the command's response_url."""
    url = sent.payload["response_url"]
    response = await fake_slack.wait_for_response(predicate=lambda r: r.url == url)
    return dict(response.json)


async def test_help_is_acknowledged_at_once_then_answered(
    slack: SlackRequestSender, fake_slack: FakeSlack
) -> None:
    sent = await slack.command("help", user_id=USER)
    assert sent.status == 200
    assert sent.elapsed < 3.0
    # The member's help is the ack itself: it needs nothing but the payload.
    answer = sent.json
    assert answer["response_type"] == "ephemeral"
    text = _all_text(answer)
    assert "pairs you with a colleague" in text
    assert "/peercoach help" in text
    # Every member command is built: none is listed as coming, and the newest are there.
    assert "Coming soon" not in text
    assert "/peercoach find" in text
    assert "/peercoach question" in text
    assert "/peercoach checkin" in text
    _assert_valid_blocks(answer)


async def test_empty_text_means_help(slack: SlackRequestSender, fake_slack: FakeSlack) -> None:
    sent = await slack.command("", user_id=USER)
    assert sent.status == 200
    assert "pairs you with a colleague" in _all_text(sent.json)


async def test_unknown_subcommand_suggests_the_closest_and_lists_commands(
    slack: SlackRequestSender,
) -> None:
    sent = await slack.command("pase 2 weeks", user_id=USER)
    assert sent.status == 200
    text = _all_text(sent.json)
    assert "I don't know `/peercoach pase 2 weeks`" in text
    assert "Did you mean `/peercoach pause 2 weeks`?" in text
    assert "/peercoach help" in text
    assert "/peercoach profile" in text
    _assert_valid_blocks(sent.json)


async def test_gibberish_gets_the_list_without_a_wild_guess(slack: SlackRequestSender) -> None:
    sent = await slack.command("xyzzy plugh", user_id=USER)
    text = _all_text(sent.json)
    assert "I don't know" in text
    assert "Did you mean" not in text
    assert "/peercoach help" in text


async def test_bad_signature_is_refused_and_nothing_is_sent(
    slack: SlackRequestSender, fake_slack: FakeSlack
) -> None:
    payload = slack.command_payload("help", user_id=USER)
    from urllib.parse import urlencode

    sent = await slack.post_raw(
        urlencode(payload),
        "application/x-www-form-urlencoded",
        signature="v0=" + "0" * 64,
    )
    assert sent.status == 401
    assert "pairs you with a colleague" not in sent.body
    assert fake_slack.responses == []


async def test_timestamp_older_than_five_minutes_is_refused(slack: SlackRequestSender) -> None:
    from urllib.parse import urlencode

    payload = slack.command_payload("help", user_id=USER)
    # Correctly signed, but replayed six minutes later.
    sent = await slack.post_raw(
        urlencode(payload),
        "application/x-www-form-urlencoded",
        timestamp=int(time.time()) - 360,
    )
    assert sent.status == 401


async def test_an_exception_before_ack_becomes_an_apology_not_the_error_text(
    server: Server, slack: SlackRequestSender, caplog: pytest.LogCaptureFixture
) -> None:
    async def explode(ack: AsyncAck) -> None:
        raise RuntimeError("password=hunter2 at db.internal:5432")

    server.bolt.command("/peercoach-explode")(explode)
    with caplog.at_level(logging.ERROR, logger="peercoach.errors"):
        sent = await slack.command("help", user_id=USER, command="/peercoach-explode")
    assert sent.status == 200
    text = _all_text(sent.json)
    assert "Sorry, something went wrong" in text
    assert "hunter2" not in sent.body
    assert "RuntimeError" not in sent.body
    [record] = [r for r in caplog.records if r.name == "peercoach.errors"]
    error_id = record.__dict__["error_id"]
    assert f"`{error_id}`" in text
    assert record.exc_info is not None
    assert "hunter2" in str(record.exc_info[1])


async def test_an_exception_after_ack_is_apologised_for_through_the_response_url(
    server: Server, slack: SlackRequestSender, fake_slack: FakeSlack
) -> None:
    async def slow_then_explode(ack: AsyncAck) -> None:
        await ack()
        await asyncio.sleep(0.2)  # the slow work a listener does after acknowledging
        raise KeyError("internal_field")

    server.bolt.command("/peercoach-late")(slow_then_explode)
    sent = await slack.command("help", user_id=USER, command="/peercoach-late")
    assert sent.status == 200
    posted = await fake_slack.wait_for_response()
    assert "Sorry, something went wrong" in posted.json["text"]
    assert "internal_field" not in str(posted.json)
    assert posted.json["response_type"] == "ephemeral"
