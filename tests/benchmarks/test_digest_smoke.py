"""The digest benchmark's machinery on a small population: figures that add up, never timings."""

from __future__ import annotations

import io

from benchmarks.digest import Result, build, print_result, run_postgres, run_sqlite
from bot.digests.figures import TREND_ROUNDS, Rate
from tests.fixtures.database import _postgres_admin_url

PEOPLE = 300
ROUNDS = 10


def test_the_population_is_consistent() -> None:
    pop = build(people=PEOPLE, rounds=ROUNDS)
    assert len(pop.tables["people"]) == PEOPLE
    assert len(pop.tables["rounds"]) == ROUNDS
    # Everyone is paired in every round, and has one check-in a week.
    assert len(pop.tables["match_groups"]) == ROUNDS * PEOPLE // 2
    assert len(pop.tables["match_members"]) == ROUNDS * PEOPLE
    keys = {(row["person_id"], row["week_start"]) for row in pop.tables["checkins"]}
    assert len(keys) == len(pop.tables["checkins"]) == pop.checkins_in_rounds == ROUNDS * PEOPLE
    assert 0 < pop.current_answered < pop.current_sent < PEOPLE


def _check(result: Result) -> None:
    digest = result.digest
    current = digest.current
    assert current is not None
    assert (current.groups, current.people) == (PEOPLE // 2, PEOPLE)
    assert current.checkin_response == Rate(result.expected_answered, result.expected_sent)
    assert len(digest.trend) == TREND_ROUNDS
    assert 0 < current.meeting.part < current.meeting.whole
    # Everyone joined before the first round; the few who left since are not retained.
    assert 0 < current.retention.part < current.retention.whole == PEOPLE
    assert result.baseline_rows == ROUNDS * PEOPLE
    assert 0 < result.digest_best <= result.digest_median
    assert 0 < result.baseline_best <= result.baseline_median
    out = io.StringIO()
    print_result(result, out)
    assert f"{PEOPLE // 2:,} groups" in out.getvalue()
    assert "Ratio (medians)" in out.getvalue()


async def test_a_small_run_on_sqlite() -> None:
    result = await run_sqlite(people=PEOPLE, rounds=ROUNDS, repeat=2)
    assert result.database == "SQLite"
    _check(result)


async def test_a_small_run_on_postgresql() -> None:
    result = await run_postgres(_postgres_admin_url(), people=PEOPLE, rounds=ROUNDS, repeat=2)
    assert result.database == "PostgreSQL"
    _check(result)
