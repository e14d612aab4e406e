"""The admin's programme form (`/peercoach admin programmes` → New / Edit): ids, bounds and the
pure parser of its submission. No Slack client, no database.

`bot.slack.blocks.programmes` builds the modal from the ids here and `parse_submission` reads
Slack's `view.state.values` back, so the two never drift apart.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Final

from bot.domain import (
    DEFAULT_CHECKIN_WEEKDAY,
    LAST_CHECKIN_WEEKDAY,
    Cadence,
    ProgrammeKind,
    ProgrammeMode,
)
from bot.slack import view_state
from bot.slack.copy import programmes as copy

LIST_CALLBACK_ID: Final = "programmes_list"
FORM_CALLBACK_ID: Final = "programme_form"

ACTION_NEW: Final = "programme_new"
ACTION_EDIT: Final = "programme_edit"
ACTION_CLOSE: Final = "programme_close"

BLOCK_NAME: Final = "programme_name"
BLOCK_MODE: Final = "programme_mode"
BLOCK_CADENCE: Final = "programme_cadence"
BLOCK_WEEKDAY: Final = "programme_weekday"
BLOCK_CHECKIN_DAY: Final = "programme_checkin_day"
BLOCK_INTRO_HOUR: Final = "programme_intro_hour"
BLOCK_GROUP_SIZE: Final = "programme_group_size"
BLOCK_CHANNEL: Final = "programme_channel"
BLOCK_KIND: Final = "programme_kind"
BLOCK_STARTS: Final = "programme_starts_on"
BLOCK_ENDS: Final = "programme_ends_on"
ACTION_NAME: Final = "name"
ACTION_MODE: Final = "mode"
ACTION_CADENCE: Final = "cadence"
ACTION_WEEKDAY: Final = "weekday"
ACTION_CHECKIN_DAY: Final = "checkin_weekday"
ACTION_INTRO_HOUR: Final = "intro_hour"
ACTION_GROUP_SIZE: Final = "group_size"
ACTION_CHANNEL: Final = "home_channel"
ACTION_KIND: Final = "kind"
ACTION_STARTS: Final = "starts_on"
ACTION_ENDS: Final = "ends_on"

NAME_MAX: Final = 80
MODES: Final = tuple(ProgrammeMode)
CADENCES: Final = tuple(Cadence)
KINDS: Final = tuple(ProgrammeKind)
WEEKDAYS: Final = tuple(range(7))
# Check-ins go out on working days only.
CHECKIN_DAYS: Final = tuple(range(LAST_CHECKIN_WEEKDAY + 1))
INTRO_HOURS: Final = tuple(range(24))
GROUP_SIZES: Final = tuple(range(2, 7))
CIRCLE_SIZES: Final = tuple(range(3, 7))
MIN_COHORT: Final = timedelta(days=7)

_CHANNEL_ID = re.compile(r"[CG][A-Z0-9]{8,31}", re.ASCII)


@dataclass(frozen=True, slots=True)
class ProgrammeInput:
    """A programme as an admin typed it, valid on its own (name clashes are checked on save)."""

    name: str
    mode: ProgrammeMode
    cadence: Cadence
    weekday: int
    intro_hour: int
    group_size: int
    home_channel_id: str | None
    kind: ProgrammeKind
    starts_on: date | None
    ends_on: date | None
    checkin_weekday: int = DEFAULT_CHECKIN_WEEKDAY


def metadata(programme_id: int | None) -> str:
    """The form's private_metadata: which programme it edits (None: a new one)."""
    return json.dumps({"programme_id": programme_id})


def programme_id_from(private_metadata: str | None) -> int | None:
    try:
        value = json.loads(private_metadata or "{}").get("programme_id")
    except (ValueError, AttributeError):
        return None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _choice(
    values: object,
    block_id: str,
    action_id: str,
    options: Mapping[str, Any],
    errors: dict[str, str],
) -> Any:
    value = view_state.selected_value(values, block_id, action_id)
    if value is None or value not in options:
        errors[block_id] = copy.ERROR_CHOOSE
        return None
    return options[value]


def _date(values: object, block_id: str, action_id: str, errors: dict[str, str]) -> date | None:
    element = view_state.element(values, block_id, action_id)
    raw = element.get("selected_date") if element is not None else None
    if raw is None or raw == "":
        return None
    if not isinstance(raw, str):
        errors[block_id] = copy.ERROR_DATE
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors[block_id] = copy.ERROR_DATE
        return None


def _channel(values: object, errors: dict[str, str]) -> str | None:
    element = view_state.element(values, BLOCK_CHANNEL, ACTION_CHANNEL)
    if element is None:
        return None
    selected = element.get("selected_conversation", element.get("selected_channel"))
    if selected is None or selected == "":
        return None
    if not isinstance(selected, str) or not _CHANNEL_ID.fullmatch(selected):
        errors[BLOCK_CHANNEL] = copy.ERROR_CHANNEL
        return None
    return selected


def _name(values: object, errors: dict[str, str]) -> str | None:
    element = view_state.element(values, BLOCK_NAME, ACTION_NAME)
    raw = element.get("value") if element is not None else None
    name = " ".join(raw.split()) if isinstance(raw, str) else ""
    if not 1 <= len(name) <= NAME_MAX:
        errors[BLOCK_NAME] = copy.ERROR_NAME
        return None
    return name


def parse_submission(values: Mapping[str, Any], *, today: date) -> ProgrammeInput | dict[str, str]:
    """The programme from `view["state"]["values"]`, or block_id -> error. Never raises."""
    errors: dict[str, str] = {}
    name = _name(values, errors)
    mode = _choice(values, BLOCK_MODE, ACTION_MODE, {m.value: m for m in MODES}, errors)
    cadence = _choice(values, BLOCK_CADENCE, ACTION_CADENCE, {c.value: c for c in CADENCES}, errors)
    weekday = _choice(values, BLOCK_WEEKDAY, ACTION_WEEKDAY, {str(d): d for d in WEEKDAYS}, errors)
    hour = _choice(
        values, BLOCK_INTRO_HOUR, ACTION_INTRO_HOUR, {str(h): h for h in INTRO_HOURS}, errors
    )
    size = _choice(
        values, BLOCK_GROUP_SIZE, ACTION_GROUP_SIZE, {str(n): n for n in GROUP_SIZES}, errors
    )
    checkin_day = DEFAULT_CHECKIN_WEEKDAY
    if view_state.element(values, BLOCK_CHECKIN_DAY, ACTION_CHECKIN_DAY) is not None:
        checkin_day = _choice(
            values,
            BLOCK_CHECKIN_DAY,
            ACTION_CHECKIN_DAY,
            {str(d): d for d in CHECKIN_DAYS},
            errors,
        )
    channel = _channel(values, errors)
    kind = _choice(values, BLOCK_KIND, ACTION_KIND, {k.value: k for k in KINDS}, errors)
    starts = _date(values, BLOCK_STARTS, ACTION_STARTS, errors)
    ends = _date(values, BLOCK_ENDS, ACTION_ENDS, errors)

    if mode is not None and size is not None and BLOCK_GROUP_SIZE not in errors:
        if mode is ProgrammeMode.CIRCLES and size not in CIRCLE_SIZES:
            errors[BLOCK_GROUP_SIZE] = copy.ERROR_SIZE_CIRCLE
        elif mode is not ProgrammeMode.CIRCLES and size != 2:
            errors[BLOCK_GROUP_SIZE] = copy.ERROR_SIZE_TWO
    if kind is ProgrammeKind.COHORT:
        if starts is None and BLOCK_STARTS not in errors:
            errors[BLOCK_STARTS] = copy.ERROR_COHORT_START
        if ends is None and BLOCK_ENDS not in errors:
            errors[BLOCK_ENDS] = copy.ERROR_COHORT_END
        if starts is not None and ends is not None:
            if ends < starts + MIN_COHORT:
                errors[BLOCK_ENDS] = copy.ERROR_COHORT_ORDER
            elif ends < today:
                errors[BLOCK_ENDS] = copy.ERROR_COHORT_PAST
    elif kind is ProgrammeKind.EVERGREEN:
        for block, day in ((BLOCK_STARTS, starts), (BLOCK_ENDS, ends)):
            if day is not None and block not in errors:
                errors[block] = copy.ERROR_DATES_EVERGREEN

    if errors:
        return errors
    assert name is not None
    return ProgrammeInput(
        name=name,
        mode=mode,
        cadence=cadence,
        weekday=weekday,
        intro_hour=hour,
        group_size=size,
        home_channel_id=channel,
        kind=kind,
        starts_on=starts if kind is ProgrammeKind.COHORT else None,
        ends_on=ends if kind is ProgrammeKind.COHORT else None,
        checkin_weekday=checkin_day,
    )
