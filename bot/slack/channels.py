"""Whether the app can post in a channel, asked with `conversations.info` before a digest goes
there, so an admin hears "invite me" at once rather than finding a failed message later."""

from __future__ import annotations

import logging
from enum import StrEnum

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.failures import SLACK_NETWORK_ERRORS

logger = logging.getLogger(__name__)

# Slack's answers that mean the app cannot see or post in the channel.
_NO_ACCESS = frozenset({"channel_not_found", "not_in_channel", "is_archived"})


class ChannelAccess(StrEnum):
    MEMBER = "member"
    NOT_MEMBER = "not_member"  # not in it, or (private) cannot see it
    UNKNOWN = "unknown"  # Slack did not answer


async def channel_access(client: AsyncWebClient, channel_id: str) -> ChannelAccess:
    try:
        response = await client.conversations_info(channel=channel_id)
    except SlackApiError as exc:
        error = str(exc.response.get("error", "")) if exc.response is not None else ""
        if error in _NO_ACCESS:
            return ChannelAccess.NOT_MEMBER
        logger.warning("conversations.info failed: %s", error or "http error")
        return ChannelAccess.UNKNOWN
    except SLACK_NETWORK_ERRORS as exc:
        logger.warning("conversations.info did not answer: %s", type(exc).__name__)
        return ChannelAccess.UNKNOWN
    channel = response.get("channel") or {}
    if channel.get("is_archived"):
        return ChannelAccess.NOT_MEMBER
    # DMs have no is_member; the app is always in its own DMs.
    if channel.get("is_im") or channel.get("is_member", False):
        return ChannelAccess.MEMBER
    return ChannelAccess.NOT_MEMBER
