"""Block Kit for a group after its intro: reminders, "did you meet?", the messages that replace
the buttons once someone answered, the "stay, pause or leave?" DM, and the mentor's request.

Action ids are public: the intro built when a round is matched carries the same three
buttons (`ACTION_MET`, `ACTION_SKIP`, `ACTION_PAUSE`), each with the group id as its value.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from bot.slack.blocks.home import clip
from bot.slack.copy import digests as digests_copy
from bot.slack.copy import groups as copy
from bot.slack.copy import profile as profile_copy
from bot.slack.mrkdwn import escape

Message = dict[str, Any]

ACTION_MET: Final = "group_met"
ACTION_SKIP: Final = "group_skip"
ACTION_PAUSE: Final = "group_pause"
ACTION_MET_YES: Final = "group_met_yes"
ACTION_NOT_MET: Final = "group_not_met"
ACTION_GHOST_STAY: Final = "ghost_stay"
ACTION_GHOST_PAUSE: Final = "ghost_pause"
ACTION_GHOST_LEAVE: Final = "ghost_leave"
ACTION_MENTOR_ACCEPT: Final = "mentor_accept"
ACTION_MENTOR_DECLINE: Final = "mentor_decline"

GROUP_ACTIONS: Final = frozenset(
    {ACTION_MET, ACTION_SKIP, ACTION_PAUSE, ACTION_MET_YES, ACTION_NOT_MET}
)

BLOCK_GROUP_BUTTONS: Final = "group_buttons"
BLOCK_END_BUTTONS: Final = "group_end_buttons"
BLOCK_GHOST_BUTTONS: Final = "ghost_buttons"
BLOCK_MENTOR_BUTTONS: Final = "mentor_buttons"

GOALS_LIMIT: Final = 300


def _message(fallback: str, blocks: Sequence[Block]) -> Message:
    return {"text": fallback, "blocks": [block.to_dict() for block in blocks]}


def _section(words: str) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=clip(words)))


def _context(words: str) -> ContextBlock:
    return ContextBlock(elements=[MarkdownTextObject(text=clip(words))])


def _button(label: str, action_id: str, value: str, style: str | None = None) -> ButtonElement:
    return ButtonElement(
        text=PlainTextObject(text=label), action_id=action_id, value=value, style=style
    )


def group_buttons(group_id: int) -> ActionsBlock:
    """We met / Skip this round / Pause me: the intro's buttons and the reminder's."""
    value = str(group_id)
    return ActionsBlock(
        block_id=BLOCK_GROUP_BUTTONS,
        elements=[
            _button(copy.BUTTON_MET, ACTION_MET, value, "primary"),
            _button(copy.BUTTON_SKIP, ACTION_SKIP, value),
            _button(copy.BUTTON_PAUSE, ACTION_PAUSE, value),
        ],
    )


def midpoint_nudge(group_id: int) -> Message:
    return _message(copy.MIDPOINT_FALLBACK, [_section(copy.MIDPOINT), group_buttons(group_id)])


def end_nudge(group_id: int) -> Message:
    value = str(group_id)
    buttons = ActionsBlock(
        block_id=BLOCK_END_BUTTONS,
        elements=[
            _button(copy.BUTTON_MET_YES, ACTION_MET_YES, value, "primary"),
            _button(copy.BUTTON_NOT_MET, ACTION_NOT_MET, value),
        ],
    )
    return _message(copy.END_FALLBACK, [_section(copy.END), buttons])


def _has_our_buttons(block: dict[str, Any]) -> bool:
    if block.get("type") != "actions":
        return False
    elements = block.get("elements") or []
    return any(
        isinstance(element, dict) and element.get("action_id") in GROUP_ACTIONS
        for element in elements
    )


def answered(original: Sequence[Any], outcome: str) -> Message:
    """The clicked message again, its group buttons replaced by who recorded what."""
    kept = [b for b in original if isinstance(b, dict) and not _has_our_buttons(b)]
    return {"text": outcome, "blocks": [*kept, _context(outcome).to_dict()]}


def ephemeral(words: str) -> Message:
    return {
        "response_type": "ephemeral",
        "replace_original": False,
        "text": words,
        "blocks": [_section(words).to_dict()],
    }


def replacement(words: str) -> Message:
    """A message that takes the place of the one whose button was pressed."""
    return {"replace_original": True, "text": words, "blocks": [_section(words).to_dict()]}


def ghost_question(membership_id: int, rounds: int) -> Message:
    value = str(membership_id)
    buttons = ActionsBlock(
        block_id=BLOCK_GHOST_BUTTONS,
        elements=[
            _button(copy.BUTTON_STAY, ACTION_GHOST_STAY, value, "primary"),
            _button(copy.BUTTON_GHOST_PAUSE, ACTION_GHOST_PAUSE, value),
            _button(copy.BUTTON_LEAVE, ACTION_GHOST_LEAVE, value, "danger"),
        ],
    )
    return _message(copy.GHOST_FALLBACK, [_section(copy.GHOST.format(rounds=rounds)), buttons])


def _goal_lines(goals: Sequence[str]) -> str:
    return "\n".join(f"• {escape(clip(goal, GOALS_LIMIT))}" for goal in goals if goal.strip())


def mentor_request(
    group_id: int,
    *,
    mentee_user_id: str,
    function: str | None,
    goals: Sequence[str],
) -> Message:
    """What the mentor is asked, with the mentee's function and goals (typed text escaped);
    never their level, which only the person and admins see."""
    unknown = copy.MENTOR_ASK_UNKNOWN
    function_name = (
        profile_copy.FUNCTION_NAMES.get(function, escape(function)) if function else unknown
    )
    goal_lines = _goal_lines(goals)
    details = "\n".join(
        [
            copy.MENTOR_ASK_FUNCTION.format(function=function_name),
            copy.MENTOR_ASK_GOALS.format(goals=goal_lines)
            if goal_lines
            else copy.MENTOR_ASK_NO_GOALS,
        ]
    )
    value = str(group_id)
    buttons = ActionsBlock(
        block_id=BLOCK_MENTOR_BUTTONS,
        elements=[
            _button(copy.BUTTON_ACCEPT, ACTION_MENTOR_ACCEPT, value, "primary"),
            _button(copy.BUTTON_DECLINE, ACTION_MENTOR_DECLINE, value),
        ],
    )
    return _message(
        copy.MENTOR_ASK_FALLBACK,
        [
            _section(copy.MENTOR_ASK.format(mentee=mentee_user_id)),
            _section(details),
            buttons,
            _context(copy.MENTOR_ASK_DEADLINE),
        ],
    )


def plain(words: str) -> Message:
    """A one-section message (a DM sent through the outbox)."""
    return _message(words, [_section(words)])


def mentorship_intro(group_id: int, *, mentor_user_id: str, mentee_user_id: str) -> Message:
    return _message(
        copy.INTRO_FALLBACK,
        [
            _section(copy.INTRO.format(mentor=mentor_user_id, mentee=mentee_user_id)),
            _section(copy.INTRO_HOW),
            _section(copy.INTRO_QUESTION),
            _context(copy.INTRO_BUTTONS),
            group_buttons(group_id),
        ],
    )


def admin_nudge(group_id: int, *, with_buttons: bool) -> Message:
    """What a quiet group gets when an admin presses Nudge on a digest: the group's own
    We met / Skip buttons while its round runs."""
    blocks: list[Block] = [_section(digests_copy.NUDGE)]
    if with_buttons:
        blocks.append(group_buttons(group_id))
    return _message(digests_copy.NUDGE_FALLBACK, blocks)
