"""The running server delivers the outbox by itself, and a stop lets a send finish."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.domain import OutboxStatus
from bot.fakes import FakeSlack
from bot.outbox import Limits, Message, enqueue
from bot.process.clock import SimulatedClock
from bot.process.config import Settings
from bot.process.runtime import Server
from storage.models import OutboxMessage, Workspace
from storage.session import create_engine, create_sessionmaker

TEAM = "T0PEERCO"
START = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


async def _queue(server: Server, clock: SimulatedClock, key: str, users: list[str]) -> None:
    sessions = create_sessionmaker(server.engine, clock=clock)
    async with sessions() as session:
        if await session.get(Workspace, 1) is None:
            session.add(Workspace(team_id=TEAM, name="Acme"))
            await session.flush()
        await enqueue(
            session,
            Message(
                team_id=TEAM,
                key=key,
                kind="intro",
                text="Meet your match",
                due_at=clock(),
                open_users=users,
            ),
            now=clock(),
        )
        await session.commit()


async def _status(database_url: str, key: str) -> OutboxMessage:
    engine = create_engine(database_url)
    try:
        async with create_sessionmaker(engine)() as session:
            row = await session.scalar(select(OutboxMessage).where(OutboxMessage.key == key))
            assert row is not None
            return row
    finally:
        await engine.dispose()


async def test_a_committed_intro_goes_out_at_once_without_waiting_for_a_poll(
    settings: Settings, fake_slack: FakeSlack, database_url: str
) -> None:
    clock = SimulatedClock(START)
    fake_slack.clock = clock
    # A poll far away: only the commit's wake-up can send within the test's patience.
    server = Server(
        settings, host="127.0.0.1", port=0, clock=clock, outbox_limits=Limits(poll_interval=60)
    )
    await server.start()
    try:
        await _queue(server, clock, "intro:1", ["U0ALICE", "U0BOB"])
        posted = await fake_slack.wait_for_call("chat.postMessage", timeout=5)
        assert posted.response["ok"] is True
    finally:
        await server.stop()
    row = await _status(database_url, "intro:1")
    assert row.status is OutboxStatus.SENT
    assert row.sent_channel_id == fake_slack.mpim_channel_id(["U0ALICE", "U0BOB"])


async def test_stopping_lets_a_send_in_progress_finish_and_record_it(
    settings: Settings, fake_slack: FakeSlack, database_url: str
) -> None:
    clock = SimulatedClock(START)
    server = Server(settings, host="127.0.0.1", port=0, clock=clock)
    await server.start()
    fake_slack.script("chat.postMessage", delay=0.5)
    try:
        await _queue(server, clock, "intro:slow", ["U0ALICE", "U0BOB"])
        arrived = await fake_slack.wait_for_arrival("chat.postMessage")
        assert not arrived.answered
    finally:
        await server.stop()
    [call] = fake_slack.calls_to("chat.postMessage")
    assert call.answered
    row = await _status(database_url, "intro:slow")
    assert row.status is OutboxStatus.SENT
    assert row.sent_ts == call.response["ts"]


async def test_a_server_with_the_loop_off_sends_only_when_asked(
    settings: Settings, fake_slack: FakeSlack, database_url: str
) -> None:
    clock = SimulatedClock(START)
    server = Server(settings, host="127.0.0.1", port=0, clock=clock, run_dispatcher=False)
    await server.start()
    try:
        await _queue(server, clock, "intro:later", ["U0ALICE", "U0BOB"])
        assert fake_slack.calls_to("chat.postMessage") == []
        assert await server.dispatcher.dispatch_once() == 1
        clock.advance(timedelta(minutes=1))
        assert await server.dispatcher.dispatch_once() == 0
    finally:
        await server.stop()
    assert len(fake_slack.calls_to("chat.postMessage")) == 1
