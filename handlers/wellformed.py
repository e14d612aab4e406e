"""Refuse payloads that name no person or workspace, or lack the parts Bolt reads.

Slack always says who acted and in which workspace. A payload without them is not from Slack
or is damaged, and acting on it would store people and workspaces with empty ids; one without
the parts Bolt indexes (a block action's first action, an event object) fails inside Bolt. The
HTTP endpoint checks `problem` before Bolt sees the request; the middleware does the same for
Socket Mode. Refused with 400 and nothing stored; the log says the kind and the reason, never
the content.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.response import BoltResponse

logger = logging.getLogger(__name__)

# Events that always come from a person; others (a bot's message, an edit) may name nobody.
_PERSONAL_EVENTS = frozenset({"app_home_opened"})
_INTERACTIONS = frozenset({"block_actions", "view_submission", "view_closed"})


def _id(value: Any) -> bool:
    return isinstance(value, str) and value.strip() != ""


def _interaction_team(body: dict[str, Any]) -> Any:
    team, user = body.get("team"), body.get("user")
    if isinstance(team, dict) and _id(team.get("id")):
        return team["id"]
    return user.get("team_id") if isinstance(user, dict) else None


def problem(body: dict[str, Any]) -> str | None:
    """Why the payload cannot be acted on, or None when it can."""
    if "command" in body:
        if not _id(body.get("user_id")) or not _id(body.get("team_id")):
            return "a command without a user or team"
        if not isinstance(body.get("text", ""), str):
            return "a command whose text is not text"
        return None
    kind = body.get("type")
    if kind in _INTERACTIONS:
        user = body.get("user")
        if not isinstance(user, dict) or not _id(user.get("id")):
            return f"{kind} without a user"
        if not _id(_interaction_team(body)):
            return f"{kind} without a team"
        if kind == "block_actions":
            actions = body.get("actions")
            if not isinstance(actions, list) or not actions:
                return "block_actions without actions"
            if not all(isinstance(a, dict) and _id(a.get("action_id")) for a in actions):
                return "block_actions with an action that has no action_id"
        elif not isinstance(body.get("view"), dict):
            return f"{kind} without a view"
        return None
    if kind == "event_callback":
        event = body.get("event")
        if not _id(body.get("team_id")):
            return "an event without a team"
        if not isinstance(event, dict) or not _id(event.get("type")):
            return "an event without an event"
        if event["type"] in _PERSONAL_EVENTS and not _id(event.get("user")):
            return f"{event['type']} without a user"
        if event["type"] == "message" and not _id(event.get("channel")):
            return "a message without a channel"
        return None
    return None


async def refuse_ill_formed(body: dict[str, Any], next: Callable[[], Awaitable[Any]]) -> Any:
    reason = problem(body)
    if reason is None:
        return await next()
    logger.info("refused %s", reason)
    return BoltResponse(status=400, body={"error": "malformed payload"})
