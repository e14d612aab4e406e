"""Read and check an HR export (CSV) before anything is looked up or stored.

Every problem in the file is collected, each on one line with the spreadsheet row it is on
(the header is row 1), so whoever fixes the export sees them all at once. The columns are
documented in README.md ("People data from HR").
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from bot.enrolment.profile_form import FUNCTIONS
from bot.matching.reporting import find_cycles
from bot.matching.roster import _did_you_mean, _zone, _zone_hint
from bot.slack.copy.profile import FUNCTION_NAMES

IDENTITY_COLUMNS: tuple[str, ...] = ("email", "slack_id")
COLUMNS: tuple[str, ...] = (
    "email",
    "slack_id",
    "function",
    "level",
    "title",
    "location",
    "time_zone",
    "manager_email",
    "manager_slack_id",
    "department",
    "start_date",
)
# Widths of the directory_entries columns.
LIMITS: dict[str, int] = {
    "email": 255,
    "title": 150,
    "location": 100,
    "department": 100,
}
MIN_LEVEL, MAX_LEVEL = 1, 6
MAX_ROWS = 50_000
_SLACK_ID = re.compile(r"^[UW][A-Z0-9]{2,31}$")
_EMAIL = re.compile(r"^[^@\s,;]+@[^@\s,;]+\.[^@\s,;]+$")
_OTHER_DELIMITERS = (";", "\t", "|")

# Function names as HR systems spell them: the slug, the name people see, any case.
_FUNCTION_SPELLINGS: dict[str, str] = {
    **{slug: slug for slug in FUNCTIONS},
    **{name.casefold(): slug for slug, name in FUNCTION_NAMES.items()},
    **{slug.replace("-", " "): slug for slug in FUNCTIONS},
}


class HrFileError(Exception):
    """The file cannot be imported; `problems` holds one line per problem, with its row."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems: tuple[str, ...] = tuple(problems)
        super().__init__("\n".join(self.problems))


@dataclass(frozen=True, slots=True)
class HrRow:
    """One person as the file describes them; `manager_row` is the row of their manager."""

    row: int
    email: str | None
    slack_id: str | None
    function: str | None
    level: int | None
    title: str | None
    location: str | None
    time_zone: str | None
    department: str | None
    start_date: date | None
    manager_email: str | None = None
    manager_slack_id: str | None = None
    manager_row: int | None = None

    @property
    def key(self) -> str:
        """How problems name the person: their email or Slack id, never a name."""
        return self.email or self.slack_id or f"row {self.row}"


@dataclass(frozen=True, slots=True)
class HrFile:
    rows: tuple[HrRow, ...]
    columns: frozenset[str] = field(default_factory=frozenset)


def decode(data: bytes) -> str:
    try:
        # utf-8-sig: spreadsheet programs often put a byte-order mark before the header.
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise HrFileError(
            ["the file is not UTF-8 text; export it from the spreadsheet as CSV UTF-8"]
        ) from None


def parse_hr_file(text: str) -> HrFile:
    """Check the whole file; raises `HrFileError` listing every problem found."""
    try:
        rows = list(csv.reader(io.StringIO(text)))
    except csv.Error as exc:
        raise HrFileError([f"cannot read the file as CSV: {exc}"]) from None
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise HrFileError(["row 1: the file is empty; its first row must be a header"])
    if len(rows) - 1 > MAX_ROWS:
        raise HrFileError([f"the file has {len(rows) - 1} rows; split it below {MAX_ROWS}"])
    header, problems = _header(rows[0])
    if problems:
        raise HrFileError(problems)

    parsed: list[HrRow] = []
    for index, cells in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) > len(header) and any(cell.strip() for cell in cells[len(header) :]):
            problems.append(
                f"row {index}: has more values than the header has columns (a comma inside a "
                "value needs the value in double quotes)"
            )
            continue
        values = {name: cell.strip() for name, cell in zip(header, cells, strict=False) if name}
        parsed.append(_row(index, values, problems))
    parsed = _link_managers(parsed, problems)
    if problems:
        raise HrFileError(sorted(problems, key=_row_number))
    return HrFile(rows=tuple(parsed), columns=frozenset(n for n in header if n))


def _row_number(problem: str) -> int:
    found = re.match(r"row (\d+)", problem)
    return int(found.group(1)) if found else 0


def _header(cells: Sequence[str]) -> tuple[tuple[str, ...], list[str]]:
    if len(cells) == 1:
        for delimiter in _OTHER_DELIMITERS:
            if delimiter in cells[0]:
                shown = "a tab" if delimiter == "\t" else repr(delimiter)
                return (), [
                    f"row 1 (header): the columns are separated by {shown}, not commas; save "
                    "the file as comma-separated CSV"
                ]
    names = tuple(cell.strip().lower().replace(" ", "_") for cell in cells)
    problems: list[str] = []
    seen: set[str] = set()
    for name in names:
        if not name:
            continue
        if name not in COLUMNS:
            problems.append(
                f"row 1 (header): unknown column {name!r}{_did_you_mean(name, COLUMNS)}; "
                f"the columns are {', '.join(COLUMNS)}"
            )
        elif name in seen:
            problems.append(f"row 1 (header): column {name!r} appears twice")
        seen.add(name)
    if not seen & set(IDENTITY_COLUMNS):
        problems.append("row 1 (header): the file needs an email or a slack_id column")
    return names, problems


def _row(index: int, values: dict[str, str], problems: list[str]) -> HrRow:

    def add(message: str) -> None:
        problems.append(f"row {index}: {message}")

    def text(column: str) -> str | None:
        value = " ".join(values.get(column, "").split())
        limit = LIMITS.get(column)
        if limit is not None and len(value) > limit:
            add(f"{column} is longer than {limit} characters")
        return value or None

    email = _email(values.get("email", ""), "email", add)
    slack_id = _slack_id(values.get("slack_id", ""), "slack_id", add)
    if email is None and slack_id is None and not any(values.get(c) for c in IDENTITY_COLUMNS):
        add("needs an email or a slack_id to find the person in Slack")
    manager_email = _email(values.get("manager_email", ""), "manager_email", add)
    manager_slack_id = _slack_id(values.get("manager_slack_id", ""), "manager_slack_id", add)
    if (email and manager_email == email) or (slack_id and manager_slack_id == slack_id):
        add("the person is given as their own manager; leave the manager empty at the top")

    function = None
    raw_function = values.get("function", "")
    if raw_function:
        function = _FUNCTION_SPELLINGS.get(" ".join(raw_function.casefold().split()))
        if function is None:
            names = list(FUNCTION_NAMES.values())
            add(
                f"unknown function {raw_function!r}{_did_you_mean(raw_function, names)}; "
                f"the functions are {', '.join(names)}"
            )
    level = None
    raw_level = values.get("level", "")
    if raw_level:
        if re.fullmatch(r"[+-]?\d+", raw_level) and MIN_LEVEL <= int(raw_level) <= MAX_LEVEL:
            level = int(raw_level)
        else:
            add(
                f"level must be a whole number from {MIN_LEVEL} (most junior) to {MAX_LEVEL}, "
                f"got {raw_level!r}"
            )
    time_zone = None
    raw_zone = values.get("time_zone", "")
    if raw_zone:
        zone = _zone(raw_zone)
        if zone is None:
            add(
                f"unknown time_zone {raw_zone!r}: use an IANA name such as Europe/Berlin"
                f"{_zone_hint(raw_zone)}"
            )
        else:
            time_zone = zone.key
    start_date = None
    raw_start = values.get("start_date", "")
    if raw_start:
        try:
            start_date = date.fromisoformat(raw_start)
        except ValueError:
            add(f"start_date must be a date as YYYY-MM-DD, got {raw_start!r}")
    row = HrRow(
        row=index,
        email=email,
        slack_id=slack_id,
        function=function,
        level=level,
        title=text("title"),
        location=text("location"),
        time_zone=time_zone,
        department=text("department"),
        start_date=start_date,
        manager_email=manager_email,
        manager_slack_id=manager_slack_id,
    )
    # A row with problems still takes part in the checks across rows (duplicates, managers),
    # so one pass reports everything; the file is refused as a whole anyway.
    return row


def _email(raw: str, column: str, add: Callable[[str], None]) -> str | None:
    value = raw.strip().lower()
    if not value:
        return None
    if not _EMAIL.match(value) or len(value) > LIMITS["email"]:
        add(f"{column} {raw!r} is not an email address")
        return None
    return value


def _slack_id(raw: str, column: str, add: Callable[[str], None]) -> str | None:
    value = raw.strip().upper()
    if not value:
        return None
    if not _SLACK_ID.match(value):
        add(f"{column} {raw!r} is not a Slack member id (it looks like U0123ABCD)")
        return None
    return value


def _link_managers(rows: list[HrRow], problems: list[str]) -> list[HrRow]:
    """Duplicates, managers who are not in the file, and loops in the reporting lines."""
    by_email: dict[str, HrRow] = {}
    by_slack: dict[str, HrRow] = {}
    kept: list[HrRow] = []
    for row in rows:
        duplicate = False
        if row.email is not None:
            first = by_email.get(row.email)
            if first is not None:
                problems.append(
                    f"row {row.row}: email {row.email!r} is already on row {first.row}; each "
                    "person once"
                )
                duplicate = True
            else:
                by_email[row.email] = row
        if row.slack_id is not None:
            first = by_slack.get(row.slack_id)
            if first is not None:
                problems.append(
                    f"row {row.row}: slack_id {row.slack_id!r} is already on row {first.row}; "
                    "each person once"
                )
                duplicate = True
            else:
                by_slack[row.slack_id] = row
        if not duplicate:
            kept.append(row)

    linked: list[HrRow] = []
    for row in kept:
        manager: HrRow | None = None
        if row.manager_email is not None:
            manager = by_email.get(row.manager_email)
            if manager is None:
                problems.append(
                    f"row {row.row}: manager_email {row.manager_email!r} is not anyone's email "
                    "in this file; add the manager as a row of their own"
                )
        elif row.manager_slack_id is not None:
            manager = by_slack.get(row.manager_slack_id)
            if manager is None:
                problems.append(
                    f"row {row.row}: manager_slack_id {row.manager_slack_id!r} is not anyone's "
                    "slack_id in this file; add the manager as a row of their own"
                )
        # Someone given as their own manager is reported on their row already.
        own = manager is not None and manager.row == row.row
        linked.append(_with_manager(row, manager.row if manager and not own else None))

    managers = {str(r.row): str(r.manager_row) for r in linked if r.manager_row is not None}
    for cycle in find_cycles(managers):
        ids = [int(r) for r in cycle]
        start = ids.index(min(ids))
        ordered = ids[start:] + ids[:start]
        chain = " -> ".join(f"row {r}" for r in (*ordered, ordered[0]))
        problems.append(
            f"row {ordered[0]}: the manager chain goes round in a loop ({chain}); somebody "
            "in it must have a different manager"
        )
    return linked


def _with_manager(row: HrRow, manager_row: int | None) -> HrRow:
    return replace(row, manager_row=manager_row)
