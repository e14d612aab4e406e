"""Reporting lines as a hard rule, on random org charts, in every mode.

The forbidden pairs are recomputed here from the manager links alone (a plain walk up the
chain), not through `bot.matching.reporting`, so a bug in the rule's own code still shows.
"""

from __future__ import annotations

from datetime import date
from itertools import combinations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.matching import match
from bot.matching.model import LeftOutReason, MatchInput, MatchSettings, Mode, Participant
from bot.matching.report import render_table, summary_lines, to_json
from bot.matching.reporting import ReportingRule, chain, find_cycles
from bot.matching.roster import RosterError, load_roster

FAST = settings(max_examples=40, deadline=None, database=None)
FUNCTIONS = ("engineering", "design", "sales")


def ancestors(managers: dict[str, str], pid: str) -> list[str]:
    """Every manager above pid, nearest first, stopping at a loop."""
    out: list[str] = []
    current = managers.get(pid)
    while current is not None and current != pid and current not in out:
        out.append(current)
        current = managers.get(current)
    return out


def forbidden(managers: dict[str, str], a: str, b: str, *, depth: int | None, same: bool) -> bool:
    up_a = ancestors(managers, a)[:depth] if depth is not None else ancestors(managers, a)
    up_b = ancestors(managers, b)[:depth] if depth is not None else ancestors(managers, b)
    if b in up_a or a in up_b:
        return True
    return same and a in managers and managers.get(a) == managers.get(b)


@st.composite
def org_charts(draw: st.DrawFn) -> tuple[MatchInput, dict[str, str]]:
    """A random tree several levels deep (each person's manager comes earlier), some people
    outside the roster (managers who take no part), and sometimes a loop of bad data."""
    n = draw(st.integers(2, 28))
    ids = [f"p{i:02d}" for i in range(n)]
    managers: dict[str, str] = {}
    for i in range(1, n):
        if draw(st.integers(0, 5)) > 0:
            managers[ids[i]] = ids[draw(st.integers(max(0, i - 4), i - 1))]
    if draw(st.booleans()) and n >= 3:
        # Bad data: the top person reports to someone below them.
        managers[ids[0]] = ids[draw(st.integers(1, n - 1))]
    absent = set(draw(st.lists(st.sampled_from(ids), max_size=n // 3)))
    same = draw(st.booleans())
    people = tuple(
        Participant(
            id=pid,
            function=FUNCTIONS[i % len(FUNCTIONS)],
            level=1 + (i * 7 + draw(st.integers(0, 5))) % 6,
            mentor_capacity=2 if i % 3 == 0 else 0,
            wants_mentor=i % 3 != 0,
            goals=frozenset({"delegation"}) if i % 2 else frozenset({"hiring"}),
            skills=frozenset({"hiring"}) if i % 2 else frozenset({"delegation"}),
        )
        for i, pid in enumerate(ids)
        if pid not in absent
    )
    inp = MatchInput(
        participants=people,
        managers=managers,
        settings=MatchSettings(max_tz_gap_hours=27.0, same_manager_apart=same),
    )
    return inp, managers


@FAST
@given(org_charts(), st.sampled_from(list(Mode)), st.integers(0, 3))
def test_no_group_breaks_a_reporting_line(
    chart: tuple[MatchInput, dict[str, str]], mode: Mode, seed: int
) -> None:
    inp, managers = chart
    result = match(inp, mode, seed)
    depth = None if mode in (Mode.MENTORSHIP, Mode.REVERSE) else 2
    same = inp.settings.same_manager_apart
    for group in result.groups:
        for a, b in combinations(group.members, 2):
            assert not forbidden(managers, a, b, depth=depth, same=same), (mode, a, b)
    ids = [p.id for p in inp.participants]
    expected = sum(
        forbidden(managers, a, b, depth=depth, same=same) for a, b in combinations(ids, 2)
    )
    assert result.kept_apart == expected
    # A loop is reported, in every output, and nothing crashed on it.
    assert set(result.reporting_cycles) == set(find_cycles(managers))
    assert to_json(result)["summary"]["kept_apart"] == expected
    render_table(result)
    summary_lines(result, scale=5.0)


def test_a_person_is_never_paired_with_their_manager_or_their_managers_manager() -> None:
    people = tuple(
        Participant(id=pid, function=f, level=3) for pid, f in (("a", "x"), ("b", "y"), ("c", "z"))
    )
    # a reports to m (not taking part), m reports to c: a and c are two levels apart.
    inp = MatchInput(participants=people, managers={"a": "m", "m": "c", "b": "c"})
    result = match(inp, Mode.PAIRS, 0)
    grouped = [set(g.members) for g in result.groups]
    assert {"a", "c"} not in grouped
    assert {"b", "c"} not in grouped
    # Three people, only a and b may meet: they form the one pair, c is left out kindly.
    assert grouped == [{"a", "b"}]
    assert [lo.id for lo in result.left_out] == ["c"]
    assert result.left_out[0].reason is LeftOutReason.NO_ALLOWED_PARTNER
    assert "reporting line" in result.left_out[0].detail
    assert result.kept_apart == 2


def test_same_manager_rule_follows_the_setting() -> None:
    people = tuple(Participant(id=pid, function=pid, level=3) for pid in ("a", "b"))
    managers = {"a": "m", "b": "m"}
    on = match(MatchInput(participants=people, managers=managers), Mode.PAIRS, 0)
    off = match(
        MatchInput(
            participants=people,
            managers=managers,
            settings=MatchSettings(same_manager_apart=False),
        ),
        Mode.PAIRS,
        0,
    )
    assert on.groups == ()
    assert on.kept_apart == 1
    assert [g.members for g in off.groups] == [("a", "b")]
    assert off.kept_apart == 0


def test_a_mentor_is_never_anywhere_above_the_mentee() -> None:
    mentee = Participant(id="junior", function="eng", level=1, wants_mentor=True)
    boss3 = Participant(id="vp", function="sales", level=6, mentor_capacity=2)
    other = Participant(id="outsider", function="design", level=5, mentor_capacity=1)
    managers = {"junior": "lead", "lead": "head", "head": "vp"}
    inp = MatchInput(
        participants=(mentee, boss3, other),
        managers=managers,
        settings=MatchSettings(max_tz_gap_hours=27.0),
    )
    result = match(inp, Mode.MENTORSHIP, 0)
    assert [(g.mentor, g.members) for g in result.groups] == [("outsider", ("junior", "outsider"))]
    # Three levels up is allowed among peers, never in mentoring.
    assert match(inp, Mode.PAIRS, 0).kept_apart == 0


def test_chain_and_cycles_on_bad_data() -> None:
    managers = {"a": "b", "b": "c", "c": "a", "d": "a", "e": "e"}
    assert chain(managers, "d") == ("a", "b", "c")
    assert chain(managers, "a", 1) == ("b",)
    assert chain(managers, "e") == ()
    assert find_cycles(managers) == (("a", "b", "c"), ("e",))
    rule = ReportingRule(depth=2, same_manager=False)
    assert rule.breaks(managers, "d", "b")
    assert not rule.breaks(managers, "d", "c")


def test_the_roster_manager_column_feeds_the_rule_and_loops_are_reported() -> None:
    roster = (
        "id,function,level,manager\n"
        "ana,engineering,3,cy\n"
        "ben,design,3,ana\n"
        "cy,sales,3,ben\n"
        "dee,people,3,\n"
    )
    inp = load_roster(roster, on=date(2026, 12, 7))
    assert dict(inp.managers) == {"ana": "cy", "ben": "ana", "cy": "ben"}
    result = match(inp, Mode.PAIRS, 0)
    # In a loop of three, everyone is within two levels of everyone: only dee is free.
    assert result.kept_apart == 3
    assert result.reporting_cycles == (("ana", "cy", "ben"),)
    table = render_table(result)
    assert "Reporting lines kept 3 pairs apart" in table
    assert "Manager loop in the data (fix it): ana -> cy -> ben -> ana" in table


def test_a_roster_row_cannot_manage_itself() -> None:
    with pytest.raises(RosterError) as caught:
        load_roster("id,function,level,manager\nana,engineering,3,ana\n", on=date(2026, 12, 7))
    assert caught.value.problems == (
        "row 2: manager is the person's own id 'ana'; leave it empty at the top",
    )
