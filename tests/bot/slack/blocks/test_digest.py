"""The digest message: valid Block Kit inside Slack's limits whatever the data, figures and
changes rendered as numbers, suppressed breakdowns shown as "fewer than N" with no figure."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from typing import Any

import pytest
from slack_sdk.models.blocks import Block

from bot.digests import export
from bot.digests.figures import (
    Breakdown,
    Dimension,
    GoalProgress,
    Participants,
    ProgrammeDigest,
    QuietGroup,
    Rate,
    RoundFigures,
)
from bot.domain import ProgrammeMode
from bot.slack.blocks import digest as blocks
from bot.slack.copy import digests as copy

START = date(2026, 11, 2)


def _round(n: int, *, met: int, people: int = 10) -> RoundFigures:
    return RoundFigures(
        round_id=n,
        starts_on=START + timedelta(weeks=n),
        ends_on=START + timedelta(weeks=n + 1),
        groups=5,
        people=people,
        meeting=Rate(met, 5),
        checkin_response=Rate(7, 10),
        usefulness=4.25,
        ratings=7,
        goals=GoalProgress(on_track=3, some_progress=2, stuck=1, achieved=1),
        steps_kept=Rate(6, 8),
        retention=Rate(8, 10),
    )


def _digest(**overrides: Any) -> ProgrammeDigest:
    trend = tuple(_round(n, met=n % 5) for n in range(8))
    values: dict[str, Any] = {
        "team_id": "T1",
        "programme_id": 1,
        "programme_name": "Peer <pairs> & more",
        "mode": ProgrammeMode.PAIRS,
        "min_group": 5,
        "participants": Participants(active=12, new=2, paused=1, left=1),
        "current": trend[-1],
        "previous": trend[-2],
        "trend": trend,
        "breakdowns": (
            Breakdown(Dimension.FUNCTION, "engineering", 6, Rate(3, 6), Rate(4, 6)),
            Breakdown(Dimension.FUNCTION, "design", None, None, None),
            Breakdown(Dimension.LEVEL, "Level 3", 10, Rate(6, 10), Rate(7, 10)),
        ),
        "quiet_groups": (QuietGroup(7, ("U1", "U2"), "G1", 2),),
    }
    values.update(overrides)
    return ProgrammeDigest(**values)


def _check_limits(message: dict[str, Any]) -> None:
    assert len(message["blocks"]) <= blocks.MAX_BLOCKS
    for block in message["blocks"]:
        parsed = Block.parse(block)
        assert parsed is not None
        parsed.validate_json()
        text = (block.get("text") or {}).get("text", "")
        assert len(text) <= blocks.SECTION_TEXT_MAX
        for field in block.get("fields") or []:
            assert len(field["text"]) <= blocks.FIELD_TEXT_MAX
    assert len(message["text"]) <= 3000


def _words(message: dict[str, Any]) -> str:
    return json.dumps(message["blocks"], ensure_ascii=False)


def test_the_digest_shows_every_figure_and_its_change() -> None:
    message = blocks.digest_message(_digest())
    _check_limits(message)
    words = _words(message)
    # Round 7 met 2 of 5 (7 % 5), round 6 met 1 of 5: 40% and up 20 points.
    assert copy.RATE.format(percent=40, part=2, whole=5) in words
    assert copy.CHANGE_UP.format(points=20) in words
    assert copy.RATE.format(percent=70, part=7, whole=10) in words  # check-ins
    assert "4.2 / 5 (7 ratings)" in words
    assert "3 on track · 2 some progress · 1 stuck · 1 achieved" in words
    assert copy.RATE.format(percent=75, part=6, whole=8) in words  # steps kept
    assert copy.RATE.format(percent=80, part=8, whole=10) in words  # retention
    assert "12 taking part · 2 new · 1 paused · 1 left" in words
    # The programme name is escaped in mrkdwn (the notification) and plain in the header.
    assert message["text"].startswith("peercoach digest for Peer &lt;pairs&gt; &amp; more")
    assert message["blocks"][0]["text"] == {
        "type": "plain_text",
        "text": "Digest: Peer <pairs> & more",
    }


def test_a_suppressed_breakdown_says_fewer_than_and_shows_no_figure() -> None:
    words = _words(blocks.digest_message(_digest()))
    assert copy.BREAKDOWN_SUPPRESSED.format(label="design", min=5) in words
    assert "engineering: 6 people · met 50% · check-ins 67%" in words


def test_quiet_groups_get_a_nudge_button_and_a_long_list_stays_inside_the_limits() -> None:
    many = tuple(QuietGroup(i, (f"U{i}a", f"U{i}b"), None, 2) for i in range(200))
    message = blocks.digest_message(_digest(quiet_groups=many, themes="x" * 5000, theme_notes=6))
    _check_limits(message)
    buttons = [
        b["accessory"]["value"]
        for b in message["blocks"]
        if (b.get("accessory") or {}).get("action_id") == blocks.ACTION_DIGEST_NUDGE
    ]
    assert buttons == [f"{i}:7" for i in range(blocks.MAX_QUIET_SHOWN)]
    assert copy.QUIET_MORE.format(count=200 - blocks.MAX_QUIET_SHOWN) in _words(message)


def test_a_programme_without_rounds_says_so() -> None:
    message = blocks.digest_message(_digest(current=None, previous=None, trend=()))
    _check_limits(message)
    assert "has not had a round yet" in _words(message)


def test_rates_without_data_say_so_rather_than_zero() -> None:
    empty = RoundFigures(
        round_id=1,
        starts_on=START,
        ends_on=None,
        groups=0,
        people=0,
        meeting=Rate(0, 0),
        checkin_response=Rate(0, 0),
        usefulness=None,
        ratings=0,
        goals=GoalProgress(),
        steps_kept=Rate(0, 0),
        retention=Rate(0, 0),
    )
    message = blocks.digest_message(
        _digest(current=empty, previous=None, trend=(empty,), breakdowns=())
    )
    _check_limits(message)
    words = _words(message)
    assert copy.NO_DATA in words
    assert re.search(r"(?<![0-9])0%", words) is None
    assert copy.TREND_ONE_ROUND in words


@pytest.mark.parametrize("length", [1, 150, 400])
def test_the_header_fits_whatever_the_name(length: int) -> None:
    message = blocks.digest_message(_digest(programme_name="n" * length))
    _check_limits(message)
    header = message["blocks"][0]["text"]["text"]
    assert len(header) <= blocks.HEADER_MAX


def test_sparkline_has_a_gap_for_a_round_without_data() -> None:
    assert blocks.sparkline([0.0, None, 1.0]) == "▁ █"
    assert blocks.sparkline([0.5, 0.5]) == "▅▅"
    assert blocks.sparkline([None]) == ""


def test_answers_of_fewer_people_than_the_minimum_are_never_shown() -> None:
    few = RoundFigures(
        round_id=3,
        starts_on=START,
        ends_on=None,
        groups=2,
        people=4,
        meeting=Rate(1, 2),
        checkin_response=Rate(2, 4),
        usefulness=2.5,  # two people: 2 and 3
        ratings=2,
        goals=GoalProgress(stuck=1, achieved=1),
        steps_kept=Rate(1, 2),
        retention=Rate(0, 0),
    )
    message = blocks.digest_message(_digest(current=few, previous=None, trend=(few,)))
    _check_limits(message)
    words = _words(message)
    assert "2.5" not in words
    assert "1 stuck" not in words
    assert "1 of 2" in words  # meeting: participation, not an answer
    assert (
        words.count(copy.FEWER_ANSWERS.format(min=5)) == 4
    )  # usefulness, goals, attainment, steps
    row = export.row_of("P", "pairs", few, 5)
    assert dict(zip(export.COLUMNS, row, strict=True))["usefulness_mean"] == ""
    assert dict(zip(export.COLUMNS, row, strict=True))["goal_stuck"] == ""
    assert dict(zip(export.COLUMNS, row, strict=True))["steps_kept"] == ""
    assert dict(zip(export.COLUMNS, row, strict=True))["groups_met"] == "1"
