"""Reflective questions from Slack: `/peercoach question`, and the admin's question bank modal
(`/peercoach admin questions`) with its submission.

The command flows run after the command's ack (handlers/commands.py). The submission is
validated from the payload alone and answered in its ack; the save follows, claimed in its
transaction so a second copy of the same submission changes nothing."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.process.deps import Deps, deps_of
from bot.questions import admin_form as form
from bot.questions import service
from bot.slack.admins import is_admin
from bot.slack.blocks.enrolment import not_enrolled_message
from bot.slack.blocks.progress import status_modal, with_notice
from bot.slack.blocks.questions import none_left_message, on_demand_message, questions_modal
from bot.slack.copy import questions as copy
from bot.slack.mrkdwn import escape
from bot.slack.users import SlackUnavailable, UnknownUser, fetch_user
from handlers.dedup import claim_in, submission_key
from handlers.identify import Reply
from handlers.payload import parties, state_values
from handlers.view_calls import open_view, replace_view
from storage.session import DATABASE_UNAVAILABLE_ERRORS

logger = logging.getLogger(__name__)


async def ask_question(
    deps: Deps, team_id: str, user_id: str, reply: Reply, *, claim_key: str | None
) -> None:
    """`/peercoach question`: one question, for this person only, counted as seen."""
    outcome = await service.question_on_demand(
        deps.sessions, deps.drafter, team_id, user_id, now=deps.clock(), claim_key=claim_key
    )
    if outcome.repeat:
        return
    if not outcome.enrolled:
        await reply(**not_enrolled_message("question"))
    elif outcome.question is None:
        await reply(**none_left_message())
    else:
        await reply(**on_demand_message(outcome.question.text))


async def _bank_view(
    deps: Deps,
    team_id: str,
    team_name: str | None,
    *,
    notice: str | None = None,
    typed: form.BankEdit | None = None,
) -> dict[str, Any]:
    async with deps.sessions() as session:
        summary = await service.bank_summary(
            session, team_id, now=deps.clock(), team_name=team_name
        )
        # ensure_bank may have copied the curated questions in: keep them.
        await session.commit()
    return questions_modal(
        summary.active,
        summary.retired,
        notice=notice,
        typed=typed.add if typed is not None else None,
    )


async def open_questions_modal(
    client: AsyncWebClient,
    trigger_id: str,
    team_id: str,
    team_name: str | None,
    deps: Deps,
    *,
    reply: Reply,
) -> None:
    await open_view(client, trigger_id, await _bank_view(deps, team_id, team_name), reply)


async def _may_edit(client: AsyncWebClient, user_id: str, deps: Deps) -> bool | None:
    """Whether `user_id` is an admin now; None when Slack did not answer."""
    try:
        user = await fetch_user(client, user_id)
    except SlackUnavailable:
        return None
    except UnknownUser:
        return False
    return is_admin(user, deps.admins)


def _saved_notice(change: service.BankChange) -> str:
    words = []
    if change.added:
        words.append(copy.SAVED_ADDED)
    if change.restored:
        words.append(copy.SAVED_RESTORED)
    if change.retired:
        words.append(copy.SAVED_RETIRED.format(count=change.retired))
    return " ".join(words) or copy.SAVED_NOTHING


async def on_questions_submitted(
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    client: AsyncWebClient,
    context: dict[str, Any],
) -> None:
    deps = deps_of(context)
    edit = form.parse_submission(state_values(view))
    if isinstance(edit, dict):
        await ack(response_action="errors", errors=edit)
        return
    await ack(response_action="update", view=status_modal(copy.MODAL_TITLE, copy.SAVING))
    user_id, team_id, team_name = parties(body)
    view_id = view.get("id")
    allowed = await _may_edit(client, user_id, deps)
    if not allowed:
        words = copy.NOT_ADMIN if allowed is False else copy.NOT_SAVED
        await replace_view(client, view_id, status_modal(copy.MODAL_TITLE, words))
        return
    now = deps.clock()
    try:
        async with deps.sessions() as session:
            if not await claim_in(session, submission_key(view), now=now):
                return
            try:
                change = await service.change_bank(
                    session,
                    team_id,
                    add=edit.add,
                    retire=edit.retire,
                    now=now,
                    team_name=team_name,
                )
            except service.Duplicate:
                await session.rollback()
                again = await _bank_view(deps, team_id, team_name, typed=edit)
                await replace_view(client, view_id, with_notice(again, copy.DUPLICATE))
                return
            await session.commit()
    except DATABASE_UNAVAILABLE_ERRORS as exc:
        logger.warning("question bank not saved: %s", type(exc).__name__)
        words = copy.NOT_SAVED
        if edit.add is not None:
            # Nothing typed is lost: the question comes back to be copied and sent again.
            words += "\n" + copy.YOUR_QUESTION.format(question=escape(edit.add[1]))
        await replace_view(client, view_id, status_modal(copy.MODAL_TITLE, words))
        return
    logger.info(
        "question bank of %s changed: added %s, restored %s, retired %d",
        team_id,
        change.added,
        change.restored,
        change.retired,
    )
    saved = await _bank_view(deps, team_id, team_name, notice=_saved_notice(change))
    await replace_view(client, view_id, saved)


def register(app: AsyncApp) -> None:
    app.view(form.CALLBACK_ID)(on_questions_submitted)
