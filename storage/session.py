"""Engines and sessions for SQLite (aiosqlite) and PostgreSQL (asyncpg), with bounded waits."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import event, make_url, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from storage.types import CLOCK_OPTION

logger = logging.getLogger(__name__)

# Work after the ack gets this long from the database before the person is asked to try again.
DATABASE_TIMEOUT_SECONDS = 5.0

# How long work after the ack may wait its turn for one of this process's own connections.
# That is a queue, not a database that stopped answering (connecting and statements are
# bounded by the budget above): in a burst, people wait a little longer rather than being told
# to try again. Slack's response_url stays valid for 30 minutes.
POOL_QUEUE_SECONDS = 30.0

# How long a SQLite writer waits for another connection's lock before giving up, in seconds:
# inside the budget above, so a lock held elsewhere ends in "try again", not a stalled handler.
SQLITE_BUSY_TIMEOUT = 4.0

# The health probe must answer well before a load balancer's own timeout.
HEALTH_PROBE_SECONDS = 2.0

# Failures that mean "the database did not answer in time or at all", never a bug of ours.
DATABASE_UNAVAILABLE_ERRORS: tuple[type[Exception], ...] = (
    SQLAlchemyError,
    TimeoutError,
    OSError,
)


def create_engine(
    url: str, *, echo: bool = False, statement_timeout: float | None = None
) -> AsyncEngine:
    """An async engine with the per-backend settings the app relies on.

    `statement_timeout` bounds every PostgreSQL statement on the client side (a server that
    stops answering mid-session, a pre-ping included); the request path sets it, migrations and
    the CLI, whose statements may rightly take longer, do not. Connecting and waiting for a
    pooled connection are always bounded.
    """
    # hide_parameters: parameters hold goals and names; logs and errors get the statement only.
    backend = make_url(url).get_backend_name()
    if backend == "sqlite":
        engine = create_async_engine(
            url,
            echo=echo,
            hide_parameters=True,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT},
            # One connection: SQLite writes one at a time anyway, and waiting in the pool's
            # first-come queue is fair and cheap, where many connections polling for the
            # write lock starve each other and hold every pooled connection while they wait.
            pool_size=1,
            max_overflow=0,
            pool_timeout=POOL_QUEUE_SECONDS,
        )
        event.listen(engine.sync_engine, "connect", _sqlite_on_connect)
        return engine
    connect_args: dict[str, Any] = {"timeout": DATABASE_TIMEOUT_SECONDS}
    if statement_timeout is not None:
        connect_args["command_timeout"] = statement_timeout
    return create_async_engine(
        url,
        echo=echo,
        # pool_pre_ping: a server restart or idle-connection reaper costs one retry, not an error.
        pool_pre_ping=True,
        hide_parameters=True,
        pool_timeout=POOL_QUEUE_SECONDS,
        connect_args=connect_args,
    )


def _sqlite_on_connect(dbapi_connection: Any, _connection_record: Any) -> None:
    # SQLite ignores foreign keys (and so ON DELETE CASCADE) unless asked, per connection.
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys=ON")
        # Write-ahead logging: readers never wait for a writer and a writer never waits for
        # readers, so a burst of saves cannot stall every `find` and `status` behind it.
        # NORMAL is durable against a crash of the app in WAL mode, and skips most fsyncs.
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()


def create_sessionmaker(
    engine: AsyncEngine, *, clock: Callable[[], datetime] | None = None
) -> async_sessionmaker[AsyncSession]:
    """Sessions on `engine`; with `clock`, column defaults such as `created_at` read it."""
    bound = engine if clock is None else engine.execution_options(**{CLOCK_OPTION: clock})
    # expire_on_commit=False: under asyncio, touching an expired attribute after commit would
    # need an implicit query, which cannot happen there.
    return async_sessionmaker(bound, expire_on_commit=False)


# A bounded probe for health checks: the caller wants an answer, not a cancellable wait.
async def database_is_reachable(
    engine: AsyncEngine,
    *,
    timeout: float = HEALTH_PROBE_SECONDS,  # noqa: ASYNC109
) -> bool:
    """Whether the database answers and would take a write within ``timeout`` s. Never raises.

    On SQLite ``SELECT 1`` succeeds while another process holds the write lock, so the probe
    takes the write lock itself (``BEGIN IMMEDIATE``) and rolls back at once.
    """
    try:
        async with asyncio.timeout(timeout):
            async with engine.connect() as connection:
                if engine.dialect.name == "sqlite":
                    await _probe_sqlite_write_lock(connection, timeout)
                else:
                    await connection.execute(text("SELECT 1"))
    except TimeoutError:
        logger.debug("database did not answer within %.1f s", timeout)
        return False
    except (SQLAlchemyError, OSError) as exc:
        logger.debug("database is not reachable: %s", type(exc).__name__)
        return False
    return True


async def _probe_sqlite_write_lock(connection: Any, timeout: float) -> None:  # noqa: ASYNC109
    # Wait less than the probe's own timeout, so a held lock gives "locked", not a cancellation
    # that would leave the pooled connection busy in its thread.
    wait_ms = max(1, int(timeout * 500))
    await connection.exec_driver_sql(f"PRAGMA busy_timeout = {wait_ms}")
    try:
        await connection.exec_driver_sql("BEGIN IMMEDIATE")
        await connection.rollback()
    finally:
        await connection.exec_driver_sql(f"PRAGMA busy_timeout = {int(SQLITE_BUSY_TIMEOUT * 1000)}")
