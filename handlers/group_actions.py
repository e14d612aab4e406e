"""The buttons of a group's messages (We met, Skip, Pause me, Yes / Not this time), of the
"stay, pause or leave?" DM, and of a mentor's request.

Each acks first, then claims the click (a replay does nothing) in the transaction of its
effect, and answers the click itself: the pressed message is updated through `respond`, and
what only the presser should see is ephemeral.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.groups import answers, mentorship
from bot.groups.answers import GhostChoice, GhostOutcome, Outcome, Said
from bot.groups.mentorship import MentorAnswer
from bot.process.deps import deps_of
from bot.slack.blocks import groups as blocks
from bot.slack.blocks.dates import format_date
from bot.slack.copy import groups as copy
from handlers.actions import busy_answered
from handlers.dedup import action_key, claim_in
from handlers.messages import dm_replier
from handlers.modals import open_pause_modal
from handlers.payload import parties

logger = logging.getLogger(__name__)


def _value_id(body: dict[str, Any]) -> int | None:
    actions = body.get("actions") or []
    first = actions[0] if actions and isinstance(actions[0], dict) else {}
    value = first.get("value")
    try:
        return int(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _original_blocks(body: dict[str, Any]) -> list[Any]:
    message = body.get("message") or {}
    found = message.get("blocks") if isinstance(message, dict) else None
    return list(found) if isinstance(found, list) else []


async def _group_answer(
    body: dict[str, Any],
    client: AsyncWebClient,
    respond: AsyncRespond,
    context: dict[str, Any],
    said: Said,
    *,
    late_ok: bool,
) -> None:
    deps = deps_of(context)
    user_id, team_id, _ = parties(body)
    group_id = _value_id(body)
    if group_id is None:
        await respond(**blocks.ephemeral(copy.GROUP_OVER))
        return
    now = deps.clock()
    async with deps.sessions() as session:
        if not await claim_in(session, action_key(body, user_id), now=now):
            return
        answer = await answers.record(
            session,
            team_id=team_id,
            user_id=user_id,
            group_id=group_id,
            said=said,
            late_ok=late_ok,
            now=now,
        )
        await session.commit()
    logger.info("group %s: %s answered %s", group_id, said.value, answer.outcome.value)
    if answer.outcome is Outcome.NOT_A_MEMBER:
        await respond(**blocks.ephemeral(copy.NOT_A_MEMBER))
    elif answer.outcome is Outcome.OVER:
        await respond(**blocks.ephemeral(copy.GROUP_OVER))
    elif said is Said.PAUSE and answer.outcome is Outcome.RECORDED:
        await open_pause_modal(
            client, body.get("trigger_id", ""), deps, reply=dm_replier(client, user_id)
        )
        await respond(**blocks.ephemeral(copy.PAUSE_OPENED))
    else:
        # The buttons give way to who recorded what (whoever was first, if not this person).
        line = _recorded_line(said, answer).format(user=answer.recorded_by or user_id)
        await respond(replace_original=True, **blocks.answered(_original_blocks(body), line))


def _recorded_line(said: Said, answer: answers.Answer) -> str:
    if answer.outcome is Outcome.ALREADY_MET:
        return copy.MET_RECORDED
    if answer.outcome is Outcome.ALREADY_SKIPPED:
        return copy.SKIPPED_RECORDED
    if said is Said.NOT_MET:
        return copy.NOT_MET_RECORDED
    if said is Said.SKIP:
        return copy.SKIPPED_RECORDED
    return copy.MET_RECORDED


# The group buttons: what each says, and whether it still counts once the round has ended.
_GROUP_ANSWERS: dict[str, tuple[Said, bool]] = {
    blocks.ACTION_MET: (Said.MET, False),
    blocks.ACTION_MET_YES: (Said.MET, True),
    blocks.ACTION_SKIP: (Said.SKIP, False),
    blocks.ACTION_NOT_MET: (Said.NOT_MET, True),
    blocks.ACTION_PAUSE: (Said.PAUSE, False),
}


async def on_group_answer(
    ack: AsyncAck,
    body: dict[str, Any],
    client: AsyncWebClient,
    respond: AsyncRespond,
    context: dict[str, Any],
) -> None:
    await ack()
    action_id = str(((body.get("actions") or [{}])[0] or {}).get("action_id", ""))
    said, late_ok = _GROUP_ANSWERS[action_id]
    await _group_answer(body, client, respond, context, said, late_ok=late_ok)


_GHOST_CHOICES = {
    blocks.ACTION_GHOST_STAY: GhostChoice.STAY,
    blocks.ACTION_GHOST_PAUSE: GhostChoice.PAUSE,
    blocks.ACTION_GHOST_LEAVE: GhostChoice.LEAVE,
}


async def on_ghost(
    ack: AsyncAck,
    body: dict[str, Any],
    client: AsyncWebClient,
    respond: AsyncRespond,
    context: dict[str, Any],
) -> None:
    await ack()
    deps = deps_of(context)
    user_id, team_id, _ = parties(body)
    action_id = str(((body.get("actions") or [{}])[0] or {}).get("action_id", ""))
    membership_id = _value_id(body)
    choice = _GHOST_CHOICES.get(action_id)
    if membership_id is None or choice is None:
        await respond(**blocks.ephemeral(copy.GHOST_NOT_YOURS))
        return
    now = deps.clock()
    async with deps.sessions() as session:
        if not await claim_in(session, action_key(body, user_id), now=now):
            return
        result = await answers.answer_ghost(
            session,
            team_id=team_id,
            user_id=user_id,
            membership_id=membership_id,
            choice=choice,
            now=now,
        )
        await session.commit()
    logger.info("membership %s: %s", membership_id, result.outcome.value)
    if result.outcome is GhostOutcome.NOT_YOURS:
        await respond(**blocks.ephemeral(copy.GHOST_NOT_YOURS))
    elif result.outcome is GhostOutcome.ALREADY:
        await respond(**blocks.replacement(copy.GHOST_ALREADY))
    elif result.outcome is GhostOutcome.STAYED:
        await respond(**blocks.replacement(copy.GHOST_STAYED))
    elif result.outcome is GhostOutcome.PAUSED:
        assert result.paused_until is not None
        words = copy.GHOST_PAUSED.format(date=format_date(result.paused_until))
        await respond(**blocks.replacement(words))
    elif result.outcome is GhostOutcome.LEFT:
        await respond(**blocks.replacement(copy.GHOST_LEFT))
    else:
        await respond(**blocks.replacement(copy.GHOST_LEFT_ALL))


async def on_mentor(
    ack: AsyncAck,
    body: dict[str, Any],
    client: AsyncWebClient,
    respond: AsyncRespond,
    context: dict[str, Any],
) -> None:
    await ack()
    deps = deps_of(context)
    user_id, team_id, _ = parties(body)
    action_id = str(((body.get("actions") or [{}])[0] or {}).get("action_id", ""))
    group_id = _value_id(body)
    if group_id is None:
        await respond(**blocks.ephemeral(copy.MENTOR_MOVED_ON))
        return
    now = deps.clock()
    async with deps.sessions() as session:
        if not await claim_in(session, action_key(body, user_id), now=now):
            return
        result = await mentorship.answer(
            session,
            team_id=team_id,
            user_id=user_id,
            group_id=group_id,
            accept=action_id == blocks.ACTION_MENTOR_ACCEPT,
            now=now,
        )
        await session.commit()
    logger.info("mentorship %s: %s", group_id, result.answer.value)
    if result.answer is MentorAnswer.ACCEPTED:
        words = copy.MENTOR_ACCEPTED.format(mentee=result.mentee_user_id)
        await respond(**blocks.replacement(words))
    elif result.answer is MentorAnswer.DECLINED:
        await respond(**blocks.replacement(copy.MENTOR_DECLINED))
    elif result.answer is MentorAnswer.NOT_YOURS:
        await respond(**blocks.ephemeral(copy.MENTOR_NOT_YOURS))
    else:
        await respond(**blocks.replacement(copy.MENTOR_MOVED_ON))


def register(app: AsyncApp) -> None:
    for action_id in _GROUP_ANSWERS:
        app.action(action_id)(busy_answered(on_group_answer))
    for action_id in (
        blocks.ACTION_GHOST_STAY,
        blocks.ACTION_GHOST_PAUSE,
        blocks.ACTION_GHOST_LEAVE,
    ):
        app.action(action_id)(busy_answered(on_ghost))
    app.action(blocks.ACTION_MENTOR_ACCEPT)(busy_answered(on_mentor))
    app.action(blocks.ACTION_MENTOR_DECLINE)(busy_answered(on_mentor))
