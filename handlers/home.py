"""Publishing the App Home tab for one person."""

from __future__ import annotations

import logging

from slack_sdk.web.async_client import AsyncWebClient

from bot.digests.figures import ProgrammeDigest
from bot.digests.service import programme_digests
from bot.enrolment import service as enrolment
from bot.process.deps import Deps
from bot.slack.admins import is_admin
from bot.slack.blocks.home import home_view
from bot.slack.users import SlackUnavailable, UnknownUser, fetch_user

logger = logging.getLogger(__name__)


async def publish_home(
    client: AsyncWebClient, deps: Deps, team_id: str, user_id: str, *, admin: bool | None = None
) -> None:
    if admin is None:
        try:
            user = await fetch_user(client, user_id)
        except (SlackUnavailable, UnknownUser):
            # The tab still renders; only the admin section waits for the next visit.
            admin = user_id in deps.admins
        else:
            admin = is_admin(user, deps.admins)
    now = deps.clock()
    digests: list[ProgrammeDigest] = []
    async with deps.sessions() as session:
        state = await enrolment.home_state(
            session, team_id, user_id, is_admin=admin, today=now.date()
        )
        if admin:
            digests = await programme_digests(session, team_id, now=now)
    await client.views_publish(user_id=user_id, view=home_view(state, digests))
