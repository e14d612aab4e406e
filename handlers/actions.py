"""Buttons: App Home (find, profile, pause, resume, settings), leave and forget confirmations."""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.commands.intents import Find, FindKind
from bot.domain import EnrolmentState
from bot.enrolment import service as enrolment
from bot.privacy import service as privacy
from bot.process.deps import deps_of
from bot.slack.admins import is_admin
from bot.slack.blocks.enrolment import (
    ACTION_CANCEL,
    ACTION_CONFIRM_FORGET,
    ACTION_CONFIRM_LEAVE,
    already_message,
    cancelled_message,
    forgotten_message,
    left_message,
    not_admin_message,
    not_enrolled_message,
    resumed_message,
)
from bot.slack.blocks.home import (
    ACTION_ADMIN_SETTINGS,
    ACTION_EDIT_PROFILE,
    ACTION_FIND,
    ACTION_PAUSE,
    ACTION_RESUME,
)
from bot.slack.blocks.progress import database_busy_message
from handlers.dedup import action_key, claim_in
from handlers.flows import open_profile_editor, start_find
from handlers.home import publish_home
from handlers.identify import identify
from handlers.messages import dm_replier
from handlers.modals import open_pause_modal, open_settings_modal
from handlers.payload import parties
from storage.session import DATABASE_UNAVAILABLE_ERRORS

logger = logging.getLogger(__name__)


async def on_home_find(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: dict[str, Any]
) -> None:
    await ack()
    deps = deps_of(context)
    user_id, team_id, team_name = parties(body)
    reply = dm_replier(client, user_id)
    user = await identify(client, user_id, team_id, reply, deps)
    if user is None:
        return
    await start_find(
        client,
        deps,
        team_id=team_id,
        team_name=team_name,
        user=user,
        intent=Find(FindKind.PAIRS),
        trigger_id=body.get("trigger_id", ""),
        reply=reply,
        claim_key=action_key(body, user_id),
    )
    await publish_home(client, deps, team_id, user_id, admin=is_admin(user, deps.admins))


async def on_home_edit_profile(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: dict[str, Any]
) -> None:
    await ack()
    deps = deps_of(context)
    user_id, team_id, _ = parties(body)
    reply = dm_replier(client, user_id)
    user = await identify(client, user_id, team_id, reply, deps)
    if user is None:
        return
    await open_profile_editor(
        client,
        deps,
        team_id=team_id,
        user=user,
        trigger_id=body.get("trigger_id", ""),
        reply=reply,
    )


async def on_home_pause(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: dict[str, Any]
) -> None:
    await ack()
    user_id, _, _ = parties(body)
    await open_pause_modal(
        client, body.get("trigger_id", ""), deps_of(context), reply=dm_replier(client, user_id)
    )


async def on_home_resume(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: dict[str, Any]
) -> None:
    await ack()
    deps = deps_of(context)
    user_id, team_id, _ = parties(body)
    reply = dm_replier(client, user_id)
    now = deps.clock()
    async with deps.sessions() as session:
        if not await claim_in(session, action_key(body, user_id), now=now):
            return
        person = await enrolment.get_person(session, team_id, user_id)
        if person is None or person.enrolment_state is not EnrolmentState.PAUSED:
            await session.rollback()
            message = already_message("not_paused")
        else:
            await enrolment.resume(session, person, now=now)
            await session.commit()
            state = await enrolment.home_state(
                session, team_id, user_id, is_admin=False, today=now.date()
            )
            message = resumed_message(next_round=state.next_round)
    await reply(**message)
    await publish_home(client, deps, team_id, user_id)


async def on_home_admin_settings(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: dict[str, Any]
) -> None:
    await ack()
    deps = deps_of(context)
    user_id, team_id, _ = parties(body)
    reply = dm_replier(client, user_id)
    user = await identify(client, user_id, team_id, reply, deps)
    if user is None:
        return
    if not is_admin(user, deps.admins):
        await reply(**not_admin_message())
        return
    await open_settings_modal(client, body.get("trigger_id", ""), team_id, deps, reply=reply)


async def on_confirm_leave(
    ack: AsyncAck,
    body: dict[str, Any],
    client: AsyncWebClient,
    respond: AsyncRespond,
    context: dict[str, Any],
) -> None:
    await ack()
    deps = deps_of(context)
    user_id, team_id, _ = parties(body)
    now = deps.clock()
    async with deps.sessions() as session:
        # A replayed click (same action_ts) finds its claim and leaves a rejoined person alone.
        if not await claim_in(session, action_key(body, user_id), now=now):
            return
        person = await enrolment.get_person(session, team_id, user_id)
        if person is None or not enrolment.is_taking_part(person):
            await session.rollback()
            await respond(replace_original=True, **not_enrolled_message("leave"))
            return
        await enrolment.leave(session, person, now=now)
        await session.commit()
    await respond(replace_original=True, **left_message())
    await publish_home(client, deps, team_id, user_id)


async def on_confirm_forget(
    ack: AsyncAck,
    body: dict[str, Any],
    client: AsyncWebClient,
    respond: AsyncRespond,
    context: dict[str, Any],
) -> None:
    await ack()
    deps = deps_of(context)
    user_id, team_id, _ = parties(body)
    now = deps.clock()
    async with deps.sessions() as session:
        if not await claim_in(session, action_key(body, user_id), now=now):
            return
        person = await enrolment.get_person(session, team_id, user_id)
        if person is not None:
            summary = await privacy.forget_person(session, person, now=now)
            await session.commit()
            logger.info("forgot a person in %s: %s", team_id, summary)
        elif await privacy.forget_directory_only(session, team_id, user_id):
            # Forgotten already; an HR import since then listed them again.
            await session.commit()
    await respond(replace_original=True, **forgotten_message())
    await publish_home(client, deps, team_id, user_id)


async def on_cancel(ack: AsyncAck, respond: AsyncRespond) -> None:
    await ack()
    await respond(replace_original=True, **cancelled_message())


Listener = Callable[..., Awaitable[None]]


def busy_answered(listener: Listener) -> Listener:
    """After the ack, a database that does not answer in time gets a "try again" reply."""

    @functools.wraps(listener)
    async def guarded(
        ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, **kwargs: Any
    ) -> None:
        acked = False

        async def ack_once(*args: Any, **ack_kwargs: Any) -> None:
            nonlocal acked
            acked = True
            await ack(*args, **ack_kwargs)

        try:
            await listener(ack=ack_once, body=body, client=client, **kwargs)
        except DATABASE_UNAVAILABLE_ERRORS as exc:
            if not acked:
                raise
            user_id, _, _ = parties(body)
            logger.warning("database unavailable during a click: %s", type(exc).__name__)
            await dm_replier(client, user_id)(**database_busy_message())

    return guarded


def register(app: AsyncApp) -> None:
    app.action(ACTION_FIND)(busy_answered(on_home_find))
    app.action(ACTION_EDIT_PROFILE)(busy_answered(on_home_edit_profile))
    app.action(ACTION_PAUSE)(on_home_pause)
    app.action(ACTION_RESUME)(busy_answered(on_home_resume))
    app.action(ACTION_ADMIN_SETTINGS)(busy_answered(on_home_admin_settings))
    app.action(ACTION_CONFIRM_LEAVE)(busy_answered(on_confirm_leave))
    app.action(ACTION_CONFIRM_FORGET)(busy_answered(on_confirm_forget))
    app.action(ACTION_CANCEL)(on_cancel)
