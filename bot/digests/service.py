"""A programme's digest figures, computed from stored data only.

Definitions (a round's *window* is [scheduled_for, ends_on); a round with no end yet runs up
to the digest's day):

- *Groups of a round*: its groups in state active or ended; proposed and declined mentorships
  never ran. `people` counts the distinct people placed in them; a forgotten person's member
  row (no person any more) still counts as one.
- *Meeting rate*: groups that met / groups. A group met when We met was clicked (`met_at`), a
  meeting was recorded as met, or a member's check-in of a week in the window says they met.
- *Check-in response*: check-ins of the round's people with their week in the window,
  answered / sent.
- *Usefulness*: the mean 1-5 rating of those answered check-ins that have one; `ratings`
  counts them.
- *Goals*: each person's latest check-in in the window that has a goal status, counted once
  per person; attainment is achieved / all of them.
- *Steps kept*: check-ins in the window that ask about last week's step, "yes" / all of them
  ("partly" is not done).
- *Retention*: the programme's memberships that began on or before the day of the round
  `RETENTION_ROUNDS` rounds before this one, and of those, the ones not ended before this
  round's window closed (at its end day, or now for a round with no end). 0 of 0 when the
  programme has no round that far back.
- *Participants* (now, for the current round): active = active memberships of people taking
  part and not paused; paused = active memberships of paused people; new = memberships begun
  in the current round's window; left = memberships ended in it.
- *Trend*: the last `TREND_ROUNDS` rounds, oldest first, ending with the current one;
  *previous* is the round before the current one.
- *Breakdowns* (current round): by function and by level, people placed in its groups with
  no value (and forgotten people) under "Not given". For each value: people; people whose
  group met / people; answered / sent check-ins of those people. A value shared by fewer than
  the workspace's minimum is suppressed, and so is the next smallest value when exactly one is
  (see `_suppress`). Ordered by people, most first, then suppressed values, then by label.
- *Quiet groups*: groups of the current round that have not met, with at least one member
  who was in a group of the previous round, none of whose previous groups met.

No figure carries a note, a step or a single person's answer: check-ins are counted in SQL.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.digests.figures import (
    RETENTION_ROUNDS,
    TREND_ROUNDS,
    Breakdown,
    Dimension,
    GoalProgress,
    Participants,
    ProgrammeDigest,
    QuietGroup,
    Rate,
    RoundFigures,
)
from bot.domain import GoalStatus
from bot.enrolment.profile_form import function_label, level_title
from bot.programmes.settings_form import DEFAULTS
from bot.slack.copy import breakdowns as copy
from storage.models import ProgrammeRow
from storage.repositories.digests import (
    DigestRepository,
    GroupRow,
    MemberRow,
    RoundRow,
    day_start,
)

# The smallest group a breakdown shows when the workspace never saved its settings.
DEFAULT_MIN_GROUP = DEFAULTS.min_aggregate_size
# A group is quiet when it and its members' groups of the round before did not meet.
QUIET_ROUNDS = 2


class UnknownRound(LookupError):
    """The round asked for is not a round of the programme."""


async def programme_digest(
    session: AsyncSession,
    team_id: str,
    programme_id: int,
    *,
    now: datetime,
    round_id: int | None = None,
    min_group: int | None = None,
) -> ProgrammeDigest | None:
    """The digest of one programme of `team_id`, or None when the team has no such programme.

    `round_id` names the current round (a scheduled digest's round); by default it is the
    latest round that started on or before today. Raises `UnknownRound` when `round_id` is
    not one of the programme's rounds."""
    repository = DigestRepository(session)
    programme = await repository.programme(team_id, programme_id)
    if programme is None:
        return None
    if min_group is None:
        min_group = await _min_group(repository, team_id)
    return await _digest(repository, programme, now=now, round_id=round_id, min_group=min_group)


async def programme_digests(
    session: AsyncSession, team_id: str, *, now: datetime
) -> list[ProgrammeDigest]:
    """The digest of every open programme of the team, the default first, then by name."""
    repository = DigestRepository(session)
    min_group = await _min_group(repository, team_id)
    return [
        await _digest(repository, programme, now=now, round_id=None, min_group=min_group)
        for programme in await repository.open_programmes(team_id)
    ]


async def round_history(
    session: AsyncSession, team_id: str, programme_id: int, *, now: datetime, limit: int
) -> list[RoundFigures]:
    """The figures of the programme's last `limit` rounds that have started, oldest first;
    empty for a programme the team does not have."""
    repository = DigestRepository(session)
    programme = await repository.programme(team_id, programme_id)
    if programme is None:
        return []
    rounds = await repository.rounds(programme.id)
    started = [r for r in rounds if r.scheduled_for <= now.date()][-limit:]
    figures = await _round_figures(repository, programme.id, rounds, started, now=now)
    return [figures[r.id] for r in started]


async def workspace_min_group(session: AsyncSession, team_id: str) -> int:
    """The smallest group the workspace's admin output shows (settings, else the default)."""
    return await _min_group(DigestRepository(session), team_id)


async def _min_group(repository: DigestRepository, team_id: str) -> int:
    saved = await repository.min_aggregate_size(team_id)
    return DEFAULT_MIN_GROUP if saved is None else saved


async def _digest(
    repository: DigestRepository,
    programme: ProgrammeRow,
    *,
    now: datetime,
    round_id: int | None,
    min_group: int,
) -> ProgrammeDigest:
    today = now.date()
    rounds = await repository.rounds(programme.id)
    index = _current_index(rounds, today, round_id, programme.id)
    if index is None:
        participants = await repository.participants(programme.id, None)
        return ProgrammeDigest(
            team_id=programme.team_id,
            programme_id=programme.id,
            programme_name=programme.name,
            mode=programme.mode,
            min_group=min_group,
            participants=Participants(
                active=participants.active, new=0, paused=participants.paused, left=0
            ),
            current=None,
            previous=None,
        )
    current = rounds[index]
    trend_rounds = rounds[max(0, index - TREND_ROUNDS + 1) : index + 1]
    previous = rounds[index - 1] if index > 0 else None
    figures = await _round_figures(repository, programme.id, rounds, trend_rounds, now=now)

    counts = await repository.participants(
        programme.id, (day_start(current.scheduled_for), _end(current, now))
    )
    ids = [current.id] + ([previous.id] if previous is not None else [])
    groups = await repository.groups(ids, today)
    members = await repository.members(ids)
    current_groups = [g for g in groups if g.round_id == current.id]
    current_ids = {g.id for g in current_groups}
    current_members = [m for m in members if m.group_id in current_ids]
    checkins = await repository.checkins_by_person(current.id, today)
    met = {g.id: g.met for g in groups}
    breakdowns = [
        *_breakdowns(Dimension.FUNCTION, current_members, met, checkins, min_group),
        *_breakdowns(Dimension.LEVEL, current_members, met, checkins, min_group),
    ]
    quiet: list[QuietGroup] = []
    if previous is not None:
        previous_members = [m for m in members if m.group_id not in current_ids]
        quiet = _quiet_groups(current_groups, current_members, previous_members, met)
    return ProgrammeDigest(
        team_id=programme.team_id,
        programme_id=programme.id,
        programme_name=programme.name,
        mode=programme.mode,
        min_group=min_group,
        participants=Participants(
            active=counts.active, new=counts.new, paused=counts.paused, left=counts.left
        ),
        current=figures[current.id],
        previous=figures[previous.id] if previous is not None else None,
        trend=tuple(figures[r.id] for r in trend_rounds),
        breakdowns=tuple(breakdowns),
        quiet_groups=tuple(quiet),
    )


def _current_index(
    rounds: Sequence[RoundRow], today: date, round_id: int | None, programme_id: int
) -> int | None:
    if round_id is not None:
        for index, row in enumerate(rounds):
            if row.id == round_id:
                return index
        raise UnknownRound(f"round {round_id} is not a round of programme {programme_id}")
    started = [index for index, row in enumerate(rounds) if row.scheduled_for <= today]
    return started[-1] if started else None


def _end(row: RoundRow, now: datetime) -> datetime:
    """When the round's window closes: the start of its end day, or now while it has none."""
    return day_start(row.ends_on) if row.ends_on is not None else now


async def _round_figures(
    repository: DigestRepository,
    programme_id: int,
    rounds: Sequence[RoundRow],
    wanted: Sequence[RoundRow],
    *,
    now: datetime,
) -> dict[int, RoundFigures]:
    today = now.date()
    ids = [r.id for r in wanted]
    groups = await repository.group_counts(ids, today)
    checkins = await repository.checkin_counts(ids, today)
    # Retention looks RETENTION_ROUNDS rounds back in the whole programme, not in the trend.
    position = {r.id: index for index, r in enumerate(rounds)}
    back: dict[int, RoundRow] = {
        r.id: rounds[position[r.id] - RETENTION_ROUNDS]
        for r in wanted
        if position[r.id] >= RETENTION_ROUNDS
    }
    spans = [
        (day_start(back[r.id].scheduled_for + timedelta(days=1)), _end(r, now))
        for r in wanted
        if r.id in back
    ]
    retained = iter(await repository.retention(programme_id, spans))
    figures: dict[int, RoundFigures] = {}
    for r in wanted:
        group = groups.get(r.id)
        checkin = checkins.get(r.id)
        retention = Rate(0, 0)
        if r.id in back:
            kept = next(retained)
            retention = Rate(kept.still_open, kept.opened)
        status = checkin.goals if checkin else {}
        figures[r.id] = RoundFigures(
            round_id=r.id,
            starts_on=r.scheduled_for,
            ends_on=r.ends_on,
            groups=group.groups if group else 0,
            people=group.people if group else 0,
            meeting=Rate(group.met, group.groups) if group else Rate(0, 0),
            checkin_response=Rate(checkin.answered, checkin.sent) if checkin else Rate(0, 0),
            usefulness=(checkin.rating_sum / checkin.ratings)
            if checkin and checkin.ratings
            else None,
            ratings=checkin.ratings if checkin else 0,
            goals=GoalProgress(
                on_track=status.get(GoalStatus.ON_TRACK, 0),
                some_progress=status.get(GoalStatus.SOME_PROGRESS, 0),
                stuck=status.get(GoalStatus.STUCK, 0),
                achieved=status.get(GoalStatus.ACHIEVED, 0),
            ),
            steps_kept=Rate(checkin.steps_done, checkin.steps_asked) if checkin else Rate(0, 0),
            retention=retention,
        )
    return figures


def _label(dimension: Dimension) -> Callable[[MemberRow], str]:
    if dimension is Dimension.FUNCTION:
        return lambda m: function_label(m.function) if m.function else copy.NOT_GIVEN
    return lambda m: level_title(m.level) if m.level is not None else copy.NOT_GIVEN


def _breakdowns(
    dimension: Dimension,
    members: Iterable[MemberRow],
    met: dict[int, bool],
    checkins: dict[int, tuple[int, int]],
    min_group: int,
) -> list[Breakdown]:
    label_of = _label(dimension)
    # One entry per person (a person in two groups counts once, having met if either did);
    # each forgotten member row is somebody of its own.
    people: dict[object, tuple[str, bool]] = {}
    for index, member in enumerate(members):
        key: object = member.person_id if member.person_id is not None else ("forgotten", index)
        _, already_met = people.get(key, ("", False))
        people[key] = (label_of(member), already_met or met.get(member.group_id, False))
    tally: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])  # people, met, answered, sent
    for key, (label, group_met) in people.items():
        row = tally[label]
        row[0] += 1
        row[1] += int(group_met)
        if isinstance(key, int):
            sent, answered = checkins.get(key, (0, 0))
            row[2] += answered
            row[3] += sent
    hidden = _suppress({label: row[0] for label, row in tally.items()}, min_group)
    shown = sorted(
        (label for label in tally if label not in hidden),
        key=lambda label: (-tally[label][0], label),
    )
    result = [
        Breakdown(
            dimension=dimension,
            label=label,
            people=tally[label][0],
            meeting=Rate(tally[label][1], tally[label][0]),
            checkin_response=Rate(tally[label][2], tally[label][3]),
        )
        for label in shown
    ]
    result += [
        Breakdown(
            dimension=dimension, label=label, people=None, meeting=None, checkin_response=None
        )
        for label in sorted(hidden)
    ]
    return result


def _suppress(sizes: dict[str, int], min_group: int) -> set[str]:
    """The values of one dimension to hide: those shared by fewer than `min_group` people.

    The round's totals are shown beside the breakdown and cover the same people, so when
    exactly one value is hidden, the totals minus the values shown would give it away: then
    the next smallest value is hidden too, and two hidden values can no longer be told apart.
    """
    hidden = {label for label, size in sizes.items() if size < min_group}
    shown = [label for label in sizes if label not in hidden]
    if len(hidden) == 1 and shown:
        hidden.add(min(shown, key=lambda label: (sizes[label], label)))
    return hidden


def _quiet_groups(
    current_groups: Sequence[GroupRow],
    current_members: Sequence[MemberRow],
    previous_members: Sequence[MemberRow],
    met: dict[int, bool],
) -> list[QuietGroup]:
    previous_groups: dict[int, set[int]] = defaultdict(set)
    for member in previous_members:
        if member.person_id is not None:
            previous_groups[member.person_id].add(member.group_id)
    by_group: dict[int, list[MemberRow]] = defaultdict(list)
    for member in current_members:
        by_group[member.group_id].append(member)
    quiet: list[QuietGroup] = []
    for group in current_groups:  # by group id
        if group.met:
            continue
        before = {
            previous
            for member in by_group[group.id]
            if member.person_id is not None
            for previous in previous_groups[member.person_id]
        }
        if not before or any(met[previous] for previous in before):
            continue
        quiet.append(
            QuietGroup(
                group_id=group.id,
                user_ids=tuple(m.slack_user_id for m in by_group[group.id] if m.slack_user_id),
                channel_id=group.channel_id,
                rounds_quiet=QUIET_ROUNDS,
            )
        )
    return quiet
