"""Who is asking, answered once per request: users.info plus the refusals it can lead to."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.people.eligibility import load_policy
from bot.process.deps import Deps
from bot.slack.admins import admin_now
from bot.slack.blocks.enrolment import not_admin_message, refusal_message, slack_busy_message
from bot.slack.users import Eligibility, SlackUnavailable, SlackUser, UnknownUser, fetch_user

Reply = Callable[..., Awaitable[Any]]


async def identify(
    client: AsyncWebClient, user_id: str, team_id: str, reply: Reply, deps: Deps | None = None
) -> SlackUser | None:
    """The Slack user if they may take part; otherwise tell them why and return None.

    Guests are refused unless the workspace lets them in (read with `deps`; without it they
    are refused, the default)."""
    try:
        user = await fetch_user(client, user_id)
    except SlackUnavailable:
        await reply(**slack_busy_message())
        return None
    except UnknownUser:
        await reply(**refusal_message(Eligibility.DELETED.value))
        return None
    eligibility = user.eligibility(team_id)
    if eligibility is Eligibility.RESTRICTED and deps is not None:
        async with deps.sessions() as session:
            policy = await load_policy(session, team_id)
        eligibility = user.eligibility(team_id, allow_guests=not policy.exclude_guests)
    if eligibility is not Eligibility.OK:
        await reply(**refusal_message(eligibility.value))
        return None
    return user


async def admin_or_refused(client: AsyncWebClient, user_id: str, deps: Deps, reply: Reply) -> bool:
    """Whether `user_id` may act as an admin now (a click can come long after the message
    that carries it); anyone else, or anyone Slack cannot vouch for, is told why."""
    allowed = await admin_now(client, user_id, deps.admins)
    if not allowed:
        await reply(**(slack_busy_message() if allowed is None else not_admin_message()))
    return bool(allowed)
