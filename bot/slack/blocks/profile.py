"""Block Kit for the profile modal and the short profile summary.

Block and action ids come from `bot.enrolment.profile_form`, so what is built here is what
`parse_submission` reads back.
"""

from __future__ import annotations

import datetime
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    DividerBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    RadioButtonsElement,
    SectionBlock,
    StaticMultiSelectElement,
    StaticSelectElement,
    TimePickerElement,
    UserMultiSelectElement,
)
from slack_sdk.models.views import View

from bot.enrolment import profile_form as form
from bot.enrolment.goals import GOAL_TAGS, phrase
from bot.enrolment.profile_form import FromHr, ProfileDefaults, ProfileInput
from bot.slack.copy import profile as copy
from bot.slack.copy import text
from bot.slack.mrkdwn import escape

# Slack rejects a view whose initial option is not one of the options, or whose initial text is
# longer than the input allows; values saved under an older vocabulary must not break the modal.


def _function_options() -> dict[str, Option]:
    return {
        value: Option(value=value, text=PlainTextObject(text=form.function_label(value)))
        for value in form.FUNCTIONS
    }


def _level_options() -> dict[int, Option]:
    return {
        level: Option(
            value=str(level),
            text=PlainTextObject(text=form.level_title(level)),
            description=PlainTextObject(text=description),
        )
        for level, _title, description in form.LEVELS
    }


def _topic_options() -> dict[str, Option]:
    return {
        tag: Option(value=tag, text=PlainTextObject(text=_capitalised(phrase(tag))))
        for tag in GOAL_TAGS
    }


def _cadence_options() -> dict[str, Option]:
    return {
        cadence.value: Option(
            value=cadence.value, text=PlainTextObject(text=copy.CADENCE_OPTIONS[cadence.value])
        )
        for cadence in form.CADENCES
    }


def _capitalised(words: str) -> str:
    return words[:1].upper() + words[1:]


def _time(value: datetime.time) -> str:
    return f"{value.hour:02d}:{value.minute:02d}"


def _topics_input(
    *,
    block_id: str,
    action_id: str,
    label: str,
    placeholder: str,
    hint: str,
    chosen: tuple[str, ...],
) -> InputBlock:
    options = _topic_options()
    initial = [options[tag] for tag in dict.fromkeys(chosen) if tag in options][: form.MAX_TOPICS]
    return InputBlock(
        block_id=block_id,
        label=PlainTextObject(text=label),
        hint=PlainTextObject(text=hint),
        optional=True,
        element=StaticMultiSelectElement(
            action_id=action_id,
            placeholder=PlainTextObject(text=placeholder.format(limit=form.MAX_TOPICS)),
            options=list(options.values()),
            initial_options=initial or None,
            max_selected_items=form.MAX_TOPICS,
        ),
    )


def profile_modal(
    current: ProfileInput | ProfileDefaults,
    *,
    private_metadata: str,
    is_new: bool,
    from_hr: FromHr | None = None,
) -> dict[str, Any]:
    """The profile modal, prefilled from `current`; `private_metadata` is passed through.
    `from_hr` marks the fields the HR import filled in."""
    profile = current if isinstance(current, ProfileInput) else None
    hr = from_hr or FromHr()
    hr_hint = copy.FROM_HR_LOCKED_HINT if hr.locked else copy.FROM_HR_HINT
    function = current.function
    level = current.level
    functions = _function_options()
    levels = _level_options()
    cadences = _cadence_options()

    time_zone = current.time_zone
    work_start = profile.work_start if profile else form.DEFAULT_WORK_START
    work_end = profile.work_end if profile else form.DEFAULT_WORK_END
    goals = profile.goals if profile else ()
    cadence = profile.cadence.value if profile else form.DEFAULT_CADENCE.value
    do_not_pair = (
        list(dict.fromkeys(profile.do_not_pair))[: form.MAX_DO_NOT_PAIR] if profile else []
    )

    intro = copy.INTRO_NEW.format(slash=text.SLASH_COMMAND) if is_new else copy.INTRO_EDIT
    blocks: list[Block] = [
        SectionBlock(block_id=form.BLOCK_INTRO, text=MarkdownTextObject(text=intro)),
        InputBlock(
            block_id=form.BLOCK_FUNCTION,
            label=PlainTextObject(text=copy.FUNCTION_LABEL),
            hint=PlainTextObject(text=hr_hint) if hr.function else None,
            element=StaticSelectElement(
                action_id=form.ACTION_FUNCTION,
                placeholder=PlainTextObject(text=copy.FUNCTION_PLACEHOLDER),
                options=list(functions.values()),
                initial_option=functions.get(function) if function else None,
            ),
        ),
        InputBlock(
            block_id=form.BLOCK_LEVEL,
            label=PlainTextObject(text=copy.LEVEL_LABEL),
            hint=PlainTextObject(text=hr_hint if hr.level else copy.LEVEL_HINT),
            element=StaticSelectElement(
                action_id=form.ACTION_LEVEL,
                placeholder=PlainTextObject(text=copy.LEVEL_PLACEHOLDER),
                options=list(levels.values()),
                initial_option=levels.get(level) if level is not None else None,
            ),
        ),
        InputBlock(
            block_id=form.BLOCK_TIME_ZONE,
            label=PlainTextObject(text=copy.TIME_ZONE_LABEL),
            hint=PlainTextObject(text=copy.TIME_ZONE_HINT),
            element=PlainTextInputElement(
                action_id=form.ACTION_TIME_ZONE,
                placeholder=PlainTextObject(text=copy.TIME_ZONE_PLACEHOLDER),
                initial_value=time_zone[: form.TIME_ZONE_MAX_LENGTH] if time_zone else None,
                max_length=form.TIME_ZONE_MAX_LENGTH,
            ),
        ),
        InputBlock(
            block_id=form.BLOCK_WORK_START,
            label=PlainTextObject(text=copy.WORK_START_LABEL),
            element=TimePickerElement(
                action_id=form.ACTION_WORK_START,
                placeholder=PlainTextObject(text=copy.WORK_START_PLACEHOLDER),
                initial_time=_time(work_start),
            ),
        ),
        InputBlock(
            block_id=form.BLOCK_WORK_END,
            label=PlainTextObject(text=copy.WORK_END_LABEL),
            hint=PlainTextObject(text=copy.WORK_END_HINT),
            element=TimePickerElement(
                action_id=form.ACTION_WORK_END,
                placeholder=PlainTextObject(text=copy.WORK_END_PLACEHOLDER),
                initial_time=_time(work_end),
            ),
        ),
        DividerBlock(),
        SectionBlock(
            block_id=form.BLOCK_GOALS_INTRO, text=MarkdownTextObject(text=copy.GOALS_INTRO)
        ),
    ]
    for number, (block_id, placeholder) in enumerate(
        zip(form.BLOCK_GOALS, copy.GOAL_PLACEHOLDERS, strict=True), start=1
    ):
        goal = goals[number - 1] if number <= len(goals) else None
        blocks.append(
            InputBlock(
                block_id=block_id,
                label=PlainTextObject(text=copy.GOAL_LABEL.format(number=number)),
                optional=True,
                element=PlainTextInputElement(
                    action_id=form.ACTION_GOAL,
                    placeholder=PlainTextObject(text=placeholder),
                    initial_value=goal[: form.GOAL_MAX_LENGTH] if goal else None,
                    max_length=form.GOAL_MAX_LENGTH,
                ),
            )
        )
    blocks += [
        _topics_input(
            block_id=form.BLOCK_GOAL_TAGS,
            action_id=form.ACTION_GOAL_TAGS,
            label=copy.GOAL_TAGS_LABEL,
            placeholder=copy.GOAL_TAGS_PLACEHOLDER,
            hint=copy.GOAL_TAGS_HINT,
            chosen=profile.goal_tags if profile else (),
        ),
        _topics_input(
            block_id=form.BLOCK_SKILLS,
            action_id=form.ACTION_SKILLS,
            label=copy.SKILLS_LABEL,
            placeholder=copy.SKILLS_PLACEHOLDER,
            hint=copy.SKILLS_HINT,
            chosen=profile.skills if profile else (),
        ),
        DividerBlock(),
        InputBlock(
            block_id=form.BLOCK_CADENCE,
            label=PlainTextObject(text=copy.CADENCE_LABEL),
            element=RadioButtonsElement(
                action_id=form.ACTION_CADENCE,
                options=list(cadences.values()),
                initial_option=cadences.get(cadence),
            ),
        ),
        InputBlock(
            block_id=form.BLOCK_DO_NOT_PAIR,
            label=PlainTextObject(text=copy.DO_NOT_PAIR_LABEL),
            hint=PlainTextObject(text=copy.DO_NOT_PAIR_HINT),
            optional=True,
            element=UserMultiSelectElement(
                action_id=form.ACTION_DO_NOT_PAIR,
                placeholder=PlainTextObject(text=copy.DO_NOT_PAIR_PLACEHOLDER),
                initial_users=do_not_pair or None,
                max_selected_items=form.MAX_DO_NOT_PAIR,
            ),
        ),
    ]
    view = View(
        type="modal",
        callback_id=form.CALLBACK_ID,
        title=PlainTextObject(text=copy.MODAL_TITLE),
        submit=PlainTextObject(text=copy.SUBMIT_JOIN if is_new else copy.SUBMIT_SAVE),
        close=PlainTextObject(text=copy.CLOSE),
        private_metadata=private_metadata,
        blocks=blocks,
    )
    return view.to_dict()


def profile_summary(profile: ProfileInput) -> str:
    """A few mrkdwn lines describing the profile. Never mentions the do-not-pair list."""
    hours = copy.SUMMARY_HOURS.format(
        time_zone=escape(profile.time_zone),
        start=_time(profile.work_start),
        end=_time(profile.work_end),
    )
    if profile.work_end < profile.work_start:
        hours += copy.SUMMARY_OVERNIGHT
    lines = [
        copy.SUMMARY_FUNCTION.format(function=escape(form.function_label(profile.function))),
        copy.SUMMARY_LEVEL.format(level=form.level_title(profile.level)),
        hours,
    ]
    if profile.goals:
        lines.append(copy.SUMMARY_GOALS)
        lines += [copy.SUMMARY_GOAL_ITEM.format(goal=escape(goal)) for goal in profile.goals]
    if profile.goal_tags:
        topics = ", ".join(escape(phrase(tag)) for tag in profile.goal_tags)
        lines.append(copy.SUMMARY_GOAL_TOPICS.format(topics=topics))
    if not profile.goals and not profile.goal_tags:
        lines.append(copy.SUMMARY_NO_GOALS)
    if profile.skills:
        skills = ", ".join(escape(phrase(tag)) for tag in profile.skills)
        lines.append(copy.SUMMARY_SKILLS.format(skills=skills))
    else:
        lines.append(copy.SUMMARY_NO_SKILLS)
    cadence = copy.CADENCE_SUMMARY.get(profile.cadence.value, profile.cadence.value)
    lines.append(copy.SUMMARY_CADENCE.format(cadence=cadence))
    return "\n".join(lines)
