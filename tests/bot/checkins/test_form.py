"""The check-in modal's parser: the note's sharing box, read from the payload alone."""

from __future__ import annotations

from typing import Any

import pytest

from bot.checkins.form import parse_submission
from bot.checkins.service import ModalAnswer
from bot.slack.blocks.checkin import (
    ACTION_VALUE,
    BLOCK_GOAL,
    BLOCK_NOTE,
    BLOCK_NOTE_SHARE,
    BLOCK_RATING,
    BLOCK_SHARE,
    BLOCK_STEP,
    NOTE_SHARE_VALUE,
    SHARE_VALUE,
)


def _values(note: str | None, boxes: dict[str, list[str]]) -> dict[str, Any]:
    values: dict[str, Any] = {
        BLOCK_RATING: {ACTION_VALUE: {"type": "static_select", "selected_option": {"value": "4"}}},
        BLOCK_GOAL: {
            ACTION_VALUE: {"type": "radio_buttons", "selected_option": {"value": "on_track"}}
        },
        BLOCK_NOTE: {ACTION_VALUE: {"type": "plain_text_input", "value": note}},
    }
    for block_id, ticked in boxes.items():
        values[block_id] = {
            ACTION_VALUE: {
                "type": "checkboxes",
                "selected_options": [{"value": v} for v in ticked],
            }
        }
    return values


@pytest.mark.parametrize(
    ("note", "boxes", "shared"),
    [
        ("delegating is hard", {BLOCK_NOTE_SHARE: [NOTE_SHARE_VALUE]}, True),
        ("delegating is hard", {BLOCK_NOTE_SHARE: []}, False),
        ("delegating is hard", {}, False),
        # Ticked with nothing written: nothing to share.
        ("   ", {BLOCK_NOTE_SHARE: [NOTE_SHARE_VALUE]}, False),
        (None, {BLOCK_NOTE_SHARE: [NOTE_SHARE_VALUE]}, False),
        # The step's box is another box: it does not share the note.
        ("delegating is hard", {BLOCK_SHARE: [SHARE_VALUE], BLOCK_NOTE_SHARE: []}, False),
        # An option the modal never offered is not a tick.
        ("delegating is hard", {BLOCK_NOTE_SHARE: [SHARE_VALUE]}, False),
    ],
)
def test_the_note_is_shared_only_when_ticked_and_written(
    note: str | None, boxes: dict[str, list[str]], shared: bool
) -> None:
    values = _values(note, boxes)
    if BLOCK_SHARE in boxes:
        values[BLOCK_STEP] = {ACTION_VALUE: {"type": "plain_text_input", "value": "A step"}}
    answer = parse_submission(values)
    assert isinstance(answer, ModalAnswer)
    assert answer.note_shared is shared
