"""Weekly check-ins: who needs one planned, which are due to send or to remind, and a person's
own check-ins. Every query here reads an index: the tick runs them each minute.

The `claim_*` methods are conditional updates: the first caller gets True and does the work
in the same transaction; a second tick or process gets False and does nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import CursorResult, delete, exists, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from bot.domain import EnrolmentState, GroupState, MembershipState, ProgrammeMode
from storage.models import (
    CheckIn,
    MatchGroup,
    MatchMember,
    Membership,
    OutboxMessage,
    Person,
    ProgrammeRow,
    Round,
)

# How many check-ins one tick plans, sends or reminds about per kind; the rest wait a minute.
BATCH = 200
# Person ids per query of a digest's reads: well under every driver's bound-parameter limit.
CHUNK = 500


@dataclass(frozen=True, slots=True)
class Candidate:
    """Someone taking part whose next check-in is not planned yet, with their programmes'
    earliest check-in day."""

    person_id: int
    team_id: str
    time_zone: str | None
    programme_id: int
    weekday: int


def _changed(result: object) -> bool:
    assert isinstance(result, CursorResult)
    return bool(result.rowcount == 1)


def _shared_note(
    team_id: str, person_ids: Sequence[int], week_from: date, week_to: date
) -> list[ColumnElement[bool]]:
    return [
        CheckIn.team_id == team_id,
        CheckIn.person_id.in_(person_ids),
        CheckIn.week_start >= week_from,
        CheckIn.week_start <= week_to,
        CheckIn.answered_at.is_not(None),
        CheckIn.note_shared.is_(True),
        CheckIn.note.is_not(None),
        func.trim(CheckIn.note) != "",
    ]


def _active_membership(today: date) -> list[ColumnElement[bool]]:
    return [
        Membership.state == MembershipState.ACTIVE,
        Membership.on_hold_since.is_(None),
        ProgrammeRow.closed_at.is_(None),
        or_(ProgrammeRow.starts_on.is_(None), ProgrammeRow.starts_on <= today),
        Person.enrolment_state == EnrolmentState.ENROLLED,
    ]


class CheckInRepository:
    """Flushes, never commits: the caller owns the transaction."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    # ------------------------------------------------------------------ planning

    async def unplanned(
        self, planned_after: datetime, today: date, recent_week: date
    ) -> list[Candidate]:
        """People taking part with no check-in still ahead of them (due or open after
        `planned_after`), with the earliest check-in day of their programmes.

        `recent_week` bounds the rows looked at to the last week or two, so the anti-join is
        a short range of the (person_id, week_start) index per person."""
        upcoming = exists().where(
            CheckIn.person_id == Person.id,
            CheckIn.week_start >= recent_week,
            or_(CheckIn.due_at >= planned_after, CheckIn.closes_at > planned_after),
        )
        rows = await self._session.execute(
            select(
                Person.id,
                Person.team_id,
                Person.time_zone,
                ProgrammeRow.id,
                ProgrammeRow.checkin_weekday,
            )
            .join(Membership, Membership.person_id == Person.id)
            .join(ProgrammeRow, ProgrammeRow.id == Membership.programme_id)
            .where(*_active_membership(today), ~upcoming)
            .order_by(Person.id, ProgrammeRow.checkin_weekday, ProgrammeRow.id)
        )
        chosen: dict[int, Candidate] = {}
        for person_id, team_id, time_zone, programme_id, weekday in rows.tuples():
            if person_id not in chosen and len(chosen) < BATCH:
                chosen[person_id] = Candidate(person_id, team_id, time_zone, programme_id, weekday)
        return list(chosen.values())

    async def last_weeks(self, person_ids: Sequence[int]) -> dict[int, date]:
        if not person_ids:
            return {}
        rows = await self._session.execute(
            select(CheckIn.person_id, func.max(CheckIn.week_start))
            .where(CheckIn.person_id.in_(person_ids))
            .group_by(CheckIn.person_id)
        )
        return {person_id: week for person_id, week in rows.tuples()}

    async def plan(
        self,
        *,
        team_id: str,
        person_id: int,
        programme_id: int | None,
        week_start: date,
        due_at: datetime,
        closes_at: datetime,
        now: datetime,
    ) -> bool:
        """Plan a week's check-in unless that week has one; True when this call planned it.

        ON CONFLICT DO NOTHING: a second runner planning the same week changes nothing and
        does not roll back the rest of the batch."""
        dialect = self._session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        statement = (
            insert(CheckIn)
            .values(
                team_id=team_id,
                person_id=person_id,
                programme_id=programme_id,
                week_start=week_start,
                due_at=due_at,
                closes_at=closes_at,
                step_shared=False,
                note_shared=False,
                created_at=now,
                updated_at=now,
            )
            .on_conflict_do_nothing(index_elements=["person_id", "week_start"])
            .returning(CheckIn.id)
        )
        return (await self._session.scalar(statement)) is not None

    # ------------------------------------------------------------------ sending

    async def due_unsent(self, now: datetime) -> list[tuple[CheckIn, Person]]:
        rows = await self._session.execute(
            select(CheckIn, Person)
            .join(Person, Person.id == CheckIn.person_id)
            .where(CheckIn.due_at <= now, CheckIn.sent_at.is_(None))
            .order_by(CheckIn.due_at, CheckIn.id)
            .limit(BATCH)
        )
        return list(rows.tuples())

    async def still_taking_part(self, person_ids: Sequence[int], today: date) -> set[int]:
        if not person_ids:
            return set()
        found = await self._session.scalars(
            select(Person.id)
            .join(Membership, Membership.person_id == Person.id)
            .join(ProgrammeRow, ProgrammeRow.id == Membership.programme_id)
            .where(Person.id.in_(person_ids), *_active_membership(today))
            .distinct()
        )
        return set(found)

    async def claim_sent(self, checkin_id: int, now: datetime, remind_at: datetime | None) -> bool:
        result = await self._session.execute(
            update(CheckIn)
            .where(CheckIn.id == checkin_id, CheckIn.sent_at.is_(None))
            .values(sent_at=now, remind_at=remind_at)
            .execution_options(synchronize_session=False)
        )
        return _changed(result)

    async def drop_unanswered(self, checkin_id: int) -> bool:
        """A planned check-in nobody will get (they paused, left, or its week is over)."""
        result = await self._session.execute(
            delete(CheckIn)
            .where(
                CheckIn.id == checkin_id,
                CheckIn.sent_at.is_(None),
                CheckIn.answered_at.is_(None),
            )
            .execution_options(synchronize_session=False)
        )
        return _changed(result)

    async def previous(self, person_id: int, before: date) -> CheckIn | None:
        found: CheckIn | None = await self._session.scalar(
            select(CheckIn)
            .where(CheckIn.person_id == person_id, CheckIn.week_start < before)
            .order_by(CheckIn.week_start.desc())
            .limit(1)
        )
        return found

    # ------------------------------------------------------------------ reminders

    async def due_reminders(self, now: datetime) -> list[tuple[CheckIn, Person]]:
        rows = await self._session.execute(
            select(CheckIn, Person)
            .join(Person, Person.id == CheckIn.person_id)
            .where(CheckIn.remind_at <= now, CheckIn.reminded_at.is_(None))
            .order_by(CheckIn.remind_at, CheckIn.id)
            .limit(BATCH)
        )
        return list(rows.tuples())

    async def claim_reminded(self, checkin_id: int, now: datetime) -> bool:
        result = await self._session.execute(
            update(CheckIn)
            .where(CheckIn.id == checkin_id, CheckIn.reminded_at.is_(None))
            .values(reminded_at=now)
            .execution_options(synchronize_session=False)
        )
        return _changed(result)

    # ------------------------------------------------------------------ answering

    async def get(self, checkin_id: int) -> CheckIn | None:
        found: CheckIn | None = await self._session.get(CheckIn, checkin_id)
        return found

    async def for_week(self, person_id: int, week_start: date) -> CheckIn | None:
        found: CheckIn | None = await self._session.scalar(
            select(CheckIn).where(CheckIn.person_id == person_id, CheckIn.week_start == week_start)
        )
        return found

    async def open_for(self, person_id: int, now: datetime) -> CheckIn | None:
        """The person's check-in that was sent and whose week has not ended yet."""
        found: CheckIn | None = await self._session.scalar(
            select(CheckIn)
            .where(
                CheckIn.person_id == person_id,
                CheckIn.sent_at.is_not(None),
                CheckIn.closes_at > now,
            )
            .order_by(CheckIn.week_start.desc())
            .limit(1)
        )
        return found

    async def circle_channel(self, person_id: int) -> str | None:
        """The group DM of the person's current circle, if they are in one that has met."""
        return await self._session.scalar(
            select(MatchGroup.channel_id)
            .join(MatchMember, MatchMember.group_id == MatchGroup.id)
            .join(Round, Round.id == MatchGroup.round_id)
            .where(
                MatchMember.person_id == person_id,
                MatchGroup.state == GroupState.ACTIVE,
                MatchGroup.channel_id.is_not(None),
                Round.mode == ProgrammeMode.CIRCLES.value,
            )
            .order_by(MatchGroup.id.desc())
            .limit(1)
        )

    # ------------------------------------------------------------------ digests

    async def shared_notes(
        self, team_id: str, person_ids: Sequence[int], week_from: date, week_to: date
    ) -> list[str]:
        """The notes these people shared anonymously with the programme team, in answered
        check-ins of the weeks starting `week_from` to `week_to` (both included).

        Texts only, ordered by the text itself: nothing ties a note to its author, not even
        the order."""
        ids = list(dict.fromkeys(person_ids))
        found: list[str] = []
        for start in range(0, len(ids), CHUNK):
            notes = await self._session.scalars(
                select(CheckIn.note).where(
                    *_shared_note(team_id, ids[start : start + CHUNK], week_from, week_to)
                )
            )
            found.extend(note for note in notes if note is not None)
        return sorted(found)

    async def shared_note_authors(
        self, team_id: str, person_ids: Sequence[int], week_from: date, week_to: date
    ) -> int:
        """How many different people wrote the notes `shared_notes` returns: five notes from
        one person over five weeks are still one person's."""
        ids = list(dict.fromkeys(person_ids))
        total = 0
        for start in range(0, len(ids), CHUNK):
            total += (
                await self._session.scalar(
                    select(func.count(func.distinct(CheckIn.person_id))).where(
                        *_shared_note(team_id, ids[start : start + CHUNK], week_from, week_to)
                    )
                )
                or 0
            )
        return total

    async def delete_messages(self, person_id: int) -> int:
        """The outbox copies of a person's check-ins, reminders and shared steps: they quote
        their steps, so they go when the person is forgotten."""
        checkin_ids = await self._session.scalars(
            select(CheckIn.id).where(CheckIn.person_id == person_id)
        )
        patterns = [f"checkin:{person_id}:%", f"checkin-reminder:{person_id}:%"]
        patterns += [f"checkin-step:{checkin_id}:%" for checkin_id in checkin_ids]
        result = await self._session.execute(
            delete(OutboxMessage)
            .where(or_(*(OutboxMessage.key.like(pattern) for pattern in patterns)))
            .execution_options(synchronize_session=False)
        )
        assert isinstance(result, CursorResult)
        return int(result.rowcount)

    async def all_for(self, person_id: int) -> list[CheckIn]:
        found = await self._session.scalars(
            select(CheckIn).where(CheckIn.person_id == person_id).order_by(CheckIn.week_start)
        )
        return list(found)
