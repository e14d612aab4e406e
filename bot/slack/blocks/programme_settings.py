"""Block Kit for the programme settings modal (`/peercoach admin settings`).

Block ids, action ids, option values and bounds come from `bot.programmes.settings_form`, whose
`parse_submission` reads the submitted state back.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    ConversationFilter,
    ConversationSelectElement,
    DividerBlock,
    HeaderBlock,
    InputBlock,
    InputInteractiveElement,
    MarkdownTextObject,
    NumberInputElement,
    Option,
    PlainTextObject,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.matching.model import Criterion
from bot.programmes import settings_form as ps
from bot.programmes.settings_form import ProgrammeSettings
from bot.slack.copy import programme_settings as copy


def _select(
    action_id: str, options: Sequence[tuple[str, str]], selected: str
) -> StaticSelectElement:
    """A static select over (value, label) pairs with `selected` preselected."""
    built = [Option(value=value, text=label) for value, label in options]
    initial = next((o for o in built if o.value == selected), None)
    return StaticSelectElement(
        action_id=action_id,
        placeholder=PlainTextObject(text=copy.SELECT_PLACEHOLDER),
        options=built,
        initial_option=initial,
    )


def _input(
    block_id: str,
    label: str,
    hint: str,
    element: InputInteractiveElement,
    *,
    optional: bool = False,
) -> InputBlock:
    return InputBlock(
        block_id=block_id,
        label=PlainTextObject(text=label),
        hint=PlainTextObject(text=hint),
        element=element,
        optional=optional,
    )


def _hours_label(hours: int) -> str:
    if hours == 0:
        return copy.TZ_GAP_OPTION_ZERO
    return copy.TZ_GAP_OPTION_ONE if hours == 1 else copy.TZ_GAP_OPTION_MANY.format(hours=hours)


def _levels_label(levels: int) -> str:
    if levels == 1:
        return copy.LEVEL_GAP_OPTION_ONE
    return copy.LEVEL_GAP_OPTION_MANY.format(levels=levels)


def _round_blocks(current: ProgrammeSettings) -> list[Block]:
    return [
        HeaderBlock(text=PlainTextObject(text=copy.SECTION_ROUNDS)),
        _input(
            ps.BLOCK_CADENCE,
            copy.CADENCE_LABEL,
            copy.CADENCE_HINT,
            _select(
                ps.ACTION_CADENCE,
                [(c.value, copy.CADENCE_OPTIONS[c.value]) for c in ps.CADENCES],
                current.cadence.value,
            ),
        ),
        _input(
            ps.BLOCK_WEEKDAY,
            copy.WEEKDAY_LABEL,
            copy.WEEKDAY_HINT,
            _select(
                ps.ACTION_WEEKDAY,
                [(str(d), copy.WEEKDAYS[d]) for d in ps.WEEKDAYS],
                str(current.round_weekday),
            ),
        ),
        _input(
            ps.BLOCK_INTRO_HOUR,
            copy.INTRO_HOUR_LABEL,
            copy.INTRO_HOUR_HINT,
            _select(
                ps.ACTION_INTRO_HOUR,
                [(str(h), copy.INTRO_HOUR_OPTION.format(hour=h)) for h in ps.INTRO_HOURS],
                str(current.intro_hour),
            ),
        ),
    ]


def _matching_blocks(current: ProgrammeSettings) -> list[Block]:
    return [
        HeaderBlock(text=PlainTextObject(text=copy.SECTION_MATCHING)),
        _input(
            ps.BLOCK_CIRCLE_SIZE,
            copy.CIRCLE_SIZE_LABEL,
            copy.CIRCLE_SIZE_HINT,
            _select(
                ps.ACTION_CIRCLE_SIZE,
                [(str(n), copy.CIRCLE_SIZE_OPTION.format(size=n)) for n in ps.CIRCLE_SIZES],
                str(current.circle_size),
            ),
        ),
        _input(
            ps.BLOCK_TZ_GAP,
            copy.TZ_GAP_LABEL,
            copy.TZ_GAP_HINT,
            _select(
                ps.ACTION_TZ_GAP,
                [(str(h), _hours_label(h)) for h in ps.TZ_GAPS],
                str(current.max_tz_gap_hours),
            ),
        ),
        _input(
            ps.BLOCK_LEVEL_GAP,
            copy.LEVEL_GAP_LABEL,
            copy.LEVEL_GAP_HINT,
            _select(
                ps.ACTION_LEVEL_GAP,
                [(str(n), _levels_label(n)) for n in ps.MENTOR_LEVEL_GAPS],
                str(current.mentor_min_level_gap),
            ),
        ),
    ]


def _weight_blocks(current: ProgrammeSettings) -> list[Block]:
    blocks: list[Block] = [
        HeaderBlock(text=PlainTextObject(text=copy.SECTION_WEIGHTS)),
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text=copy.SECTION_WEIGHTS_HELP.format(max=ps.WEIGHT_MAX, step=ps.WEIGHT_STEP)
                )
            ]
        ),
    ]
    for criterion in Criterion:
        # number_input enforces the range in the client; the 0.5 step is checked on submit.
        element = NumberInputElement(
            action_id=ps.ACTION_WEIGHT,
            is_decimal_allowed=True,
            initial_value=ps.format_weight(current.weights.of(criterion)),
            min_value=str(ps.WEIGHT_MIN),
            max_value=str(ps.WEIGHT_MAX),
        )
        blocks.append(
            _input(
                ps.WEIGHT_BLOCKS[criterion],
                copy.WEIGHT_LABELS[criterion.value],
                copy.WEIGHT_HINTS[criterion.value],
                element,
            )
        )
    return blocks


def _digest_blocks(current: ProgrammeSettings) -> list[Block]:
    channel = ConversationSelectElement(
        action_id=ps.ACTION_DIGEST_CHANNEL,
        placeholder=PlainTextObject(text=copy.DIGEST_CHANNEL_PLACEHOLDER),
        initial_conversation=current.digest_channel_id,
        # Channels only, and none shared with another organisation: digests are internal.
        filter=ConversationFilter(
            include=["public", "private"], exclude_external_shared_channels=True
        ),
    )
    min_aggregate = NumberInputElement(
        action_id=ps.ACTION_MIN_AGGREGATE,
        is_decimal_allowed=False,
        initial_value=current.min_aggregate_size,
        min_value=ps.MIN_AGGREGATE_SIZE_MIN,
        max_value=ps.MIN_AGGREGATE_SIZE_MAX,
    )
    return [
        HeaderBlock(text=PlainTextObject(text=copy.SECTION_DIGEST)),
        _input(
            ps.BLOCK_DIGEST_CHANNEL,
            copy.DIGEST_CHANNEL_LABEL,
            copy.DIGEST_CHANNEL_HINT,
            channel,
            optional=True,
        ),
        _input(
            ps.BLOCK_MIN_AGGREGATE,
            copy.MIN_AGGREGATE_LABEL,
            copy.MIN_AGGREGATE_HINT,
            min_aggregate,
        ),
    ]


def settings_modal(current: ProgrammeSettings, *, private_metadata: str = "") -> dict[str, Any]:
    """The settings modal, prefilled with `current`; submitted as `ps.CALLBACK_ID`."""
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=copy.MODAL_INTRO)),
        *_round_blocks(current),
        DividerBlock(),
        *_matching_blocks(current),
        DividerBlock(),
        *_weight_blocks(current),
        DividerBlock(),
        *_digest_blocks(current),
    ]
    view = View(
        type="modal",
        callback_id=ps.CALLBACK_ID,
        title=PlainTextObject(text=copy.MODAL_TITLE),
        submit=PlainTextObject(text=copy.MODAL_SUBMIT),
        close=PlainTextObject(text=copy.MODAL_CLOSE),
        blocks=blocks,
        private_metadata=private_metadata or None,
    )
    return view.to_dict()
