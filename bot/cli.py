"""The `peercoach` command line: serve, db upgrade, check."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from functools import wraps
from typing import Any

import click

from bot.config import ConfigError, Settings, load_settings
from bot.logs import configure_logging

EXIT_CONFIG = 2


def _settings(*, need_slack: bool) -> Settings:
    """Load settings once; a bad value is one line on stderr and exit code 2."""
    try:
        settings = load_settings()
        if need_slack:
            settings.require_slack()
    except ConfigError as exc:
        click.echo(f"peercoach: configuration error: {exc}", err=True)
        sys.exit(EXIT_CONFIG)
    configure_logging(settings.log_level, settings.log_format)
    return settings


def _friendly(func: Callable[..., Any]) -> Callable[..., Any]:
    """A failure the user can act on is one line, not a traceback."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from bot.runtime import StartupError

        try:
            return func(*args, **kwargs)
        except StartupError as exc:
            click.echo(f"peercoach: {exc}", err=True)
            sys.exit(1)

    return wrapper


@click.group(help="Peer-coaching programmes inside your own Slack workspace.")
@click.version_option(package_name="peercoach")
def cli() -> None:
    pass


@cli.command(help="Run the app: Slack events over HTTP, or over Socket Mode with SLACK_APP_TOKEN.")
@_friendly
def serve() -> None:
    from bot.runtime import run_until_signalled

    settings = _settings(need_slack=True)
    asyncio.run(run_until_signalled(settings))


@cli.group(help="Database schema commands.")
def db() -> None:
    pass


@db.command(help="Upgrade the database schema to the latest version.")
@_friendly
def upgrade() -> None:
    from bot.checks import safe_database_url
    from bot.runtime import upgrade_database
    from storage.session import create_engine

    settings = _settings(need_slack=False)

    async def _upgrade() -> str | None:
        engine = create_engine(settings.database_url)
        try:
            return await upgrade_database(engine, settings.database_url)
        finally:
            await engine.dispose()

    revision = asyncio.run(_upgrade())
    click.echo(f"database at {safe_database_url(settings.database_url)} is at revision {revision}")


@cli.command(help="Check the configuration, the database and the Slack token.")
def check() -> None:
    from bot.checks import run_checks

    settings = _settings(need_slack=True)
    results = asyncio.run(run_checks(settings))
    for result in results:
        mark = "ok  " if result.ok else "FAIL"
        click.echo(f"{mark} {result.name}: {result.detail}")
    sys.exit(0 if all(r.ok for r in results) else 1)


def main() -> None:
    cli()
