"""Block Kit for the weekly check-in: the DM (with last week's step, the 1 to 5 buttons and
Answer), its reminder, the modal, the replies, and a step shared with a circle.

Every button carries the check-in's id as its value; the modal carries it in
`private_metadata`. What the person typed is escaped and cut before it is shown.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    CheckboxesElement,
    ContextBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    RadioButtonsElement,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.domain import GoalStatus, StepDone
from bot.slack.blocks.home import clip
from bot.slack.copy import checkins as copy
from bot.slack.mrkdwn import escape

Message = dict[str, Any]

ACTION_RATE_PREFIX: Final = "checkin_rate_"
ACTION_PREVIOUS_PREFIX: Final = "checkin_previous_"
ACTION_OPEN: Final = "checkin_open"
ACTION_DM_COMMAND: Final = "dm_command"
CALLBACK_ID: Final = "checkin_modal"

BLOCK_PREVIOUS_BUTTONS: Final = "checkin_previous_buttons"
BLOCK_RATING_BUTTONS: Final = "checkin_rating_buttons"
BLOCK_ANSWER: Final = "checkin_answer"

BLOCK_RATING: Final = "checkin_rating"
BLOCK_GOAL: Final = "checkin_goal"
BLOCK_MET: Final = "checkin_met"
BLOCK_PREVIOUS: Final = "checkin_previous"
BLOCK_STEP: Final = "checkin_step"
BLOCK_NOTE: Final = "checkin_note"
BLOCK_SHARE: Final = "checkin_share"
BLOCK_NOTE_SHARE: Final = "checkin_note_share"
ACTION_VALUE: Final = "value"
SHARE_VALUE: Final = "share"
NOTE_SHARE_VALUE: Final = "share_note"

STEP_LIMIT: Final = 300
NOTE_LIMIT: Final = 2000
# How much of a step is quoted back in a message.
STEP_SHOWN: Final = 300


@dataclass(frozen=True, slots=True)
class Current:
    """What the check-in holds now, to prefill the modal (the person's own answers)."""

    rating: int | None = None
    goal_status: GoalStatus | None = None
    met: bool | None = None
    step: str | None = None
    note: str | None = None
    step_shared: bool = False
    note_shared: bool = False
    previous_step: str | None = None
    previous_step_done: StepDone | None = None


def _message(fallback: str, blocks: Sequence[Block]) -> Message:
    return {"text": fallback, "blocks": [block.to_dict() for block in blocks]}


def _section(words: str) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=clip(words)))


def _button(label: str, action_id: str, value: str, style: str | None = None) -> ButtonElement:
    return ButtonElement(
        text=PlainTextObject(text=label), action_id=action_id, value=value, style=style
    )


def shown_step(step: str) -> str:
    return escape(clip(step.strip(), STEP_SHOWN))


def checkin_message(checkin_id: int, previous_step: str | None) -> Message:
    value = str(checkin_id)
    blocks: list[Block] = [_section(copy.INTRO)]
    if previous_step:
        blocks.append(_section(copy.PREVIOUS_STEP.format(step=shown_step(previous_step))))
        blocks.append(
            ActionsBlock(
                block_id=BLOCK_PREVIOUS_BUTTONS,
                elements=[
                    _button(copy.BUTTON_YES, ACTION_PREVIOUS_PREFIX + StepDone.YES, value),
                    _button(copy.BUTTON_PARTLY, ACTION_PREVIOUS_PREFIX + StepDone.PARTLY, value),
                    _button(copy.BUTTON_NO, ACTION_PREVIOUS_PREFIX + StepDone.NO, value),
                ],
            )
        )
    blocks.append(_section(copy.RATING_QUESTION))
    blocks.append(
        ActionsBlock(
            block_id=BLOCK_RATING_BUTTONS,
            elements=[_button(str(n), f"{ACTION_RATE_PREFIX}{n}", value) for n in range(1, 6)],
        )
    )
    blocks.append(
        ActionsBlock(
            block_id=BLOCK_ANSWER,
            elements=[_button(copy.BUTTON_ANSWER, ACTION_OPEN, value, "primary")],
        )
    )
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=copy.ANSWER_PROMPT)]))
    return _message(copy.FALLBACK, blocks)


def reminder_message(checkin_id: int) -> Message:
    answer = ActionsBlock(
        block_id=BLOCK_ANSWER,
        elements=[_button(copy.BUTTON_ANSWER, ACTION_OPEN, str(checkin_id), "primary")],
    )
    return _message(copy.REMINDER_FALLBACK, [_section(copy.REMINDER), answer])


def shared_step_message(user_id: str, step: str) -> Message:
    words = copy.SHARED_STEP.format(user=user_id, step=shown_step(step))
    return _message(copy.SHARED_STEP_FALLBACK, [_section(words)])


def reply(words: str) -> Message:
    """A short answer in the DM (or ephemeral, when it answers a button)."""
    return {
        "response_type": "ephemeral",
        "replace_original": False,
        "text": words,
        "blocks": [_section(words).to_dict()],
    }


def form_button_message(command: str) -> Message:
    """A command typed in the DM that needs a form: Slack opens forms only after a click."""
    words = copy.FORM_NEEDED.format(command=escape(command))
    button = ActionsBlock(
        elements=[_button(copy.BUTTON_CONTINUE, ACTION_DM_COMMAND, command[:150], "primary")]
    )
    return _message(words, [_section(words), button])


def _options(choices: Mapping[str, str]) -> list[Option]:
    return [
        Option(value=value, text=PlainTextObject(text=label)) for value, label in choices.items()
    ]


def _initial(choices: Mapping[str, str], value: str | None) -> Option | None:
    if value is None or value not in choices:
        return None
    return Option(value=value, text=PlainTextObject(text=choices[value]))


def _note_share_option() -> Option:
    return Option(value=NOTE_SHARE_VALUE, text=PlainTextObject(text=copy.OPTION_NOTE_SHARE))


def checkin_modal(checkin_id: int, current: Current) -> dict[str, Any]:
    blocks: list[Block] = [ContextBlock(elements=[MarkdownTextObject(text=copy.MODAL_INTRO)])]
    if current.previous_step:
        blocks.append(_section(copy.PREVIOUS_STEP.format(step=shown_step(current.previous_step))))
        blocks.append(
            InputBlock(
                block_id=BLOCK_PREVIOUS,
                label=PlainTextObject(text=copy.LABEL_PREVIOUS),
                optional=True,
                element=RadioButtonsElement(
                    action_id=ACTION_VALUE,
                    options=_options(copy.PREVIOUS_OPTIONS),
                    initial_option=_initial(
                        copy.PREVIOUS_OPTIONS,
                        None if current.previous_step_done is None else current.previous_step_done,
                    ),
                ),
            )
        )
    blocks += [
        InputBlock(
            block_id=BLOCK_RATING,
            label=PlainTextObject(text=copy.LABEL_RATING),
            element=StaticSelectElement(
                action_id=ACTION_VALUE,
                options=_options(copy.RATING_OPTIONS),
                initial_option=_initial(
                    copy.RATING_OPTIONS, None if current.rating is None else str(current.rating)
                ),
            ),
        ),
        InputBlock(
            block_id=BLOCK_GOAL,
            label=PlainTextObject(text=copy.LABEL_GOAL),
            element=RadioButtonsElement(
                action_id=ACTION_VALUE,
                options=_options(copy.GOAL_OPTIONS),
                initial_option=_initial(copy.GOAL_OPTIONS, current.goal_status),
            ),
        ),
        InputBlock(
            block_id=BLOCK_MET,
            label=PlainTextObject(text=copy.LABEL_MET),
            optional=True,
            element=RadioButtonsElement(
                action_id=ACTION_VALUE,
                options=_options(copy.MET_OPTIONS),
                initial_option=_initial(
                    copy.MET_OPTIONS,
                    None if current.met is None else ("yes" if current.met else "no"),
                ),
            ),
        ),
        InputBlock(
            block_id=BLOCK_STEP,
            label=PlainTextObject(text=copy.LABEL_STEP),
            hint=PlainTextObject(text=copy.HINT_STEP),
            optional=True,
            element=PlainTextInputElement(
                action_id=ACTION_VALUE,
                max_length=STEP_LIMIT,
                initial_value=current.step or None,
            ),
        ),
        InputBlock(
            block_id=BLOCK_SHARE,
            label=PlainTextObject(text=copy.LABEL_SHARE),
            optional=True,
            element=CheckboxesElement(
                action_id=ACTION_VALUE,
                options=[
                    Option(
                        value=SHARE_VALUE,
                        text=PlainTextObject(text=copy.LABEL_SHARE),
                        description=PlainTextObject(text=copy.HINT_SHARE),
                    )
                ],
                initial_options=(
                    [
                        Option(
                            value=SHARE_VALUE,
                            text=PlainTextObject(text=copy.LABEL_SHARE),
                            description=PlainTextObject(text=copy.HINT_SHARE),
                        )
                    ]
                    if current.step_shared
                    else None
                ),
            ),
        ),
        InputBlock(
            block_id=BLOCK_NOTE,
            label=PlainTextObject(text=copy.LABEL_NOTE),
            optional=True,
            element=PlainTextInputElement(
                action_id=ACTION_VALUE,
                multiline=True,
                max_length=NOTE_LIMIT,
                initial_value=current.note or None,
            ),
        ),
        # Unticked unless the person ticked it for this note: submitting without the tick
        # takes the note back out of the themes summary.
        InputBlock(
            block_id=BLOCK_NOTE_SHARE,
            label=PlainTextObject(text=copy.LABEL_NOTE_SHARE),
            hint=PlainTextObject(text=copy.HINT_NOTE_SHARE),
            optional=True,
            element=CheckboxesElement(
                action_id=ACTION_VALUE,
                options=[_note_share_option()],
                initial_options=[_note_share_option()] if current.note_shared else None,
            ),
        ),
    ]
    view = View(
        type="modal",
        callback_id=CALLBACK_ID,
        private_metadata=str(checkin_id),
        title=PlainTextObject(text=copy.MODAL_TITLE),
        submit=PlainTextObject(text=copy.MODAL_SUBMIT),
        close=PlainTextObject(text=copy.MODAL_CLOSE),
        blocks=blocks,
    )
    return view.to_dict()
