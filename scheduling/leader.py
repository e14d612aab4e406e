"""Only one running copy does the ticks: on PostgreSQL, whoever holds an advisory lock.

The lock is held on a connection of its own, outside the request pool, for as long as the
process runs: when the process dies its connection closes, PostgreSQL releases the lock, and
another copy, which tries again at each of its ticks, takes over within a minute. On SQLite the
database belongs to one process, which is always the runner.
"""

from __future__ import annotations

import contextlib
import logging
from typing import Final, Protocol

from sqlalchemy import make_url, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from storage.session import DATABASE_TIMEOUT_SECONDS, create_engine

logger = logging.getLogger(__name__)

# pg_try_advisory_lock's key: one per database, shared by every copy of peercoach on it
# ("peercoach tick" in ASCII, cut to a bigint).
TICK_LOCK_KEY: Final = 0x7065657254696B


class Leader(Protocol):
    async def acquire(self) -> bool:
        """True when this process may run the tick now (taking the lock if it is free)."""
        ...

    async def release(self) -> None: ...


class AlwaysLeader:
    """SQLite: a single process owns the database."""

    async def acquire(self) -> bool:
        return True

    async def release(self) -> None:
        return None


class PostgresLeader:
    """Holds `pg_try_advisory_lock(key)` on one dedicated connection."""

    def __init__(self, url: str, key: int = TICK_LOCK_KEY) -> None:
        self._url = url
        self._key = key
        self._engine: AsyncEngine | None = None
        self._connection: AsyncConnection | None = None
        self.holding = False

    async def _connect(self) -> AsyncConnection:
        if self._connection is None:
            if self._engine is None:
                self._engine = create_engine(self._url, statement_timeout=DATABASE_TIMEOUT_SECONDS)
            connection = await self._engine.connect()
            # Autocommit: the connection idles between ticks and must not sit in a transaction.
            self._connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
        return self._connection

    async def _drop_connection(self) -> None:
        connection, self._connection = self._connection, None
        if self.holding:
            logger.warning("lost the tick lock's connection; another copy may run the ticks")
        self.holding = False
        if connection is not None:
            with contextlib.suppress(SQLAlchemyError, OSError):
                await connection.invalidate()

    async def acquire(self) -> bool:
        try:
            connection = await self._connect()
            if self.holding:
                # Still ours as long as the connection is alive.
                await connection.execute(text("SELECT 1"))
                return True
            got = bool(
                await connection.scalar(
                    text("SELECT pg_try_advisory_lock(:key)"), {"key": self._key}
                )
            )
        except (SQLAlchemyError, OSError, TimeoutError) as exc:
            logger.warning("tick lock check failed: %s", type(exc).__name__)
            await self._drop_connection()
            return False
        if got:
            logger.info("this process now runs the ticks")
        self.holding = got
        return got

    async def release(self) -> None:
        connection = self._connection
        try:
            if connection is not None and self.holding:
                await connection.scalar(text("SELECT pg_advisory_unlock(:key)"), {"key": self._key})
        except (SQLAlchemyError, OSError, TimeoutError) as exc:
            logger.warning("tick lock release failed: %s", type(exc).__name__)
        finally:
            self.holding = False
            self._connection = None
            if connection is not None:
                with contextlib.suppress(SQLAlchemyError, OSError):
                    await connection.close()
            if self._engine is not None:
                await self._engine.dispose()
                self._engine = None


def leader_for(url: str) -> Leader:
    if make_url(url).get_backend_name() == "postgresql":
        return PostgresLeader(url)
    return AlwaysLeader()
