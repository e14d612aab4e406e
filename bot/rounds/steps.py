"""The tick's steps for rounds: each reads its due work from the database by `now`.

Every step has the shape ``async def step(context: JobContext, now: datetime) -> int`` (how
much it did) and is safe to run again or from a second runner.
"""

from __future__ import annotations

import logging
from datetime import datetime

from bot.rounds.away import Directory
from bot.rounds.daily import end_pauses as _end_pauses
from bot.rounds.daily import match_flash as _match_flash
from bot.rounds.service import close_cohort, run_programme_round, schedule_programme
from scheduling.context import JobContext
from storage.repositories.rounds import RoundRepository

logger = logging.getLogger(__name__)


async def schedule_programmes(context: JobContext, now: datetime) -> int:
    """Give every open programme without a next round its next round date."""
    async with context.sessions() as session:
        programmes = await RoundRepository(session).unscheduled_programmes()
    scheduled = 0
    for programme in programmes:
        if await schedule_programme(context.sessions, programme, now):
            scheduled += 1
    return scheduled


async def run_rounds(context: JobContext, now: datetime) -> int:
    """Run every round due by `now` (late ones included, each once)."""
    async with context.sessions() as session:
        due = await RoundRepository(session).due_programme_ids(now)
    ran = 0
    directories: dict[str, Directory] = {}
    for programme_id in due:
        # One programme's failure must not keep the others' rounds from running.
        try:
            summary = await run_programme_round(
                context.sessions, context.slack, programme_id, now, directories=directories
            )
        except Exception:
            logger.exception("round of programme %s failed; it is retried next tick", programme_id)
            continue
        ran += summary.outcome == "ran"
    return ran


async def end_pauses(context: JobContext, now: datetime) -> int:
    return await _end_pauses(context.sessions, now)


async def close_cohorts(context: JobContext, now: datetime) -> int:
    """Close cohorts whose end date has passed (an admin may have moved it earlier)."""
    async with context.sessions() as session:
        ended = await RoundRepository(session).ended_cohorts(now.date())
    closed = 0
    for programme in ended:
        closed += await close_cohort(context.sessions, programme.id, now)
    return closed


async def match_flash(context: JobContext, now: datetime) -> int:
    return await _match_flash(context.sessions, now)
