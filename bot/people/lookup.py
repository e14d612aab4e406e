"""Finding people in Slack by email (`users.lookupByEmail`), paced to Slack's Tier 3 limit.

Slack allows about 50 lookups a minute after a short burst; a 10,000-person file takes hours
at that pace, so the pacer spends the budget evenly instead of running into 429s, and a 429
that comes anyway (another app on the same token) is waited out as Retry-After says.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.failures import SLACK_NETWORK_ERRORS

logger = logging.getLogger(__name__)

TIER3_PER_MINUTE = 50
TIER3_BURST = 10
MAX_ATTEMPTS = 8
NETWORK_RETRY_SECONDS = 2.0

Sleep = Callable[[float], Awaitable[None]]


class LookupUnavailable(Exception):
    """Slack kept refusing or failing; nothing was imported."""


@dataclass
class Pacer:
    """One call every `interval` seconds after `burst` back to back (Slack's own algorithm)."""

    interval: float = 60.0 / TIER3_PER_MINUTE
    burst: int = TIER3_BURST
    now: Callable[[], float] = time.monotonic
    sleep: Sleep = asyncio.sleep
    _tat: float | None = field(default=None, init=False)

    async def wait(self) -> None:
        now = self.now()
        tolerance = self.interval * max(self.burst - 1, 0)
        if self._tat is not None and now < self._tat - tolerance:
            await self.sleep(self._tat - tolerance - now)
            now = self.now()
        self._tat = max(self._tat if self._tat is not None else now, now) + self.interval


@dataclass(frozen=True, slots=True)
class Found:
    user_id: str
    deleted: bool
    is_bot: bool


async def lookup_email(client: AsyncWebClient, email: str, pacer: Pacer) -> Found | None:
    """The Slack user with this email, or None when Slack knows nobody by it."""
    for _attempt in range(MAX_ATTEMPTS):
        await pacer.wait()
        try:
            response = await client.users_lookupByEmail(email=email)
        except SlackApiError as exc:
            error = exc.response.get("error") if exc.response is not None else None
            if error == "users_not_found":
                return None
            if exc.response is not None and exc.response.status_code == 429:
                headers = {k.lower(): v for k, v in (exc.response.headers or {}).items()}
                raw = headers.get("retry-after", "1")
                retry = float(raw[0] if isinstance(raw, list) else raw or 1)
                await pacer.sleep(retry)
                continue
            if exc.response is not None and exc.response.status_code >= 500:
                await pacer.sleep(NETWORK_RETRY_SECONDS)
                continue
            logger.warning("users.lookupByEmail failed: %s", error)
            raise LookupUnavailable(str(error)) from exc
        except SLACK_NETWORK_ERRORS as exc:
            logger.warning("users.lookupByEmail did not answer: %s", type(exc).__name__)
            await pacer.sleep(NETWORK_RETRY_SECONDS)
            continue
        user = response.get("user") or {}
        return Found(
            user_id=str(user.get("id", "")),
            deleted=bool(user.get("deleted")),
            is_bot=bool(user.get("is_bot")),
        )
    raise LookupUnavailable("too many retries")
