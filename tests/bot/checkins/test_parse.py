"""Check-in answers in plain words: what is understood, and what is asked about."""

from __future__ import annotations

import pytest

from bot.checkins.parse import ParsedAnswer, parse_answer
from bot.domain import GoalStatus

ON, SOME, STUCK, DONE = (
    GoalStatus.ON_TRACK,
    GoalStatus.SOME_PROGRESS,
    GoalStatus.STUCK,
    GoalStatus.ACHIEVED,
)


@pytest.mark.parametrize(
    ("text", "rating", "goal", "met", "free_text"),
    [
        ("4, on track, met Sam, good talk", 4, ON, True, True),
        ("3/5 some progress didn't meet", 3, SOME, False, False),
        ("stuck. no meeting this week", None, STUCK, False, False),
        ("5 achieved met", 5, DONE, True, False),
        ("rating 2", 2, None, None, False),
        ("we met, on track, 4", 4, ON, True, False),
        ("did not meet, 2/5, no progress", 2, STUCK, False, False),
        ("Four! going well, we met", 4, ON, True, False),
        ("not really stuck, 3", 3, SOME, None, False),
        ("met twice, 4 out of 5", 4, None, True, True),
        ("I'd say 5, goal achieved, we had a great chat", 5, DONE, True, True),
        ("2 - blocked on my manager", 2, STUCK, None, True),
        ("ON TRACK. Rating: 5", 5, ON, None, False),
        ("some progress", None, SOME, None, False),
    ],
)
def test_answers_in_many_phrasings_are_understood(
    text: str, rating: int | None, goal: GoalStatus | None, met: bool | None, free_text: bool
) -> None:
    parsed = parse_answer(text)
    assert (parsed.rating, parsed.goal_status, parsed.met) == (rating, goal, met)
    assert parsed.free_text is free_text
    assert parsed.ambiguous == frozenset()
    assert parsed.understood


@pytest.mark.parametrize(
    ("text", "ambiguous"),
    [
        ("3 or 4, on track", {"rating"}),
        ("on track but stuck", {"goal_status"}),
        ("rating 7, on track", {"rating"}),
        ("0, achieved", {"rating"}),
    ],
)
def test_two_values_or_an_impossible_one_are_ambiguous(text: str, ambiguous: set[str]) -> None:
    parsed = parse_answer(text)
    assert parsed.ambiguous == frozenset(ambiguous)
    if "rating" in ambiguous:
        assert parsed.rating is None
    if "goal_status" in ambiguous:
        assert parsed.goal_status is None


def test_a_step_is_read_after_its_label_and_kept_as_typed() -> None:
    parsed = parse_answer("4, on track. Next step: ask Priya for feedback on <Tuesday>'s demo")
    assert parsed.step == "ask Priya for feedback on <Tuesday>'s demo"
    assert (parsed.rating, parsed.goal_status) == (4, ON)


def test_words_with_nothing_structured_are_free_text_only() -> None:
    assert parse_answer("hello there") == ParsedAnswer(free_text=True)
    assert not parse_answer("hello there").understood


@pytest.mark.parametrize(
    ("text", "rating"),
    [
        ("3 — quokka-lantern-982 was a rough week", 3),
        ("met for 2 hours, 4", 4),
        ("in 2026 this was a 5", 5),
    ],
)
def test_numbers_that_are_not_ratings_are_left_alone(text: str, rating: int) -> None:
    parsed = parse_answer(text)
    assert parsed.rating == rating
    assert parsed.ambiguous == frozenset()
