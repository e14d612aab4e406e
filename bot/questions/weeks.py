"""When a group's weekly questions fall due: a week after its intro, then every week, at the
intro's hour on the intro's weekday, while the round runs. Pure functions of stored times."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Final

WEEK: Final = timedelta(days=7)


def week_due(intro_at: datetime, ends_at: datetime, now: datetime) -> datetime | None:
    """When this week's question fell due, or None in the intro's week or past the round's end."""
    weeks = (now - intro_at) // WEEK
    if weeks < 1:
        return None
    due = intro_at + weeks * WEEK
    return due if due < ends_at else None


def next_due(intro_at: datetime, ends_at: datetime | None, after: datetime) -> datetime | None:
    """The first week's question due strictly after `after`; None when the round ends first
    (a weekly round: the intro's question is the week's)."""
    if ends_at is None:
        return None
    weeks = max(1, (after - intro_at) // WEEK + 1)
    due = intro_at + weeks * WEEK
    return due if due < ends_at else None
