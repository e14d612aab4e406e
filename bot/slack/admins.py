"""Who may run admin commands: Slack's workspace admins and owners, plus PEERCOACH_ADMINS."""

from __future__ import annotations

from bot.slack.users import SlackUser


def is_admin(user: SlackUser, configured: frozenset[str]) -> bool:
    return user.is_admin or user.is_owner or user.id in configured
