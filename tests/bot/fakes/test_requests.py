"""SlackRequestSender signs like Slack: slack_sdk's verifier and a real Bolt app accept it."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qs, urlencode

import pytest
from aiohttp import web
from slack_bolt.app.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from bot.fakes import FakeSlack, SlackRequestSender

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


def test_signature_is_accepted_by_slack_sdk_verifier() -> None:
    sender = SlackRequestSender("http://127.0.0.1:9/slack/events", SECRET)
    body = "token=x&team_id=T0PEERCO&text=hello"
    ts = int(time.time())
    signature = sender.sign(body, ts)
    assert signature.startswith("v0=")
    verifier = SignatureVerifier(SECRET)
    headers = {"x-slack-request-timestamp": str(ts), "x-slack-signature": signature}
    assert verifier.is_valid_request(body, headers)
    assert not SignatureVerifier("another-secret").is_valid_request(body, headers)
    assert not verifier.is_valid_request(body + "&extra=1", headers)


class Recorder:
    """An aiohttp endpoint that checks the signature and keeps what arrived."""

    def __init__(self) -> None:
        self.seen: list[tuple[dict[str, str], str]] = []
        self.verifier = SignatureVerifier(SECRET)

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.text()
        headers = dict(request.headers)
        self.seen.append((headers, body))
        if not self.verifier.is_valid_request(body, headers):
            return web.Response(status=401, text="invalid signature")
        return web.json_response({"ok": True})


@pytest.fixture
async def recorder() -> AsyncIterator[tuple[Recorder, str]]:
    rec = Recorder()
    app = web.Application()
    app.router.add_post("/slack/events", rec.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield rec, f"http://127.0.0.1:{port}/slack/events"
    finally:
        await runner.cleanup()


async def test_wire_format_of_each_request_kind(
    fake_slack: FakeSlack, recorder: tuple[Recorder, str]
) -> None:
    rec, url = recorder
    async with SlackRequestSender(url, SECRET, fake=fake_slack) as sender:
        sent = await sender.command("pair me", user_id="U0ALICE")
        assert (sent.status, sent.json) == (200, {"ok": True})
        assert sent.elapsed > 0
        headers, body = rec.seen[-1]
        assert headers["Content-Type"] == "application/x-www-form-urlencoded"
        form = {k: v[0] for k, v in parse_qs(body).items()}
        assert form["command"] == "/peercoach"
        assert form["text"] == "pair me"
        assert form["user_name"] == "alice"
        assert form["channel_id"] == "D0ALICE"
        assert form["response_url"].startswith(fake_slack.base_url)
        expected = {"token", "team_id", "team_domain", "channel_name", "api_app_id"}
        assert expected | {"is_enterprise_install", "trigger_id"} <= set(form)

        await sender.block_action("pick", user_id="U0BOB", value="7")
        _, body = rec.seen[-1]
        [raw] = parse_qs(body)["payload"]
        action = json.loads(raw)
        assert action["type"] == "block_actions"
        assert action["user"]["id"] == "U0BOB"
        assert action["actions"][0] == {**action["actions"][0], "action_id": "pick", "value": "7"}
        assert action["container"]["type"] == "message"

        values = {"goal": {"goal_input": {"type": "plain_text_input", "value": "listen"}}}
        await sender.view_submission("pair_setup", values, user_id="U0BOB", private_metadata="m")
        submission = json.loads(parse_qs(rec.seen[-1][1])["payload"][0])
        assert submission["view"]["state"]["values"] == values
        assert submission["view"]["private_metadata"] == "m"

        await sender.event({"type": "app_mention", "text": "hi"}, retry_num=1, event_id="Ev1")
        headers, body = rec.seen[-1]
        assert headers["Content-Type"] == "application/json"
        assert headers["X-Slack-Retry-Num"] == "1"
        assert headers["X-Slack-Retry-Reason"] == "http_timeout"
        callback = json.loads(body)
        assert callback["type"] == "event_callback"
        assert callback["event_id"] == "Ev1"
        assert callback["authorizations"][0]["user_id"] == fake_slack.bot_user_id

        forged = await sender.post_raw("a=b", "application/x-www-form-urlencoded", signature="v0=0")
        assert forged.status == 401
        assert forged.json is None


async def test_real_bolt_app_accepts_signed_requests_and_refuses_bad_ones(
    fake_slack: FakeSlack,
) -> None:
    app = AsyncApp(
        signing_secret=SECRET,
        client=AsyncWebClient(token=fake_slack.bot_token, base_url=fake_slack.api_url),
    )
    opened: list[str] = []

    @app.command("/peercoach")
    async def command(ack: AsyncAck, respond: AsyncRespond, command: dict[str, Any]) -> None:
        await ack(text="on it")
        await respond(text=f"done: {command['text']}", response_type="ephemeral")

    @app.action("pick")
    async def pick(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        answer = await client.views_open(
            trigger_id=body["trigger_id"],
            view={
                "type": "modal",
                "callback_id": "pair_setup",
                "title": {"type": "plain_text", "text": "Set up"},
                "blocks": [{"type": "divider"}],
            },
        )
        opened.append(answer["view"]["id"])

    @app.view("pair_setup")
    async def submitted(ack: AsyncAck, view: dict[str, Any]) -> None:
        await ack(response_action="errors", errors={"goal": f"view {view['id']}"})

    runner = web.AppRunner(app.web_app(path="/slack/events"))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/slack/events"
    try:
        async with SlackRequestSender(url, SECRET, fake=fake_slack) as sender:
            sent = await sender.command("alice", user_id="U0ALICE")
            assert (sent.status, sent.body) == (200, "on it")
            posted = await fake_slack.wait_for_response()
            assert posted.json["text"] == "done: alice"
            assert posted.url == sent.payload["response_url"]

            # The trigger_id came from the fake, so views.open accepts it.
            assert (await sender.block_action("pick", user_id="U0ALICE")).status == 200
            await fake_slack.wait_for_call("views.open", predicate=lambda c: c.ok)
            submission = await sender.view_submission("pair_setup", {}, user_id="U0ALICE")
            # Bolt saw the very view the app opened.
            assert submission.json == {
                "response_action": "errors",
                "errors": {"goal": f"view {opened[0]}"},
            }

            body = urlencode(sender.command_payload("x", user_id="U0ALICE"))
            stale = int(time.time()) - 6 * 60
            signature = sender.sign(body, stale)
            refused = await sender.post_raw(
                body, "application/x-www-form-urlencoded", timestamp=stale, signature=signature
            )
            assert refused.status == 401
            tampered = await sender.post_raw(
                body, "application/x-www-form-urlencoded", signature=sender.sign("other", 1)
            )
            assert tampered.status == 401
    finally:
        await runner.cleanup()
