"""The weekly question: each active group gets one a week in its group DM during its round.

Referenced by the tick as `bot.questions.steps:send_weekly`. The intro carries the round's
first question; in rounds longer than a week, each later week's question falls due at the
intro's hour on the intro's weekday (daytime for the whole group, chosen when the round ran)
and goes out at the first moment inside everyone's working day from then. Each group keeps
when its next question is due (`question_due_at`, set with its intro), so a tick reads only
the groups due, through a partial index, and an idle tick costs one index lookup. The outbox
key `question:<group>:<ISO week>` is unique, and the question is recorded as seen and the
group's next due time moved on in the same transaction that queues it, so a second runner, a
second tick or a restart sends it once.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from bot.groups.timing import reminder_due
from bot.outbox import Message, enqueue
from bot.questions.service import draft_for, give_question
from bot.questions.weeks import next_due, week_due
from bot.slack.blocks.questions import weekly_question_message
from scheduling.context import JobContext
from storage.repositories.questions import WeeklyCandidate, WeeklyRepository

logger = logging.getLogger(__name__)

# Groups one tick handles; the rest are still due on the next tick. With an LLM, a draft may
# take up to its 10 s limit, so drafts run a few at a time and one tick stays short.
BATCH = 100
AT_ONCE = 8


def key_for(group_id: int, due: datetime) -> str:
    year, week, _ = due.isocalendar()
    return f"question:{group_id}:{year}-W{week:02d}"


def _next(candidate: WeeklyCandidate, now: datetime) -> datetime | None:
    if not candidate.running:
        return None
    return next_due(candidate.intro_at, candidate.ends_at, now)


async def send_weekly(context: JobContext, now: datetime) -> int:
    due: dict[str, WeeklyCandidate] = {}
    async with context.sessions() as session:
        repo = WeeklyRepository(session)
        settle: dict[int, datetime | None] = {}
        for candidate in await repo.questions_due(now, BATCH):
            when = None
            if candidate.running and candidate.ends_at is not None:
                when = week_due(candidate.intro_at, candidate.ends_at, now)
            if when is None:
                settle[candidate.group_id] = _next(candidate, now)
            else:
                due[key_for(candidate.group_id, when)] = candidate
        # Already queued (before the due time was kept, or by a runner that then failed to
        # move it on): only the due time moves.
        for key in await repo.queued_keys(list(due)):
            queued = due.pop(key)
            settle[queued.group_id] = _next(queued, now)
        await repo.set_question_due(settle)
        await session.commit()
    gate = asyncio.Semaphore(AT_ONCE)

    async def send(key: str, candidate: WeeklyCandidate) -> bool:
        async with gate:
            try:
                return await _send(context, key, candidate, now)
            except Exception:
                # One group's failure must not keep the others from their question.
                logger.exception("weekly question for group %s failed", candidate.group_id)
                return False

    sent = await asyncio.gather(*(send(key, candidate) for key, candidate in due.items()))
    done = sum(sent)
    if done:
        logger.info("weekly questions queued: %d", done)
    return done


async def _send(context: JobContext, key: str, candidate: WeeklyCandidate, now: datetime) -> bool:
    async with context.sessions() as session:
        repo = WeeklyRepository(session)
        people = await repo.members(candidate.group_id)
        if not people:
            # Everyone in it asked to be forgotten: nobody to ask this week.
            await repo.set_question_due({candidate.group_id: _next(candidate, now)})
            await session.commit()
            return False
    seed = f"group:{candidate.group_id}"
    draft = await draft_for(
        context.sessions,
        context.drafter,
        people,
        seed=seed,
        ref=f"group {candidate.group_id}",
        now=now,
    )
    async with context.sessions() as session:
        repo = WeeklyRepository(session)
        chosen = await give_question(
            session,
            candidate.team_id,
            people,
            draft=draft,
            seed=seed,
            group_id=candidate.group_id,
            now=now,
        )
        if chosen is None:
            await session.rollback()
            return False
        text, blocks = weekly_question_message(chosen.text)
        queued = await enqueue(
            session,
            Message(
                team_id=candidate.team_id,
                key=key,
                kind="question",
                text=text,
                blocks=blocks,
                due_at=reminder_due(now, [p.time_zone for p in people]),
                channel_id=candidate.channel_id,
                open_users=[] if candidate.channel_id else [p.slack_user_id for p in people],
            ),
            now=now,
        )
        if not queued:
            # Another runner queued it first: its record of who saw what stands, not ours.
            await session.rollback()
            return False
        await repo.set_question_due({candidate.group_id: _next(candidate, now)})
        await session.commit()
    return True
