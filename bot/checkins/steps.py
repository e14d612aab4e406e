"""The check-ins' scheduler step: plan each person's next check-in, send those due, remind once.

`send_due` is referenced by import path (`bot.checkins.steps:send_due`) and called on every
tick with the tick's "now". Everything due is read from the database through partial indexes
(planned and unsent; unanswered and not yet reminded), so a tick with nothing to do costs a
few index lookups however many people take part. Each message is written to the outbox in
the transaction that marks it sent, under a key unique for ever
(``checkin:<person>:<week>``, ``checkin-reminder:<person>:<week>``): a second runner, a replay
or a restart neither repeats nor skips one.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.checkins import timing
from bot.checkins.service import previous_step_of
from bot.outbox import Message, enqueue
from bot.slack.blocks.checkin import checkin_message, reminder_message
from scheduling.context import JobContext
from storage.models import Person
from storage.repositories.checkins import CheckInRepository

logger = logging.getLogger(__name__)


def checkin_key(person_id: int, week_start: date) -> str:
    return f"checkin:{person_id}:{week_start}"


def reminder_key(person_id: int, week_start: date) -> str:
    return f"checkin-reminder:{person_id}:{week_start}"


async def plan(context: JobContext, now: datetime) -> int:
    """Give everyone taking part, who has no check-in ahead, their next one."""
    today = now.date()
    async with context.sessions() as session:
        repo = CheckInRepository(session)
        # Local weeks start up to a day either side of the UTC one: two weeks back is enough.
        recent = timing.monday_of(today) - timedelta(days=7)
        candidates = await repo.unplanned(now - timing.CATCH_UP, today, recent)
        if not candidates:
            return 0
        last = await repo.last_weeks([c.person_id for c in candidates])
        planned = 0
        for candidate in candidates:
            slot = timing.next_slot(
                now,
                candidate.time_zone,
                candidate.weekday,
                after_week=last.get(candidate.person_id),
            )
            if await repo.plan(
                team_id=candidate.team_id,
                person_id=candidate.person_id,
                programme_id=candidate.programme_id,
                week_start=slot.week_start,
                due_at=slot.due_at,
                closes_at=slot.closes_at,
                now=now,
            ):
                planned += 1
        await session.commit()
    if planned:
        logger.info("check-ins: %s planned", planned)
    return planned


async def send(context: JobContext, now: datetime) -> int:
    """Queue every check-in that is due, unless its person stopped taking part or its week
    is over (then it is dropped: nothing was answered, nothing is lost)."""
    sent = dropped = 0
    async with context.sessions() as session:
        repo = CheckInRepository(session)
        due = await repo.due_unsent(now)
        if not due:
            return 0
        taking_part = await repo.still_taking_part([p.id for _, p in due], now.date())
        for checkin, person in due:
            at = timing.send_time(now, person.time_zone)
            closes = checkin.closes_at or now
            if person.id not in taking_part or at >= closes:
                dropped += int(await repo.drop_unanswered(checkin.id))
                continue
            remind_at = timing.reminder_time(at, closes, person.time_zone)
            if not await repo.claim_sent(checkin.id, now, remind_at):
                continue
            previous = await repo.previous(person.id, checkin.week_start)
            message = checkin_message(checkin.id, previous_step_of(previous, checkin))
            key = checkin_key(person.id, checkin.week_start)
            await _queue(session, person, key, message, at=at, now=now)
            sent += 1
        await session.commit()
    if sent or dropped:
        logger.info("check-ins: %s queued, %s dropped", sent, dropped)
    return sent


async def remind(context: JobContext, now: datetime) -> int:
    """One reminder for a check-in still unanswered, inside working hours, before it closes."""
    reminded = 0
    async with context.sessions() as session:
        repo = CheckInRepository(session)
        due = await repo.due_reminders(now)
        if not due:
            return 0
        for checkin, person in due:
            if not await repo.claim_reminded(checkin.id, now):
                continue
            at = timing.send_time(now, person.time_zone)
            if checkin.answered_at is not None or not timing.is_open(checkin.closes_at, at):
                continue
            key = reminder_key(person.id, checkin.week_start)
            await _queue(session, person, key, reminder_message(checkin.id), at=at, now=now)
            reminded += 1
        await session.commit()
    if reminded:
        logger.info("check-ins: %s reminders queued", reminded)
    return reminded


async def _queue(
    session: AsyncSession,
    person: Person,
    key: str,
    message: dict[str, Any],
    *,
    at: datetime,
    now: datetime,
) -> None:
    """A check-in DM (or its reminder) into the outbox, in the caller's transaction."""
    await enqueue(
        session,
        Message(
            team_id=person.team_id,
            key=key,
            kind="checkin",
            text=message["text"],
            blocks=message["blocks"],
            due_at=at,
            open_users=[person.slack_user_id],
        ),
        now=now,
    )


async def send_due(context: JobContext, now: datetime) -> int:
    """The tick's step: plan, send and remind; returns how many of each were done."""
    return await plan(context, now) + await send(context, now) + await remind(context, now)
