"""Tick steps for the tick's own tests: one that fails, one that counts."""

from __future__ import annotations

from datetime import datetime

from scheduling.context import JobContext

calls: list[datetime] = []


async def failing(context: JobContext, now: datetime) -> int:
    raise RuntimeError("this step always fails")


async def counting(context: JobContext, now: datetime) -> int:
    calls.append(now)
    return len(calls)
