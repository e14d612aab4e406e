"""Roster CSV: every column, its defaults, and one row-numbered line per problem."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.enrolment.goals import GOAL_TAGS
from bot.matching.model import MatchSettings, Participant, Unavailable
from bot.matching.roster import COLUMNS, RosterError, load_roster

WINTER = date(2025, 1, 15)
SUMMER = date(2025, 7, 15)


def roster(*rows: str, header: str = "id,function,level") -> str:
    return "\n".join([header, *rows]) + "\n"


def problems_of(text: str, on: date = WINTER) -> tuple[str, ...]:
    with pytest.raises(RosterError) as caught:
        load_roster(text, on=on)
    return caught.value.problems


def only(text: str, on: date = WINTER) -> Participant:
    inp = load_roster(text, on=on)
    assert len(inp.participants) == 1
    return inp.participants[0]


# -- a full roster --------------------------------------------------------------------------


def test_every_column_is_read() -> None:
    text = (
        "id,function,level,time_zone,work_start,work_end,goals,skills,cadence,status,"
        "mentor_capacity,wants_mentor,past_partners,do_not_pair\n"
        "ana,Engineering,5,Europe/Berlin,08:30,16:30,giving-feedback;Public Speaking,"
        "negotiation,fortnightly,enrolled,2,no,ben;gone,carla\n"
        "ben,design,2,+05:30,22:00,06:00,,,monthly,out of office,0,yes,,\n"
        "carla,Design,3,UTC-8,,,,,,paused,,TRUE,,\n"
    )
    inp = load_roster(text, on=WINTER)
    ana, ben, carla = inp.participants
    assert ana == Participant(
        id="ana",
        function="Engineering",
        level=5,
        utc_offset_minutes=60,
        work_start_minute=8 * 60 + 30,
        work_end_minute=16 * 60 + 30,
        goals=frozenset({"giving-feedback", "public-speaking"}),
        skills=frozenset({"negotiation"}),
        cadence="fortnightly",
        unavailable=None,
        mentor_capacity=2,
        wants_mentor=False,
    )
    assert ben.utc_offset_minutes == 5 * 60 + 30
    assert (ben.work_start_minute, ben.work_end_minute) == (22 * 60, 6 * 60)
    assert ben.cadence == "monthly"
    assert ben.unavailable is Unavailable.OUT_OF_OFFICE
    assert ben.wants_mentor is True
    assert carla.function == "Design"  # as written: the engine ignores case
    assert carla.utc_offset_minutes == -8 * 60
    assert carla.unavailable is Unavailable.PAUSED
    assert (carla.work_start_minute, carla.work_end_minute) == (9 * 60, 17 * 60)
    assert inp.past_partners == {frozenset({"ana", "ben"}), frozenset({"ana", "gone"})}
    assert inp.do_not_pair == {("ana", "carla")}


def test_defaults_for_optional_columns() -> None:
    person = only(roster("ana,engineering,3"))
    assert person == Participant(id="ana", function="engineering", level=3)


def test_settings_are_carried_into_the_input() -> None:
    settings = MatchSettings(max_tz_gap_hours=3.0, circle_size=5)
    inp = load_roster(roster("ana,engineering,3"), on=WINTER, settings=settings)
    assert inp.settings == settings
    assert load_roster(roster("ana,engineering,3"), on=WINTER).settings == MatchSettings()


def test_reads_a_file_with_a_byte_order_mark_and_any_column_order(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text("\ufeffLevel,Time Zone,ID,Function\n4,Asia/Tokyo,ana,ops\n", encoding="utf-8")
    for source in (path, str(path)):
        person = load_roster(source, on=WINTER).participants[0]
        assert (person.id, person.level, person.utc_offset_minutes) == ("ana", 4, 9 * 60)


def test_blank_lines_and_trailing_empty_columns_are_ignored() -> None:
    text = "id,function,level,\nana,eng,3,\n\n,,,\nben,ops,2,\n"
    assert [p.id for p in load_roster(text, on=WINTER).participants] == ["ana", "ben"]


def test_a_header_only_roster_has_nobody() -> None:
    assert load_roster(roster(), on=WINTER).participants == ()


def test_quoted_values_may_hold_commas() -> None:
    person = only(roster('ana,"sales, emea",3'))
    assert person.function == "sales, emea"


# -- the header -----------------------------------------------------------------------------


def test_an_empty_file_needs_a_header(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_text("")
    with pytest.raises(RosterError) as caught:
        load_roster(path, on=WINTER)
    assert caught.value.problems == (
        "row 1: the roster is empty; its first row must be a header such as id,function,level",
    )


def test_a_missing_file_is_one_problem(tmp_path: Path) -> None:
    with pytest.raises(RosterError) as caught:
        load_roster(tmp_path / "nope.csv", on=WINTER)
    assert caught.value.problems == (f"cannot read the roster: no file at {tmp_path}/nope.csv",)


def test_a_file_that_is_not_text_is_one_problem(tmp_path: Path) -> None:
    path = tmp_path / "people.xlsx"
    path.write_bytes(b"PK\x03\x04\xff\xfe\x00\x81")
    with pytest.raises(RosterError) as caught:
        load_roster(path, on=WINTER)
    assert caught.value.problems == (f"cannot read the roster {path}: it is not UTF-8 text",)


def test_unknown_columns_are_rejected_with_a_suggestion() -> None:
    problems = problems_of(roster("ana,eng,3,x", header="id,function,level,timezone"))
    assert problems == (
        "row 1 (header): unknown column 'timezone' (did you mean 'time_zone'?); "
        f"the columns are {', '.join(COLUMNS)}",
    )


def test_required_and_duplicate_columns() -> None:
    problems = problems_of(roster("ana,3,3", header="id,level,level"))
    assert problems == (
        "row 1 (header): column 'level' appears twice",
        "row 1 (header): the required column 'function' is missing",
    )


def test_a_value_without_a_column() -> None:
    problems = problems_of(roster("ana,sales,emea,3"))
    assert problems == (
        "row 2: has a value in column 4, which has no name in the header "
        "(a comma inside a value needs the value in double quotes)",
    )


# -- one column at a time -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        (",eng,3", "id is required"),
        ("a;b,eng,3", "id must not contain ';', got 'a;b'"),
        ("ana,,3", "function is required (for example engineering or design)"),
        ("ana,eng,", "level is required (a whole number from 1 to 6)"),
        ("ana,eng,senior", "level must be a whole number from 1 to 6, got 'senior'"),
        ("ana,eng,7", "level must be a whole number from 1 to 6, got '7'"),
        ("ana,eng,0", "level must be a whole number from 1 to 6, got '0'"),
        ("ana,eng,2.5", "level must be a whole number from 1 to 6, got '2.5'"),
    ],
)
def test_required_columns(row: str, problem: str) -> None:
    assert problems_of(roster(row)) == (f"row 2: {problem}",)


def test_problems_name_their_spreadsheet_row_and_are_all_reported() -> None:
    text = roster("ana,eng,3", "", "ben,eng,senior", "carla,,9")
    assert problems_of(text) == (
        "row 4: level must be a whole number from 1 to 6, got 'senior'",
        "row 5: function is required (for example engineering or design)",
        "row 5: level must be a whole number from 1 to 6, got '9'",
    )


def test_ids_must_be_unique() -> None:
    text = roster("ana,eng,3", "ben,eng,3", "ana,ops,2")
    assert problems_of(text) == ("row 4: id 'ana' is already used on row 2; ids must be unique",)


TZ = "id,function,level,time_zone"


@pytest.mark.parametrize(
    ("zone", "on", "minutes"),
    [
        ("Europe/Berlin", WINTER, 60),
        ("Europe/Berlin", SUMMER, 120),
        ("america/new_york", WINTER, -5 * 60),  # any case
        ("America/New_York", SUMMER, -4 * 60),
        ("Australia/Sydney", WINTER, 11 * 60),  # southern summer
        ("Australia/Sydney", SUMMER, 10 * 60),
        ("Asia/Kolkata", SUMMER, 5 * 60 + 30),
        ("UTC", SUMMER, 0),
        ("", SUMMER, 0),
        ("+05:30", WINTER, 5 * 60 + 30),
        ("-03:00", WINTER, -3 * 60),
        ("UTC-8", WINTER, -8 * 60),
        ("utc+5:45", WINTER, 5 * 60 + 45),
        ("GMT+1", WINTER, 60),
        ("+0930", WINTER, 9 * 60 + 30),
        ("Etc/GMT+8", WINTER, -8 * 60),  # IANA's inverted sign, as the database defines it
    ],
)
def test_time_zones_resolve_for_the_date(zone: str, on: date, minutes: int) -> None:
    assert only(roster(f"ana,eng,3,{zone}", header=TZ), on=on).utc_offset_minutes == minutes


def test_daylight_saving_is_read_on_the_day_of_the_switch() -> None:
    # Europe switched to summer time at 01:00 UTC on 30 March 2025; that day counts as summer.
    text = roster("ana,eng,3,Europe/London", header=TZ)
    assert only(text, on=date(2025, 3, 29)).utc_offset_minutes == 0
    assert only(text, on=date(2025, 3, 30)).utc_offset_minutes == 60


@pytest.mark.parametrize(
    ("zone", "hint"),
    [
        ("Berlin", " (did you mean 'Europe/Berlin'?)"),
        ("new york", " (did you mean 'America/New_York'?)"),
        ("Europe/Berln", " (did you mean 'Europe/Berlin'?)"),
        ("Mars/Olympus", ""),
        ("+25:00", None),
        ("+05:75", ""),
    ],
)
def test_bad_time_zones(zone: str, hint: str | None) -> None:
    problems = problems_of(roster(f"ana,eng,3,{zone}", header=TZ))
    if hint is None:
        assert problems == (
            f"row 2: time_zone offset must be between UTC-12:00 and UTC+14:00, got {zone!r}",
        )
    else:
        assert problems == (
            "row 2: time_zone must be an IANA name such as Europe/Berlin or an offset such as "
            f"+05:30 or UTC-8, got {zone!r}{hint}",
        )


HOURS = "id,function,level,work_start,work_end"


def test_a_night_shift_ends_before_it_starts() -> None:
    person = only(roster("ana,eng,3,22:00,06:30", header=HOURS))
    assert (person.work_start_minute, person.work_end_minute) == (22 * 60, 6 * 60 + 30)


def test_one_hour_given_keeps_the_other_default() -> None:
    person = only(roster("ana,eng,3,7:00,", header=HOURS))
    assert (person.work_start_minute, person.work_end_minute) == (7 * 60, 17 * 60)


CLOCK = "must be a time of day as HH:MM from 00:00 to 23:59, got"


@pytest.mark.parametrize(
    ("start", "end", "problem"),
    [
        ("9am", "17:00", f"work_start {CLOCK} '9am'"),
        ("09:00", "24:00", f"work_end {CLOCK} '24:00'"),
        ("09:60", "17:00", f"work_start {CLOCK} '09:60'"),
        (
            "10:00",
            "10:00",
            "work_start and work_end are the same time; a working day needs some hours",
        ),
    ],
)
def test_bad_working_hours(start: str, end: str, problem: str) -> None:
    assert problems_of(roster(f"ana,eng,3,{start},{end}", header=HOURS)) == (f"row 2: {problem}",)


TAGS = "id,function,level,goals,skills"


def test_tags_accept_the_phrase_and_loose_spelling() -> None:
    person = only(
        roster("ana,eng,3,Giving Feedback; public_speaking ;;,clear writing", header=TAGS)
    )
    assert person.goals == {"giving-feedback", "public-speaking"}
    assert person.skills == {"writing"}


def test_unknown_tags_name_the_closest_tag() -> None:
    problems = problems_of(roster("ana,eng,3,feedbak-giving;delegation,negotiaton", header=TAGS))
    assert problems == (
        "row 2: unknown goal 'feedbak-giving'; the closest tag is 'giving-feedback' "
        "(docs/match-dry-run.md lists them all)",
        "row 2: unknown skill 'negotiaton'; the closest tag is 'negotiation' "
        "(docs/match-dry-run.md lists them all)",
    )


@pytest.mark.parametrize(
    ("header", "value", "problem"),
    [
        ("cadence", "daily", "cadence must be one of weekly, fortnightly, monthly, got 'daily'"),
        (
            "status",
            "retired",
            "status must be one of enrolled, paused, left, out_of_office, got 'retired'",
        ),
        (
            "mentor_capacity",
            "4",
            "mentor_capacity must be a whole number from 0 to 3, got '4'",
        ),
        (
            "mentor_capacity",
            "lots",
            "mentor_capacity must be a whole number from 0 to 3, got 'lots'",
        ),
        (
            "wants_mentor",
            "maybe",
            "wants_mentor must be yes or no (or true/false, 1/0), got 'maybe'",
        ),
    ],
)
def test_bad_choices(header: str, value: str, problem: str) -> None:
    text = roster(f"ana,eng,3,{value}", header=f"id,function,level,{header}")
    assert problems_of(text) == (f"row 2: {problem}",)


@pytest.mark.parametrize(
    ("value", "status"),
    [
        ("enrolled", None),
        ("Paused", Unavailable.PAUSED),
        ("left", Unavailable.LEFT),
        ("out_of_office", Unavailable.OUT_OF_OFFICE),
        ("out-of-office", Unavailable.OUT_OF_OFFICE),
    ],
)
def test_statuses(value: str, status: Unavailable | None) -> None:
    person = only(roster(f"ana,eng,3,{value}", header="id,function,level,status"))
    assert person.unavailable is status


@pytest.mark.parametrize(
    ("value", "wants"),
    [("yes", True), ("Y", None), ("1", True), ("true", True), ("no", False), ("0", False)],
)
def test_wants_mentor(value: str, wants: bool | None) -> None:
    text = roster(f"ana,eng,3,{value}", header="id,function,level,wants_mentor")
    if wants is None:
        assert problems_of(text) == (
            f"row 2: wants_mentor must be yes or no (or true/false, 1/0), got {value!r}",
        )
    else:
        assert only(text).wants_mentor is wants


def test_partner_lists_may_name_people_not_on_the_roster() -> None:
    text = roster(
        "ana,eng,3,ben; left-last-year ;,ben",
        "ben,ops,3,ana,",
        header="id,function,level,past_partners,do_not_pair",
    )
    inp = load_roster(text, on=WINTER)
    # Listed on both rows or on one, a past pair counts once and in both directions.
    assert inp.past_partners == {frozenset({"ana", "ben"}), frozenset({"ana", "left-last-year"})}
    assert inp.do_not_pair == {("ana", "ben")}


@pytest.mark.parametrize("column", ["past_partners", "do_not_pair"])
def test_partner_lists_cannot_name_the_person_themselves(column: str) -> None:
    text = roster("ana,eng,3,ben;ana", header=f"id,function,level,{column}")
    assert problems_of(text) == (f"row 2: {column} lists the person's own id 'ana'",)


# -- the documentation stays in step --------------------------------------------------------

DOC = Path(__file__).resolve().parents[3] / "docs" / "match-dry-run.md"


def test_the_example_roster_in_the_documentation_loads() -> None:
    text = DOC.read_text(encoding="utf-8")
    example = text.split("```csv\n", 1)[1].split("```", 1)[0]
    inp = load_roster(example, on=date(2025, 3, 3))
    assert [p.id for p in inp.participants] == ["ana", "ben", "carla", "dan", "eve", "fay"]
    assert set(example.splitlines()[0].split(",")) == set(COLUMNS)


def test_the_documentation_lists_every_column_and_tag() -> None:
    text = DOC.read_text(encoding="utf-8")
    for column in COLUMNS:
        assert f"| `{column}` |" in text
    for tag, phrase in GOAL_TAGS.items():
        assert f"| `{tag}` | {phrase} |" in text
