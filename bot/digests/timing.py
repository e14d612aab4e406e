"""When a round's digests fall due: a week after the round starts and every week after while
the round lasts, then once at its end. A weekly round therefore has one digest, at its end."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Final

WEEK: Final = timedelta(days=7)
# A weekly digest this close to the round's end is left out: the end's digest follows anyway.
MIN_GAP_BEFORE_END: Final = timedelta(days=2)


def next_digest_due(start: datetime, ends_at: datetime, after: datetime) -> datetime | None:
    """The first digest moment strictly after `after` for a round running `start`..`ends_at`;
    None once the end's digest is past."""
    if after >= ends_at:
        return None
    weeks = max(1, (after - start) // WEEK + 1)
    weekly = start + weeks * WEEK
    if weekly <= after:
        weekly += WEEK
    if weekly < ends_at - MIN_GAP_BEFORE_END:
        return weekly
    return ends_at


def first_digest_due(start: datetime, ends_at: datetime) -> datetime:
    due = next_digest_due(start, ends_at, start)
    assert due is not None  # start is before the end
    return due
