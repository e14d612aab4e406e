"""Questions and the record of who was sent which: every query of the question bank."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, delete, exists, func, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.domain import Cadence, GroupState, QuestionSource, QuestionTheme
from storage.models import (
    MatchGroup,
    MatchMember,
    OutboxMessage,
    Person,
    ProgrammeRow,
    Question,
    QuestionSeen,
    Round,
)

# Sources a workspace's bank is made of; drafted questions belong to the group they were for.
BANK_SOURCES = (QuestionSource.CURATED, QuestionSource.ADMIN)
# Keeps each IN (...) list well inside every driver's parameter limit.
CHUNK = 500


class QuestionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def ensure_bank(self, team_id: str, *, now: datetime) -> int:
        """Copy the curated questions this workspace does not have yet; returns how many.

        Each workspace gets its own copy so that retiring one is its own business. ON CONFLICT
        DO NOTHING: two transactions copying at once both succeed, and the texts stay unique."""
        template = aliased(Question)
        mine = aliased(Question)
        missing = (
            select(
                literal(team_id, Question.team_id.type).label("team_id"),
                template.theme,
                template.text,
                template.source,
                literal(now, Question.created_at.type).label("created_at"),
            )
            .where(
                template.team_id.is_(None),
                template.source == QuestionSource.CURATED,
                ~exists().where(and_(mine.team_id == team_id, mine.text == template.text)),
            )
            .order_by(template.id)
        )
        dialect = self._session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        statement = (
            insert(Question)
            .from_select(["team_id", "theme", "text", "source", "created_at"], missing)
            .on_conflict_do_nothing()
        )
        result = await self._session.execute(statement)
        return int(getattr(result, "rowcount", 0) or 0)

    async def bank(self, team_id: str, *, include_retired: bool = False) -> list[Question]:
        """The workspace's bank (curated and admin-added), oldest first."""
        query = select(Question).where(
            Question.team_id == team_id, Question.source.in_(BANK_SOURCES)
        )
        if not include_retired:
            query = query.where(Question.retired_at.is_(None))
        return list(await self._session.scalars(query.order_by(Question.id)))

    async def by_text(self, team_id: str, text: str) -> Question | None:
        found: Question | None = await self._session.scalar(
            select(Question).where(Question.team_id == team_id, Question.text == text)
        )
        return found

    async def add(
        self,
        *,
        team_id: str,
        theme: QuestionTheme,
        text: str,
        source: QuestionSource,
        now: datetime,
    ) -> Question:
        question = Question(team_id=team_id, theme=theme, text=text, source=source, created_at=now)
        self._session.add(question)
        await self._session.flush()
        return question

    async def retire(self, team_id: str, ids: Sequence[int], *, now: datetime) -> int:
        """Retire the workspace's bank questions among `ids`; returns how many were active."""
        if not ids:
            return 0
        result = await self._session.execute(
            update(Question)
            .where(
                Question.team_id == team_id,
                Question.id.in_(list(ids)),
                Question.source.in_(BANK_SOURCES),
                Question.retired_at.is_(None),
            )
            .values(retired_at=now)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    async def last_seen(self, person_ids: Sequence[int]) -> dict[int, dict[int, datetime]]:
        """For each person, when they were last sent each question they were ever sent."""
        found: dict[int, dict[int, datetime]] = {p: {} for p in person_ids}
        ids = list(dict.fromkeys(person_ids))
        for start in range(0, len(ids), CHUNK):
            rows = await self._session.execute(
                select(
                    QuestionSeen.person_id, QuestionSeen.question_id, func.max(QuestionSeen.seen_at)
                )
                .where(QuestionSeen.person_id.in_(ids[start : start + CHUNK]))
                .group_by(QuestionSeen.person_id, QuestionSeen.question_id)
            )
            for person_id, question_id, seen_at in rows:
                found[person_id][question_id] = seen_at
        return found

    async def seen_texts(self, person_ids: Sequence[int]) -> list[str]:
        """The texts of the questions any of these people was ever sent."""
        if not person_ids:
            return []
        rows = await self._session.scalars(
            select(Question.text)
            .join(QuestionSeen, QuestionSeen.question_id == Question.id)
            .where(QuestionSeen.person_id.in_(list(person_ids)))
            .distinct()
        )
        return list(rows)

    async def record_seen(
        self,
        *,
        team_id: str,
        person_ids: Sequence[int],
        question_id: int,
        group_id: int | None,
        now: datetime,
    ) -> None:
        self._session.add_all(
            QuestionSeen(
                team_id=team_id,
                person_id=person_id,
                question_id=question_id,
                group_id=group_id,
                seen_at=now,
            )
            for person_id in dict.fromkeys(person_ids)
        )
        await self._session.flush()

    async def sent_to(self, person_id: int) -> list[tuple[QuestionSeen, Question]]:
        """Every question the person was sent, oldest first (for their export)."""
        rows = await self._session.execute(
            select(QuestionSeen, Question)
            .join(Question, Question.id == QuestionSeen.question_id)
            .where(QuestionSeen.person_id == person_id)
            .order_by(QuestionSeen.seen_at, QuestionSeen.id)
        )
        return [(seen, question) for seen, question in rows.tuples()]

    async def delete_seen(self, person_id: int) -> int:
        result = await self._session.execute(
            delete(QuestionSeen).where(QuestionSeen.person_id == person_id)
        )
        return int(getattr(result, "rowcount", 0) or 0)


@dataclass(frozen=True, slots=True)
class WeeklyCandidate:
    """A group whose next weekly question is due; `running` is False when it no longer gets
    any (the group ended, its round or programme closed, or the round is weekly)."""

    group_id: int
    team_id: str
    intro_at: datetime
    ends_at: datetime | None
    channel_id: str | None
    due_at: datetime
    running: bool


def questions_due_query(now: datetime, limit: int) -> Select[Any]:
    """Groups whose next weekly question is due by `now`, earliest first, read through the
    partial index on `question_due_at` (the benchmark EXPLAINs exactly this statement)."""
    return (
        select(
            MatchGroup.id,
            MatchGroup.team_id,
            MatchGroup.intro_at,
            Round.ends_at,
            MatchGroup.channel_id,
            MatchGroup.question_due_at,
            MatchGroup.state,
            Round.end_done_at,
            ProgrammeRow.cadence,
            ProgrammeRow.closed_at,
        )
        .join(Round, Round.id == MatchGroup.round_id)
        .join(ProgrammeRow, ProgrammeRow.id == Round.programme_id)
        .where(MatchGroup.question_due_at.is_not(None), MatchGroup.question_due_at <= now)
        .order_by(MatchGroup.question_due_at, MatchGroup.id)
        .limit(limit)
    )


class WeeklyRepository:
    """What the weekly-question step reads and writes."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def questions_due(self, now: datetime, limit: int) -> list[WeeklyCandidate]:
        found: list[WeeklyCandidate] = []
        rows = await self._session.execute(questions_due_query(now, limit))
        for row in rows.tuples():
            group_id, team_id, intro_at, ends_at, channel_id, due_at = row[:6]
            state, end_done_at, cadence, closed_at = row[6:]
            running = (
                state == GroupState.ACTIVE
                and end_done_at is None
                and cadence != Cadence.WEEKLY
                and closed_at is None
                and intro_at is not None
                and ends_at is not None
                and ends_at > now
            )
            assert due_at is not None  # the query's condition
            found.append(
                WeeklyCandidate(
                    group_id,
                    team_id,
                    intro_at or due_at,
                    ends_at,
                    channel_id,
                    due_at,
                    running,
                )
            )
        return found

    async def set_question_due(self, due: dict[int, datetime | None]) -> None:
        """Move each group's next question on (None: it gets no more)."""
        for group_id, at in due.items():
            await self._session.execute(
                update(MatchGroup)
                .where(MatchGroup.id == group_id)
                .values(question_due_at=at)
                .execution_options(synchronize_session=False)
            )

    async def queued_keys(self, keys: Sequence[str]) -> set[str]:
        found: set[str] = set()
        ids = list(keys)
        for start in range(0, len(ids), CHUNK):
            found |= set(
                await self._session.scalars(
                    select(OutboxMessage.key).where(
                        OutboxMessage.key.in_(ids[start : start + CHUNK])
                    )
                )
            )
        return found

    async def members(self, group_id: int) -> list[Person]:
        rows = await self._session.scalars(
            select(Person)
            .join(MatchMember, MatchMember.person_id == Person.id)
            .where(MatchMember.group_id == group_id)
            .order_by(MatchMember.id)
        )
        return list(rows)
