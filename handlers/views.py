"""Modal submissions: profile, programme settings, pause.

The ack answers from the payload alone: invalid values go back as inline field errors, valid
ones swap the modal for a short "saving…" view. Saving (and, for settings, the admin check)
happens after the ack under the database's time budget; the modal is then updated to the
result, or back to the form as typed with a "try again" note, so nothing typed is lost. A
submission is claimed (view id and hash) in the transaction of its save, so identical copies
save and confirm once.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from datetime import date, timedelta
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.commands.intents import MAX_PAUSE_DAYS
from bot.enrolment import service as enrolment
from bot.enrolment.profile_form import CALLBACK_ID as PROFILE_CALLBACK_ID
from bot.enrolment.profile_form import ProfileInput
from bot.enrolment.profile_form import parse_submission as parse_profile
from bot.people import profile as people_profile
from bot.process.deps import Deps, deps_of
from bot.programmes.service import save_programme_settings
from bot.programmes.settings_form import CALLBACK_ID as SETTINGS_CALLBACK_ID
from bot.programmes.settings_form import ProgrammeSettings
from bot.programmes.settings_form import parse_submission as parse_settings
from bot.slack.admins import is_admin
from bot.slack.blocks.enrolment import (
    ACTION_PAUSE_UNTIL,
    BLOCK_PAUSE_UNTIL,
    PAUSE_CALLBACK_ID,
    not_enrolled_message,
    paused_message,
    profile_saved_message,
)
from bot.slack.blocks.profile import profile_modal, profile_summary
from bot.slack.blocks.programme_settings import settings_modal
from bot.slack.blocks.programme_settings_saved import settings_saved_message
from bot.slack.blocks.programmes import join_closed_message
from bot.slack.blocks.progress import database_busy_message, status_modal, with_notice
from bot.slack.copy import profile as profile_copy
from bot.slack.copy import programme_settings as settings_copy
from bot.slack.copy import progress as copy
from bot.slack.copy import text
from bot.slack.users import SlackUnavailable, UnknownUser, fetch_user
from handlers.dedup import claim_in, submission_key
from handlers.flows import intent_from_key, joined_reply
from handlers.home import publish_home
from handlers.messages import send_dm
from handlers.modals import intent_from_metadata
from handlers.payload import parties, state_values
from handlers.view_calls import replace_view
from storage.repositories import PersonRepository
from storage.session import DATABASE_UNAVAILABLE_ERRORS

logger = logging.getLogger(__name__)


# What a follow-up of a committed save may fail with; logged, never shown as "not saved".
_FOLLOW_UP_ERRORS: tuple[type[Exception], ...] = (*DATABASE_UNAVAILABLE_ERRORS, SlackApiError)


async def _after_save(follow_up: Awaitable[object], what: str) -> None:
    """Follow-ups of work already committed: a failure is logged, never shown as "not saved"."""
    try:
        await follow_up
    except _FOLLOW_UP_ERRORS as exc:
        logger.warning("%s after a save failed: %s", what, type(exc).__name__)


# ---------------------------------------------------------------------- profile


async def on_profile_submitted(
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    client: AsyncWebClient,
    context: dict[str, Any],
) -> None:
    user_id, _, _ = parties(body)
    profile = parse_profile(state_values(view), submitter_id=user_id)
    if isinstance(profile, dict):
        await ack(response_action="errors", errors=profile)
        return
    await ack(
        response_action="update", view=status_modal(profile_copy.MODAL_TITLE, copy.PROFILE_SAVING)
    )
    await _save_profile(body, view, profile, client, deps_of(context))


async def _save_profile(
    body: dict[str, Any],
    view: dict[str, Any],
    profile: ProfileInput,
    client: AsyncWebClient,
    deps: Deps,
) -> None:
    user_id, team_id, team_name = parties(body)
    metadata = str(view.get("private_metadata") or "")
    intent = intent_from_key(intent_from_metadata(metadata))
    closed = False
    now = deps.clock()
    try:
        async with deps.sessions() as session:
            key = submission_key(view)
            # The claim first: on SQLite it takes the write lock before any read.
            if not await claim_in(session, key, now=now):
                logger.info("skipping a repeated profile submission")
                return
            await enrolment.ensure_workspace(session, team_id, team_name, now=now)
            person = await enrolment.get_person(session, team_id, user_id)
            if person is None:
                # The first submission creates the row: opening the modal wrote nothing.
                person = await PersonRepository(session).upsert_seen(
                    team_id,
                    user_id,
                    display_name=str((body.get("user") or {}).get("name") or user_id),
                    real_name=None,
                    time_zone=profile.time_zone,
                    now=now,
                )
            profile = await people_profile.with_hr_fields(session, team_id, user_id, profile)
            await enrolment.save_profile(session, person, profile, now=now)
            outcome = None
            if intent is not None:
                try:
                    outcome = await enrolment.join(session, person, intent, now=now)
                except enrolment.ProgrammeClosed:
                    # The invitation's programme closed meanwhile: the profile still saves.
                    closed = True
            enrolled = enrolment.is_taking_part(person)
            await session.commit()
    except DATABASE_UNAVAILABLE_ERRORS as exc:
        logger.warning("profile not saved: %s", type(exc).__name__)
        form = profile_modal(profile, private_metadata=metadata, is_new=_was_first_time(view))
        if not await replace_view(
            client, view.get("id"), with_notice(form, copy.PROFILE_NOT_SAVED)
        ):
            await send_dm(client, user_id, {"text": copy.PROFILE_NOT_SAVED_DM})
        return
    # Saved: from here on nothing may say otherwise.
    saved = status_modal(profile_copy.MODAL_TITLE, copy.PROFILE_SAVED, close=copy.DONE)
    await _after_save(replace_view(client, view.get("id"), saved), "views.update")
    if intent is not None and outcome is not None:
        message = joined_reply(intent, outcome, profile_summary(profile))
    elif closed:
        message = join_closed_message()
    else:
        message = profile_saved_message(enrolled=enrolled)
    await _after_save(send_dm(client, user_id, message), "the confirmation")
    await _after_save(publish_home(client, deps, team_id, user_id), "the Home refresh")


def _was_first_time(view: dict[str, Any]) -> bool:
    """Whether the submitted form was the first-time one: its submit button says so."""
    submit = (view.get("submit") or {}).get("text")
    return submit != profile_copy.SUBMIT_SAVE


# ---------------------------------------------------------------------- programme settings


async def on_settings_submitted(
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    client: AsyncWebClient,
    context: dict[str, Any],
) -> None:
    settings = parse_settings(state_values(view))
    if isinstance(settings, dict):
        await ack(response_action="errors", errors=settings)
        return
    await ack(
        response_action="update", view=status_modal(settings_copy.MODAL_TITLE, copy.SETTINGS_SAVING)
    )
    await _save_settings(body, view, settings, client, deps_of(context))


async def _save_settings(
    body: dict[str, Any],
    view: dict[str, Any],
    settings: ProgrammeSettings,
    client: AsyncWebClient,
    deps: Deps,
) -> None:
    user_id, team_id, team_name = parties(body)
    view_id = view.get("id")
    title = settings_copy.MODAL_TITLE
    retry_form = with_notice(settings_modal(settings), copy.SETTINGS_NOT_SAVED)
    # Admin rights are checked again on save (after the ack): they may have changed since.
    try:
        user = await fetch_user(client, user_id)
    except SlackUnavailable:
        await replace_view(client, view_id, retry_form)
        return
    except UnknownUser:
        await replace_view(client, view_id, status_modal(title, copy.SETTINGS_NOT_ADMIN))
        return
    if not is_admin(user, deps.admins):
        await replace_view(client, view_id, status_modal(title, copy.SETTINGS_NOT_ADMIN))
        return
    now = deps.clock()
    try:
        async with deps.sessions() as session:
            key = submission_key(view)
            if not await claim_in(session, key, now=now):
                logger.info("skipping a repeated settings submission")
                return
            await enrolment.ensure_workspace(session, team_id, team_name, now=now)
            saved = await save_programme_settings(session, team_id, settings, now=now)
            await session.commit()
    except DATABASE_UNAVAILABLE_ERRORS as exc:
        logger.warning("settings not saved: %s", type(exc).__name__)
        await replace_view(client, view_id, retry_form)
        return
    await _after_save(
        replace_view(client, view_id, status_modal(title, copy.SETTINGS_SAVED, close=copy.DONE)),
        "views.update",
    )
    await _after_save(send_dm(client, user_id, settings_saved_message(saved)), "the confirmation")
    await _after_save(publish_home(client, deps, team_id, user_id, admin=True), "the Home refresh")


# ---------------------------------------------------------------------- pause


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
    """Close the modal at once; the outcome (paused, not taking part, busy) comes as a DM."""
    deps = deps_of(context)
    until, problem = pause_problem(_pause_date(state_values(view)), deps.clock().date())
    if until is None:
        await ack(
            response_action="errors", errors={BLOCK_PAUSE_UNTIL: problem or text.PAUSE_PICK_DATE}
        )
        return
    await ack()
    user_id, team_id, _ = parties(body)
    now = deps.clock()
    try:
        async with deps.sessions() as session:
            key = submission_key(view)
            if not await claim_in(session, key, now=now):
                return
            person = await enrolment.get_person(session, team_id, user_id)
            if person is None or not enrolment.is_taking_part(person):
                await session.rollback()
                await send_dm(client, user_id, not_enrolled_message("pause"))
                return
            await enrolment.pause(session, person, until, now=now)
            await session.commit()
    except DATABASE_UNAVAILABLE_ERRORS as exc:
        logger.warning("pause not saved: %s", type(exc).__name__)
        await send_dm(client, user_id, database_busy_message())
        return
    await _after_save(send_dm(client, user_id, paused_message(until)), "the confirmation")
    await _after_save(publish_home(client, deps, team_id, user_id), "the Home refresh")


def register(app: AsyncApp) -> None:
    app.view(PROFILE_CALLBACK_ID)(on_profile_submitted)
    app.view(SETTINGS_CALLBACK_ID)(on_settings_submitted)
    app.view(PAUSE_CALLBACK_ID)(on_pause_submitted)
