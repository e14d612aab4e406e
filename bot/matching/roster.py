"""Read a roster CSV into a `MatchInput`, so a matching round can be previewed without Slack.

The columns are documented in docs/match-dry-run.md. Every problem in the file is collected
before anything is raised, so the person fixing the spreadsheet sees them all at once, each on
one line with the spreadsheet row it is on (the header is row 1).
"""

from __future__ import annotations

import csv
import difflib
import io
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot.enrolment.goals import GOAL_TAGS
from bot.matching.model import MatchInput, MatchSettings, Participant, Unavailable

REQUIRED_COLUMNS: tuple[str, ...] = ("id", "function", "level")
OPTIONAL_COLUMNS: tuple[str, ...] = (
    "time_zone",
    "work_start",
    "work_end",
    "goals",
    "skills",
    "cadence",
    "status",
    "mentor_capacity",
    "wants_mentor",
    "past_partners",
    "do_not_pair",
    "manager",
)
COLUMNS: tuple[str, ...] = REQUIRED_COLUMNS + OPTIONAL_COLUMNS

LIST_SEPARATOR = ";"
CADENCES: tuple[str, ...] = ("weekly", "fortnightly", "monthly")
STATUSES: dict[str, Unavailable | None] = {
    "enrolled": None,
    "paused": Unavailable.PAUSED,
    "left": Unavailable.LEFT,
    "out_of_office": Unavailable.OUT_OF_OFFICE,
}
BOOLEANS: dict[str, bool] = {
    "yes": True,
    "true": True,
    "1": True,
    "no": False,
    "false": False,
    "0": False,
}
MIN_LEVEL, MAX_LEVEL = 1, 6
MAX_MENTOR_CAPACITY = 3
# Real offsets run from UTC-12 (Baker Island) to UTC+14 (Line Islands).
MIN_OFFSET_MINUTES, MAX_OFFSET_MINUTES = -12 * 60, 14 * 60

_OFFSET = re.compile(r"^(?:UTC|GMT)?\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?$", re.IGNORECASE)
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})$")
# DST changes happen in the small hours; midday is on the settled side of any switch that day.
_RESOLVE_AT = time(12, 0)


class RosterError(Exception):
    """The roster cannot be used; `problems` holds one line per problem, with its row."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems: tuple[str, ...] = tuple(problems)
        super().__init__("\n".join(self.problems))


def load_roster(
    path_or_text: str | os.PathLike[str],
    *,
    on: date,
    settings: MatchSettings | None = None,
) -> MatchInput:
    """Parse a roster and resolve everyone's UTC offset for the date `on`.

    A `Path` (or any path-like) is read as a file, as is a `str` without a line break; a `str`
    with a line break is the CSV text itself. Raises `RosterError` listing every problem.
    """
    text = _read(path_or_text)
    try:
        rows = list(csv.reader(io.StringIO(text)))
    except csv.Error as exc:
        raise RosterError([f"cannot read the roster as CSV: {exc}"]) from None
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise RosterError(
            ["row 1: the roster is empty; its first row must be a header such as id,function,level"]
        )
    header, problems = _parse_header(rows[0])
    if problems:
        raise RosterError(problems)

    parsed: list[_Row] = []
    first_row_of: dict[str, int] = {}
    for index, cells in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue  # blank lines are common at the end of exported spreadsheets
        # Spreadsheets often export trailing commas and unnamed empty columns; only a value
        # that has no column to go to is a problem.
        stray = [
            column
            for column, cell in enumerate(cells)
            if cell.strip() and (column >= len(header) or not header[column])
        ]
        if stray:
            problems.append(
                f"row {index}: has a value in column {stray[0] + 1}, which has no name in the "
                "header (a comma inside a value needs the value in double quotes)"
            )
            continue
        values = {name: cell.strip() for name, cell in zip(header, cells, strict=False) if name}
        row = _parse_row(index, values, on, problems)
        if row is None:
            continue
        if row.participant.id in first_row_of:
            problems.append(
                f"row {index}: id {row.participant.id!r} is already used on row "
                f"{first_row_of[row.participant.id]}; ids must be unique"
            )
            continue
        first_row_of[row.participant.id] = index
        parsed.append(row)
    if problems:
        raise RosterError(problems)

    return MatchInput(
        participants=tuple(row.participant for row in parsed),
        past_partners=frozenset(
            frozenset((row.participant.id, other)) for row in parsed for other in row.past_partners
        ),
        do_not_pair=frozenset(
            (row.participant.id, other) for row in parsed for other in row.do_not_pair
        ),
        settings=settings if settings is not None else MatchSettings(),
        managers={row.participant.id: row.manager for row in parsed if row.manager},
    )


@dataclass(frozen=True, slots=True)
class _Row:
    participant: Participant
    past_partners: tuple[str, ...] = ()
    do_not_pair: tuple[str, ...] = ()
    manager: str = ""


@dataclass(slots=True)
class _RowProblems:
    """Collects the problems of one row with its row number in front."""

    row: int
    problems: list[str]
    found: bool = False

    def add(self, message: str) -> None:
        self.found = True
        self.problems.append(f"row {self.row}: {message}")


def _read(path_or_text: str | os.PathLike[str]) -> str:
    if isinstance(path_or_text, str) and ("\n" in path_or_text or "\r" in path_or_text):
        return path_or_text
    path = Path(path_or_text)
    try:
        # utf-8-sig: spreadsheet programs often put a byte-order mark before the header.
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise RosterError([f"cannot read the roster: no file at {path}"]) from None
    except UnicodeDecodeError:
        raise RosterError([f"cannot read the roster {path}: it is not UTF-8 text"]) from None
    except OSError as exc:
        raise RosterError([f"cannot read the roster {path}: {exc.strerror or exc}"]) from None


def _parse_header(cells: Sequence[str]) -> tuple[tuple[str, ...], list[str]]:
    names = tuple(cell.strip().lower().replace(" ", "_") for cell in cells)
    problems: list[str] = []
    seen: set[str] = set()
    for name in names:
        if not name:
            continue  # checked per row: it must stay empty
        if name not in COLUMNS:
            problems.append(
                f"row 1 (header): unknown column {name!r}{_did_you_mean(name, COLUMNS)}; "
                f"the columns are {', '.join(COLUMNS)}"
            )
        elif name in seen:
            problems.append(f"row 1 (header): column {name!r} appears twice")
        seen.add(name)
    for name in REQUIRED_COLUMNS:
        if name not in seen:
            problems.append(f"row 1 (header): the required column {name!r} is missing")
    return names, problems


def _parse_row(index: int, values: dict[str, str], on: date, problems: list[str]) -> _Row | None:
    report = _RowProblems(index, problems)

    def get(column: str) -> str:
        return values.get(column, "")

    person_id = get("id")
    if not person_id:
        report.add("id is required")
    elif LIST_SEPARATOR in person_id:
        report.add(f"id must not contain {LIST_SEPARATOR!r}, got {person_id!r}")

    # Kept as written; the engine compares functions case-insensitively.
    function = " ".join(get("function").split())
    if not function:
        report.add("function is required (for example engineering or design)")

    level = _whole_number(
        get("level"),
        "level",
        MIN_LEVEL,
        MAX_LEVEL,
        report,
        required=True,
        default=MIN_LEVEL,
    )
    offset = _utc_offset(get("time_zone"), on, report)
    start = _clock(get("work_start"), "work_start", 9 * 60, report)
    end = _clock(get("work_end"), "work_end", 17 * 60, report)
    if start == end and (get("work_start") or get("work_end")):
        report.add("work_start and work_end are the same time; a working day needs some hours")
    goals = _tags(get("goals"), "goal", report)
    skills = _tags(get("skills"), "skill", report)
    cadence = _choice(get("cadence") or "weekly", "cadence", CADENCES, report)
    status = _choice(get("status") or "enrolled", "status", tuple(STATUSES), report)
    capacity = _whole_number(
        get("mentor_capacity"), "mentor_capacity", 0, MAX_MENTOR_CAPACITY, report, default=0
    )
    wants_mentor = _boolean(get("wants_mentor"), "wants_mentor", report)
    past = _ids(get("past_partners"), "past_partners", person_id, report)
    avoid = _ids(get("do_not_pair"), "do_not_pair", person_id, report)
    manager = get("manager")
    if manager and manager == person_id:
        report.add(f"manager is the person's own id {person_id!r}; leave it empty at the top")

    if report.found:
        return None
    return _Row(
        participant=Participant(
            id=person_id,
            function=function,
            level=level,
            utc_offset_minutes=offset,
            work_start_minute=start,
            work_end_minute=end,
            goals=goals,
            skills=skills,
            cadence=cadence,
            unavailable=STATUSES[status],
            mentor_capacity=capacity,
            wants_mentor=wants_mentor,
        ),
        past_partners=past,
        do_not_pair=avoid,
        manager=manager,
    )


def _whole_number(
    raw: str,
    column: str,
    low: int,
    high: int,
    report: _RowProblems,
    *,
    default: int,
    required: bool = False,
) -> int:
    expected = f"a whole number from {low} to {high}"
    if not raw:
        if required:
            report.add(f"{column} is required ({expected})")
        return default
    if re.fullmatch(r"[+-]?\d+", raw) and low <= int(raw) <= high:
        return int(raw)
    report.add(f"{column} must be {expected}, got {raw!r}")
    return default


def _clock(raw: str, column: str, default: int, report: _RowProblems) -> int:
    if not raw:
        return default
    found = _CLOCK.match(raw)
    if found is not None:
        hours, minutes = int(found.group(1)), int(found.group(2))
        if hours < 24 and minutes < 60:
            return hours * 60 + minutes
    report.add(f"{column} must be a time of day as HH:MM from 00:00 to 23:59, got {raw!r}")
    return default


def _utc_offset(raw: str, on: date, report: _RowProblems) -> int:
    if not raw or raw.upper() in {"UTC", "GMT", "Z"}:
        return 0
    offset = _fixed_offset(raw)
    if offset is not None:
        if MIN_OFFSET_MINUTES <= offset <= MAX_OFFSET_MINUTES:
            return offset
        report.add(f"time_zone offset must be between UTC-12:00 and UTC+14:00, got {raw!r}")
        return 0
    zone = _zone(raw)
    if zone is None:
        report.add(
            "time_zone must be an IANA name such as Europe/Berlin or an offset such as +05:30 "
            f"or UTC-8, got {raw!r}{_zone_hint(raw)}"
        )
        return 0
    resolved = datetime.combine(on, _RESOLVE_AT, tzinfo=zone).utcoffset()
    return 0 if resolved is None else int(resolved.total_seconds()) // 60


def _fixed_offset(raw: str) -> int | None:
    found = _OFFSET.match(raw)
    if found is None:
        return None
    sign, hours, minutes = found.group(1), int(found.group(2)), int(found.group(3) or 0)
    if minutes >= 60:
        return None
    return (1 if sign == "+" else -1) * (hours * 60 + minutes)


def _zone(raw: str) -> ZoneInfo | None:
    # Zone names are case-sensitive on disk; people type europe/berlin, so look the case up.
    name = _zone_names().get(raw.lower())
    if name is None:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


@lru_cache(maxsize=1)
def _zone_names() -> dict[str, str]:
    return {name.lower(): name for name in available_timezones()}


def _zone_hint(raw: str) -> str:
    # "Berlin" or "new york" name a city: point at the zone that ends with it.
    city = "_".join(raw.lower().split())
    for lowered, name in sorted(_zone_names().items()):
        if "/" in lowered and lowered.rsplit("/", 1)[1] == city:
            return f" (did you mean {name!r}?)"
    close = difflib.get_close_matches(raw.lower(), list(_zone_names()), n=1, cutoff=0.6)
    return f" (did you mean {_zone_names()[close[0]]!r}?)" if close else ""


# Tags are written as in bot.enrolment.goals (public-speaking); the readable phrase is accepted too.
_TAG_SPELLINGS: dict[str, str] = {
    **{phrase.lower(): tag for tag, phrase in GOAL_TAGS.items()},
    **{tag: tag for tag in GOAL_TAGS},
}


def _tags(raw: str, kind: str, report: _RowProblems) -> frozenset[str]:
    tags: set[str] = set()
    for item in _split(raw):
        spelled = " ".join(item.lower().split())
        tag = _TAG_SPELLINGS.get(spelled) or _TAG_SPELLINGS.get(
            spelled.replace(" ", "-").replace("_", "-")
        )
        if tag is None:
            report.add(
                f"unknown {kind} {item!r}; the closest tag is {_closest_tag(spelled)!r} "
                "(docs/match-dry-run.md lists them all)"
            )
            continue
        tags.add(tag)
    return frozenset(tags)


def _closest_tag(spelled: str) -> str:
    # Compare with the tag and its phrase, both as written and word-sorted, so a typo and
    # words in another order ("feedback giving") still find their tag.
    def words(text: str) -> str:
        return " ".join(sorted(re.split(r"[\s_-]+", text)))

    def similarity(tag: str) -> float:
        return max(
            difflib.SequenceMatcher(None, candidate, form).ratio()
            for form in (tag, GOAL_TAGS[tag].lower())
            for candidate, form in ((spelled, form), (words(spelled), words(form)))
        )

    return max(GOAL_TAGS, key=similarity)


def _choice(raw: str, column: str, allowed: Sequence[str], report: _RowProblems) -> str:
    value = "_".join(raw.lower().replace("-", " ").split())
    if value in allowed:
        return value
    report.add(f"{column} must be one of {', '.join(allowed)}, got {raw!r}")
    return allowed[0]


def _boolean(raw: str, column: str, report: _RowProblems) -> bool:
    if not raw:
        return False
    value = BOOLEANS.get(raw.lower())
    if value is None:
        report.add(f"{column} must be yes or no (or true/false, 1/0), got {raw!r}")
        return False
    return value


def _ids(raw: str, column: str, own_id: str, report: _RowProblems) -> tuple[str, ...]:
    ids = tuple(dict.fromkeys(_split(raw)))
    if own_id and own_id in ids:
        report.add(f"{column} lists the person's own id {own_id!r}")
    return tuple(i for i in ids if i != own_id)


def _split(raw: str) -> Iterable[str]:
    return (part.strip() for part in raw.split(LIST_SEPARATOR) if part.strip())


def _did_you_mean(value: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(value, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""
