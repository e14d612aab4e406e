"""Sending a Block Kit message to someone's DM with the app, and replies for Home buttons."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.failures import SLACK_NETWORK_ERRORS
from handlers.identify import Reply

logger = logging.getLogger(__name__)


async def send_dm(client: AsyncWebClient, user_id: str, message: Mapping[str, Any]) -> bool:
    """Post to the person's DM with the app (Slack accepts the user id as the channel).

    Used after the work is saved: a failure here is logged, and the saved work stands."""
    try:
        await client.chat_postMessage(
            channel=user_id, text=message.get("text", ""), blocks=message.get("blocks")
        )
    except (SlackApiError, *SLACK_NETWORK_ERRORS) as exc:
        logger.warning("could not DM %s: %r", user_id, exc)
        return False
    return True


def dm_replier(client: AsyncWebClient, user_id: str) -> Reply:
    """A `reply(**message)` for places with no response_url, such as App Home buttons."""

    async def reply(**message: Any) -> None:
        await send_dm(client, user_id, message)

    return reply
