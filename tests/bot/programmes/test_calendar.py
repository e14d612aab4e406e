"""When a programme next matches: the scheduler's date once set, else its calendar, within a
cohort's dates."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.domain import Cadence, ProgrammeKind, ProgrammeMode
from bot.programmes.service import programme_next_round
from storage.models import ProgrammeRow

WEDNESDAY = date(2026, 12, 2)


def _programme(**changes: object) -> ProgrammeRow:
    values: dict[str, object] = {
        "team_id": "T1",
        "name": "Peer pairs",
        "mode": ProgrammeMode.PAIRS,
        "kind": ProgrammeKind.EVERGREEN,
        "cadence": Cadence.WEEKLY,
        "weekday": 0,
        "intro_hour": 9,
        "group_size": 2,
        "next_round_at": None,
        "closed_at": None,
        "starts_on": None,
        "ends_on": None,
    }
    values.update(changes)
    return ProgrammeRow(**values)


def test_evergreen_follows_its_weekday_and_cadence() -> None:
    assert programme_next_round(_programme(), WEDNESDAY, None) == date(2026, 12, 7)
    fortnightly = _programme(cadence=Cadence.FORTNIGHTLY, weekday=2)
    assert programme_next_round(fortnightly, WEDNESDAY, date(2026, 11, 25)) == date(2026, 12, 9)


def test_the_schedulers_date_wins_once_set() -> None:
    due = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)
    assert programme_next_round(_programme(next_round_at=due), WEDNESDAY, None) == date(2026, 12, 3)


def test_a_cohort_starts_on_its_start_date_and_stops_after_its_end() -> None:
    cohort = _programme(
        kind=ProgrammeKind.COHORT, weekday=3, starts_on=date(2027, 1, 7), ends_on=date(2027, 3, 4)
    )
    assert programme_next_round(cohort, WEDNESDAY, None) == date(2027, 1, 7)
    assert programme_next_round(cohort, date(2027, 3, 1), date(2027, 2, 25)) == date(2027, 3, 4)
    assert programme_next_round(cohort, date(2027, 3, 4), date(2027, 3, 4)) is None


def test_a_closed_programme_has_no_next_round() -> None:
    closed = _programme(closed_at=datetime(2026, 12, 1, tzinfo=UTC))
    assert programme_next_round(closed, WEDNESDAY, None) is None
