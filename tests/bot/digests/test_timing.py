"""When a round's digests fall due: weekly inside long rounds, then at the end, never twice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.digests.timing import first_digest_due, next_digest_due

START = datetime(2026, 11, 2, 9, tzinfo=UTC)
WEEK = timedelta(days=7)


def _all(start: datetime, ends_at: datetime) -> list[datetime]:
    found = [first_digest_due(start, ends_at)]
    while (after := next_digest_due(start, ends_at, found[-1])) is not None:
        found.append(after)
    return found


def test_a_weekly_round_has_one_digest_at_its_end() -> None:
    assert _all(START, START + WEEK) == [START + WEEK]


def test_a_fortnightly_round_has_a_weekly_digest_then_the_end() -> None:
    assert _all(START, START + 2 * WEEK) == [START + WEEK, START + 2 * WEEK]


def test_a_monthly_round_has_weekly_digests_then_the_end() -> None:
    ends = START + timedelta(days=30)
    assert _all(START, ends) == [START + WEEK, START + 2 * WEEK, START + 3 * WEEK, ends]


def test_a_weekly_point_just_before_the_end_is_left_to_the_end() -> None:
    ends = START + timedelta(days=28, hours=12)
    # Day 28 is within two days of the end: only the end's digest follows day 21.
    assert _all(START, ends) == [START + WEEK, START + 2 * WEEK, START + 3 * WEEK, ends]


@pytest.mark.parametrize("late", [timedelta(0), timedelta(hours=5), timedelta(days=3)])
def test_a_late_tick_moves_on_to_the_next_moment_not_a_past_one(late: timedelta) -> None:
    ends = START + timedelta(days=30)
    due = START + WEEK
    following = next_digest_due(START, ends, due + late)
    assert following == START + 2 * WEEK


def test_nothing_after_the_end() -> None:
    assert next_digest_due(START, START + WEEK, START + WEEK) is None
