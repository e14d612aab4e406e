"""A workspace's programme settings, stored or default, and the calendar they imply."""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import Cadence
from bot.matching.model import Weights
from bot.programmes.settings_form import DEFAULTS, ProgrammeSettings
from storage.models import WorkspaceSettings
from storage.repositories import SettingsRepository


def _from_row(row: WorkspaceSettings) -> ProgrammeSettings:
    return ProgrammeSettings(
        cadence=row.cadence,
        round_weekday=row.round_weekday,
        intro_hour=row.intro_hour,
        circle_size=row.circle_size,
        digest_channel_id=row.digest_channel_id,
        min_aggregate_size=row.min_aggregate_size,
        max_tz_gap_hours=row.max_tz_gap_hours,
        mentor_min_level_gap=row.mentor_min_level_gap,
        weights=Weights(
            function=row.weight_function,
            level=row.weight_level,
            hours=row.weight_hours,
            goals=row.weight_goals,
            complement=row.weight_complement,
        ),
    )


async def load_programme_settings(session: AsyncSession, team_id: str) -> ProgrammeSettings:
    row = await SettingsRepository(session).get(team_id)
    return DEFAULTS if row is None else _from_row(row)


async def save_programme_settings(
    session: AsyncSession, team_id: str, settings: ProgrammeSettings, *, now: datetime
) -> ProgrammeSettings:
    row = await SettingsRepository(session).save(
        team_id,
        {
            "cadence": settings.cadence,
            "round_weekday": settings.round_weekday,
            "intro_hour": settings.intro_hour,
            "circle_size": settings.circle_size,
            "digest_channel_id": settings.digest_channel_id,
            "min_aggregate_size": settings.min_aggregate_size,
            "max_tz_gap_hours": settings.max_tz_gap_hours,
            "mentor_min_level_gap": settings.mentor_min_level_gap,
            "weight_function": settings.weights.function,
            "weight_level": settings.weights.level,
            "weight_hours": settings.weights.hours,
            "weight_goals": settings.weights.goals,
            "weight_complement": settings.weights.complement,
            "updated_at": now,
        },
    )
    return _from_row(row)


def _add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _on_or_after(day: date, weekday: int) -> date:
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def next_round_date(settings: ProgrammeSettings, today: date, last_round: date | None) -> date:
    """The day the next round's intros go out: the programme's weekday, after today, and one
    cadence period after the last round when there was one."""
    earliest = today + timedelta(days=1)
    if last_round is not None:
        if settings.cadence is Cadence.WEEKLY:
            due = last_round + timedelta(weeks=1)
        elif settings.cadence is Cadence.FORTNIGHTLY:
            due = last_round + timedelta(weeks=2)
        else:
            due = _add_months(last_round, 1)
        earliest = max(earliest, due)
    return _on_or_after(earliest, settings.round_weekday)
