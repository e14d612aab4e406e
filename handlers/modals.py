"""Opening the profile, settings and pause modals (shared by commands and App Home buttons)."""

from __future__ import annotations

import json
import logging

from slack_sdk.web.async_client import AsyncWebClient

from bot.enrolment.profile_form import FromHr, ProfileDefaults, ProfileInput
from bot.process.deps import Deps
from bot.programmes.service import load_programme_settings
from bot.slack.blocks.enrolment import pause_modal
from bot.slack.blocks.profile import profile_modal
from bot.slack.blocks.programme_settings import settings_modal
from bot.slack.users import SlackUser
from handlers.identify import Reply
from handlers.view_calls import open_view

logger = logging.getLogger(__name__)


def profile_metadata(intent: str) -> str:
    return json.dumps({"intent": intent})


def intent_from_metadata(private_metadata: str | None) -> str:
    try:
        value = json.loads(private_metadata or "{}").get("intent")
    except (ValueError, AttributeError):
        return "profile"
    return value if isinstance(value, str) else "profile"


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
    return await open_view(client, trigger_id, view, reply)


async def open_settings_modal(
    client: AsyncWebClient, trigger_id: str, team_id: str, deps: Deps, *, reply: Reply
) -> None:
    async with deps.sessions() as session:
        current = await load_programme_settings(session, team_id)
    await open_view(client, trigger_id, settings_modal(current), reply)


async def open_pause_modal(
    client: AsyncWebClient, trigger_id: str, deps: Deps, *, reply: Reply
) -> None:
    await open_view(client, trigger_id, pause_modal(today=deps.clock().date()), reply)
