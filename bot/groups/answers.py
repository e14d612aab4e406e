"""What the buttons of a group's messages record: We met, Skip, Yes / Not this time, Pause me,
and the answers to "stay, pause or leave?".

Each function runs in the caller's transaction (which has already claimed the click) and
returns what happened as plain values; the handler renders it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Final

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import EnrolmentState, GroupState, MeetingStatus, MembershipState
from bot.enrolment import service as enrolment
from bot.groups import keys
from storage.models import MatchGroup, Meeting, Person
from storage.repositories.groups import GroupRepository

GHOST_PAUSE: Final = timedelta(weeks=4)


class Said(StrEnum):
    """What a group's button says."""

    MET = "met"  # We met, or Yes to "did you meet?"
    SKIP = "skip"  # Skip this round
    NOT_MET = "not_met"  # Not this time
    PAUSE = "pause"  # Pause me


class Outcome(StrEnum):
    RECORDED = "recorded"
    ALREADY_MET = "already_met"
    ALREADY_SKIPPED = "already_skipped"
    NOT_A_MEMBER = "not_a_member"
    OVER = "over"  # the group ended (or never started): nothing left to record


@dataclass(frozen=True, slots=True)
class Answer:
    outcome: Outcome
    # Who the record names (the presser, or whoever answered first).
    recorded_by: str | None = None


# The end-of-round answers are expected after the group has ended; the others are not.
_AFTER_THE_END = frozenset({Said.MET, Said.NOT_MET})


async def _recorder(repo: GroupRepository, meeting: Meeting | None) -> str | None:
    if meeting is None or meeting.recorded_by is None:
        return None
    person = await repo.person_by_id(meeting.recorded_by)
    return person.slack_user_id if person is not None else None


async def record(
    session: AsyncSession,
    *,
    team_id: str,
    user_id: str,
    group_id: int,
    said: Said,
    late_ok: bool,
    now: datetime,
) -> Answer:
    """Record a group member's answer for the group's round.

    `late_ok` is True for the end-of-round question, whose buttons are pressed after the
    group has ended."""
    repo = GroupRepository(session)
    group = await repo.group(group_id, lock=True)
    person = await repo.person(team_id, user_id)
    if group is None or group.team_id != team_id:
        return Answer(Outcome.OVER)
    if person is None or await repo.is_member(group.id, person.id) is None:
        return Answer(Outcome.NOT_A_MEMBER)
    ended = group.state is GroupState.ENDED
    if group.state in (GroupState.PROPOSED, GroupState.DECLINED) or (
        ended and not (late_ok and said in _AFTER_THE_END)
    ):
        return Answer(Outcome.OVER)
    round_ = await repo.round(group.round_id)
    assert round_ is not None
    meeting = await repo.meeting(group.id, round_.scheduled_for)
    if group.met_at is not None and said is not Said.PAUSE:
        return Answer(Outcome.ALREADY_MET, await _recorder(repo, meeting) or user_id)
    if group.skipped_at is not None and said is not Said.PAUSE:
        return Answer(Outcome.ALREADY_SKIPPED, await _recorder(repo, meeting) or user_id)
    if meeting is None:
        meeting = Meeting(team_id=team_id, group_id=group.id, due_on=round_.scheduled_for)
        session.add(meeting)
    elif said is Said.PAUSE and meeting.recorded_at is not None:
        # Someone answered already; a pause adds nothing to the group's record.
        await _not_silent(session, group, round_.programme_id, round_.id, [person], ended=ended)
        return Answer(Outcome.RECORDED, user_id)
    meeting.recorded_by = person.id
    meeting.recorded_at = now
    if said is Said.MET:
        meeting.status = MeetingStatus.MET
        group.met_at = now
    elif said in (Said.SKIP, Said.NOT_MET):
        meeting.status = MeetingStatus.SKIPPED
        group.skipped_at = now
    else:
        # Pause me: a sign of life, not an outcome; the others may still meet.
        meeting.status = MeetingStatus.PENDING
    if said is not Said.PAUSE:
        await repo.cancel_pending(keys.all_nudges(group.id))
    await _not_silent(session, group, round_.programme_id, round_.id, [person], ended=ended)
    await session.flush()
    return Answer(Outcome.RECORDED, user_id)


async def _not_silent(
    session: AsyncSession,
    group: MatchGroup,
    programme_id: int | None,
    round_id: int,
    pressed_by: list[Person],
    *,
    ended: bool,
) -> None:
    """Answering is not silence. Before the end, the presser's count is reset (the end of the
    round resets everyone's in a group that answered). After the end, the round was already
    counted as silent for everyone in the group: undo that, and lift a hold it caused whose
    question has not gone out yet."""
    if programme_id is None:
        return
    repo = GroupRepository(session)
    people = pressed_by
    if ended:
        members = (await repo.members([group.id]))[group.id]
        people = [m.person for m in members if m.person is not None]
    for membership in await repo.memberships(programme_id, [p.id for p in people]):
        membership.silent_rounds = 0
        if ended and membership.on_hold_since is not None:
            key = keys.ghost(membership.id, round_id)
            if await repo.cancel_pending([key]):
                membership.on_hold_since = None


class GhostChoice(StrEnum):
    STAY = "stay"
    PAUSE = "pause"
    LEAVE = "leave"


class GhostOutcome(StrEnum):
    STAYED = "stayed"
    PAUSED = "paused"
    LEFT = "left"  # this programme
    LEFT_ALL = "left_all"  # and no other programme remains: left peercoach
    NOT_YOURS = "not_yours"
    ALREADY = "already"


@dataclass(frozen=True, slots=True)
class GhostAnswer:
    outcome: GhostOutcome
    paused_until: date | None = None


async def answer_ghost(
    session: AsyncSession,
    *,
    team_id: str,
    user_id: str,
    membership_id: int,
    choice: GhostChoice,
    now: datetime,
) -> GhostAnswer:
    """Stay (back in the next round), pause 4 weeks, or leave the programme."""
    repo = GroupRepository(session)
    membership = await repo.membership(membership_id)
    person = await repo.person_by_id(membership.person_id) if membership else None
    if (
        membership is None
        or person is None
        or person.team_id != team_id
        or person.slack_user_id != user_id
    ):
        return GhostAnswer(GhostOutcome.NOT_YOURS)
    if membership.state is MembershipState.LEFT or person.enrolment_state is EnrolmentState.LEFT:
        return GhostAnswer(GhostOutcome.ALREADY)
    membership.on_hold_since = None
    membership.silent_rounds = 0
    if choice is GhostChoice.STAY:
        await session.flush()
        return GhostAnswer(GhostOutcome.STAYED)
    if choice is GhostChoice.PAUSE:
        until = now.date() + GHOST_PAUSE
        await enrolment.pause(session, person, until, now=now)
        return GhostAnswer(GhostOutcome.PAUSED, until)
    membership.state = MembershipState.LEFT
    membership.left_at = now
    await session.flush()
    if await repo.active_membership_count(person.id) == 0:
        await enrolment.leave(session, person, now=now)
        return GhostAnswer(GhostOutcome.LEFT_ALL)
    return GhostAnswer(GhostOutcome.LEFT)
