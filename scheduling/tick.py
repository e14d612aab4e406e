"""The tick: once a minute, find due work in the database and do it.

Nothing due lives in memory: every step reads what is due by the injected clock's "now", so a
restart, a missed tick or a second process changes nothing, and after downtime the first tick
catches up (late, and once: each effect is keyed in the database). Only the process holding the
tick lock runs ticks (see `scheduling.leader`).

Steps are referenced by import path and resolved when a tick runs, so a step may live in a
package that is built separately. Each step is isolated: one that fails is logged and the
others still run.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Final

from apscheduler.schedulers.base import BaseScheduler

from scheduling.context import JobContext, context_for
from scheduling.leader import Leader

logger = logging.getLogger(__name__)

TICK_JOB_ID: Final = "tick"
TICK_FUNC: Final = "scheduling.tick:tick_job"
TICK_SECONDS: Final = 60
# A tick missed by up to this much still runs (once: coalesce); later ones are dropped, and
# the next tick catches up anyway because due work is read from the database.
TICK_MISFIRE_GRACE_SECONDS: Final = 5 * 60

Step = Callable[[JobContext, datetime], Awaitable[int]]

# In order: programmes get a date, pauses end, then rounds run (so a pause ending today counts).
STEPS: Final[tuple[str, ...]] = (
    "bot.rounds.steps:schedule_programmes",
    "bot.rounds.steps:end_pauses",
    "bot.rounds.steps:run_rounds",
    "bot.rounds.steps:close_cohorts",
    "bot.rounds.steps:match_flash",
    "bot.groups.followups:run_due",
    "bot.questions.steps:send_weekly",
    "bot.checkins.steps:send_due",
    "bot.digests.steps:post_due",
)


def resolve(path: str) -> Step:
    module_name, _, name = path.partition(":")
    step: Step = getattr(importlib.import_module(module_name), name)
    return step


async def run_tick(context_id: str, steps: tuple[str, ...] = STEPS) -> dict[str, int]:
    """Run every step once for `context_id` at its clock's "now"; returns what each did
    (-1 for a step that failed). Does not check the tick lock: `tick_job` does."""
    context = context_for(context_id)
    now = context.clock()
    done: dict[str, int] = {}
    for path in steps:
        try:
            step = resolve(path)
            done[path] = await step(context, now)
        except Exception:
            logger.exception("tick step %s failed", path)
            done[path] = -1
    return done


class Ticker:
    """This process's ticks: run them only while holding the lock, one at a time, and let a
    tick in progress finish on shutdown before the lock is released."""

    def __init__(self, context_id: str, leader: Leader) -> None:
        self.context_id = context_id
        self.leader = leader
        self._running = asyncio.Lock()
        self._stopping = False

    async def tick(self) -> dict[str, int] | None:
        if self._stopping:
            return None
        async with self._running:
            if self._stopping or not await self.leader.acquire():
                return None
            return await run_tick(self.context_id)

    async def stop(self) -> None:
        self._stopping = True
        async with self._running:
            await self.leader.release()


_TICKERS: dict[str, Ticker] = {}


def register_ticker(ticker: Ticker) -> None:
    _TICKERS[ticker.context_id] = ticker


async def stop_ticker(context_id: str) -> None:
    ticker = _TICKERS.pop(context_id, None)
    if ticker is not None:
        await ticker.stop()


async def tick_job(context_id: str) -> dict[str, int] | None:
    """The scheduled job: takes the process's context id, never objects."""
    ticker = _TICKERS.get(context_id)
    if ticker is None:
        return None  # the process is stopping
    return await ticker.tick()


def schedule_tick(
    scheduler: BaseScheduler, context_id: str, *, seconds: float = TICK_SECONDS
) -> None:
    """The tick job, every `seconds` of wall-clock time (a process on a scaled clock may want
    ticks more often than once a real minute)."""
    scheduler.add_job(
        TICK_FUNC,
        trigger="interval",
        seconds=seconds,
        id=TICK_JOB_ID,
        name="tick: rounds, pauses, follow-ups",
        kwargs={"context_id": context_id},
        replace_existing=True,
        coalesce=True,
        misfire_grace_time=TICK_MISFIRE_GRACE_SECONDS,
        max_instances=1,
    )


def run_soon(scheduler: BaseScheduler) -> None:
    """Fire the tick now rather than at its next minute (after "run a round now").

    The scheduler fires by the wall clock; what is due is still decided by the injected one."""
    job = scheduler.get_job(TICK_JOB_ID)
    if job is not None:
        job.modify(next_run_time=datetime.now(UTC))
