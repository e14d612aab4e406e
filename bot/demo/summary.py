"""The demo's closing figures, from the digest service over every round that ran: the same
definitions the admins' digest uses (docs/digests.md)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.digests.figures import GoalProgress, Rate
from bot.digests.service import programme_digests, round_history

# More rounds than any demo runs.
HISTORY_LIMIT = 100


@dataclass(frozen=True, slots=True)
class ProgrammeSummary:
    name: str
    rounds: int
    groups: int
    meeting: Rate
    checkin_response: Rate
    goals: GoalProgress


@dataclass(frozen=True, slots=True)
class Summary:
    programmes: tuple[ProgrammeSummary, ...] = field(default=())

    @property
    def meeting(self) -> Rate:
        return _sum(p.meeting for p in self.programmes)

    @property
    def checkin_response(self) -> Rate:
        return _sum(p.checkin_response for p in self.programmes)

    @property
    def goals(self) -> GoalProgress:
        return _add_goals(p.goals for p in self.programmes)

    @property
    def groups(self) -> int:
        return sum(p.groups for p in self.programmes)


def _sum(rates: Iterable[Rate]) -> Rate:
    part = whole = 0
    for rate in rates:
        part += rate.part
        whole += rate.whole
    return Rate(part, whole)


def _add_goals(goals: Iterable[GoalProgress]) -> GoalProgress:
    total = GoalProgress()
    for g in goals:
        total = GoalProgress(
            on_track=total.on_track + g.on_track,
            some_progress=total.some_progress + g.some_progress,
            stuck=total.stuck + g.stuck,
            achieved=total.achieved + g.achieved,
        )
    return total


async def summarise(
    session: AsyncSession, team_id: str, *, now: datetime, rounds_before: date
) -> Summary:
    """Every open programme's rounds that started before `rounds_before`, added up."""
    programmes: list[ProgrammeSummary] = []
    for digest in await programme_digests(session, team_id, now=now):
        history = [
            r
            for r in await round_history(
                session, team_id, digest.programme_id, now=now, limit=HISTORY_LIMIT
            )
            if r.starts_on < rounds_before
        ]
        programmes.append(
            ProgrammeSummary(
                name=digest.programme_name,
                rounds=len(history),
                groups=sum(r.groups for r in history),
                meeting=_sum(r.meeting for r in history),
                checkin_response=_sum(r.checkin_response for r in history),
                goals=_add_goals(r.goals for r in history),
            )
        )
    return Summary(tuple(programmes))


def percent(rate: Rate) -> str:
    value = rate.value
    return "–" if value is None else f"{value:.0%} ({rate.part} of {rate.whole})"
