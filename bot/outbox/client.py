"""The Slack client the dispatcher sends with: the app's endpoint, token and connection pool,
and no retries of its own, because the dispatcher decides when to try again."""

from __future__ import annotations

import logging

import aiohttp
from slack_sdk.web.async_client import AsyncWebClient

from bot.process.config import Settings
from bot.process.logs import SLACK_CLIENT_LOGGER

DELIVERY_TIMEOUT_SECONDS = 10


def create_delivery_client(
    settings: Settings,
    http: aiohttp.ClientSession | None = None,
    *,
    timeout: int = DELIVERY_TIMEOUT_SECONDS,
) -> AsyncWebClient:
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    return AsyncWebClient(
        token=token,
        base_url=settings.slack_api_url,
        session=http,
        timeout=timeout,
        # Empty on purpose: a retry here would hide a 429's Retry-After from the pacing, and a
        # blind retry after a lost answer could post a message twice.
        retry_handlers=[],
        logger=logging.getLogger(SLACK_CLIENT_LOGGER),
    )
