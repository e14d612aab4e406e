"""Events API listeners: the App Home tab and direct messages to the bot (commands typed
without the slash, check-in answers in plain words: see `handlers.dm`).

Bolt acknowledges an event before its listener runs. The event's effect is a Slack call, so
its claim (by event_id) is committed right after that call succeeds: a failed attempt leaves
no claim and Slack's retry is processed; a succeeded one is not repeated.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.process.deps import deps_of
from handlers.dedup import already_done, event_key, in_flight_of, record_done
from handlers.dm import answer_direct_message
from handlers.home import publish_home


async def _once(
    body: dict[str, Any], context: dict[str, Any], effect: Callable[[], Awaitable[object]]
) -> None:
    deps = deps_of(context)
    key = event_key(body)
    async with in_flight_of(context).hold(key) as first:
        if not first or await already_done(deps, key):
            return
        await effect()
        await record_done(deps, key)


async def on_app_home_opened(
    event: dict[str, Any], body: dict[str, Any], client: AsyncWebClient, context: dict[str, Any]
) -> None:
    user_id = event.get("user")
    if event.get("tab", "home") != "home" or not isinstance(user_id, str) or not user_id:
        return
    team_id = str(body.get("team_id") or context.get("team_id") or "")
    await _once(body, context, lambda: publish_home(client, deps_of(context), team_id, user_id))


async def on_direct_message(
    event: dict[str, Any], body: dict[str, Any], client: AsyncWebClient, context: dict[str, Any]
) -> None:
    # Edits, joins and bot echoes carry a subtype; only a person's own new message gets an answer.
    if event.get("subtype") or event.get("bot_id"):
        return
    key = event_key(body)
    await _once(body, context, lambda: answer_direct_message(event, body, client, context, key))


async def _im_only(event: dict[str, Any]) -> bool:
    # A person's own new text in the DM only: files shared, edits and bot echoes carry a
    # subtype or a bot_id and are left to the listeners made for them (Bolt runs only the
    # first listener that matches).
    return (
        event.get("channel_type") == "im" and not event.get("subtype") and not event.get("bot_id")
    )


async def _ignored(event: dict[str, Any]) -> bool:
    # Edits, deletions, joins and the bot's own echoes: acknowledged and left alone. Files
    # shared with the bot are not ours to ignore: a listener of their own reads them.
    return not await _im_only(event) and event.get("subtype") != "file_share"


async def _ignore() -> None:
    return None


def register(app: AsyncApp) -> None:
    app.event("app_home_opened")(on_app_home_opened)
    app.event("message", matchers=[_im_only])(on_direct_message)
    app.event("message", matchers=[_ignored])(_ignore)
