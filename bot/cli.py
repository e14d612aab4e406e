"""The `peercoach` command line: serve, db upgrade, check, match --dry-run, people import,
demo."""

from __future__ import annotations

import asyncio
import json
import secrets
import shlex
import sys
from collections.abc import Callable
from datetime import date, datetime
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from bot.process.config import Settings, diagnose_settings
from bot.process.logs import configure_logging

if TYPE_CHECKING:
    from bot.matching.model import MatchInput, MatchSettings, Mode

EXIT_CONFIG = 2


def _settings(*, need_slack: bool) -> Settings:
    """Load settings once; every bad or missing value goes in one line on stderr, exit code 2."""
    diagnosis = diagnose_settings(need_slack=need_slack)
    if diagnosis.problems:
        click.echo(f"peercoach: configuration error: {'; '.join(diagnosis.problems)}", err=True)
        sys.exit(EXIT_CONFIG)
    configure_logging(diagnosis.settings.log_level, diagnosis.settings.log_format)
    return diagnosis.settings


def _friendly(func: Callable[..., Any]) -> Callable[..., Any]:
    """A failure the user can act on is one line, not a traceback."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from bot.process.errors import StartupError

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
    settings = _settings(need_slack=True)
    # Imported once the settings are good: a bad one is reported without loading the app.
    from bot.process.runtime import run_until_signalled

    asyncio.run(run_until_signalled(settings))


@cli.group(help="Database schema commands.")
def db() -> None:
    pass


@db.command(help="Upgrade the database schema to the latest version.")
@_friendly
def upgrade() -> None:
    from bot.process.checks import safe_database_url
    from bot.process.runtime import upgrade_database
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


@cli.command(
    help=(
        "Check every setting, that the database answers, that Slack accepts the bot token "
        "(auth.test) and, in Socket Mode, the app token (apps.connections.open). One line per "
        "check; exit code 2 for a configuration problem, 1 for another failure."
    )
)
def check() -> None:
    from bot.process.checks import Outcome, configuration_results, run_checks

    diagnosis = diagnose_settings(need_slack=True)
    configure_logging(diagnosis.settings.log_level, diagnosis.settings.log_format)
    results = configuration_results(diagnosis)
    for result in results:
        click.echo(result.line())
    # Each probe line is printed as it finishes, so a slow one does not hide the others.
    probes = asyncio.run(run_checks(diagnosis, on_result=lambda r: click.echo(r.line())))
    if diagnosis.problems:
        sys.exit(EXIT_CONFIG)
    sys.exit(0 if all(r.outcome is not Outcome.FAIL for r in probes) else 1)


# The values of bot.matching.model.Mode, spelled out so that `peercoach --help` and `serve` do
# not import the matching engine (and its numeric libraries); a test keeps the two in step.
MATCH_MODES: tuple[str, ...] = ("pairs", "circles", "mentorship", "reverse")
# Seeds chosen for the user stay short enough to retype.
RANDOM_SEED_BELOW = 1_000_000


@cli.command(
    help=(
        "Preview a matching round: who would meet whom, and why. Nothing is saved and nothing "
        "is sent to Slack. With --roster FILE it reads a CSV and needs no configuration; "
        "without it, it reads the enrolled people of workspace --team from DATABASE_URL."
    )
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="Required: this command only previews (real rounds are started from Slack).",
)
@click.option(
    "--roster",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A roster CSV (columns in docs/match-dry-run.md).",
)
@click.option(
    "--mode",
    type=click.Choice(MATCH_MODES),
    default="pairs",
    show_default=True,
    help="Kind of groups.",
)
@click.option(
    "--seed",
    type=click.IntRange(0, 2**32 - 1),
    help="Replay an earlier run; by default a random seed is chosen and printed.",
)
@click.option("--json", "as_json", is_flag=True, help="Print only JSON on stdout.")
@click.option(
    "--circle-size",
    type=click.IntRange(3, 6),
    help="Target circle size, 3 to 6 (circles are never larger).",
)
@click.option(
    "--max-tz-gap",
    type=click.FloatRange(min=0),
    help="Most hours of time-zone difference allowed within a group.",
)
@click.option(
    "--mentor-gap",
    type=click.IntRange(1, 5),
    help="How many levels more senior a mentor must be.",
)
@click.option(
    "--date",
    "on",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Day the round would run, for time zones and daylight saving (default: today).",
)
@click.option("--team", help="Slack workspace id (T...) to read from the database.")
@_friendly
def match(
    *,
    dry_run: bool,
    roster: Path | None,
    mode: str,
    seed: int | None,
    as_json: bool,
    circle_size: int | None,
    max_tz_gap: float | None,
    mentor_gap: int | None,
    on: datetime | None,
    team: str | None,
) -> None:
    if not dry_run:
        _usage_error(
            "match only previews a round and needs --dry-run; real rounds are started from "
            "Slack with /peercoach admin round now"
        )
    if roster is not None and team is not None:
        _usage_error("--team reads the database; leave it out when you give --roster")

    from bot.matching import match as run_match
    from bot.matching.model import MatchSettings, Mode
    from bot.matching.report import render_table, to_json

    day = on.date() if on is not None else date.today()
    overrides: dict[str, Any] = {}
    if circle_size is not None:
        overrides["circle_size"] = circle_size
    if max_tz_gap is not None:
        overrides["max_tz_gap_hours"] = max_tz_gap
    if mentor_gap is not None:
        overrides["mentor_min_level_gap"] = mentor_gap
    if seed is None:
        seed = secrets.randbelow(RANDOM_SEED_BELOW)

    names: dict[str, str] = {}
    if roster is not None:
        inp = _roster_input(roster, day, MatchSettings(**overrides))
        source = f"roster {roster}"
    elif team is not None:
        inp, names = _database_input(team, day, Mode(mode), overrides)
        source = f"workspace {team} in the database"
    else:
        _usage_error(
            "give --roster FILE to preview a CSV, or --team T to preview a workspace's "
            "enrolled people from the database"
        )

    result = run_match(inp, Mode(mode), seed)
    replay = shlex.join(
        _replay_command(roster, team, mode, seed, day, circle_size, max_tz_gap, mentor_gap)
    )
    if as_json:
        document = to_json(result)
        document["input"] = {
            "source": "roster" if roster is not None else "database",
            "roster": None if roster is None else str(roster),
            "team": team,
            "date": day.isoformat(),
            "settings": _settings_json(inp.settings),
            "replay": replay,
        }
        click.echo(json.dumps(document, indent=2, ensure_ascii=False))
        return
    click.echo(f"Dry run for {day.isoformat()} from {source}: nothing is saved or sent.")
    click.echo(render_table(result, names), nl=False)
    click.echo(f"\nReplay with: {replay}")


def _usage_error(message: str) -> NoReturn:
    click.echo(f"peercoach: {message}", err=True)
    sys.exit(EXIT_CONFIG)


def _roster_input(path: Path, day: date, settings: MatchSettings) -> MatchInput:
    from bot.matching.roster import RosterError, load_roster

    try:
        return load_roster(path, on=day, settings=settings)
    except RosterError as exc:
        for problem in exc.problems:
            click.echo(f"{path}: {problem}", err=True)
        sys.exit(EXIT_CONFIG)


def _database_input(
    team: str, day: date, mode: Mode, overrides: dict[str, Any]
) -> tuple[MatchInput, dict[str, str]]:
    """The workspace's people as the engine sees them, plus display names for the report."""
    from sqlalchemy import make_url

    from bot.process.checks import safe_database_url
    from bot.process.errors import StartupError

    # Only the database is needed: Slack tokens are not asked for.
    settings = _settings(need_slack=False)
    url = make_url(settings.database_url)
    file = url.database if url.get_backend_name() == "sqlite" else None
    # Connecting to a missing SQLite file would create it, and a preview leaves nothing behind.
    if file not in (None, "", ":memory:") and not Path(str(file)).exists():
        where = safe_database_url(settings.database_url)
        raise StartupError(f"there is no database at {where}; check DATABASE_URL")
    return asyncio.run(_read_database(settings.database_url, team, day, mode, overrides))


async def _read_database(
    database_url: str, team: str, day: date, mode: Mode, overrides: dict[str, Any]
) -> tuple[MatchInput, dict[str, str]]:
    from dataclasses import replace

    from sqlalchemy import select
    from sqlalchemy.exc import DBAPIError

    from bot.matching.from_database import load_match_input
    from bot.process.checks import safe_database_url
    from bot.process.errors import StartupError
    from storage.models import Person
    from storage.repositories import WorkspaceRepository
    from storage.session import create_engine, create_sessionmaker

    where = safe_database_url(database_url)
    engine = create_engine(database_url)
    try:
        async with create_sessionmaker(engine)() as session:
            if await WorkspaceRepository(session).get(team) is None:
                _usage_error(f"there is no workspace {team} in the database at {where}")
            # settings=None: the workspace's own matching settings, as a real round uses them;
            # options given on the command line then win over them.
            inp = await load_match_input(session, team_id=team, on=day, settings=None, mode=mode)
            if overrides:
                inp = replace(inp, settings=replace(inp.settings, **overrides))
            rows = await session.execute(
                select(Person.slack_user_id, Person.display_name).where(Person.team_id == team)
            )
            names = {user_id: name for user_id, name in rows.tuples()}
    except (DBAPIError, OSError) as exc:
        raise StartupError(
            f"cannot read the database at {where}; check DATABASE_URL and run peercoach db upgrade"
        ) from exc
    finally:
        await engine.dispose()
    return inp, names


def _replay_command(
    roster: Path | None,
    team: str | None,
    mode: str,
    seed: int,
    day: date,
    circle_size: int | None,
    max_tz_gap: float | None,
    mentor_gap: int | None,
) -> list[str]:
    args = ["peercoach", "match", "--dry-run"]
    args += ["--roster", str(roster)] if roster is not None else ["--team", str(team)]
    args += ["--mode", mode, "--seed", str(seed), "--date", day.isoformat()]
    if circle_size is not None:
        args += ["--circle-size", str(circle_size)]
    if max_tz_gap is not None:
        args += ["--max-tz-gap", f"{max_tz_gap:g}"]
    if mentor_gap is not None:
        args += ["--mentor-gap", str(mentor_gap)]
    return args


def _settings_json(settings: MatchSettings) -> dict[str, Any]:
    weights = settings.weights
    return {
        "max_tz_gap_hours": settings.max_tz_gap_hours,
        "circle_size": settings.circle_size,
        "mentor_min_level_gap": settings.mentor_min_level_gap,
        "candidates_per_person": settings.candidates_per_person,
        "weights": {
            "function": weights.function,
            "level": weights.level,
            "hours": weights.hours,
            "goals": weights.goals,
            "complement": weights.complement,
        },
    }


def _add_people() -> None:
    from bot.people.cli import people

    cli.add_command(people)


_add_people()


@cli.command(
    help=(
        "Run peercoach offline: a simulated company joins, is matched and checks in for some "
        "weeks against a fake Slack on this machine. No Slack account, network or settings "
        "needed. Writes a transcript, the database, digest charts and a page showing the Slack "
        "conversations to --out; exits with 1 if anything in the run failed."
    )
)
@click.option(
    "--people",
    type=click.IntRange(8, 400),
    default=40,
    show_default=True,
    help="How many people the simulated company has.",
)
@click.option(
    "--weeks",
    type=click.IntRange(1, 12),
    default=6,
    show_default=True,
    help="How many weekly rounds to run.",
)
@click.option(
    "--seed",
    type=click.IntRange(0, None),
    default=1,
    show_default=True,
    help="The same seed gives the same people and the same story.",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("peercoach-demo"),
    show_default=True,
    help="The folder to write into (made if missing; an earlier demo's files are replaced).",
)
def demo(*, people: int, weeks: int, seed: int, out: Path) -> None:
    from rich.console import Console

    from bot.demo.run import run_demo
    from bot.demo.story import DemoOptions

    options = DemoOptions(people=people, weeks=weeks, seed=seed, out=out)
    try:
        result = asyncio.run(run_demo(options, Console()))
    except OSError as exc:
        click.echo(f"peercoach: cannot write the demo to {out} ({exc.strerror})", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        click.echo(f"peercoach: the demo was stopped; what it wrote so far is in {out}", err=True)
        sys.exit(130)
    sys.exit(0 if result.ok else 1)


def main() -> None:
    cli()
