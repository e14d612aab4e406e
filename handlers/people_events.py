"""`user_change`: a Slack account deactivated leaves every programme; its groups are told.

Bolt acknowledges the event before this runs. Everything happens in one transaction whose
outbox keys are unique per group and person, so Slack's retries change nothing twice.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.people.deactivation import on_deactivated
from bot.process.deps import deps_of

logger = logging.getLogger(__name__)


async def on_user_change(
    event: dict[str, Any], body: dict[str, Any], context: dict[str, Any]
) -> None:
    user = event.get("user")
    if not isinstance(user, dict) or not user.get("deleted"):
        return
    user_id = user.get("id")
    team_id = str(body.get("team_id") or context.get("team_id") or "")
    if not isinstance(user_id, str) or not user_id or not team_id:
        return
    deps = deps_of(context)
    now = deps.clock()
    async with deps.sessions() as session:
        told = await on_deactivated(session, team_id, user_id, now=now)
        await session.commit()
    logger.info("user %s deactivated: %d group notice(s) queued", user_id, told)


def register(app: AsyncApp) -> None:
    app.event("user_change")(on_user_change)
