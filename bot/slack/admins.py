"""Who may run admin commands: Slack's workspace admins and owners, plus PEERCOACH_ADMINS."""

from __future__ import annotations

from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.users import SlackUnavailable, SlackUser, UnknownUser, fetch_user


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
    try:
        user = await fetch_user(client, user_id)
    except (SlackUnavailable, UnknownUser):
        return False
    return is_admin(user, configured)
