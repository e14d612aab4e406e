"""Mentorship and reverse mentoring: eligibility, capacity, optimality, reasons, determinism."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from itertools import combinations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.enrolment.goals import GOAL_TAGS
from bot.matching import mentorship
from bot.matching.criteria import Scorer, overlap_minutes, utc_interval
from bot.matching.mentorship import (
    explain_mentorship,
    match_mentorship,
    match_reverse,
    overlap_minutes_array,
    pair_value,
)
from bot.matching.model import (
    Criterion,
    Group,
    LeftOut,
    LeftOutReason,
    MatchInput,
    MatchSettings,
    Participant,
)

TAGS = tuple(GOAL_TAGS)[:10]
FUNCTIONS = ("engineering", "design", "sales", "people", "finance")


def person(pid: str, level: int, **kw: object) -> Participant:
    kw.setdefault("function", "engineering")
    return Participant(id=pid, level=level, **kw)  # type: ignore[arg-type]


def population(n: int, seed: int, offsets: Sequence[int] = (0, 60, 300)) -> list[Participant]:
    rng = random.Random(seed)
    people = []
    for i in range(n):
        level = rng.randint(1, 6)
        start = 8 * 60 + 30 * rng.randint(0, 4)
        people.append(
            Participant(
                id=f"p{i:04d}",
                function=rng.choice(FUNCTIONS),
                level=level,
                utc_offset_minutes=rng.choice(offsets),
                work_start_minute=start,
                work_end_minute=start + 8 * 60,
                goals=frozenset(rng.sample(TAGS, rng.randint(0, 3))),
                skills=frozenset(rng.sample(TAGS, rng.randint(0, 3))),
                wants_mentor=level <= 4 and rng.random() < 0.4,
                mentor_capacity=rng.randint(1, 3) if level >= 3 and rng.random() < 0.35 else 0,
            )
        )
    return people


def scorer_for(
    people: Sequence[Participant],
    match_settings: MatchSettings,
    past: frozenset[frozenset[str]] = frozenset(),
    avoid: frozenset[tuple[str, str]] = frozenset(),
) -> Scorer:
    return Scorer(MatchInput(tuple(people), past, avoid, match_settings))


def mentor_run(
    people: Sequence[Participant],
    match_settings: MatchSettings | None = None,
    seed: int = 0,
    past: frozenset[frozenset[str]] = frozenset(),
    avoid: frozenset[tuple[str, str]] = frozenset(),
) -> tuple[list[Group], list[LeftOut], Scorer]:
    match_settings = match_settings or MatchSettings()
    scorer = scorer_for(people, match_settings, past, avoid)
    groups, left = match_mentorship(people, scorer, match_settings, seed)
    return groups, left, scorer


def reverse_run(
    people: Sequence[Participant],
    match_settings: MatchSettings | None = None,
    seed: int = 0,
    past: frozenset[frozenset[str]] = frozenset(),
) -> tuple[list[Group], list[LeftOut], Scorer]:
    match_settings = match_settings or MatchSettings()
    scorer = scorer_for(people, match_settings, past)
    groups, left = match_reverse(people, scorer, match_settings, seed)
    return groups, left, scorer


def pairs_of(groups: list[Group]) -> list[tuple[str, str]]:
    """(mentor, mentee) per group."""
    out = []
    for g in groups:
        assert g.mentor is not None
        (mentee,) = [m for m in g.members if m != g.mentor]
        out.append((g.mentor, mentee))
    return out


def objective(pairs: list[tuple[str, str]], by_id: dict[str, Participant]) -> tuple[int, int]:
    return len(pairs), sum(pair_value(by_id[m], by_id[e]) for m, e in pairs)


# -- shared arithmetic -------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(
    st.integers(0, 47),
    st.integers(1, 48),
    st.integers(-12, 14),
    st.integers(0, 47),
    st.integers(1, 48),
    st.integers(-12, 14),
)
def test_vectorised_overlap_matches_the_scorer(
    s1: int, l1: int, o1: int, s2: int, l2: int, o2: int
) -> None:
    a = person(
        "a",
        1,
        work_start_minute=s1 * 30,
        work_end_minute=(s1 + l1) * 30 % 1440,
        utc_offset_minutes=o1 * 60,
    )
    b = person(
        "b",
        1,
        work_start_minute=s2 * 30,
        work_end_minute=(s2 + l2) * 30 % 1440,
        utc_offset_minutes=o2 * 60,
    )
    (sa, la), (sb, lb) = utc_interval(a), utc_interval(b)
    got = overlap_minutes_array(*(np.array([x], dtype=np.int64) for x in (sa, la, sb, lb)))
    assert int(got[0]) == overlap_minutes(a, b)


# -- mentorship --------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(6))
def test_mentors_are_senior_enough_allowed_and_within_capacity(seed: int) -> None:
    people = population(80, seed)
    ids = [p.id for p in people]
    rng = random.Random(seed)
    past = frozenset(frozenset(rng.sample(ids, 2)) for _ in range(60))
    match_settings = MatchSettings(mentor_min_level_gap=1 + seed % 3, max_tz_gap_hours=3.0)
    groups, left, scorer = mentor_run(people, match_settings, seed, past)
    by_id = {p.id: p for p in people}
    load = Counter(m for m, _ in pairs_of(groups))
    for mentor, mentee in pairs_of(groups):
        assert by_id[mentor].level - by_id[mentee].level >= match_settings.mentor_min_level_gap
        assert scorer.allowed(by_id[mentor], by_id[mentee])
        assert frozenset((mentor, mentee)) not in past
    assert all(load[m] <= by_id[m].mentor_capacity for m in load)
    taught = [e for _, e in pairs_of(groups)]
    assert len(taught) == len(set(taught))
    wanting = {p.id for p in people if p.wants_mentor}
    assert {e.id for e in left} == wanting - set(taught)
    assert {e.reason for e in left} <= {LeftOutReason.NO_MENTOR}
    assert all(e.detail for e in left)
    assert all(list(g.members) == sorted(g.members) for g in groups)


def test_the_best_assignment_beats_greedy() -> None:
    # Maya covers Ana's goal and shares more hours with her than Omar does, so taking mentees
    # one at a time by best value gives Ana to Maya and leaves Ben (who wants hiring, which
    # only Maya offers) with Omar. The optimum swaps them: both mentees get a goal covered.
    maya = person(
        "maya", 5, function="sales", skills=frozenset({"negotiation", "hiring"}), mentor_capacity=1
    )
    omar = person(
        "omar",
        5,
        function="design",
        skills=frozenset({"negotiation"}),
        mentor_capacity=1,
        work_start_minute=14 * 60,
        work_end_minute=22 * 60,
    )
    ana = person("ana", 2, goals=frozenset({"negotiation"}), wants_mentor=True)
    ben = person("ben", 2, goals=frozenset({"hiring"}), wants_mentor=True)
    people = [maya, omar, ana, ben]
    by_id = {p.id: p for p in people}
    assert pair_value(maya, ana) > pair_value(omar, ana)
    greedy = [("maya", "ana"), ("omar", "ben")]
    groups, left, _ = mentor_run(people)
    assert left == []
    best = sorted(pairs_of(groups))
    assert best == [("maya", "ben"), ("omar", "ana")]
    assert objective(best, by_id) > objective(greedy, by_id)


def test_as_many_mentees_as_possible_come_first() -> None:
    # Maya covers Ana's goal, but Ben can only meet Maya (time zones): Ana goes to Omar.
    maya = person("maya", 5, skills=frozenset({"negotiation"}), mentor_capacity=1)
    omar = person("omar", 5, mentor_capacity=1, utc_offset_minutes=300)
    ana = person("ana", 1, goals=frozenset({"negotiation"}), wants_mentor=True)
    ben = person("ben", 1, wants_mentor=True, utc_offset_minutes=-300)
    groups, left, _ = mentor_run([maya, omar, ana, ben], MatchSettings(max_tz_gap_hours=5))
    assert left == []
    assert sorted(pairs_of(groups)) == [("maya", "ben"), ("omar", "ana")]


def brute_force_mentorship(
    people: Sequence[Participant], scorer: Scorer, gap: int
) -> tuple[int, int]:
    mentees = [p for p in people if p.wants_mentor]
    mentors = [p for p in people if p.mentor_capacity > 0]
    best = (0, 0)

    def go(i: int, load: Counter[str], count: int, value: int) -> None:
        nonlocal best
        if i == len(mentees):
            best = max(best, (count, value))
            return
        e = mentees[i]
        go(i + 1, load, count, value)
        for m in mentors:
            if (
                m.id != e.id
                and m.level - e.level >= gap
                and scorer.allowed(m, e)
                and load[m.id] < m.mentor_capacity
            ):
                load[m.id] += 1
                go(i + 1, load, count + 1, value + pair_value(m, e))
                load[m.id] -= 1

    go(0, Counter(), 0, 0)
    return best


@pytest.mark.parametrize("seed", range(12))
def test_mentorship_is_optimal_on_small_rosters(seed: int) -> None:
    people = population(12, 200 + seed, offsets=(0, 240))
    match_settings = MatchSettings(mentor_min_level_gap=1 + seed % 2, max_tz_gap_hours=3.0)
    groups, _, scorer = mentor_run(people, match_settings, seed)
    by_id = {p.id: p for p in people}
    expected = brute_force_mentorship(people, scorer, match_settings.mentor_min_level_gap)
    assert objective(pairs_of(groups), by_id) == expected


def test_sparse_solver_and_pruned_candidates_agree_with_the_dense_solver(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    people = population(300, 5)
    by_id = {p.id: p for p in people}
    dense, _, _ = mentor_run(people, seed=1)
    monkeypatch.setattr(mentorship, "DENSE_CELLS", 0)
    monkeypatch.setattr(mentorship, "KEEP_ALL_UP_TO", 0)
    monkeypatch.setattr(mentorship, "COLUMN_BUDGET", 0)
    sparse, _, _ = mentor_run(people, seed=1)
    assert objective(pairs_of(sparse), by_id) == objective(pairs_of(dense), by_id)


def test_people_outside_the_mode_and_idle_mentors_are_not_listed() -> None:
    mentor = person("maya", 5, mentor_capacity=3)
    idle = person("omar", 6, mentor_capacity=2, utc_offset_minutes=600)
    bystander = person("zoe", 3)
    mentee = person("tom", 1, wants_mentor=True)
    groups, left, _ = mentor_run([mentor, idle, bystander, mentee])
    assert pairs_of(groups) == [("maya", "tom")]
    assert left == []


def test_someone_can_mentor_and_be_mentored() -> None:
    senior = person("sam", 6, mentor_capacity=1)
    middle = person("mia", 3, mentor_capacity=1, wants_mentor=True)
    junior = person("jo", 1, wants_mentor=True)
    groups, left, _ = mentor_run([senior, middle, junior])
    assert sorted(pairs_of(groups)) == [("mia", "jo"), ("sam", "mia")]
    assert left == []


def left_out_detail(
    people: list[Participant], past: frozenset[frozenset[str]] = frozenset()
) -> str:
    groups, left, _ = mentor_run(people, past=past)
    assert "tom" not in [e for _, e in pairs_of(groups)]
    (entry,) = [e for e in left if e.id == "tom"]
    assert entry.reason is LeftOutReason.NO_MENTOR
    return entry.detail


TOM = person("tom", 2, wants_mentor=True, goals=frozenset({"writing"}))
JOE = person("joe", 3, mentor_capacity=1)  # only one level above Tom


def test_left_out_when_nobody_senior_enough_mentors() -> None:
    detail = left_out_detail([TOM, JOE])
    assert detail == "nobody at least 2 levels more senior offers to mentor this round"


def test_left_out_when_senior_mentors_are_too_far_away() -> None:
    maya = person("maya", 5, mentor_capacity=1, utc_offset_minutes=600)
    detail = left_out_detail([TOM, JOE, maya])
    assert "no mentor at least 2 levels more senior works within 6 hours" in detail


def test_left_out_when_senior_mentors_were_partners_before() -> None:
    maya = person("maya", 5, mentor_capacity=1)
    detail = left_out_detail([TOM, JOE, maya], frozenset({frozenset(("maya", "tom"))}))
    assert "have been your partner before or are on a do-not-pair list" in detail


def test_left_out_when_senior_mentors_are_fully_booked() -> None:
    # Maya can take one mentee and covers Ana's goal, not Tom's: Ana gets her.
    maya = person("maya", 5, mentor_capacity=1, skills=frozenset({"hiring"}))
    ana = person("ana", 1, wants_mentor=True, goals=frozenset({"hiring"}))
    detail = left_out_detail([TOM, maya, ana])
    assert "fully booked" in detail


def test_group_reads_like_a_sentence_and_scores_the_mentorship() -> None:
    maya = person(
        "maya", 5, function="sales", skills=frozenset({"negotiation", "hiring"}), mentor_capacity=1
    )
    tom = person(
        "tom",
        2,
        goals=frozenset({"negotiation", "hiring", "writing"}),
        wants_mentor=True,
        work_start_minute=13 * 60,
        work_end_minute=21 * 60,
    )
    (group,), _, scorer = mentor_run([maya, tom])
    assert group.members == ("maya", "tom")
    assert group.mentor == "maya"
    assert group.explanation == (
        "maya can help with hiring and interviewing and negotiation, which tom wants to grow; "
        "4 working hours in common"
    )
    assert group.explanation == explain_mentorship(maya, tom)
    w = scorer.weights
    assert dict(group.breakdown) == {
        Criterion.COMPLEMENT: w.complement * 1.0,
        Criterion.HOURS: w.hours * 1.0,
        Criterion.FUNCTION: w.function * 1.0,
    }
    assert group.score == pytest.approx(3.0)


def test_no_mentee_means_no_groups() -> None:
    assert mentor_run([person("maya", 5, mentor_capacity=2)])[:2] == ([], [])


def test_mentorship_is_deterministic_for_a_seed() -> None:
    people = population(200, 9)
    assert mentor_run(people, seed=3)[:2] == mentor_run(list(people), seed=3)[:2]


# -- reverse mentoring -------------------------------------------------------------------------


def brute_force_reverse(people: Sequence[Participant], scorer: Scorer) -> tuple[int, int]:
    edges = {}
    for a, b in combinations(people, 2):
        junior, senior = (a, b) if a.level < b.level else (b, a)
        if junior.level < senior.level and junior.skills & senior.goals and scorer.allowed(a, b):
            edges[frozenset((a.id, b.id))] = pair_value(junior, senior)
    ids = [p.id for p in people]

    def best(rest: tuple[str, ...]) -> tuple[int, int]:
        if not rest:
            return (0, 0)
        first, others = rest[0], rest[1:]
        result = best(others)
        for i, other in enumerate(others):
            value = edges.get(frozenset((first, other)))
            if value is not None:
                count, total = best(others[:i] + others[i + 1 :])
                result = max(result, (count + 1, total + value))
        return result

    return best(tuple(ids))


@pytest.mark.parametrize("seed", range(10))
def test_reverse_is_optimal_on_small_rosters(seed: int) -> None:
    people = population(11, 300 + seed, offsets=(0, 240))
    groups, left, scorer = reverse_run(people, MatchSettings(max_tz_gap_hours=3.0), seed)
    by_id = {p.id: p for p in people}
    assert objective(pairs_of(groups), by_id) == brute_force_reverse(people, scorer)
    placed = {m for g in groups for m in g.members}
    assert {e.id for e in left} == {p.id for p in people} - placed


@pytest.mark.parametrize("seed", range(4))
def test_reverse_mentors_are_junior_and_offer_a_wanted_skill(seed: int) -> None:
    people = population(150, seed)
    groups, left, scorer = reverse_run(people, seed=seed)
    by_id = {p.id: p for p in people}
    placed = [m for g in groups for m in g.members]
    assert len(placed) == len(set(placed))
    for mentor, mentee in pairs_of(groups):
        assert by_id[mentor].level < by_id[mentee].level
        assert by_id[mentor].skills & by_id[mentee].goals
        assert scorer.allowed(by_id[mentor], by_id[mentee])
    assert {e.id for e in left} == {p.id for p in people} - set(placed)
    assert {e.reason for e in left} <= {LeftOutReason.NO_SKILL_MATCH}
    assert all(e.detail for e in left)


def test_reverse_pairs_the_junior_with_the_skill_to_the_senior_who_wants_it() -> None:
    sam = person("sam", 2, skills=frozenset({"data-literacy"}))
    priya = person("priya", 5, function="sales", goals=frozenset({"data-literacy"}))
    lee = person("lee", 3, goals=frozenset({"public-speaking"}))
    groups, left, _ = reverse_run([sam, priya, lee])
    (group,) = groups
    assert group.members == ("priya", "sam")
    assert group.mentor == "sam"
    assert group.explanation == (
        "sam can help priya with working with data; 8 working hours in common"
    )
    assert [(e.id, e.reason) for e in left] == [("lee", LeftOutReason.NO_SKILL_MATCH)]
    assert "nobody more junior offers public speaking" in left[0].detail


def test_reverse_beats_greedy_on_a_crafted_case() -> None:
    # The heaviest edge (ann -> cy, two tags) would block both others; the optimum places all.
    ann = person("ann", 1, skills=frozenset({"writing", "strategy"}))
    bo = person("bo", 2, skills=frozenset({"writing"}))
    cy = person("cy", 5, goals=frozenset({"writing", "strategy"}))
    di = person("di", 4, goals=frozenset({"strategy"}))
    groups, left, _ = reverse_run([ann, bo, cy, di])
    assert left == []
    assert sorted(pairs_of(groups)) == [("ann", "di"), ("bo", "cy")]


def test_reverse_reasons() -> None:
    far = person("far", 1, skills=frozenset({"writing"}), utc_offset_minutes=600)
    boss = person("boss", 5, goals=frozenset({"writing"}))
    blank = person("blank", 3)
    taken_junior = person("kid", 1, skills=frozenset({"writing"}))
    groups, left, _ = reverse_run([far, boss, blank, taken_junior])
    assert pairs_of(groups) == [("kid", "boss")]
    details = {e.id: e.detail for e in left}
    assert "not listed goals or skills" in details["blank"]
    assert "works too many hours away" in details["far"]


def test_reverse_is_deterministic_for_a_seed() -> None:
    people = population(200, 10)
    assert reverse_run(people, seed=5)[:2] == reverse_run(list(people), seed=5)[:2]
