"""Engines and sessions for SQLite (aiosqlite) and PostgreSQL (asyncpg)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from sqlalchemy import event, make_url, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

logger = logging.getLogger(__name__)

# How long a SQLite writer waits for another connection's lock before giving up, in seconds.
SQLITE_BUSY_TIMEOUT = 15.0


def create_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    """An async engine with the per-backend settings the app relies on."""
    # hide_parameters: parameters hold goals and names; logs and errors get the statement only.
    backend = make_url(url).get_backend_name()
    if backend == "sqlite":
        engine = create_async_engine(
            url,
            echo=echo,
            hide_parameters=True,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT},
        )
        event.listen(engine.sync_engine, "connect", _sqlite_on_connect)
        return engine
    # pool_pre_ping: a server restart or idle-connection reaper should cost one retry, not an error.
    return create_async_engine(url, echo=echo, pool_pre_ping=True, hide_parameters=True)


def _sqlite_on_connect(dbapi_connection: Any, _connection_record: Any) -> None:
    # SQLite ignores foreign keys (and so ON DELETE CASCADE) unless asked, per connection.
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys=ON")
    finally:
        cursor.close()


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    # expire_on_commit=False: under asyncio, touching an expired attribute after commit would
    # need an implicit query, which cannot happen there.
    return async_sessionmaker(engine, expire_on_commit=False)


# A bounded probe for health checks: the caller wants an answer, not a cancellable wait.
async def database_is_reachable(engine: AsyncEngine, *, timeout: float = 2.0) -> bool:  # noqa: ASYNC109
    """Whether ``SELECT 1`` succeeds within ``timeout`` seconds. Never raises."""
    try:
        async with asyncio.timeout(timeout):
            async with engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
    except TimeoutError:
        logger.debug("database did not answer within %.1f s", timeout)
        return False
    except (SQLAlchemyError, OSError) as exc:
        logger.debug("database is not reachable: %s", exc)
        return False
    return True
