"""The one source of "now": the system clock in production, a simulated one in tests and demos."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta


class SimulatedClock:
    """A clock that stands still until told to move, so weeks of cadence run in seconds.

    Call it like the system clock; `advance` and `set` move it forward (never back, because
    due times already handed out must stay in the past)."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("a simulated clock needs an aware start time")
        self._now = start.astimezone(UTC)

    def __call__(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> datetime:
        if delta < timedelta(0):
            raise ValueError("a clock does not go back")
        self._now += delta
        return self._now

    def set(self, when: datetime) -> datetime:
        when = when.astimezone(UTC)
        if when < self._now:
            raise ValueError("a clock does not go back")
        self._now = when
        return self._now


class ScaledClock:
    """A clock that runs `speed` times faster than real time from `start`: a separate process
    (a demo, a crash test) lives through days of cadence in minutes without being driven."""

    def __init__(self, start: datetime, speed: float) -> None:
        if start.tzinfo is None:
            raise ValueError("a scaled clock needs an aware start time")
        if speed <= 0:
            raise ValueError("a clock runs forwards")
        self._start = start.astimezone(UTC)
        self._speed = speed
        self._origin = time.monotonic()

    def __call__(self) -> datetime:
        return self._start + timedelta(seconds=(time.monotonic() - self._origin) * self._speed)
