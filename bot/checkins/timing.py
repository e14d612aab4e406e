"""When a person's weekly check-in goes out, its one reminder, and when its week closes.

Pure functions over aware datetimes and IANA zone names: local dates and times are built in
the person's zone and converted with zoneinfo, so a daylight-saving change moves the UTC time
and never the local 09:00.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Final

from bot.domain import LAST_CHECKIN_WEEKDAY
from bot.groups.timing import in_working_hours, reminder_due, zone

SEND_AT: Final = time(9)
# A check-in whose 09:00 passed less than this long ago still goes out (after downtime, or to
# someone who joined this morning); later than that, it waits for next week.
CATCH_UP: Final = timedelta(hours=6)
REMIND_AFTER: Final = timedelta(hours=24)
# A check-in sent on the week's last working day is reminded about the same afternoon.
SAME_DAY_REMINDER: Final = timedelta(hours=6)


@dataclass(frozen=True, slots=True)
class Slot:
    """One week's check-in for one person: the local week and the moments that matter."""

    week_start: date  # the Monday of their local week
    due_at: datetime  # 09:00 their time on the check-in day, in UTC
    closes_at: datetime  # the end of their local Sunday, in UTC


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def local_week_start(now: datetime, time_zone: str | None) -> date:
    return monday_of(now.astimezone(zone(time_zone)).date())


def _checkin_day(weekday: int) -> int:
    # Stored values are checked to be Monday to Friday; anything else falls back to Friday so
    # nothing ever goes out on a weekend.
    return weekday if 0 <= weekday <= LAST_CHECKIN_WEEKDAY else LAST_CHECKIN_WEEKDAY


def slot_for(week_start: date, weekday: int, time_zone: str | None) -> Slot:
    tz = zone(time_zone)
    day = week_start + timedelta(days=_checkin_day(weekday))
    due = datetime.combine(day, SEND_AT, tzinfo=tz).astimezone(UTC)
    closes = datetime.combine(week_start + timedelta(days=7), time(0), tzinfo=tz).astimezone(UTC)
    return Slot(week_start, due, closes)


def week_slot(now: datetime, time_zone: str | None, weekday: int) -> Slot:
    """This local week's slot, whether or not its moment has passed (for `checkin`)."""
    return slot_for(local_week_start(now, time_zone), weekday, time_zone)


def next_slot(
    now: datetime, time_zone: str | None, weekday: int, *, after_week: date | None = None
) -> Slot:
    """The first slot not more than `CATCH_UP` in the past, in a week after `after_week`."""
    week = local_week_start(now, time_zone)
    while True:
        slot = slot_for(week, weekday, time_zone)
        if slot.due_at >= now - CATCH_UP and (after_week is None or week > after_week):
            return slot
        week += timedelta(days=7)


def send_time(now: datetime, time_zone: str | None) -> datetime:
    """`now`, or the next working-hours moment when a late tick finds it at night."""
    return reminder_due(now, [time_zone])


def reminder_time(sent_at: datetime, closes_at: datetime, time_zone: str | None) -> datetime | None:
    """A day after the check-in, inside their working hours, before the week closes; a
    Friday's check-in is reminded about that afternoon; None when no moment fits."""
    later = reminder_due(sent_at + REMIND_AFTER, [time_zone])
    if later < closes_at:
        return later
    same_day = sent_at + SAME_DAY_REMINDER
    if same_day < closes_at and in_working_hours(same_day, zone(time_zone)):
        return same_day
    return None


def is_open(closes_at: datetime | None, now: datetime) -> bool:
    return closes_at is not None and now < closes_at
