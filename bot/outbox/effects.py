"""What to remember once Slack has a message: named effects, run in the transaction that
marks the message sent.

A row's `on_sent` is a JSON object; each key names an effect and its value is that effect's
argument, e.g. ``{"group_id": 7}`` stores the conversation on match group 7. A feature adds
its own effect with `register_on_sent` at import time."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import MatchGroup

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Delivered:
    """Where a message went: what an effect may record."""

    message_id: int
    team_id: str
    key: str
    channel_id: str
    # None for an uploaded file: Slack shares files asynchronously and does not name the
    # message in its answer.
    ts: str | None
    at: datetime


OnSentEffect = Callable[[AsyncSession, Delivered, Any], Awaitable[None]]

_EFFECTS: dict[str, OnSentEffect] = {}


def register_on_sent(name: str, effect: OnSentEffect) -> None:
    """Make ``on_sent={name: value}`` run ``effect(session, delivered, value)``."""
    existing = _EFFECTS.get(name)
    if existing is not None and existing is not effect:
        raise ValueError(f"an on_sent effect named {name!r} is already registered")
    _EFFECTS[name] = effect


def registered_effects() -> frozenset[str]:
    return frozenset(_EFFECTS)


async def apply_on_sent(
    session: AsyncSession, on_sent: dict[str, Any] | None, delivered: Delivered
) -> None:
    """Run every effect `on_sent` names. An unknown name is logged and skipped: the message
    is out either way, and marking it sent matters more than a missing side note."""
    for name, value in (on_sent or {}).items():
        effect = _EFFECTS.get(name)
        if effect is None:
            logger.error("outbox %s: no on_sent effect named %s", delivered.message_id, name)
            continue
        await effect(session, delivered, value)


async def _store_group_conversation(
    session: AsyncSession, delivered: Delivered, group_id: Any
) -> None:
    await session.execute(
        update(MatchGroup)
        .where(MatchGroup.id == int(group_id), MatchGroup.team_id == delivered.team_id)
        .values(channel_id=delivered.channel_id)
        .execution_options(synchronize_session=False)
    )


register_on_sent("group_id", _store_group_conversation)
