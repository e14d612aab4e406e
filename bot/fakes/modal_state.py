"""What Slack sends as `view.state.values` when a person submits a modal.

Tests submit the modal the app really opened: start from its prefilled values (as Slack would
show them), change the fields a person would change, and send the result.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

JsonDict = dict[str, Any]


def _value_of(element: Mapping[str, Any]) -> JsonDict:
    kind = element.get("type")
    state: JsonDict = {"type": kind}
    if kind in ("plain_text_input", "number_input", "email_text_input", "url_text_input"):
        state["value"] = element.get("initial_value")
    elif kind in ("static_select", "radio_buttons", "external_select"):
        state["selected_option"] = element.get("initial_option")
    elif kind in ("multi_static_select", "checkboxes", "multi_external_select"):
        state["selected_options"] = list(element.get("initial_options") or [])
    elif kind == "timepicker":
        state["selected_time"] = element.get("initial_time")
    elif kind == "datepicker":
        state["selected_date"] = element.get("initial_date")
    elif kind == "users_select":
        state["selected_user"] = element.get("initial_user")
    elif kind == "multi_users_select":
        state["selected_users"] = list(element.get("initial_users") or [])
    elif kind == "channels_select":
        state["selected_channel"] = element.get("initial_channel")
    elif kind == "conversations_select":
        state["selected_conversation"] = element.get("initial_conversation")
    else:
        raise ValueError(f"no state shape for element type {kind!r}")
    return state


def initial_state(view: Mapping[str, Any]) -> dict[str, dict[str, JsonDict]]:
    """The state.values of `view` as opened, before the person changes anything."""
    values: dict[str, dict[str, JsonDict]] = {}
    for block in view.get("blocks", []):
        if block.get("type") != "input":
            continue
        element = block["element"]
        values[block["block_id"]] = {element["action_id"]: _value_of(element)}
    return values


def option_for(view: Mapping[str, Any], block_id: str, value: str) -> JsonDict:
    """The option object with `value` from the select or radio group in `block_id`."""
    for block in view.get("blocks", []):
        if block.get("block_id") != block_id:
            continue
        element = block["element"]
        options = list(element.get("options") or [])
        for group in element.get("option_groups") or []:
            options.extend(group.get("options") or [])
        for option in options:
            if option.get("value") == value:
                return dict(option)
        raise KeyError(f"{block_id} has no option {value!r}")
    raise KeyError(f"no block {block_id!r}")


def with_values(
    view: Mapping[str, Any], changes: Mapping[str, Mapping[str, Any]]
) -> dict[str, dict[str, JsonDict]]:
    """`initial_state(view)` with the given block_id -> {key: value} changes applied."""
    values = initial_state(view)
    for block_id, fields in changes.items():
        (action_state,) = values[block_id].values()
        action_state.update(fields)
    return values
