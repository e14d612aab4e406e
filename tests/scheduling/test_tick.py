"""The tick: isolated steps, its job settings, and a clean stop."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from bot.fakes import FakeSlack
from scheduling.leader import AlwaysLeader
from scheduling.scheduler import create_scheduler
from scheduling.tick import (
    STEPS,
    TICK_FUNC,
    TICK_JOB_ID,
    Ticker,
    register_ticker,
    run_soon,
    run_tick,
    schedule_tick,
    stop_ticker,
    tick_job,
)
from tests.bot.rounds.world import World, world
from tests.scheduling import steps_for_tests

START = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
FAILING = "tests.scheduling.steps_for_tests:failing"
COUNTING = "tests.scheduling.steps_for_tests:counting"


@pytest.fixture
async def w(database_url: str, fake_slack: FakeSlack) -> AsyncIterator[World]:
    async with world(database_url, fake_slack, START) as built:
        yield built


@pytest.mark.parametrize("database_kind", ["sqlite"], indirect=True)
async def test_a_failing_step_does_not_stop_the_others(
    w: World, caplog: pytest.LogCaptureFixture
) -> None:
    steps_for_tests.calls.clear()
    done = await run_tick(w.context_id, (FAILING, COUNTING))
    assert done == {FAILING: -1, COUNTING: 1}
    assert steps_for_tests.calls == [START]  # the injected clock's "now"
    assert any("tick step" in r.message and r.levelno == logging.ERROR for r in caplog.records)


@pytest.mark.parametrize("database_kind", ["sqlite"], indirect=True)
async def test_a_step_that_cannot_be_found_is_an_error_like_any_other(w: World) -> None:
    assert "bot.groups.followups:run_due" in STEPS
    missing = "bot.no_such_module:step"
    done = await run_tick(w.context_id, (missing, COUNTING))
    assert done[missing] == -1
    assert COUNTING in done  # the steps after it still ran


async def test_the_tick_job_is_one_interval_job_with_explicit_settings() -> None:
    scheduler = create_scheduler()
    scheduler.start(paused=True)
    try:
        schedule_tick(scheduler, "ctx")
        schedule_tick(scheduler, "ctx")  # replace_existing: still one job
        [job] = scheduler.get_jobs()
    finally:
        scheduler.shutdown(wait=False)
    assert job.id == TICK_JOB_ID
    assert job.func_ref == TICK_FUNC
    assert job.kwargs == {"context_id": "ctx"}
    assert job.trigger.interval.total_seconds() == 60
    assert job.coalesce is True
    assert job.misfire_grace_time == 300
    assert job.max_instances == 1


async def test_a_scaled_process_may_tick_more_often() -> None:
    scheduler = create_scheduler()
    scheduler.start(paused=True)
    try:
        schedule_tick(scheduler, "ctx", seconds=2)
        [job] = scheduler.get_jobs()
        assert job.trigger.interval.total_seconds() == 2
    finally:
        scheduler.shutdown(wait=False)


async def test_run_soon_moves_the_next_tick_to_now() -> None:
    scheduler = create_scheduler()
    scheduler.start(paused=True)
    try:
        schedule_tick(scheduler, "ctx")
        before = scheduler.get_job(TICK_JOB_ID).next_run_time
        run_soon(scheduler)
        after = scheduler.get_job(TICK_JOB_ID).next_run_time
        assert after < before
    finally:
        scheduler.shutdown(wait=False)


class _SlowLeader(AlwaysLeader):
    def __init__(self) -> None:
        self.released = False

    async def release(self) -> None:
        self.released = True


@pytest.mark.parametrize("database_kind", ["sqlite"], indirect=True)
async def test_stopping_lets_a_tick_in_progress_finish_then_releases_the_lock(w: World) -> None:
    leader = _SlowLeader()
    ticker = Ticker(w.context_id, leader)
    register_ticker(ticker)
    gate = asyncio.Event()
    finished: list[bool] = []

    async def slow_tick() -> None:
        async with ticker._running:  # the tick's own lock, held as a running tick holds it
            await gate.wait()
            finished.append(True)

    running = asyncio.create_task(slow_tick())
    await asyncio.sleep(0)
    stopping = asyncio.create_task(stop_ticker(w.context_id))
    await asyncio.sleep(0.01)
    assert not stopping.done()
    assert not leader.released
    gate.set()
    await asyncio.gather(running, stopping)
    assert finished == [True]
    assert leader.released
    # Once stopped, the scheduled job does nothing.
    assert await tick_job(w.context_id) is None
