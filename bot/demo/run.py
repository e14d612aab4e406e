"""`peercoach demo`: run the story, then write what it produced and say how it went.

Everything lands in one folder: the transcript, the app's log, the SQLite database, each digest
chart and a page that shows the recorded Slack conversations. The run fails (a non-zero exit
code) if a simulated person could not do what they tried, a tick step failed, a message could not
be delivered or the app logged an error."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.demo.population import generate
from bot.demo.slack_html import Conversation, render_page
from bot.demo.story import DIGEST_CHANNEL, FIRST_ROUND, START, DemoOptions, Story
from bot.demo.summary import Summary, percent, summarise
from bot.demo.transcript import Transcript
from bot.domain import OutboxStatus
from bot.process.config import LogFormat
from bot.process.logs import configure_logging
from storage.models import OutboxMessage
from storage.session import create_engine, create_sessionmaker

DATABASE_NAME = "peercoach-demo.sqlite3"


@dataclass
class DemoResult:
    out: Path
    transcript: Path
    database: Path
    html: Path
    log: Path
    charts: list[Path] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    summary: Summary | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failures


class _Errors(logging.Handler):
    """Counts what the app logs at ERROR or above: any of it fails the demo."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(f"{record.name}: {record.getMessage()}")


@contextmanager
def _app_log(path: Path) -> Iterator[_Errors]:
    """The app's own logging, to a file in the output folder, not over the story."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    errors = _Errors()
    with path.open("w", encoding="utf-8") as stream:
        configure_logging("INFO", LogFormat.TEXT, stream=stream)
        root.addHandler(errors)
        try:
            yield errors
        finally:
            root.handlers[:], level = saved
            root.setLevel(level)


def _fresh(out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    database = out / DATABASE_NAME
    for stale in (database, *out.glob(DATABASE_NAME + "-*"), *out.glob("charts/*.png")):
        stale.unlink(missing_ok=True)
    return database


async def run_demo(options: DemoOptions, console: Console) -> DemoResult:
    started = time.monotonic()
    out = options.out
    database = _fresh(out)
    result = DemoResult(
        out=out,
        transcript=out / "transcript.txt",
        database=database,
        html=out / "slack.html",
        log=out / "demo.log",
    )
    population = generate(options.people, options.seed)
    console.print(
        Text(
            f"peercoach demo: {options.people} people at Acme, {options.weeks} weeks, "
            f"seed {options.seed}. No Slack account or network needed: the app runs against "
            "a fake Slack on this machine, on a simulated clock.",
            style="bold",
        )
    )
    with (
        _app_log(result.log) as errors,
        Transcript(result.transcript, console) as transcript,
        Progress(
            TextColumn("[bold]simulated weeks"),
            BarColumn(),
            TextColumn("{task.fields[when]}"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        ) as progress,
    ):
        total = (FIRST_ROUND - START).total_seconds() + options.weeks * 7 * 86400
        task = progress.add_task("weeks", total=total, when="")

        def moved(now: datetime) -> None:
            progress.update(task, completed=(now - START).total_seconds(), when=f"{now:%a %d %b}")

        story = Story(options, population, transcript, on_time=moved)
        tally = await story.run(database)
    result.failures += tally.failures + [f"logged error: {e}" for e in errors.records]
    result.charts = _write_charts(story, out)
    result.failures += await _check_outbox(database)
    result.summary = await _summary(database, story)
    _write_html(story, result)
    result.seconds = time.monotonic() - started
    _print_end(console, story, result)
    return result


def _figures_table(summary: Summary) -> Table:
    table = Table(title="How the programmes went", title_justify="left")
    for column in ("programme", "rounds", "groups", "groups that met", "check-ins answered"):
        table.add_column(column)
    for p in summary.programmes:
        table.add_row(
            Text(p.name),
            str(p.rounds),
            str(p.groups),
            percent(p.meeting),
            percent(p.checkin_response),
        )
    table.add_row(
        Text("All", style="bold"),
        "",
        str(summary.groups),
        percent(summary.meeting),
        percent(summary.checkin_response),
    )
    return table


def _goals_table(summary: Summary) -> Table:
    table = Table(title="Goal progress, as people answered their check-ins", title_justify="left")
    for column in ("programme", "on track", "some progress", "stuck", "achieved"):
        table.add_column(column)
    rows = [(Text(p.name), p.goals) for p in summary.programmes]
    for name, g in [*rows, (Text("All", style="bold"), summary.goals)]:
        table.add_row(name, *(str(n) for n in (g.on_track, g.some_progress, g.stuck, g.achieved)))
    return table


def _write_charts(story: Story, out: Path) -> list[Path]:
    folder = out / "charts"
    folder.mkdir(exist_ok=True)
    charts: list[Path] = []
    for n, upload in enumerate(story.fake.uploaded_files, start=1):
        if upload.content is None or not upload.filename.endswith(".png"):
            continue
        path = folder / f"{n:02d}-{upload.filename}"
        path.write_bytes(upload.content)
        charts.append(path)
    return charts


@asynccontextmanager
async def _reading(database: Path) -> AsyncIterator[AsyncSession]:
    """A session on the demo's database once the app has stopped."""
    engine = create_engine(f"sqlite+aiosqlite:///{database}")
    try:
        async with create_sessionmaker(engine)() as session:
            yield session
    finally:
        await engine.dispose()


async def _check_outbox(database: Path) -> list[str]:
    async with _reading(database) as session:
        failed = await session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.status == OutboxStatus.FAILED)
        )
    return [f"{failed} message(s) could not be delivered"] if failed else []


async def _summary(database: Path, story: Story) -> Summary:
    async with _reading(database) as session:
        return await summarise(
            session, story.fake.team_id, now=story.clock(), rounds_before=story.end.date()
        )


def _write_html(story: Story, result: DemoResult) -> None:
    fake = story.fake
    conversations: list[Conversation] = []
    channels = sorted(
        set(fake.messages) | set(story.typed),
        key=lambda c: (c != DIGEST_CHANNEL, _first_ts(story, c)),
    )
    for channel in channels:
        messages = sorted(
            [*fake.messages.get(channel, []), *story.typed.get(channel, [])],
            key=lambda m: float(m["ts"]),
        )
        conversations.append(Conversation(channel, _title(story, channel), messages))
    images = {
        upload.file_id: f"charts/{path.name}"
        for upload, path in zip(
            [u for u in fake.uploaded_files if u.content and u.filename.endswith(".png")],
            result.charts,
            strict=True,
        )
    }
    page = render_page(
        conversations, title="peercoach demo at Acme", names=story.names, images=images
    )
    result.html.write_text(page, encoding="utf-8")


def _first_ts(story: Story, channel: str) -> float:
    messages = [*story.fake.messages.get(channel, []), *story.typed.get(channel, [])]
    return min((float(m["ts"]) for m in messages), default=0.0)


def _title(story: Story, channel: str) -> str:
    known = story.fake.channels.get(channel, {})
    if known.get("is_im"):
        return "DM · " + story.names.get(str(known.get("user")), "someone")
    if known.get("is_channel") and known.get("name"):
        return f"#{known['name']}"
    members = [story.names.get(u, u) for u in known.get("members") or [] if u in story.names]
    return ", ".join(m for m in members if m != "peercoach") or channel


def _print_end(console: Console, story: Story, result: DemoResult) -> None:
    summary = result.summary
    if summary is not None:
        console.print(_figures_table(summary))
        console.print(_goals_table(summary))
    hands = story.hands
    console.print(
        Text(
            f"{story.options.weeks} simulated weeks in {result.seconds:.0f} s: "
            f"{hands.requests if hands else 0} signed requests to the app, "
            f"{len(story.fake.calls)} calls to the fake Slack Web API."
        )
    )
    done = sorted(
        (what, n) for what, n in story.tally.counts.items() if not what.startswith("sent ")
    )
    console.print(Text("What the people did: " + " · ".join(f"{what} {n}" for what, n in done)))
    lines = [
        f"Transcript:    {result.transcript}",
        f"Slack as HTML: {result.html}",
        f"Database:      {result.database}",
        f"App log:       {result.log}",
        *(f"Digest chart:  {path}" for path in result.charts),
    ]
    for line in lines:
        console.print(Text(line))
    if result.failures:
        console.print(Text(f"The demo found {len(result.failures)} problem(s):", style="bold red"))
        for failure in result.failures[:20]:
            console.print(Text(f"  - {failure}", style="red"))
    else:
        console.print(Text("Everything in the run worked.", style="bold green"))
