"""A mentorship waits for its mentor: asked by DM, passed to the next best mentor on Decline
or after 3 days of silence, introduced to the mentee on Accept. The mentee hears at each step.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import EnrolmentState, GroupState, MemberRole
from bot.groups import keys
from bot.groups.timing import reminder_due
from bot.outbox import Message, enqueue
from bot.questions.picker import Picker
from bot.questions.weeks import next_due
from bot.slack.blocks import groups as blocks
from bot.slack.blocks.questions import with_first_question
from bot.slack.copy import groups as copy
from storage.models import MatchGroup, Person, Round
from storage.repositories import OutboxRepository
from storage.repositories.groups import GroupRepository, Member

ANSWER_WITHIN: Final = timedelta(days=3)


@dataclass(frozen=True, slots=True)
class Pair:
    mentor: Member | None
    mentee: Member | None


def pair_of(members: list[Member]) -> Pair:
    mentor = next((m for m in members if m.row.role is MemberRole.MENTOR), None)
    mentee = next((m for m in members if m.row.role is MemberRole.MENTEE), None)
    return Pair(mentor, mentee)


async def _ask(
    session: AsyncSession,
    group: MatchGroup,
    mentor: Person,
    mentee: Person,
    *,
    first: bool,
    now: datetime,
) -> None:
    """Queue the request to `mentor` and the word to the mentee; the 3 days run from when the
    request is due to go out (inside the mentor's working day)."""
    asked_at = reminder_due(now, [mentor.time_zone])
    group.mentor_asked_at = asked_at
    request = blocks.mentor_request(
        group.id,
        mentee_user_id=mentee.slack_user_id,
        function=mentee.function,
        goals=list(mentee.goals or []),
    )
    await enqueue(
        session,
        Message(
            team_id=group.team_id,
            key=keys.mentor_ask(group.id, mentor.slack_user_id),
            kind="mentor-ask",
            text=request["text"],
            blocks=request["blocks"],
            due_at=asked_at,
            open_users=[mentor.slack_user_id],
        ),
        now=now,
    )
    word = blocks.plain(copy.MENTEE_WAIT if first else copy.MENTEE_NEXT)
    await enqueue(
        session,
        Message(
            team_id=group.team_id,
            key=keys.mentee_wait(group.id, mentor.slack_user_id),
            kind="dm",
            text=word["text"],
            blocks=word["blocks"],
            due_at=reminder_due(now, [mentee.time_zone]),
            open_users=[mentee.slack_user_id],
        ),
        now=now,
    )


async def ask_first(session: AsyncSession, group_id: int, *, now: datetime) -> bool:
    """Ask a proposed group's mentor, once. False when someone asked already."""
    repo = GroupRepository(session)
    group = await repo.claim_ask(group_id, now)
    if group is None:
        return False
    pair = pair_of((await repo.members([group.id]))[group.id])
    if pair.mentee is None or pair.mentee.person is None:
        # The mentee asked to be forgotten: nobody is left to mentor.
        group.state = GroupState.DECLINED
        group.ended_at = now
        return True
    if pair.mentor is None or pair.mentor.person is None:
        await pass_on(session, group, pair, now=now)
        return True
    await _ask(session, group, pair.mentor.person, pair.mentee.person, first=True, now=now)
    return True


async def _next_mentor(
    repo: GroupRepository, group: MatchGroup, taken: set[int]
) -> tuple[Person | None, list[str]]:
    remaining = list(group.mentor_fallbacks or [])
    while remaining:
        person = await repo.person(group.team_id, remaining.pop(0))
        if (
            person is not None
            and person.id not in taken
            and person.enrolment_state is EnrolmentState.ENROLLED
        ):
            return person, remaining
    return None, []


async def pass_on(session: AsyncSession, group: MatchGroup, pair: Pair, *, now: datetime) -> None:
    """The current mentor declined or did not answer: ask the next one in line, or, with
    nobody left, close the proposal and tell the mentee kindly."""
    repo = GroupRepository(session)
    mentee = pair.mentee.person if pair.mentee is not None else None
    if mentee is None:
        group.state = GroupState.DECLINED
        group.ended_at = now
        return
    taken = {mentee.id}
    if pair.mentor is not None and pair.mentor.person is not None:
        taken.add(pair.mentor.person.id)
    mentor, remaining = await _next_mentor(repo, group, taken)
    group.mentor_fallbacks = remaining
    if mentor is None or pair.mentor is None:
        group.state = GroupState.DECLINED
        group.ended_at = now
        group.mentor_asked_at = None
        word = blocks.plain(copy.MENTEE_NONE)
        await enqueue(
            session,
            Message(
                team_id=group.team_id,
                key=keys.mentee_none(group.id),
                kind="dm",
                text=word["text"],
                blocks=word["blocks"],
                due_at=reminder_due(now, [mentee.time_zone]),
                open_users=[mentee.slack_user_id],
            ),
            now=now,
        )
        return
    pair.mentor.row.person_id = mentor.id
    await _ask(session, group, mentor, mentee, first=False, now=now)


async def time_out(session: AsyncSession, group_id: int, *, now: datetime) -> bool:
    """Pass a request nobody answered for 3 days on; False when it moved on meanwhile."""
    repo = GroupRepository(session)
    group = await repo.claim_timeout(group_id, now - ANSWER_WITHIN)
    if group is None:
        return False
    pair = pair_of((await repo.members([group.id]))[group.id])
    await pass_on(session, group, pair, now=now)
    return True


class MentorAnswer(StrEnum):
    ACCEPTED = "accepted"
    DECLINED = "declined"
    MOVED_ON = "moved_on"  # the request went to someone else, or was settled already
    NOT_YOURS = "not_yours"


@dataclass(frozen=True, slots=True)
class MentorOutcome:
    answer: MentorAnswer
    mentee_user_id: str | None = None


async def answer(
    session: AsyncSession,
    *,
    team_id: str,
    user_id: str,
    group_id: int,
    accept: bool,
    now: datetime,
) -> MentorOutcome:
    """The mentor pressed Accept or Decline."""
    repo = GroupRepository(session)
    group = await repo.claim_proposed(group_id)
    if group is None or group.team_id != team_id:
        return MentorOutcome(MentorAnswer.MOVED_ON)
    pair = pair_of((await repo.members([group.id]))[group.id])
    mentor = pair.mentor.person if pair.mentor is not None else None
    mentee = pair.mentee.person if pair.mentee is not None else None
    if mentor is None or mentor.slack_user_id != user_id:
        # A mentor asked earlier (the request moved on), or someone it was never sent to.
        asked = await OutboxRepository(session).by_key(keys.mentor_ask(group.id, user_id))
        return MentorOutcome(MentorAnswer.MOVED_ON if asked else MentorAnswer.NOT_YOURS)
    if mentee is None:
        group.state = GroupState.DECLINED
        group.ended_at = now
        return MentorOutcome(MentorAnswer.MOVED_ON)
    if not accept:
        await pass_on(session, group, pair, now=now)
        return MentorOutcome(MentorAnswer.DECLINED, mentee.slack_user_id)
    group.state = GroupState.ACTIVE
    users = [mentor.slack_user_id, mentee.slack_user_id]
    due = reminder_due(now, [mentor.time_zone, mentee.time_zone])
    group.intro_at = due
    round_row = await session.get(Round, group.round_id)
    group.question_due_at = next_due(due, round_row.ends_at if round_row else None, due)
    intro = blocks.mentorship_intro(
        group.id, mentor_user_id=mentor.slack_user_id, mentee_user_id=mentee.slack_user_id
    )
    # The first question comes from the bank, as in every other intro, and counts as seen.
    pair_people = [mentor, mentee]
    picker = await Picker.load(session, group.team_id, [p.id for p in pair_people], now=now)
    chosen = await picker.pick(pair_people, seed=f"group:{group.id}", group_id=group.id)
    if chosen is not None:
        intro = with_first_question(intro, copy.INTRO_QUESTION, chosen.text)
    await enqueue(
        session,
        Message(
            team_id=group.team_id,
            key=keys.intro(group.id),
            kind="intro",
            text=intro["text"],
            blocks=intro["blocks"],
            due_at=due,
            open_users=users,
            on_sent={"group_id": group.id},
        ),
        now=now,
    )
    return MentorOutcome(MentorAnswer.ACCEPTED, mentee.slack_user_id)
