"""The question bank in the database: loaded by the migration, a year without a repeat, what
any member saw, themes from goal tags, per-workspace retiring, export and forget."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.domain import QuestionSource, QuestionTheme
from bot.privacy.service import export_person, forget_person
from bot.process.clock import SimulatedClock
from bot.questions import service
from bot.questions.picker import Chosen
from scheduling.context import JobContext
from storage.models import Person, Question, QuestionSeen, Workspace
from storage.repositories.questions import QuestionRepository
from tests.bot.groups.factory import World


async def _tag(world: World, person: Person, tags: Sequence[str]) -> Person:
    async with world.sessions() as session:
        row = await session.get(Person, person.id)
        assert row is not None
        row.goal_tags = list(tags)
        await session.commit()
        return row


async def _give(
    context: JobContext, world: World, people: Sequence[Person], *, group_id: int | None = None
) -> Chosen:
    async with context.sessions() as session:
        chosen = await service.give_question(
            session,
            world.team_id,
            people,
            draft=None,
            seed=f"group:{group_id}",
            group_id=group_id,
            now=context.clock(),
        )
        await session.commit()
    assert chosen is not None
    return chosen


async def _seen_count(context: JobContext) -> int:
    async with context.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(QuestionSeen)) or 0)


async def test_the_migration_loads_at_least_60_curated_questions_in_seven_themes(
    job_context: JobContext,
) -> None:
    async with job_context.sessions() as session:
        bank = list(await session.scalars(select(Question).where(Question.team_id.is_(None))))
    assert len(bank) >= 60
    assert {q.theme for q in bank} == set(QuestionTheme)
    assert all(q.source is QuestionSource.CURATED for q in bank)
    assert all(q.text.endswith("?") and 10 <= len(q.text) <= 200 for q in bank)
    assert len({q.text for q in bank}) == len(bank)


async def test_a_year_of_weekly_questions_for_one_pair_has_no_repeat(
    world: World, job_context: JobContext, clock: SimulatedClock
) -> None:
    a = await _tag(world, await world.person("U0ANA"), ["giving-feedback", "focus"])
    b = await _tag(world, await world.person("U0BEN"), ["giving-feedback"])
    round_ = await world.round(clock())
    group = await world.pair(round_, a, b)
    asked: list[int] = []
    themes: list[QuestionTheme] = []
    for _ in range(52):
        chosen = await _give(job_context, world, [a, b], group_id=group.id)
        asked.append(chosen.question_id)
        themes.append(chosen.theme)
        clock.advance(timedelta(weeks=1))
    assert len(set(asked)) == 52
    # The shared goal (feedback) leads until its questions run out.
    feedback = sum(1 for t in themes if t is QuestionTheme.FEEDBACK)
    assert themes[:feedback] == [QuestionTheme.FEEDBACK] * feedback
    assert feedback >= 9
    assert await _seen_count(job_context) == 104


async def test_nobody_gets_what_any_member_saw_in_the_past_year(
    world: World, job_context: JobContext, clock: SimulatedClock
) -> None:
    ana = await _tag(world, await world.person("U0ANA"), ["work-life-balance"])
    ben = await _tag(world, await world.person("U0BEN"), ["work-life-balance"])
    cy = await _tag(world, await world.person("U0CY"), ["work-life-balance"])
    # Ana alone is sent every wellbeing question (on demand, say) over some weeks.
    seen_by_ana = set()
    for _ in range(9):
        seen_by_ana.add((await _give(job_context, world, [ana])).question_id)
        clock.advance(timedelta(days=1))
    clock.advance(timedelta(days=200))
    # A new pair with Ana gets none of them, and Ben is counted too.
    pair = await _give(job_context, world, [ana, ben])
    assert pair.question_id not in seen_by_ana
    trio = await _give(job_context, world, [ben, cy])
    assert trio.question_id != pair.question_id
    # A year after Ana saw them, her questions may come back.
    clock.advance(timedelta(days=200))
    back = await _give(job_context, world, [ana])
    assert back.theme is QuestionTheme.WELLBEING
    assert back.question_id in seen_by_ana


async def test_when_every_question_was_seen_the_least_recently_seen_comes_back(
    world: World, job_context: JobContext, clock: SimulatedClock
) -> None:
    ana = await world.person("U0ANA")
    first = await _give(job_context, world, [ana])
    async with job_context.sessions() as session:
        size = len(await QuestionRepository(session).bank(world.team_id))
    for _ in range(size - 1):
        clock.advance(timedelta(hours=1))
        await _give(job_context, world, [ana])
    clock.advance(timedelta(hours=1))
    assert (await _give(job_context, world, [ana])).question_id == first.question_id


async def test_retiring_and_adding_belong_to_one_workspace(
    world: World, job_context: JobContext, clock: SimulatedClock
) -> None:
    now = clock()
    async with job_context.sessions() as session:
        session.add(Workspace(team_id="T0OTHER", name="Other"))
        await session.flush()
        mine = await service.bank_summary(session, world.team_id, now=now)
        other = await service.bank_summary(session, "T0OTHER", now=now)
        retire = [q.id for q in mine.active[:3]]
        change = await service.change_bank(
            session,
            world.team_id,
            add=(QuestionTheme.CAREER, "What would you like to be known for here?"),
            retire=retire,
            now=now,
        )
        assert change == service.BankChange(added=True, restored=False, retired=3)
        with pytest.raises(service.Duplicate):
            await service.change_bank(
                session,
                world.team_id,
                add=(QuestionTheme.GOALS, "what would you like to be KNOWN for here"),
                retire=[],
                now=now,
            )
        # Retiring another workspace's question changes nothing.
        assert (
            await service.change_bank(
                session, world.team_id, add=None, retire=[other.active[0].id], now=now
            )
        ).retired == 0
        # The same words as a retired question bring it back.
        restored = await service.change_bank(
            session,
            world.team_id,
            add=(mine.active[0].theme, mine.active[0].text),
            retire=[],
            now=now,
        )
        assert restored.restored
        await session.commit()
        after_mine = await service.bank_summary(session, world.team_id, now=now)
        after_other = await service.bank_summary(session, "T0OTHER", now=now)
    assert len(after_mine.active) == len(mine.active) - 3 + 1 + 1
    assert after_mine.retired == 2
    assert len(after_other.active) == len(other.active)
    assert after_other.retired == 0
    ana = await world.person("U0ANA")
    retired_ids = set(retire[1:])
    for _ in range(len(after_mine.active)):
        assert (await _give(job_context, world, [ana])).question_id not in retired_ids
        clock.advance(timedelta(minutes=1))


async def test_export_lists_the_questions_sent_and_forget_deletes_them(
    world: World, job_context: JobContext
) -> None:
    ana = await world.person("U0ANA")
    ben = await world.person("U0BEN")
    chosen = await _give(job_context, world, [ana, ben])
    now = job_context.clock()
    async with job_context.sessions() as session:
        person = await session.get(Person, ana.id)
        assert person is not None
        exported = await export_person(session, person, now)
        assert [q["question"] for q in exported["questions"]] == [chosen.text]
        await forget_person(session, person, now)
        await session.commit()
        left = list(await session.scalars(select(QuestionSeen.person_id)))
    assert left == [ben.id]
