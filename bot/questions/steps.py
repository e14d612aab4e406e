"""The weekly question: each active group gets one a week in its group DM during its round.

Referenced by the tick as `bot.questions.steps:send_weekly`. The intro carries the round's
first question; in rounds longer than a week, each later week's question falls due at the
intro's hour on the intro's weekday (daytime for the whole group, chosen when the round ran)
and goes out at the first moment inside everyone's working day from then. The outbox key
`question:<group>:<ISO week>` is unique, and the question is recorded as seen in the same
transaction that queues it, so a second runner, a second tick or a restart sends it once.
"""

from __future__ import annotations

import logging
from datetime import datetime

from bot.groups.timing import reminder_due
from bot.outbox import Message, enqueue
from bot.questions.service import draft_for, give_question
from bot.slack.blocks.questions import weekly_question_message
from scheduling.context import JobContext
from storage.repositories.questions import WEEK, WeeklyCandidate, WeeklyRepository

logger = logging.getLogger(__name__)


def week_due(candidate: WeeklyCandidate, now: datetime) -> datetime | None:
    """When this week's question fell due, or None when it is beyond the round's end."""
    weeks = (now - candidate.intro_at) // WEEK
    if weeks < 1:
        return None
    due = candidate.intro_at + weeks * WEEK
    return due if due < candidate.ends_at else None


def key_for(group_id: int, due: datetime) -> str:
    year, week, _ = due.isocalendar()
    return f"question:{group_id}:{year}-W{week:02d}"


async def send_weekly(context: JobContext, now: datetime) -> int:
    async with context.sessions() as session:
        repo = WeeklyRepository(session)
        candidates = await repo.groups_past_first_week(now)
        due: dict[str, WeeklyCandidate] = {}
        for candidate in candidates:
            when = week_due(candidate, now)
            if when is not None:
                due[key_for(candidate.group_id, when)] = candidate
        queued = await repo.queued_keys(list(due))
    done = 0
    for key, candidate in due.items():
        if key in queued:
            continue
        try:
            if await _send(context, key, candidate, now):
                done += 1
        except Exception:
            logger.exception("weekly question for group %s failed", candidate.group_id)
    if done:
        logger.info("weekly questions queued: %d", done)
    return done


async def _send(context: JobContext, key: str, candidate: WeeklyCandidate, now: datetime) -> bool:
    async with context.sessions() as session:
        people = await WeeklyRepository(session).members(candidate.group_id)
    if not people:
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
        await session.commit()
    return True
