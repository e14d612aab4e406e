"""The fan-out benchmark's machinery on a small round: counts, never timings."""

from __future__ import annotations

import pytest

from benchmarks.fanout import SLACK_TIER3_BURST, minimum_seconds, print_result, run_fanout

PARTICIPANTS = 60


async def test_a_small_round_is_delivered_once_within_the_limits(
    database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    result = await run_fanout(database_url, participants=PARTICIPANTS, label="db")

    assert result.groups == PARTICIPANTS // 2
    assert result.delivered == result.groups
    assert (result.duplicates, result.lost, result.failed_rows) == (0, 0, 0)
    # The dispatcher paces itself: the fake never had to refuse a call.
    assert result.rate_limited == 0
    # Nobody can beat the limits the fake enforces, in virtual time.
    assert result.minimum == minimum_seconds(result.groups) > 0
    assert result.seconds >= result.minimum

    checks = print_result(result)
    assert [label.split(" (")[0] for label, _ in checks] == [
        "no duplicates",
        "no lost messages",
        "time <= 1.1x the minimum",
    ]
    table = capsys.readouterr().out
    assert f"| db | {result.groups} | {result.groups} | 0 | 0 | 0 | 0 |" in table


def test_the_minimum_is_the_opens_beyond_the_burst() -> None:
    assert minimum_seconds(SLACK_TIER3_BURST) == 0
    assert minimum_seconds(SLACK_TIER3_BURST + 50) == pytest.approx(60.0)
