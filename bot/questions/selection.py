"""Choosing a question for some people: pure, given what each of them was sent and when.

Never one that any of them was sent within the past year while others remain; among those,
the themes their goal tags point to first, questions nobody was ever sent before ones sent
over a year ago, then a stable shuffle by the seed, so the same group on the same day always
gets the same question and different groups spread over the bank. When every question was
sent within the year, the one sent least recently.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from bot.domain import QuestionSource, QuestionTheme

SEEN_WITHIN: Final = timedelta(days=365)


@dataclass(frozen=True, slots=True)
class Candidate:
    id: int
    theme: QuestionTheme
    text: str
    source: QuestionSource = QuestionSource.CURATED


def _shuffle(seed: str, question_id: int) -> bytes:
    return hashlib.sha256(f"{seed}:{question_id}".encode()).digest()[:8]


def merged_last_seen(
    per_person: Mapping[int, Mapping[int, datetime]], person_ids: Iterable[int]
) -> dict[int, datetime]:
    """When any of these people was last sent each question."""
    merged: dict[int, datetime] = {}
    for person_id in person_ids:
        for question_id, seen_at in per_person.get(person_id, {}).items():
            if question_id not in merged or seen_at > merged[question_id]:
                merged[question_id] = seen_at
    return merged


def choose(
    candidates: Sequence[Candidate],
    last_seen: Mapping[int, datetime],
    themes: Sequence[QuestionTheme],
    *,
    now: datetime,
    seed: str,
) -> Candidate | None:
    if not candidates:
        return None
    cutoff = now - SEEN_WITHIN
    fresh = [c for c in candidates if c.id not in last_seen or last_seen[c.id] <= cutoff]
    if not fresh:
        return min(candidates, key=lambda c: (last_seen[c.id], _shuffle(seed, c.id)))
    wanted = set(themes)
    preferred = [c for c in fresh if c.theme in wanted] or fresh

    def order(c: Candidate) -> tuple[bool, datetime, bytes]:
        seen = last_seen.get(c.id)
        return (seen is not None, seen or now, _shuffle(seed, c.id))

    return min(preferred, key=order)


def pick_theme(themes: Sequence[QuestionTheme], seed: str) -> QuestionTheme:
    """One theme for a draft: among the group's themes (or any), stable for the seed."""
    pool = list(themes) or list(QuestionTheme)
    index = int.from_bytes(hashlib.sha256(seed.encode()).digest()[:4], "big") % len(pool)
    return pool[index]
