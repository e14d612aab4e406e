"""The serve lifecycle: migrate, start every part, and stop them in order on SIGTERM."""

from __future__ import annotations

import asyncio
import logging
import signal
import uuid
from typing import Any

import aiohttp
from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.outbox.dispatcher import Dispatcher
from bot.outbox.pacing import Limits
from bot.process.app import SLACK_TIMEOUT_SECONDS, create_app
from bot.process.checks import (
    SlackTokenRejected,
    SlackUnreachable,
    authenticate,
    open_socket_mode_connection,
    safe_database_url,
)
from bot.process.config import Settings
from bot.process.deps import Clock, system_clock
from bot.process.errors import StartupError
from bot.process.inflight import InflightTracker
from bot.process.server import create_web_app
from bot.questions.drafts import drafter_for
from scheduling.context import JobContext, register_context, unregister_context
from scheduling.dispatch import create_dispatcher, start_dispatching, stop_dispatching
from scheduling.leader import leader_for
from scheduling.prune import schedule_prune
from scheduling.scheduler import create_scheduler
from scheduling.tick import (
    TICK_SECONDS,
    Ticker,
    register_ticker,
    schedule_tick,
    stop_ticker,
)
from storage import migrate
from storage.session import DATABASE_TIMEOUT_SECONDS, create_engine, create_sessionmaker

logger = logging.getLogger("peercoach.runtime")


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


class Server:
    """A running peercoach: HTTP endpoint, optional Socket Mode connection, scheduler, database."""

    def __init__(
        self,
        settings: Settings,
        *,
        host: str = "0.0.0.0",
        port: int | None = None,
        clock: Clock = system_clock,
        outbox_limits: Limits | None = None,
        run_dispatcher: bool = True,
        tick_seconds: float = TICK_SECONDS,
    ):
        """`run_dispatcher=False` leaves outbox delivery to explicit `dispatch_once` calls."""
        self.settings = settings
        self.clock = clock
        self.tick_seconds = tick_seconds
        self.host = host
        self.port = settings.port if port is None else port
        self.bound_port = 0
        self.inflight = InflightTracker()
        # Scheduled jobs find this server's database and clock by this id (see scheduling.context).
        self.job_context_id = f"server-{uuid.uuid4().hex}"
        self._engine: AsyncEngine | None = None
        self._bolt: AsyncApp | None = None
        self._http: aiohttp.ClientSession | None = None
        self._scheduler: AsyncIOScheduler | None = None
        self._runner: web.AppRunner | None = None
        self._socket: AsyncSocketModeHandler | None = None
        self._outbox_limits = outbox_limits
        self._run_dispatcher = run_dispatcher
        self._dispatcher: Dispatcher | None = None

    @property
    def engine(self) -> AsyncEngine:
        assert self._engine is not None, "the server has not started"
        return self._engine

    @property
    def bolt(self) -> AsyncApp:
        assert self._bolt is not None, "the server has not started"
        return self._bolt

    @property
    def scheduler(self) -> AsyncIOScheduler:
        assert self._scheduler is not None, "the server has not started"
        return self._scheduler

    @property
    def dispatcher(self) -> Dispatcher:
        assert self._dispatcher is not None, "the server has not started"
        return self._dispatcher

    async def start(self) -> None:
        self.inflight.install()
        try:
            await self._start()
        except BaseException:
            # Whatever did start is stopped again, so a failed start leaves nothing behind.
            await self.stop()
            raise

    async def _start(self) -> None:
        url = self.settings.database_url
        # Migrations get an engine of their own: their statements may take longer than the
        # budget that bounds every statement of the request path.
        migration_engine = create_engine(url)
        try:
            await upgrade_database(migration_engine, url)
        finally:
            await migration_engine.dispose()
        self._engine = create_engine(url, statement_timeout=DATABASE_TIMEOUT_SECONDS)
        sessions = create_sessionmaker(self._engine, clock=self.clock)
        # One connection pool for every call to Slack and every reply to a response_url. The
        # time limit is the session's: slack_sdk applies its own only to sessions it opens.
        self._http = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=SLACK_TIMEOUT_SECONDS)
        )
        self._bolt = create_app(self.settings, sessions, clock=self.clock, http=self._http)
        await self._authenticate()
        self._scheduler = create_scheduler()
        register_context(
            self.job_context_id,
            JobContext(
                sessions=sessions,
                clock=self.clock,
                slack=self._bolt.client,
                drafter=drafter_for(self.settings),
                admins=self.settings.admins,
            ),
        )
        schedule_prune(self._scheduler, self.job_context_id)
        register_ticker(Ticker(self.job_context_id, leader_for(url)))
        schedule_tick(self._scheduler, self.job_context_id, seconds=self.tick_seconds)
        self._scheduler.start()
        self._dispatcher = create_dispatcher(
            self.settings, sessions, clock=self.clock, http=self._http, limits=self._outbox_limits
        )
        if self._run_dispatcher:
            start_dispatching(self._dispatcher)
        secret = self.settings.slack_signing_secret
        web_app = create_web_app(
            self._engine,
            None if self.settings.socket_mode else self._bolt,
            secret.get_secret_value() if secret else "",
        )
        self._runner = web.AppRunner(
            web_app, handle_signals=False, shutdown_timeout=SHUTDOWN_GRACE_SECONDS
        )
        await self._runner.setup()
        try:
            await web.TCPSite(self._runner, self.host, self.port).start()
        except OSError as exc:
            raise StartupError(
                f"cannot listen on port {self.port} ({exc.strerror}); set PEERCOACH_PORT"
            ) from exc
        self.bound_port = _bound_port(self._runner) or self.port
        if self.settings.slack_app_token is not None:
            await self._connect_socket_mode(self.settings.slack_app_token.get_secret_value())
        logger.info(
            "peercoach is up on port %s (%s)",
            self.bound_port,
            "Socket Mode" if self._socket else "HTTP events at /slack/events",
        )

    async def _authenticate(self) -> None:
        try:
            identity = await authenticate(self.bolt.client, self.settings.slack_api_url)
        except SlackTokenRejected as exc:
            raise StartupError(str(exc)) from exc
        except SlackUnreachable as exc:
            # Slack may be back in a minute and every request retries, so keep serving.
            logger.warning("%s; starting anyway", exc)
            return
        logger.info(
            "connected to Slack workspace %s as @%s", identity.get("team"), identity.get("user")
        )

    async def _connect_socket_mode(self, app_token: str) -> None:
        # slack_sdk's client retries a failed connect forever, a rejected token included, so
        # ask for a connection URL once first: a bad token or no Slack fails start-up clearly.
        try:
            await open_socket_mode_connection(
                self.bolt.client, app_token, self.settings.slack_api_url
            )
        except (SlackTokenRejected, SlackUnreachable) as exc:
            raise StartupError(f"Socket Mode could not connect: {exc}") from exc
        self._socket = _TrackedSocketModeHandler(self.bolt, app_token)
        await self._socket.connect_async()  # type: ignore[no-untyped-call]

    async def stop(self) -> None:
        """Stop in the reverse order of start; safe after a partial start."""
        if self._socket is not None:
            # Stop taking new envelopes first; acks already sent stay sent.
            await self._socket.close_async()  # type: ignore[no-untyped-call]
        if self._runner is not None:
            # Stops listening, then waits for in-flight requests up to the shutdown timeout.
            await self._runner.cleanup()
        await self.inflight.drain(SHUTDOWN_GRACE_SECONDS)
        # A tick in progress finishes, then the tick lock is released for another copy.
        await stop_ticker(self.job_context_id)
        if self._dispatcher is not None:
            # A send in progress finishes (within the grace) before the connection pool closes.
            await stop_dispatching(self._dispatcher)
        if self._scheduler is not None and self._scheduler.running:
            self._scheduler.shutdown(wait=False)
            # AsyncIOScheduler.shutdown only queues itself on the loop: let it run.
            await asyncio.sleep(0)
        unregister_context(self.job_context_id)
        if self._http is not None:
            await self._http.close()
        if self._engine is not None:
            await self._engine.dispose()
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
