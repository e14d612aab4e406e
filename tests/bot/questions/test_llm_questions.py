"""Drafted questions in the service, against the fake OpenAI server: a good draft is stored
and sent, a bad one falls back to the bank, and the prompt carries goal tags and a theme only."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.domain import Cadence, QuestionSource
from bot.fakes import FakeSlack
from bot.fakes.openai import GOOD_QUESTION, JUNK, Failure, FakeOpenAI, Reply, Silence
from bot.questions import service
from bot.questions.drafts import Drafter
from bot.questions.steps import send_weekly
from bot.rounds.service import run_round_now
from scheduling.context import JobContext
from storage.models import CheckIn, Question, QuestionSeen
from tests.bot.rounds.world import TEAM, World, world

WEDNESDAY = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
# Distinctive private words: none may ever reach the model.
PRIVATE = (
    "Zebedee",
    "Quixote-Marchbanks",
    "SECRETGOALPLUM",
    "Xylophone tuning",
    "PRIVATENOTEKIWI",
    "U0ZEBEDEE",
    "U0ORLA",
)


@pytest.fixture
async def w(database_url: str, fake_slack: FakeSlack) -> AsyncIterator[World]:
    async with world(database_url, fake_slack, WEDNESDAY) as built:
        yield built


@pytest.fixture
async def fake_openai() -> AsyncIterator[FakeOpenAI]:
    async with FakeOpenAI() as fake:
        yield fake


def _context(w: World, fake: FakeOpenAI, timeout: float = 5.0) -> JobContext:
    # The first request of a process is slow (the client's lazy imports); silence is not.
    drafter = Drafter(api_key=fake.api_key, model="m", base_url=fake.base_url, timeout=timeout)
    return JobContext(sessions=w.sessions, clock=w.clock, drafter=drafter)


async def _pair_a_week_on(w: World) -> None:
    programme = await w.programme(cadence=Cadence.MONTHLY)
    zeb = await w.person(
        "U0ZEBEDEE",
        real_name="Zebedee Quixote-Marchbanks",
        function="Xylophone tuning",
        goals=["SECRETGOALPLUM"],
        goal_tags=["delegation", "hiring"],
    )
    orla = await w.person("U0ORLA", goal_tags=["delegation"])
    await w.member(programme, zeb)
    await w.member(programme, orla)
    await w.add(
        CheckIn(team_id=TEAM, person_id=zeb.id, week_start=date(2026, 11, 30), note=PRIVATE[4])
    )
    assert (await run_round_now(w.sessions, None, programme.id, w.clock())).outcome == "ran"
    w.clock.advance(timedelta(days=7, minutes=1))


async def _drafted(w: World) -> list[Question]:
    async with w.sessions() as session:
        return list(
            await session.scalars(select(Question).where(Question.source == QuestionSource.LLM))
        )


async def test_a_good_draft_is_stored_sent_and_seen_and_the_prompt_holds_no_private_text(
    w: World, fake_openai: FakeOpenAI
) -> None:
    await _pair_a_week_on(w)
    assert await send_weekly(_context(w, fake_openai), w.clock()) == 1
    (drafted,) = await _drafted(w)
    assert drafted.text == GOOD_QUESTION
    assert drafted.team_id == TEAM
    (message,) = await w.outbox("question")
    assert GOOD_QUESTION in message.text
    async with w.sessions() as session:
        seen = list(
            await session.scalars(
                select(QuestionSeen).where(QuestionSeen.question_id == drafted.id)
            )
        )
    assert len(seen) == 2
    sent = fake_openai.sent_text()
    assert "delegating" in sent
    assert "leadership" in sent
    assert "hiring" not in sent  # Zebedee's alone, not shared
    for word in PRIVATE:
        assert word.lower() not in sent.lower()


@pytest.mark.parametrize(
    "behaviour",
    [Reply(JUNK["several"]), Reply(JUNK["too_long"]), Failure(500), Silence()],
    ids=["junk-list", "junk-long", "http-500", "silence"],
)
async def test_a_bad_draft_falls_back_to_the_bank(
    w: World, fake_openai: FakeOpenAI, behaviour: Reply | Failure | Silence
) -> None:
    await _pair_a_week_on(w)
    fake_openai.then(behaviour)
    timeout = 0.5 if isinstance(behaviour, Silence) else 5.0
    assert await send_weekly(_context(w, fake_openai, timeout), w.clock()) == 1
    assert await _drafted(w) == []
    (message,) = await w.outbox("question")
    async with w.sessions() as session:
        bank = set(
            await session.scalars(
                select(Question.text).where(Question.source == QuestionSource.CURATED)
            )
        )
    assert any(text in message.text for text in bank)


async def test_on_demand_uses_the_person_own_tags_and_counts_as_seen(
    w: World, fake_openai: FakeOpenAI
) -> None:
    await _pair_a_week_on(w)
    context = _context(w, fake_openai)
    outcome = await service.question_on_demand(
        w.sessions, context.drafter, TEAM, "U0ZEBEDEE", now=w.clock()
    )
    assert outcome.question is not None
    assert outcome.question.text == GOOD_QUESTION
    sent = fake_openai.sent_text()
    assert "hiring" in sent
    for word in PRIVATE:
        assert word.lower() not in sent.lower()
    # Asked again: the same draft is a duplicate now, so the bank answers.
    again = await service.question_on_demand(
        w.sessions, context.drafter, TEAM, "U0ZEBEDEE", now=w.clock()
    )
    assert again.question is not None
    assert again.question.source is QuestionSource.CURATED
    nobody = await service.question_on_demand(
        w.sessions, context.drafter, TEAM, "U0NOBODY", now=w.clock()
    )
    assert not nobody.enrolled
