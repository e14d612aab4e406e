"""The injected clocks: a simulated one that moves only when told, a scaled one that runs fast."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta, timezone

import pytest

from bot.process.clock import ScaledClock, SimulatedClock

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_simulated_clock_moves_only_when_told() -> None:
    clock = SimulatedClock(START)
    assert clock() == START
    assert clock() == START
    assert clock.advance(timedelta(days=7)) == START + timedelta(days=7)
    assert clock() == START + timedelta(days=7)
    clock.set(START + timedelta(days=8))
    assert clock() == START + timedelta(days=8)


def test_simulated_clock_is_utc_and_never_goes_back() -> None:
    clock = SimulatedClock(datetime(2026, 3, 2, 10, 0, tzinfo=timezone(timedelta(hours=1))))
    assert clock() == START
    assert clock().tzinfo is UTC
    with pytest.raises(ValueError, match="does not go back"):
        clock.advance(timedelta(seconds=-1))
    with pytest.raises(ValueError, match="does not go back"):
        clock.set(START - timedelta(seconds=1))
    with pytest.raises(ValueError, match="aware"):
        SimulatedClock(datetime(2026, 3, 2, 9, 0))


def test_scaled_clock_runs_faster_than_real_time() -> None:
    clock = ScaledClock(START, speed=3600)
    first = clock()
    time.sleep(0.05)
    second = clock()
    # 50 ms of real time at 3,600× is about three minutes of clock time.
    assert timedelta(minutes=2) < second - first < timedelta(minutes=30)
    assert first >= START
    with pytest.raises(ValueError, match="forwards"):
        ScaledClock(START, speed=0)
