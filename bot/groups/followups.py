"""The due work of groups after their intro, found in the database on every scheduler tick.

`run_due` is referenced by import path (`bot.groups.followups:run_due`) and called with the
process's `JobContext` and the tick's "now". Work is done in short transactions (a round's
groups in batches) that claim what they change with a conditional update (a group moving on,
a "done" timestamp) and write its messages to the outbox with keys that are unique for ever,
so a second tick, a second process or a restart half-way through repeats nothing and skips
nothing. A round's "done" timestamp is set once all its groups are.

- Halfway through a round: one reminder (`nudge:<group>:1`) to each active group where nobody
  pressed We met or Skip.
- At the end of a round: "did you meet?" (`nudge:<group>:2`) to the same, the silence count of
  every member, the "stay, pause or leave?" DM (`ghost:<membership>:<round>`) for whoever has
  been silent 3 rounds in a row, and the groups end.
- Mentorships: the mentor's request (`mentor-ask:<group>:<mentor>`), and after 3 days without
  an answer the next mentor's.

No reminder goes out at night: each is due at the first moment inside everyone's working day
(`bot.groups.timing.reminder_due`).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Final

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import GroupState, MembershipState
from bot.groups import keys, mentorship
from bot.groups.timing import reminder_due
from bot.outbox import Message, enqueue
from bot.slack.blocks import groups as blocks
from scheduling.context import JobContext
from storage.models import MatchGroup, Membership, Person, Round
from storage.repositories.groups import GroupRepository, Member

logger = logging.getLogger(__name__)

# Rounds in a row without a sign of life before a person is asked whether to stay.
SILENT_ROUNDS_LIMIT: Final = 3
# At most this many reminders per group and round.
MAX_NUDGES: Final = 2
# Groups handled per transaction at a round's mid-point and end.
GROUPS_PER_TRANSACTION = 200


def _answered(group: MatchGroup) -> bool:
    return group.met_at is not None or group.skipped_at is not None


def _people(members: list[Member]) -> list[Person]:
    return [m.person for m in members if m.person is not None]


async def _nudge(
    session: AsyncSession,
    group: MatchGroup,
    members: list[Member],
    number: int,
    message: blocks.Message,
    *,
    now: datetime,
) -> bool:
    people = _people(members)
    if group.nudges_sent >= MAX_NUDGES or not (group.channel_id or people):
        return False
    queued = await enqueue(
        session,
        Message(
            team_id=group.team_id,
            key=keys.nudge(group.id, number),
            kind="nudge",
            text=message["text"],
            blocks=message["blocks"],
            due_at=reminder_due(now, [p.time_zone for p in people]),
            channel_id=group.channel_id,
            open_users=[] if group.channel_id else [p.slack_user_id for p in people],
        ),
        now=now,
    )
    if queued:
        group.nudges_sent += 1
    return queued


async def _batches(
    context: JobContext,
    round_id: int,
    work: Callable[[AsyncSession, list[MatchGroup]], Awaitable[int]],
) -> int:
    """Run `work` over the round's active groups, a batch per transaction, so a large round
    never holds the database (SQLite's one writer above all) for long. Each group's effect is
    idempotent on its own, so a batch interrupted by a crash is simply done again."""
    after = 0
    total = 0
    while True:
        async with context.sessions() as session:
            repo = GroupRepository(session)
            groups = await repo.groups_after(
                round_id, GroupState.ACTIVE, after, limit=GROUPS_PER_TRANSACTION
            )
            if not groups:
                return total
            total += await work(session, groups)
            await session.commit()
            after = groups[-1].id


async def midpoint(context: JobContext, round_id: int, *, now: datetime) -> bool:
    """Remind every active group of the round that has not answered yet, once."""

    async def remind(session: AsyncSession, groups: list[MatchGroup]) -> int:
        waiting = [g for g in groups if not _answered(g) and g.nudges_sent == 0]
        members = await GroupRepository(session).members([g.id for g in waiting])
        sent = 0
        for group in waiting:
            message = blocks.midpoint_nudge(group.id)
            if await _nudge(
                session, group, members[group.id], keys.MIDPOINT_NUDGE, message, now=now
            ):
                sent += 1
        return sent

    sent = await _batches(context, round_id, remind)
    async with context.sessions() as session:
        if await GroupRepository(session).claim_midpoint(round_id, now) is None:
            return False
        await session.commit()
    logger.info("round %s: mid-point, %s reminders queued", round_id, sent)
    return True


async def end(context: JobContext, round_id: int, *, now: datetime) -> bool:
    """Ask "did you meet?", count silence, and end the round's active groups."""
    async with context.sessions() as session:
        round_ = await GroupRepository(session).round(round_id)
    if round_ is None or round_.end_done_at is not None:
        return False
    ended = asked = held = 0

    async def finish(session: AsyncSession, groups: list[MatchGroup]) -> int:
        nonlocal ended, asked, held
        repo = GroupRepository(session)
        # Each group is ended once: whoever moves it from active does the rest for it.
        mine = [g for g in groups if await repo.end_group(g.id, now)]
        ids = [g.id for g in mine]
        members = await repo.members(ids)
        # A reminder still waiting for the morning is overtaken by the end-of-round question.
        await repo.cancel_pending([keys.nudge(g, keys.MIDPOINT_NUDGE) for g in ids])
        answered = {g.id for g in mine if _answered(g)} | await repo.answered_groups(ids)
        for group in mine:
            if not _answered(group):
                message = blocks.end_nudge(group.id)
                if await _nudge(
                    session, group, members[group.id], keys.END_NUDGE, message, now=now
                ):
                    asked += 1
        held += await _count_silence(session, round_, mine, members, answered, now=now)
        ended += len(mine)
        return len(mine)

    await _batches(context, round_id, finish)
    async with context.sessions() as session:
        if await GroupRepository(session).claim_end(round_id, now) is None:
            return False
        await session.commit()
    logger.info(
        "round %s: ended %s groups, %s asked whether they met, %s put on hold",
        round_id,
        ended,
        asked,
        held,
    )
    return True


async def _count_silence(
    session: AsyncSession,
    round_: Round,
    groups: list[MatchGroup],
    members: dict[int, list[Member]],
    answered: set[int],
    *,
    now: datetime,
) -> int:
    """Everyone in a group where nobody answered anything is one round more silent; anyone
    in a group that answered is not silent at all. The third silent round in a row puts the
    membership on hold and asks the person whether to stay, pause or leave."""
    if round_.programme_id is None:
        return 0
    repo = GroupRepository(session)
    people = {p.id: p for g in groups for p in _people(members[g.id])}
    memberships: dict[int, Membership] = {
        m.person_id: m for m in await repo.memberships(round_.programme_id, list(people))
    }
    held = 0
    for group in groups:
        for person in _people(members[group.id]):
            membership = memberships.get(person.id)
            if membership is None or membership.state is not MembershipState.ACTIVE:
                continue
            if group.id in answered:
                membership.silent_rounds = 0
                continue
            membership.silent_rounds += 1
            if membership.silent_rounds >= SILENT_ROUNDS_LIMIT and membership.on_hold_since is None:
                membership.on_hold_since = now
                await _ask_whether_to_stay(session, membership, person, round_.id, now=now)
                held += 1
    return held


async def _ask_whether_to_stay(
    session: AsyncSession, membership: Membership, person: Person, round_id: int, *, now: datetime
) -> None:
    message = blocks.ghost_question(membership.id, membership.silent_rounds)
    await enqueue(
        session,
        Message(
            team_id=membership.team_id,
            key=keys.ghost(membership.id, round_id),
            kind="dm",
            text=message["text"],
            blocks=message["blocks"],
            due_at=reminder_due(now, [person.time_zone]),
            open_users=[person.slack_user_id],
        ),
        now=now,
    )


async def _in_turn(ids: list[int], work: Callable[[int], Awaitable[bool]], what: str) -> int:
    """Each item on its own. One that fails is logged and retried on the next tick without
    holding up the others; when every item fails (the database is gone, say) the last error
    is raised for the tick to report."""
    done = 0
    failure: Exception | None = None
    for item in ids:
        try:
            if await work(item):
                done += 1
        except Exception as exc:
            logger.exception("%s: %s failed; retried on the next tick", what, item)
            failure = exc
        else:
            failure = None
    if done:
        logger.info("%s: %s done", what, done)
    if failure is not None and done == 0:
        raise failure
    return done


def _in_a_transaction(
    context: JobContext, work: Callable[[AsyncSession, int], Awaitable[bool]]
) -> Callable[[int], Awaitable[bool]]:
    """`work` in a transaction of its own, committed when it did something."""

    async def run(item: int) -> bool:
        async with context.sessions() as session:
            if await work(session, item):
                await session.commit()
                return True
            await session.rollback()
            return False

    return run


async def run_due(context: JobContext, now: datetime) -> int:
    """Do whatever of the groups' follow-up work is due at `now`; return how many pieces."""
    async with context.sessions() as session:
        repo = GroupRepository(session)
        midpoints = await repo.rounds_due_midpoint(now)
        ends = await repo.rounds_due_end(now)
        unasked = await repo.proposed_unasked()
        timed_out = await repo.proposed_unanswered_since(now - mentorship.ANSWER_WITHIN)
    done = await _in_turn(midpoints, lambda i: midpoint(context, i, now=now), "round mid-points")
    done += await _in_turn(ends, lambda i: end(context, i, now=now), "round ends")
    ask = _in_a_transaction(context, lambda s, i: mentorship.ask_first(s, i, now=now))
    done += await _in_turn(unasked, ask, "mentor requests")
    pass_on = _in_a_transaction(context, lambda s, i: mentorship.time_out(s, i, now=now))
    done += await _in_turn(timed_out, pass_on, "mentor timeouts")
    return done
