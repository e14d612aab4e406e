"""A mentorship waits for its mentor: asked once, passed on after 3 days, closed kindly."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.domain import GroupState, MemberRole, MembershipRole
from bot.groups.followups import run_due
from bot.groups.timing import in_working_hours
from bot.process.clock import SimulatedClock
from bot.slack.copy import groups as copy
from scheduling.context import JobContext
from storage.models import MatchGroup, MatchMember, Person
from tests.bot.groups.conftest import START
from tests.bot.groups.factory import World


async def _mentor_of(world: World, group_id: int) -> str:
    async with world.sessions() as session:
        found = await session.scalar(
            select(Person.slack_user_id)
            .join(MatchMember, MatchMember.person_id == Person.id)
            .where(MatchMember.group_id == group_id, MatchMember.role == MemberRole.MENTOR)
        )
        assert found is not None
        return found


async def _proposal(
    world: World, fallbacks: tuple[str, ...] = ("U0MENTOR2",), *, known: bool = True
) -> MatchGroup:
    mentee = await world.person(
        "U0MENTEE",
        "Europe/London",
        role=MembershipRole.MENTEE,
        goals=("Lead a team <!channel> & grow", "Public speaking"),
        function="product",
        level=2,
    )
    first = await world.person("U0MENTOR1", "America/New_York", role=MembershipRole.MENTOR)
    for user_id in fallbacks if known else ():
        await world.person(user_id, "Europe/Berlin", role=MembershipRole.MENTOR)
    # A long round, so that its mid-point does not fall inside these tests.
    round_ = await world.round(START, length=timedelta(days=28))
    return await world.group(
        round_,
        [(first, MemberRole.MENTOR), (mentee, MemberRole.MENTEE)],
        state=GroupState.PROPOSED,
        fallbacks=fallbacks,
    )


async def test_the_mentor_is_asked_once_with_the_mentees_profile_escaped(
    world: World, job_context: JobContext, clock: SimulatedClock
) -> None:
    group = await _proposal(world)
    assert await run_due(job_context, clock()) == 1
    assert await run_due(job_context, clock()) == 0

    [ask] = await world.outbox("mentor-ask:")
    assert ask.key == f"mentor-ask:{group.id}:U0MENTOR1"
    assert ask.open_users == ["U0MENTOR1"]
    shown = str(ask.blocks)
    assert "&lt;!channel&gt; &amp; grow" in shown
    assert "<!channel>" not in shown
    assert "Product" in shown
    assert "Public speaking" in shown
    assert "mentor_accept" in shown
    assert "mentor_decline" in shown
    assert in_working_hours(ask.due_at, ZoneInfo("America/New_York"))

    [wait] = await world.outbox("mentee-wait:")
    assert wait.key == f"mentee-wait:{group.id}:U0MENTOR1"
    assert wait.open_users == ["U0MENTEE"]
    assert wait.text == copy.MENTEE_WAIT
    stored = await world.reload(MatchGroup, group.id)
    assert stored.mentor_asked_at == ask.due_at
    assert stored.state is GroupState.PROPOSED


async def test_three_days_without_an_answer_pass_the_request_on(
    world: World, job_context: JobContext, clock: SimulatedClock
) -> None:
    group = await _proposal(world)
    await run_due(job_context, clock())
    asked_at = (await world.reload(MatchGroup, group.id)).mentor_asked_at
    assert asked_at is not None

    clock.set(asked_at + timedelta(days=3) - timedelta(minutes=1))
    assert await run_due(job_context, clock()) == 0
    assert await _mentor_of(world, group.id) == "U0MENTOR1"

    clock.advance(timedelta(minutes=2))
    assert await run_due(job_context, clock()) == 1
    assert await _mentor_of(world, group.id) == "U0MENTOR2"
    asks = [m.key for m in await world.outbox("mentor-ask:")]
    assert asks == [f"mentor-ask:{group.id}:U0MENTOR1", f"mentor-ask:{group.id}:U0MENTOR2"]
    waits = await world.outbox("mentee-wait:")
    assert [w.text for w in waits] == [copy.MENTEE_WAIT, copy.MENTEE_NEXT]
    stored = await world.reload(MatchGroup, group.id)
    assert stored.mentor_fallbacks == []
    assert stored.mentor_asked_at is not None
    assert stored.mentor_asked_at >= clock()
    assert stored.state is GroupState.PROPOSED


async def test_with_no_mentor_left_the_mentee_is_told_kindly(
    world: World, job_context: JobContext, clock: SimulatedClock
) -> None:
    group = await _proposal(world, fallbacks=("U0NOBODY",), known=False)
    await run_due(job_context, clock())
    clock.advance(timedelta(days=4))
    assert await run_due(job_context, clock()) == 1
    stored = await world.reload(MatchGroup, group.id)
    assert stored.state is GroupState.DECLINED
    [none] = await world.outbox("mentee-none:")
    assert none.open_users == ["U0MENTEE"]
    assert none.text == copy.MENTEE_NONE
    clock.advance(timedelta(days=4))
    assert await run_due(job_context, clock()) == 0
    assert len(await world.outbox("mentor-ask:")) == 1
