"""Block Kit of reflective questions: the weekly question, the answer to `/peercoach question`,
and the admin's question bank modal (within Slack's limits: 100 blocks, 3,000 characters a
text, 100 options a group, 75 characters an option).

Question texts may be typed by admins or drafted by an LLM: every one is escaped."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    DividerBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    OptionGroup,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
    StaticMultiSelectElement,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.domain import QuestionSource, QuestionTheme
from bot.questions import admin_form as form
from bot.questions.themes import THEME_NAMES
from bot.slack.copy import questions as copy
from bot.slack.copy.text import SLASH_COMMAND
from bot.slack.mrkdwn import clip, escape
from storage.models import Question

Message = dict[str, Any]

SECTION_MAX: Final = 3_000
OPTION_MAX: Final = 75
OPTIONS_PER_GROUP: Final = 100


def _section(words: str) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=clip(words, SECTION_MAX)))


def _context(words: str) -> ContextBlock:
    return ContextBlock(elements=[MarkdownTextObject(text=clip(words, SECTION_MAX))])


def with_first_question(intro: Message, fixed: str, question: str) -> Message:
    """A mentorship intro whose fixed first question (the section reading `fixed`) is replaced
    by one from the bank, escaped; the rest of the intro is left as its builder made it."""
    section = _section(copy.MENTORSHIP_FIRST.format(question=escape(question))).to_dict()
    blocks = [
        section if block.get("text", {}).get("text") == fixed else block
        for block in intro["blocks"]
    ]
    return {**intro, "blocks": blocks}


def weekly_question_message(question: str) -> tuple[str, list[dict[str, Any]]]:
    """The group DM's weekly question: notification text and blocks."""
    text = escape(question)
    blocks: list[Block] = [
        _section(copy.WEEKLY.format(question=text)),
        _context(copy.WEEKLY_HINT),
    ]
    return copy.WEEKLY_FALLBACK.format(question=text), [b.to_dict() for b in blocks]


def on_demand_message(question: str) -> Message:
    text = copy.ON_DEMAND.format(question=escape(question))
    return {
        "response_type": "ephemeral",
        "text": text,
        "blocks": [_section(text).to_dict(), _context(copy.ON_DEMAND_HINT).to_dict()],
    }


def none_left_message() -> Message:
    text = copy.NONE_LEFT.format(slash=SLASH_COMMAND)
    return {"response_type": "ephemeral", "text": text, "blocks": [_section(text).to_dict()]}


def _theme_listing(theme: QuestionTheme, questions: Sequence[Question]) -> str:
    head = copy.THEME_LINE.format(theme=THEME_NAMES[theme], count=len(questions))
    if not questions:
        return f"{head}\n{copy.THEME_EMPTY}"
    lines = [head]
    used = len(head)
    for shown, question in enumerate(questions):
        mark = copy.ADDED_HERE if question.source is QuestionSource.ADMIN else ""
        line = f"• {escape(question.text)}{mark}"
        more = copy.MORE.format(count=len(questions) - shown)
        # Room is kept for the "…and N more" line, so the section never goes over the limit.
        if used + len(line) + len(more) + 2 > SECTION_MAX:
            lines.append(more)
            break
        lines.append(line)
        used += len(line) + 1
    return "\n".join(lines)


def _option(question: Question) -> Option:
    return Option(value=str(question.id), text=clip(question.text, OPTION_MAX))


def questions_modal(
    active: Sequence[Question],
    retired: int,
    *,
    notice: str | None = None,
    typed: tuple[QuestionTheme, str] | None = None,
) -> dict[str, Any]:
    """The bank by theme, with a form to add one question (prefilled with `typed`, after a
    save that could not be made) and a list to retire some."""
    by_theme: dict[QuestionTheme, list[Question]] = {t: [] for t in QuestionTheme}
    for question in active:
        by_theme[question.theme].append(question)
    blocks: list[Block] = []
    if notice:
        blocks.append(_section(notice))
    blocks.append(_section(copy.SUMMARY.format(active=len(active), retired=retired)))
    blocks += [_section(_theme_listing(t, qs)) for t, qs in by_theme.items()]
    blocks.append(DividerBlock())
    themes = [Option(value=t.value, text=THEME_NAMES[t]) for t in QuestionTheme]
    blocks.append(
        InputBlock(
            block_id=form.BLOCK_THEME,
            label=PlainTextObject(text=copy.ADD_THEME_LABEL),
            optional=True,
            element=StaticSelectElement(
                action_id=form.ACTION_THEME,
                placeholder=PlainTextObject(text=copy.ADD_THEME_PLACEHOLDER),
                options=themes,
                initial_option=next((o for o in themes if typed and o.value == typed[0]), None),
            ),
        )
    )
    blocks.append(
        InputBlock(
            block_id=form.BLOCK_TEXT,
            label=PlainTextObject(text=copy.ADD_TEXT_LABEL),
            hint=PlainTextObject(text=copy.ADD_TEXT_HINT),
            optional=True,
            element=PlainTextInputElement(
                action_id=form.ACTION_TEXT,
                placeholder=PlainTextObject(text=copy.ADD_TEXT_PLACEHOLDER),
                initial_value=typed[1] if typed else None,
                max_length=form.MAX_LENGTH,
            ),
        )
    )
    groups = [
        OptionGroup(
            label=THEME_NAMES[t],
            options=[_option(q) for q in qs[:OPTIONS_PER_GROUP]],
        )
        for t, qs in by_theme.items()
        if qs
    ]
    if groups:
        blocks.append(
            InputBlock(
                block_id=form.BLOCK_RETIRE,
                label=PlainTextObject(text=copy.RETIRE_LABEL),
                hint=PlainTextObject(text=copy.RETIRE_HINT),
                optional=True,
                element=StaticMultiSelectElement(
                    action_id=form.ACTION_RETIRE,
                    placeholder=PlainTextObject(text=copy.RETIRE_PLACEHOLDER),
                    option_groups=groups,
                ),
            )
        )
    view = View(
        type="modal",
        callback_id=form.CALLBACK_ID,
        title=PlainTextObject(text=copy.MODAL_TITLE),
        submit=PlainTextObject(text=copy.MODAL_SUBMIT),
        close=PlainTextObject(text=copy.MODAL_CLOSE),
        blocks=blocks[:100],
    )
    return view.to_dict()
