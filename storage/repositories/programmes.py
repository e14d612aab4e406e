"""Programmes and memberships: what a workspace runs, and who takes part in what.

A person may be in several programmes at once; a membership row is kept (state LEFT) when
they leave, so history and statistics survive and rejoining reuses the row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import (
    Cadence,
    EnrolmentState,
    MembershipRole,
    MembershipState,
    OutboxStatus,
    ProgrammeKind,
    ProgrammeMode,
)
from storage.models import (
    MatchGroup,
    Membership,
    OutboxMessage,
    Person,
    ProgrammeRow,
    Round,
)


@dataclass(frozen=True, slots=True)
class ProgrammeDefaults:
    """The schedule a programme created on demand starts with."""

    cadence: Cadence = Cadence.WEEKLY
    weekday: int = 0
    intro_hour: int = 9
    circle_size: int = 4
    digest_channel_id: str | None = None


# The programmes `find`, `find circle`, `find mentor` and `mentor N` join when the workspace
# has none of that mode yet: (name, is_default). The names match revision 0003's data step.
DEFAULT_NAMES: Mapping[ProgrammeMode, tuple[str, bool]] = {
    ProgrammeMode.PAIRS: ("Peer pairs", True),
    ProgrammeMode.CIRCLES: ("Peer circles", False),
    ProgrammeMode.MENTORSHIP: ("Mentoring", False),
}


@dataclass(frozen=True, slots=True)
class FailedDeliveries:
    """Messages the outbox gave up on, by kind and error code (never their text)."""

    total: int
    by_kind: tuple[tuple[str, str, int], ...]  # (kind, error code, count)


class ProgrammeRepository:
    """Reads and writes programmes and memberships. Flushes, never commits."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    # ------------------------------------------------------------------ programmes

    async def get(self, team_id: str, programme_id: int) -> ProgrammeRow | None:
        result = await self._session.scalars(
            select(ProgrammeRow).where(
                ProgrammeRow.team_id == team_id, ProgrammeRow.id == programme_id
            )
        )
        return result.one_or_none()

    async def by_name(self, team_id: str, name: str) -> ProgrammeRow | None:
        """The programme with this name, compared without regard to case or outer spaces."""
        result = await self._session.scalars(
            select(ProgrammeRow).where(
                ProgrammeRow.team_id == team_id,
                func.lower(ProgrammeRow.name) == name.strip().lower(),
            )
        )
        return result.first()

    async def list_for_team(
        self, team_id: str, *, include_closed: bool = False
    ) -> list[ProgrammeRow]:
        """Default first, then by creation."""
        statement = select(ProgrammeRow).where(ProgrammeRow.team_id == team_id)
        if not include_closed:
            statement = statement.where(ProgrammeRow.closed_at.is_(None))
        statement = statement.order_by(ProgrammeRow.is_default.desc(), ProgrammeRow.id)
        return list(await self._session.scalars(statement))

    async def open_of_mode(self, team_id: str, mode: ProgrammeMode) -> ProgrammeRow | None:
        """The workspace's open evergreen programme of `mode` that the joining commands use:
        the default for pairs, else the oldest. Cohorts are joined by invitation only."""
        result = await self._session.scalars(
            select(ProgrammeRow)
            .where(
                ProgrammeRow.team_id == team_id,
                ProgrammeRow.mode == mode,
                ProgrammeRow.kind == ProgrammeKind.EVERGREEN,
                ProgrammeRow.closed_at.is_(None),
            )
            .order_by(ProgrammeRow.is_default.desc(), ProgrammeRow.id)
            .limit(1)
        )
        return result.first()

    async def get_or_create(
        self,
        team_id: str,
        mode: ProgrammeMode,
        *,
        now: datetime,
        defaults: ProgrammeDefaults = ProgrammeDefaults(),
    ) -> tuple[ProgrammeRow, bool]:
        """The open programme of `mode` the joining commands use, created when the workspace
        has none; (programme, created). Pairs, circles and mentorship only. The workspace row
        must exist. Safe against a concurrent create: the insert ignores a name clash."""
        found = await self.open_of_mode(team_id, mode)
        if found is not None:
            return found, False
        name, is_default = DEFAULT_NAMES[mode]
        if is_default and await self._has_default(team_id):
            is_default = False  # the default was closed; a new one does not take its place
        size = defaults.circle_size if mode is ProgrammeMode.CIRCLES else 2
        for attempt in range(10):
            candidate = name if attempt == 0 else f"{name} {attempt + 1}"
            values: dict[str, Any] = {
                "team_id": team_id,
                "name": candidate,
                "mode": mode,
                "kind": ProgrammeKind.EVERGREEN,
                "cadence": defaults.cadence,
                "weekday": defaults.weekday,
                "intro_hour": defaults.intro_hour,
                "group_size": size,
                "digest_channel_id": defaults.digest_channel_id,
                "is_default": is_default,
                "created_at": now,
                "updated_at": now,
            }
            if await self._insert_ignoring_clash(values):
                created = await self.by_name(team_id, candidate)
                assert created is not None
                return created, True
            clashing = await self.by_name(team_id, candidate)
            if (
                clashing is not None
                and clashing.closed_at is None
                and clashing.mode == mode
                and clashing.kind is ProgrammeKind.EVERGREEN
            ):
                return clashing, False  # created by a concurrent request a moment ago
        raise RuntimeError("could not find a free programme name")

    async def _has_default(self, team_id: str) -> bool:
        found = await self._session.scalar(
            select(ProgrammeRow.id).where(
                ProgrammeRow.team_id == team_id, ProgrammeRow.is_default.is_(True)
            )
        )
        return found is not None

    async def _insert_ignoring_clash(self, values: Mapping[str, Any]) -> bool:
        dialect = self._session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        statement = (
            insert(ProgrammeRow)
            .values(**values)
            .on_conflict_do_nothing(index_elements=["team_id", "name"])
            .returning(ProgrammeRow.id)
        )
        return (await self._session.scalar(statement)) is not None

    async def create(
        self, team_id: str, values: Mapping[str, Any], *, now: datetime
    ) -> ProgrammeRow:
        """A new programme from an admin's form; raises IntegrityError on a name clash."""
        row = ProgrammeRow(team_id=team_id, created_at=now, updated_at=now, **values)
        self._session.add(row)
        await self._session.flush()
        return row

    async def close(self, programme: ProgrammeRow, *, now: datetime) -> list[str]:
        """Close `programme`: no more rounds, every active membership ends. Returns the Slack
        ids of the people who were members, to tell them."""
        members = await self.active_member_ids(programme.id)
        programme.closed_at = now
        programme.next_round_at = None
        programme.updated_at = now
        await self._session.execute(
            update(Membership)
            .where(
                Membership.programme_id == programme.id,
                Membership.state == MembershipState.ACTIVE,
            )
            .values(state=MembershipState.LEFT, left_at=now)
        )
        await self._session.flush()
        return members

    async def start_round_now(self, programme: ProgrammeRow, *, now: datetime) -> None:
        programme.next_round_at = now
        programme.updated_at = now
        await self._session.flush()

    # ------------------------------------------------------------------ memberships

    async def membership(self, programme_id: int, person_id: int) -> Membership | None:
        result = await self._session.scalars(
            select(Membership).where(
                Membership.programme_id == programme_id, Membership.person_id == person_id
            )
        )
        return result.one_or_none()

    async def join(
        self,
        programme: ProgrammeRow,
        person: Person,
        role: MembershipRole,
        *,
        now: datetime,
    ) -> tuple[Membership, bool]:
        """Make `person` an active member of `programme` in `role`; (membership, newly active).

        Rejoining reuses the row kept from before, so its history stays in one place."""
        existing = await self.membership(programme.id, person.id)
        if existing is None:
            existing = Membership(
                team_id=programme.team_id,
                programme_id=programme.id,
                person_id=person.id,
                role=role,
                state=MembershipState.ACTIVE,
                silent_rounds=0,
                joined_at=now,
            )
            self._session.add(existing)
            await self._session.flush()
            return existing, True
        newly = existing.state is not MembershipState.ACTIVE
        if newly:
            existing.joined_at = now
            existing.silent_rounds = 0
            existing.on_hold_since = None
        existing.state = MembershipState.ACTIVE
        existing.left_at = None
        existing.role = role
        await self._session.flush()
        return existing, newly

    async def leave(self, membership: Membership, *, now: datetime) -> None:
        membership.state = MembershipState.LEFT
        membership.left_at = now
        await self._session.flush()

    async def active_for_person(self, person_id: int) -> list[tuple[Membership, ProgrammeRow]]:
        """The person's active memberships of open programmes, default programme first."""
        result = await self._session.execute(
            select(Membership, ProgrammeRow)
            .join(ProgrammeRow, ProgrammeRow.id == Membership.programme_id)
            .where(
                Membership.person_id == person_id,
                Membership.state == MembershipState.ACTIVE,
                ProgrammeRow.closed_at.is_(None),
            )
            .order_by(ProgrammeRow.is_default.desc(), ProgrammeRow.id)
        )
        return [(m, p) for m, p in result.tuples()]

    async def all_for_person(self, person_id: int) -> list[tuple[Membership, ProgrammeRow]]:
        """Every membership the person ever had, active or not (for export)."""
        result = await self._session.execute(
            select(Membership, ProgrammeRow)
            .join(ProgrammeRow, ProgrammeRow.id == Membership.programme_id)
            .where(Membership.person_id == person_id)
            .order_by(Membership.joined_at, Membership.id)
        )
        return [(m, p) for m, p in result.tuples()]

    async def active_member_ids(self, programme_id: int) -> list[str]:
        """Slack ids of the programme's active members."""
        result = await self._session.scalars(
            select(Person.slack_user_id)
            .join(Membership, Membership.person_id == Person.id)
            .where(
                Membership.programme_id == programme_id,
                Membership.state == MembershipState.ACTIVE,
            )
            .order_by(Person.slack_user_id)
        )
        return list(result)

    async def members_of_mode(
        self, team_id: str, mode: ProgrammeMode
    ) -> list[tuple[Person, MembershipRole]]:
        """Who takes part in the workspace's open programmes of `mode`, with their role: active
        memberships that are not on hold, of people enrolled or paused with a complete profile.
        A person in several such programmes comes once per membership; by Slack id."""
        result = await self._session.execute(
            select(Person, Membership.role)
            .join(Membership, Membership.person_id == Person.id)
            .join(ProgrammeRow, ProgrammeRow.id == Membership.programme_id)
            .where(
                ProgrammeRow.team_id == team_id,
                ProgrammeRow.mode == mode,
                ProgrammeRow.closed_at.is_(None),
                Membership.state == MembershipState.ACTIVE,
                Membership.on_hold_since.is_(None),
                Person.team_id == team_id,
                Person.enrolment_state.in_([EnrolmentState.ENROLLED, EnrolmentState.PAUSED]),
                Person.profile_completed_at.is_not(None),
            )
            .order_by(Person.slack_user_id, Membership.id)
        )
        return [(person, role) for person, role in result.tuples()]

    async def active_member_counts(self, team_id: str) -> dict[int, int]:
        """Active members per programme of the workspace."""
        result = await self._session.execute(
            select(Membership.programme_id, func.count())
            .where(Membership.team_id == team_id, Membership.state == MembershipState.ACTIVE)
            .group_by(Membership.programme_id)
        )
        return {programme_id: int(count) for programme_id, count in result.tuples()}

    async def last_round_dates(self, team_id: str) -> dict[int, date]:
        """The date of each programme's latest round."""
        result = await self._session.execute(
            select(Round.programme_id, func.max(Round.scheduled_for))
            .where(Round.team_id == team_id, Round.programme_id.is_not(None))
            .group_by(Round.programme_id)
        )
        return {pid: day for pid, day in result.tuples() if pid is not None and day is not None}

    async def programme_of_groups(self, group_ids: Sequence[int]) -> dict[int, int]:
        """group id -> programme id, for groups whose round belongs to a programme."""
        if not group_ids:
            return {}
        result = await self._session.execute(
            select(MatchGroup.id, Round.programme_id)
            .join(Round, Round.id == MatchGroup.round_id)
            .where(MatchGroup.id.in_(list(group_ids)), Round.programme_id.is_not(None))
        )
        return {gid: pid for gid, pid in result.tuples() if pid is not None}

    # ------------------------------------------------------------------ deliveries

    async def failed_deliveries(self, team_id: str) -> FailedDeliveries:
        result = await self._session.execute(
            select(OutboxMessage.kind, OutboxMessage.last_error, func.count())
            .where(
                OutboxMessage.team_id == team_id,
                OutboxMessage.status == OutboxStatus.FAILED,
            )
            .group_by(OutboxMessage.kind, OutboxMessage.last_error)
            .order_by(func.count().desc(), OutboxMessage.kind)
        )
        rows = tuple(
            (kind, _error_code(error), int(count)) for kind, error, count in result.tuples()
        )
        return FailedDeliveries(total=sum(count for *_, count in rows), by_kind=rows)


def _error_code(error: str | None) -> str:
    """The leading code of a stored error ("ratelimited", "http_500"), never free text."""
    if not error:
        return "unknown"
    code = error.split(":", 1)[0].split()[0] if error.split() else "unknown"
    return "".join(c for c in code if c.isalnum() or c in "_-.")[:40] or "unknown"
