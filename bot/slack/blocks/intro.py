"""Block Kit for a group's intro: who they are, why they were matched, when they can meet,
how to run the conversation, a first question, and the We met / Skip / Pause buttons."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Final

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.rounds.timing import zone_of
from bot.slack.blocks.home import clip
from bot.slack.copy import rounds as copy
from bot.slack.copy.enrolment import WEEKDAY_NAMES
from bot.slack.mrkdwn import escape

# The handlers of these buttons read the group id from the value.
ACTION_GROUP_MET: Final = "group_met"
ACTION_GROUP_SKIP: Final = "group_skip"
ACTION_GROUP_PAUSE: Final = "group_pause"
BLOCK_INTRO_ACTIONS: Final = "intro_actions"

FUNCTION_MAX: Final = 100


@dataclass(frozen=True, slots=True)
class IntroMember:
    """What the other members may see of someone: never their level or manager, which only
    the person and admins see."""

    user_id: str
    function: str | None
    time_zone: str | None
    work_start: time | None
    work_end: time | None


def first_question(group_id: int) -> str:
    """A built-in first question, for a workspace that retired its whole question bank:
    the same group always gets the same one."""
    digest = hashlib.sha256(str(group_id).encode()).digest()
    return copy.FIRST_QUESTIONS[int.from_bytes(digest[:4], "big") % len(copy.FIRST_QUESTIONS)]


def mention(user_id: str) -> str:
    return f"<@{user_id}>"


def _clock(when: datetime, zone_name: str | None) -> str:
    zone = zone_of(zone_name)
    local = when.astimezone(zone)
    return f"{WEEKDAY_NAMES[local.weekday()]} {local:%H:%M} ({zone.key})"


def _working_interval(member: IntroMember, on: date) -> tuple[datetime, datetime]:
    zone = zone_of(member.time_zone)
    start = datetime.combine(on, member.work_start or time(9), tzinfo=zone)
    end_day = (
        on
        if (member.work_end or time(17)) > (member.work_start or time(9))
        else on + timedelta(days=1)
    )
    end = datetime.combine(end_day, member.work_end or time(17), tzinfo=zone)
    return start, end


def shared_hours(members: Sequence[IntroMember], on: date) -> tuple[datetime, datetime] | None:
    """The working hours every member shares on `on` (each member's own date), as UTC instants.

    Members' days are aligned on the westernmost-first reading: each member's interval is taken
    on the date that overlaps the others most (their `on`, the day before or the day after)."""
    base_start, base_end = _working_interval(members[0], on)
    start, end = base_start, base_end
    for member in members[1:]:
        best: tuple[datetime, datetime] | None = None
        for shift in (-1, 0, 1):
            s, e = _working_interval(member, on + timedelta(days=shift))
            lo, hi = max(start, s), min(end, e)
            if hi > lo and (best is None or hi - lo > best[1] - best[0]):
                best = (lo, hi)
        if best is None:
            return None
        start, end = best
    return start, end


def _hours_lines(members: Sequence[IntroMember], on: date) -> str:
    shared = shared_hours(members, on)
    if shared is None:
        return copy.INTRO_NO_SHARED_HOURS
    start, end = shared
    lines = [copy.INTRO_HOURS]
    for member in members:
        zone = zone_of(member.time_zone)
        lines.append(
            copy.INTRO_HOURS_MEMBER.format(
                mention=mention(member.user_id),
                start=f"{start.astimezone(zone):%H:%M}",
                end=f"{end.astimezone(zone):%H:%M}",
                zone=zone.key,
            )
        )
    return "\n".join(lines)


def _member_lines(members: Sequence[IntroMember], at: datetime) -> str:
    lines: list[str] = []
    for member in members:
        function = escape(clip(member.function, FUNCTION_MAX)) if member.function else None
        lines.append(
            copy.INTRO_MEMBER.format(
                mention=mention(member.user_id),
                function=function or copy.FUNCTION_UNKNOWN,
            )
        )
        lines.append(copy.INTRO_MEMBER_TIME.format(clock=_clock(at, member.time_zone)))
    return "\n".join(lines)


def explanation_text(explanation: str, member_ids: Sequence[str]) -> str:
    """The engine's explanation, escaped, with each member's Slack id shown as a mention."""
    words = escape(explanation)
    if not member_ids:
        return words
    # One pass over whole words, so one id inside another ("U1" in "U12") is left alone.
    ids = "|".join(re.escape(u) for u in sorted(member_ids, key=len, reverse=True))
    return re.sub(rf"\b({ids})\b", lambda found: mention(found.group(1)), words)


def intro_message(
    *,
    group_id: int,
    programme_name: str,
    members: Sequence[IntroMember],
    explanation: str,
    intro_at: datetime,
    round_date: date,
    flash: bool = False,
    question: str | None = None,
) -> tuple[str, list[dict[str, Any]]]:
    """The intro's notification text and blocks. `question` is the group's first question
    from the bank (bot.questions); without one, a built-in question."""
    mentions = ", ".join(mention(m.user_id) for m in members)
    if flash:
        header, fallback = copy.INTRO_HEADER_FLASH, copy.INTRO_FALLBACK_FLASH
    elif len(members) == 2:
        header, fallback = copy.INTRO_HEADER_PAIR, copy.INTRO_FALLBACK_PAIR
    else:
        header, fallback = copy.INTRO_HEADER, copy.INTRO_FALLBACK
    why = copy.INTRO_WHY if len(members) == 2 else copy.INTRO_WHY_GROUP
    value = str(group_id)
    blocks: list[Block] = [
        SectionBlock(
            text=MarkdownTextObject(
                text=clip(
                    f"{header}\n{copy.INTRO_PROGRAMME.format(programme=escape(programme_name))}"
                )
            )
        ),
        SectionBlock(text=MarkdownTextObject(text=clip(_member_lines(members, intro_at)))),
    ]
    if explanation:
        text = why.format(explanation=explanation_text(explanation, [m.user_id for m in members]))
        blocks.append(SectionBlock(text=MarkdownTextObject(text=clip(text))))
    blocks += [
        SectionBlock(text=MarkdownTextObject(text=clip(_hours_lines(members, round_date)))),
        DividerBlock(),
        SectionBlock(text=MarkdownTextObject(text=f"{copy.INTRO_HOW_TITLE}\n{copy.INTRO_HOW}")),
        SectionBlock(
            text=MarkdownTextObject(
                text=copy.INTRO_QUESTION.format(
                    question=escape(question) if question else first_question(group_id)
                )
            )
        ),
        ActionsBlock(
            block_id=BLOCK_INTRO_ACTIONS,
            elements=[
                ButtonElement(
                    text=copy.BUTTON_MET, action_id=ACTION_GROUP_MET, value=value, style="primary"
                ),
                ButtonElement(text=copy.BUTTON_SKIP, action_id=ACTION_GROUP_SKIP, value=value),
                ButtonElement(text=copy.BUTTON_PAUSE, action_id=ACTION_GROUP_PAUSE, value=value),
            ],
        ),
        ContextBlock(elements=[MarkdownTextObject(text=copy.INTRO_BUTTONS_HINT)]),
    ]
    return fallback.format(mentions=mentions), [block.to_dict() for block in blocks]
