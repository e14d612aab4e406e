"""The process's one APScheduler. Jobs find due work in the database, so the job store is memory."""

from __future__ import annotations

from datetime import UTC

from apscheduler.schedulers.asyncio import AsyncIOScheduler

JOB_DEFAULTS = {
    # A tick that was missed (restart, long pause) runs once, not once per missed interval.
    "coalesce": True,
    "misfire_grace_time": 300,
    "max_instances": 1,
}


def create_scheduler() -> AsyncIOScheduler:
    return AsyncIOScheduler(timezone=UTC, job_defaults=JOB_DEFAULTS)
