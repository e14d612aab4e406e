"""The readable outputs of a match: names in place of ids, one line per helper."""

from __future__ import annotations

import re

import pytest

from bot.matching import match
from bot.matching.criteria import Scorer
from bot.matching.model import (
    LeftOutReason,
    MatchInput,
    MatchSettings,
    Mode,
    Participant,
    Weights,
)
from bot.matching.report import (
    ADMIN_REASONS,
    MODE_CRITERIA,
    render_table,
    score_scale,
    summary_lines,
    to_json,
)

ANA = Participant(id="U1", function="eng", level=3, goals=frozenset({"giving-feedback"}))
BEN = Participant(id="U2", function="design", level=3, goals=frozenset({"giving-feedback"}))
CLEO = Participant(id="U3", function="sales", level=4, skills=frozenset({"giving-feedback"}))
NAMES = {"U1": "Ana", "U2": "Ben", "U3": "Cleo"}


def test_a_helper_of_several_members_is_named_once() -> None:
    line = Scorer(MatchInput(participants=(ANA, BEN, CLEO))).explain([ANA, BEN, CLEO])
    assert line.count("U3") == 1
    assert "U3 can help with giving feedback" in line


def test_reports_name_people_and_json_keeps_ids() -> None:
    result = match(MatchInput(participants=(ANA, BEN, CLEO)), Mode.PAIRS, 1)
    summary = "\n".join(summary_lines(result, NAMES, scale=5))
    table = render_table(result, NAMES)
    for text in (summary, table):
        assert "Ana and Ben both want to get better at giving feedback" in text
        assert "Cleo can help with giving feedback" in text
        assert "U3 can help" not in text
    (group,) = to_json(result)["groups"]
    assert "U3 can help with giving feedback" in group["explanation"]


@pytest.mark.parametrize("mode", list(Mode))
def test_every_group_score_is_within_its_scale(mode: Mode) -> None:
    weights = Weights(function=2, level=0.5, hours=1, goals=3, complement=1.5)
    people = (
        Participant(
            id="U1",
            function="eng",
            level=5,
            skills=frozenset({"giving-feedback"}),
            goals=frozenset({"delegation"}),
            mentor_capacity=2,
        ),
        Participant(
            id="U2",
            function="design",
            level=3,
            goals=frozenset({"giving-feedback"}),
            skills=frozenset({"delegation"}),
            wants_mentor=True,
        ),
        Participant(
            id="U3",
            function="sales",
            level=3,
            goals=frozenset({"giving-feedback"}),
            skills=frozenset({"delegation"}),
            wants_mentor=True,
        ),
    )
    inp = MatchInput(participants=people, settings=MatchSettings(weights=weights))
    result = match(inp, mode, 3)
    scale = score_scale(mode, weights)
    assert result.groups, "each mode places someone from this roster"
    for group in result.groups:
        assert set(group.breakdown) <= set(MODE_CRITERIA[mode])
        assert 0 <= group.score <= scale + 1e-9


def test_the_scale_is_the_sum_of_the_weights_a_mode_counts() -> None:
    weights = Weights(function=2, level=0.5, hours=1, goals=3, complement=1.5)
    assert score_scale(Mode.PAIRS, weights) == 8
    assert score_scale(Mode.CIRCLES, weights) == 8
    assert score_scale(Mode.MENTORSHIP, weights) == 4.5


def test_the_slack_summary_reports_in_the_third_person_with_scores_on_their_scale() -> None:
    ida = Participant(id="U9", function="eng", level=3, utc_offset_minutes=600)
    result = match(MatchInput(participants=(ANA, BEN, CLEO, ida)), Mode.PAIRS, 1234567)
    lines = summary_lines(result, {**NAMES, "U9": "Ida"}, scale=5)
    summary = "\n".join(lines)
    assert re.search(r"\bscore \d+\.\d out of 5\b", summary)
    assert re.search(r"mean score \d+\.\d out of 5\.$", lines[0])
    assert "1234567" not in summary
    assert "seed" not in summary
    assert not re.search(r"\b(you|your)\b", summary, re.IGNORECASE)
    assert "• Ida: no allowed partner: every possible partner is ruled out" in summary


def test_every_left_out_reason_has_a_sentence_for_admins() -> None:
    assert set(ADMIN_REASONS) == set(LeftOutReason)


def test_names_are_placed_literally_even_with_backslashes() -> None:
    names = {"U1": "C:\\Users\\ana", "U2": "\\1 \\g<0>", "U3": "Cleo"}
    result = match(MatchInput(participants=(ANA, BEN, CLEO)), Mode.PAIRS, 1)
    summary = "\n".join(summary_lines(result, names, scale=5))
    assert "C:\\Users\\ana and \\1 \\g<0> both want to get better" in summary
