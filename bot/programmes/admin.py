"""What admins do to programmes: list, create, edit, close, invite a channel, start a round now.

Services take a session and plain values and return plain values; the caller commits. Every
message to members goes through the outbox, in the transaction of the change that causes it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import EnrolmentState
from bot.enrolment.home_state import AdminProgramme
from bot.outbox import Message, enqueue
from bot.programmes.form import ProgrammeInput
from bot.programmes.service import programme_next_round
from bot.slack.blocks.programmes import closed_dm, invitation
from storage.models import Person, ProgrammeRow
from storage.repositories import ProgrammeRepository


class NameTaken(Exception):
    """Another programme of the workspace has this name."""


class ProgrammeGone(Exception):
    """The programme does not exist in this workspace (or is closed, where that matters)."""


async def admin_programmes(
    session: AsyncSession, team_id: str, *, today: date
) -> list[AdminProgramme]:
    """The workspace's open programmes with member counts and next rounds."""
    repository = ProgrammeRepository(session)
    counts = await repository.active_member_counts(team_id)
    last_rounds = await repository.last_round_dates(team_id)
    return [
        AdminProgramme(
            programme_id=p.id,
            name=p.name,
            mode=p.mode,
            kind=p.kind,
            cadence=p.cadence,
            weekday=p.weekday,
            members=counts.get(p.id, 0),
            next_round=programme_next_round(p, today, last_rounds.get(p.id)),
            starts_on=p.starts_on,
            ends_on=p.ends_on,
            is_default=p.is_default,
        )
        for p in await repository.list_for_team(team_id)
    ]


def input_of(programme: ProgrammeRow) -> ProgrammeInput:
    """The form's values for an existing programme."""
    return ProgrammeInput(
        name=programme.name,
        mode=programme.mode,
        cadence=programme.cadence,
        weekday=programme.weekday,
        intro_hour=programme.intro_hour,
        group_size=programme.group_size,
        home_channel_id=programme.home_channel_id,
        kind=programme.kind,
        starts_on=programme.starts_on,
        ends_on=programme.ends_on,
        checkin_weekday=programme.checkin_weekday,
    )


@dataclass(frozen=True, slots=True)
class Saved:
    programme_id: int
    name: str
    schedule_reset: bool  # next_round_at was cleared so the scheduler recomputes it


async def save_programme(
    session: AsyncSession,
    team_id: str,
    programme_id: int | None,
    data: ProgrammeInput,
    *,
    now: datetime,
) -> Saved:
    """Create (`programme_id` None) or edit a programme. A new schedule (cadence, weekday,
    cohort start) clears `next_round_at`, so the scheduler plans the next round afresh.
    Raises NameTaken or ProgrammeGone."""
    repository = ProgrammeRepository(session)
    clash = await repository.by_name(team_id, data.name)
    if clash is not None and clash.id != programme_id:
        raise NameTaken(data.name)
    values = {
        "name": data.name,
        "mode": data.mode,
        "kind": data.kind,
        "cadence": data.cadence,
        "weekday": data.weekday,
        "intro_hour": data.intro_hour,
        "group_size": data.group_size,
        "home_channel_id": data.home_channel_id,
        "starts_on": data.starts_on,
        "ends_on": data.ends_on,
        "checkin_weekday": data.checkin_weekday,
    }
    if programme_id is None:
        created = await repository.create(team_id, values, now=now)
        return Saved(created.id, created.name, schedule_reset=False)
    programme = await repository.get(team_id, programme_id)
    if programme is None or programme.closed_at is not None:
        raise ProgrammeGone(programme_id)
    reset = (
        programme.cadence != data.cadence
        or programme.weekday != data.weekday
        or programme.starts_on != data.starts_on
        or programme.kind != data.kind
    )
    for column, value in values.items():
        setattr(programme, column, value)
    if reset:
        programme.next_round_at = None
    programme.updated_at = now
    await session.flush()
    return Saved(programme.id, programme.name, schedule_reset=reset)


@dataclass(frozen=True, slots=True)
class Closed:
    name: str
    told: int  # members told by DM


class DefaultNotClosable(Exception):
    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


async def close_programme(
    session: AsyncSession, team_id: str, programme_id: int, *, now: datetime
) -> Closed:
    """Close a programme: no more rounds, members leave it and are told by DM (once each,
    keyed `closed:<programme>:<user>`). Someone for whom it was the last programme leaves
    peercoach, as leaving their last programme would. The default programme stays open."""
    repository = ProgrammeRepository(session)
    programme = await repository.get(team_id, programme_id)
    if programme is None or programme.closed_at is not None:
        raise ProgrammeGone(programme_id)
    if programme.is_default:
        raise DefaultNotClosable(programme.name)
    members = await repository.close(programme, now=now)
    people = await _people(session, team_id, members)
    for user_id in members:
        person = people.get(user_id)
        remaining: list[str] = []
        if person is not None:
            remaining = [p.name for _, p in await repository.active_for_person(person.id)]
            if not remaining and person.enrolment_state in (
                EnrolmentState.ENROLLED,
                EnrolmentState.PAUSED,
            ):
                person.enrolment_state = EnrolmentState.LEFT
                person.left_at = now
                person.paused_until = None
                person.updated_at = now
        message = closed_dm(programme.name, tuple(remaining))
        await enqueue(
            session,
            Message(
                team_id=team_id,
                key=f"closed:{programme.id}:{user_id}",
                kind="closed",
                text=str(message["text"]),
                blocks=message["blocks"],
                due_at=now,
                open_users=[user_id],
            ),
            now=now,
        )
    await session.flush()
    return Closed(programme.name, len(members))


async def _people(
    session: AsyncSession, team_id: str, user_ids: Sequence[str]
) -> dict[str, Person]:
    if not user_ids:
        return {}
    result = await session.scalars(
        select(Person).where(Person.team_id == team_id, Person.slack_user_id.in_(list(user_ids)))
    )
    return {p.slack_user_id: p for p in result}


@dataclass(frozen=True, slots=True)
class Resolved:
    """The programme an admin command names, or why none: `names` of the open ones."""

    programme: ProgrammeRow | None
    names: tuple[str, ...] = ()


async def open_programmes(session: AsyncSession, team_id: str) -> list[ProgrammeRow]:
    """The workspace's open programmes, the default one first."""
    return await ProgrammeRepository(session).list_for_team(team_id)


async def resolve_programme(session: AsyncSession, team_id: str, typed: str | None) -> Resolved:
    """The open programme called `typed` (any case), or the default one when nothing was
    typed (the first open one if the default is gone)."""
    repository = ProgrammeRepository(session)
    open_ones = await repository.list_for_team(team_id)
    names = tuple(p.name for p in open_ones)
    if typed is None:
        return Resolved(open_ones[0] if open_ones else None, names)
    wanted = " ".join(typed.split()).lower()
    found = next((p for p in open_ones if p.name.lower() == wanted), None)
    return Resolved(found, names)


async def get_programme(
    session: AsyncSession, team_id: str, programme_id: int
) -> ProgrammeRow | None:
    """The programme, open or closed, if it belongs to this workspace."""
    return await ProgrammeRepository(session).get(team_id, programme_id)


async def active_member_count(session: AsyncSession, programme: ProgrammeRow) -> int:
    return len(await ProgrammeRepository(session).active_member_ids(programme.id))


async def start_round_now(
    session: AsyncSession, team_id: str, programme_id: int, *, now: datetime
) -> ProgrammeRow:
    """Make the programme's next round due now; the scheduler's tick starts it. Raises
    ProgrammeGone for a closed or unknown programme."""
    repository = ProgrammeRepository(session)
    programme = await repository.get(team_id, programme_id)
    if programme is None or programme.closed_at is not None:
        raise ProgrammeGone(programme_id)
    await repository.start_round_now(programme, now=now)
    return programme


# ---------------------------------------------------------------------------- invitations


@dataclass(frozen=True, slots=True)
class Candidate:
    """A channel member and, when they can't be invited, why ("bot", "deleted", "guest",
    "unknown")."""

    user_id: str
    refusal: str | None = None


@dataclass(frozen=True, slots=True)
class InviteReport:
    invited: int
    skipped: dict[str, int] = field(default_factory=dict)  # reason -> count


async def queue_invitations(
    session: AsyncSession,
    programme: ProgrammeRow,
    candidates: Sequence[Candidate],
    *,
    now: datetime,
) -> InviteReport:
    """Queue one invitation DM per channel member who is not in the programme, each person
    once ever (`invite:<programme>:<user>`); the dispatcher paces the sending. People who left
    peercoach are not invited again: they chose to stop hearing from it."""
    repository = ProgrammeRepository(session)
    members = set(await repository.active_member_ids(programme.id))
    people = await _people(session, programme.team_id, [c.user_id for c in candidates])
    skipped: dict[str, int] = {}
    invited = 0
    message = invitation(programme)
    for candidate in dict.fromkeys(candidates):
        reason = candidate.refusal
        person = people.get(candidate.user_id)
        if reason is None and candidate.user_id in members:
            reason = "member"
        if reason is None and person is not None and person.enrolment_state is EnrolmentState.LEFT:
            reason = "left"
        if reason is None:
            queued = await enqueue(
                session,
                Message(
                    team_id=programme.team_id,
                    key=f"invite:{programme.id}:{candidate.user_id}",
                    kind="invite",
                    text=str(message["text"]),
                    blocks=message["blocks"],
                    due_at=now,
                    open_users=[candidate.user_id],
                ),
                now=now,
            )
            if queued:
                invited += 1
                continue
            reason = "invited"
        skipped[reason] = skipped.get(reason, 0) + 1
    return InviteReport(invited, skipped)
