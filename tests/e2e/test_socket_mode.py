"""Socket Mode over a real websocket: envelopes in, acks out, reconnection when Slack asks."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from bot.fakes import FakeSlack, SlackRequestSender
from bot.process.runtime import Server
from tests.fixtures.app import make_settings, running_server


@pytest.fixture
async def socket_server(fake_slack: FakeSlack, database_url: str) -> AsyncIterator[Server]:
    settings = make_settings(
        fake_slack, database_url, SLACK_APP_TOKEN=fake_slack.app_token, SLACK_SIGNING_SECRET=""
    )
    async with running_server(settings) as running:
        yield running


async def test_slash_command_over_socket_mode_is_acked_then_answered(
    socket_server: Server, fake_slack: FakeSlack
) -> None:
    await fake_slack.wait_for_socket_connections(1)
    builder = SlackRequestSender("http://unused.invalid/", "unused", fake=fake_slack)
    try:
        payload = builder.command_payload("status", user_id="U0ALICE")
    finally:
        await builder.close()
    envelope_id = await fake_slack.socket_send("slash_commands", payload)
    ack = await fake_slack.wait_for_ack(envelope_id, timeout=3)
    assert not ack.get("payload")
    url = payload["response_url"]
    answer = await fake_slack.wait_for_response(predicate=lambda r: r.url == url)
    assert "not taking part in peercoach right now" in answer.json["text"]
    assert answer.json["response_type"] == "ephemeral"


async def test_reconnects_when_slack_asks_and_keeps_working(
    socket_server: Server, fake_slack: FakeSlack
) -> None:
    await fake_slack.wait_for_socket_connections(1)
    await fake_slack.socket_request_reconnect()
    await fake_slack.wait_for_socket_connections(2, timeout=10)
    envelope_id = await fake_slack.socket_send(
        "events_api",
        {
            "type": "event_callback",
            "team_id": fake_slack.team_id,
            "event": {"type": "app_home_opened", "user": "U0ALICE", "tab": "home"},
            "event_id": "Ev0RECONNECT",
            "event_time": 1,
        },
    )
    await fake_slack.wait_for_ack(envelope_id)
    call = await fake_slack.wait_for_call("views.publish")
    assert call.args["user_id"] == "U0ALICE"
    assert len(fake_slack.calls_to("apps.connections.open")) >= 2


async def test_socket_mode_still_serves_healthz_but_not_http_events(
    socket_server: Server,
) -> None:
    base = f"http://127.0.0.1:{socket_server.bound_port}"
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{base}/healthz") as answer:
            assert answer.status == 200
        async with http.post(f"{base}/slack/events", data="x") as answer:
            assert answer.status in {404, 405}
