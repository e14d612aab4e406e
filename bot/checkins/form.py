"""Reading the submitted check-in modal, from the payload alone (for the ack's field errors)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.checkins.service import ModalAnswer
from bot.domain import GoalStatus, StepDone
from bot.slack.blocks.checkin import (
    ACTION_VALUE,
    BLOCK_GOAL,
    BLOCK_MET,
    BLOCK_NOTE,
    BLOCK_NOTE_SHARE,
    BLOCK_PREVIOUS,
    BLOCK_RATING,
    BLOCK_SHARE,
    BLOCK_STEP,
    NOTE_LIMIT,
    NOTE_SHARE_VALUE,
    SHARE_VALUE,
    STEP_LIMIT,
)
from bot.slack.copy import checkins as copy
from bot.slack.view_state import element, selected_value


def _text(values: object, block_id: str) -> str | None:
    state = element(values, block_id, ACTION_VALUE)
    value = state.get("value") if state is not None else None
    if not isinstance(value, str) or not value.strip():
        return None
    return value.strip()


def _ticked(values: object, block_id: str, option_value: str) -> bool:
    state = element(values, block_id, ACTION_VALUE)
    chosen = state.get("selected_options") if state is not None else None
    if not isinstance(chosen, list):
        return False
    return any(isinstance(o, Mapping) and o.get("value") == option_value for o in chosen)


def parse_submission(values: Mapping[str, Any]) -> ModalAnswer | dict[str, str]:
    """The answer, or field errors by block id."""
    errors: dict[str, str] = {}
    rating_raw = selected_value(values, BLOCK_RATING, ACTION_VALUE)
    rating = int(rating_raw) if rating_raw in {"1", "2", "3", "4", "5"} else None
    if rating is None:
        errors[BLOCK_RATING] = copy.ERROR_RATING
    goal_raw = selected_value(values, BLOCK_GOAL, ACTION_VALUE)
    goal = GoalStatus(goal_raw) if goal_raw in set(GoalStatus) else None
    if goal is None:
        errors[BLOCK_GOAL] = copy.ERROR_GOAL
    met_raw = selected_value(values, BLOCK_MET, ACTION_VALUE)
    met = {"yes": True, "no": False}.get(met_raw or "")
    previous_raw = selected_value(values, BLOCK_PREVIOUS, ACTION_VALUE)
    previous = StepDone(previous_raw) if previous_raw in set(StepDone) else None
    step = _text(values, BLOCK_STEP)
    note = _text(values, BLOCK_NOTE)
    if step is not None and len(step) > STEP_LIMIT:
        errors[BLOCK_STEP] = copy.ERROR_TOO_LONG.format(limit=STEP_LIMIT)
    if note is not None and len(note) > NOTE_LIMIT:
        errors[BLOCK_NOTE] = copy.ERROR_TOO_LONG.format(limit=NOTE_LIMIT)
    shared = _ticked(values, BLOCK_SHARE, SHARE_VALUE)
    if shared and step is None:
        errors[BLOCK_SHARE] = copy.ERROR_SHARE_EMPTY
    if errors or rating is None or goal is None:
        return errors
    return ModalAnswer(
        rating=rating,
        goal_status=goal,
        met=met,
        step=step,
        note=note,
        step_shared=shared,
        # Ticked with no note, there is nothing to share: stored unticked.
        note_shared=note is not None and _ticked(values, BLOCK_NOTE_SHARE, NOTE_SHARE_VALUE),
        previous_step_done=previous,
    )
