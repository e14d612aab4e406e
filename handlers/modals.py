"""Opening the profile, settings and pause modals (shared by commands and App Home buttons)."""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.enrolment.profile_form import FromHr, ProfileDefaults, ProfileInput
from bot.process.deps import Deps
from bot.programmes.service import load_programme_settings
from bot.slack.blocks.enrolment import pause_modal, slack_busy_message
from bot.slack.blocks.profile import profile_modal
from bot.slack.blocks.programme_settings import settings_modal
from bot.slack.failures import SLACK_NETWORK_ERRORS
from bot.slack.users import SlackUser
from handlers.identify import Reply

logger = logging.getLogger(__name__)


def profile_metadata(intent: str) -> str:
    return json.dumps({"intent": intent})


def intent_from_metadata(private_metadata: str | None) -> str:
    try:
        value = json.loads(private_metadata or "{}").get("intent")
    except (ValueError, AttributeError):
        return "profile"
    return value if isinstance(value, str) else "profile"


async def _open(
    client: AsyncWebClient, trigger_id: str, view: dict[str, Any], reply: Reply
) -> bool:
    try:
        await client.views_open(trigger_id=trigger_id, view=view)
    except (SlackApiError, *SLACK_NETWORK_ERRORS) as exc:
        # Usually an expired trigger (Slack allows 3 s) after a slow users.info: ask again.
        logger.warning("views.open failed: %r", exc)
        await reply(**slack_busy_message())
        return False
    return True


async def open_profile_modal(
    client: AsyncWebClient,
    trigger_id: str,
    user: SlackUser,
    profile: ProfileInput | None,
    *,
    intent: str,
    reply: Reply,
    prefilled: ProfileInput | ProfileDefaults | None = None,
    from_hr: FromHr | None = None,
) -> bool:
    """`prefilled`: what to show instead of the saved profile (HR data, see bot.people)."""
    current: ProfileInput | ProfileDefaults = (
        prefilled or profile or ProfileDefaults(time_zone=user.time_zone)
    )
    view = profile_modal(
        current,
        private_metadata=profile_metadata(intent),
        is_new=profile is None,
        from_hr=from_hr,
    )
    return await _open(client, trigger_id, view, reply)


async def open_settings_modal(
    client: AsyncWebClient, trigger_id: str, team_id: str, deps: Deps, *, reply: Reply
) -> None:
    async with deps.sessions() as session:
        current = await load_programme_settings(session, team_id)
    await _open(client, trigger_id, settings_modal(current), reply)


async def open_pause_modal(
    client: AsyncWebClient, trigger_id: str, deps: Deps, *, reply: Reply
) -> None:
    await _open(client, trigger_id, pause_modal(today=deps.clock().date()), reply)
