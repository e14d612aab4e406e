"""On PostgreSQL exactly one copy holds the tick lock; another takes over when it dies."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text

from scheduling.leader import AlwaysLeader, PostgresLeader, leader_for
from storage.session import create_engine


async def _acquires_within(leader: PostgresLeader, *, seconds: float) -> bool:
    deadline = asyncio.get_running_loop().time() + seconds
    while not await leader.acquire():
        if asyncio.get_running_loop().time() > deadline:
            return False
        await asyncio.sleep(0.05)
    return True


@pytest.mark.parametrize("database_kind", ["postgresql"], indirect=True)
async def test_one_holder_and_a_takeover_after_its_connection_closes(database_url: str) -> None:
    first, second = PostgresLeader(database_url), PostgresLeader(database_url)
    try:
        assert await first.acquire()
        assert not await second.acquire()
        assert await first.acquire()  # still the holder on the next tick
        assert not await second.acquire()

        # The holder dies: its connection is cut from the server side.
        admin = create_engine(database_url)
        try:
            async with admin.connect() as connection:
                killed = await connection.scalar(
                    text(
                        "SELECT count(pg_terminate_backend(pid)) FROM pg_locks "
                        "WHERE locktype = 'advisory' AND granted AND database = "
                        "(SELECT oid FROM pg_database WHERE datname = current_database())"
                    )
                )
                await connection.commit()
        finally:
            await admin.dispose()
        assert killed == 1
        # pg_terminate_backend only signals: the backend, and its lock, go a moment later.
        # The other copy's next ticks take over once it has gone.
        assert await _acquires_within(second, seconds=5.0)
        assert not await first.acquire()  # the old holder notices it lost the lock
        assert not await first.acquire()
    finally:
        await first.release()
        await second.release()


@pytest.mark.parametrize("database_kind", ["postgresql"], indirect=True)
async def test_a_released_lock_is_free_for_the_next_copy(database_url: str) -> None:
    first, second = PostgresLeader(database_url), PostgresLeader(database_url)
    try:
        assert await first.acquire()
        await first.release()
        assert await second.acquire()
    finally:
        await second.release()


def test_sqlite_is_always_the_runner() -> None:
    assert isinstance(leader_for("sqlite+aiosqlite:///x.db"), AlwaysLeader)
    assert isinstance(leader_for("postgresql+asyncpg://u@h/db"), PostgresLeader)
