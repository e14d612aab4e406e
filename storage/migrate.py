"""Alembic, driven from code over the app's async engine.

Every function shares one connection with Alembic (its "connection sharing" recipe), so they
can be awaited from inside a running event loop: migrations/env.py sees the connection in
``config.attributes`` and never starts a loop of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.base import Base

SCRIPT_LOCATION = "storage:migrations"


def alembic_config() -> Config:
    """An Alembic config for the packaged migrations; no alembic.ini needed."""
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    return config


async def _run_command(engine: AsyncEngine, run: Callable[[Config], None]) -> None:
    config = alembic_config()

    def with_connection(connection: Connection) -> None:
        config.attributes["connection"] = connection
        run(config)

    async with engine.connect() as connection:
        try:
            async with connection.begin():
                await connection.run_sync(with_connection)
        finally:
            if engine.dialect.name == "sqlite":
                # migrations/env.py turns SQLite's foreign keys off while migrating; the pragma
                # only takes effect outside a transaction, so it comes back on after the commit,
                # before the connection returns to the pool.
                await connection.exec_driver_sql("PRAGMA foreign_keys=ON")


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    await _run_command(engine, lambda config: command.upgrade(config, revision))


async def downgrade(engine: AsyncEngine, revision: str = "base") -> None:
    await _run_command(engine, lambda config: command.downgrade(config, revision))


async def current_revision(engine: AsyncEngine) -> str | None:
    """The revision the database is at, or None before the first migration."""

    def read(connection: Connection) -> str | None:
        return MigrationContext.configure(connection).get_current_revision()

    async with engine.connect() as connection:
        return await connection.run_sync(read)


async def schema_differences(engine: AsyncEngine) -> list[Any]:
    """What autogenerate would change to make the database match the models; [] when in step."""

    def compare(connection: Connection) -> list[Any]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))

    async with engine.connect() as connection:
        return await connection.run_sync(compare)
