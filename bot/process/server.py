"""The HTTP side: Slack's `/slack/events` and a `/healthz` liveness and readiness probe."""

from __future__ import annotations

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_sdk.signature import SignatureVerifier
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.process.inflight import InflightTracker
from bot.process.request_guard import MAX_BODY_BYTES, checked_bolt_request
from storage.session import database_is_reachable

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"

ENGINE_KEY = web.AppKey("engine", AsyncEngine)
BOLT_KEY = web.AppKey("bolt", AsyncApp)
VERIFIER_KEY = web.AppKey("verifier", SignatureVerifier)


async def slack_events(request: web.Request) -> web.Response:
    checked = await checked_bolt_request(request, request.app[VERIFIER_KEY])
    if isinstance(checked, web.Response):
        return checked
    with InflightTracker.slack_request():
        bolt_response = await request.app[BOLT_KEY].async_dispatch(checked)
    return await to_aiohttp_response(bolt_response)


async def healthz(request: web.Request) -> web.Response:
    if await database_is_reachable(request.app[ENGINE_KEY]):
        return web.json_response({"status": "ok", "database": "ok"})
    return web.json_response({"status": "unavailable", "database": "unreachable"}, status=503)


def create_web_app(
    engine: AsyncEngine, bolt: AsyncApp | None, signing_secret: str = ""
) -> web.Application:
    """`bolt` is None in Socket Mode, where Slack's traffic arrives over the websocket instead."""
    app = web.Application(client_max_size=MAX_BODY_BYTES)
    app[ENGINE_KEY] = engine
    app.router.add_get(HEALTH_PATH, healthz)
    if bolt is not None:
        if not signing_secret:
            raise ValueError("HTTP mode needs the signing secret to check requests")
        app[BOLT_KEY] = bolt
        app[VERIFIER_KEY] = SignatureVerifier(signing_secret)
        app.router.add_post(EVENTS_PATH, slack_events)
    return app
