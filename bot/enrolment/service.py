"""Enrolment and profiles: who takes part, in what, and their profile.

Services take a session and plain values and return plain values; the handler that called
them commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.commands.intents import Find, FindKind, OfferMentoring
from bot.domain import Cadence, EnrolmentState, MemberRole, Programme
from bot.enrolment.home_state import CurrentMatch, HomeState
from bot.enrolment.profile_form import ProfileInput
from bot.programmes.service import load_programme_settings, next_round_date
from bot.programmes.settings_form import ProgrammeSettings, describe
from bot.slack.users import SlackUser
from storage.models import Person
from storage.repositories import (
    DoNotPairRepository,
    MatchRepository,
    PersonRepository,
    WorkspaceRepository,
)


async def ensure_workspace(
    session: AsyncSession, team_id: str, name: str | None, *, now: datetime
) -> None:
    """The workspace row every person hangs off; created the first time anyone shows up."""
    workspaces = WorkspaceRepository(session)
    existing = await workspaces.get(team_id)
    if existing is None:
        await workspaces.upsert(team_id, name or team_id, now=now)
    elif name and existing.name != name:
        await workspaces.upsert(team_id, name, enterprise_id=existing.enterprise_id, now=now)


async def see_person(
    session: AsyncSession, team_id: str, user: SlackUser, *, now: datetime
) -> Person:
    """The person's row, created (not enrolled) or refreshed from what Slack just told us."""
    people = PersonRepository(session)
    known = await people.get(team_id, user.id)
    # Once someone confirmed a time zone in their profile, theirs wins over Slack's.
    time_zone = known.time_zone if known is not None and has_profile(known) else user.time_zone
    return await people.upsert_seen(
        team_id,
        user.id,
        display_name=user.display_name,
        real_name=user.real_name,
        time_zone=time_zone,
        now=now,
    )


async def get_person(session: AsyncSession, team_id: str, user_id: str) -> Person | None:
    return await PersonRepository(session).get(team_id, user_id)


def has_profile(person: Person | None) -> bool:
    return person is not None and person.profile_completed_at is not None


async def profile_of(session: AsyncSession, person: Person | None) -> ProfileInput | None:
    """The saved profile in the form the modal edits, or None before the first save."""
    if person is None or person.profile_completed_at is None:
        return None
    assert person.function is not None
    assert person.level is not None
    assert person.work_start is not None
    assert person.work_end is not None
    blocked = await DoNotPairRepository(session).for_person(person.id)
    return ProfileInput(
        function=person.function,
        level=person.level,
        # The saved zone is the one the person confirmed; Slack's refresh may have changed
        # time_zone since, and the person's own choice wins until they edit it.
        time_zone=person.time_zone or "UTC",
        work_start=person.work_start,
        work_end=person.work_end,
        goals=tuple(person.goals),
        goal_tags=tuple(person.goal_tags),
        skills=tuple(person.skills),
        cadence=person.cadence or Cadence.WEEKLY,
        do_not_pair=tuple(blocked),
    )


async def save_profile(
    session: AsyncSession, person: Person, profile: ProfileInput, *, now: datetime
) -> Person:
    person.function = profile.function
    person.level = profile.level
    person.time_zone = profile.time_zone
    person.work_start = profile.work_start
    person.work_end = profile.work_end
    person.goals = list(profile.goals)
    person.goal_tags = list(profile.goal_tags)
    person.skills = list(profile.skills)
    person.cadence = profile.cadence
    person.profile_completed_at = person.profile_completed_at or now
    person.updated_at = now
    await DoNotPairRepository(session).replace(person, profile.do_not_pair, now=now)
    await session.flush()
    return person


@dataclass(frozen=True, slots=True)
class JoinOutcome:
    first_time: bool  # joining anew: never taken part, or left before
    next_round: date | None
    flash_week: date | None = None
    resumed: bool = False  # was paused: joining again ended the pause
    returned: bool = False  # had left before: welcomed back, not as a newcomer


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


async def join(
    session: AsyncSession,
    person: Person,
    intent: Find | OfferMentoring,
    *,
    now: datetime,
) -> JoinOutcome:
    """Apply `find …` or `mentor N` to someone who has a profile.

    Someone paused who asks to take part is resumed, as `resume` would: they asked to be
    matched, and a pause that silently outlived that request would surprise them."""
    resumed = person.enrolment_state is EnrolmentState.PAUSED
    returned = person.enrolment_state is EnrolmentState.LEFT
    first_time = person.enrolment_state in (EnrolmentState.NOT_ENROLLED, EnrolmentState.LEFT)
    today = now.date()
    if first_time:
        person.enrolled_at = now
        person.left_at = None
    person.paused_until = None
    person.enrolment_state = EnrolmentState.ENROLLED
    flash: date | None = None
    if isinstance(intent, OfferMentoring):
        person.mentor_capacity = intent.capacity
    elif intent.kind is FindKind.PAIRS:
        person.programme = Programme.PAIRS
    elif intent.kind is FindKind.CIRCLE:
        person.programme = Programme.CIRCLE
    elif intent.kind is FindKind.MENTOR:
        person.wants_mentor = True
    else:
        flash = week_start(today)
        person.flash_week = flash
    person.updated_at = now
    await session.flush()
    settings = await load_programme_settings(session, person.team_id)
    last = await MatchRepository(session).last_round_date(person.team_id)
    return JoinOutcome(first_time, next_round_date(settings, today, last), flash, resumed, returned)


async def pause(
    session: AsyncSession, person: Person, until: date | None, *, now: datetime
) -> None:
    person.enrolment_state = EnrolmentState.PAUSED
    person.paused_until = until
    person.updated_at = now
    await session.flush()


async def resume(session: AsyncSession, person: Person, *, now: datetime) -> None:
    person.enrolment_state = EnrolmentState.ENROLLED
    person.paused_until = None
    person.updated_at = now
    await session.flush()


async def leave(session: AsyncSession, person: Person, *, now: datetime) -> None:
    """Stop every message; the rows stay so that statistics keep counting what happened."""
    person.enrolment_state = EnrolmentState.LEFT
    person.left_at = now
    person.paused_until = None
    person.wants_mentor = False
    person.mentor_capacity = 0
    person.flash_week = None
    person.updated_at = now
    await session.flush()


def is_taking_part(person: Person | None) -> bool:
    return person is not None and person.enrolment_state in (
        EnrolmentState.ENROLLED,
        EnrolmentState.PAUSED,
    )


_KIND_BY_ROLE = {MemberRole.MENTOR: "mentor", MemberRole.MENTEE: "mentee"}


async def home_state(
    session: AsyncSession,
    team_id: str,
    user_id: str,
    *,
    is_admin: bool,
    today: date,
) -> HomeState:
    person = await get_person(session, team_id, user_id)
    settings: ProgrammeSettings = await load_programme_settings(session, team_id)
    matches_repo = MatchRepository(session)
    last = await matches_repo.last_round_date(team_id)
    matches: list[CurrentMatch] = []
    if person is not None:
        for row in await matches_repo.current_for_person(person.id):
            kind = _KIND_BY_ROLE.get(row.role) or _group_kind(row.mode, len(row.partner_ids))
            matches.append(
                CurrentMatch(
                    partner_ids=row.partner_ids,
                    kind=kind,
                    explanation=row.explanation,
                    since=row.round_date,
                )
            )
    return HomeState(
        user_id=user_id,
        state=person.enrolment_state if person else EnrolmentState.NOT_ENROLLED,
        profile=await profile_of(session, person),
        programme=person.programme if person else None,
        wants_mentor=bool(person and person.wants_mentor),
        mentor_capacity=person.mentor_capacity if person else 0,
        flash_week=person.flash_week if person else None,
        paused_until=person.paused_until if person else None,
        matches=tuple(matches),
        next_round=next_round_date(settings, today, last),
        is_admin=is_admin,
        settings_summary=describe(settings) if is_admin else None,
    )


def _group_kind(mode: str, partners: int) -> str:
    if mode == "circles":
        return "circle"
    if mode == "flash":
        return "flash"
    return "triad" if partners == 2 else "pair"
