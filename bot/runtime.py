"""The serve lifecycle: migrate, start every part, and stop them in order on SIGTERM."""

from __future__ import annotations

import asyncio
import logging
import signal
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import create_app
from bot.checks import safe_database_url
from bot.config import Settings
from bot.inflight import InflightTracker
from bot.server import create_web_app
from scheduling.scheduler import create_scheduler
from storage import migrate
from storage.session import create_engine

logger = logging.getLogger("peercoach.runtime")


class StartupError(Exception):
    """Something the operator must fix before peercoach can start, said in one line."""


async def upgrade_database(engine: AsyncEngine, url: str) -> str | None:
    """Bring the schema to the latest revision and return it."""
    try:
        await migrate.upgrade(engine)
        return await migrate.current_revision(engine)
    except (DBAPIError, OSError) as exc:
        where = safe_database_url(url)
        raise StartupError(f"cannot use the database at {where}; check DATABASE_URL") from exc


# How long in-flight requests and listeners may take to finish once a stop is asked for.
SHUTDOWN_GRACE_SECONDS = 10.0


@dataclass
class Server:
    """A running peercoach: HTTP endpoint, optional Socket Mode connection, scheduler, database."""

    settings: Settings
    host: str = "0.0.0.0"
    port: int | None = None
    engine: AsyncEngine = field(init=False)
    bolt: AsyncApp = field(init=False)
    scheduler: AsyncIOScheduler = field(init=False)
    _runner: web.AppRunner | None = field(init=False, default=None)
    _socket: AsyncSocketModeHandler | None = field(init=False, default=None)
    bound_port: int = field(init=False, default=0)
    inflight: InflightTracker = field(init=False, default_factory=InflightTracker)

    async def start(self) -> None:
        self.inflight.install()
        self.engine = create_engine(self.settings.database_url)
        try:
            await upgrade_database(self.engine, self.settings.database_url)
        except StartupError:
            await self.engine.dispose()
            raise
        self.bolt = create_app(self.settings)
        self.scheduler = create_scheduler()
        self.scheduler.start()
        web_app = create_web_app(self.engine, None if self.settings.socket_mode else self.bolt)
        self._runner = web.AppRunner(
            web_app, handle_signals=False, shutdown_timeout=SHUTDOWN_GRACE_SECONDS
        )
        await self._runner.setup()
        port = self.settings.port if self.port is None else self.port
        site = web.TCPSite(self._runner, self.host, port)
        try:
            await site.start()
        except OSError as exc:
            await self.stop()
            raise StartupError(
                f"cannot listen on port {port} ({exc.strerror}); set PEERCOACH_PORT"
            ) from exc
        self.bound_port = _bound_port(self._runner) or port
        if self.settings.socket_mode:
            assert self.settings.slack_app_token is not None
            self._socket = _TrackedSocketModeHandler(
                self.bolt, self.settings.slack_app_token.get_secret_value()
            )
            await self._socket.connect_async()  # type: ignore[no-untyped-call]
        logger.info(
            "peercoach is up on port %s (%s)",
            self.bound_port,
            "Socket Mode" if self._socket else "HTTP events at /slack/events",
        )

    async def stop(self) -> None:
        if self._socket is not None:
            # Stop taking new envelopes first; acks already sent stay sent.
            await self._socket.close_async()  # type: ignore[no-untyped-call]
        if self._runner is not None:
            # Stops listening, then waits for in-flight requests up to the shutdown timeout.
            await self._runner.cleanup()
        await self.inflight.drain(SHUTDOWN_GRACE_SECONDS)
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        await self.engine.dispose()
        self.inflight.uninstall()
        logger.info("peercoach stopped")


def _bound_port(runner: web.AppRunner) -> int | None:
    for address in runner.addresses:
        if isinstance(address, tuple) and len(address) >= 2:
            return int(address[1])
    return None


class _TrackedSocketModeHandler(AsyncSocketModeHandler):
    async def handle(self, client: Any, req: Any) -> None:
        with InflightTracker.slack_request():
            await super().handle(client, req)


async def run_until_signalled(settings: Settings) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    server = Server(settings)
    await server.start()
    try:
        await stop.wait()
        logger.info("stop requested; finishing in-flight work")
    finally:
        await server.stop()
