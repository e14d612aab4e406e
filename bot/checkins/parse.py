"""Reading a check-in answered in plain words: "4, on track, met Sam, good talk".

Tolerant and pure. It picks out what it recognises (a 1 to 5 rating, a goal status, whether
they met, a `step:`), says which of rating and goal status are missing or ambiguous (two
different values), and whether anything else was said, which is then kept as the private note.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Final

from bot.domain import GoalStatus

# Longest phrases first: "no progress" must not be read as "progress".
_GOAL_PHRASES: Final[tuple[tuple[str, GoalStatus], ...]] = (
    (r"not\s+(?:really\s+)?stuck", GoalStatus.SOME_PROGRESS),
    (r"no\s+progress|not\s+moving|going\s+nowhere|stalled|blocked|stuck", GoalStatus.STUCK),
    (
        r"(?:goal\s+)?achieved|accomplished|reached\s+(?:it|my\s+goal)|nailed\s+it|"
        r"goal\s+(?:is\s+)?done|done\s+with\s+(?:it|my\s+goal)",
        GoalStatus.ACHIEVED,
    ),
    (r"on[\s-]*track|going\s+well|good\s+progress|great\s+progress", GoalStatus.ON_TRACK),
    (
        r"some\s+progress|a\s+(?:little|bit\s+of)\s+progress|bit\s+of\s+progress|"
        r"slow\s+progress|little\s+progress|progress(?:ing)?|slowly",
        GoalStatus.SOME_PROGRESS,
    ),
)
_NOT_MET: Final = (
    r"(?:did\s*n[o']?t|did\s+not|have\s*n[o']?t|haven't|have\s+not|could\s*n[o']?t|"
    r"could\s+not|did\s+not\s+get\s+to|did\s*n't\s+get\s+to|never)\s+(?:get\s+to\s+)?meet|"
    r"no\s+meeting|not\s+met|no\s+chat|no\s+session|skipped|we\s+skipped|no\s+meet(?:up)?"
)
_MET: Final = (
    r"we\s+met|met\s+up|met|had\s+(?:a|our)\s+(?:\w+\s+)?(?:meeting|chat|session|call|talk)|"
    r"we\s+talked|we\s+spoke"
)
_STEP: Final = re.compile(r"(?:next\s+step|step)\s*[:=\-]\s*(?P<step>.+)$", re.IGNORECASE | re.S)
_RATING_MARKED: Final = re.compile(
    r"(?:rating|rated|rate|score|useful(?:ness)?)\s*(?:is|was|of|:|=)?\s*(?P<n>[0-9]+)"
    r"|(?P<m>[0-9]+)\s*(?:/|out\s+of|of)\s*5\b",
    re.IGNORECASE,
)
# A lone digit (not part of "quokka-982", "2026" or "3.5"), and not a count of something.
_NUMBER: Final = re.compile(
    r"(?<![\w/.:-])(?P<n>[0-9])(?![\w/.:])"
    r"(?!\s*(?:h|hrs?|hours?|mins?|minutes?|days?|weeks?|times|x|people|of\s+us)\b)",
    re.IGNORECASE,
)
_NUMBER_WORDS: Final = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5}
_NUMBER_WORD: Final = re.compile(r"\b(one|two|three|four|five)\b", re.IGNORECASE)
# Words that carry no meaning of their own once the answer's parts are taken out.
_FILLER: Final = frozenset(
    {
        "a",
        "an",
        "and",
        "the",
        "this",
        "that",
        "week",
        "weeks",
        "last",
        "i",
        "we",
        "my",
        "our",
        "it",
        "is",
        "was",
        "were",
        "so",
        "but",
        "also",
        "too",
        "very",
        "really",
        "just",
        "quite",
        "rating",
        "score",
        "goal",
        "out",
        "of",
        "met",
        "meet",
        "meeting",
        "yes",
        "no",
        "not",
        "on",
        "off",
        "at",
        "to",
        "for",
        "with",
        "its",
        "im",
        "ok",
        "okay",
    }
)


@dataclass(frozen=True, slots=True)
class ParsedAnswer:
    rating: int | None = None
    goal_status: GoalStatus | None = None
    met: bool | None = None
    step: str | None = None
    # "rating" and/or "goal_status", when two different values were given (or a rating
    # outside 1 to 5): they are left as they were and asked about.
    ambiguous: frozenset[str] = field(default_factory=frozenset)
    # Anything said beyond the recognised parts: the text is then kept as the private note.
    free_text: bool = False

    @property
    def understood(self) -> bool:
        return any(
            value is not None for value in (self.rating, self.goal_status, self.met, self.step)
        )


def _take(pattern: str | re.Pattern[str], text: str) -> tuple[list[re.Match[str]], str]:
    """All matches of `pattern` (as whole words), and `text` with them blanked out."""
    compiled = (
        pattern
        if isinstance(pattern, re.Pattern)
        else re.compile(rf"\b(?:{pattern})\b", re.IGNORECASE)
    )
    found = list(compiled.finditer(text))
    return found, compiled.sub(" ", text)


def parse_answer(raw: str) -> ParsedAnswer:
    text = raw.replace("\u2019", "'").replace("\u2014", "-").replace("\u2013", "-").strip()
    step: str | None = None
    if match := _STEP.search(text):
        step = match["step"].strip() or None
        text = text[: match.start()]

    ambiguous: set[str] = set()
    statuses: set[GoalStatus] = set()
    for pattern, status in _GOAL_PHRASES:
        found, text = _take(pattern, text)
        if found:
            statuses.add(status)
    goal = next(iter(statuses)) if len(statuses) == 1 else None
    if len(statuses) > 1:
        ambiguous.add("goal_status")

    not_met, text = _take(_NOT_MET, text)
    met_found, text = _take(_MET, text)
    met: bool | None = None
    if not_met and not met_found:
        met = False
    elif met_found and not not_met:
        met = True

    marked, text = _take(_RATING_MARKED, text)
    numbers = [int(m["n"] or m["m"]) for m in marked]
    if not numbers:
        bare, text = _take(_NUMBER, text)
        numbers = [int(m["n"]) for m in bare]
        words, text = _take(_NUMBER_WORD, text)
        numbers += [_NUMBER_WORDS[m.group(1).lower()] for m in words]
    rating: int | None = None
    distinct = set(numbers)
    if len(distinct) == 1 and 1 <= numbers[0] <= 5:
        rating = numbers[0]
    elif distinct:
        ambiguous.add("rating")

    leftover = [w for w in re.findall(r"[^\W_]+", text.lower()) if w not in _FILLER]
    return ParsedAnswer(
        rating=rating,
        goal_status=goal,
        met=met,
        step=step,
        ambiguous=frozenset(ambiguous),
        free_text=bool(leftover),
    )
