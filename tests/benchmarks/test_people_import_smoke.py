"""The people import benchmark's machinery on a small file and roster: counts, never timings."""

from __future__ import annotations

import pytest

from benchmarks.people_import import (
    DEPTH,
    depth_of,
    minimum_seconds,
    org_chart,
    print_import,
    print_matching,
    run_import,
    run_matching,
)


async def test_every_bad_row_is_reported_once_and_every_good_row_imported(
    database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    result = await run_import(database_url, rows=200)
    assert result.bad_rows == 6
    assert result.missed == result.false_alarms == 0
    assert result.reported_file + result.reported_slack == result.bad_rows
    assert result.reported_slack == 1  # the one email Slack does not know
    assert result.imported == 194 == result.lookups
    # The pacer keeps to the limit: the fake never had to refuse, and nobody beats it.
    assert result.rate_limited == 0
    assert result.minimum == minimum_seconds(194) > 0
    assert result.lookup_seconds == pytest.approx(result.minimum)
    checks = print_import(result)
    assert all(ok for _, ok in checks), checks
    assert "| 6 | 5 | 1 | 0 | 0 | 194 |" in capsys.readouterr().out


def test_the_chart_is_deep_and_matching_keeps_to_it() -> None:
    chart = org_chart([f"p{i}" for i in range(2000)], seed=3)
    assert depth_of(chart) <= DEPTH
    spans: dict[str, int] = {}
    for boss in chart.values():
        spans[boss] = spans.get(boss, 0) + 1
    assert max(spans.values()) <= 12
    row = run_matching(400)
    assert row.rule_broken == row.other_forbidden == row.coverage_errors == 0
    assert row.kept_apart > 0
    assert row.placed >= row.eligible
    assert all(ok for _, ok in print_matching(row))
