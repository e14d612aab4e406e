"""`/peercoach admin export`: every programme's figures, round by round, as CSV.

Counts and rates only: the one text column is the programme's name, which admins chose. A
name that a spreadsheet would read as a formula is written as text."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Final

from sqlalchemy.ext.asyncio import AsyncSession

from bot.digests.figures import Rate, RoundFigures, answers_shown
from bot.digests.service import round_history, workspace_min_group
from bot.programmes import admin

# Rounds per programme in the file: two years of weekly rounds.
EXPORT_ROUNDS: Final = 104
# What a spreadsheet takes for the start of a formula.
_FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r")

COLUMNS: Final = (
    "programme",
    "mode",
    "round_start",
    "round_end",
    "groups",
    "people",
    "groups_met",
    "meeting_rate",
    "checkins_sent",
    "checkins_answered",
    "checkin_response_rate",
    "usefulness_mean",
    "ratings",
    "goal_on_track",
    "goal_some_progress",
    "goal_stuck",
    "goal_achieved",
    "goal_attainment_rate",
    "steps_asked",
    "steps_kept",
    "steps_kept_rate",
    "retention_base",
    "retention_kept",
    "retention_rate",
)


def _rate(rate: Rate) -> str:
    value = rate.value
    return "" if value is None else f"{value:.3f}"


def _cell(words: str) -> str:
    return "'" + words if words.startswith(_FORMULA_START) else words


def row_of(programme: str, mode: str, r: RoundFigures, min_group: int) -> list[str]:
    """One round's line. Figures made of the answers of fewer than `min_group` people are
    left blank, as in the digest, so no one's answer can be read off."""
    goals = r.goals
    rated = answers_shown(r.ratings, min_group)
    goal_cells = (
        [
            str(goals.on_track),
            str(goals.some_progress),
            str(goals.stuck),
            str(goals.achieved),
            _rate(goals.attainment),
        ]
        if answers_shown(goals.total, min_group)
        else [""] * 5
    )
    step_cells = (
        [str(r.steps_kept.whole), str(r.steps_kept.part), _rate(r.steps_kept)]
        if answers_shown(r.steps_kept.whole, min_group)
        else [""] * 3
    )
    return [
        _cell(programme),
        mode,
        r.starts_on.isoformat(),
        r.ends_on.isoformat() if r.ends_on else "",
        str(r.groups),
        str(r.people),
        str(r.meeting.part),
        _rate(r.meeting),
        str(r.checkin_response.whole),
        str(r.checkin_response.part),
        _rate(r.checkin_response),
        "" if r.usefulness is None or not rated else f"{r.usefulness:.2f}",
        str(r.ratings) if rated else "",
        *goal_cells,
        *step_cells,
        str(r.retention.whole),
        str(r.retention.part),
        _rate(r.retention),
    ]


@dataclass(frozen=True, slots=True)
class FiguresTable:
    rows: Sequence[list[str]] = field(default_factory=list)

    def csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerows(self.rows)
        return out.getvalue()


async def figures_table(session: AsyncSession, team_id: str, *, now: datetime) -> FiguresTable:
    rows: list[list[str]] = []
    min_group = await workspace_min_group(session, team_id)
    for programme in await admin.open_programmes(session, team_id):
        history = await round_history(session, team_id, programme.id, now=now, limit=EXPORT_ROUNDS)
        rows += [row_of(programme.name, programme.mode.value, r, min_group) for r in history]
    return FiguresTable(rows)
