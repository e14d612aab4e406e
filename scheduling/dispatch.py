"""Starting and stopping the outbox dispatcher with the process, beside the scheduler.

The dispatcher is not an APScheduler job: it runs its own loop, waking every poll interval
and whenever this process commits new outbox rows, so an intro goes out within about a second
of falling due rather than at the next one-minute tick."""

from __future__ import annotations

import aiohttp
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.outbox.client import create_delivery_client
from bot.outbox.dispatcher import Dispatcher
from bot.outbox.pacing import Limits
from bot.process.config import Settings
from bot.process.deps import Clock

# How long a stop waits for sends in progress before cancelling them.
DISPATCH_STOP_GRACE_SECONDS = 10.0


def create_dispatcher(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    *,
    clock: Clock,
    http: aiohttp.ClientSession | None = None,
    limits: Limits | None = None,
) -> Dispatcher:
    return Dispatcher(sessions, create_delivery_client(settings, http), clock=clock, limits=limits)


def start_dispatching(dispatcher: Dispatcher) -> None:
    dispatcher.start()


async def stop_dispatching(
    dispatcher: Dispatcher, grace: float = DISPATCH_STOP_GRACE_SECONDS
) -> None:
    await dispatcher.stop(grace)
