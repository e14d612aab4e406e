"""Builds the Bolt app: the Slack client, the listeners and the global error handler."""

from __future__ import annotations

import logging

import aiohttp
from slack_bolt.async_app import AsyncApp
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

import handlers
from bot.process.config import Settings
from bot.process.deps import Clock, Deps, deps_middleware, system_clock
from bot.process.error_handler import register_error_handler
from bot.process.logs import BOLT_LOGGER, SLACK_CLIENT_LOGGER, keep_bodies_out_of_logs
from bot.process.respond import pooled_respond_middleware
from bot.questions.drafts import drafter_for
from handlers.dedup import claims_middleware
from handlers.wellformed import refuse_ill_formed

# Slack answers most calls in well under a second; a stuck call must not hold a listener for long.
SLACK_TIMEOUT_SECONDS = 10


def create_slack_client(
    settings: Settings, http: aiohttp.ClientSession | None = None
) -> AsyncWebClient:
    """`http`: one connection pool for every call, as `serve` passes; without it, slack_sdk
    opens a session (and a connection) per call, which is fine for a one-off check."""
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    return AsyncWebClient(
        token=token,
        base_url=settings.slack_api_url,
        session=http,
        timeout=SLACK_TIMEOUT_SECONDS,
        retry_handlers=[
            AsyncConnectionErrorRetryHandler(max_retry_count=1),
            AsyncRateLimitErrorRetryHandler(max_retry_count=2),
            AsyncServerErrorRetryHandler(max_retry_count=2),
        ],
        logger=logging.getLogger(SLACK_CLIENT_LOGGER),
    )


def create_app(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    *,
    clock: Clock = system_clock,
    http: aiohttp.ClientSession | None = None,
) -> AsyncApp:
    settings.require_slack()
    # Before Bolt copies its loggers' levels, so none of them writes bodies at DEBUG.
    keep_bodies_out_of_logs()
    signing_secret = (
        settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else ""
    )
    app = AsyncApp(
        client=create_slack_client(settings, http),
        signing_secret=signing_secret,
        # Socket Mode traffic comes over an authenticated websocket, not signed HTTP.
        request_verification_enabled=not settings.socket_mode,
        process_before_response=False,
        raise_error_for_unhandled_request=False,
        logger=logging.getLogger(BOLT_LOGGER),
    )
    register_error_handler(app)
    # First: a payload naming no person or workspace must not reach anything that stores.
    app.middleware(refuse_ill_formed)
    deps = Deps(
        sessions=sessions, admins=settings.admins, clock=clock, drafter=drafter_for(settings)
    )
    app.middleware(deps_middleware(deps))
    if http is not None:
        app.middleware(pooled_respond_middleware(http))
    # No I/O in middleware: every request is acknowledged before any database or Slack call.
    app.middleware(claims_middleware())
    handlers.register_all(app)
    return app
