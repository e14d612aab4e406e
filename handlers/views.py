"""Modal submissions: profile, programme settings, pause.

Invalid values go back as inline field errors in the ack, so nothing typed is lost. Saving
happens before the ack (it is one short transaction), so a database failure shows up in the
still-open modal instead of vanishing; messages and the Home refresh come after the ack.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.commands.intents import MAX_PAUSE_DAYS
from bot.enrolment import service as enrolment
from bot.enrolment.profile_form import CALLBACK_ID as PROFILE_CALLBACK_ID
from bot.enrolment.profile_form import parse_submission as parse_profile
from bot.process.deps import deps_of
from bot.programmes.service import save_programme_settings
from bot.programmes.settings_form import CALLBACK_ID as SETTINGS_CALLBACK_ID
from bot.programmes.settings_form import parse_submission as parse_settings
from bot.slack.admins import is_admin
from bot.slack.blocks.enrolment import (
    ACTION_PAUSE_UNTIL,
    BLOCK_PAUSE_UNTIL,
    PAUSE_CALLBACK_ID,
    paused_message,
    profile_saved_message,
)
from bot.slack.blocks.profile import profile_summary
from bot.slack.blocks.programme_settings_saved import settings_saved_message
from bot.slack.copy import text
from bot.slack.users import SlackUnavailable, UnknownUser, fetch_user
from handlers.flows import intent_from_key, joined_reply
from handlers.home import publish_home
from handlers.messages import send_dm
from handlers.modals import intent_from_metadata
from handlers.payload import parties, state_values
from storage.repositories import PersonRepository


async def on_profile_submitted(
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    client: AsyncWebClient,
    context: dict[str, Any],
) -> None:
    deps = deps_of(context)
    user_id, team_id, team_name = parties(body)
    values = state_values(view)
    profile = parse_profile(values, submitter_id=user_id)
    if isinstance(profile, dict):
        await ack(response_action="errors", errors=profile)
        return
    intent = intent_from_key(intent_from_metadata(view.get("private_metadata")))
    now = deps.clock()
    async with deps.sessions() as session:
        await enrolment.ensure_workspace(session, team_id, team_name, now=now)
        person = await enrolment.get_person(session, team_id, user_id)
        if person is None:
            # The modal was opened before this person's row existed (or after a forget).
            person = await PersonRepository(session).upsert_seen(
                team_id,
                user_id,
                display_name=str((body.get("user") or {}).get("name") or user_id),
                real_name=None,
                time_zone=profile.time_zone,
                now=now,
            )
        await enrolment.save_profile(session, person, profile, now=now)
        outcome = await enrolment.join(session, person, intent, now=now) if intent else None
        enrolled = enrolment.is_taking_part(person)
        await session.commit()
    await ack()
    if intent is not None and outcome is not None:
        message = joined_reply(intent, outcome, profile_summary(profile))
    else:
        message = profile_saved_message(enrolled=enrolled)
    await send_dm(client, user_id, message)
    await publish_home(client, deps, team_id, user_id)


async def on_settings_submitted(
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    client: AsyncWebClient,
    context: dict[str, Any],
) -> None:
    deps = deps_of(context)
    user_id, team_id, team_name = parties(body)
    values = state_values(view)
    first_block = next(iter(values), None)
    # Admin rights are checked again on save: they may have changed since the modal opened.
    try:
        user = await fetch_user(client, user_id)
    except (SlackUnavailable, UnknownUser):
        if first_block is not None:
            await ack(response_action="errors", errors={first_block: text.SLACK_BUSY_FIELD})
        else:
            await ack()
        return
    if not is_admin(user, deps.admins):
        await ack(response_action="errors", errors={first_block or "": text.NOT_ADMIN_FIELD})
        return
    settings = parse_settings(values)
    if isinstance(settings, dict):
        await ack(response_action="errors", errors=settings)
        return
    now = deps.clock()
    async with deps.sessions() as session:
        await enrolment.ensure_workspace(session, team_id, team_name, now=now)
        saved = await save_programme_settings(session, team_id, settings, now=now)
        await session.commit()
    await ack()
    await send_dm(client, user_id, settings_saved_message(saved))
    await publish_home(client, deps, team_id, user_id, admin=True)


def _pause_date(values: dict[str, Any]) -> str | None:
    picked = (values.get(BLOCK_PAUSE_UNTIL) or {}).get(ACTION_PAUSE_UNTIL) or {}
    selected = picked.get("selected_date") if isinstance(picked, dict) else None
    return selected if isinstance(selected, str) else None


def pause_problem(raw: str | None, today: date) -> tuple[date | None, str | None]:
    if raw is None:
        return None, text.PAUSE_PICK_DATE
    try:
        until = date.fromisoformat(raw)
    except ValueError:
        return None, text.PAUSE_PICK_DATE
    if until <= today:
        return None, text.PAUSE_IN_FUTURE
    if until > today + timedelta(days=MAX_PAUSE_DAYS):
        return None, text.PAUSE_TOO_LONG
    return until, None


async def on_pause_submitted(
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    client: AsyncWebClient,
    context: dict[str, Any],
) -> None:
    deps = deps_of(context)
    user_id, team_id, _ = parties(body)
    values = state_values(view)
    now = deps.clock()
    until, problem = pause_problem(_pause_date(values), now.date())
    if problem is not None:
        await ack(response_action="errors", errors={BLOCK_PAUSE_UNTIL: problem})
        return
    async with deps.sessions() as session:
        person = await enrolment.get_person(session, team_id, user_id)
        if person is None or not enrolment.is_taking_part(person):
            await ack(response_action="errors", errors={BLOCK_PAUSE_UNTIL: text.PAUSE_NOT_ENROLLED})
            return
        await enrolment.pause(session, person, until, now=now)
        await session.commit()
    await ack()
    await send_dm(client, user_id, paused_message(until))
    await publish_home(client, deps, team_id, user_id)


def register(app: AsyncApp) -> None:
    app.view(PROFILE_CALLBACK_ID)(on_profile_submitted)
    app.view(SETTINGS_CALLBACK_ID)(on_settings_submitted)
    app.view(PAUSE_CALLBACK_ID)(on_pause_submitted)
