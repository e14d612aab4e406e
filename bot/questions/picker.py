"""Picking questions from a workspace's bank inside a transaction, and recording who got them.

A `Picker` reads the bank and what its people were sent once, so a round with thousands of
groups picks every intro's question without a query per group."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import QuestionSource, QuestionTheme
from bot.questions.selection import Candidate, choose, merged_last_seen
from bot.questions.themes import shared_tags, themes_for
from storage.models import Person, Question
from storage.repositories.questions import QuestionRepository


@dataclass(frozen=True, slots=True)
class Chosen:
    question_id: int
    theme: QuestionTheme
    text: str
    source: QuestionSource


def group_themes(people: Sequence[Person]) -> tuple[list[str], list[QuestionTheme]]:
    """The group's shared goal tags and the themes they point to."""
    tags = shared_tags([p.goal_tags or [] for p in people])
    return tags, themes_for(tags)


class Picker:
    def __init__(
        self,
        session: AsyncSession,
        team_id: str,
        bank: list[Candidate],
        seen: dict[int, dict[int, datetime]],
        now: datetime,
    ) -> None:
        self._repo = QuestionRepository(session)
        self.team_id = team_id
        self.bank = bank
        self._seen = seen
        self.now = now

    @classmethod
    async def load(
        cls, session: AsyncSession, team_id: str, person_ids: Sequence[int], *, now: datetime
    ) -> Picker:
        repo = QuestionRepository(session)
        await repo.ensure_bank(team_id, now=now)
        bank = [Candidate(q.id, q.theme, q.text, q.source) for q in await repo.bank(team_id)]
        return cls(session, team_id, bank, await repo.last_seen(person_ids), now)

    def choose(self, people: Sequence[Person], *, seed: str) -> Candidate | None:
        _, themes = group_themes(people)
        last_seen = merged_last_seen(self._seen, [p.id for p in people])
        return choose(self.bank, last_seen, themes, now=self.now, seed=seed)

    async def give(
        self, people: Sequence[Person], question_id: int, *, group_id: int | None
    ) -> None:
        """Record that these people were sent the question, now."""
        ids = [p.id for p in people]
        await self._repo.record_seen(
            team_id=self.team_id,
            person_ids=ids,
            question_id=question_id,
            group_id=group_id,
            now=self.now,
        )
        for person_id in ids:
            self._seen.setdefault(person_id, {})[question_id] = self.now

    async def pick(
        self, people: Sequence[Person], *, seed: str, group_id: int | None
    ) -> Chosen | None:
        """A question from the bank for these people, recorded as sent to each of them;
        None only when the workspace retired every question of its bank."""
        found = self.choose(people, seed=seed)
        if found is None:
            return None
        await self.give(people, found.id, group_id=group_id)
        return Chosen(found.id, found.theme, found.text, found.source)

    async def store_draft(self, theme: QuestionTheme, text: str) -> Question | None:
        """A drafted question as a row of its own (or the row that already has its text);
        None when those words are a question the workspace's admins retired."""
        existing = await self._repo.by_text(self.team_id, text)
        if existing is not None:
            return existing if existing.retired_at is None else None
        return await self._repo.add(
            team_id=self.team_id, theme=theme, text=text, source=QuestionSource.LLM, now=self.now
        )
