"""Alembic environment for peercoach.

Programmatic callers (storage.migrate) pass an open connection in
``config.attributes["connection"]``; the ``alembic`` command line gets an engine built from
DATABASE_URL, or ``sqlalchemy.url`` in alembic.ini when that is unset.
"""

from __future__ import annotations

import asyncio
import os
from logging.config import fileConfig
from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy.engine import Connection

import storage.models  # noqa: F401  (registers the tables on Base.metadata)
from storage.base import Base
from storage.session import create_engine
from storage.types import UTCDateTime

config = context.config
target_metadata = Base.metadata

# Only the command line configures logging; the app has its own set-up when it migrates.
if config.config_file_name is not None and config.attributes.get("connection") is None:
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL") or config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("set DATABASE_URL or sqlalchemy.url in alembic.ini")
    return url


def _render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    # Migrations describe plain SQLAlchemy types so they never depend on app code that may change.
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _configure(**kwargs: Any) -> None:
    context.configure(
        target_metadata=target_metadata,
        compare_type=True,
        render_item=_render_item,
        **kwargs,
    )


def run_migrations_offline() -> None:
    url = _database_url()
    _configure(
        url=url,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        render_as_batch=url.startswith("sqlite"),
    )
    with context.begin_transaction():
        context.run_migrations()


def _run_on(connection: Connection) -> None:
    # SQLite can alter few things in place; batch mode recreates the table instead.
    sqlite = connection.dialect.name == "sqlite"
    _configure(connection=connection, render_as_batch=sqlite)
    if not sqlite:
        with context.begin_transaction():
            context.run_migrations()
        return
    # Recreating a table drops the old one, and with foreign keys on that deletes every row
    # referencing it (ON DELETE CASCADE): memberships with `people`, members and meetings
    # with `match_groups`. Keys are off while migrating (SQLite ignores the pragma inside a
    # transaction, so it comes before the first write) and checked before the commit; whoever
    # owns the connection turns them back on after it (storage.migrate; the command line's
    # engine is disposed).
    connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
    with context.begin_transaction():
        context.run_migrations()
        broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise RuntimeError(f"migration left {len(broken)} rows with broken foreign keys")


async def _run_with_own_engine() -> None:
    engine = create_engine(_database_url())
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_run_on)
    finally:
        await engine.dispose()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run_on(connection)
    else:
        asyncio.run(_run_with_own_engine())


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
