"""Seeded synthetic rosters that look like a real company, for benchmarks and tests.

Most people sit in a handful of offices (so UTC offsets cluster), functions and levels are
unevenly sized, goal tags have a popularity curve, and past partners are drawn from people
who would plausibly be matched again (same office, close level), so the history rule bites.
"""

from __future__ import annotations

import random
from dataclasses import replace

from bot.enrolment.goals import GOAL_TAGS
from bot.matching.model import MatchInput, MatchSettings, Participant, Unavailable

FUNCTIONS: tuple[str, ...] = (
    "Engineering",
    "Product",
    "Design",
    "Sales",
    "Marketing",
    "Customer Success",
    "Support",
    "Finance",
    "People",
    "Legal",
    "Operations",
    "Data",
    "Security",
    "IT",
    "Research",
    "Partnerships",
    "Communications",
    "Procurement",
    "Facilities",
    "Strategy",
)
# Engineering and sales are big, facilities is small: a rough 1/rank curve.
FUNCTION_WEIGHTS: tuple[float, ...] = tuple(1 / (1 + 0.35 * i) for i in range(len(FUNCTIONS)))
LEVELS: tuple[int, ...] = (1, 2, 3, 4, 5, 6)
LEVEL_WEIGHTS: tuple[float, ...] = (0.14, 0.25, 0.25, 0.18, 0.12, 0.06)
# (UTC offset in minutes, share of people): San Francisco, New York, London, Berlin,
# Bangalore, Singapore, Sydney. Everyone else works remotely at a whole-hour offset.
OFFICES: tuple[tuple[int, float], ...] = (
    (-8 * 60, 0.17),
    (-5 * 60, 0.20),
    (0, 0.18),
    (60, 0.14),
    (5 * 60 + 30, 0.10),
    (8 * 60, 0.08),
    (10 * 60, 0.05),
)
REMOTE_SHARE = 0.08
TAGS: tuple[str, ...] = tuple(GOAL_TAGS)
TAG_WEIGHTS: tuple[float, ...] = tuple(1 / (1 + 0.08 * i) for i in range(len(TAGS)))
PAST_PARTNERS_EACH = 5
UNAVAILABLE_SHARE = 0.03
DO_NOT_PAIR_SHARE = 0.005
MENTOR_SHARE = 0.3  # of levels 4 to 6
MENTEE_SHARE = 0.2  # of levels 1 to 3


def _tags(rng: random.Random, low: int, high: int) -> frozenset[str]:
    count = rng.randint(low, high)
    chosen: set[str] = set()
    while len(chosen) < count:
        chosen.add(rng.choices(TAGS, TAG_WEIGHTS)[0])
    return frozenset(chosen)


def _person(rng: random.Random, index: int) -> Participant:
    if rng.random() < REMOTE_SHARE:
        offset = rng.randint(-8, 10) * 60
    else:
        offset = rng.choices([o for o, _ in OFFICES], [w for _, w in OFFICES])[0]
    # Around 9-17 local: start 7:30..10:30 in quarter hours, 7 to 9 hours long.
    start = 9 * 60 + 15 * max(-6, min(6, round(rng.gauss(0, 2.5))))
    length = rng.choice((7 * 60, 8 * 60, 8 * 60, 8 * 60, 8 * 60 + 30, 9 * 60))
    unavailable = None
    if rng.random() < UNAVAILABLE_SHARE:
        unavailable = rng.choice(tuple(Unavailable))
    return Participant(
        id=f"p{index:06d}",
        function=rng.choices(FUNCTIONS, FUNCTION_WEIGHTS)[0],
        level=rng.choices(LEVELS, LEVEL_WEIGHTS)[0],
        utc_offset_minutes=offset,
        work_start_minute=start,
        work_end_minute=start + length,
        goals=_tags(rng, 1, 3),
        skills=_tags(rng, 0, 3),
        unavailable=unavailable,
    )


def _mentorship(rng: random.Random, p: Participant) -> Participant:
    """Some seniors offer to mentor one to three people; some juniors want a mentor."""
    if p.level >= 4 and rng.random() < MENTOR_SHARE:
        return replace(p, mentor_capacity=rng.randint(1, 3))
    if p.level <= 3 and rng.random() < MENTEE_SHARE:
        return replace(p, wants_mentor=True)
    return p


def generate(n: int, seed: int = 0, settings: MatchSettings | None = None) -> MatchInput:
    """A roster of `n` people with history; the same (n, seed) always gives the same input."""
    rng = random.Random(f"peercoach-population-{n}-{seed}")
    people = [_person(rng, i) for i in range(n)]
    # Mentorship fields from their own stream, so they never shift the rest of the roster.
    mentors = random.Random(f"peercoach-mentors-{n}-{seed}")
    people = [_mentorship(mentors, p) for p in people]
    # Plausible partners share an office and a level band: those are the pairs a matcher
    # would pick again, so history actually removes good options.
    buckets: dict[tuple[int, int], list[int]] = {}
    for i, p in enumerate(people):
        buckets.setdefault((p.utc_offset_minutes, p.level), []).append(i)
    past: set[frozenset[str]] = set()
    for i, p in enumerate(people):
        pool: list[int] = []
        for level in (p.level - 1, p.level, p.level + 1):
            pool.extend(buckets.get((p.utc_offset_minutes, level), ()))
        if len(pool) < 2:
            continue
        # Each pair counts for both people, so draw about half the target per person.
        for _ in range(PAST_PARTNERS_EACH // 2 + (rng.random() < 0.5)):
            j = rng.choice(pool)
            if j != i:
                past.add(frozenset((p.id, people[j].id)))
    do_not_pair: set[tuple[str, str]] = set()
    for i, p in enumerate(people):
        if rng.random() < DO_NOT_PAIR_SHARE:
            pool = buckets[(p.utc_offset_minutes, p.level)]
            j = rng.choice(pool)
            if j != i:
                do_not_pair.add((p.id, people[j].id))
    return MatchInput(
        participants=tuple(people),
        past_partners=frozenset(past),
        do_not_pair=frozenset(do_not_pair),
        settings=settings or MatchSettings(),
    )


def with_settings(inp: MatchInput, settings: MatchSettings) -> MatchInput:
    """The same roster under other settings (weights, k, time-zone limit)."""
    return replace(inp, settings=settings)
