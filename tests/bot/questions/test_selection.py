"""Choosing a question, as pure rules: the year, the themes, the least recently seen."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.domain import QuestionTheme
from bot.enrolment.goals import GOAL_TAGS
from bot.questions.selection import Candidate, choose, merged_last_seen, pick_theme
from bot.questions.themes import TAG_THEMES, shared_tags, themes_for

NOW = datetime(2026, 12, 7, 9, tzinfo=UTC)
BANK = [
    Candidate(1, QuestionTheme.FEEDBACK, "a?"),
    Candidate(2, QuestionTheme.FEEDBACK, "b?"),
    Candidate(3, QuestionTheme.CAREER, "c?"),
    Candidate(4, QuestionTheme.WELLBEING, "d?"),
]


def test_every_goal_tag_has_themes() -> None:
    assert set(TAG_THEMES) == set(GOAL_TAGS)
    assert all(TAG_THEMES.values())


def test_shared_tags_are_the_common_ones_else_any_and_never_free_text() -> None:
    assert shared_tags([["focus", "hiring"], ["hiring", "conflict"]]) == ["hiring"]
    assert shared_tags([["focus"], ["conflict"]]) == ["conflict", "focus"]
    assert shared_tags([["my secret plan", "focus"]]) == ["focus"]
    assert shared_tags([]) == []


def test_themes_follow_the_tags_closest_fit_first() -> None:
    assert themes_for(["giving-feedback"]) == [QuestionTheme.FEEDBACK]
    assert themes_for(["promotion", "career-growth"])[0] is QuestionTheme.CAREER
    assert themes_for([]) == []


def test_preferred_theme_first_and_stable_for_a_seed() -> None:
    picked = choose(BANK, {}, [QuestionTheme.CAREER], now=NOW, seed="group:1")
    assert picked is not None
    assert picked.id == 3
    first = choose(BANK, {}, [QuestionTheme.FEEDBACK], now=NOW, seed="group:9")
    again = choose(BANK, {}, [QuestionTheme.FEEDBACK], now=NOW, seed="group:9")
    assert first == again
    assert first is not None
    assert first.theme is QuestionTheme.FEEDBACK


def test_seen_within_a_year_is_skipped_even_against_the_theme() -> None:
    seen = {3: NOW - timedelta(days=364)}
    picked = choose(BANK, seen, [QuestionTheme.CAREER], now=NOW, seed="s")
    assert picked is not None
    assert picked.id != 3


def test_never_seen_comes_before_seen_over_a_year_ago() -> None:
    seen = {1: NOW - timedelta(days=400)}
    picked = choose(BANK[:2], seen, [QuestionTheme.FEEDBACK], now=NOW, seed="s")
    assert picked is not None
    assert picked.id == 2
    seen[2] = NOW - timedelta(days=500)
    picked = choose(BANK[:2], seen, [QuestionTheme.FEEDBACK], now=NOW, seed="s")
    assert picked is not None
    assert picked.id == 2


def test_when_all_were_seen_the_least_recently_seen() -> None:
    seen = {q.id: NOW - timedelta(days=q.id * 10) for q in BANK}
    picked = choose(BANK, seen, [QuestionTheme.FEEDBACK], now=NOW, seed="s")
    assert picked is not None
    assert picked.id == 4
    assert choose([], {}, [], now=NOW, seed="s") is None


def test_what_any_member_saw_counts_for_the_group() -> None:
    per_person = {10: {1: NOW - timedelta(days=3)}, 11: {1: NOW, 2: NOW - timedelta(days=1)}}
    assert merged_last_seen(per_person, [10, 11]) == {1: NOW, 2: NOW - timedelta(days=1)}


def test_a_draft_theme_comes_from_the_group_themes() -> None:
    assert pick_theme([QuestionTheme.GROWTH], "x") is QuestionTheme.GROWTH
    assert pick_theme([], "x") in set(QuestionTheme)
