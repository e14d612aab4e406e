"""Dates as people read them in every message: one format, whatever the server's locale."""

from __future__ import annotations

from datetime import date

from bot.slack.copy import enrolment as copy


def format_date(day: date) -> str:
    """The date as "Mon 30 Nov 2026"."""
    return copy.DATE_FORMAT.format(
        weekday=copy.WEEKDAY_NAMES[day.weekday()],
        day=day.day,
        month=copy.MONTH_NAMES[day.month - 1],
        year=day.year,
    )
