"""The weekly check-in's buttons (1 to 5, last week's step, Answer), its modal, and opening
this week's check-in on demand (`checkin`).

Buttons ack first, then claim the click in the transaction of its effect and answer the
presser only (ephemeral). The modal is checked from the payload alone in the ack; the save
follows, and the modal then shows "saved", or the form as typed with a "try again" note.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Final

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.checkins import service
from bot.checkins.form import parse_submission
from bot.checkins.service import ModalAnswer, Outcome
from bot.domain import StepDone
from bot.enrolment import service as enrolment
from bot.process.deps import Deps, deps_of
from bot.slack.blocks import checkin as blocks
from bot.slack.blocks.enrolment import not_enrolled_message
from bot.slack.blocks.progress import status_modal, with_notice
from bot.slack.copy import checkins as copy
from bot.slack.copy import progress as progress_copy
from handlers.actions import busy_answered
from handlers.dedup import action_key, claim_in, submission_key
from handlers.identify import Reply
from handlers.messages import send_dm
from handlers.payload import parties, state_values
from handlers.view_calls import open_view, replace_view
from storage.session import DATABASE_UNAVAILABLE_ERRORS

logger = logging.getLogger(__name__)

RATE_ACTION: Final = re.compile(rf"^{blocks.ACTION_RATE_PREFIX}[1-5]$")
PREVIOUS_ACTION: Final = re.compile(rf"^{blocks.ACTION_PREVIOUS_PREFIX}(yes|partly|no)$")


def _action(body: dict[str, Any]) -> tuple[str, int | None]:
    actions = body.get("actions") or []
    first = actions[0] if actions and isinstance(actions[0], dict) else {}
    value = first.get("value")
    try:
        checkin_id = int(value) if isinstance(value, str) else None
    except ValueError:
        checkin_id = None
    return str(first.get("action_id", "")), checkin_id


def _closed_or_not_yours(outcome: Outcome) -> dict[str, Any]:
    return blocks.reply(copy.CLOSED if outcome is Outcome.CLOSED else copy.NOT_YOURS)


async def on_rate(
    ack: AsyncAck,
    body: dict[str, Any],
    client: AsyncWebClient,
    respond: AsyncRespond,
    context: dict[str, Any],
) -> None:
    await ack()
    action_id, checkin_id = _action(body)
    rating = int(action_id.removeprefix(blocks.ACTION_RATE_PREFIX))
    await _button_answer(body, respond, deps_of(context), checkin_id, rating=rating)


async def on_previous(
    ack: AsyncAck,
    body: dict[str, Any],
    client: AsyncWebClient,
    respond: AsyncRespond,
    context: dict[str, Any],
) -> None:
    await ack()
    action_id, checkin_id = _action(body)
    done = StepDone(action_id.removeprefix(blocks.ACTION_PREVIOUS_PREFIX))
    await _button_answer(body, respond, deps_of(context), checkin_id, previous=done)


async def _button_answer(
    body: dict[str, Any],
    respond: AsyncRespond,
    deps: Deps,
    checkin_id: int | None,
    *,
    rating: int | None = None,
    previous: StepDone | None = None,
) -> None:
    user_id, team_id, _ = parties(body)
    if checkin_id is None:
        await respond(**blocks.reply(copy.NOT_YOURS))
        return
    now = deps.clock()
    async with deps.sessions() as session:
        if not await claim_in(session, action_key(body, user_id), now=now):
            return
        found = await service.own_checkin(session, team_id, user_id, checkin_id, now)
        if found.outcome is not Outcome.SAVED or found.checkin is None:
            await session.rollback()
            await respond(**_closed_or_not_yours(found.outcome))
            return
        if rating is not None:
            service.record_rating(found.checkin, rating, now)
        if previous is not None:
            service.record_previous(found.checkin, previous, now)
        await session.commit()
    logger.info("check-in %s answered by button", checkin_id)
    if rating is not None:
        await respond(**blocks.reply(copy.SAVED_RATING.format(rating=rating)))
    elif previous is not None:
        words = copy.PREVIOUS_WORDS[previous.value]
        await respond(**blocks.reply(copy.SAVED_PREVIOUS.format(answer=words)))


async def on_open(
    ack: AsyncAck,
    body: dict[str, Any],
    client: AsyncWebClient,
    respond: AsyncRespond,
    context: dict[str, Any],
) -> None:
    await ack()
    deps = deps_of(context)
    user_id, team_id, _ = parties(body)
    _, checkin_id = _action(body)
    if checkin_id is None:
        await respond(**blocks.reply(copy.NOT_YOURS))
        return
    now = deps.clock()
    # Reads only before views.open: the trigger expires 3 s after the click.
    async with deps.sessions() as session:
        found = await service.own_checkin(session, team_id, user_id, checkin_id, now)
        if found.outcome is not Outcome.SAVED or found.checkin is None:
            await respond(**_closed_or_not_yours(found.outcome))
            return
        current = await service.current_answers(session, found.checkin)
    await open_view(
        client, body.get("trigger_id", ""), blocks.checkin_modal(checkin_id, current), respond
    )


async def open_this_week(
    client: AsyncWebClient,
    deps: Deps,
    *,
    team_id: str,
    user_id: str,
    trigger_id: str,
    reply: Reply,
) -> None:
    """`checkin`: this week's check-in, in the modal (created when it was not sent yet)."""
    now = deps.clock()
    async with deps.sessions() as session:
        person = await enrolment.get_person(session, team_id, user_id)
        if person is None or not enrolment.is_taking_part(person):
            await session.rollback()
            await reply(**not_enrolled_message("checkin"))
            return
        checkin = await service.this_week(session, person, now)
        current = await service.current_answers(session, checkin)
        checkin_id = checkin.id
        await session.commit()
    if trigger_id:
        await open_view(client, trigger_id, blocks.checkin_modal(checkin_id, current), reply)
    else:
        # Typed in the DM: no trigger to open a modal with, so the check-in message itself.
        await reply(**blocks.checkin_message(checkin_id, current.previous_step))


# ---------------------------------------------------------------------- the modal


def _checkin_id(view: dict[str, Any]) -> int | None:
    try:
        return int(str(view.get("private_metadata") or ""))
    except ValueError:
        return None


async def on_submitted(
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    client: AsyncWebClient,
    context: dict[str, Any],
) -> None:
    answer = parse_submission(state_values(view))
    if isinstance(answer, dict):
        await ack(response_action="errors", errors=answer)
        return
    await ack(response_action="update", view=status_modal(copy.MODAL_TITLE, copy.SAVING))
    await _save(body, view, answer, client, deps_of(context))


async def _save(
    body: dict[str, Any],
    view: dict[str, Any],
    answer: ModalAnswer,
    client: AsyncWebClient,
    deps: Deps,
) -> None:
    user_id, team_id, _ = parties(body)
    checkin_id = _checkin_id(view)
    view_id = view.get("id")
    now = deps.clock()
    if checkin_id is None:
        await replace_view(client, view_id, status_modal(copy.MODAL_TITLE, copy.NOT_YOURS))
        return
    try:
        async with deps.sessions() as session:
            if not await claim_in(session, submission_key(view), now=now):
                return
            found = await service.own_checkin(session, team_id, user_id, checkin_id, now)
            if found.outcome is not Outcome.SAVED or found.checkin is None or found.person is None:
                await session.rollback()
                words = copy.CLOSED if found.outcome is Outcome.CLOSED else copy.NOT_YOURS
                await replace_view(client, view_id, status_modal(copy.MODAL_TITLE, words))
                return
            shared = await service.record_modal(session, found.checkin, found.person, answer, now)
            await session.commit()
    except DATABASE_UNAVAILABLE_ERRORS as exc:
        logger.warning("check-in not saved: %s", type(exc).__name__)
        form = blocks.checkin_modal(checkin_id, _as_current(answer))
        await replace_view(client, view_id, with_notice(form, copy.NOT_SAVED))
        return
    logger.info("check-in %s answered in the modal", checkin_id)
    words = copy.SAVED
    if shared:
        words += f" {copy.STEP_SHARED}"
    elif answer.step_shared:
        words += f" {copy.STEP_KEPT_PRIVATE}"
    await replace_view(
        client, view_id, status_modal(copy.MODAL_TITLE, words, close=progress_copy.DONE)
    )
    await send_dm(client, user_id, blocks.reply(words))


def _as_current(answer: ModalAnswer) -> blocks.Current:
    return blocks.Current(
        rating=answer.rating,
        goal_status=answer.goal_status,
        met=answer.met,
        step=answer.step,
        note=answer.note,
        step_shared=answer.step_shared,
        note_shared=answer.note_shared,
        previous_step_done=answer.previous_step_done,
    )


def register(app: AsyncApp) -> None:
    app.action(RATE_ACTION)(busy_answered(on_rate))
    app.action(PREVIOUS_ACTION)(busy_answered(on_previous))
    app.action(blocks.ACTION_OPEN)(busy_answered(on_open))
    app.view(blocks.CALLBACK_ID)(on_submitted)
