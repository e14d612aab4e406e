"""Running a programme's round: who takes part, the groups, their intros, stored once.

A round is read in three steps: the roster from the database, statuses from Slack (outside any
transaction), then one transaction that writes the round, its groups and members, every message
it causes (intros, notes to the people it leaves out) and the programme's next round date. The
round's (programme, date) is unique, so a second runner's insert fails and its whole transaction
rolls back: a round is stored once, and its messages are queued once.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.digests.timing import first_digest_due
from bot.domain import (
    EnrolmentState,
    GroupState,
    MemberRole,
    MembershipState,
    ProgrammeKind,
    ProgrammeMode,
)
from bot.matching.criteria import Scorer
from bot.matching.engine import match
from bot.matching.from_database import load_programme_input
from bot.matching.model import Group, MatchInput, MatchResult, Mode, Participant
from bot.outbox import Message, enqueue
from bot.people.eligibility import (
    EligibilityPolicy,
    GroupUnavailable,
    load_policy,
    usergroup_members,
)
from bot.people.eligibility import (
    excluded as excluded_ids,
)
from bot.questions.picker import Picker
from bot.questions.weeks import next_due
from bot.rounds.away import Directory, read_directory
from bot.rounds.timing import (
    daytime_from,
    intro_time,
    match_time,
    next_date,
    period,
    round_date_for,
    round_times,
    zone_of,
)
from bot.slack.blocks.intro import IntroMember, intro_message
from bot.slack.copy import rounds as copy
from bot.slack.copy.text import SLASH_COMMAND
from bot.slack.mrkdwn import escape
from storage.models import MatchGroup, Membership, Person, ProgrammeRow, Round
from storage.repositories.rounds import NewGroup, RoundRepository

logger = logging.getLogger(__name__)

# How many next-best mentors a mentorship remembers for its timeout flow.
MENTOR_FALLBACKS = 5


class Skip:
    PAUSED = "paused"
    LEFT = "left"
    AWAY = "away"
    ON_HOLD = "on_hold"
    DEACTIVATED = "deactivated"
    NOT_ELIGIBLE = "not_eligible"  # excluded by the eligibility settings (told when they ask)


@dataclass(frozen=True, slots=True)
class RoundSummary:
    programme_id: int
    outcome: str  # ran, not_due, closed, rescheduled, taken (another runner stored it), missing
    round_id: int | None = None
    scheduled_for: date | None = None
    groups: int = 0
    placed: int = 0
    left_out: int = 0
    skipped: dict[str, int] = field(default_factory=dict)


def round_seed(programme_id: int, round_date: date) -> int:
    """The same programme and date always give the same seed, so any runner forms the same
    groups, and a round can be replayed from what is stored."""
    digest = hashlib.sha256(f"round:{programme_id}:{round_date.isoformat()}".encode()).digest()
    return int.from_bytes(digest[:4], "big") & 0x7FFFFFFF


def _mode(programme: ProgrammeRow) -> Mode:
    return Mode(programme.mode.value)


def notice_time(zone_name: str | None, round_date: date, now: datetime) -> datetime:
    """When a one-person note about a round goes out: daytime for them, on the round date or
    later (a round is matched the day before in most of the world)."""
    zone = zone_of(zone_name)
    on_the_day = datetime.combine(round_date, time(9), tzinfo=zone).astimezone(UTC)
    return daytime_from(zone_name, max(now, on_the_day))


def _fmt(template: str, programme: str) -> str:
    return template.format(programme=escape(programme), slash=SLASH_COMMAND)


@dataclass(frozen=True, slots=True)
class _Classified:
    eligible: list[tuple[Membership, Person]]
    skipped: list[tuple[Membership, Person, str]]


def _classify(
    roster: Sequence[tuple[Membership, Person]],
    directory: Directory,
    *,
    round_date: date,
    previous_round: Round | None,
    cadence_start: datetime,
    at: datetime,
    excluded: frozenset[str] = frozenset(),
) -> _Classified:
    eligible: list[tuple[Membership, Person]] = []
    skipped: list[tuple[Membership, Person, str]] = []
    # People who left are told once: on the first round after they left.
    left_since = previous_round.created_at if previous_round is not None else cadence_start
    for membership, person in roster:
        left = membership.state is MembershipState.LEFT or person.enrolment_state in (
            EnrolmentState.LEFT,
            EnrolmentState.NOT_ENROLLED,
        )
        if left:
            when = membership.left_at or person.left_at
            if when is not None and when > left_since:
                skipped.append((membership, person, Skip.LEFT))
            continue
        if person.slack_user_id in directory.deactivated:
            skipped.append((membership, person, Skip.DEACTIVATED))
        elif person.slack_user_id in excluded:
            skipped.append((membership, person, Skip.NOT_ELIGIBLE))
        elif membership.on_hold_since is not None:
            skipped.append((membership, person, Skip.ON_HOLD))
        elif person.enrolment_state is EnrolmentState.PAUSED and (
            person.paused_until is None or person.paused_until > round_date
        ):
            skipped.append((membership, person, Skip.PAUSED))
        elif directory.away(person.slack_user_id, at):
            skipped.append((membership, person, Skip.AWAY))
        else:
            eligible.append((membership, person))
    return _Classified(eligible, skipped)


def _skip_message(
    team_id: str,
    round_id: int,
    membership: Membership,
    person: Person,
    reason: str,
    *,
    programme: str,
    round_date: date,
    now: datetime,
) -> Message | None:
    user = person.slack_user_id
    due = notice_time(person.time_zone, round_date, now)
    if reason == Skip.DEACTIVATED:
        return None  # Slack refuses messages to deactivated accounts.
    if reason == Skip.NOT_ELIGIBLE:
        return None  # told kindly when they asked to join; not again every round
    if reason == Skip.ON_HOLD:
        assert membership.on_hold_since is not None
        # Once per hold, not once per round.
        key = f"hold:{membership.id}:{int(membership.on_hold_since.timestamp())}"
        words = _fmt(copy.SKIP_ON_HOLD, programme)
    else:
        key = f"skip:{round_id}:{user}"
        words = _fmt(
            {
                Skip.PAUSED: copy.SKIP_PAUSED,
                Skip.LEFT: copy.SKIP_LEFT,
                Skip.AWAY: copy.SKIP_AWAY,
            }[reason],
            programme,
        )
    return Message(team_id=team_id, key=key, kind="dm", text=words, due_at=due, open_users=[user])


def left_out_reason(reason: str) -> str:
    return copy.LEFT_OUT_REASONS.get(reason, copy.LEFT_OUT_REASON_DEFAULT)


def mentor_fallbacks(
    inp: MatchInput,
    group: Group,
    mode: Mode,
    limit: int = MENTOR_FALLBACKS,
    scorer: Scorer | None = None,
) -> list[str]:
    """Next-best mentors for the group's mentee, best first: other mentors the rules allow
    (senior enough, with capacity, never met, not blocked), by the engine's pair score."""
    if group.mentor is None:
        return []
    people = {p.id: p for p in inp.participants}
    mentee_id = next((m for m in group.members if m != group.mentor), None)
    if mentee_id is None:
        return []
    mentee = people[mentee_id]
    scorer = scorer or Scorer(inp, mode)
    gap = max(1, inp.settings.mentor_min_level_gap)

    def could_mentor(p: Participant) -> bool:
        if p.id in (group.mentor, mentee.id) or not scorer.allowed(p, mentee):
            return False
        if mode is Mode.REVERSE:
            return p.level < mentee.level and bool(p.skills & mentee.goals)
        return p.mentor_capacity > 0 and p.level >= mentee.level + gap

    ranked = sorted(
        (p for p in inp.participants if could_mentor(p)),
        key=lambda p: (-scorer.total(p, mentee), p.id),
    )
    return [p.id for p in ranked[:limit]]


def _roles(group: Group) -> dict[str, MemberRole]:
    if group.mentor is None:
        return {m: MemberRole.PEER for m in group.members}
    return {m: MemberRole.MENTOR if m == group.mentor else MemberRole.MENTEE for m in group.members}


def intro_member(person: Person) -> IntroMember:
    return IntroMember(
        user_id=person.slack_user_id,
        function=person.function,
        time_zone=person.time_zone,
        work_start=person.work_start,
        work_end=person.work_end,
    )


async def store_groups(
    session: AsyncSession,
    *,
    team_id: str,
    round_row: Round,
    result: MatchResult,
    inp: MatchInput,
    people: dict[str, Person],
    programme_name: str,
    intro_hour: int,
    proposed: bool,
    now: datetime,
    flash: bool = False,
) -> list[MatchGroup]:
    """Write the groups and members of a round, and each active group's intro (due at the
    group's intro hour, daytime for everyone where the hours allow)."""
    repo = RoundRepository(session)
    stored: list[MatchGroup] = []
    scorer = Scorer(inp, result.mode) if proposed else None
    # Each intro's first question comes from the bank, and counts as seen by the group.
    picker = (
        None
        if proposed or not result.groups
        else await Picker.load(
            session, team_id, [people[m].id for g in result.groups for m in g.members], now=now
        )
    )
    for group in result.groups:
        members = [people[m] for m in group.members]
        roles = _roles(group)
        intro_at = None
        if not proposed:
            found = intro_time(
                [zone_of(p.time_zone) for p in members],
                round_row.scheduled_for,
                intro_hour,
                not_before=now,
            )
            intro_at = found.at
            if not found.for_everyone:
                logger.info(
                    "round %s: no daytime hour for all %d members of a group; %d inside at %s",
                    round_row.id,
                    found.members,
                    found.inside,
                    found.at.isoformat(),
                )
        row = await repo.add_group(
            team_id=team_id,
            round_id=round_row.id,
            group=NewGroup(
                score=group.score,
                breakdown={str(c): float(v) for c, v in group.breakdown.items()},
                explanation=group.explanation,
                state=GroupState.PROPOSED if proposed else GroupState.ACTIVE,
                intro_at=intro_at,
                members=[(people[m].id, roles[m]) for m in group.members],
                mentor_fallbacks=(
                    mentor_fallbacks(inp, group, result.mode, scorer=scorer) if proposed else ()
                ),
            ),
            now=now,
        )
        stored.append(row)
        if intro_at is None:
            continue
        chosen = (
            await picker.pick(members, seed=f"group:{row.id}", group_id=row.id)
            if picker is not None
            else None
        )
        fallback, blocks = intro_message(
            group_id=row.id,
            programme_name=programme_name,
            members=[intro_member(p) for p in members],
            explanation=group.explanation,
            intro_at=intro_at,
            round_date=round_row.scheduled_for,
            flash=flash,
            question=chosen.text if chosen is not None else None,
        )
        await enqueue(
            session,
            Message(
                team_id=team_id,
                key=f"intro:{row.id}",
                kind="intro",
                text=fallback,
                blocks=blocks,
                due_at=intro_at,
                open_users=[p.slack_user_id for p in members],
                on_sent={"group_id": row.id},
            ),
            now=now,
        )
    return stored


async def _reschedule(
    sessions: async_sessionmaker[AsyncSession], programme: ProgrammeRow, new_at: datetime | None
) -> None:
    async with sessions() as session:
        await RoundRepository(session).set_next_round(programme.id, programme.next_round_at, new_at)
        await session.commit()


async def run_programme_round(
    sessions: async_sessionmaker[AsyncSession],
    client: AsyncWebClient | None,
    programme_id: int,
    now: datetime,
    *,
    directories: dict[str, Directory] | None = None,
) -> RoundSummary:
    """Run the programme's round if it is due by `now`; safe to call from several runners.

    With `directories`, a tick running several rounds of one workspace reads its statuses from
    Slack once (the whole workspace, kept there by team id) instead of once per programme."""
    async with sessions() as session:
        repo = RoundRepository(session)
        programme = await repo.programme(programme_id)
        if programme is None:
            return RoundSummary(programme_id, "missing")
        due = programme.next_round_at
        if programme.closed_at is not None or due is None or due > now:
            return RoundSummary(programme_id, "not_due")
        round_date = round_date_for(due)
        if programme.kind is ProgrammeKind.COHORT:
            if programme.ends_on is not None and round_date > programme.ends_on:
                await session.close()
                closed = await close_cohort(sessions, programme_id, now)
                return RoundSummary(programme_id, "closed" if closed else "taken")
            if programme.starts_on is not None and round_date < programme.starts_on:
                start = next_date(
                    programme.cadence,
                    programme.weekday,
                    programme.starts_on - timedelta(days=1),
                    None,
                )
                await session.close()
                await _reschedule(sessions, programme, match_time(start))
                return RoundSummary(programme_id, "rescheduled")
        roster = await repo.roster(programme_id)
        previous = await repo.last_round(programme_id)
        policy = await load_policy(session, programme.team_id)
        await session.close()  # no transaction stays open while Slack is asked
    wanted = [
        p.slack_user_id
        for m, p in roster
        if m.state is MembershipState.ACTIVE and p.enrolment_state is not EnrolmentState.LEFT
    ]
    if directories is None:
        directory = await read_directory(client, wanted)
    else:
        if programme.team_id not in directories:
            directories[programme.team_id] = await read_directory(client)
        directory = directories[programme.team_id]
    # Statuses are judged at midday UTC of the round date: a status ending the night before
    # the round does not keep anyone out.
    status_at = max(now, datetime.combine(round_date, time(12), tzinfo=UTC))
    length = period(programme.cadence, round_date)
    excluded = await _excluded(client, policy, directory)
    classified = _classify(
        roster,
        directory,
        round_date=round_date,
        previous_round=previous,
        cadence_start=due - length,
        at=status_at,
        excluded=excluded,
    )
    return await _store_round(sessions, programme, due, round_date, classified, now=now)


async def _excluded(
    client: AsyncWebClient | None, policy: EligibilityPolicy, directory: Directory
) -> frozenset[str]:
    """Who the eligibility settings keep out of this round: the exclusion list, the excluded
    user group's members and (by default) guests."""
    members: frozenset[str] = frozenset()
    if client is not None and policy.excluded_usergroup_id:
        try:
            members = await usergroup_members(client, policy.excluded_usergroup_id)
        except GroupUnavailable:
            logger.warning("excluded user group unreadable; only the exclusion list applies")
    guests = directory.guests if policy.exclude_guests else frozenset()
    return excluded_ids(policy, members) | guests


async def _store_round(
    sessions: async_sessionmaker[AsyncSession],
    programme: ProgrammeRow,
    due: datetime,
    round_date: date,
    classified: _Classified,
    *,
    now: datetime,
) -> RoundSummary:
    mode = _mode(programme)
    seed = round_seed(programme.id, round_date)
    proposed = programme.mode in (ProgrammeMode.MENTORSHIP, ProgrammeMode.REVERSE)
    team_id = programme.team_id
    skipped_counts: dict[str, int] = {}
    for _, _, reason in classified.skipped:
        skipped_counts[reason] = skipped_counts.get(reason, 0) + 1
    next_at = match_time(
        next_date(programme.cadence, programme.weekday, max(round_date, now.date()), round_date)
    )
    if (
        programme.kind is ProgrammeKind.COHORT
        and programme.ends_on is not None
        and round_date_for(next_at) > programme.ends_on
    ):
        # The cohort has no further round: its next "round" is its close.
        next_at = match_time(programme.ends_on + timedelta(days=1))
    try:
        async with sessions() as session:
            repo = RoundRepository(session)
            people = {p.slack_user_id: p for _, p in classified.eligible}
            inp = await load_programme_input(
                session,
                team_id=team_id,
                members=[(p, m.role) for m, p in classified.eligible],
                on=round_date,
                mode=mode,
                group_size=programme.group_size,
            )
            result = match(inp, mode, seed)
            round_row = await repo.add_round(
                team_id=team_id,
                programme_id=programme.id,
                mode=mode.value,
                seed=seed,
                scheduled_for=round_date,
                ends_on=None,
                midpoint_at=None,
                ends_at=None,
                now=now,
            )
            groups = await store_groups(
                session,
                team_id=team_id,
                round_row=round_row,
                result=result,
                inp=inp,
                people=people,
                programme_name=programme.name,
                intro_hour=programme.intro_hour,
                proposed=proposed,
                now=now,
            )
            intros = [g.intro_at for g in groups if g.intro_at is not None]
            start = (
                min(intros)
                if intros
                else max(now, datetime.combine(round_date, time(programme.intro_hour), tzinfo=UTC))
            )
            times = round_times(programme.cadence, round_date, start)
            round_row.midpoint_at = times.midpoint_at
            round_row.ends_at = times.ends_at
            round_row.ends_on = times.ends_on
            round_row.digest_due_at = first_digest_due(start, times.ends_at)
            for group in groups:
                if group.intro_at is not None:
                    group.question_due_at = next_due(group.intro_at, times.ends_at, group.intro_at)
            for membership, person, reason in classified.skipped:
                message = _skip_message(
                    team_id,
                    round_row.id,
                    membership,
                    person,
                    reason,
                    programme=programme.name,
                    round_date=round_date,
                    now=now,
                )
                if message is not None:
                    await enqueue(session, message, now=now)
                else:
                    logger.info("round %s: %s left out (deactivated)", round_row.id, person.id)
            for left_out in result.left_out:
                person = people[left_out.id]
                await enqueue(
                    session,
                    Message(
                        team_id=team_id,
                        key=f"left-out:{round_row.id}:{person.slack_user_id}",
                        kind="dm",
                        text=copy.LEFT_OUT.format(
                            programme=escape(programme.name),
                            reason=left_out_reason(left_out.reason),
                        ),
                        due_at=notice_time(person.time_zone, round_date, now),
                        open_users=[person.slack_user_id],
                    ),
                    now=now,
                )
            if not await repo.set_next_round(programme.id, due, next_at):
                # An admin or another runner moved the round meanwhile: leave it to them.
                await session.rollback()
                return RoundSummary(programme.id, "taken")
            await session.commit()
    except (IntegrityError, OperationalError) as exc:
        # Another runner stored this round first (unique programme and date), or holds the
        # write lock on SQLite: either way this runner has nothing left to do.
        logger.info(
            "round of programme %s on %s not stored here: %s",
            programme.id,
            round_date.isoformat(),
            type(exc.orig).__name__ if exc.orig is not None else type(exc).__name__,
        )
        await _settle_after_conflict(sessions, programme.id, due, round_date, next_at)
        return RoundSummary(programme.id, "taken")
    logger.info(
        "round %s of programme %s on %s: seed %s, %d groups, %d left out, skipped %s",
        round_row.id,
        programme.id,
        round_date.isoformat(),
        seed,
        len(result.groups),
        len(result.left_out),
        skipped_counts,
    )
    return RoundSummary(
        programme_id=programme.id,
        outcome="ran",
        round_id=round_row.id,
        scheduled_for=round_date,
        groups=len(result.groups),
        placed=result.placed,
        left_out=len(result.left_out),
        skipped=skipped_counts,
    )


async def _settle_after_conflict(
    sessions: async_sessionmaker[AsyncSession],
    programme_id: int,
    due: datetime,
    round_date: date,
    next_at: datetime,
) -> None:
    """A round of this date exists already (stored by another runner, or asked for twice on
    one day): make sure `next_round_at` moves on, so the programme is not due for ever."""
    try:
        async with sessions() as session:
            repo = RoundRepository(session)
            if await repo.round_on(programme_id, round_date) is not None:
                await repo.set_next_round(programme_id, due, next_at)
                await session.commit()
    except (IntegrityError, OperationalError):
        return  # the next tick looks again


async def run_round_now(
    sessions: async_sessionmaker[AsyncSession],
    client: AsyncWebClient | None,
    programme_id: int,
    now: datetime,
) -> RoundSummary:
    """Run the programme's next round at once (after an admin confirmed it): the round is
    dated today (UTC) and its intros go out at the first suitable hour from now."""
    async with sessions() as session:
        programme = await RoundRepository(session).programme(programme_id)
        if programme is None or programme.closed_at is not None:
            return RoundSummary(programme_id, "missing" if programme is None else "not_due")
        await RoundRepository(session).set_next_round(programme_id, programme.next_round_at, now)
        await session.commit()
    return await run_programme_round(sessions, client, programme_id, now)


async def schedule_programme(
    sessions: async_sessionmaker[AsyncSession], programme: ProgrammeRow, now: datetime
) -> bool:
    """Give a programme without a next round its next round date; False if it was set meanwhile."""
    async with sessions() as session:
        repo = RoundRepository(session)
        last = await repo.last_round_date(programme.id)
        today = now.date()
        if programme.kind is ProgrammeKind.COHORT and programme.starts_on is not None:
            today = max(today, programme.starts_on - timedelta(days=1))
        when = next_date(programme.cadence, programme.weekday, today, last)
        if (
            programme.kind is ProgrammeKind.COHORT
            and programme.ends_on is not None
            and when > programme.ends_on
        ):
            when = programme.ends_on + timedelta(days=1)  # due then only to close it
        moved = await repo.set_next_round(programme.id, None, match_time(when))
        await session.commit()
    return moved


async def close_cohort(
    sessions: async_sessionmaker[AsyncSession], programme_id: int, now: datetime
) -> bool:
    """Close a cohort and send each member a short retrospective, in one transaction."""
    async with sessions() as session:
        repo = RoundRepository(session)
        programme = await repo.programme(programme_id)
        if programme is None or not await repo.close_programme(programme_id, now):
            await session.rollback()
            return False
        history = await repo.programme_history(programme_id)
        for _, person in await repo.members_of(programme_id):
            groups, met = history.get(person.id, (0, 0))
            if groups == 0:
                summary = copy.COHORT_SUMMARY_NONE
            elif groups == 1:
                summary = copy.COHORT_SUMMARY_ONE.format(met=met)
            else:
                summary = copy.COHORT_SUMMARY.format(groups=groups, met=met)
            await enqueue(
                session,
                Message(
                    team_id=programme.team_id,
                    key=f"cohort-end:{programme_id}:{person.slack_user_id}",
                    kind="dm",
                    text=copy.COHORT_CLOSED.format(
                        programme=escape(programme.name), summary=summary
                    ),
                    due_at=daytime_from(person.time_zone, now),
                    open_users=[person.slack_user_id],
                ),
                now=now,
            )
        await session.commit()
    logger.info("cohort programme %s closed", programme_id)
    return True
