"""The admin's question modal: its ids and the pure parser of a submission (payload only)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from bot.domain import QuestionTheme
from bot.slack.copy import questions as copy
from bot.slack.view_state import element, selected_value

CALLBACK_ID: Final = "questions_admin"
BLOCK_THEME: Final = "question_add_theme"
ACTION_THEME: Final = "theme"
BLOCK_TEXT: Final = "question_add_text"
ACTION_TEXT: Final = "text"
BLOCK_RETIRE: Final = "question_retire"
ACTION_RETIRE: Final = "retire"

MIN_LENGTH: Final = 10
MAX_LENGTH: Final = 200
_ID = re.compile(r"[0-9]{1,12}")


@dataclass(frozen=True, slots=True)
class BankEdit:
    add: tuple[QuestionTheme, str] | None
    retire: tuple[int, ...]


def _text(values: Mapping[str, Any]) -> str:
    state = element(values, BLOCK_TEXT, ACTION_TEXT)
    value = state.get("value") if state is not None else None
    return value.strip() if isinstance(value, str) else ""


def _retire(values: Mapping[str, Any]) -> tuple[int, ...]:
    state = element(values, BLOCK_RETIRE, ACTION_RETIRE)
    options = state.get("selected_options") if state is not None else None
    if not isinstance(options, list):
        return ()
    ids = [
        int(o["value"])
        for o in options
        if isinstance(o, Mapping) and isinstance(o.get("value"), str) and _ID.fullmatch(o["value"])
    ]
    return tuple(dict.fromkeys(ids))


def parse_submission(values: Mapping[str, Any]) -> BankEdit | dict[str, str]:
    """What the admin asked for, or errors by block id for the modal to show."""
    text = _text(values)
    theme_value = selected_value(values, BLOCK_THEME, ACTION_THEME)
    theme = QuestionTheme(theme_value) if theme_value in set(QuestionTheme) else None
    retire = _retire(values)
    errors: dict[str, str] = {}
    if text:
        if "\n" in text:
            errors[BLOCK_TEXT] = copy.ERROR_ONE_LINE
        elif not MIN_LENGTH <= len(text) <= MAX_LENGTH:
            errors[BLOCK_TEXT] = copy.ERROR_LENGTH.format(length=len(text))
        elif not text.endswith("?"):
            errors[BLOCK_TEXT] = copy.ERROR_QUESTION_MARK
        if theme is None:
            errors[BLOCK_THEME] = copy.ERROR_THEME
    elif theme is not None:
        errors[BLOCK_TEXT] = copy.ERROR_TEXT_MISSING
    elif not retire:
        errors[BLOCK_TEXT] = copy.ERROR_NOTHING
    if errors:
        return errors
    text = re.sub(r"[ \t]+", " ", text)
    return BankEdit(add=(theme, text) if theme is not None and text else None, retire=retire)
