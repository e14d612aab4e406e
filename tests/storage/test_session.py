"""Engines, sessions and the reachability probe."""

from __future__ import annotations

import sqlite3
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import make_url, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.process.clock import SimulatedClock
from storage.models import Workspace
from storage.session import (
    DATABASE_TIMEOUT_SECONDS,
    DATABASE_UNAVAILABLE_ERRORS,
    create_engine,
    create_sessionmaker,
    database_is_reachable,
)
from tests.fixtures.database import aiosqlite_threads_finished


async def test_reachable(empty_engine: AsyncEngine) -> None:
    assert await database_is_reachable(empty_engine) is True


@pytest.mark.parametrize(
    "url",
    [
        "sqlite+aiosqlite:////nonexistent-directory/peercoach.db",
        # Port 1 on loopback: nothing listens, so the connection is refused at once.
        "postgresql+asyncpg://postgres@127.0.0.1:1/peercoach",
        # A non-routable address: the connection hangs until the probe's timeout.
        "postgresql+asyncpg://postgres@10.255.255.1:5432/peercoach",
    ],
    ids=["sqlite", "postgresql-refused", "postgresql-hangs"],
)
async def test_unreachable_is_false_not_an_error(url: str) -> None:
    engine = create_engine(url)
    try:
        started = time.monotonic()
        assert await database_is_reachable(engine, timeout=0.5) is False
        assert time.monotonic() - started < 5
    finally:
        await engine.dispose()
        await aiosqlite_threads_finished()


async def test_sqlite_enforces_foreign_keys(tmp_path: Path) -> None:
    # SQLite only: PostgreSQL always enforces them (the cascade tests cover both databases).
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path}/peercoach.db")
    try:
        async with engine.connect() as connection:
            assert (await connection.execute(text("PRAGMA foreign_keys"))).scalar_one() == 1
    finally:
        await engine.dispose()


async def test_sessions_keep_state_after_commit(empty_engine: AsyncEngine) -> None:
    sessions = create_sessionmaker(empty_engine)
    assert sessions.kw["expire_on_commit"] is False
    async with sessions() as session:
        assert (await session.execute(text("SELECT 1"))).scalar_one() == 1


@pytest.mark.parametrize("lock", ["IMMEDIATE", "EXCLUSIVE"])
async def test_a_sqlite_write_lock_held_elsewhere_is_not_healthy(tmp_path: Path, lock: str) -> None:
    path = tmp_path / "peercoach.db"
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    holder = sqlite3.connect(path, isolation_level=None)
    try:
        assert await database_is_reachable(engine) is True
        holder.execute(f"BEGIN {lock}")
        # SELECT 1 alone would still succeed under a RESERVED lock: the probe asks for a write.
        assert await database_is_reachable(engine, timeout=1.0) is False
        holder.execute("ROLLBACK")
        assert await database_is_reachable(engine) is True
    finally:
        holder.close()
        await engine.dispose()
        await aiosqlite_threads_finished()


async def test_a_statement_that_does_not_answer_fails_within_the_budget(
    database_url: str, tmp_path: Path
) -> None:
    engine = create_engine(database_url, statement_timeout=0.5)
    holder: sqlite3.Connection | None = None
    try:
        if engine.dialect.name == "sqlite":
            # Another process holds the write lock: a write waits, up to the busy timeout (in
            # write-ahead-log mode a read would not wait at all).
            path = make_url(database_url).database
            assert path
            async with engine.connect() as connection:
                await connection.execute(text("CREATE TABLE t (x INTEGER)"))
                await connection.commit()
            holder = sqlite3.connect(path, isolation_level=None)
            holder.execute("BEGIN EXCLUSIVE")
            statement = "INSERT INTO t (x) VALUES (1)"
        else:
            statement = "SELECT pg_sleep(30)"
        started = time.monotonic()
        with pytest.raises(DATABASE_UNAVAILABLE_ERRORS):
            async with engine.connect() as connection:
                await connection.execute(text(statement))
        assert time.monotonic() - started < DATABASE_TIMEOUT_SECONDS + 2
    finally:
        if holder is not None:
            holder.execute("ROLLBACK")
            holder.close()
        await engine.dispose()
        await aiosqlite_threads_finished()


async def test_column_defaults_read_the_injected_clock(migrated_engine: AsyncEngine) -> None:
    """created_at and updated_at come from the process's clock, so simulated weeks stay
    consistent with what the database records."""
    clock = SimulatedClock(datetime(2031, 5, 6, 7, 8, tzinfo=UTC))
    sessions = create_sessionmaker(migrated_engine, clock=clock)
    async with sessions() as session:
        session.add(Workspace(team_id="TCLOCK", name="Clockwork"))
        await session.commit()
        workspace = await session.scalar(select(Workspace).where(Workspace.team_id == "TCLOCK"))
        assert workspace is not None
        assert workspace.created_at == clock()
        clock.advance(timedelta(days=3))
        workspace.name = "Clockwork Ltd"
        await session.commit()
        assert workspace.updated_at == clock()
        assert workspace.created_at == clock() - timedelta(days=3)
