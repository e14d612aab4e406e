"""Questions for people: a group's weekly question, one on demand, and the admin's bank.

A draft from the LLM (when one is configured) is asked for outside any transaction, since it
may take seconds; then one transaction picks from the bank if there is no usable draft,
records the question as sent to everyone it is for, and queues the message."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.domain import QuestionSource, QuestionTheme
from bot.enrolment.service import ensure_workspace, get_person, is_taking_part
from bot.questions.drafts import Drafter
from bot.questions.picker import Chosen, Picker, group_themes
from bot.questions.selection import pick_theme
from storage.models import Person, Question
from storage.repositories.processed import ProcessedRequestRepository
from storage.repositories.questions import QuestionRepository

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Draft:
    theme: QuestionTheme
    text: str


async def draft_for(
    sessions: async_sessionmaker[AsyncSession],
    drafter: Drafter | None,
    people: Sequence[Person],
    *,
    seed: str,
    ref: str,
    now: datetime,
) -> Draft | None:
    """Ask the LLM for a question for these people, from their shared goal tags and a theme
    only. None when no LLM is configured or its answer is not used (the bank then answers)."""
    if drafter is None or not people:
        return None
    tags, themes = group_themes(people)
    theme = pick_theme(themes, seed)
    async with sessions() as session:
        # Everything they were ever sent: a draft close to any of it is not fresh.
        seen = await QuestionRepository(session).seen_texts([p.id for p in people])
    text = await drafter.draft(tags=tags, theme=theme, seen=seen, ref=ref)
    return Draft(theme, text) if text is not None else None


async def give_question(
    session: AsyncSession,
    team_id: str,
    people: Sequence[Person],
    *,
    draft: Draft | None,
    seed: str,
    group_id: int | None,
    now: datetime,
) -> Chosen | None:
    """The draft (stored, source llm) or a question from the bank, recorded as sent to each
    of `people`, in the caller's transaction."""
    picker = await Picker.load(session, team_id, [p.id for p in people], now=now)
    row = await picker.store_draft(draft.theme, draft.text) if draft is not None else None
    if row is not None:
        await picker.give(people, row.id, group_id=group_id)
        return Chosen(row.id, row.theme, row.text, row.source)
    return await picker.pick(people, seed=seed, group_id=group_id)


@dataclass(frozen=True, slots=True)
class OnDemand:
    enrolled: bool
    question: Chosen | None = None
    repeat: bool = False  # the same request delivered again: answered the first time


async def question_on_demand(
    sessions: async_sessionmaker[AsyncSession],
    drafter: Drafter | None,
    team_id: str,
    user_id: str,
    *,
    now: datetime,
    claim_key: str | None = None,
) -> OnDemand:
    """`/peercoach question`: one for this person (their own goal tags), counted as seen.

    `claim_key` is claimed in the transaction that records it, so a retried delivery of the
    same command does not count a second question."""
    async with sessions() as session:
        person = await get_person(session, team_id, user_id)
    if person is None or not is_taking_part(person):
        return OnDemand(enrolled=False)
    seed = f"person:{person.id}"
    draft = await draft_for(
        sessions, drafter, [person], seed=seed, ref=f"person {person.id}", now=now
    )
    async with sessions() as session:
        if claim_key is not None and not await ProcessedRequestRepository(session).claim(
            claim_key, now=now
        ):
            return OnDemand(enrolled=True, repeat=True)
        chosen = await give_question(
            session, team_id, [person], draft=draft, seed=seed, group_id=None, now=now
        )
        await session.commit()
    return OnDemand(enrolled=True, question=chosen)


# ------------------------------------------------------------------------------ admin

MIN_TEXT: int = 10
MAX_TEXT: int = 200


def normalised(text: str) -> str:
    """How two questions compare for "the same": case, spacing and end punctuation aside."""
    return re.sub(r"\s+", " ", text).strip().rstrip("?!. ").casefold()


@dataclass(frozen=True, slots=True)
class BankSummary:
    active: list[Question]
    retired: int


async def bank_summary(
    session: AsyncSession, team_id: str, *, now: datetime, team_name: str | None = None
) -> BankSummary:
    """The workspace's bank, copied from the curated one the first time (an admin may look
    before anyone has joined, so the workspace row may be new too)."""
    await ensure_workspace(session, team_id, team_name, now=now)
    repo = QuestionRepository(session)
    await repo.ensure_bank(team_id, now=now)
    every = await repo.bank(team_id, include_retired=True)
    return BankSummary(
        active=[q for q in every if q.retired_at is None],
        retired=sum(1 for q in every if q.retired_at is not None),
    )


class Duplicate(Exception):
    """The workspace's bank has this question already."""


@dataclass(frozen=True, slots=True)
class BankChange:
    added: bool
    restored: bool
    retired: int


async def change_bank(
    session: AsyncSession,
    team_id: str,
    *,
    add: tuple[QuestionTheme, str] | None,
    retire: Sequence[int],
    now: datetime,
    team_name: str | None = None,
) -> BankChange:
    """Add one question (or bring back a retired one with the same words) and retire some.

    Raises Duplicate when the question is in the bank already; nothing changes then."""
    await ensure_workspace(session, team_id, team_name, now=now)
    repo = QuestionRepository(session)
    await repo.ensure_bank(team_id, now=now)
    added = restored = False
    if add is not None:
        theme, text = add
        same = [
            q
            for q in await repo.bank(team_id, include_retired=True)
            if normalised(q.text) == normalised(text)
        ]
        if any(q.retired_at is None for q in same):
            raise Duplicate(text)
        if same:
            same[0].retired_at = None
            same[0].theme = theme
            restored = True
        else:
            existing = await repo.by_text(team_id, text)
            if existing is not None:
                # Drafted for a group once: it becomes the workspace's own.
                existing.source = QuestionSource.ADMIN
                existing.theme = theme
                existing.retired_at = None
            else:
                await repo.add(
                    team_id=team_id, theme=theme, text=text, source=QuestionSource.ADMIN, now=now
                )
            added = True
    retired = await repo.retire(team_id, retire, now=now)
    return BankChange(added=added, restored=restored, retired=retired)
