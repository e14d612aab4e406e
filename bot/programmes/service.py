"""A workspace's programme settings, stored or default, and the calendar they imply."""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import Cadence, ProgrammeKind, ProgrammeMode
from bot.matching.model import Weights
from bot.programmes.settings_form import DEFAULTS, ProgrammeSettings
from storage.models import ProgrammeRow, WorkspaceSettings
from storage.repositories import ProgrammeDefaults, ProgrammeRepository, SettingsRepository


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
    return calendar_next_round(settings.cadence, settings.round_weekday, today, last_round)


def calendar_next_round(
    cadence: Cadence, weekday: int, today: date, last_round: date | None
) -> date:
    earliest = today + timedelta(days=1)
    if last_round is not None:
        if cadence is Cadence.WEEKLY:
            due = last_round + timedelta(weeks=1)
        elif cadence is Cadence.FORTNIGHTLY:
            due = last_round + timedelta(weeks=2)
        else:
            due = _add_months(last_round, 1)
        earliest = max(earliest, due)
    return _on_or_after(earliest, weekday)


def programme_next_round(
    programme: ProgrammeRow, today: date, last_round: date | None
) -> date | None:
    """When `programme` next matches: the scheduler's `next_round_at` once it has set one,
    else its calendar. A cohort starts no earlier than its start date and has no round after
    its end date; a closed programme has none."""
    if programme.closed_at is not None:
        return None
    if programme.next_round_at is not None:
        return programme.next_round_at.astimezone(UTC).date()
    start = today
    if programme.kind is ProgrammeKind.COHORT and programme.starts_on is not None:
        start = max(today, programme.starts_on - timedelta(days=1))
    due = calendar_next_round(Cadence(programme.cadence), programme.weekday, start, last_round)
    ends = programme.ends_on
    if programme.kind is ProgrammeKind.COHORT and ends is not None and due > ends:
        return None
    return due


async def programme_defaults(session: AsyncSession, team_id: str) -> ProgrammeDefaults:
    """What a programme created on demand starts with: the workspace's saved settings."""
    settings = await load_programme_settings(session, team_id)
    return ProgrammeDefaults(
        cadence=settings.cadence,
        weekday=settings.round_weekday,
        intro_hour=settings.intro_hour,
        circle_size=settings.circle_size,
        digest_channel_id=settings.digest_channel_id,
    )


async def get_or_create_programme(
    session: AsyncSession, team_id: str, mode: ProgrammeMode, *, now: datetime
) -> ProgrammeRow:
    """The workspace's open programme of `mode` (pairs, circles, mentorship) that the joining
    commands use, created with the workspace's defaults when there is none. The workspace
    row must exist; flushes, never commits."""
    defaults = await programme_defaults(session, team_id)
    programme, _ = await ProgrammeRepository(session).get_or_create(
        team_id, mode, now=now, defaults=defaults
    )
    return programme
