"""Ack benchmark: how fast peercoach answers Slack under load, against a no-op Bolt app.

    python -m benchmarks.ack              # 500 requests of each kind, SQLite and PostgreSQL
    python -m benchmarks.ack --quick      # 100 of each kind
    python -m benchmarks.ack --postgres postgresql+asyncpg://postgres@127.0.0.1:5432/test

Signed requests go, 50 at a time, to the real `POST /slack/events` of the aiohttp app served on
127.0.0.1; the app talks to the project's fake Slack, also on 127.0.0.1. Beside it, in the same
run, a no-op Bolt app (same signing check, listeners that only ack, served by Bolt's own aiohttp
server) takes the same load: its throughput is the baseline for the ratios. Kinds: `help`,
`status` and `find` by enrolled people, the App Home resume button, and `find` by people without
a profile (who must all get their modal within Slack's 3-second trigger lifetime). Every request
comes from a different person, so nothing is deduplicated.

The load generator, the fake Slack and both apps share one process and one event loop; the
no-op app pays the same overhead, which is why the ratio is the figure to compare across
machines. PostgreSQL runs in a fresh database created through the admin URL
(--postgres, else PEERCOACH_TEST_POSTGRES_URL, else the local default when it answers) and
dropped afterwards; SQLite in a temporary file. The exit code is 0 even when a target is missed.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import math
import os
import re
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from datetime import time as clock_time
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg  # type: ignore[import-untyped]
from aiohttp import web
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import make_url
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.commands.intents import Find, FindKind
from bot.domain import Cadence
from bot.enrolment.profile_form import ProfileInput
from bot.enrolment.service import ensure_workspace, join, pause, save_profile, see_person
from bot.fakes import FakeSlack, SlackRequestSender
from bot.fakes.requests import SentRequest

# The app under test. Every project import is here, so a module that moves is one line to change.
from bot.process.app import create_app
from bot.process.config import load_settings
from bot.process.inflight import InflightTracker
from bot.process.server import EVENTS_PATH, create_web_app
from bot.slack.blocks.home import ACTION_RESUME
from bot.slack.users import SlackUser
from storage.migrate import upgrade
from storage.session import create_engine, create_sessionmaker

CONCURRENCY = 50
MODAL_PEOPLE = 50  # "50 people running `find` at once all get their modal"
TARGET_P99_MS = 300.0
TARGET_HELP_RATIO = 0.5
DEFAULT_POSTGRES_ADMIN_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
POSTGRES_URL_VARIABLE = "PEERCOACH_TEST_POSTGRES_URL"
SIGNING_SECRET = "ackbench0signing0secret0000000000"
WARM_UP_REQUESTS = 10
FOLLOW_UP_SECONDS = 60.0  # how long background work may take before the run moves on
DRAIN_SECONDS = 30.0

# -- request kinds ---------------------------------------------------------------------------

Send = Callable[[SlackRequestSender, str], Awaitable[SentRequest]]


def _home_view(user_id: str) -> dict[str, Any]:
    # App Home clicks carry the Home view; only its id and type matter to the app.
    return {"id": "VHOME" + user_id[-6:], "type": "home", "state": {"values": {}}}


async def _help(sender: SlackRequestSender, user: str) -> SentRequest:
    return await sender.command("help", user_id=user)


async def _status(sender: SlackRequestSender, user: str) -> SentRequest:
    return await sender.command("status", user_id=user)


async def _find(sender: SlackRequestSender, user: str) -> SentRequest:
    return await sender.command("find", user_id=user)


async def _resume_button(sender: SlackRequestSender, user: str) -> SentRequest:
    return await sender.block_action(ACTION_RESUME, user_id=user, view=_home_view(user))


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    people: str  # "anyone", "enrolled", "paused" or "new" (known to Slack, no profile yet)
    send: Send


KINDS: tuple[Kind, ...] = (
    Kind("help", "help", "anyone", _help),
    Kind("status", "status (enrolled)", "enrolled", _status),
    Kind("find", "find (enrolled)", "enrolled", _find),
    Kind("button", "resume button (paused)", "paused", _resume_button),
    Kind("modal", "find (no profile): modal", "new", _find),
)

# -- measuring -------------------------------------------------------------------------------


@dataclass
class Batch:
    """One batch of requests against one app."""

    sent: list[SentRequest]
    failures: int  # requests that got no HTTP answer at all
    seconds: float

    @property
    def count(self) -> int:
        return len(self.sent) + self.failures

    @property
    def ok(self) -> int:
        return sum(1 for s in self.sent if s.status == 200)

    @property
    def statuses(self) -> Counter[int]:
        return Counter(s.status for s in self.sent)

    def percentile_ms(self, q: float) -> float:
        """Nearest-rank percentile of the time to the HTTP response; a failure counts as slowest."""
        times = sorted(s.elapsed for s in self.sent) + [math.inf] * self.failures
        if not times:
            return math.nan
        return 1000 * times[max(0, math.ceil(q * len(times)) - 1)]

    @property
    def throughput(self) -> float:
        return self.count / self.seconds if self.seconds > 0 else math.nan

    def merged(self, other: Batch) -> Batch:
        return Batch(
            self.sent + other.sent, self.failures + other.failures, self.seconds + other.seconds
        )


async def run_batch(
    sender: SlackRequestSender, users: Sequence[str], send: Send, concurrency: int = CONCURRENCY
) -> Batch:
    """`concurrency` workers share the list, so that many requests are always in flight."""
    pending = iter(users)
    sent: list[SentRequest] = []
    failures = 0

    async def worker() -> None:
        nonlocal failures
        for user in pending:
            try:
                sent.append(await send(sender, user))
            except (aiohttp.ClientError, TimeoutError):
                failures += 1

    started = time.monotonic()
    await asyncio.gather(*(worker() for _ in range(min(concurrency, len(users)))))
    return Batch(sent, failures, time.monotonic() - started)


def count_answered(fake: FakeSlack, sent: Sequence[SentRequest]) -> int:
    """How many people saw an answer: in the ack, or through Slack afterwards."""
    response_urls = {r.url for r in fake.responses}
    dm_to: set[str] = set()
    triggers: set[str] = set()
    homes: set[str] = set()
    for call in list(fake.calls):
        args = call.args
        if call.method in ("chat.postMessage", "chat.postEphemeral"):
            dm_to.update(str(args.get(key)) for key in ("channel", "user") if args.get(key))
        elif call.method in ("views.open", "views.push"):
            triggers.add(str(args.get("trigger_id")))
        elif call.method == "views.publish":
            homes.add(str(args.get("user_id")))
    count = 0
    for s in sent:
        payload = s.payload
        user = str(payload.get("user_id") or (payload.get("user") or {}).get("id"))
        count += bool(
            s.body
            or payload.get("response_url") in response_urls
            or payload.get("trigger_id") in triggers
            or user in dm_to
            or fake.im_channel_id(user) in dm_to
            or user in homes
        )
    return count


@dataclass
class Modals:
    opened: int
    errors: Counter[str]


def modals_opened(fake: FakeSlack, batch: Batch) -> Modals:
    triggers = {s.payload.get("trigger_id") for s in batch.sent}
    opened = 0
    errors: Counter[str] = Counter()
    for call in fake.calls_to("views.open"):
        if call.args.get("trigger_id") in triggers:
            if call.ok:
                opened += 1
            else:
                errors[call.error or f"HTTP {call.status}"] += 1
    return Modals(opened, errors)


@dataclass
class KindResult:
    kind: Kind
    app: Batch
    noop: Batch
    answered: int
    modals: Modals | None = None

    @property
    def ratio(self) -> float:
        return self.app.throughput / self.noop.throughput


@dataclass
class DatabaseResult:
    database: str
    kinds: list[KindResult] = field(default_factory=list)
    server_errors: int = 0


class _ErrorCounter(logging.Handler):
    """Counts what the app logs at ERROR or above: a server error is a failed request too."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


# -- the apps ---------------------------------------------------------------------------------


async def _ack_only(ack: AsyncAck) -> None:
    await ack()


def bare_bolt_web_app(bolt: AsyncApp) -> web.Application:
    """The baseline served by Bolt's own aiohttp server: nothing of ours in front of it."""
    return bolt.web_app(path=EVENTS_PATH)


def noop_app(fake: FakeSlack) -> AsyncApp:
    """The baseline: Bolt with the same client set-up and signing check, listeners that only ack."""
    app = AsyncApp(
        client=AsyncWebClient(token=fake.bot_token, base_url=fake.api_url),
        signing_secret=SIGNING_SECRET,
        process_before_response=False,
        raise_error_for_unhandled_request=False,
        logger=logging.getLogger("ackbench.noop"),
    )
    app.command(re.compile(".*"))(_ack_only)
    app.action(re.compile(".*"))(_ack_only)
    return app


@asynccontextmanager
async def serving(web_app: web.Application) -> AsyncIterator[str]:
    """Serve on 127.0.0.1 and yield the events URL."""
    runner = web.AppRunner(web_app, access_log=None, shutdown_timeout=5.0)
    await runner.setup()
    try:
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        port = runner.addresses[0][1]
        yield f"http://127.0.0.1:{port}{EVENTS_PATH}"
    finally:
        await runner.cleanup()


# -- people ----------------------------------------------------------------------------------


def user_ids(prefix: str, count: int) -> list[str]:
    return [f"U{prefix}{i:05d}" for i in range(count)]


PROFILE = ProfileInput(
    function="engineering",
    level=3,
    time_zone="Europe/London",
    work_start=clock_time(9),
    work_end=clock_time(17),
    goals=("Give clearer feedback",),
    goal_tags=("giving-feedback",),
    skills=("system-design",),
    cadence=Cadence.WEEKLY,
    do_not_pair=(),
)


async def seed(
    engine: AsyncEngine, fake: FakeSlack, enrolled: Sequence[str], paused: Sequence[str]
) -> None:
    """Enrolled people with a profile, some of them paused, through the enrolment services."""
    now = datetime.now(UTC)
    async with create_sessionmaker(engine)() as session:
        await ensure_workspace(session, fake.team_id, fake.team_domain, now=now)
        for user_id in [*enrolled, *paused]:
            user = SlackUser(
                id=user_id,
                team_id=fake.team_id,
                display_name=user_id.lower(),
                real_name=None,
                time_zone="Europe/London",
                is_admin=False,
                is_owner=False,
                deleted=False,
                is_bot=False,
                is_stranger=False,
                is_ultra_restricted=False,
            )
            person = await see_person(session, fake.team_id, user, now=now)
            await save_profile(session, person, PROFILE, now=now)
            await join(session, person, Find(FindKind.PAIRS), now=now)
            if user_id in paused:
                await pause(session, person, None, now=now)
        await session.commit()


# -- one database ----------------------------------------------------------------------------


async def _wait_for_answers(fake: FakeSlack, batch: Batch, limit: float) -> int:
    deadline = time.monotonic() + limit
    while True:
        count = count_answered(fake, batch.sent)
        if count == len(batch.sent) or time.monotonic() > deadline:
            return count
        await asyncio.sleep(0.05)


async def run_database(
    name: str,
    database_url: str,
    *,
    requests: int,
    modal_people: int = MODAL_PEOPLE,
    concurrency: int = CONCURRENCY,
    kinds: Sequence[Kind] = KINDS,
    progress: Callable[[str], None] = lambda _: None,
) -> DatabaseResult:
    """Every kind against the app and the no-op app, on an empty database at `database_url`."""
    result = DatabaseResult(name)
    errors = _ErrorCounter()
    tracker = InflightTracker()
    tracker.install()
    engine = create_engine(database_url)
    fake = FakeSlack()
    try:
        await upgrade(engine)
        await fake.start()
        size = {kind.key: modal_people if kind.people == "new" else requests for kind in kinds}
        people = {kind.key: user_ids(kind.key.upper()[:4], size[kind.key]) for kind in kinds}
        for ids in people.values():
            for user_id in ids:
                fake.add_user(user_id, name=user_id.lower(), tz="Europe/London")
        enrolled = [u for k in kinds if k.people == "enrolled" for u in people[k.key]]
        paused = [u for k in kinds if k.people == "paused" for u in people[k.key]]
        await seed(engine, fake, enrolled, paused)

        settings = load_settings(
            SLACK_BOT_TOKEN=fake.bot_token,
            SLACK_SIGNING_SECRET=SIGNING_SECRET,
            SLACK_API_URL=fake.api_url,
            DATABASE_URL=database_url,
            _env_file=None,
        )
        # As `serve` does: one connection pool for the app's calls to Slack.
        http = aiohttp.ClientSession()
        bolt = create_app(settings, create_sessionmaker(engine), http=http)
        logging.getLogger().addHandler(errors)
        async with (
            http,
            serving(create_web_app(engine, bolt, SIGNING_SECRET)) as app_url,
            serving(bare_bolt_web_app(noop_app(fake))) as noop_url,
            SlackRequestSender(app_url, SIGNING_SECRET, fake=fake) as app_sender,
            SlackRequestSender(noop_url, SIGNING_SECRET, fake=fake) as noop_sender,
        ):
            # Untimed: opens connections, fills Bolt's auth.test cache and the database pool.
            warm = user_ids("WARM", WARM_UP_REQUESTS)
            await run_batch(noop_sender, warm, _help, concurrency)
            await run_batch(app_sender, warm, _help, concurrency)
            # The warm-up's own answers go out before anything is timed.
            await tracker.drain(DRAIN_SECONDS)
            for kind in kinds:
                progress(f"{name}: {kind.label}")
                noop_users = user_ids("NOOP" + kind.key.upper()[:2], size[kind.key])
                before = await run_batch(noop_sender, noop_users, kind.send, concurrency)
                app = await run_batch(app_sender, people[kind.key], kind.send, concurrency)
                done = await _wait_for_answers(fake, app, FOLLOW_UP_SECONDS)
                # Whatever the listeners do after answering (App Home refreshes) ends here.
                await tracker.drain(DRAIN_SECONDS)
                # The baseline runs on both sides of the app, so drift on a shared machine
                # weighs on both.
                after = await run_batch(noop_sender, noop_users, kind.send, concurrency)
                noop = before.merged(after)
                modals = modals_opened(fake, app) if kind.people == "new" else None
                result.kinds.append(KindResult(kind, app, noop, done, modals))
            await tracker.drain(DRAIN_SECONDS)
    finally:
        logging.getLogger().removeHandler(errors)
        await fake.stop()
        await engine.dispose()
        tracker.uninstall()
    result.server_errors = errors.count
    return result


# -- databases -------------------------------------------------------------------------------


def _asyncpg_dsn(url: URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


async def postgres_reachable(admin_url: str) -> str | None:
    """None when the admin URL accepts connections, else why not."""
    try:
        connection = await asyncpg.connect(_asyncpg_dsn(make_url(admin_url)), timeout=5)
    except (OSError, TimeoutError, asyncpg.PostgresError) as exc:
        return f"{type(exc).__name__}: {exc}"
    await connection.close()
    return None


@asynccontextmanager
async def fresh_postgres(admin_url: str) -> AsyncIterator[str]:
    url = make_url(admin_url)
    name = f"peercoach_ackbench_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(_asyncpg_dsn(url), timeout=5)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield url.set(database=name).render_as_string(hide_password=False)
        finally:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@asynccontextmanager
async def fresh_sqlite() -> AsyncIterator[str]:
    with tempfile.TemporaryDirectory(prefix="peercoach-ackbench-") as folder:
        yield f"sqlite+aiosqlite:///{Path(folder) / 'peercoach.db'}"


# -- report ----------------------------------------------------------------------------------


def _ms(value: float) -> str:
    return "no answer" if math.isinf(value) else f"{value:,.0f}"


def print_results(results: Sequence[DatabaseResult], concurrency: int) -> list[tuple[str, bool]]:
    print(f"\nAck under load: {concurrency} signed requests in flight, times to the HTTP response")
    print(
        "| database | kind | requests | HTTP 200 | answered | p50 ms | p99 ms | req/s "
        "| no-op p50 ms | no-op p99 ms | no-op req/s | throughput vs no-op |"
    )
    print("|---" * 12 + "|")
    checks: list[tuple[str, bool]] = []
    for db in results:
        for r in db.kinds:
            print(
                f"| {db.database} | {r.kind.label} | {r.app.count} | {r.app.ok} "
                f"| {r.answered} | {_ms(r.app.percentile_ms(0.5))} "
                f"| {_ms(r.app.percentile_ms(0.99))} | {r.app.throughput:,.0f} "
                f"| {_ms(r.noop.percentile_ms(0.5))} | {_ms(r.noop.percentile_ms(0.99))} "
                f"| {r.noop.throughput:,.0f} | {r.ratio:.2f}x |"
            )
    print()
    for db in results:
        for r in db.kinds:
            if r.app.ok != r.app.count:
                other = {k: v for k, v in r.app.statuses.items() if k != 200}
                print(
                    f"  {db.database}, {r.kind.label}: {r.app.count - r.app.ok} not acked with "
                    f"200 (statuses {dict(other)}, {r.app.failures} without any answer)"
                )
            if r.modals is not None:
                lost = ", ".join(f"{n} {e}" for e, n in r.modals.errors.most_common()) or "none"
                print(
                    f"  {db.database}: {r.app.count} people ran `find` at once, "
                    f"{r.modals.opened} got their modal (failed views.open: {lost})"
                )
        print(f"  {db.database}: {db.server_errors} server error(s) logged during the run")
    for db in results:
        for r in db.kinds:
            p99 = r.app.percentile_ms(0.99)
            checks.append(
                (
                    f"{db.database}, {r.kind.label}: p99 ack <= {TARGET_P99_MS:.0f} ms "
                    f"({_ms(p99)} ms)",
                    p99 <= TARGET_P99_MS,
                )
            )
            if r.kind.key == "help":
                checks.append(
                    (
                        f"{db.database}, help: throughput >= {TARGET_HELP_RATIO}x the no-op "
                        f"app's ({r.ratio:.2f}x)",
                        r.ratio >= TARGET_HELP_RATIO,
                    )
                )
            if r.modals is not None:
                checks.append(
                    (
                        f"{db.database}: {r.app.count}/{r.app.count} people running `find` at "
                        f"once get their modal ({r.modals.opened}/{r.app.count})",
                        r.modals.opened == r.app.count,
                    )
                )
        checks.append((f"{db.database}: no server error logged", db.server_errors == 0))
    return checks


def _progress(message: str) -> None:
    print(f"running {message} ...", file=sys.stderr, flush=True)


async def run(args: argparse.Namespace) -> list[tuple[str, bool]]:
    requests = args.requests or (100 if args.quick else 500)
    results: list[DatabaseResult] = []
    databases = [d.strip() for d in args.databases.split(",") if d.strip()]
    notes: list[str] = []
    if "sqlite" in databases:
        async with fresh_sqlite() as url:
            results.append(
                await run_database(
                    "SQLite",
                    url,
                    requests=requests,
                    concurrency=args.concurrency,
                    progress=_progress,
                )
            )
    if "postgresql" in databases:
        admin_url = args.postgres or os.environ.get(POSTGRES_URL_VARIABLE, "").strip()
        admin_url = admin_url or DEFAULT_POSTGRES_ADMIN_URL
        problem = await postgres_reachable(admin_url)
        if problem is None:
            async with fresh_postgres(admin_url) as url:
                results.append(
                    await run_database(
                        "PostgreSQL",
                        url,
                        requests=requests,
                        concurrency=args.concurrency,
                        progress=_progress,
                    )
                )
        else:
            where = make_url(admin_url).render_as_string(hide_password=True)
            notes.append(f"PostgreSQL: not measured, {where} is not reachable ({problem})")
    checks = print_results(results, args.concurrency)
    for note in notes:
        print(f"  {note}")
    return checks


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.ack", description=__doc__)
    parser.add_argument(
        "--quick", action="store_true", help="100 requests of each kind (default 500)"
    )
    parser.add_argument("--requests", type=int, default=0, help="requests of each kind")
    parser.add_argument("--concurrency", type=int, default=CONCURRENCY)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--postgres", default="", help="admin URL allowed to create databases")
    args = parser.parse_args(argv)
    # The app's own warnings (a failed DM, a slow call) are part of the report; INFO is noise.
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    started = time.monotonic()
    checks = asyncio.run(run(args))
    print()
    for label, ok in checks:
        print(f"{'PASS' if ok else 'FAIL'}  {label}")
    print(f"\n({time.monotonic() - started:.0f} s)")
    # A report, not a gate: missed targets are printed above.
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
