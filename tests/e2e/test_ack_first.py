"""Ack first: Slack gets its answer before any database or Web API call, and slow work after
the ack fails within the database budget with a friendly "try again"."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from sqlalchemy import make_url

from bot.domain import EnrolmentState
from bot.enrolment.profile_form import CALLBACK_ID as PROFILE_CALLBACK_ID
from bot.fakes import FakeSlack, SlackRequestSender
from bot.process.app import create_app
from bot.process.server import create_web_app
from bot.slack.blocks.enrolment import ACTION_CONFIRM_LEAVE
from bot.slack.copy import progress
from storage.session import DATABASE_TIMEOUT_SECONDS, create_engine, create_sessionmaker
from tests.e2e.driver import ACK_LIMIT_SECONDS, Coach, all_text
from tests.fixtures.app import SIGNING_SECRET, make_settings, running_server
from tests.fixtures.database import aiosqlite_threads_finished

ALICE = "U0ALICE"
# Generous functional bound for an answer that follows a failed database call: the budget,
# plus Slack round trips. Not a benchmark.
AFTER_BUDGET = DATABASE_TIMEOUT_SECONDS + 5.0


@contextmanager
def sqlite_locked(database_url: str) -> Iterator[None]:
    """Another process's view: a connection of its own holding SQLite's exclusive lock."""
    path = make_url(database_url).database
    assert path
    holder = sqlite3.connect(path, isolation_level=None)
    try:
        holder.execute("BEGIN EXCLUSIVE")
        yield
    finally:
        holder.execute("ROLLBACK")
        holder.close()


@pytest.fixture
async def sqlite_coach(fake_slack: FakeSlack, tmp_path: Path) -> AsyncIterator[Coach]:
    settings = make_settings(fake_slack, f"sqlite+aiosqlite:///{tmp_path}/peercoach.db")
    async with running_server(settings) as server:
        url = f"http://127.0.0.1:{server.bound_port}/slack/events"
        async with SlackRequestSender(url, SIGNING_SECRET, fake=fake_slack) as sender:
            yield Coach(sender, fake_slack, server)


async def _healthz(port: int) -> int:
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"http://127.0.0.1:{port}/healthz") as answer,
    ):
        return answer.status


async def test_everything_is_acked_while_slack_and_the_database_hang(
    sqlite_coach: Coach, fake_slack: FakeSlack
) -> None:
    coach = sqlite_coach
    await coach.enrol(ALICE)
    view = await coach.open_profile("profile", ALICE)
    await coach.server.inflight.drain(10)
    # users.info answers late and the database is locked by another process (writers wait
    # 4 s): a request that touched either before acknowledging would miss Slack's 3 seconds.
    fake_slack.script("users.info", delay=ACK_LIMIT_SECONDS + 1, times=10)
    with sqlite_locked(coach.server.settings.database_url):
        for text in ("status", "find", "pause 2 weeks", "profile", "export"):
            sent = await coach.command(text, ALICE)
            assert sent.status == 200
        click = await coach.slack.block_action(ACTION_CONFIRM_LEAVE, user_id=ALICE)
        assert click.status == 200
        assert click.elapsed < ACK_LIMIT_SECONDS
        sent = await coach.submit(
            PROFILE_CALLBACK_ID, view, coach.profile_values(view, level="4"), ALICE
        )
        assert sent.json["response_action"] == "update"
        assert sent.json["view"]["blocks"][0]["text"]["text"] == progress.PROFILE_SAVING


async def test_a_locked_sqlite_gives_try_again_and_a_failing_healthz(
    sqlite_coach: Coach, fake_slack: FakeSlack
) -> None:
    coach = sqlite_coach
    await coach.enrol(ALICE)
    await coach.server.inflight.drain(10)
    assert await _healthz(coach.server.bound_port) == 200
    with sqlite_locked(coach.server.settings.database_url):
        # A change waits for the lock, then gives up within the budget and says so.
        sent = await coach.command("pause 2 weeks", ALICE)
        url = sent.payload["response_url"]
        answer = await fake_slack.wait_for_response(
            predicate=lambda r: r.url == url, timeout=AFTER_BUDGET
        )
        assert "try again" in all_text(answer.json).lower()
        # Reading goes on meanwhile: in write-ahead-log mode a held write lock blocks no reader.
        status = await coach.ask("status", ALICE)
        assert "try again" not in all_text(status).lower()
        assert await _healthz(coach.server.bound_port) == 503
    person = await coach.person(ALICE)
    assert person is not None
    assert person.enrolment_state is EnrolmentState.ENROLLED  # the pause was not half-saved
    assert await _healthz(coach.server.bound_port) == 200


async def test_a_profile_that_could_not_be_saved_goes_back_to_the_form_as_typed(
    sqlite_coach: Coach, fake_slack: FakeSlack
) -> None:
    coach = sqlite_coach
    view = await coach.open_profile("find", ALICE)
    await coach.server.inflight.drain(10)  # the command's own bookkeeping is done
    mark = len(fake_slack.calls)
    values = coach.profile_values(view, goal="Run calmer planning meetings")
    with sqlite_locked(coach.server.settings.database_url):
        sent = await coach.submit(PROFILE_CALLBACK_ID, view, values, ALICE)
        assert sent.json["response_action"] == "update"
        form = await coach.updated_view(view["id"], mark)
    # The form again, with what she typed and a note; nothing saved, no confirmation sent.
    assert form["callback_id"] == PROFILE_CALLBACK_ID
    assert "Run calmer planning meetings" in all_text(form)
    assert "couldn't save" in all_text(form)
    await coach.server.inflight.drain(10)
    assert await coach.person(ALICE) is None
    assert not [c for c in fake_slack.calls_to("chat.postMessage") if c.args["channel"] == ALICE]


@asynccontextmanager
async def silent_postgres() -> AsyncIterator[int]:
    """A PostgreSQL that accepts connections and never answers."""
    held: list[asyncio.StreamWriter] = []

    async def accept(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)

    server = await asyncio.start_server(accept, "127.0.0.1", 0)
    try:
        yield int(server.sockets[0].getsockname()[1])
    finally:
        for writer in held:
            writer.close()
        server.close()
        await server.wait_closed()


async def test_a_hung_postgresql_gives_try_again_and_a_failing_healthz(
    fake_slack: FakeSlack,
) -> None:
    async with silent_postgres() as port:
        url = f"postgresql+asyncpg://postgres@127.0.0.1:{port}/peercoach"
        settings = make_settings(fake_slack, url)
        engine = create_engine(url, statement_timeout=DATABASE_TIMEOUT_SECONDS)
        # The real Bolt app and endpoint; the server's start-up migration would wait forever.
        bolt = create_app(settings, create_sessionmaker(engine))
        try:
            async with TestServer(
                create_web_app(engine, bolt, SIGNING_SECRET), host="127.0.0.1"
            ) as web:
                events = str(web.make_url("/slack/events"))
                async with SlackRequestSender(events, SIGNING_SECRET, fake=fake_slack) as slack:
                    sent = await slack.command("status", user_id=ALICE)
                    assert sent.status == 200
                    assert sent.elapsed < ACK_LIMIT_SECONDS
                    answer = await fake_slack.wait_for_response(
                        predicate=lambda r: r.url == sent.payload["response_url"],
                        timeout=AFTER_BUDGET,
                    )
                    assert "try again" in all_text(answer.json).lower()
                async with (
                    aiohttp.ClientSession() as http,
                    http.get(web.make_url("/healthz")) as health,
                ):
                    assert health.status == 503
        finally:
            await engine.dispose()
    await aiosqlite_threads_finished()
