"""Once, and only once: keys for Slack deliveries, and the claims that make effects unique.

Nothing here runs before the ack touches the database. A claim is a `processed_requests` row
written in the same transaction as the effect it guards, so a failed attempt leaves no claim
(Slack's retry is processed) and a successful one leaves one (the retry is skipped). Deliveries
still in progress in this process are recognised in memory, which costs no I/O.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.process.deps import Deps
from storage.repositories import ProcessedRequestRepository
from storage.session import DATABASE_UNAVAILABLE_ERRORS

logger = logging.getLogger(__name__)

CLAIMS_KEY = "peercoach.claims"


def _hashed(kind: str, *parts: object) -> str:
    # Hashed so that a claim kept for days holds no Slack ids in the clear.
    material = ":".join(str(part) for part in parts)
    return f"{kind}:" + hashlib.sha256(material.encode()).hexdigest()[:40]


def event_key(body: dict[str, Any]) -> str | None:
    """Slack's event_id is the same for a delivery and its retries."""
    event_id = body.get("event_id")
    if body.get("type") == "event_callback" and isinstance(event_id, str) and event_id:
        return f"event:{event_id}"
    return None


def command_key(command: dict[str, Any]) -> str | None:
    """Slack makes a trigger_id anew for each invocation: a repeated delivery shares it."""
    trigger_id = command.get("trigger_id")
    if not trigger_id:
        return None
    return _hashed("command", command.get("team_id"), command.get("user_id"), trigger_id)


def action_key(body: dict[str, Any], user_id: str) -> str | None:
    """A click is the same click when its action_ts and clicker are."""
    actions = body.get("actions")
    first = actions[0] if isinstance(actions, list) and actions else None
    action_ts = first.get("action_ts") if isinstance(first, dict) else None
    if not action_ts or not user_id:
        return None
    return _hashed("action", user_id, action_ts)


def submission_key(view: dict[str, Any]) -> str | None:
    """A submission is identified by its view and the view's hash (a new one after each update)."""
    view_id, view_hash = view.get("id"), view.get("hash")
    if not view_id or not view_hash:
        return None
    return _hashed("view", view_id, view_hash)


class InFlight:
    """Keys being handled right now in this process; a duplicate that arrives meanwhile waits
    for nothing and is dropped."""

    def __init__(self) -> None:
        self._keys: set[str] = set()

    @asynccontextmanager
    async def hold(self, key: str | None) -> AsyncIterator[bool]:
        if key is None:
            yield True
            return
        if key in self._keys:
            yield False
            return
        self._keys.add(key)
        try:
            yield True
        finally:
            self._keys.discard(key)


def in_flight_of(context: dict[str, Any]) -> InFlight:
    found = context[CLAIMS_KEY]
    assert isinstance(found, InFlight)
    return found


def claims_middleware() -> Callable[..., Awaitable[Any]]:
    """Hands every listener the process's in-flight keys; no I/O, so the ack is not delayed."""
    in_flight = InFlight()

    async def attach(context: dict[str, Any], next: Callable[[], Awaitable[Any]]) -> Any:
        context[CLAIMS_KEY] = in_flight
        return await next()

    return attach


async def claim_in(session: AsyncSession, key: str | None, *, now: datetime) -> bool:
    """Claim `key` in the caller's transaction, first thing, so on SQLite the write lock is
    taken before any read. False for a repeat, which must then do nothing; True when there is
    no key to claim."""
    if key is None:
        return True
    return await ProcessedRequestRepository(session).claim(key, now=now)


async def already_done(deps: Deps, key: str | None) -> bool:
    """Whether a claim for `key` was committed (a read: allowed before views.open)."""
    if key is None:
        return False
    async with deps.sessions() as session:
        done = await ProcessedRequestRepository(session).is_claimed(key)
    if done:
        logger.info("skipping a repeated delivery (%s)", key.split(":", 1)[0])
    return done


async def record_done(deps: Deps, key: str | None) -> None:
    """Claim `key` after an effect that is not a database write (a Slack call)."""
    if key is None:
        return
    try:
        async with deps.sessions() as session:
            # False: a copy of the same delivery finished first; the claim is there either way.
            if await ProcessedRequestRepository(session).claim(key, now=deps.clock()):
                await session.commit()
    except DATABASE_UNAVAILABLE_ERRORS as exc:
        # The effect has happened and the person has it; at worst a retry repeats an
        # idempotent Slack call. Telling them "try again" now would be wrong.
        logger.warning(
            "could not record a finished %s: %s", key.split(":", 1)[0], type(exc).__name__
        )
