"""The matching input for a workspace or one programme's members, read from the database (the
engine itself never is)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import EnrolmentState, MembershipRole, MembershipState, Programme
from bot.matching.model import MatchInput, MatchSettings, Mode, Participant, Unavailable
from bot.programmes.service import load_programme_settings
from storage.models import Person
from storage.repositories import DoNotPairRepository, MatchRepository
from storage.repositories.rounds import RoundRepository


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


def _in_mode(person: Person, mode: Mode | None) -> bool:
    if mode is Mode.PAIRS:
        return person.programme is Programme.PAIRS
    if mode is Mode.CIRCLES:
        return person.programme is Programme.CIRCLE
    if mode is Mode.MENTORSHIP:
        return person.wants_mentor or person.mentor_capacity > 0
    return True


def participant(person: Person, on: date) -> Participant:
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
        wants_mentor=person.wants_mentor,
    )


async def load_match_input(
    session: AsyncSession,
    *,
    team_id: str,
    on: date,
    settings: MatchSettings | None = None,
    mode: Mode | None = None,
) -> MatchInput:
    """Everyone taking part with a complete profile (people who left are not loaded at all;
    paused people come in marked unavailable, so the preview can say why they are skipped)."""
    people = await session.scalars(
        select(Person)
        .where(
            Person.team_id == team_id,
            Person.enrolment_state.in_([EnrolmentState.ENROLLED, EnrolmentState.PAUSED]),
            Person.profile_completed_at.is_not(None),
        )
        .order_by(Person.slack_user_id)
    )
    participants = tuple(participant(p, on) for p in people if _in_mode(p, mode))
    if settings is None:
        settings = (await load_programme_settings(session, team_id)).match_settings()
    return MatchInput(
        participants=participants,
        past_partners=frozenset(await MatchRepository(session).past_partner_pairs(team_id)),
        do_not_pair=frozenset(await DoNotPairRepository(session).pairs_for_team(team_id)),
        settings=settings,
    )


def member_participant(person: Person, role: MembershipRole, on: date, mode: Mode) -> Participant:
    """A programme member as the engine sees them: in a mentorship programme the membership's
    role says who mentors and who is mentored, whatever else the person offers elsewhere."""
    base = participant(person, on)
    if mode is not Mode.MENTORSHIP:
        return replace(base, unavailable=None)
    return replace(
        base,
        unavailable=None,
        wants_mentor=role is MembershipRole.MENTEE,
        mentor_capacity=max(1, person.mentor_capacity) if role is MembershipRole.MENTOR else 0,
    )


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
    return MatchInput(
        participants=tuple(member_participant(p, role, on, mode) for p, role in members),
        past_partners=frozenset(await MatchRepository(session).past_partner_pairs(team_id)),
        do_not_pair=frozenset(await DoNotPairRepository(session).pairs_for_team(team_id)),
        settings=settings,
    )


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
