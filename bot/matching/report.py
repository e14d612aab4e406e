"""Show a `MatchResult` to a person: a plain-text table, stable JSON, or a few Slack lines.

All three are pure functions of the result (plus optional display names), so the same input
and seed print the same thing byte for byte; the seed is always part of the output so a run
can be replayed.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from bot.matching.model import Criterion, Group, LeftOut, LeftOutReason, MatchResult, Mode, Weights

_Label = Callable[[str], str]

# Bump when a key is renamed or removed (adding keys keeps the version).
JSON_VERSION = 1
# Scores are rounded in the output so it stays readable and identical across platforms.
JSON_DECIMALS = 4
SLACK_TOP_GROUPS = 3
SLACK_MAX_LISTED = 10


def placed(result: MatchResult) -> int:
    """Distinct people in a group.

    Not `MatchResult.placed`, which counts memberships: in mentorship a mentor with two
    mentees is in two groups but is one person placed.
    """
    return len({member for group in result.groups for member in group.members})


def eligible(result: MatchResult) -> int:
    """People this round could match: everyone placed plus everyone left out."""
    return placed(result) + len(result.left_out)


def mean_score(result: MatchResult) -> float | None:
    """Mean group score, or None when there are no groups."""
    if not result.groups:
        return None
    return result.total_score / len(result.groups)


def render_table(result: MatchResult, names: Mapping[str, str] | None = None) -> str:
    """A readable plain-text report: summary, one block per group, left out, unavailable."""
    label = _labeller(names)
    lines = [_summary(result)]
    for number, group in enumerate(result.groups, start=1):
        lines.append("")
        lines.extend(_group_block(number, group, label, names))
    lines.append("")
    lines.append(f"Left out ({len(result.left_out)})")
    lines.extend(_left_out_lines(result.left_out, label) or ["  nobody"])
    lines.append("")
    lines.append(f"Not matched this round ({len(result.unavailable)})")
    lines.extend(_left_out_lines(result.unavailable, label) or ["  nobody"])
    lines.extend(_reporting_lines(result))
    return "\n".join(lines) + "\n"


def _reporting_lines(result: MatchResult) -> list[str]:
    lines: list[str] = []
    if result.kept_apart:
        lines.append("")
        lines.append(f"Reporting lines kept {_pairs(result.kept_apart)} apart")
    for cycle in result.reporting_cycles:
        lines.append(f"Manager loop in the data (fix it): {' -> '.join((*cycle, cycle[0]))}")
    return lines


def _pairs(count: int) -> str:
    return "1 pair" if count == 1 else f"{count} pairs"


def to_json(result: MatchResult) -> dict[str, Any]:
    """The result as JSON-ready plain data; keys are documented in docs/match-dry-run.md."""
    mean = mean_score(result)
    return {
        "version": JSON_VERSION,
        "mode": result.mode.value,
        "seed": result.seed,
        "summary": {
            "eligible": eligible(result),
            "placed": placed(result),
            "groups": len(result.groups),
            "left_out": len(result.left_out),
            "unavailable": len(result.unavailable),
            "total_score": _round(result.total_score),
            "mean_score": None if mean is None else _round(mean),
            "kept_apart": result.kept_apart,
        },
        "reporting_cycles": [list(cycle) for cycle in result.reporting_cycles],
        "groups": [
            {
                "members": list(group.members),
                "mentor": group.mentor,
                "score": _round(group.score),
                "breakdown": {
                    criterion.value: _round(value) for criterion, value in _ordered_breakdown(group)
                },
                "explanation": group.explanation,
            }
            for group in result.groups
        ],
        "left_out": [_left_out_json(entry) for entry in result.left_out],
        "unavailable": [_left_out_json(entry) for entry in result.unavailable],
    }


def score_scale(mode: Mode, weights: Weights) -> float:
    """The highest score a group can reach in `mode`: every criterion it counts at full marks.

    Scores are weighted sums of criteria that each score 0..1, so the scale is the sum of the
    weights of the criteria the mode counts."""
    return sum(weights.of(criterion) for criterion in MODE_CRITERIA[mode])


def summary_lines(
    result: MatchResult, names: Mapping[str, str] | None = None, *, scale: float
) -> list[str]:
    """A handful of short lines for a Slack message: an admin's report on a round to come.

    Written about the people, in the third person, with each score on its scale (`scale`,
    from `score_scale`). The seed is left to the caller's replay line. `names` maps ids to
    what should be shown instead, e.g. display names.
    """
    label = _labeller(names, with_id=False)
    mean = mean_score(result)
    score = "no groups" if mean is None else f"mean score {_on_scale(mean, scale)}"
    lines = [
        f"*{_mode_title(result)}*: {placed(result)} of {_people(eligible(result))} would be "
        f"placed in {_groups(len(result.groups))}, {score}."
    ]
    best = sorted(result.groups, key=lambda g: (-g.score, g.members))[:SLACK_TOP_GROUPS]
    if best:
        lines.append("Best matches:")
        lines.extend(
            f"• {_members_text(group, label)}: {_explanation(group, names)} "
            f"(score {_on_scale(group.score, scale)})"
            for group in best
        )
    if result.left_out:
        lines.append(f"Left out ({len(result.left_out)}):")
        shown = result.left_out[:SLACK_MAX_LISTED]
        lines.extend(f"• {label(entry.id)}: {_reason_for_admin(entry)}" for entry in shown)
        if len(result.left_out) > len(shown):
            lines.append(f"• and {len(result.left_out) - len(shown)} more")
    else:
        lines.append("Nobody is left out.")
    if result.unavailable:
        counts = Counter(_reason_name(entry) for entry in result.unavailable)
        parts = ", ".join(f"{reason} {count}" for reason, count in sorted(counts.items()))
        lines.append(f"Not matched this round: {len(result.unavailable)} ({parts}).")
    if result.kept_apart:
        # A count only: naming the pairs would tell who reports to whom.
        lines.append(f"Reporting lines kept {_pairs(result.kept_apart)} apart.")
    if result.reporting_cycles:
        lines.append(
            f"The HR data has {len(result.reporting_cycles)} loop(s) in its manager links; "
            "`peercoach people import --dry-run` shows where."
        )
    return lines


# The criteria each mode scores (mentorship scores a pair on what the mentor can offer, when
# they can meet and a different function; see bot.matching.mentorship).
MODE_CRITERIA: dict[Mode, tuple[Criterion, ...]] = {
    Mode.PAIRS: tuple(Criterion),
    Mode.CIRCLES: tuple(Criterion),
    Mode.MENTORSHIP: (Criterion.FUNCTION, Criterion.HOURS, Criterion.COMPLEMENT),
    Mode.REVERSE: (Criterion.FUNCTION, Criterion.HOURS, Criterion.COMPLEMENT),
}

# Why someone is left out, said about them to an admin. The engine's `detail` speaks to the
# person ("you"); the full detail is in `peercoach match --dry-run`, which the preview names.
ADMIN_REASONS: dict[LeftOutReason, str] = {
    LeftOutReason.NO_ALLOWED_PARTNER: (
        "no allowed partner: every possible partner is ruled out by a hard rule (a past "
        "partner, a do-not-pair list, a reporting line or the time-zone limit)"
    ),
    LeftOutReason.NO_MENTOR: (
        "no mentor: nobody senior enough, with room left and allowed to meet them, is available"
    ),
    LeftOutReason.NO_SKILL_MATCH: (
        "no skill match: nobody offers a skill they want to grow, or wants one they offer"
    ),
    LeftOutReason.TOO_FEW_PEOPLE: "too few people who can meet each other to form a group",
    LeftOutReason.PARTNERS_TAKEN: (
        "partners taken: everyone they may meet is needed in another group, and no group of "
        "three within the rules has room for them"
    ),
}


def _reason_for_admin(entry: LeftOut) -> str:
    if isinstance(entry.reason, LeftOutReason):
        return ADMIN_REASONS[entry.reason]
    return _reason_name(entry)


def _on_scale(score: float, scale: float) -> str:
    return f"{score:.1f} out of {scale:g}"


def _people(count: int) -> str:
    return "1 person" if count == 1 else f"{count} people"


def _summary(result: MatchResult) -> str:
    mean = mean_score(result)
    score = "-" if mean is None else f"{mean:.2f}"
    return (
        f"Mode {result.mode.value}, seed {result.seed}: {placed(result)} of {eligible(result)} "
        f"eligible people placed in {_groups(len(result.groups))}, mean score {score}"
    )


def _groups(count: int) -> str:
    return "1 group" if count == 1 else f"{count} groups"


def _group_block(
    number: int, group: Group, label: _Label, names: Mapping[str, str] | None
) -> list[str]:
    title = f"Group {number} ({len(group.members)} people), score {group.score:.2f}"
    lines = [title, f"  members: {_members_text(group, label)}"]
    breakdown = ", ".join(
        f"{criterion.value} {value:.2f}" for criterion, value in _ordered_breakdown(group)
    )
    if breakdown:
        lines.append(f"  breakdown: {breakdown}")
    lines.append(f"  why: {_explanation(group, names)}")
    return lines


def _explanation(group: Group, names: Mapping[str, str] | None) -> str:
    """The engine names people by id; a reader wants their names."""
    text = group.explanation
    for member in group.members:
        name = (names or {}).get(member)
        if name:
            # A function, not the name itself: re.sub reads "\U" in "C:\Users" as an escape.
            text = re.sub(rf"\b{re.escape(member)}\b", _literal(name), text)
    return text


def _literal(value: str) -> Callable[[re.Match[str]], str]:
    return lambda _match: value


def _members_text(group: Group, label: _Label) -> str:
    parts = []
    for member in group.members:
        text = label(member)
        parts.append(f"{text} (mentor)" if member == group.mentor else text)
    return ", ".join(parts)


def _ordered_breakdown(group: Group) -> Iterable[tuple[Criterion, float]]:
    # Criterion order, not dict order, so the output does not depend on how it was built.
    return ((c, float(group.breakdown[c])) for c in Criterion if c in group.breakdown)


def _left_out_lines(entries: Iterable[LeftOut], label: _Label) -> list[str]:
    return [f"  {label(entry.id)}: {_reason_text(entry)}" for entry in entries]


def _reason_name(entry: LeftOut) -> str:
    return entry.reason.value.replace("_", " ")


def _reason_text(entry: LeftOut) -> str:
    name = _reason_name(entry)
    return f"{name} ({entry.detail})" if entry.detail else name


def _left_out_json(entry: LeftOut) -> dict[str, str]:
    return {"id": entry.id, "reason": entry.reason.value, "detail": entry.detail}


_MODE_TITLES: dict[Mode, str] = {
    Mode.PAIRS: "Pairs",
    Mode.CIRCLES: "Circles",
    Mode.MENTORSHIP: "Mentorship",
    Mode.REVERSE: "Reverse mentoring",
}


def _mode_title(result: MatchResult) -> str:
    return _MODE_TITLES.get(result.mode, result.mode.value)


def _labeller(names: Mapping[str, str] | None, *, with_id: bool = True) -> _Label:
    def label(person_id: str) -> str:
        name = (names or {}).get(person_id)
        if not name or name == person_id:
            return person_id
        return f"{name} ({person_id})" if with_id else name

    return label


def _round(value: float) -> float:
    # `+ 0.0` turns -0.0 into 0.0 so JSON never shows a negative zero.
    return round(float(value), JSON_DECIMALS) + 0.0
