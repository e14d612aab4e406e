"""Build and sign inbound requests the way Slack does, and post them to an app's endpoint.

Payload shapes follow what Slack sends for slash commands, block_actions, view_submission
and Events API callbacks; the builders are also what tests hand to `FakeSlack.socket_send`.
"""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass, field
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self
from urllib.parse import urlencode

import aiohttp
from slack_sdk.signature import SignatureVerifier

if TYPE_CHECKING:
    from bot.fakes.slack import FakeSlack

__all__ = ["SentRequest", "SlackRequestSender"]

# Slack still sends the legacy verification token in every payload.
VERIFICATION_TOKEN = "fakeverificationtoken000"


@dataclass
class SentRequest:
    """What the app answered to one signed request."""

    status: int
    body: str
    json: Any | None
    elapsed: float  # seconds, time.monotonic()
    payload: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


def _action_ts() -> str:
    return f"{time.time():.6f}"


class SlackRequestSender:
    """Signs requests with the app's signing secret and posts them to `events_url`."""

    def __init__(
        self,
        events_url: str,
        signing_secret: str,
        *,
        fake: FakeSlack | None = None,
        team_id: str | None = None,
        api_app_id: str | None = None,
        team_domain: str | None = None,
    ) -> None:
        self.events_url = events_url
        self.signing_secret = signing_secret
        self.fake = fake
        self.team_id = team_id or (fake.team_id if fake is not None else "T0PEERCO")
        self.api_app_id = api_app_id or (fake.app_id if fake is not None else "A0PEERCO")
        self.team_domain = team_domain or (fake.team_domain if fake is not None else "acme")
        self._verifier = SignatureVerifier(signing_secret)
        self._session: aiohttp.ClientSession | None = None

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    # ------------------------------------------------------------------ helpers

    def sign(self, body: str, timestamp: int) -> str:
        """`v0=` + hex HMAC-SHA256 of `v0:{timestamp}:{body}`, via slack_sdk's own code."""
        signature = self._verifier.generate_signature(timestamp=str(timestamp), body=body)
        if signature is None:  # only when timestamp is None, which the type rules out
            raise ValueError("cannot sign without a timestamp")
        return str(signature)

    def _trigger_id(self) -> str:
        if self.fake is not None:
            return self.fake.new_trigger_id()
        # Same shape as Slack's, but unknown to any fake.
        return f"{int(time.time())}.{secrets.randbelow(10**12)}.{secrets.token_hex(16)}"

    def _response_url(self) -> str:
        if self.fake is not None:
            return self.fake.new_response_url()
        return (
            f"https://hooks.slack.com/commands/{self.team_id}/"
            f"{secrets.randbelow(10**13)}/{secrets.token_urlsafe(18)}"
        )

    def _user_name(self, user_id: str) -> str:
        if self.fake is not None and user_id in self.fake.users:
            return str(self.fake.users[user_id]["name"])
        return user_id.lower()

    def _user(self, user_id: str) -> dict[str, Any]:
        name = self._user_name(user_id)
        return {"id": user_id, "username": name, "name": name, "team_id": self.team_id}

    def _team(self) -> dict[str, Any]:
        return {"id": self.team_id, "domain": self.team_domain}

    def _dm_channel(self, user_id: str) -> str:
        # A command typed in the app's DM arrives from that DM's id.
        return self.fake.im_channel_id(user_id) if self.fake is not None else "D0TESTDM"

    # ----------------------------------------------------------------- builders

    def command_payload(
        self,
        text: str,
        *,
        user_id: str,
        command: str = "/peercoach",
        channel_id: str | None = None,
        **overrides: Any,
    ) -> dict[str, Any]:
        channel = channel_id or self._dm_channel(user_id)
        payload: dict[str, Any] = {
            "token": VERIFICATION_TOKEN,
            "team_id": self.team_id,
            "team_domain": self.team_domain,
            "channel_id": channel,
            "channel_name": "directmessage" if channel.startswith("D") else "general",
            "user_id": user_id,
            "user_name": self._user_name(user_id),
            "command": command,
            "text": text,
            "api_app_id": self.api_app_id,
            "is_enterprise_install": "false",
            "response_url": self._response_url(),
            "trigger_id": self._trigger_id(),
        }
        payload.update(overrides)
        return payload

    def block_action_payload(
        self,
        action_id: str,
        *,
        user_id: str,
        value: str | None = None,
        block_id: str = "b",
        view: dict[str, Any] | None = None,
        action_type: str = "button",
        selected_option: dict[str, Any] | None = None,
        channel_id: str | None = None,
        message_ts: str | None = None,
        **overrides: Any,
    ) -> dict[str, Any]:
        action: dict[str, Any] = {
            "action_id": action_id,
            "block_id": block_id,
            "type": action_type,
            "action_ts": _action_ts(),
        }
        if value is not None:
            action["value"] = value
        if selected_option is not None:
            action["selected_option"] = selected_option
        if action_type == "button":
            action["text"] = {"type": "plain_text", "text": action_id, "emoji": True}
        payload: dict[str, Any] = {
            "type": "block_actions",
            "user": self._user(user_id),
            "api_app_id": self.api_app_id,
            "token": VERIFICATION_TOKEN,
            "trigger_id": self._trigger_id(),
            "team": self._team(),
            "enterprise": None,
            "is_enterprise_install": False,
            "actions": [action],
        }
        if view is not None:
            # Actions inside a modal or App Home carry the view and no response_url.
            payload["container"] = {"type": "view", "view_id": view.get("id", "")}
            payload["view"] = view
            payload["state"] = view.get("state", {"values": {}})
        else:
            channel = channel_id or self._dm_channel(user_id)
            ts = message_ts or _action_ts()
            payload["container"] = {
                "type": "message",
                "message_ts": ts,
                "channel_id": channel,
                "is_ephemeral": False,
            }
            payload["channel"] = {"id": channel, "name": "directmessage"}
            payload["message"] = {
                "type": "message",
                "user": self.fake.bot_user_id if self.fake is not None else "U0PEERBOT",
                "ts": ts,
                "text": "",
                "blocks": [],
            }
            payload["state"] = {"values": {}}
            payload["response_url"] = self._response_url()
        payload.update(overrides)
        return payload

    def view_submission_payload(
        self,
        callback_id: str,
        values: dict[str, Any],
        *,
        user_id: str,
        private_metadata: str = "",
        view: dict[str, Any] | None = None,
        **overrides: Any,
    ) -> dict[str, Any]:
        base = view
        if base is None and self.fake is not None:
            # Submitting the modal the app really opened keeps view ids and hashes consistent.
            base = self.fake.latest_view(callback_id)
        view_id = "V" + secrets.token_hex(5).upper()
        submitted: dict[str, Any] = {
            "id": view_id,
            "team_id": self.team_id,
            "type": "modal",
            "blocks": [],
            "private_metadata": private_metadata,
            "callback_id": callback_id,
            "hash": f"{int(time.time())}.{secrets.token_hex(4)}",
            "title": {"type": "plain_text", "text": "Modal", "emoji": True},
            "clear_on_close": False,
            "notify_on_close": False,
            "close": None,
            "submit": {"type": "plain_text", "text": "Submit", "emoji": True},
            "previous_view_id": None,
            "root_view_id": view_id,
            "app_id": self.api_app_id,
            "external_id": "",
            "app_installed_team_id": self.team_id,
            "bot_id": self.fake.bot_id if self.fake is not None else "B0PEERBOT",
        }
        if base is not None:
            submitted.update(json.loads(json.dumps(base)))
        submitted["callback_id"] = callback_id
        submitted["private_metadata"] = private_metadata or submitted.get("private_metadata", "")
        submitted["state"] = {"values": values}
        payload: dict[str, Any] = {
            "type": "view_submission",
            "team": self._team(),
            "user": self._user(user_id),
            "api_app_id": self.api_app_id,
            "token": VERIFICATION_TOKEN,
            "trigger_id": self._trigger_id(),
            "view": submitted,
            "response_urls": [],
            "is_enterprise_install": False,
            "enterprise": None,
        }
        payload.update(overrides)
        return payload

    def event_payload(
        self, event: dict[str, Any], *, event_id: str | None = None
    ) -> dict[str, Any]:
        now = time.time()
        inner = dict(event)
        inner.setdefault("event_ts", f"{now:.6f}")
        return {
            "token": VERIFICATION_TOKEN,
            "team_id": self.team_id,
            "api_app_id": self.api_app_id,
            "event": inner,
            "type": "event_callback",
            "event_id": event_id or "Ev" + secrets.token_hex(5).upper(),
            "event_time": int(now),
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": self.team_id,
                    "user_id": self.fake.bot_user_id if self.fake is not None else "U0PEERBOT",
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
            "event_context": "4-" + secrets.token_urlsafe(24),
        }

    # ------------------------------------------------------------------ senders

    async def command(
        self,
        text: str,
        *,
        user_id: str,
        command: str = "/peercoach",
        channel_id: str | None = None,
        **overrides: Any,
    ) -> SentRequest:
        payload = self.command_payload(
            text, user_id=user_id, command=command, channel_id=channel_id, **overrides
        )
        body = urlencode({k: _form_value(v) for k, v in payload.items()})
        return await self._post(body, "application/x-www-form-urlencoded", payload)

    async def block_action(
        self,
        action_id: str,
        *,
        user_id: str,
        value: str | None = None,
        block_id: str = "b",
        view: dict[str, Any] | None = None,
        **overrides: Any,
    ) -> SentRequest:
        payload = self.block_action_payload(
            action_id, user_id=user_id, value=value, block_id=block_id, view=view, **overrides
        )
        return await self._post_interaction(payload)

    async def view_submission(
        self,
        callback_id: str,
        values: dict[str, Any],
        *,
        user_id: str,
        private_metadata: str = "",
        **overrides: Any,
    ) -> SentRequest:
        payload = self.view_submission_payload(
            callback_id, values, user_id=user_id, private_metadata=private_metadata, **overrides
        )
        return await self._post_interaction(payload)

    async def event(
        self,
        event: dict[str, Any],
        *,
        retry_num: int | None = None,
        retry_reason: str | None = None,
        event_id: str | None = None,
    ) -> SentRequest:
        payload = self.event_payload(event, event_id=event_id)
        headers: dict[str, str] = {}
        if retry_num is not None:
            headers["X-Slack-Retry-Num"] = str(retry_num)
            headers["X-Slack-Retry-Reason"] = retry_reason or "http_timeout"
        return await self._post(json.dumps(payload), "application/json", payload, headers)

    async def post_raw(
        self,
        body: str,
        content_type: str,
        *,
        timestamp: int | None = None,
        signature: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> SentRequest:
        return await self._post(
            body, content_type, {}, headers, timestamp=timestamp, signature=signature
        )

    async def _post_interaction(self, payload: dict[str, Any]) -> SentRequest:
        body = urlencode({"payload": json.dumps(payload)})
        return await self._post(body, "application/x-www-form-urlencoded", payload)

    async def _post(
        self,
        body: str,
        content_type: str,
        payload: dict[str, Any],
        extra_headers: dict[str, str] | None = None,
        *,
        timestamp: int | None = None,
        signature: str | None = None,
    ) -> SentRequest:
        ts = int(time.time()) if timestamp is None else timestamp
        headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": str(ts),
            "X-Slack-Signature": signature if signature is not None else self.sign(body, ts),
            "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
            **(extra_headers or {}),
        }
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
        started = time.monotonic()
        async with self._session.post(
            self.events_url, data=body.encode(), headers=headers
        ) as response:
            text = await response.text()
            elapsed = time.monotonic() - started
            parsed: Any | None
            try:
                parsed = json.loads(text) if text else None
            except json.JSONDecodeError:
                parsed = None
            return SentRequest(
                status=response.status,
                body=text,
                json=parsed,
                elapsed=elapsed,
                payload=payload,
                headers=dict(response.headers),
            )


def _form_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value)
    return str(value)
