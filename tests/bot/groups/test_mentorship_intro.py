"""A mentorship's intro asks a question from the bank, like every other intro, counted as seen
by both, and its weekly questions are due from the intro on."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select

from bot.domain import GroupState, MemberRole, MembershipRole
from bot.groups import mentorship
from bot.process.clock import SimulatedClock
from bot.slack.copy import groups as copy
from bot.slack.mrkdwn import escape
from storage.models import MatchGroup, Question, QuestionSeen
from tests.bot.groups.conftest import START
from tests.bot.groups.factory import World


async def test_an_accepted_mentorship_is_introduced_with_a_bank_question(
    world: World, clock: SimulatedClock
) -> None:
    mentee = await world.person("U0MENTEE", role=MembershipRole.MENTEE)
    mentor = await world.person("U0MENTOR", "America/New_York", role=MembershipRole.MENTOR)
    round_ = await world.round(START, length=timedelta(days=28))
    group = await world.group(
        round_,
        [(mentor, MemberRole.MENTOR), (mentee, MemberRole.MENTEE)],
        state=GroupState.PROPOSED,
    )
    async with world.sessions() as session:
        outcome = await mentorship.answer(
            session,
            team_id=world.team_id,
            user_id="U0MENTOR",
            group_id=group.id,
            accept=True,
            now=clock(),
        )
        await session.commit()
    assert outcome.answer is mentorship.MentorAnswer.ACCEPTED

    async with world.sessions() as session:
        seen = list(await session.scalars(select(QuestionSeen)))
        question = await session.get(Question, seen[0].question_id)
    assert question is not None
    assert {s.person_id for s in seen} == {mentor.id, mentee.id}
    assert {(s.group_id, s.question_id, s.seen_at) for s in seen} == {
        (group.id, question.id, clock())
    }
    [intro] = await world.outbox(f"intro:{group.id}")
    texts = [b["text"]["text"] for b in intro.blocks if b.get("type") == "section"]
    assert f"*A first question to start with:* {escape(question.text)}" in texts
    assert copy.INTRO_QUESTION not in texts
    assert "group_met" in json.dumps(intro.blocks)  # the rest of the intro is intact
    stored = await world.reload(MatchGroup, group.id)
    assert stored.intro_at is not None
    assert stored.question_due_at == stored.intro_at + timedelta(days=7)
