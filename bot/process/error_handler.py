"""The global error handler: a short apology with a reference for the user, details for the log."""

from __future__ import annotations

import json
import logging
import secrets
from typing import Any

from aiohttp import ClientError
from slack_bolt.async_app import AsyncApp
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.blocks.errors import apology_message, apology_modal, apology_text

logger = logging.getLogger("peercoach.errors")


def new_error_id() -> str:
    return secrets.token_hex(4)


def _request_kind(body: dict[str, Any]) -> str:
    if "command" in body:
        return "command"
    return str(body.get("type") or "unknown")


def _user_id(body: dict[str, Any]) -> str | None:
    user = body.get("user_id") or body.get("user")
    if isinstance(user, dict):
        user = user.get("id")
    if user is None and isinstance(body.get("event"), dict):
        user = body["event"].get("user")
    return user if isinstance(user, str) else None


def _is_direct_message(body: dict[str, Any]) -> bool:
    event = body.get("event")
    return isinstance(event, dict) and event.get("channel_type") == "im"


async def handle_error(
    error: Exception,
    body: dict[str, Any],
    response: BoltResponse | None,
    respond: AsyncRespond | None,
    client: AsyncWebClient,
) -> BoltResponse | None:
    error_id = new_error_id()
    kind = _request_kind(body)
    user_id = _user_id(body)
    # The exception's text goes to the log only: it can hold internals the user must not see.
    logger.error(
        "error %s while handling a %s request from %s",
        error_id,
        kind,
        user_id or "unknown user",
        exc_info=error,
        extra={"error_id": error_id, "request_kind": kind, "team_id": body.get("team_id")},
    )
    if response is not None:
        # Not acknowledged yet: the apology can be the acknowledgement itself.
        if kind == "view_submission":
            answer = {"response_action": "update", "view": apology_modal(error_id)}
            return BoltResponse(status=200, body=json.dumps(answer))
        if kind in {"command", "block_actions"}:
            return BoltResponse(status=200, body=json.dumps(apology_message(error_id)))
        return BoltResponse(status=200, body="")
    try:
        if respond is not None and body.get("response_url"):
            await respond(**apology_message(error_id))
        elif user_id and (kind in {"block_actions", "view_submission"} or _is_direct_message(body)):
            await client.chat_postMessage(channel=user_id, text=apology_text(error_id))
    except (SlackApiError, SlackClientError, ClientError, TimeoutError):
        logger.warning("could not tell the user about error %s", error_id, exc_info=True)
    return None


def register_error_handler(app: AsyncApp) -> None:
    app.error(handle_error)
