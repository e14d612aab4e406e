"""When check-ins and reminders go out: 09:00 local on the day, across DST, never at weekends."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.checkins import timing

ZONES = ("America/Los_Angeles", "Europe/London", "Asia/Kolkata", "Australia/Sydney")


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize(
    "week",
    # Around Europe's change (29 March), Sydney's (5 April), Europe's and the US's in autumn.
    [date(2026, 3, 23), date(2026, 3, 30), date(2026, 10, 19), date(2026, 10, 26)],
)
def test_nine_local_on_the_day_whatever_the_offset(zone: str, week: date) -> None:
    for weekday in range(5):
        slot = timing.slot_for(week, weekday, zone)
        local = slot.due_at.astimezone(ZoneInfo(zone))
        assert local.date() == week + timedelta(days=weekday)
        assert local.time() == time(9)
        assert slot.closes_at.astimezone(ZoneInfo(zone)) == datetime.combine(
            week + timedelta(days=7), time(0), tzinfo=ZoneInfo(zone)
        )


def test_a_weekend_day_is_never_used() -> None:
    for weekday in (5, 6, 9, -1):
        slot = timing.slot_for(date(2026, 12, 7), weekday, "Europe/London")
        assert slot.due_at.astimezone(ZoneInfo("Europe/London")).weekday() == 4


def test_the_utc_offset_moves_with_daylight_saving() -> None:
    before = timing.slot_for(date(2026, 10, 19), 3, "Europe/London").due_at
    after = timing.slot_for(date(2026, 10, 26), 3, "Europe/London").due_at
    assert (before.hour, after.hour) == (8, 9)  # 09:00 BST, then 09:00 GMT


def test_the_next_slot_waits_a_week_once_the_day_has_long_passed() -> None:
    thursday_late = datetime(2026, 12, 10, 17, tzinfo=UTC)
    slot = timing.next_slot(thursday_late, "Europe/London", 3)
    assert slot.week_start == date(2026, 12, 14)
    just_after = datetime(2026, 12, 10, 10, tzinfo=UTC)
    assert timing.next_slot(just_after, "Europe/London", 3).week_start == date(2026, 12, 7)
    assert timing.next_slot(
        just_after, "Europe/London", 3, after_week=date(2026, 12, 7)
    ).week_start == date(2026, 12, 14)


def test_the_local_week_is_the_persons_own() -> None:
    # Sunday 23:30 UTC is already Monday morning in Sydney.
    moment = datetime(2026, 12, 13, 23, 30, tzinfo=UTC)
    assert timing.local_week_start(moment, "Australia/Sydney") == date(2026, 12, 14)
    assert timing.local_week_start(moment, "Europe/London") == date(2026, 12, 7)
    assert timing.local_week_start(moment, None) == date(2026, 12, 7)


def test_a_reminder_is_a_day_later_in_working_hours_or_friday_afternoon() -> None:
    zone = "America/Los_Angeles"
    thursday = timing.slot_for(date(2026, 12, 7), 3, zone)
    remind = timing.reminder_time(thursday.due_at, thursday.closes_at, zone)
    assert remind == thursday.due_at + timedelta(hours=24)
    friday = timing.slot_for(date(2026, 12, 7), 4, zone)
    remind = timing.reminder_time(friday.due_at, friday.closes_at, zone)
    assert remind is not None
    local = remind.astimezone(ZoneInfo(zone))
    assert (local.weekday(), local.time()) == (4, time(15))


def test_a_late_tick_at_night_waits_for_the_morning() -> None:
    night = datetime(2026, 12, 10, 3, tzinfo=UTC)  # 03:00 in London
    assert timing.send_time(night, "Europe/London") == datetime(2026, 12, 10, 9, tzinfo=UTC)
