"""The HTTP side: Slack's `/slack/events` and a `/healthz` liveness and readiness probe."""

from __future__ import annotations

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.process.inflight import InflightTracker
from storage.session import database_is_reachable

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"

ENGINE_KEY = web.AppKey("engine", AsyncEngine)
BOLT_KEY = web.AppKey("bolt", AsyncApp)


async def slack_events(request: web.Request) -> web.Response:
    bolt = request.app[BOLT_KEY]
    with InflightTracker.slack_request():
        bolt_response = await bolt.async_dispatch(await to_bolt_request(request))
    return await to_aiohttp_response(bolt_response)


async def healthz(request: web.Request) -> web.Response:
    if await database_is_reachable(request.app[ENGINE_KEY]):
        return web.json_response({"status": "ok", "database": "ok"})
    return web.json_response({"status": "unavailable", "database": "unreachable"}, status=503)


def create_web_app(engine: AsyncEngine, bolt: AsyncApp | None) -> web.Application:
    """`bolt` is None in Socket Mode, where Slack's traffic arrives over the websocket instead."""
    app = web.Application()
    app[ENGINE_KEY] = engine
    app.router.add_get(HEALTH_PATH, healthz)
    if bolt is not None:
        app[BOLT_KEY] = bolt
        app.router.add_post(EVENTS_PATH, slack_events)
    return app
