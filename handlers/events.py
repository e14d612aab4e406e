"""Events API listeners: the App Home tab and direct messages to the bot."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.process.deps import deps_of
from bot.slack.blocks.home import dm_reply
from handlers.home import publish_home


async def on_app_home_opened(
    event: dict[str, Any], body: dict[str, Any], client: AsyncWebClient, context: dict[str, Any]
) -> None:
    if event.get("tab", "home") != "home":
        return
    team_id = str(body.get("team_id") or context.get("team_id") or "")
    await publish_home(client, deps_of(context), team_id, event["user"])


async def on_direct_message(event: dict[str, Any], client: AsyncWebClient) -> None:
    # Edits, joins and bot echoes carry a subtype; only a person's own new message gets an answer.
    if event.get("subtype") or event.get("bot_id"):
        return
    await client.chat_postMessage(channel=event["channel"], text=dm_reply())


async def _im_only(event: dict[str, Any]) -> bool:
    return event.get("channel_type") == "im"


def register(app: AsyncApp) -> None:
    app.event("app_home_opened")(on_app_home_opened)
    app.event("message", matchers=[_im_only])(on_direct_message)
