"""Process each Slack delivery once, even when Slack retries it or two copies receive it."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from bot.process.deps import Deps
from storage.repositories import ProcessedRequestRepository

logger = logging.getLogger(__name__)


def delivery_key(body: dict[str, Any]) -> str | None:
    """A key that is the same for a delivery and its retries, or None when there is none.

    Events carry an event_id. A slash command carries a trigger_id that Slack makes anew for
    every invocation, so a retried delivery of the same command repeats it. Button clicks and
    modal submissions are idempotent in their effects and are not keyed.
    """
    if body.get("type") == "event_callback" and body.get("event_id"):
        return f"event:{body['event_id']}"
    if body.get("command") and body.get("trigger_id"):
        material = f"{body.get('team_id')}:{body.get('user_id')}:{body['trigger_id']}"
        return "command:" + hashlib.sha256(material.encode()).hexdigest()[:40]
    return None


def dedup_middleware(deps: Deps) -> Callable[..., Awaitable[Any]]:
    async def once(
        req: AsyncBoltRequest,
        body: dict[str, Any],
        next: Callable[[], Awaitable[Any]],
    ) -> Any:
        key = delivery_key(body)
        if key is None:
            return await next()
        async with deps.sessions() as session:
            first = await ProcessedRequestRepository(session).claim(key, now=deps.clock())
            if first:
                await session.commit()
        if not first:
            retry = (req.headers.get("x-slack-retry-num") or ["?"])[0]
            logger.info("skipping a repeated delivery (%s, retry %s)", key, retry)
            # 200 with an empty body: Slack stops retrying and shows nothing new.
            return BoltResponse(status=200, body="")
        return await next()

    return once
