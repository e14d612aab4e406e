"""The readable outputs of a match: names in place of ids, one line per helper."""

from __future__ import annotations

from bot.matching import match
from bot.matching.criteria import Scorer
from bot.matching.model import MatchInput, Mode, Participant
from bot.matching.report import render_table, summary_lines, to_json

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
    summary = "\n".join(summary_lines(result, NAMES))
    table = render_table(result, NAMES)
    for text in (summary, table):
        assert "Ana and Ben both want to get better at giving feedback" in text
        assert "Cleo can help with giving feedback" in text
        assert "U3 can help" not in text
    (group,) = to_json(result)["groups"]
    assert "U3 can help with giving feedback" in group["explanation"]


def test_names_are_placed_literally_even_with_backslashes() -> None:
    names = {"U1": "C:\\Users\\ana", "U2": "\\1 \\g<0>", "U3": "Cleo"}
    result = match(MatchInput(participants=(ANA, BEN, CLEO)), Mode.PAIRS, 1)
    summary = "\n".join(summary_lines(result, names))
    assert "C:\\Users\\ana and \\1 \\g<0> both want to get better" in summary
