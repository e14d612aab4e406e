"""When a round is matched, when its intros go out, and when it is half way and over.

Pure functions of dates, zones and the programme's calendar: no clock and no database.

A round belongs to a date D (the programme's weekday). Its intros go out at the programme's
local intro hour on D, and D begins first at UTC+14. So a round is matched at 00:00 UTC+14 on D
(10:00 UTC the day before): by then D has begun somewhere, statuses such as "on holiday this
week" are usually set, and every intro, which is never before 08:00 local anywhere, is at least
8 hours away.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.domain import Cadence
from bot.programmes.service import next_round_date
from bot.programmes.settings_form import DEFAULTS

# The first zone in which a calendar day begins.
EARLIEST_ZONE = timezone(timedelta(hours=14))
# Nobody gets a message from peercoach outside these local hours (start inclusive, end exclusive:
# the last hour that may start is 19:00, so everything lands before 20:00).
DAY_START_HOUR = 8
DAY_END_HOUR = 20
# How far ahead a late intro or notice looks for a daytime hour.
SEARCH_HOURS = 72


def zone_of(name: str | None) -> ZoneInfo:
    """The IANA zone, or UTC when unknown or missing."""
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return ZoneInfo("UTC")


def match_time(round_date: date) -> datetime:
    """When the round of `round_date` is matched: 00:00 at UTC+14 on that date, in UTC."""
    return datetime.combine(round_date, time(0), tzinfo=EARLIEST_ZONE).astimezone(UTC)


def round_date_for(due: datetime) -> date:
    """The round date a `next_round_at` stands for.

    A scheduled round's `next_round_at` is exactly `match_time(D)`; any other value was set by
    hand ("run a round now") and stands for a round on that UTC date, whose intros then go out
    at the first suitable hour from now on."""
    scheduled = due.astimezone(EARLIEST_ZONE).date()
    if match_time(scheduled) == due:
        return scheduled
    return due.astimezone(UTC).date()


def add_months(day: date, months: int) -> date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def period(cadence: Cadence, start: date) -> timedelta:
    """How long a round that starts on `start` lasts: until the next one would start."""
    if cadence is Cadence.WEEKLY:
        return timedelta(weeks=1)
    if cadence is Cadence.FORTNIGHTLY:
        return timedelta(weeks=2)
    return add_months(start, 1) - start


def next_date(cadence: Cadence, weekday: int, today: date, last_round: date | None) -> date:
    """The next round's date after `today`, by the programmes' shared calendar rule."""
    settings = replace(DEFAULTS, cadence=cadence, round_weekday=weekday)
    return next_round_date(settings, today, last_round)


@dataclass(frozen=True, slots=True)
class RoundTimes:
    midpoint_at: datetime
    ends_at: datetime
    ends_on: date


def round_times(cadence: Cadence, round_date: date, start: datetime) -> RoundTimes:
    """A round runs one cadence period from `start` (its first intro); half way is the nudge."""
    length = period(cadence, round_date)
    ends_at = start + length
    return RoundTimes(midpoint_at=start + length / 2, ends_at=ends_at, ends_on=ends_at.date())


def _local_hour(when: datetime, zone: ZoneInfo) -> int:
    return when.astimezone(zone).hour


def is_daytime(when: datetime, zone: ZoneInfo) -> bool:
    return DAY_START_HOUR <= _local_hour(when, zone) < DAY_END_HOUR


@dataclass(frozen=True, slots=True)
class IntroTime:
    at: datetime
    inside: int  # how many members it is daytime for
    members: int

    @property
    def for_everyone(self) -> bool:
        return self.inside == self.members


def westernmost(zones: Sequence[ZoneInfo], on: date) -> ZoneInfo:
    """The zone with the smallest UTC offset at midday UTC on `on` (DST as on that day)."""
    noon = datetime.combine(on, time(12), tzinfo=UTC)

    def offset(zone: ZoneInfo) -> timedelta:
        return noon.astimezone(zone).utcoffset() or timedelta(0)

    return min(zones, key=lambda z: (offset(z), z.key))


def _count_inside(when: datetime, zones: Sequence[ZoneInfo]) -> int:
    return sum(1 for zone in zones if is_daytime(when, zone))


def intro_time(
    zones: Sequence[ZoneInfo], round_date: date, intro_hour: int, *, not_before: datetime
) -> IntroTime:
    """When a group's intro goes out.

    The programme's intro hour on the round date in the westernmost member's zone; if that is
    outside 08:00-20:00 for anyone, the nearest whole hour of that day (the westernmost member's
    day) that is inside for everyone; if none is, the hour that keeps most members inside.
    Never before `not_before`: a late round (after downtime, or run by hand) takes the first
    hour from then on that is daytime for everyone, or failing that for most."""
    if not zones:
        raise ValueError("a group has members")
    west = westernmost(zones, round_date)
    day_start = datetime.combine(round_date, time(0), tzinfo=west)
    wanted = datetime.combine(round_date, time(intro_hour), tzinfo=west).astimezone(UTC)
    # Whole UTC hours of the westernmost member's day (23 or 25 of them on a DST change).
    hours: list[datetime] = []
    moment = day_start.astimezone(UTC)
    end = datetime.combine(round_date + timedelta(days=1), time(0), tzinfo=west).astimezone(UTC)
    while moment < end:
        hours.append(moment)
        moment += timedelta(hours=1)
    floor = _ceil_hour(not_before)
    candidates = [h for h in hours if h >= floor]

    def rank(h: datetime) -> tuple[int, float, float]:
        return (_count_inside(h, zones), -abs((h - wanted).total_seconds()), -h.timestamp())

    best = IntroTime(max(candidates, key=rank), 0, len(zones)) if candidates else None
    if best is not None:
        best = IntroTime(best.at, _count_inside(best.at, zones), len(zones))
        if best.for_everyone:
            return best
    late = floor > hours[0]
    if best is None or late:
        # The round runs late: the first later hour that suits everyone, else the best one.
        later = _first_daytime(zones, floor)
        if best is None or later.inside > best.inside:
            return later
    return best


def _ceil_hour(when: datetime) -> datetime:
    when = when.astimezone(UTC)
    floor = when.replace(minute=0, second=0, microsecond=0)
    return floor if floor == when else floor + timedelta(hours=1)


def _first_daytime(zones: Sequence[ZoneInfo], start: datetime) -> IntroTime:
    best: IntroTime | None = None
    moment = _ceil_hour(start)
    for _ in range(SEARCH_HOURS):
        inside = _count_inside(moment, zones)
        if inside == len(zones):
            return IntroTime(moment, inside, len(zones))
        if best is None or inside > best.inside:
            best = IntroTime(moment, inside, len(zones))
        moment += timedelta(hours=1)
    assert best is not None
    return best


def daytime_from(zone_name: str | None, now: datetime) -> datetime:
    """`now` if it is daytime for the person, else the next 09:00 local (for one-person DMs)."""
    zone = zone_of(zone_name)
    if is_daytime(now, zone):
        return now
    local = now.astimezone(zone)
    day = local.date() if local.hour < DAY_START_HOUR else local.date() + timedelta(days=1)
    return datetime.combine(day, time(9), tzinfo=zone).astimezone(UTC)
