"""Criteria, hard rules, working-hour overlap and explanations, one table at a time."""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks.population import generate
from bot.matching.candidates import Features
from bot.matching.criteria import (
    Scorer,
    group_overlap_minutes,
    overlap_minutes,
    tz_gap_hours,
)
from bot.matching.model import (
    Criterion,
    MatchInput,
    MatchSettings,
    Participant,
    Unavailable,
    Weights,
)

H = 60


def person(pid: str = "a", **kw: object) -> Participant:
    base: dict[str, object] = {"function": "Engineering", "level": 3}
    base.update(kw)
    return Participant(id=pid, **base)  # type: ignore[arg-type]


def scorer(*people: Participant, **kw: object) -> Scorer:
    return Scorer(MatchInput(participants=tuple(people), **kw))  # type: ignore[arg-type]


def criterion(a: Participant, b: Participant, which: Criterion) -> float:
    return scorer(a, b).score(a, b).breakdown[which]


# -- criteria ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fa", "fb", "expected"),
    [
        ("Engineering", "Sales", 1.0),
        ("Engineering", "engineering", 0.0),
        (" Design ", "design", 0.0),
        ("Design", "Product", 1.0),
    ],
)
def test_function_differs_case_insensitively(fa: str, fb: str, expected: float) -> None:
    assert criterion(person("a", function=fa), person("b", function=fb), Criterion.FUNCTION) == (
        expected
    )


@pytest.mark.parametrize(
    ("la", "lb", "expected"),
    [(3, 3, 1.0), (3, 4, 2 / 3), (4, 2, 1 / 3), (1, 4, 0.0), (1, 6, 0.0)],
)
def test_level_falls_off_with_the_gap(la: int, lb: int, expected: float) -> None:
    value = criterion(person("a", level=la), person("b", level=lb), Criterion.LEVEL)
    assert value == pytest.approx(expected)


@pytest.mark.parametrize(
    ("b_offset_hours", "expected"),
    [(0, 1.0), (-4, 1.0), (-6, 0.5), (-8, 0.0)],  # 8 h, 4 h, 2 h, 0 h in common
)
def test_hours_saturate_at_four_shared_hours(b_offset_hours: int, expected: float) -> None:
    a = person("a")
    b = person("b", utc_offset_minutes=b_offset_hours * H)
    assert criterion(a, b, Criterion.HOURS) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("ga", "gb", "expected"),
    [
        (set(), {"writing"}, 0.0),
        ({"writing"}, {"writing", "hiring"}, 0.5),
        ({"writing", "hiring"}, {"writing", "hiring"}, 1.0),
        ({"writing", "hiring", "focus"}, {"writing", "hiring", "focus"}, 1.0),
    ],
)
def test_goals_count_shared_tags(ga: set[str], gb: set[str], expected: float) -> None:
    a = person("a", goals=frozenset(ga))
    b = person("b", goals=frozenset(gb))
    assert criterion(a, b, Criterion.GOALS) == expected


@pytest.mark.parametrize(
    ("a_kw", "b_kw", "expected"),
    [
        ({"skills": frozenset({"negotiation"})}, {"goals": frozenset({"negotiation"})}, 0.5),
        ({"goals": frozenset({"negotiation"})}, {"skills": frozenset({"negotiation"})}, 0.5),
        (
            {"skills": frozenset({"negotiation"}), "goals": frozenset({"hiring"})},
            {"skills": frozenset({"hiring"}), "goals": frozenset({"negotiation"})},
            1.0,
        ),
        ({"skills": frozenset({"negotiation"})}, {"skills": frozenset({"negotiation"})}, 0.0),
    ],
)
def test_complement_counts_both_directions(
    a_kw: dict[str, object], b_kw: dict[str, object], expected: float
) -> None:
    assert criterion(person("a", **a_kw), person("b", **b_kw), Criterion.COMPLEMENT) == expected


def test_weights_multiply_each_criterion_and_total_is_their_sum() -> None:
    a = person("a", goals=frozenset({"writing"}))
    b = person("b", function="Sales", level=4, goals=frozenset({"writing"}))
    weights = Weights(function=2.0, level=0.5, hours=0.0, goals=3.0, complement=1.0)
    s = scorer(a, b, settings=MatchSettings(weights=weights))
    got = s.score(a, b)
    assert got.breakdown == {
        Criterion.FUNCTION: 2.0,
        Criterion.LEVEL: pytest.approx(0.5 * 2 / 3),
        Criterion.HOURS: 0.0,
        Criterion.GOALS: 1.5,
        Criterion.COMPLEMENT: 0.0,
    }
    assert got.total == pytest.approx(sum(got.breakdown.values()))
    assert s.total(a, b) == got.total


def test_score_is_symmetric_and_group_score_is_the_mean_over_pairs() -> None:
    a = person("a", goals=frozenset({"writing"}), skills=frozenset({"hiring"}))
    b = person("b", function="Sales", level=2, goals=frozenset({"hiring"}))
    c = person("c", function="Design", level=5, utc_offset_minutes=-3 * H)
    s = scorer(a, b, c)
    assert s.score(a, b) == s.score(b, a)
    group = s.group_score([a, b, c])
    pairs = [s.score(a, b), s.score(a, c), s.score(b, c)]
    assert group.total == pytest.approx(sum(p.total for p in pairs) / 3)
    for crit in Criterion:
        assert group.breakdown[crit] == pytest.approx(sum(p.breakdown[crit] for p in pairs) / 3)


# -- working hours -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a_kw", "b_kw", "minutes"),
    [
        ({}, {}, 8 * H),
        ({}, {"utc_offset_minutes": -5 * H}, 3 * H),  # New York and London
        ({}, {"utc_offset_minutes": 5 * H + 30}, 2 * H + 30),  # London and Bangalore
        ({}, {"utc_offset_minutes": -9 * H}, 0),  # no overlap at all
        # Night shift 22:00-06:00 against 04:00-08:00 in the same zone: 04:00-06:00.
        (
            {"work_start_minute": 22 * H, "work_end_minute": 6 * H},
            {"work_start_minute": 4 * H, "work_end_minute": 8 * H},
            2 * H,
        ),
        # Sydney 9-17 is 23:00-07:00 UTC, across the UTC midnight; against 06:00-10:00 UTC.
        (
            {"utc_offset_minutes": 10 * H},
            {"work_start_minute": 6 * H, "work_end_minute": 10 * H},
            1 * H,
        ),
        # Both across midnight in UTC: Sydney and Tokyo share 8 h minus one.
        ({"utc_offset_minutes": 10 * H}, {"utc_offset_minutes": 9 * H}, 7 * H),
        # Equal start and end is a full day: it overlaps everything the other works.
        ({"work_start_minute": 0, "work_end_minute": 0}, {"utc_offset_minutes": 7 * H}, 8 * H),
        ({"work_start_minute": 0, "work_end_minute": 24 * H}, {}, 8 * H),
    ],
)
def test_overlap_on_a_circular_day(
    a_kw: dict[str, object], b_kw: dict[str, object], minutes: int
) -> None:
    a = person("a", **a_kw)
    b = person("b", **b_kw)
    assert overlap_minutes(a, b) == minutes
    assert overlap_minutes(b, a) == minutes


def test_tz_gap_is_a_plain_difference_in_hours() -> None:
    assert tz_gap_hours(person("a", utc_offset_minutes=-8 * H), person("b")) == 8.0
    assert tz_gap_hours(person("a", utc_offset_minutes=5 * H + 30), person("b")) == 5.5
    # Not wrapped around the globe: UTC-11 and UTC+12 are 23 hours apart here.
    far = tz_gap_hours(
        person("a", utc_offset_minutes=-11 * H), person("b", utc_offset_minutes=12 * H)
    )
    assert far == 23.0


def test_group_overlap_is_the_time_everyone_shares() -> None:
    london = person("a")
    new_york = person("b", utc_offset_minutes=-5 * H)
    berlin = person("c", utc_offset_minutes=1 * H)
    assert group_overlap_minutes([london, new_york, berlin]) == 2 * H
    assert group_overlap_minutes([london]) == 8 * H


# -- hard rules ----------------------------------------------------------------------------


def test_past_partners_are_forbidden_in_both_directions() -> None:
    a, b, c = person("a"), person("b", function="Sales"), person("c", function="Design")
    s = scorer(a, b, c, past_partners=frozenset({frozenset({"a", "b"})}))
    assert not s.allowed(a, b)
    assert not s.allowed(b, a)
    assert s.allowed(a, c)
    assert s.why_not(b, a) == "b and a have been partners before"


def test_do_not_pair_is_honoured_in_either_direction() -> None:
    a, b = person("a"), person("b", function="Sales")
    s = scorer(a, b, do_not_pair=frozenset({("b", "a")}))
    assert not s.allowed(a, b)
    assert not s.allowed(b, a)
    assert s.why_not(a, b) == "a and b are on a do-not-pair list"


@pytest.mark.parametrize(
    ("gap_minutes", "ok"), [(6 * H, True), (6 * H + 1, False), (-7 * H, False)]
)
def test_time_zone_gap_beyond_the_limit_is_forbidden(gap_minutes: int, ok: bool) -> None:
    a = person("a")
    b = person("b", function="Sales", utc_offset_minutes=gap_minutes)
    s = scorer(a, b)
    assert s.allowed(a, b) is ok
    assert s.allowed(b, a) is ok
    assert (s.why_not(a, b) is None) is ok


def test_time_zone_limit_follows_the_settings() -> None:
    a, b = person("a"), person("b", utc_offset_minutes=3 * H)
    assert not scorer(a, b, settings=MatchSettings(max_tz_gap_hours=2)).allowed(a, b)
    text = scorer(a, b, settings=MatchSettings(max_tz_gap_hours=2)).why_not(a, b)
    assert text == "a and b are 3 hours apart (more than 2)"


@pytest.mark.parametrize("status", list(Unavailable))
def test_unavailable_people_are_never_allowed(status: Unavailable) -> None:
    a, b = person("a"), person("b", function="Sales", unavailable=status)
    s = scorer(a, b)
    assert not s.allowed(a, b)
    assert not s.allowed(b, a)
    assert s.why_not(a, b) == f"b is not available this round ({status.value.replace('_', ' ')})"


def test_nobody_is_paired_with_themselves_and_ids_are_unique() -> None:
    a = person("a")
    assert not scorer(a).allowed(a, a)
    with pytest.raises(ValueError, match="appears twice"):
        scorer(a, person("a"))


# -- explanations --------------------------------------------------------------------------


def test_explanation_of_a_strong_pair() -> None:
    ana = person(
        "ana",
        goals=frozenset({"giving-feedback", "hiring"}),
        skills=frozenset({"negotiation"}),
    )
    ben = person(
        "ben",
        function="Sales",
        utc_offset_minutes=-3 * H,
        goals=frozenset({"giving-feedback", "negotiation"}),
    )
    assert scorer(ana, ben).explain([ana, ben]) == (
        "different functions, 5 working hours in common, "
        "both want to get better at giving feedback, ana can help with negotiation"
    )


def test_explanation_reads_well_when_criteria_are_weak() -> None:
    a = person("a", level=2, goals=frozenset({"writing"}))
    b = person("b", level=4, utc_offset_minutes=-5 * H - 30, goals=frozenset({"hiring"}))
    assert scorer(a, b).explain([a, b]) == (
        "same function, 2.5 working hours in common, no goals in common yet"
    )


@pytest.mark.parametrize(
    ("b_offset", "text"),
    [
        (-7 * H, "1 working hour in common"),
        (-7 * H - 15, "45 working minutes in common"),
        (-9 * H, "no working hours in common"),
    ],
)
def test_explanation_of_little_or_no_overlap(b_offset: int, text: str) -> None:
    a, b = person("a"), person("b", utc_offset_minutes=b_offset)
    assert text in scorer(a, b).explain([a, b])


def test_explanation_names_complementarity_both_ways() -> None:
    a = person("ana", goals=frozenset({"delegation"}), skills=frozenset({"negotiation"}))
    b = person(
        "ben", function="Sales", goals=frozenset({"negotiation"}), skills=frozenset({"delegation"})
    )
    assert (
        scorer(a, b)
        .explain([a, b])
        .endswith("ana can help with negotiation and ben with delegating")
    )


def test_explanation_of_a_triad_summarises() -> None:
    a = person("ana", goals=frozenset({"giving-feedback", "writing"}), skills=frozenset({"hiring"}))
    b = person("ben", function="Sales", level=4, goals=frozenset({"giving-feedback", "hiring"}))
    c = person("cy", function="Design", level=2, goals=frozenset({"giving-feedback", "writing"}))
    assert scorer(a, b, c).explain([a, b, c]) == (
        "all different functions, 8 working hours in common for everyone, "
        "everyone wants to get better at giving feedback, "
        "ana and cy both want to get better at clear writing, "
        "ana can help with hiring and interviewing"
    )


def test_explanation_of_a_group_with_nothing_shared() -> None:
    a, b = person("a"), person("b", utc_offset_minutes=-9 * H)
    c = person("c", function="sales", level=1)
    assert scorer(a, b, c).explain([a, b, c]) == (
        "2 functions, no working hours shared by everyone, no goals in common yet"
    )


# -- the vectorised scores agree with the scorer -------------------------------------------


def test_vectorised_scores_equal_the_scorer_exactly() -> None:
    inp = generate(300, seed=4)
    s = Scorer(inp)
    people = [p for p in inp.participants if p.unavailable is None]
    f = Features(people, s, seed=0)
    rng = np.random.default_rng(0)
    i = rng.integers(0, f.n, 2000)
    j = rng.integers(0, f.n, 2000)
    got = f.pair_scores(i, j)
    want = [s.total(f.people[x], f.people[y]) for x, y in zip(i.tolist(), j.tolist(), strict=True)]
    assert got.tolist() == want
    block, cols = f.block_scores(np.arange(40, dtype=np.int64), [(0, f.n)])
    for x in range(40):
        for y in range(0, f.n, 7):
            a, b = f.people[x], f.people[int(cols[y])]
            if s.allowed(a, b):
                assert block[x, y] == pytest.approx(s.total(a, b), abs=1e-5)
            else:
                assert block[x, y] == -np.inf
