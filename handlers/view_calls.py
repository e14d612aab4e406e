"""Opening and replacing a modal after the ack: a Slack failure is logged (its kind only) and,
where someone waits for the modal, answered; it never raises."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.blocks.enrolment import slack_busy_message
from bot.slack.failures import SLACK_NETWORK_ERRORS
from handlers.identify import Reply

logger = logging.getLogger(__name__)


async def open_view(
    client: AsyncWebClient, trigger_id: str, view: dict[str, Any], reply: Reply
) -> bool:
    """Open `view`; on failure ask the person to try again through `reply`."""
    try:
        await client.views_open(trigger_id=trigger_id, view=view)
    except (SlackApiError, *SLACK_NETWORK_ERRORS) as exc:
        # Usually an expired trigger (Slack allows 3 s) after a slow users.info: ask again.
        logger.warning("views.open failed: %s", type(exc).__name__)
        await reply(**slack_busy_message())
        return False
    return True


async def replace_view(client: AsyncWebClient, view_id: str | None, view: dict[str, Any]) -> bool:
    """Replace the open modal; False if it is gone (closed by the person) or Slack failed."""
    if not view_id:
        return False
    try:
        # No hash: the "saving…" view the ack put in place has one we are never told.
        await client.views_update(view_id=view_id, view=view)
    except (SlackApiError, *SLACK_NETWORK_ERRORS) as exc:
        logger.warning("views.update failed: %s", type(exc).__name__)
        return False
    return True
