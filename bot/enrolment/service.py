"""Enrolment and profiles: who takes part, in what, and their profile.

Services take a session and plain values and return plain values; the handler that called
them commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.commands.intents import Find, FindKind, JoinProgramme, OfferMentoring
from bot.domain import (
    Cadence,
    EnrolmentState,
    MemberRole,
    MembershipRole,
    ProgrammeMode,
)
from bot.enrolment.home_state import (
    AdminProgramme,
    CurrentMatch,
    FailedSummary,
    HomeState,
    ProgrammeStatus,
)
from bot.enrolment.profile_form import ProfileInput
from bot.matching.hidden_levels import without_levels
from bot.programmes import admin
from bot.programmes.service import (
    get_or_create_programme,
    load_programme_settings,
    programme_next_round,
)
from bot.programmes.settings_form import describe_matching
from bot.slack.users import SlackUser
from storage.models import Person, ProgrammeRow
from storage.repositories import (
    DoNotPairRepository,
    MatchRepository,
    OutboxRepository,
    PersonRepository,
    ProgrammeRepository,
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
    programme_name: str | None = None  # the programme joined (None for `find flash`)
    added: bool = False  # the programme is new for them (False: they were already in it)
    also_in: tuple[str, ...] = ()  # names of the other programmes they stay in


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


# What each joining command joins: the programme's mode and the person's role in it.
_JOINS: dict[FindKind, tuple[ProgrammeMode, MembershipRole]] = {
    FindKind.PAIRS: (ProgrammeMode.PAIRS, MembershipRole.PARTICIPANT),
    FindKind.CIRCLE: (ProgrammeMode.CIRCLES, MembershipRole.PARTICIPANT),
    FindKind.MENTOR: (ProgrammeMode.MENTORSHIP, MembershipRole.MENTEE),
}


def role_in(programme: ProgrammeRow, *, mentor: bool = False) -> MembershipRole:
    """The role someone joining `programme` takes: mentee or mentor in a mentorship (the
    reverse mode too), participant elsewhere."""
    if programme.mode in (ProgrammeMode.MENTORSHIP, ProgrammeMode.REVERSE):
        return MembershipRole.MENTOR if mentor else MembershipRole.MENTEE
    return MembershipRole.PARTICIPANT


async def join(
    session: AsyncSession,
    person: Person,
    intent: Find | OfferMentoring | JoinProgramme,
    *,
    now: datetime,
) -> JoinOutcome:
    """Apply `find …`, `mentor N` or an invitation's Join to someone who has a profile.

    Each joins one programme (created on demand for the joining commands) and leaves every
    other programme the person is in as it was. Someone paused who asks to take part is
    resumed, as `resume` would: they asked to be matched, and a pause that silently outlived
    that request would surprise them."""
    repository = ProgrammeRepository(session)
    programme: ProgrammeRow | None = None
    role = MembershipRole.PARTICIPANT
    if isinstance(intent, JoinProgramme):
        # Checked before anything changes, so a closed programme leaves the person as they were.
        programme = await repository.get(person.team_id, intent.programme_id)
        if programme is None or programme.closed_at is not None:
            raise ProgrammeClosed(intent.programme_id)
        role = role_in(programme)
    resumed = person.enrolment_state is EnrolmentState.PAUSED
    returned = person.enrolment_state is EnrolmentState.LEFT
    first_time = person.enrolment_state in (EnrolmentState.NOT_ENROLLED, EnrolmentState.LEFT)
    today = now.date()
    if first_time:
        person.enrolled_at = now
        person.left_at = None
    person.paused_until = None
    person.enrolment_state = EnrolmentState.ENROLLED
    person.updated_at = now
    if isinstance(intent, JoinProgramme):
        pass
    elif isinstance(intent, OfferMentoring):
        person.mentor_capacity = intent.capacity  # a profile value: how many at a time
        programme = await get_or_create_programme(
            session, person.team_id, ProgrammeMode.MENTORSHIP, now=now
        )
        role = MembershipRole.MENTOR
    elif intent.kind is FindKind.FLASH:
        flash = week_start(today)
        person.flash_week = flash
        await session.flush()
        return JoinOutcome(
            first_time,
            await _earliest_next_round(session, person, today),
            flash,
            resumed,
            returned,
            also_in=tuple(p.name for _, p in await repository.active_for_person(person.id)),
        )
    else:
        mode, role = _JOINS[intent.kind]
        programme = await get_or_create_programme(session, person.team_id, mode, now=now)
    assert programme is not None
    _, added = await repository.join(programme, person, role, now=now)
    others = [p for _, p in await repository.active_for_person(person.id) if p.id != programme.id]
    last = (await repository.last_round_dates(person.team_id)).get(programme.id)
    return JoinOutcome(
        first_time,
        programme_next_round(programme, today, last),
        None,
        resumed,
        returned,
        programme_name=programme.name,
        added=added,
        also_in=tuple(p.name for p in others),
    )


class ProgrammeClosed(Exception):
    """The programme an invitation named is gone or closed."""


async def _earliest_next_round(session: AsyncSession, person: Person, today: date) -> date | None:
    repository = ProgrammeRepository(session)
    last = await repository.last_round_dates(person.team_id)
    dates = [
        programme_next_round(p, today, last.get(p.id))
        for _, p in await repository.active_for_person(person.id)
    ]
    known = [d for d in dates if d is not None]
    return min(known) if known else None


async def pause(
    session: AsyncSession, person: Person, until: date | None, *, now: datetime
) -> None:
    """Pauses every programme at once: the pause belongs to the person."""
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
    """Leave every programme and stop every message; the rows stay so that statistics keep
    counting what happened, and rejoining reuses them."""
    repository = ProgrammeRepository(session)
    for membership, _ in await repository.active_for_person(person.id):
        await repository.leave(membership, now=now)
    person.enrolment_state = EnrolmentState.LEFT
    person.left_at = now
    person.paused_until = None
    person.mentor_capacity = 0
    person.flash_week = None
    person.updated_at = now
    await session.flush()


@dataclass(frozen=True, slots=True)
class LeaveOutcome:
    left: str | None  # the programme left; None when the person was not in it
    remaining: tuple[str, ...]  # programmes they are still in; empty: they left peercoach


async def leave_programme(
    session: AsyncSession, person: Person, programme_id: int, *, now: datetime
) -> LeaveOutcome:
    """Leave one programme; leaving the last one leaves peercoach, as `leave` does."""
    repository = ProgrammeRepository(session)
    active = await repository.active_for_person(person.id)
    chosen = next(((m, p) for m, p in active if p.id == programme_id), None)
    if chosen is None:
        return LeaveOutcome(None, tuple(p.name for _, p in active))
    membership, programme = chosen
    remaining = [p for _, p in active if p.id != programme_id]
    if not remaining:
        await leave(session, person, now=now)
        return LeaveOutcome(programme.name, ())
    await repository.leave(membership, now=now)
    person.updated_at = now
    await session.flush()
    return LeaveOutcome(programme.name, tuple(p.name for p in remaining))


async def active_programmes(session: AsyncSession, person: Person) -> list[ProgrammeRow]:
    return [p for _, p in await ProgrammeRepository(session).active_for_person(person.id)]


def is_taking_part(person: Person | None) -> bool:
    return person is not None and person.enrolment_state in (
        EnrolmentState.ENROLLED,
        EnrolmentState.PAUSED,
    )


# Undelivered messages listed one by one (with Retry) on an admin's App Home.
MAX_FAILED_LISTED = 10

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
    programmes_repo = ProgrammeRepository(session)
    last_rounds = await programmes_repo.last_round_dates(team_id)
    matches: list[CurrentMatch] = []
    programmes: list[ProgrammeStatus] = []
    if person is not None:
        rows = await MatchRepository(session).current_for_person(person.id)
        programme_of = await programmes_repo.programme_of_groups([r.group_id for r in rows])
        for row in rows:
            kind = _KIND_BY_ROLE.get(row.role) or _group_kind(row.mode, len(row.partner_ids))
            matches.append(
                CurrentMatch(
                    partner_ids=row.partner_ids,
                    kind=kind,
                    explanation=without_levels(row.explanation),
                    since=row.round_date,
                    programme_id=programme_of.get(row.group_id),
                )
            )
        for membership, programme in await programmes_repo.active_for_person(person.id):
            programmes.append(
                ProgrammeStatus(
                    programme_id=programme.id,
                    name=programme.name,
                    mode=programme.mode,
                    role=membership.role,
                    cadence=programme.cadence,
                    weekday=programme.weekday,
                    next_round=programme_next_round(
                        programme, today, last_rounds.get(programme.id)
                    ),
                    matches=tuple(m for m in matches if m.programme_id == programme.id),
                )
            )
    listed = {p.programme_id for p in programmes}
    loose = tuple(m for m in matches if m.programme_id not in listed)
    upcoming = [p.next_round for p in programmes if p.next_round is not None]
    admin_programmes: tuple[AdminProgramme, ...] = ()
    failed: FailedSummary | None = None
    settings_summary: str | None = None
    if is_admin:
        settings = await load_programme_settings(session, team_id)
        settings_summary = describe_matching(settings)
        admin_programmes = tuple(await admin.admin_programmes(session, team_id, today=today))
        deliveries = await programmes_repo.failed_deliveries(team_id)
        if deliveries.total:
            recent = await OutboxRepository(session).recent_failed(team_id, limit=MAX_FAILED_LISTED)
            failed = FailedSummary(deliveries.total, deliveries.by_kind, tuple(recent))
    return HomeState(
        user_id=user_id,
        state=person.enrolment_state if person else EnrolmentState.NOT_ENROLLED,
        profile=await profile_of(session, person),
        programmes=tuple(programmes),
        mentor_capacity=person.mentor_capacity if person else 0,
        flash_week=person.flash_week if person else None,
        paused_until=person.paused_until if person else None,
        matches=loose,
        next_round=min(upcoming) if upcoming else None,
        is_admin=is_admin,
        settings_summary=settings_summary,
        admin_programmes=admin_programmes,
        failed=failed,
    )


def _group_kind(mode: str, partners: int) -> str:
    if mode == "circles":
        return "circle"
    if mode == "flash":
        return "flash"
    return "triad" if partners == 2 else "pair"
