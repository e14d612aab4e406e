"""When a reminder may go out: inside everyone's working day, never at night.

Pure functions over aware datetimes and IANA zone names, so every rule is table-tested and
daylight-saving changes are zoneinfo's business, not ours.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, time, timedelta
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DAY_START: Final = time(9)
DAY_END: Final = time(18)
FALLBACK_HOUR: Final = time(10)
# How far ahead a moment that suits everyone is looked for before falling back.
SEARCH_WINDOW: Final = timedelta(days=2)


def zone(name: str | None) -> ZoneInfo:
    """The person's zone; UTC when they have none or it is not a zone we know."""
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return ZoneInfo("UTC")


def in_working_hours(moment: datetime, tz: ZoneInfo) -> bool:
    """Monday to Friday, 09:00 up to (not including) 18:00, local to `tz`."""
    local = moment.astimezone(tz)
    return local.weekday() < 5 and DAY_START <= local.time() < DAY_END


def _local_starts(tz: ZoneInfo, start: datetime, end: datetime) -> Iterable[datetime]:
    """Every local 09:00 in `tz` between `start` and `end`, as UTC."""
    day = start.astimezone(tz).date() - timedelta(days=1)
    last = end.astimezone(tz).date()
    while day <= last:
        opening = datetime.combine(day, DAY_START, tzinfo=tz).astimezone(UTC)
        if start <= opening <= end:
            yield opening
        day += timedelta(days=1)


def westernmost(zones: Sequence[ZoneInfo], at: datetime) -> ZoneInfo:
    """The zone whose clock is furthest behind at `at` (the last to start its day)."""
    return min(zones, key=lambda tz: at.astimezone(tz).utcoffset() or timedelta(0))


def _next_weekday_at(tz: ZoneInfo, after: datetime, hour: time) -> datetime:
    day = after.astimezone(tz).date()
    while True:
        candidate = datetime.combine(day, hour, tzinfo=tz).astimezone(UTC)
        if candidate >= after and candidate.astimezone(tz).weekday() < 5:
            return candidate
        day += timedelta(days=1)


def reminder_due(earliest: datetime, zone_names: Sequence[str | None]) -> datetime:
    """The first moment at or after `earliest` that is inside working hours for everyone.

    Looked for within two days; when the group's days do not overlap that soon, 10:00 on the
    next weekday in the westernmost member's zone, so nobody is woken by it who starts late."""
    if earliest.tzinfo is None:
        raise ValueError("an aware datetime is needed")
    earliest = earliest.astimezone(UTC)
    zones = [zone(name) for name in zone_names] or [ZoneInfo("UTC")]
    limit = earliest + SEARCH_WINDOW
    # The first moment that suits everyone is either `earliest` itself or the moment the last
    # of them starts their day: some member's local 09:00.
    candidates = sorted(
        {earliest, *(start for tz in zones for start in _local_starts(tz, earliest, limit))}
    )
    for candidate in candidates:
        if all(in_working_hours(candidate, tz) for tz in zones):
            return candidate
    return _next_weekday_at(westernmost(zones, earliest), earliest, FALLBACK_HOUR)
