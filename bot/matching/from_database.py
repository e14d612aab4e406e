"""The matching input for a workspace or one programme's members, read from the database (the
engine itself never is)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import EnrolmentState, MembershipRole, MembershipState, ProgrammeMode
from bot.matching.model import MatchInput, MatchSettings, Mode, Participant, Unavailable
from bot.people.eligibility import load_policy
from bot.programmes.service import load_programme_settings
from storage.models import Person
from storage.repositories import DoNotPairRepository, MatchRepository, ProgrammeRepository
from storage.repositories.directory import DirectoryRepository
from storage.repositories.rounds import RoundRepository


async def _with_people_data(
    session: AsyncSession, team_id: str, inp: MatchInput, *, drop_excluded: bool
) -> MatchInput:
    """The reporting lines from the HR directory and the workspace's same-manager setting;
    with `drop_excluded`, people on the exclusion list left out (a round applies the whole
    eligibility check itself, with Slack's answers)."""
    policy = await load_policy(session, team_id)
    participants = inp.participants
    if drop_excluded and policy.excluded_user_ids:
        participants = tuple(p for p in participants if p.id not in policy.excluded_user_ids)
    return replace(
        inp,
        participants=participants,
        managers=await DirectoryRepository(session).managers(team_id),
        settings=replace(inp.settings, same_manager_apart=policy.same_manager_apart),
    )


def utc_offset_minutes(zone: str | None, on: date) -> int:
    """The zone's offset at midday UTC on `on` (DST as it will be that day); UTC if unknown."""
    if not zone:
        return 0
    try:
        tz = ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        return 0
    offset = datetime.combine(on, time(12), tzinfo=UTC).astimezone(tz).utcoffset()
    return int(offset.total_seconds() // 60) if offset is not None else 0


def _minutes(value: time | None, default: int) -> int:
    return default if value is None else value.hour * 60 + value.minute


def participant(person: Person, on: date) -> Participant:
    """The person as the engine sees them, from their profile alone: paused people marked
    unavailable; nobody wants a mentor (only a mentee membership says so, see `_with_roles`)."""
    assert person.function is not None
    assert person.level is not None
    paused = person.enrolment_state is EnrolmentState.PAUSED and (
        person.paused_until is None or person.paused_until > on
    )
    return Participant(
        id=person.slack_user_id,
        function=person.function,
        level=person.level,
        utc_offset_minutes=utc_offset_minutes(person.time_zone, on),
        work_start_minute=_minutes(person.work_start, 9 * 60),
        work_end_minute=_minutes(person.work_end, 17 * 60),
        goals=frozenset(person.goal_tags),
        skills=frozenset(person.skills),
        cadence=person.cadence.value if person.cadence else "weekly",
        unavailable=Unavailable.PAUSED if paused else None,
        mentor_capacity=person.mentor_capacity,
    )


# The programmes whose members a preview of each matching mode reads.
_PROGRAMME_MODES = {
    Mode.PAIRS: ProgrammeMode.PAIRS,
    Mode.CIRCLES: ProgrammeMode.CIRCLES,
    Mode.MENTORSHIP: ProgrammeMode.MENTORSHIP,
}


async def load_match_input(
    session: AsyncSession,
    *,
    team_id: str,
    on: date,
    settings: MatchSettings | None = None,
    mode: Mode | None = None,
) -> MatchInput:
    """Who would be matched in `mode`, for previews and dry runs, with a complete profile;
    people who left are not loaded at all, paused people come in marked unavailable so the
    preview can say why they are skipped.

    Pairs, circles and mentorship: the active members of the workspace's open programmes of
    that mode (memberships on hold are left out, as a round leaves them out), each person once
    however many such programmes they are in; in mentorship their membership role makes them
    mentee or mentor. Otherwise (no mode, reverse): everyone enrolled or paused."""
    programme_mode = _PROGRAMME_MODES.get(mode) if mode is not None else None
    if programme_mode is None:
        people = await session.scalars(
            select(Person)
            .where(
                Person.team_id == team_id,
                Person.enrolment_state.in_([EnrolmentState.ENROLLED, EnrolmentState.PAUSED]),
                Person.profile_completed_at.is_not(None),
            )
            .order_by(Person.slack_user_id)
        )
        participants = tuple(participant(p, on) for p in people)
    else:
        assert mode is not None
        roles: dict[str, tuple[Person, set[MembershipRole]]] = {}
        for person, role in await ProgrammeRepository(session).members_of_mode(
            team_id, programme_mode
        ):
            roles.setdefault(person.slack_user_id, (person, set()))[1].add(role)
        found = (_with_roles(participant(p, on), p, r, mode) for p, r in roles.values())
        participants = tuple(
            p
            for p in found
            if mode is not Mode.MENTORSHIP or p.wants_mentor or p.mentor_capacity > 0
        )
    if settings is None:
        settings = (await load_programme_settings(session, team_id)).match_settings()
    inp = MatchInput(
        participants=participants,
        past_partners=frozenset(await MatchRepository(session).past_partner_pairs(team_id)),
        do_not_pair=frozenset(await DoNotPairRepository(session).pairs_for_team(team_id)),
        settings=settings,
    )
    return await _with_people_data(session, team_id, inp, drop_excluded=True)


def _with_roles(
    base: Participant, person: Person, roles: Collection[MembershipRole], mode: Mode
) -> Participant:
    """In a mentorship the membership roles say who mentors (with the capacity their profile
    offers, at least one) and who is mentored; elsewhere roles change nothing."""
    if mode is not Mode.MENTORSHIP:
        return base
    return replace(
        base,
        wants_mentor=MembershipRole.MENTEE in roles,
        mentor_capacity=max(1, person.mentor_capacity) if MembershipRole.MENTOR in roles else 0,
    )


def member_participant(person: Person, role: MembershipRole, on: date, mode: Mode) -> Participant:
    """A programme member as the engine sees them: in a mentorship programme the membership's
    role says who mentors and who is mentored, whatever else the person offers elsewhere."""
    return _with_roles(replace(participant(person, on), unavailable=None), person, (role,), mode)


async def load_programme_input(
    session: AsyncSession,
    *,
    team_id: str,
    members: Sequence[tuple[Person, MembershipRole]],
    on: date,
    mode: Mode,
    group_size: int | None = None,
) -> MatchInput:
    """The matching input for the given members of one programme (the round service decides
    who is available; everyone passed in is matched), with the workspace's past partners,
    do-not-pair lists and settings; `group_size` sets the circle size in circles mode."""
    settings = (await load_programme_settings(session, team_id)).match_settings()
    if mode is Mode.CIRCLES and group_size is not None:
        settings = replace(settings, circle_size=max(3, min(6, group_size)))
    inp = MatchInput(
        participants=tuple(member_participant(p, role, on, mode) for p, role in members),
        past_partners=frozenset(await MatchRepository(session).past_partner_pairs(team_id)),
        do_not_pair=frozenset(await DoNotPairRepository(session).pairs_for_team(team_id)),
        settings=settings,
    )
    return await _with_people_data(session, team_id, inp, drop_excluded=False)


async def load_programme_match_input(
    session: AsyncSession,
    *,
    programme_id: int,
    team_id: str,
    mode: Mode,
    on: date,
    group_size: int | None = None,
) -> MatchInput:
    """The matching input of one programme from its `Membership` rows, for previews: active
    members with a complete profile who are not on hold; paused people come in marked
    unavailable so a preview can say why they are skipped. (A round also reads Slack
    statuses and tells each person left out why: see `bot.rounds.service`.)"""
    roster = await RoundRepository(session).roster(programme_id)
    members = [
        (person, membership.role)
        for membership, person in roster
        if membership.state is MembershipState.ACTIVE
        and membership.on_hold_since is None
        and person.enrolment_state in (EnrolmentState.ENROLLED, EnrolmentState.PAUSED)
    ]
    inp = await load_programme_input(
        session, team_id=team_id, members=members, on=on, mode=mode, group_size=group_size
    )
    paused = {p.slack_user_id for p, _ in members if participant(p, on).unavailable is not None}
    return replace(
        inp,
        participants=tuple(
            replace(p, unavailable=Unavailable.PAUSED) if p.id in paused else p
            for p in inp.participants
        ),
    )
