"""Housekeeping: delivery claims are needed only while Slack may still retry or replay."""

from __future__ import annotations

import logging
from datetime import timedelta

from apscheduler.schedulers.base import BaseScheduler

from scheduling.context import context_for
from storage.repositories import ProcessedRequestRepository

logger = logging.getLogger(__name__)

PRUNE_CLAIMS_JOB_ID = "prune-processed-requests"
# Referenced by import path, so the job store holds text, not a function object.
PRUNE_CLAIMS_FUNC = "scheduling.prune:prune_processed_requests"
# Slack retries within minutes; a week also covers replays of an old button or modal.
CLAIM_MAX_AGE = timedelta(days=7)
PRUNE_INTERVAL = timedelta(hours=1)
# A tick missed by up to this much (a restart, a pause) still runs; older ticks are dropped.
PRUNE_MISFIRE_GRACE_SECONDS = 15 * 60


async def prune_processed_requests(context_id: str, max_age_days: int = CLAIM_MAX_AGE.days) -> int:
    """Delete claims older than `max_age_days` by the context's clock; returns how many."""
    context = context_for(context_id)
    cutoff = context.clock() - timedelta(days=max_age_days)
    async with context.sessions() as session:
        deleted = await ProcessedRequestRepository(session).forget_older_than(cutoff)
        await session.commit()
    logger.info("pruned %d delivery claims older than %s", deleted, cutoff.isoformat())
    return deleted


def schedule_prune(scheduler: BaseScheduler, context_id: str) -> None:
    scheduler.add_job(
        PRUNE_CLAIMS_FUNC,
        trigger="interval",
        seconds=int(PRUNE_INTERVAL.total_seconds()),
        id=PRUNE_CLAIMS_JOB_ID,
        name="prune delivery claims",
        kwargs={"context_id": context_id},
        replace_existing=True,
        coalesce=True,
        misfire_grace_time=PRUNE_MISFIRE_GRACE_SECONDS,
        max_instances=1,
    )
