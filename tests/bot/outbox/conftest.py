"""A dispatcher over a real database and the fake Slack, on a simulated clock."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import aiohttp
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.fakes import FakeSlack
from bot.outbox import Dispatcher, Limits, Message, OutboxFile, enqueue
from bot.outbox.client import create_delivery_client
from bot.process.clock import SimulatedClock
from bot.process.config import Settings
from storage.models import MatchGroup, OutboxMessage, OutboxMessageFile, Round, Workspace
from storage.session import create_sessionmaker
from tests.fixtures.app import make_settings

START = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
TEAM = "T0PEERCO"
PEOPLE = [f"U0P{n:03d}" for n in range(60)]


@dataclass
class Outbox:
    """Everything a dispatcher test needs, with helpers to queue rows and read them back."""

    fake: FakeSlack
    clock: SimulatedClock
    sessions: async_sessionmaker[AsyncSession]
    settings: Settings
    http: aiohttp.ClientSession
    dispatchers: list[Dispatcher] = field(default_factory=list)

    def dispatcher(
        self,
        sessions: async_sessionmaker[AsyncSession] | None = None,
        *,
        limits: Limits | None = None,
        owner: str | None = None,
        timeout: int = 5,
    ) -> Dispatcher:
        dispatcher = Dispatcher(
            sessions or self.sessions,
            create_delivery_client(self.settings, self.http, timeout=timeout),
            clock=self.clock,
            limits=limits,
            owner=owner,
            rng=random.Random(len(self.dispatchers)),
        )
        self.dispatchers.append(dispatcher)
        return dispatcher

    async def queue(
        self,
        key: str,
        *,
        channel_id: str | None = None,
        open_users: Sequence[str] = (),
        due_in: timedelta = timedelta(0),
        on_sent: dict[str, Any] | None = None,
        text: str | None = None,
        file: OutboxFile | None = None,
        thread_key: str | None = None,
    ) -> None:
        async with self.sessions() as session:
            await enqueue(
                session,
                Message(
                    team_id=TEAM,
                    key=key,
                    kind=key.split(":", 1)[0],
                    text=text or f"Hello from {key}",
                    blocks=[{"type": "section", "text": {"type": "mrkdwn", "text": "Hello"}}],
                    due_at=self.clock() + due_in,
                    channel_id=channel_id,
                    open_users=open_users,
                    on_sent=on_sent,
                    file=file,
                    thread_key=thread_key,
                ),
                now=self.clock(),
            )
            await session.commit()

    async def row(self, key: str) -> OutboxMessage:
        async with self.sessions() as session:
            found = await session.scalar(select(OutboxMessage).where(OutboxMessage.key == key))
            assert found is not None
            return found

    async def file_row(self, key: str) -> OutboxMessageFile:
        async with self.sessions() as session:
            found = await session.scalar(
                select(OutboxMessageFile)
                .join(OutboxMessage, OutboxMessage.id == OutboxMessageFile.message_id)
                .where(OutboxMessage.key == key)
            )
            assert found is not None
            return found

    async def rows(self) -> list[OutboxMessage]:
        async with self.sessions() as session:
            return list((await session.scalars(select(OutboxMessage))).all())

    async def group(self) -> int:
        """A match group (with its round) for on_sent to point at."""
        async with self.sessions() as session:
            round_ = Round(
                team_id=TEAM, mode="pairs", seed=1, scheduled_for=date(2026, 12, 7), ends_on=None
            )
            session.add(round_)
            await session.flush()
            group = MatchGroup(team_id=TEAM, round_id=round_.id, score=1.0)
            session.add(group)
            await session.commit()
            return group.id

    async def group_channel(self, group_id: int) -> str | None:
        async with self.sessions() as session:
            group = await session.get(MatchGroup, group_id)
            assert group is not None
            return group.channel_id

    def copies(self, key: str) -> list[dict[str, Any]]:
        """Every message in the fake carrying `key` in its metadata, in any conversation."""
        return [
            message
            for messages in self.fake.messages.values()
            for message in messages
            if (message.get("metadata") or {}).get("event_payload", {}).get("key") == key
        ]

    async def until_settled(
        self,
        dispatcher: Dispatcher,
        *,
        step: timedelta = timedelta(seconds=30),
        rounds: int = 200,
        done: Callable[[], Awaitable[bool]] | None = None,
    ) -> int:
        """dispatch_once, then move the clock on, until no row is pending or sending."""
        sent = 0
        for _ in range(rounds):
            sent += await dispatcher.dispatch_once()
            rows = await self.rows()
            if all(r.status.value in ("sent", "failed", "cancelled") for r in rows):
                return sent
            self.clock.advance(step)
        raise AssertionError("the outbox did not settle")


@pytest.fixture
async def outbox(
    fake_slack: FakeSlack, database_url: str, migrated_engine: AsyncEngine
) -> AsyncIterator[Outbox]:
    clock = SimulatedClock(START)
    fake_slack.clock = clock
    for user_id in PEOPLE:
        fake_slack.add_user(user_id, name=user_id.lower())
    sessions = create_sessionmaker(migrated_engine, clock=clock)
    async with sessions() as session:
        session.add(Workspace(team_id=TEAM, name="Acme"))
        await session.commit()
    async with aiohttp.ClientSession() as http:
        yield Outbox(
            fake=fake_slack,
            clock=clock,
            sessions=sessions,
            settings=make_settings(fake_slack, database_url),
            http=http,
        )
