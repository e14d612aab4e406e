"""`peercoach people import FILE [--team T] [--dry-run]`: the HR import from the command line."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from bot.people.hr_file import HrFileError
    from bot.process.config import Settings

EXIT_PROBLEMS = 1
EXIT_CONFIG = 2


@click.group(help="People data from HR: function, level, location and reporting lines.")
def people() -> None:
    pass


@people.command(
    "import",
    help=(
        "Import an HR export (CSV; columns in README.md). The whole file is checked and everyone "
        "is found in Slack by email first; then it is written in one transaction, or not at "
        "all. Nobody is enrolled by an import. --dry-run checks and reports what would change "
        "without writing anything."
    ),
)
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--team", help="Slack workspace id (T...); by default the bot token's workspace.")
@click.option("--dry-run", is_flag=True, help="Check and report; write nothing.")
def import_command(file: Path, team: str | None, dry_run: bool) -> None:
    from bot.cli import _settings
    from bot.process.config import _missing

    try:
        data = file.read_bytes()
    except OSError as exc:
        click.echo(f"peercoach: cannot read {file}: {exc.strerror or exc}", err=True)
        sys.exit(EXIT_CONFIG)
    # The file's own problems come first: they need neither Slack nor a database to find.
    from bot.people.hr_file import HrFileError, decode, parse_hr_file

    try:
        parse_hr_file(decode(data))
    except HrFileError as exc:
        sys.exit(_report_file_problems(file, exc))
    # Only the bot token is needed here: nothing receives events.
    settings = _settings(need_slack=False)
    if settings.slack_bot_token is None:
        click.echo(f"peercoach: configuration error: {_missing('SLACK_BOT_TOKEN')}", err=True)
        sys.exit(EXIT_CONFIG)
    sys.exit(asyncio.run(_import(settings, file, data, team, dry_run)))


def _report_file_problems(file: Path, exc: HrFileError) -> int:
    for problem in exc.problems:
        click.echo(f"{file}: {problem}", err=True)
    click.echo(
        f"peercoach: {len(exc.problems)} problem(s) in {file}; nothing was imported", err=True
    )
    return EXIT_PROBLEMS


async def _import(
    settings: Settings, file: Path, data: bytes, team: str | None, dry_run: bool
) -> int:
    from slack_sdk.errors import SlackApiError
    from sqlalchemy.exc import DBAPIError

    from bot.people.hr_file import HrFileError
    from bot.people.importer import import_people
    from bot.people.lookup import LookupUnavailable
    from bot.process.app import create_slack_client
    from bot.process.checks import safe_database_url
    from bot.process.deps import system_clock
    from bot.slack.failures import SLACK_NETWORK_ERRORS
    from storage.session import create_engine, create_sessionmaker

    client = create_slack_client(settings)
    try:
        auth = await client.auth_test()
    except (SlackApiError, *SLACK_NETWORK_ERRORS):
        click.echo("peercoach: Slack did not accept the bot token (auth.test); check it", err=True)
        return EXIT_CONFIG
    team_id = team or str(auth.get("team_id") or "")
    team_name = str(auth.get("team") or "") or None
    if team is not None and team != auth.get("team_id"):
        click.echo(
            f"peercoach: the bot token belongs to workspace {auth.get('team_id')}, not {team}",
            err=True,
        )
        return EXIT_CONFIG
    engine = create_engine(settings.database_url)
    try:
        report = await import_people(
            create_sessionmaker(engine),
            client,
            team_id=team_id,
            team_name=team_name,
            data=data,
            now=system_clock(),
            dry_run=dry_run,
        )
    except HrFileError as exc:
        return _report_file_problems(file, exc)
    except LookupUnavailable:
        click.echo("peercoach: Slack is not answering lookups; nothing was imported", err=True)
        return EXIT_PROBLEMS
    except (DBAPIError, OSError):
        where = safe_database_url(settings.database_url)
        click.echo(
            f"peercoach: cannot write to the database at {where}; check DATABASE_URL and run "
            "peercoach db upgrade",
            err=True,
        )
        return EXIT_PROBLEMS
    finally:
        await engine.dispose()
    for line in report.lines():
        click.echo(line)
    return 0
