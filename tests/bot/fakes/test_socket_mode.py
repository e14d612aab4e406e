"""FakeSlack's Socket Mode endpoint, driven by slack_sdk's aiohttp client and slack_bolt."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.app.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.errors import SlackApiError
from slack_sdk.socket_mode.aiohttp import SocketModeClient
from slack_sdk.socket_mode.async_client import AsyncBaseSocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse
from slack_sdk.web.async_client import AsyncWebClient

from bot.fakes import FakeSlack, SlackRequestSender


@pytest.fixture
def builder(fake_slack: FakeSlack) -> SlackRequestSender:
    # Only the payload builders are used here; nothing is posted, so there is no session.
    return SlackRequestSender("http://127.0.0.1:9/slack/events", "unused", fake=fake_slack)


@pytest.fixture
async def raw_client(fake_slack: FakeSlack) -> AsyncIterator[tuple[SocketModeClient, list[Any]]]:
    """slack_sdk's own client, recording every text frame it receives."""
    received: list[Any] = []
    client = SocketModeClient(
        app_token=fake_slack.app_token,
        web_client=AsyncWebClient(base_url=fake_slack.api_url),
    )

    async def record(
        _: AsyncBaseSocketModeClient, message: dict[str, Any], raw: str | None
    ) -> None:
        received.append(json.loads(raw) if raw else message)

    async def ack(c: AsyncBaseSocketModeClient, request: SocketModeRequest) -> None:
        await c.send_socket_mode_response(
            SocketModeResponse(envelope_id=request.envelope_id, payload={"seen": request.type})
        )

    client.message_listeners.append(record)
    client.socket_mode_request_listeners.append(ack)
    await client.connect()  # type: ignore[no-untyped-call]
    try:
        yield client, received
    finally:
        await client.close()  # type: ignore[no-untyped-call]


async def test_apps_connections_open_needs_the_app_token(fake_slack: FakeSlack) -> None:
    app_level = AsyncWebClient(base_url=fake_slack.api_url)
    answer = await app_level.apps_connections_open(app_token=fake_slack.app_token)
    assert answer["url"].startswith(f"ws://127.0.0.1:{fake_slack.port}/socket-mode?ticket=")

    bot = AsyncWebClient(token=fake_slack.bot_token, base_url=fake_slack.api_url)
    with pytest.raises(SlackApiError) as caught:
        await bot.apps_connections_open(app_token=fake_slack.bot_token)
    assert caught.value.response["error"] == "not_allowed_token_type"


async def test_hello_then_envelopes_and_acks_with_the_sdk_client(
    fake_slack: FakeSlack,
    raw_client: tuple[SocketModeClient, list[Any]],
    builder: SlackRequestSender,
) -> None:
    _, received = raw_client
    await fake_slack.wait_for_socket_connections(1)
    assert fake_slack.socket_connection_count == 1

    payload = builder.block_action_payload("pick", user_id="U0ALICE", value="1")
    envelope_id = await fake_slack.socket_send("interactive", payload)
    ack = await fake_slack.wait_for_ack(envelope_id)
    assert ack == {"envelope_id": envelope_id, "payload": {"seen": "interactive"}}

    hello, envelope = received[0], received[-1]
    assert hello["type"] == "hello"
    assert hello["num_connections"] == 1
    assert hello["connection_info"] == {"app_id": fake_slack.app_id}
    assert "debug_info" in hello
    assert envelope == {
        "envelope_id": envelope_id,
        "payload": payload,
        "type": "interactive",
        # Slack does not take a response payload for block_actions.
        "accepts_response_payload": False,
    }

    event = builder.event_payload({"type": "app_home_opened", "user": "U0ALICE", "tab": "home"})
    event_envelope = await fake_slack.socket_send("events_api", event, retry_attempt=1)
    await fake_slack.wait_for_ack(event_envelope)
    assert received[-1]["retry_attempt"] == 1
    assert received[-1]["accepts_response_payload"] is False
    assert received[-1]["payload"]["event"]["type"] == "app_home_opened"


async def test_socket_send_without_a_connection_times_out(fake_slack: FakeSlack) -> None:
    with pytest.raises(TimeoutError, match="no live Socket Mode connection"):
        await fake_slack.socket_send("events_api", {}, timeout=0.1)


async def test_bolt_app_over_socket_mode_acks_and_survives_reconnect(
    fake_slack: FakeSlack, builder: SlackRequestSender
) -> None:
    app = AsyncApp(client=AsyncWebClient(token=fake_slack.bot_token, base_url=fake_slack.api_url))

    @app.command("/peercoach")
    async def command(ack: AsyncAck, command: dict[str, Any]) -> None:
        await ack(text=f"you said {command['text']}", response_type="ephemeral")

    @app.event("app_home_opened")
    async def home(event: dict[str, Any], client: AsyncWebClient) -> None:
        await client.views_publish(
            user_id=event["user"],
            view={"type": "home", "blocks": [{"type": "divider"}]},
        )

    handler = AsyncSocketModeHandler(app, app_token=fake_slack.app_token)
    await handler.connect_async()  # type: ignore[no-untyped-call]
    try:
        await fake_slack.wait_for_socket_connections(1)
        envelope_id = await fake_slack.socket_send(
            "slash_commands", builder.command_payload("hello", user_id="U0ALICE")
        )
        ack = await fake_slack.wait_for_ack(envelope_id)
        assert ack["payload"] == {"text": "you said hello", "response_type": "ephemeral"}
        # Bolt authorised the request against the fake with auth.test.
        assert fake_slack.calls_to("auth.test")

        await fake_slack.socket_request_reconnect()
        await fake_slack.wait_for_socket_connections(2)
        assert len(fake_slack.calls_to("apps.connections.open")) == 2

        event = builder.event_payload({"type": "app_home_opened", "user": "U0BOB", "tab": "home"})
        envelope_id = await fake_slack.socket_send("events_api", event)
        ack = await fake_slack.wait_for_ack(envelope_id)
        assert ack == {"envelope_id": envelope_id}
        publish = await fake_slack.wait_for_call("views.publish")
        assert publish.args["user_id"] == "U0BOB"
        assert publish.response["ok"] is True
        assert fake_slack.socket_live_connections == 1
    finally:
        await handler.close_async()  # type: ignore[no-untyped-call]
