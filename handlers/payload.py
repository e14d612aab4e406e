"""Reading who acted, and what they typed, out of interaction payloads."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Actor:
    user_id: str
    team_id: str
    team_name: str | None


def actor(body: dict[str, Any]) -> Actor:
    """The person behind a button click or modal submission, and their workspace."""
    user = body.get("user") or {}
    team = body.get("team") or {}
    team_id = team.get("id") or user.get("team_id") or ""
    return Actor(str(user.get("id", "")), str(team_id), team.get("domain"))


def state_values(view: dict[str, Any]) -> dict[str, Any]:
    values = (view.get("state") or {}).get("values") or {}
    return values if isinstance(values, dict) else {}


def parties(body: dict[str, Any]) -> tuple[str, str, str | None]:
    """(user id, team id, team domain) of the person behind the payload."""
    who = actor(body)
    return who.user_id, who.team_id, who.team_name


def action_value(body: dict[str, Any]) -> str:
    """The `value` of the first action in a block action payload ("" when there is none)."""
    return str((body.get("actions") or [{}])[0].get("value") or "")
