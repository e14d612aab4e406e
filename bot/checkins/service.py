"""Weekly check-ins: recording answers (buttons, modal, plain words), deriving goal progress,
sharing a step with a circle, and opening this week's check-in on demand.

Functions flush and never commit: the caller owns the transaction. A person only ever
reaches their own check-in: every lookup is by their Slack id and workspace.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Final

from sqlalchemy.ext.asyncio import AsyncSession

from bot.checkins import timing
from bot.checkins.parse import ParsedAnswer
from bot.domain import GoalStatus, StepDone
from bot.outbox import Message, enqueue
from bot.slack.blocks.checkin import NOTE_LIMIT, STEP_LIMIT, Current, shared_step_message
from storage.models import CheckIn, Person
from storage.repositories import PersonRepository
from storage.repositories.checkins import CheckInRepository

_GOAL_SCORE: Final = {
    GoalStatus.STUCK: 1,
    GoalStatus.SOME_PROGRESS: 3,
    GoalStatus.ON_TRACK: 4,
    GoalStatus.ACHIEVED: 5,
}
_STEP_SCORE: Final = {StepDone.YES: 4, StepDone.PARTLY: 3, StepDone.NO: 2}


def goal_progress(status: GoalStatus | None, previous: StepDone | None) -> int | None:
    """1 to 5: the goal status, one up when last week's step happened, one down when not."""
    if status is None:
        return None if previous is None else _STEP_SCORE[previous]
    score = _GOAL_SCORE[status]
    if previous is StepDone.YES:
        score += 1
    elif previous is StepDone.NO:
        score -= 1
    return max(1, min(5, score))


class Outcome(StrEnum):
    SAVED = "saved"
    CLOSED = "closed"  # the week is over
    NOT_YOURS = "not_yours"  # no such check-in for this person


@dataclass(frozen=True, slots=True)
class Found:
    outcome: Outcome
    checkin: CheckIn | None = None
    person: Person | None = None


async def own_checkin(
    session: AsyncSession, team_id: str, user_id: str, checkin_id: int, now: datetime
) -> Found:
    person = await PersonRepository(session).get(team_id, user_id)
    checkin = await CheckInRepository(session).get(checkin_id)
    if person is None or checkin is None or checkin.person_id != person.id:
        return Found(Outcome.NOT_YOURS)
    if not timing.is_open(checkin.closes_at, now):
        return Found(Outcome.CLOSED, checkin, person)
    return Found(Outcome.SAVED, checkin, person)


def _answered(checkin: CheckIn, now: datetime) -> None:
    checkin.answered_at = now
    checkin.updated_at = now
    checkin.goal_progress = goal_progress(checkin.goal_status, checkin.previous_step_done)
    # Answered: the reminder has nothing left to remind about.
    if checkin.reminded_at is None:
        checkin.remind_at = None


def record_rating(checkin: CheckIn, rating: int, now: datetime) -> None:
    checkin.rating = rating
    _answered(checkin, now)


def record_previous(checkin: CheckIn, done: StepDone, now: datetime) -> None:
    checkin.previous_step_done = done
    _answered(checkin, now)


@dataclass(frozen=True, slots=True)
class ModalAnswer:
    """The whole modal as submitted: it shows the current answers, so it replaces them."""

    rating: int
    goal_status: GoalStatus
    met: bool | None
    step: str | None
    note: str | None
    step_shared: bool
    previous_step_done: StepDone | None
    # Whether the note may feed the programme team's anonymous summary of themes.
    note_shared: bool


async def record_modal(
    session: AsyncSession, checkin: CheckIn, person: Person, answer: ModalAnswer, now: datetime
) -> bool:
    """Save the modal; True when the step was shared with the person's circle."""
    checkin.rating = answer.rating
    checkin.goal_status = answer.goal_status
    checkin.met = answer.met
    checkin.step = answer.step
    checkin.note = answer.note
    checkin.step_shared = answer.step_shared and bool(answer.step)
    checkin.note_shared = answer.note_shared and bool(answer.note)
    if answer.previous_step_done is not None:
        checkin.previous_step_done = answer.previous_step_done
    _answered(checkin, now)
    await session.flush()
    return await share_step(session, checkin, person, now)


async def share_step(
    session: AsyncSession, checkin: CheckIn, person: Person, now: datetime
) -> bool:
    """Post a shared step to the person's circle, once per distinct step. Steps of people in
    pairs or mentorships, or not shared, stay private."""
    if not checkin.step_shared or not checkin.step:
        return False
    channel = await CheckInRepository(session).circle_channel(person.id)
    if channel is None:
        return False
    digest = hashlib.sha256(checkin.step.encode()).hexdigest()[:16]
    message = shared_step_message(person.slack_user_id, checkin.step)
    await enqueue(
        session,
        Message(
            team_id=checkin.team_id,
            key=f"checkin-step:{checkin.id}:{digest}",
            kind="step",
            text=message["text"],
            blocks=message["blocks"],
            due_at=now,
            channel_id=channel,
        ),
        now=now,
    )
    return True


@dataclass(frozen=True, slots=True)
class TextResult:
    # What is still to ask about (rating, goal_status), in that order; empty when complete.
    missing: tuple[str, ...]
    # Only free text was given: it went to the note.
    note_only: bool


def record_text(checkin: CheckIn, parsed: ParsedAnswer, raw: str, now: datetime) -> TextResult:
    """Merge what the words say into the check-in; nothing typed is dropped: unless the
    words were only the structured parts, they are added to the private note."""
    if parsed.rating is not None:
        checkin.rating = parsed.rating
    if parsed.goal_status is not None:
        checkin.goal_status = parsed.goal_status
    if parsed.met is not None:
        checkin.met = parsed.met
    if parsed.step is not None:
        checkin.step = parsed.step[:STEP_LIMIT]
    if parsed.free_text or not parsed.understood:
        words = raw.strip()
        note = f"{checkin.note}\n{words}" if checkin.note else words
        checkin.note = note[-NOTE_LIMIT:]
        # Sharing was agreed for the note as it was; words added in the DM were not offered,
        # so the note is private again until shared from the modal.
        checkin.note_shared = False
    _answered(checkin, now)
    missing = tuple(
        name
        for name, value in (("rating", checkin.rating), ("goal_status", checkin.goal_status))
        if value is None
    )
    return TextResult(missing=missing, note_only=not parsed.understood)


async def open_checkin(session: AsyncSession, person: Person, now: datetime) -> CheckIn | None:
    return await CheckInRepository(session).open_for(person.id, now)


async def this_week(session: AsyncSession, person: Person, now: datetime) -> CheckIn:
    """This local week's check-in, created (as already sent) when it was not planned or not
    sent yet: asked for with `checkin`, it needs no DM on the check-in day as well."""
    repo = CheckInRepository(session)
    slot = timing.week_slot(now, person.time_zone, 0)
    checkin = await repo.for_week(person.id, slot.week_start)
    if checkin is None:
        await repo.plan(
            team_id=person.team_id,
            person_id=person.id,
            programme_id=None,
            week_start=slot.week_start,
            due_at=now,
            closes_at=slot.closes_at,
            now=now,
        )
        checkin = await repo.for_week(person.id, slot.week_start)
        assert checkin is not None
    if checkin.sent_at is None:
        checkin.sent_at = now
    await session.flush()
    return checkin


async def current_answers(session: AsyncSession, checkin: CheckIn) -> Current:
    previous = await CheckInRepository(session).previous(checkin.person_id, checkin.week_start)
    return Current(
        rating=checkin.rating,
        goal_status=checkin.goal_status,
        met=checkin.met,
        step=checkin.step,
        note=checkin.note,
        step_shared=checkin.step_shared,
        note_shared=checkin.note_shared,
        previous_step=previous_step_of(previous, checkin),
        previous_step_done=checkin.previous_step_done,
    )


def previous_step_of(previous: CheckIn | None, checkin: CheckIn) -> str | None:
    """Last week's step (or the week before's, after a missed week)."""
    if previous is None or not previous.step:
        return None
    if (checkin.week_start - previous.week_start).days > 14:
        return None
    return previous.step
