"""UTC timestamps: aware in, aware UTC out, naive refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.dialects.postgresql.asyncpg import PGDialect_asyncpg
from sqlalchemy.dialects.sqlite.aiosqlite import SQLiteDialect_aiosqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import StatementError
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Workspace
from storage.types import UTCDateTime, utcnow

INDIA = timezone(timedelta(hours=5, minutes=30))


def test_utcnow_is_aware_utc() -> None:
    now = utcnow()
    assert now.tzinfo is UTC


@pytest.mark.parametrize(
    "dialect_class", [SQLiteDialect_aiosqlite, PGDialect_asyncpg], ids=["sqlite", "postgresql"]
)
def test_bind_refuses_naive(dialect_class: type[Dialect]) -> None:
    with pytest.raises(ValueError, match="naive"):
        UTCDateTime().process_bind_param(datetime(2024, 1, 1, 12), dialect_class())


async def test_aware_datetimes_round_trip_as_utc(session: AsyncSession) -> None:
    written = datetime(2024, 3, 31, 9, 15, 30, 123456, tzinfo=INDIA)
    session.add(Workspace(team_id="T1", name="Acme", created_at=written, updated_at=written))
    await session.commit()
    session.expunge_all()

    read = (await session.execute(select(Workspace.created_at))).scalar_one()
    assert read == written
    assert read.tzinfo is UTC
    assert read == datetime(2024, 3, 31, 3, 45, 30, 123456, tzinfo=UTC)


async def test_comparisons_use_utc(session: AsyncSession) -> None:
    stored = datetime(2024, 6, 1, 12, tzinfo=UTC)
    session.add(Workspace(team_id="T1", name="Acme", created_at=stored, updated_at=stored))
    await session.flush()

    # 13:30 in India is 08:00 UTC, so the stored 12:00 UTC is later.
    later_than = datetime(2024, 6, 1, 13, 30, tzinfo=INDIA)
    found = await session.scalars(select(Workspace).where(Workspace.created_at > later_than))
    assert [w.team_id for w in found] == ["T1"]


async def test_naive_datetime_refused(session: AsyncSession) -> None:
    naive = datetime(2024, 1, 1, 12)
    session.add(Workspace(team_id="T1", name="Acme", created_at=naive, updated_at=naive))
    with pytest.raises(StatementError) as raised:
        await session.flush()
    assert isinstance(raised.value.orig, ValueError)
    await session.rollback()
    assert (await session.scalars(select(Workspace))).all() == []
