"""Reminders fall inside everyone's working day, across zones and daylight-saving changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.groups.timing import in_working_hours, reminder_due

# Four zones whose days overlap (15:00-17:00 UTC in winter), and whose clocks change on
# different Sundays: Europe on 25 Oct 2026, the United States on 1 Nov 2026.
FOUR = ("Europe/Berlin", "Europe/London", "America/New_York", "America/Chicago")


def _hours(start: datetime, days: int) -> list[datetime]:
    return [start + timedelta(minutes=37 * i) for i in range(days * 24 * 60 // 37)]


def test_a_moment_inside_everyones_day_is_kept() -> None:
    # Tue 3 Nov 2026, 15:30 UTC: Berlin 16:30, London 15:30, New York 10:30, Chicago 09:30.
    moment = datetime(2026, 11, 3, 15, 30, tzinfo=UTC)
    assert reminder_due(moment, FOUR) == moment


def test_a_night_moment_waits_for_the_last_to_start_their_day() -> None:
    # Tue 3 Nov 2026, 02:00 UTC: night everywhere. Chicago opens at 09:00 CST = 15:00 UTC.
    due = reminder_due(datetime(2026, 11, 3, 2, tzinfo=UTC), FOUR)
    assert due == datetime(2026, 11, 3, 15, tzinfo=UTC)


def test_friday_evening_waits_until_monday_in_the_westernmost_zone() -> None:
    # Fri 6 Nov 2026 20:00 UTC: the next shared moment is Monday, more than two days ahead,
    # so 10:00 on the next weekday in Chicago.
    due = reminder_due(datetime(2026, 11, 6, 20, tzinfo=UTC), FOUR)
    assert due == datetime(2026, 11, 9, 16, tzinfo=UTC)
    assert due.astimezone(ZoneInfo("America/Chicago")).hour == 10


@pytest.mark.parametrize(
    "start",
    [
        datetime(2026, 10, 19, tzinfo=UTC),  # both sides on summer time, then Europe changes
        datetime(2026, 10, 28, tzinfo=UTC),  # Europe on winter time, the US still on summer
        datetime(2026, 3, 5, tzinfo=UTC),  # the US changes on 8 Mar, Europe on 29 Mar
    ],
)
def test_never_outside_working_hours_across_daylight_saving_changes(start: datetime) -> None:
    zones = [ZoneInfo(name) for name in FOUR]
    fallbacks = 0
    for moment in _hours(start, 14):
        due = reminder_due(moment, FOUR)
        assert due >= moment
        # Whatever the path, the reminder is inside every member's working day.
        assert all(in_working_hours(due, tz) for tz in zones), (moment, due)
        grid = [moment + timedelta(minutes=15 * i) for i in range(2 * 24 * 4 + 1)]
        if any(all(in_working_hours(m, tz) for tz in zones) for m in grid):
            assert due - moment <= timedelta(days=2)
            # And nothing earlier on a 15-minute grid would have done.
            assert not any(all(in_working_hours(m, tz) for tz in zones) for m in grid if m < due)
            continue
        # No shared moment within two days (a weekend): 10:00 on a weekday in Chicago.
        fallbacks += 1
        local = due.astimezone(ZoneInfo("America/Chicago"))
        assert (local.hour, local.minute, local.weekday() < 5) == (10, 0, True)
    # Friday afternoons and weekends fall back; most moments of the two weeks do not.
    assert 0 < fallbacks < len(_hours(start, 14)) // 2


def test_the_shared_window_moves_with_the_clocks() -> None:
    # Mon 26 Oct 2026, between the two changes: Berlin is UTC+1, New York still UTC-4,
    # Chicago UTC-5, so Chicago's 09:00 is 14:00 UTC, an hour earlier than a week later.
    due = reminder_due(datetime(2026, 10, 26, 3, tzinfo=UTC), FOUR)
    assert due == datetime(2026, 10, 26, 14, tzinfo=UTC)
    later = reminder_due(datetime(2026, 11, 2, 3, tzinfo=UTC), FOUR)
    assert later == datetime(2026, 11, 2, 15, tzinfo=UTC)


def test_no_zone_or_an_unknown_one_counts_as_utc() -> None:
    due = reminder_due(datetime(2026, 11, 3, 2, tzinfo=UTC), [None, "Not/AZone"])
    assert due == datetime(2026, 11, 3, 9, tzinfo=UTC)


def test_far_apart_zones_fall_back_to_the_westernmost_morning() -> None:
    # London (UTC+0) and Auckland (UTC+13 in November) never share 09:00-18:00.
    due = reminder_due(datetime(2026, 11, 3, 2, tzinfo=UTC), ["Pacific/Auckland", "Europe/London"])
    assert due == datetime(2026, 11, 3, 10, tzinfo=UTC)


def test_a_naive_time_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        reminder_due(datetime(2026, 11, 3, 2), FOUR)
