"""Who is asking, answered once per request: users.info plus the refusals it can lead to."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.blocks.enrolment import refusal_message, slack_busy_message
from bot.slack.users import Eligibility, SlackUnavailable, SlackUser, UnknownUser, fetch_user

Reply = Callable[..., Awaitable[Any]]


async def identify(
    client: AsyncWebClient, user_id: str, team_id: str, reply: Reply
) -> SlackUser | None:
    """The Slack user if they may take part; otherwise tell them why and return None."""
    try:
        user = await fetch_user(client, user_id)
    except SlackUnavailable:
        await reply(**slack_busy_message())
        return None
    except UnknownUser:
        await reply(**refusal_message(Eligibility.DELETED.value))
        return None
    eligibility = user.eligibility(team_id)
    if eligibility is not Eligibility.OK:
        await reply(**refusal_message(eligibility.value))
        return None
    return user
