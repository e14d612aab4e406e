"""A round's questions end to end in the database: the intro's first question from the bank,
then one question a week in the group DM for the rest of a longer round, queued once."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.domain import Cadence, GroupState
from bot.fakes import FakeSlack
from bot.questions.steps import send_weekly
from bot.rounds.service import run_round_now
from scheduling.context import context_for
from scheduling.tick import STEPS, run_tick
from storage.models import MatchGroup, OutboxMessage, Question, QuestionSeen
from tests.bot.rounds.world import World, world

# A Wednesday at noon in London: a round run now has its intros at once.
WEDNESDAY = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
STEP = "bot.questions.steps:send_weekly"


@pytest.fixture
async def w(database_url: str, fake_slack: FakeSlack) -> AsyncIterator[World]:
    async with world(database_url, fake_slack, WEDNESDAY) as built:
        yield built


async def _round(w: World, cadence: Cadence) -> list[MatchGroup]:
    programme = await w.programme(cadence=cadence)
    for user in ("U0ANA", "U0BEN", "U0CY", "U0DEE"):
        await w.member(programme, await w.person(user, goal_tags=["delegation"]))
    assert (await run_round_now(w.sessions, None, programme.id, w.clock())).outcome == "ran"
    async with w.sessions() as session:
        return list(await session.scalars(select(MatchGroup).order_by(MatchGroup.id)))


async def _seen(w: World) -> list[QuestionSeen]:
    async with w.sessions() as session:
        return list(await session.scalars(select(QuestionSeen).order_by(QuestionSeen.id)))


async def _texts(w: World, ids: set[int]) -> dict[int, str]:
    async with w.sessions() as session:
        rows = await session.execute(select(Question.id, Question.text).where(Question.id.in_(ids)))
        return {question_id: text for question_id, text in rows}


def test_the_weekly_step_runs_in_every_tick() -> None:
    assert STEP in STEPS


async def test_the_intro_asks_a_bank_question_seen_by_the_whole_group(w: World) -> None:
    groups = await _round(w, Cadence.WEEKLY)
    seen = await _seen(w)
    assert len(seen) == 4
    assert {s.group_id for s in seen} == {g.id for g in groups}
    texts = await _texts(w, {s.question_id for s in seen})
    for intro in await w.outbox("intro"):
        group_id = int(intro.key.split(":")[1])
        question = next(texts[s.question_id] for s in seen if s.group_id == group_id)
        assert question in json.dumps(intro.blocks)
    # A weekly round has no further question: the intro's is the week's.
    w.clock.advance(timedelta(days=6, hours=23))
    assert await send_weekly(context_for(w.context_id), w.clock()) == 0


async def test_each_later_week_of_a_round_gets_one_question_once(w: World) -> None:
    groups = await _round(w, Cadence.MONTHLY)
    context = context_for(w.context_id)
    assert await send_weekly(context, w.clock()) == 0  # the intro's week
    w.clock.advance(timedelta(days=7, minutes=1))
    assert await send_weekly(context, w.clock()) == 2
    assert await send_weekly(context, w.clock()) == 0
    questions = await w.outbox("question")
    assert sorted(q.key for q in questions) == sorted(f"question:{g.id}:2026-W50" for g in groups)
    for message in questions:
        # Due in everyone's working day, never before the week's question fell due.
        assert message.due_at >= w.clock() - timedelta(minutes=1)
        assert message.open_users
        assert len(message.open_users) == 2
    seen = await _seen(w)
    assert len(seen) == 8  # two questions for each of four people
    per_group: dict[int | None, set[int]] = {}
    for s in seen:
        per_group.setdefault(s.group_id, set()).add(s.question_id)
    assert all(len(ids) == 2 for ids in per_group.values())
    # A whole tick, as the scheduler runs it, adds nothing more this week.
    assert (await run_tick(w.context_id))[STEP] == 0
    w.clock.advance(timedelta(days=7))
    assert await send_weekly(context, w.clock()) == 2
    assert len(await w.outbox("question")) == 4


async def test_ended_groups_get_no_more_questions(w: World) -> None:
    groups = await _round(w, Cadence.MONTHLY)
    async with w.sessions() as session:
        for group in await session.scalars(select(MatchGroup)):
            group.state = GroupState.ENDED
        await session.commit()
    w.clock.advance(timedelta(days=7, minutes=1))
    assert await send_weekly(context_for(w.context_id), w.clock()) == 0
    assert groups


async def test_two_runners_at_once_queue_each_question_once(
    w: World, database_url: str, fake_slack: FakeSlack
) -> None:
    await _round(w, Cadence.FORTNIGHTLY)
    w.clock.advance(timedelta(days=7, minutes=1))
    async with world(database_url, fake_slack, w.clock(), name="second") as other:
        done = await asyncio.gather(
            send_weekly(context_for(w.context_id), w.clock()),
            send_weekly(context_for(other.context_id), other.clock()),
            return_exceptions=True,
        )
    assert sum(d for d in done if isinstance(d, int)) == 2
    assert len(await w.outbox("question")) == 2
    assert len(await _seen(w)) == 8  # intro and weekly question, each person once
    async with w.sessions() as session:
        keys = list(await session.scalars(select(OutboxMessage.key)))
    assert len(keys) == len(set(keys))


async def _due_times(w: World) -> dict[int, datetime | None]:
    async with w.sessions() as session:
        rows = await session.execute(select(MatchGroup.id, MatchGroup.question_due_at))
        return dict(rows.tuples().all())


async def test_each_group_keeps_when_its_next_question_is_due(w: World) -> None:
    groups = await _round(w, Cadence.MONTHLY)
    intros = {g.id: g.intro_at for g in groups}
    due = await _due_times(w)
    assert all(intros[g] is not None for g in due)
    assert due == {g: intros[g] + timedelta(days=7) for g in due}  # type: ignore[operator]
    context = context_for(w.context_id)
    w.clock.advance(timedelta(days=7, minutes=1))
    assert await send_weekly(context, w.clock()) == 2
    # Queued: the next one is a week on, so the ticks until then read nothing.
    assert await _due_times(w) == {g: at + timedelta(days=7) for g, at in due.items()}  # type: ignore[operator]
    # The group ends before its next question: the tick that finds it due forgets it.
    async with w.sessions() as session:
        for group in await session.scalars(select(MatchGroup)):
            group.state = GroupState.ENDED
        await session.commit()
    w.clock.advance(timedelta(days=7))
    assert await send_weekly(context, w.clock()) == 0
    assert set((await _due_times(w)).values()) == {None}


async def test_a_weekly_round_keeps_no_question_due(w: World) -> None:
    await _round(w, Cadence.WEEKLY)
    assert set((await _due_times(w)).values()) == {None}


async def test_a_tick_after_downtime_sends_the_current_week_once(w: World) -> None:
    groups = await _round(w, Cadence.MONTHLY)
    context = context_for(w.context_id)
    w.clock.advance(timedelta(days=15))  # two weeks missed: only this week's goes out
    assert await send_weekly(context, w.clock()) == 2
    assert sorted(q.key for q in await w.outbox("question")) == sorted(
        f"question:{g.id}:2026-W51" for g in groups
    )
    assert await send_weekly(context, w.clock()) == 0
