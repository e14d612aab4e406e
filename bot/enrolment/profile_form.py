"""The profile form: its vocabulary, block and action ids, and the parser of a submitted modal.

Pure: no Slack calls, no database. `parse_submission` turns the `view.state.values` of a
`view_submission` into a `ProfileInput`, or into the field errors to answer with
`response_action: errors`. The modal itself is built in `bot.slack.blocks.profile` from the
same ids.
"""

from __future__ import annotations

import datetime
import difflib
import enum
import functools
import re
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from bot.domain import MAX_GOALS, Cadence
from bot.enrolment.goals import GOAL_TAGS
from bot.slack.copy import profile as copy

CALLBACK_ID: Final = "profile_modal"

# Block ids are the keys of `state.values` and of the errors we send back; action ids are the
# keys inside each block. Input elements here do not dispatch actions, so no handler needs them.
BLOCK_INTRO: Final = "intro"
BLOCK_FUNCTION: Final = "function"
ACTION_FUNCTION: Final = "function_select"
BLOCK_LEVEL: Final = "level"
ACTION_LEVEL: Final = "level_select"
BLOCK_TIME_ZONE: Final = "time_zone"
ACTION_TIME_ZONE: Final = "time_zone_input"
BLOCK_WORK_START: Final = "work_start"
ACTION_WORK_START: Final = "work_start_time"
BLOCK_WORK_END: Final = "work_end"
ACTION_WORK_END: Final = "work_end_time"
BLOCK_GOALS_INTRO: Final = "goals_intro"
BLOCK_GOALS: Final[tuple[str, ...]] = tuple(f"goal_{n}" for n in range(1, MAX_GOALS + 1))
ACTION_GOAL: Final = "goal_input"
BLOCK_GOAL_TAGS: Final = "goal_tags"
ACTION_GOAL_TAGS: Final = "goal_tags_select"
BLOCK_SKILLS: Final = "skills"
ACTION_SKILLS: Final = "skills_select"
BLOCK_CADENCE: Final = "cadence"
ACTION_CADENCE: Final = "cadence_choice"
BLOCK_DO_NOT_PAIR: Final = "do_not_pair"
ACTION_DO_NOT_PAIR: Final = "do_not_pair_users"

# Every block that can carry an error, in the order the modal shows them.
INPUT_BLOCKS: Final[tuple[str, ...]] = (
    BLOCK_FUNCTION,
    BLOCK_LEVEL,
    BLOCK_TIME_ZONE,
    BLOCK_WORK_START,
    BLOCK_WORK_END,
    *BLOCK_GOALS,
    BLOCK_GOAL_TAGS,
    BLOCK_SKILLS,
    BLOCK_CADENCE,
    BLOCK_DO_NOT_PAIR,
)

GOAL_MAX_LENGTH: Final = 150
MAX_TOPICS: Final = 5  # goal tags and skills, each
MAX_DO_NOT_PAIR: Final = 20
MIN_WORKING_MINUTES: Final = 120
TIME_ZONE_MAX_LENGTH: Final = 64  # Person.time_zone is VARCHAR(64)
DEFAULT_WORK_START: Final = datetime.time(9, 0)
DEFAULT_WORK_END: Final = datetime.time(17, 0)
# Preselected for newcomers: a common peer-coaching rhythm, and one click less to join.
DEFAULT_CADENCE: Final = Cadence.FORTNIGHTLY

# Stored in Person.function; the names people see are in `bot.slack.copy.profile.FUNCTION_NAMES`.
# Values are slugs so that renaming a function in the copy does not orphan stored profiles.
FUNCTIONS: Final[tuple[str, ...]] = (
    "engineering",
    "product",
    "design",
    "data",
    "sales",
    "marketing",
    "customer-success",
    "support",
    "operations",
    "finance",
    "people",
    "legal",
    "it",
    "research",
    "general-management",
    "other",
)

# (level, title, description), most junior first; Person.level is checked to be 1-6.
LEVELS: Final[tuple[tuple[int, str, str], ...]] = tuple(
    (level, copy.LEVEL_TITLES[level], copy.LEVEL_DESCRIPTIONS[level]) for level in range(1, 7)
)

CADENCES: Final[tuple[Cadence, ...]] = (Cadence.WEEKLY, Cadence.FORTNIGHTLY, Cadence.MONTHLY)


@dataclass(frozen=True, slots=True)
class ProfileInput:
    function: str
    level: int
    time_zone: str
    work_start: datetime.time
    work_end: datetime.time
    goals: tuple[str, ...]  # free text, stripped, empties removed, <= MAX_GOALS
    goal_tags: tuple[str, ...]
    skills: tuple[str, ...]
    cadence: Cadence
    do_not_pair: tuple[str, ...]  # Slack user ids


@dataclass(frozen=True, slots=True)
class ProfileDefaults:
    """What we know before the person has a profile."""

    time_zone: str | None  # from users.info (or the HR import); None when neither has one
    function: str | None = None  # from the HR import
    level: int | None = None  # from the HR import


@dataclass(frozen=True, slots=True)
class FromHr:
    """Which profile fields the HR import filled in, and whether people may change them."""

    function: bool = False
    level: bool = False
    locked: bool = False


def level_title(level: int) -> str:
    """The level as people see it, e.g. "3 · Experienced"; never raises."""
    title = copy.LEVEL_TITLES.get(level)
    if title is None:
        return copy.LEVEL_UNKNOWN.format(level=level)
    return copy.LEVEL_OPTION.format(level=level, title=title)


def function_label(function: str) -> str:
    """The readable name of a stored function; an unknown one (an older list) reads as itself."""
    return copy.FUNCTION_NAMES.get(function, function)


def working_minutes(start: datetime.time, end: datetime.time) -> int:
    """Length of the working day in minutes; an end before the start runs past midnight."""
    return ((end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)) % (24 * 60)


# --- time zones -------------------------------------------------------------------------------

# Present in the tz database but not places: "localtime" is the server's own zone and "Factory"
# a placeholder that reads "-00".
_NOT_PLACES: Final = frozenset({"localtime", "Factory", "posixrules"})


@functools.cache
def _zones() -> dict[str, str]:
    """Lower-cased IANA name -> IANA name."""
    return {
        name.lower(): name
        for name in zoneinfo.available_timezones()
        if name not in _NOT_PLACES and not name.startswith(("posix/", "right/"))
    }


@functools.cache
def _suggestable() -> dict[str, str]:
    """Like `_zones`, less Etc/*: "Etc/GMT+2" is UTC-2, a trap to offer someone who typed GMT+2."""
    return {key: name for key, name in _zones().items() if not key.startswith("etc/")}


@functools.cache
def _cities() -> dict[str, str]:
    """Lower-cased last part ("berlin", "new_york") -> IANA name, for people who type a city."""
    cities: dict[str, str] = {}
    # Shorter names first so that, say, "indianapolis" suggests the plainer of its two links.
    for name in sorted(_suggestable().values(), key=lambda n: (n.count("/"), n)):
        if "/" in name:
            cities.setdefault(name.rsplit("/", 1)[1].lower(), name)
    return cities


def _zone_key(name: str) -> str:
    # People write "America/New York" and "europe/berlin"; the database says New_York, Berlin.
    return "_".join(name.strip().split()).lower()[:TIME_ZONE_MAX_LENGTH]


def canonical_time_zone(name: str) -> str | None:
    """The IANA name `name` stands for, ignoring case and spaces; None if there is none."""
    return _zones().get(_zone_key(name))


def suggest_time_zone(name: str) -> str | None:
    """The valid IANA name closest to an unknown one, or None when nothing is close.

    A city ("Berlin") or a misspelt full name ("Europe/Berln") gets a suggestion; abbreviations
    such as "PST" or "CEST" do not, because the nearest name by spelling would be the wrong place.
    """
    key = _zone_key(name)
    city = key.rsplit("/", 1)[-1]
    if not city:
        return None
    if city in _cities():
        return _cities()[city]
    stripped = name.strip()
    if stripped.isalpha() and stripped.isupper() and len(stripped) <= 5:
        return None  # an abbreviation: "CEST" is nearest to "west" by spelling, not by place
    if "/" in key:
        close = difflib.get_close_matches(key, _suggestable().keys(), n=1, cutoff=0.6)
        if close:
            return _suggestable()[close[0]]
    close = difflib.get_close_matches(city, _cities().keys(), n=1, cutoff=0.75)
    if close:
        return _cities()[close[0]]
    return None


# --- reading state.values ---------------------------------------------------------------------


class _Bad(enum.Enum):
    ABSENT = "absent"  # the block is not in the payload
    MALFORMED = "malformed"  # it is there, in a shape Slack does not send


_TIME = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])")
# Slack user ids are upper-case letters and digits (U..., W... on Enterprise Grid).
_USER_ID = re.compile(r"[A-Z0-9]{1,32}")


def _action_state(values: object, block_id: str, action_id: str) -> Mapping[str, Any] | _Bad:
    if not isinstance(values, Mapping):
        return _Bad.ABSENT
    block = values.get(block_id)
    if block is None:
        return _Bad.ABSENT
    if not isinstance(block, Mapping):
        return _Bad.MALFORMED
    state = block.get(action_id)
    if not isinstance(state, Mapping):
        return _Bad.MALFORMED
    return state


def _selected_value(state: Mapping[str, Any] | _Bad) -> str | _Bad | None:
    """A single selection's value; None when nothing is selected."""
    if isinstance(state, _Bad):
        return state
    option = state.get("selected_option")
    if option is None:
        return None
    if isinstance(option, Mapping) and isinstance(option.get("value"), str):
        value: str = option["value"]
        return value
    return _Bad.MALFORMED


def _selected_values(state: Mapping[str, Any] | _Bad) -> list[str] | _Bad:
    """A multi-select's values in the order chosen; absent reads as nothing chosen."""
    if state is _Bad.ABSENT:
        return []
    if isinstance(state, _Bad):
        return state
    options = state.get("selected_options")
    if options is None:
        return []
    if not isinstance(options, list):
        return _Bad.MALFORMED
    chosen: list[str] = []
    for option in options:
        if not (isinstance(option, Mapping) and isinstance(option.get("value"), str)):
            return _Bad.MALFORMED
        chosen.append(option["value"])
    return chosen


def _text(state: Mapping[str, Any] | _Bad) -> str | _Bad:
    """A plain text input's value, "" when empty."""
    if isinstance(state, _Bad):
        return state
    value = state.get("value")
    if value is None:
        return ""
    if not isinstance(value, str):
        return _Bad.MALFORMED
    return value


def _dedupe(items: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


class _Parser:
    """Reads one submission, collecting at most one error per block."""

    def __init__(self, values: object, submitter_id: str) -> None:
        self.values = values
        self.submitter_id = submitter_id
        self.errors: dict[str, str] = {}

    def state(self, block_id: str, action_id: str) -> Mapping[str, Any] | _Bad:
        return _action_state(self.values, block_id, action_id)

    def function(self) -> str | None:
        value = _selected_value(self.state(BLOCK_FUNCTION, ACTION_FUNCTION))
        if value is None or value is _Bad.ABSENT:
            self.errors[BLOCK_FUNCTION] = copy.ERROR_FUNCTION_MISSING
        elif isinstance(value, _Bad) or value not in FUNCTIONS:
            self.errors[BLOCK_FUNCTION] = copy.ERROR_FUNCTION_UNKNOWN
        else:
            return value
        return None

    def level(self) -> int | None:
        value = _selected_value(self.state(BLOCK_LEVEL, ACTION_LEVEL))
        by_value = {str(level): level for level, _title, _description in LEVELS}
        if value is None or value is _Bad.ABSENT:
            self.errors[BLOCK_LEVEL] = copy.ERROR_LEVEL_MISSING
        elif isinstance(value, _Bad) or value not in by_value:
            self.errors[BLOCK_LEVEL] = copy.ERROR_LEVEL_UNKNOWN
        else:
            return by_value[value]
        return None

    def time_zone(self) -> str | None:
        raw = _text(self.state(BLOCK_TIME_ZONE, ACTION_TIME_ZONE))
        if isinstance(raw, _Bad) or not raw.strip():
            self.errors[BLOCK_TIME_ZONE] = copy.ERROR_TIME_ZONE_MISSING
            return None
        zone = canonical_time_zone(raw)
        if zone is not None:
            return zone
        given = " ".join(raw.split())
        if len(given) > 40:  # keep the message short whatever was pasted
            given = given[:39] + "…"
        suggestion = suggest_time_zone(raw)
        self.errors[BLOCK_TIME_ZONE] = (
            copy.ERROR_TIME_ZONE_SUGGEST.format(given=given, suggestion=suggestion)
            if suggestion
            else copy.ERROR_TIME_ZONE_UNKNOWN.format(given=given)
        )
        return None

    def time(self, block_id: str, action_id: str) -> datetime.time | None:
        state = self.state(block_id, action_id)
        selected = None if isinstance(state, _Bad) else state.get("selected_time")
        if selected is None:
            self.errors[block_id] = copy.ERROR_TIME_MISSING
            return None
        match = _TIME.fullmatch(selected) if isinstance(selected, str) else None
        if match is None:
            self.errors[block_id] = copy.ERROR_TIME_INVALID
            return None
        return datetime.time(int(match[1]), int(match[2]))

    def working_hours(self) -> tuple[datetime.time, datetime.time] | None:
        start = self.time(BLOCK_WORK_START, ACTION_WORK_START)
        end = self.time(BLOCK_WORK_END, ACTION_WORK_END)
        if start is None or end is None:
            return None
        minutes = working_minutes(start, end)
        if minutes == 0:
            self.errors[BLOCK_WORK_END] = copy.ERROR_HOURS_EQUAL
        elif minutes < MIN_WORKING_MINUTES:
            self.errors[BLOCK_WORK_END] = copy.ERROR_HOURS_TOO_SHORT.format(
                hours=MIN_WORKING_MINUTES // 60
            )
        else:
            return start, end
        return None

    def goals(self) -> tuple[str, ...]:
        goals: list[str] = []
        for block_id in BLOCK_GOALS:
            state = self.state(block_id, ACTION_GOAL)
            if state is _Bad.ABSENT:  # an optional field; Slack sends it even when empty
                continue
            raw = _text(state)
            if isinstance(raw, _Bad):
                self.errors[block_id] = copy.ERROR_GOAL_INVALID
                continue
            # One line each: pasted newlines and runs of spaces would break summaries.
            goal = " ".join(raw.split())
            if len(goal) > GOAL_MAX_LENGTH:
                self.errors[block_id] = copy.ERROR_GOAL_TOO_LONG.format(
                    limit=GOAL_MAX_LENGTH, length=len(goal)
                )
            elif goal:
                goals.append(goal)
        return tuple(goals)

    def topics(self, block_id: str, action_id: str) -> tuple[str, ...]:
        chosen = _selected_values(self.state(block_id, action_id))
        if isinstance(chosen, _Bad) or any(tag not in GOAL_TAGS for tag in chosen):
            self.errors[block_id] = copy.ERROR_TOPICS_UNKNOWN
            return ()
        tags = _dedupe(chosen)
        if len(tags) > MAX_TOPICS:
            self.errors[block_id] = copy.ERROR_TOPICS_TOO_MANY.format(limit=MAX_TOPICS)
            return ()
        return tags

    def cadence(self) -> Cadence | None:
        value = _selected_value(self.state(BLOCK_CADENCE, ACTION_CADENCE))
        by_value = {cadence.value: cadence for cadence in CADENCES}
        if value is None or value is _Bad.ABSENT:
            self.errors[BLOCK_CADENCE] = copy.ERROR_CADENCE_MISSING
        elif isinstance(value, _Bad) or value not in by_value:
            self.errors[BLOCK_CADENCE] = copy.ERROR_CADENCE_UNKNOWN
        else:
            return by_value[value]
        return None

    def do_not_pair(self) -> tuple[str, ...]:
        state = self.state(BLOCK_DO_NOT_PAIR, ACTION_DO_NOT_PAIR)
        if state is _Bad.ABSENT:
            return ()
        users = state.get("selected_users") if isinstance(state, Mapping) else ()
        if users is None:
            users = []
        if not isinstance(users, list) or not all(
            isinstance(user, str) and _USER_ID.fullmatch(user) for user in users
        ):
            self.errors[BLOCK_DO_NOT_PAIR] = copy.ERROR_DO_NOT_PAIR_INVALID
            return ()
        blocked = _dedupe(users)
        if self.submitter_id in blocked:
            self.errors[BLOCK_DO_NOT_PAIR] = copy.ERROR_DO_NOT_PAIR_SELF
        elif len(blocked) > MAX_DO_NOT_PAIR:
            self.errors[BLOCK_DO_NOT_PAIR] = copy.ERROR_DO_NOT_PAIR_TOO_MANY.format(
                limit=MAX_DO_NOT_PAIR
            )
        else:
            return blocked
        return ()


def parse_submission(
    values: Mapping[str, Mapping[str, Any]], *, submitter_id: str
) -> ProfileInput | dict[str, str]:
    """Read `view["state"]["values"]` of a profile modal submission.

    Returns the profile, or block_id -> short error for `response_action: errors`. Never raises:
    whatever the payload holds, a missing or odd field becomes an error on its block.
    """
    parser = _Parser(values, submitter_id)
    function = parser.function()
    level = parser.level()
    time_zone = parser.time_zone()
    hours = parser.working_hours()
    goals = parser.goals()
    goal_tags = parser.topics(BLOCK_GOAL_TAGS, ACTION_GOAL_TAGS)
    skills = parser.topics(BLOCK_SKILLS, ACTION_SKILLS)
    cadence = parser.cadence()
    do_not_pair = parser.do_not_pair()

    goal_blocks = (*BLOCK_GOALS, BLOCK_GOAL_TAGS)
    if not goals and not goal_tags and not any(b in parser.errors for b in goal_blocks):
        parser.errors[BLOCK_GOALS[0]] = copy.ERROR_NO_GOAL

    if (
        parser.errors
        or function is None
        or level is None
        or time_zone is None
        or hours is None
        or cadence is None
    ):
        return parser.errors
    return ProfileInput(
        function=function,
        level=level,
        time_zone=time_zone,
        work_start=hours[0],
        work_end=hours[1],
        goals=goals,
        goal_tags=goal_tags,
        skills=skills,
        cadence=cadence,
        do_not_pair=do_not_pair,
    )
