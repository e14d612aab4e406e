"""What a person types in their DM with peercoach: a command (with or without the slash), an
answer to this week's check-in, or anything else (a pointer to `help`).

Commands run through the same flows as `/peercoach`, admin checks included, and answer in the
DM. Check-in answers are read by `bot.checkins.parse`, saved at once (partial or not) in the
transaction that claims the event, and answered with a confirmation or one question.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Final

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.checkins import service
from bot.checkins.parse import ParsedAnswer, parse_answer
from bot.commands.catalogue import Parsed, Unknown, parse
from bot.commands.intents import Malformed, interpret, interpret_parsed
from bot.enrolment import service as enrolment
from bot.process.deps import Deps, deps_of
from bot.slack.blocks.checkin import ACTION_DM_COMMAND, reply
from bot.slack.blocks.progress import database_busy_message
from bot.slack.copy import checkins as copy
from bot.slack.copy.text import SLASH_COMMAND
from handlers.actions import busy_answered
from handlers.commands import CommandContext, run_typed
from handlers.dedup import action_key, claim_in
from handlers.identify import Reply
from handlers.payload import parties
from storage.session import DATABASE_UNAVAILABLE_ERRORS

logger = logging.getLogger(__name__)

# "/peercoach status" and "peercoach status" typed in the DM mean "status".
_SLASH: Final = re.compile(rf"^\s*/?{SLASH_COMMAND.lstrip('/')}\b", re.IGNORECASE)
_GOAL_WORDS: Final = {
    "on_track": "on track",
    "some_progress": "some progress",
    "stuck": "stuck",
    "achieved": "achieved",
}


def dm_poster(client: AsyncWebClient, channel: str) -> Reply:
    """A `reply(**message)` that posts into the DM: only the text and blocks of a message
    built for a response_url are kept."""

    async def post(**message: Any) -> None:
        await client.chat_postMessage(
            channel=channel, text=str(message.get("text", "")), blocks=message.get("blocks")
        )

    return post


class DmCommandContext(CommandContext):
    """A command typed in the DM: answers are posted there, and the event is the claim."""

    def __init__(
        self,
        command: dict[str, Any],
        client: AsyncWebClient,
        deps: Deps,
        reply_with: Reply,
        claim_key: str | None,
    ) -> None:
        super().__init__(command, client, reply_with, deps)
        self.claim_key = claim_key


async def answer_direct_message(
    event: dict[str, Any],
    body: dict[str, Any],
    client: AsyncWebClient,
    context: dict[str, Any],
    claim_key: str | None,
) -> None:
    try:
        await _answer(event, body, client, context, claim_key)
    except DATABASE_UNAVAILABLE_ERRORS as exc:
        # Nothing was saved; their words are still there in the DM to send again.
        logger.warning("database unavailable during a DM: %s", type(exc).__name__)
        await dm_poster(client, str(event["channel"]))(**database_busy_message())


async def _answer(
    event: dict[str, Any],
    body: dict[str, Any],
    client: AsyncWebClient,
    context: dict[str, Any],
    claim_key: str | None,
) -> None:
    deps = deps_of(context)
    user_id = str(event.get("user") or "")
    team_id = str(body.get("team_id") or event.get("team") or context.get("team_id") or "")
    raw = str(event.get("text") or "")
    post = dm_poster(client, str(event["channel"]))
    slashed = _SLASH.match(raw)
    typed = raw[slashed.end() :] if slashed else raw
    parsed = parse(typed)
    command: dict[str, Any] = {"user_id": user_id, "team_id": team_id, "text": typed.strip()}
    if isinstance(parsed, Parsed) and (typed.strip() or slashed):
        intent = interpret_parsed(parsed, deps.clock().date())
        # "Status is fine, 4" starts like a command; when a check-in is open it is an answer.
        if (
            isinstance(intent, Malformed)
            and not slashed
            and await _answer_checkin(deps, team_id, user_id, raw, post, claim_key)
        ):
            return
        await run_typed(DmCommandContext(command, client, deps, post, claim_key), intent)
        return
    if not slashed and await _answer_checkin(deps, team_id, user_id, raw, post, claim_key):
        return
    if isinstance(parsed, Unknown) and parsed.suggestion:
        await run_typed(DmCommandContext(command, client, deps, post, claim_key), parsed)
        return
    await post(**reply(copy.NO_CHECKIN_OPEN.format(slash=SLASH_COMMAND)))


async def _answer_checkin(
    deps: Deps, team_id: str, user_id: str, raw: str, post: Reply, claim_key: str | None
) -> bool:
    """Save the words as this week's check-in answer; False when no check-in is open."""
    if not raw.strip():
        return False
    now = deps.clock()
    parsed = parse_answer(raw)
    async with deps.sessions() as session:
        if not await claim_in(session, claim_key, now=now):
            return True  # a copy of this message was answered already
        person = await enrolment.get_person(session, team_id, user_id)
        checkin = None if person is None else await service.open_checkin(session, person, now)
        if checkin is None:
            await session.rollback()
            return False
        result = service.record_text(checkin, parsed, raw, now)
        checkin_id = checkin.id
        has_step = bool(checkin.step)
        summary = _summary(checkin.rating, checkin.goal_status, checkin.met, parsed)
        await session.commit()
    logger.info("check-in %s answered in words", checkin_id)
    missing = set(result.missing) | set(parsed.ambiguous)
    if "rating" in missing and "goal_status" in missing:
        words = copy.TEXT_ASK_BOTH
    elif "rating" in missing:
        words = copy.TEXT_ASK_RATING
    elif "goal_status" in missing:
        words = copy.TEXT_ASK_GOAL
    elif result.note_only:
        words = copy.TEXT_NOTE_ADDED
    else:
        words = copy.TEXT_SAVED.format(summary=summary)
        if not has_step:
            words += " " + copy.TEXT_STEP_HINT
    await post(**reply(words))
    return True


def _summary(rating: int | None, goal: object, met: bool | None, parsed: ParsedAnswer) -> str:
    parts: list[str] = []
    if rating is not None:
        parts.append(copy.SUMMARY_RATING.format(rating=rating))
    if goal is not None:
        parts.append(_GOAL_WORDS.get(str(goal), str(goal)))
    if met is not None:
        parts.append(copy.SUMMARY_MET if met else copy.SUMMARY_NOT_MET)
    if parsed.step:
        parts.append(copy.SUMMARY_STEP)
    return ", ".join(parts)


async def on_dm_command_button(
    ack: AsyncAck,
    body: dict[str, Any],
    client: AsyncWebClient,
    respond: AsyncRespond,
    context: dict[str, Any],
) -> None:
    """The "Open" button under a command typed in the DM that needs a form: the command
    again, now with the click's trigger to open the form with."""
    await ack()
    deps = deps_of(context)
    user_id, team_id, team_name = parties(body)
    actions = body.get("actions") or []
    first = actions[0] if actions and isinstance(actions[0], dict) else {}
    typed = str(first.get("value") or "")
    command = {
        "user_id": user_id,
        "team_id": team_id,
        "team_domain": team_name,
        "text": typed,
        "trigger_id": body.get("trigger_id") or "",
    }
    post = dm_poster(client, user_id)
    ctx = DmCommandContext(command, client, deps, post, action_key(body, user_id))
    await run_typed(ctx, interpret(typed, deps.clock().date()))


def register(app: AsyncApp) -> None:
    app.action(ACTION_DM_COMMAND)(busy_answered(on_dm_command_button))
