"""Reading a submitted modal's `view.state.values`, which may arrive in any shape."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def element(values: object, block_id: str, action_id: str) -> Mapping[str, Any] | None:
    """One element's state, or None when any level of the payload is missing or malformed."""
    if not isinstance(values, Mapping):
        return None
    block = values.get(block_id)
    if not isinstance(block, Mapping):
        return None
    found = block.get(action_id)
    return found if isinstance(found, Mapping) else None


def selected_value(values: object, block_id: str, action_id: str) -> str | None:
    """The value of a select's chosen option, or None."""
    state = element(values, block_id, action_id)
    option = state.get("selected_option") if state is not None else None
    value = option.get("value") if isinstance(option, Mapping) else None
    return value if isinstance(value, str) else None
