"""The matching entry point: one pure function from a roster, a mode and a seed to groups."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from typing import cast

from bot.matching.criteria import Scorer
from bot.matching.model import (
    Group,
    LeftOut,
    MatchInput,
    MatchResult,
    MatchSettings,
    Mode,
    Participant,
    Unavailable,
)
from bot.matching.reporting import find_cycles

ModeFn = Callable[
    [Sequence[Participant], Scorer, MatchSettings, int], tuple[list[Group], list[LeftOut]]
]

UNAVAILABLE_DETAIL: dict[Unavailable, str] = {
    Unavailable.PAUSED: "has paused matching for now",
    Unavailable.LEFT: "has left the programme",
    Unavailable.OUT_OF_OFFICE: "is out of office this round",
}


# Each mode lives in its own module, imported on use so that only the one asked for loads.
_MODES: dict[Mode, tuple[str, str]] = {
    Mode.PAIRS: ("bot.matching.pairs", "match_pairs"),
    Mode.CIRCLES: ("bot.matching.circles", "match_circles"),
    Mode.MENTORSHIP: ("bot.matching.mentorship", "match_mentorship"),
    Mode.REVERSE: ("bot.matching.mentorship", "match_reverse"),
}


def mode_function(mode: Mode) -> ModeFn:
    """The function that forms groups for `mode`."""
    module_name, name = _MODES[Mode(mode)]
    return cast(ModeFn, getattr(importlib.import_module(module_name), name))


def match(inp: MatchInput, mode: Mode = Mode.PAIRS, seed: int = 0) -> MatchResult:
    """Groups for one round. The same input, mode and seed always give the same result.

    Unavailable people (paused, left, out of office) are set aside before matching and
    reported in `MatchResult.unavailable`; every available person ends up in exactly one
    group or in `MatchResult.left_out` with a reason.
    """
    scorer = Scorer(inp, Mode(mode))
    unavailable = tuple(
        LeftOut(p.id, p.unavailable, UNAVAILABLE_DETAIL[p.unavailable])
        for p in sorted(inp.participants, key=lambda p: p.id)
        if p.unavailable is not None
    )
    people = [p for p in inp.participants if p.unavailable is None]
    groups, left_out = mode_function(Mode(mode))(people, scorer, inp.settings, seed)
    return MatchResult(
        mode=Mode(mode),
        seed=seed,
        groups=tuple(sorted(groups, key=lambda g: g.members)),
        left_out=tuple(sorted(left_out, key=lambda lo: lo.id)),
        unavailable=unavailable,
        kept_apart=scorer.kept_apart(p.id for p in people),
        reporting_cycles=find_cycles(inp.managers),
    )
