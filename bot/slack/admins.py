"""Who may run admin commands: Slack's workspace admins and owners, plus PEERCOACH_ADMINS."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.failures import SLACK_NETWORK_ERRORS
from bot.slack.users import SlackUnavailable, SlackUser, UnknownUser, fetch_user

logger = logging.getLogger(__name__)


def is_admin(user: SlackUser, configured: frozenset[str]) -> bool:
    return user.is_admin or user.is_owner or user.id in configured


async def shows_admin_commands(
    client: AsyncWebClient, user_id: str, configured: frozenset[str]
) -> bool:
    """Whether lists of commands should include the admin ones for this person.

    Listed admins need no call to Slack. When Slack does not answer, the member's list is the
    safe answer: it hides nothing anyone may use, and the admin commands still check rights."""
    if user_id in configured:
        return True
    return await admin_now(client, user_id, configured) is True


async def workspace_admins(client: AsyncWebClient, *, limit: int) -> list[str] | None:
    """Up to `limit` of the workspace's admins and owners (people, not bots), read with
    `users.list`; None when Slack does not answer."""
    found: list[str] = []
    cursor: str | None = None
    try:
        while len(found) < limit:
            page = await client.users_list(limit=200, cursor=cursor)
            for member in page.get("members") or []:
                if member.get("deleted") or member.get("is_bot"):
                    continue
                if member.get("is_admin") or member.get("is_owner"):
                    found.append(str(member["id"]))
            cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
            if cursor is None:
                break
    except (SlackApiError, *SLACK_NETWORK_ERRORS):
        logger.warning("users.list failed while looking for admins")
        return None
    return found[:limit]


async def admin_now(
    client: AsyncWebClient, user_id: str, configured: frozenset[str]
) -> bool | None:
    """Whether `user_id` may act as an admin now (a click can come long after a command);
    None when Slack did not answer."""
    try:
        user = await fetch_user(client, user_id)
    except SlackUnavailable:
        return None
    except UnknownUser:
        return False
    return is_admin(user, configured)
