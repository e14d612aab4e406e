"""Round timing: when a round is matched, when intros go out, and never at night."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain import Cadence
from bot.rounds.away import SlackStatus
from bot.rounds.timing import (
    daytime_from,
    intro_time,
    match_time,
    round_date_for,
    round_times,
)

ZONES = {
    "la": ZoneInfo("America/Los_Angeles"),
    "ny": ZoneInfo("America/New_York"),
    "london": ZoneInfo("Europe/London"),
    "berlin": ZoneInfo("Europe/Berlin"),
    "kolkata": ZoneInfo("Asia/Kolkata"),
    "tokyo": ZoneInfo("Asia/Tokyo"),
    "sydney": ZoneInfo("Australia/Sydney"),
}
# DST changes in 2026: US 8 Mar / 1 Nov, EU 29 Mar / 25 Oct, Australia 5 Apr / 4 Oct.
DST_DAYS = [
    date(2026, 3, 8),
    date(2026, 3, 29),
    date(2026, 4, 5),
    date(2026, 10, 4),
    date(2026, 10, 25),
    date(2026, 11, 1),
]


def _local_hour(when: datetime, zone: ZoneInfo) -> int:
    return when.astimezone(zone).hour


def _day_hours(day: date, zone: ZoneInfo) -> list[datetime]:
    start = datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
    return [start + timedelta(hours=h) for h in range(int((end - start).total_seconds() // 3600))]


def _daytime_for_all(when: datetime, zones: list[ZoneInfo]) -> bool:
    return all(8 <= _local_hour(when, z) < 20 for z in zones)


def test_a_round_is_matched_when_its_date_begins_at_utc_plus_14() -> None:
    monday = date(2026, 12, 7)
    assert match_time(monday) == datetime(2026, 12, 6, 10, 0, tzinfo=UTC)
    assert round_date_for(match_time(monday)) == monday
    # Set by hand ("run a round now"): the UTC date of that moment.
    assert round_date_for(datetime(2026, 12, 2, 15, 30, tzinfo=UTC)) == date(2026, 12, 2)


def test_round_times_run_one_cadence_period_from_the_first_intro() -> None:
    start = datetime(2026, 12, 7, 9, tzinfo=UTC)
    weekly = round_times(Cadence.WEEKLY, date(2026, 12, 7), start)
    assert weekly.midpoint_at == start + timedelta(days=3, hours=12)
    assert weekly.ends_at == start + timedelta(days=7)
    monthly = round_times(Cadence.MONTHLY, date(2027, 1, 31), start)
    assert monthly.ends_at == start + timedelta(days=28)  # 31 Jan -> 28 Feb


def test_intro_at_the_programme_hour_of_the_westernmost_member() -> None:
    day = date(2026, 12, 7)
    found = intro_time([ZONES["berlin"], ZONES["london"]], day, 9, not_before=match_time(day))
    assert found.at == datetime(2026, 12, 7, 9, tzinfo=UTC)  # 09:00 London, 10:00 Berlin
    assert found.for_everyone


def test_intro_moves_to_the_nearest_hour_that_is_daytime_for_everyone() -> None:
    day = date(2026, 12, 7)
    # 09:00 in Los Angeles is 02:00 in Tokyo the next day; their days overlap 15:00-19:00 LA.
    found = intro_time([ZONES["tokyo"], ZONES["la"]], day, 9, not_before=match_time(day))
    assert found.at.astimezone(ZONES["la"]).hour == 15
    assert found.for_everyone


def test_without_an_hour_for_everyone_the_most_members_are_inside() -> None:
    day = date(2026, 12, 7)
    zones = [ZONES["la"], ZONES["berlin"], ZONES["sydney"]]
    found = intro_time(zones, day, 9, not_before=match_time(day))
    assert not found.for_everyone
    assert found.inside == 2
    assert sum(8 <= _local_hour(found.at, z) < 20 for z in zones) == 2


@pytest.mark.parametrize("day", [*DST_DAYS, date(2026, 6, 15), date(2026, 12, 7)])
def test_intros_are_never_at_night_when_a_daytime_hour_exists(day: date) -> None:
    names = sorted(ZONES)
    checked = 0
    for size in (2, 3, 4):
        for combo in itertools.combinations(names, size):
            zones = [ZONES[n] for n in combo]
            for hour in (0, 8, 9, 13, 19, 23):
                found = intro_time(zones, day, hour, not_before=match_time(day))
                offsets = [
                    (datetime.combine(day, time(12), tzinfo=UTC).astimezone(z).utcoffset())
                    for z in zones
                ]
                west = zones[offsets.index(min(o for o in offsets if o is not None))]
                possible = [h for h in _day_hours(day, west) if _daytime_for_all(h, zones)]
                if possible:
                    assert _daytime_for_all(found.at, zones), (combo, day, hour, found)
                    assert found.at in possible
                    checked += 1
                assert found.at >= match_time(day)
    assert checked > 100


def test_a_late_round_takes_the_next_daytime_hour_for_everyone() -> None:
    day = date(2026, 12, 7)
    zones = [ZONES["london"], ZONES["ny"]]
    late = datetime(2026, 12, 7, 23, 30, tzinfo=UTC)  # 23:30 London, 18:30 New York
    found = intro_time(zones, day, 9, not_before=late)
    assert found.at >= late
    assert _daytime_for_all(found.at, zones)
    assert found.at == datetime(2026, 12, 8, 13, tzinfo=UTC)  # 13:00 London, 08:00 New York


def test_one_person_notes_wait_for_their_morning() -> None:
    night = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)
    assert daytime_from("Europe/London", night) == datetime(2026, 12, 7, 9, tzinfo=UTC)
    noon = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
    assert daytime_from("Europe/London", noon) == noon
    # 21:00 in New York: the next morning there.
    evening = datetime(2026, 12, 8, 2, 0, tzinfo=UTC)
    assert daytime_from("America/New_York", evening) == datetime(2026, 12, 8, 14, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "emoji", "away"),
    [
        ("Vacationing", ":palm_tree:", True),
        ("", ":face_with_thermometer:", True),
        ("Out of office until Monday", "", True),
        ("OOO", ":calendar:", True),
        ("on parental leave", "", True),
        ("In a meeting", ":spiral_calendar_pad:", False),
        ("Working remotely", ":house_with_garden:", False),
        ("", "", False),
    ],
)
def test_away_statuses(text: str, emoji: str, away: bool) -> None:
    at = datetime(2026, 12, 7, 12, tzinfo=UTC)
    assert SlackStatus(text, emoji, 0).is_away(at) is away
    later = int((at + timedelta(days=2)).timestamp())
    assert SlackStatus(text, emoji, later).is_away(at) is away
    # A status that has expired says nothing any more.
    earlier = int((at - timedelta(hours=1)).timestamp())
    assert SlackStatus(text, emoji, earlier).is_away(at) is False
