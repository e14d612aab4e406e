"""The profile modal and its parser: round trips, every field's errors, fuzzed payloads.

Pure tests: the modal is checked with slack_sdk's own models and read back the way Slack would
send it in a view_submission.
"""

from __future__ import annotations

import copy as copying
import datetime
import functools
import zoneinfo
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from slack_sdk.models.views import View

from bot.domain import MAX_GOALS, Cadence
from bot.enrolment.goals import GOAL_TAGS
from bot.enrolment.profile_form import (
    ACTION_CADENCE,
    ACTION_DO_NOT_PAIR,
    ACTION_FUNCTION,
    ACTION_GOAL,
    ACTION_GOAL_TAGS,
    ACTION_LEVEL,
    ACTION_SKILLS,
    ACTION_TIME_ZONE,
    ACTION_WORK_END,
    ACTION_WORK_START,
    BLOCK_CADENCE,
    BLOCK_DO_NOT_PAIR,
    BLOCK_FUNCTION,
    BLOCK_GOAL_TAGS,
    BLOCK_GOALS,
    BLOCK_LEVEL,
    BLOCK_SKILLS,
    BLOCK_TIME_ZONE,
    BLOCK_WORK_END,
    BLOCK_WORK_START,
    CALLBACK_ID,
    FUNCTIONS,
    GOAL_MAX_LENGTH,
    INPUT_BLOCKS,
    LEVELS,
    MAX_DO_NOT_PAIR,
    MAX_TOPICS,
    ProfileDefaults,
    ProfileInput,
    canonical_time_zone,
    level_title,
    parse_submission,
    working_minutes,
)
from bot.slack.blocks.profile import profile_modal, profile_summary
from bot.slack.copy import profile as copy

ME = "U0SUBMITTER"
Values = dict[str, dict[str, Any]]
TAGS = list(GOAL_TAGS)


def profile(**changes: Any) -> ProfileInput:
    base = ProfileInput(
        function="engineering",
        level=3,
        time_zone="Europe/Berlin",
        work_start=datetime.time(9, 0),
        work_end=datetime.time(17, 30),
        goals=("Give clearer feedback to my team",),
        goal_tags=("giving-feedback", "delegation"),
        skills=("hiring",),
        cadence=Cadence.FORTNIGHTLY,
        do_not_pair=("U0BOSS", "W0EXPARTNER"),
    )
    fields = {name: getattr(base, name) for name in ProfileInput.__slots__}
    return ProfileInput(**{**fields, **changes})


def input_blocks(modal: dict[str, Any]) -> list[dict[str, Any]]:
    return [block for block in modal["blocks"] if block["type"] == "input"]


def state_values(modal: dict[str, Any]) -> Values:
    """What Slack sends as view.state.values when the modal is submitted untouched."""
    values: Values = {}
    for block in input_blocks(modal):
        element = block["element"]
        kind = element["type"]
        state: dict[str, Any] = {"type": kind}
        if kind in ("static_select", "radio_buttons"):
            state["selected_option"] = element.get("initial_option")
        elif kind == "multi_static_select":
            state["selected_options"] = element.get("initial_options", [])
        elif kind == "plain_text_input":
            state["value"] = element.get("initial_value")
        elif kind == "timepicker":
            state["selected_time"] = element.get("initial_time")
        elif kind == "multi_users_select":
            state["selected_users"] = element.get("initial_users", [])
        else:
            raise AssertionError(f"unexpected element {kind}")
        values[block["block_id"]] = {element["action_id"]: state}
    return values


@functools.cache
def _valid_values() -> Values:
    return state_values(profile_modal(profile(), private_metadata="", is_new=False))


def valid_values() -> Values:
    """A fresh copy of a valid payload; building the modal each time would slow the fuzzing."""
    return copying.deepcopy(_valid_values())


def _option(value: str) -> dict[str, Any]:
    return {"text": {"type": "plain_text", "text": value}, "value": value}


# Mutations of a valid payload, each a function of the values dict.
Mutation = Callable[[Values], None]


def select(block: str, action: str, value: Any) -> Mutation:
    def mutate(values: Values) -> None:
        option = _option(value) if isinstance(value, str) else value
        values[block][action]["selected_option"] = option

    return mutate


def multi(block: str, action: str, chosen: Any) -> Mutation:
    def mutate(values: Values) -> None:
        options = [_option(v) for v in chosen] if isinstance(chosen, list) else chosen
        values[block][action]["selected_options"] = options

    return mutate


def field(block: str, action: str, key: str, value: Any) -> Mutation:
    def mutate(values: Values) -> None:
        values[block][action][key] = value

    return mutate


def text(block: str, value: Any) -> Mutation:
    action = ACTION_TIME_ZONE if block == BLOCK_TIME_ZONE else ACTION_GOAL
    return field(block, action, "value", value)


def hours(start: Any, end: Any) -> Mutation:
    def mutate(values: Values) -> None:
        values[BLOCK_WORK_START][ACTION_WORK_START]["selected_time"] = start
        values[BLOCK_WORK_END][ACTION_WORK_END]["selected_time"] = end

    return mutate


def users(chosen: Any) -> Mutation:
    return field(BLOCK_DO_NOT_PAIR, ACTION_DO_NOT_PAIR, "selected_users", chosen)


def replace_block(block: str, replacement: Any) -> Mutation:
    def mutate(values: Values) -> None:
        values[block] = replacement

    return mutate


def drop_block(block: str) -> Mutation:
    def mutate(values: Values) -> None:
        del values[block]

    return mutate


def all_of(*mutations: Mutation) -> Mutation:
    def mutate(values: Values) -> None:
        for each in mutations:
            each(values)

    return mutate


def no_goals(values: Values) -> None:
    for block in BLOCK_GOALS:
        values[block][ACTION_GOAL]["value"] = None
    values[BLOCK_GOAL_TAGS][ACTION_GOAL_TAGS]["selected_options"] = []


def parsed(*mutations: Mutation) -> ProfileInput | dict[str, str]:
    values = valid_values()
    for mutate in mutations:
        mutate(values)
    return parse_submission(values, submitter_id=ME)


def ok(*mutations: Mutation) -> ProfileInput:
    result = parsed(*mutations)
    assert isinstance(result, ProfileInput), result
    return result


# --- round trip -------------------------------------------------------------------------------

ROUND_TRIP = [
    profile(),
    profile(
        function="other",
        level=1,
        goals=(),
        goal_tags=("public-speaking",),
        skills=(),
        cadence=Cadence.WEEKLY,
        do_not_pair=(),
    ),
    profile(
        level=6,
        time_zone="America/Argentina/Buenos_Aires",
        work_start=datetime.time(22, 0),
        work_end=datetime.time(6, 0),
        goals=("a" * GOAL_MAX_LENGTH, "Second goal", "Third · goal with “quotes” <and> & stuff"),
        goal_tags=(),
        skills=tuple(TAGS[:MAX_TOPICS]),
        cadence=Cadence.MONTHLY,
        do_not_pair=tuple(f"U{n:04d}" for n in range(MAX_DO_NOT_PAIR)),
    ),
    profile(function="general-management", level=5, time_zone="UTC", goal_tags=tuple(TAGS[-5:])),
]


@pytest.mark.parametrize("original", ROUND_TRIP)
def test_round_trip(original: ProfileInput) -> None:
    modal = profile_modal(original, private_metadata="{}", is_new=False)
    assert parse_submission(state_values(modal), submitter_id=ME) == original


@pytest.mark.parametrize(
    ("defaults", "missing"),
    [
        (
            ProfileDefaults(time_zone="Europe/Berlin"),
            {BLOCK_FUNCTION, BLOCK_LEVEL, BLOCK_GOALS[0]},
        ),
        (
            ProfileDefaults(time_zone=None),
            {BLOCK_FUNCTION, BLOCK_LEVEL, BLOCK_TIME_ZONE, BLOCK_GOALS[0]},
        ),
    ],
)
def test_new_person_must_fill_in_the_rest(defaults: ProfileDefaults, missing: set[str]) -> None:
    modal = profile_modal(defaults, private_metadata="", is_new=True)
    errors = parse_submission(state_values(modal), submitter_id=ME)
    assert isinstance(errors, dict)
    assert set(errors) == missing


def test_new_person_defaults() -> None:
    values = state_values(
        profile_modal(ProfileDefaults("Asia/Tokyo"), private_metadata="", is_new=True)
    )
    assert values[BLOCK_TIME_ZONE][ACTION_TIME_ZONE]["value"] == "Asia/Tokyo"
    assert values[BLOCK_WORK_START][ACTION_WORK_START]["selected_time"] == "09:00"
    assert values[BLOCK_WORK_END][ACTION_WORK_END]["selected_time"] == "17:00"
    assert values[BLOCK_CADENCE][ACTION_CADENCE]["selected_option"]["value"] == "fortnightly"
    assert values[BLOCK_DO_NOT_PAIR][ACTION_DO_NOT_PAIR]["selected_users"] == []


# --- valid variations -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mutation", "check"),
    [
        pytest.param(
            hours("22:00", "06:00"),
            lambda p: (p.work_start, p.work_end) == (datetime.time(22), datetime.time(6)),
            id="night shift across midnight",
        ),
        pytest.param(
            hours("23:00", "01:00"),
            lambda p: working_minutes(p.work_start, p.work_end) == 120,
            id="exactly two hours across midnight",
        ),
        pytest.param(
            hours("00:00", "23:59"),
            lambda p: p.work_end == datetime.time(23, 59),
            id="almost all day",
        ),
        pytest.param(
            hours("09:00", "08:59"),
            lambda p: working_minutes(p.work_start, p.work_end) == 24 * 60 - 1,
            id="a day minus a minute, across midnight",
        ),
        pytest.param(
            text(BLOCK_TIME_ZONE, "  europe/berlin "),
            lambda p: p.time_zone == "Europe/Berlin",
            id="time zone case and spaces",
        ),
        pytest.param(
            text(BLOCK_TIME_ZONE, "America/New York"),
            lambda p: p.time_zone == "America/New_York",
            id="time zone with a space for the underscore",
        ),
        pytest.param(
            text(BLOCK_TIME_ZONE, "UTC"),
            lambda p: p.time_zone == "UTC",
            id="UTC",
        ),
        pytest.param(
            all_of(
                text(BLOCK_GOALS[0], "  "),
                text(BLOCK_GOALS[1], " Speak  up\nin meetings "),
                text(BLOCK_GOALS[2], "Delegate"),
            ),
            lambda p: p.goals == ("Speak up in meetings", "Delegate"),
            id="goals stripped, empties removed",
        ),
        pytest.param(
            all_of(*(text(b, None) for b in BLOCK_GOALS)),
            lambda p: p.goals == () and p.goal_tags == ("giving-feedback", "delegation"),
            id="tags alone are a goal",
        ),
        pytest.param(
            multi(BLOCK_GOAL_TAGS, ACTION_GOAL_TAGS, []),
            lambda p: p.goal_tags == () and len(p.goals) == 1,
            id="free text alone is a goal",
        ),
        pytest.param(
            text(BLOCK_GOALS[0], "x" * GOAL_MAX_LENGTH),
            lambda p: p.goals == ("x" * GOAL_MAX_LENGTH,),
            id="goal at the length limit",
        ),
        pytest.param(
            multi(BLOCK_GOAL_TAGS, ACTION_GOAL_TAGS, [*TAGS[:MAX_TOPICS], TAGS[0]]),
            lambda p: p.goal_tags == tuple(TAGS[:MAX_TOPICS]),
            id="duplicate tags collapse",
        ),
        pytest.param(
            users(["U1", "U2", "U1"]),
            lambda p: p.do_not_pair == ("U1", "U2"),
            id="duplicate blocked people collapse",
        ),
        pytest.param(
            users([f"U{n}" for n in range(MAX_DO_NOT_PAIR)]),
            lambda p: len(p.do_not_pair) == MAX_DO_NOT_PAIR,
            id="twenty blocked",
        ),
        pytest.param(
            users(None),
            lambda p: p.do_not_pair == (),
            id="no one blocked",
        ),
        pytest.param(
            all_of(*(drop_block(b) for b in (BLOCK_SKILLS, BLOCK_DO_NOT_PAIR, BLOCK_GOALS[2]))),
            lambda p: p.skills == () and p.do_not_pair == (),
            id="optional blocks absent",
        ),
        pytest.param(
            replace_block(f"goal_{MAX_GOALS + 1}", {ACTION_GOAL: {"value": "Extra"}}),
            lambda p: "Extra" not in p.goals and len(p.goals) <= MAX_GOALS,
            id="a fourth goal block is not read",
        ),
        pytest.param(
            replace_block("unrelated", {"x": {"value": 1}}),
            lambda p: p == profile(),
            id="unknown blocks ignored",
        ),
    ],
)
def test_valid_variations(mutation: Mutation, check: Callable[[ProfileInput], bool]) -> None:
    values = valid_values()
    mutation(values)
    result = parse_submission(values, submitter_id=ME)
    assert isinstance(result, ProfileInput), result
    assert check(result)


# --- errors -----------------------------------------------------------------------------------

ERRORS: list[Any] = [
    # function
    pytest.param(
        select(BLOCK_FUNCTION, ACTION_FUNCTION, None),
        BLOCK_FUNCTION,
        copy.ERROR_FUNCTION_MISSING,
        id="function not chosen",
    ),
    pytest.param(
        select(BLOCK_FUNCTION, ACTION_FUNCTION, "Astrology"),
        BLOCK_FUNCTION,
        copy.ERROR_FUNCTION_UNKNOWN,
        id="function unknown",
    ),
    pytest.param(
        select(BLOCK_FUNCTION, ACTION_FUNCTION, "Engineering"),
        BLOCK_FUNCTION,
        copy.ERROR_FUNCTION_UNKNOWN,
        id="function label instead of value",
    ),
    pytest.param(
        drop_block(BLOCK_FUNCTION),
        BLOCK_FUNCTION,
        copy.ERROR_FUNCTION_MISSING,
        id="function block missing",
    ),
    # level
    pytest.param(
        select(BLOCK_LEVEL, ACTION_LEVEL, None),
        BLOCK_LEVEL,
        copy.ERROR_LEVEL_MISSING,
        id="level not chosen",
    ),
    pytest.param(
        drop_block(BLOCK_LEVEL), BLOCK_LEVEL, copy.ERROR_LEVEL_MISSING, id="level block missing"
    ),
    pytest.param(
        replace_block(BLOCK_LEVEL, None),
        BLOCK_LEVEL,
        copy.ERROR_LEVEL_MISSING,
        id="level block None",
    ),
    *[
        pytest.param(
            select(BLOCK_LEVEL, ACTION_LEVEL, bad),
            BLOCK_LEVEL,
            copy.ERROR_LEVEL_UNKNOWN,
            id=f"level {bad!r}",
        )
        for bad in ["0", "7", "03", "three", " 3", ""]
    ],
    pytest.param(
        select(BLOCK_LEVEL, ACTION_LEVEL, {"value": 3}),
        BLOCK_LEVEL,
        copy.ERROR_LEVEL_UNKNOWN,
        id="level value not a string",
    ),
    pytest.param(
        select(BLOCK_LEVEL, ACTION_LEVEL, {"text": "3"}),
        BLOCK_LEVEL,
        copy.ERROR_LEVEL_UNKNOWN,
        id="level option without value",
    ),
    pytest.param(
        field(BLOCK_LEVEL, ACTION_LEVEL, "selected_option", ["3"]),
        BLOCK_LEVEL,
        copy.ERROR_LEVEL_UNKNOWN,
        id="level option a list",
    ),
    pytest.param(
        replace_block(BLOCK_LEVEL, "3"),
        BLOCK_LEVEL,
        copy.ERROR_LEVEL_UNKNOWN,
        id="level block a string",
    ),
    pytest.param(
        replace_block(BLOCK_LEVEL, {"other_action": {}}),
        BLOCK_LEVEL,
        copy.ERROR_LEVEL_UNKNOWN,
        id="level action missing",
    ),
    # time zone
    pytest.param(
        text(BLOCK_TIME_ZONE, None),
        BLOCK_TIME_ZONE,
        copy.ERROR_TIME_ZONE_MISSING,
        id="time zone empty",
    ),
    pytest.param(
        text(BLOCK_TIME_ZONE, "   "),
        BLOCK_TIME_ZONE,
        copy.ERROR_TIME_ZONE_MISSING,
        id="time zone blank",
    ),
    pytest.param(
        text(BLOCK_TIME_ZONE, 3600),
        BLOCK_TIME_ZONE,
        copy.ERROR_TIME_ZONE_MISSING,
        id="time zone a number",
    ),
    pytest.param(
        text(BLOCK_TIME_ZONE, "Europe/Berln"),
        BLOCK_TIME_ZONE,
        copy.ERROR_TIME_ZONE_SUGGEST.format(given="Europe/Berln", suggestion="Europe/Berlin"),
        id="time zone misspelt",
    ),
    pytest.param(
        text(BLOCK_TIME_ZONE, "Berlin"),
        BLOCK_TIME_ZONE,
        copy.ERROR_TIME_ZONE_SUGGEST.format(given="Berlin", suggestion="Europe/Berlin"),
        id="time zone a city",
    ),
    pytest.param(
        text(BLOCK_TIME_ZONE, "sao paolo"),
        BLOCK_TIME_ZONE,
        copy.ERROR_TIME_ZONE_SUGGEST.format(given="sao paolo", suggestion="America/Sao_Paulo"),
        id="time zone a misspelt city",
    ),
    pytest.param(
        text(BLOCK_TIME_ZONE, "CEST"),
        BLOCK_TIME_ZONE,
        copy.ERROR_TIME_ZONE_UNKNOWN.format(given="CEST"),
        id="time zone abbreviation",
    ),
    pytest.param(
        text(BLOCK_TIME_ZONE, "Mars/Olympus_Mons"),
        BLOCK_TIME_ZONE,
        copy.ERROR_TIME_ZONE_UNKNOWN.format(given="Mars/Olympus_Mons"),
        id="time zone nowhere",
    ),
    pytest.param(
        text(BLOCK_TIME_ZONE, "localtime"), BLOCK_TIME_ZONE, None, id="time zone of the server"
    ),
    pytest.param(
        text(BLOCK_TIME_ZONE, "Europe/Berlin" * 20), BLOCK_TIME_ZONE, None, id="time zone very long"
    ),
    # working hours
    pytest.param(
        hours("09:00", "09:00"), BLOCK_WORK_END, copy.ERROR_HOURS_EQUAL, id="start equals end"
    ),
    pytest.param(
        hours("09:00", "10:59"),
        BLOCK_WORK_END,
        copy.ERROR_HOURS_TOO_SHORT.format(hours=2),
        id="too short",
    ),
    pytest.param(
        hours("23:30", "01:00"),
        BLOCK_WORK_END,
        copy.ERROR_HOURS_TOO_SHORT.format(hours=2),
        id="too short across midnight",
    ),
    pytest.param(
        hours(None, "17:00"), BLOCK_WORK_START, copy.ERROR_TIME_MISSING, id="start missing"
    ),
    pytest.param(hours("09:00", None), BLOCK_WORK_END, copy.ERROR_TIME_MISSING, id="end missing"),
    *[
        pytest.param(
            hours(bad, "17:00"), BLOCK_WORK_START, copy.ERROR_TIME_INVALID, id=f"start {bad!r}"
        )
        for bad in ["9:00", "24:00", "09:60", "09:00:00", "noon", "", 900, ["09:00"]]
    ],
    pytest.param(
        drop_block(BLOCK_WORK_END), BLOCK_WORK_END, copy.ERROR_TIME_MISSING, id="end block missing"
    ),
    # goals
    pytest.param(no_goals, BLOCK_GOALS[0], copy.ERROR_NO_GOAL, id="no goal at all"),
    pytest.param(
        all_of(no_goals, text(BLOCK_GOALS[1], "   ")),
        BLOCK_GOALS[0],
        copy.ERROR_NO_GOAL,
        id="only blank goals",
    ),
    pytest.param(
        all_of(*(drop_block(b) for b in (*BLOCK_GOALS, BLOCK_GOAL_TAGS))),
        BLOCK_GOALS[0],
        copy.ERROR_NO_GOAL,
        id="goal blocks missing",
    ),
    pytest.param(
        text(BLOCK_GOALS[1], "x" * (GOAL_MAX_LENGTH + 1)),
        BLOCK_GOALS[1],
        copy.ERROR_GOAL_TOO_LONG.format(limit=GOAL_MAX_LENGTH, length=GOAL_MAX_LENGTH + 1),
        id="goal too long",
    ),
    pytest.param(
        text(BLOCK_GOALS[2], {"text": "goal"}),
        BLOCK_GOALS[2],
        copy.ERROR_GOAL_INVALID,
        id="goal not a string",
    ),
    pytest.param(
        replace_block(BLOCK_GOALS[0], ["goal"]),
        BLOCK_GOALS[0],
        copy.ERROR_GOAL_INVALID,
        id="goal block a list",
    ),
    pytest.param(
        multi(BLOCK_GOAL_TAGS, ACTION_GOAL_TAGS, TAGS[: MAX_TOPICS + 1]),
        BLOCK_GOAL_TAGS,
        copy.ERROR_TOPICS_TOO_MANY.format(limit=MAX_TOPICS),
        id="too many goal tags",
    ),
    pytest.param(
        multi(BLOCK_GOAL_TAGS, ACTION_GOAL_TAGS, ["giving-feedback", "juggling"]),
        BLOCK_GOAL_TAGS,
        copy.ERROR_TOPICS_UNKNOWN,
        id="unknown goal tag",
    ),
    pytest.param(
        multi(BLOCK_GOAL_TAGS, ACTION_GOAL_TAGS, "giving-feedback"),
        BLOCK_GOAL_TAGS,
        copy.ERROR_TOPICS_UNKNOWN,
        id="goal tags a string",
    ),
    pytest.param(
        multi(BLOCK_GOAL_TAGS, ACTION_GOAL_TAGS, [None]),
        BLOCK_GOAL_TAGS,
        copy.ERROR_TOPICS_UNKNOWN,
        id="goal tag None",
    ),
    # skills
    pytest.param(
        multi(BLOCK_SKILLS, ACTION_SKILLS, TAGS[-(MAX_TOPICS + 1) :]),
        BLOCK_SKILLS,
        copy.ERROR_TOPICS_TOO_MANY.format(limit=MAX_TOPICS),
        id="too many skills",
    ),
    pytest.param(
        multi(BLOCK_SKILLS, ACTION_SKILLS, ["Hiring"]),
        BLOCK_SKILLS,
        copy.ERROR_TOPICS_UNKNOWN,
        id="unknown skill",
    ),
    pytest.param(
        multi(BLOCK_SKILLS, ACTION_SKILLS, {"value": "hiring"}),
        BLOCK_SKILLS,
        copy.ERROR_TOPICS_UNKNOWN,
        id="skills a dict",
    ),
    # cadence
    pytest.param(
        select(BLOCK_CADENCE, ACTION_CADENCE, None),
        BLOCK_CADENCE,
        copy.ERROR_CADENCE_MISSING,
        id="cadence not chosen",
    ),
    pytest.param(
        select(BLOCK_CADENCE, ACTION_CADENCE, "daily"),
        BLOCK_CADENCE,
        copy.ERROR_CADENCE_UNKNOWN,
        id="cadence unknown",
    ),
    pytest.param(
        select(BLOCK_CADENCE, ACTION_CADENCE, "WEEKLY"),
        BLOCK_CADENCE,
        copy.ERROR_CADENCE_UNKNOWN,
        id="cadence member name",
    ),
    pytest.param(
        drop_block(BLOCK_CADENCE),
        BLOCK_CADENCE,
        copy.ERROR_CADENCE_MISSING,
        id="cadence block missing",
    ),
    # do-not-pair
    pytest.param(
        users(["U0BOSS", ME]), BLOCK_DO_NOT_PAIR, copy.ERROR_DO_NOT_PAIR_SELF, id="self blocked"
    ),
    pytest.param(
        users([f"U{n}" for n in range(MAX_DO_NOT_PAIR + 1)]),
        BLOCK_DO_NOT_PAIR,
        copy.ERROR_DO_NOT_PAIR_TOO_MANY.format(limit=MAX_DO_NOT_PAIR),
        id="too many blocked",
    ),
    *[
        pytest.param(
            users(bad), BLOCK_DO_NOT_PAIR, copy.ERROR_DO_NOT_PAIR_INVALID, id=f"blocked {bad!r}"
        )
        for bad in ["U0BOSS", ["u0boss"], [""], [None], [42], ["U" * 33], {"U1": True}]
    ],
    pytest.param(
        replace_block(BLOCK_DO_NOT_PAIR, 7),
        BLOCK_DO_NOT_PAIR,
        copy.ERROR_DO_NOT_PAIR_INVALID,
        id="do-not-pair block a number",
    ),
]


@pytest.mark.parametrize(("mutation", "block_id", "message"), ERRORS)
def test_errors(mutation: Mutation, block_id: str, message: str | None) -> None:
    values = valid_values()
    mutation(values)
    result = parse_submission(values, submitter_id=ME)
    assert isinstance(result, dict)
    assert list(result) == [block_id]
    if message is not None:
        assert result[block_id] == message


def test_errors_on_several_fields_come_together() -> None:
    result = parsed(
        select(BLOCK_FUNCTION, ACTION_FUNCTION, None),
        text(BLOCK_TIME_ZONE, "Nowhere/Atall"),
        hours("10:00", "10:00"),
        users([ME]),
    )
    assert isinstance(result, dict)
    assert set(result) == {BLOCK_FUNCTION, BLOCK_TIME_ZONE, BLOCK_WORK_END, BLOCK_DO_NOT_PAIR}


def test_long_bad_time_zone_is_shortened_in_the_message() -> None:
    result = parsed(text(BLOCK_TIME_ZONE, "Q" * 500))
    assert isinstance(result, dict)
    assert len(result[BLOCK_TIME_ZONE]) < 200


@pytest.mark.parametrize("values", [None, [], "values", 42, {}, {"function": None}])
def test_payload_of_the_wrong_shape(values: Any) -> None:
    result = parse_submission(values, submitter_id=ME)
    assert isinstance(result, dict)
    assert set(result) == {
        BLOCK_FUNCTION,
        BLOCK_LEVEL,
        BLOCK_TIME_ZONE,
        BLOCK_WORK_START,
        BLOCK_WORK_END,
        BLOCK_GOALS[0],
        BLOCK_CADENCE,
    }


# --- fuzzing ----------------------------------------------------------------------------------

KEYS = st.sampled_from(
    [
        *INPUT_BLOCKS,
        ACTION_FUNCTION,
        ACTION_LEVEL,
        ACTION_TIME_ZONE,
        ACTION_WORK_START,
        ACTION_WORK_END,
        ACTION_GOAL,
        ACTION_GOAL_TAGS,
        ACTION_SKILLS,
        ACTION_CADENCE,
        ACTION_DO_NOT_PAIR,
        "type",
        "value",
        "selected_option",
        "selected_options",
        "selected_time",
        "selected_users",
    ]
) | st.text(max_size=8)

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=30)
    | st.sampled_from(
        ["3", "engineering", "weekly", "09:00", "23:59", "Europe/Berlin", ME, "U1", *TAGS[:8]]
    )
)
JSON = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=5),
    max_leaves=8,
)


def _paths(values: Values) -> Iterator[tuple[str, ...]]:
    for block, actions in values.items():
        yield (block,)
        for action, state in actions.items():
            yield (block, action)
            for key in state:
                yield (block, action, key)


VALID_PATHS = list(_paths(valid_values()))


def _check_result(result: object) -> None:
    if isinstance(result, dict):
        assert result
        assert set(result) <= set(INPUT_BLOCKS)
        assert all(isinstance(m, str) and m for m in result.values())
        return
    assert isinstance(result, ProfileInput)
    assert result.function in FUNCTIONS
    assert result.level in {level for level, _t, _d in LEVELS}
    assert canonical_time_zone(result.time_zone) == result.time_zone
    zoneinfo.ZoneInfo(result.time_zone)
    assert working_minutes(result.work_start, result.work_end) >= 120
    assert len(result.goals) <= MAX_GOALS
    assert all(0 < len(goal) <= GOAL_MAX_LENGTH for goal in result.goals)
    assert result.goals or result.goal_tags
    for tags in (result.goal_tags, result.skills):
        assert len(tags) <= MAX_TOPICS
        assert set(tags) <= set(GOAL_TAGS)
    assert ME not in result.do_not_pair
    assert len(result.do_not_pair) <= MAX_DO_NOT_PAIR


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(KEYS, JSON, max_size=8) | JSON)
def test_fuzzed_payloads_never_raise(values: Any) -> None:
    _check_result(parse_submission(values, submitter_id=ME))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(VALID_PATHS), JSON | st.just("<delete>")), max_size=4))
def test_mutated_payloads_never_raise(changes: list[tuple[tuple[str, ...], Any]]) -> None:
    values: Any = valid_values()
    for path, replacement in changes:
        parent = values
        for key in path[:-1]:
            parent = parent.get(key) if isinstance(parent, dict) else None
        if not isinstance(parent, dict):
            continue
        if replacement == "<delete>":
            parent.pop(path[-1], None)
        else:
            parent[path[-1]] = copying.deepcopy(replacement)
    _check_result(parse_submission(values, submitter_id=ME))


# --- the modal --------------------------------------------------------------------------------

# Saved before the vocabulary or the limits changed, or written by something other than the form.
STALE = profile(
    function="astrology",
    level=9,
    goals=("y" * 400, "two", "three", "four"),
    goal_tags=("an-old-tag", *TAGS[:7]),
    skills=("another-old-tag",),
    do_not_pair=tuple(f"U{n}" for n in range(30)),
    time_zone="Not/A_Zone",
)

MODALS = [
    pytest.param(profile(), False, id="edit"),
    pytest.param(ROUND_TRIP[2], False, id="edit, everything full"),
    pytest.param(ProfileDefaults(time_zone="Europe/Berlin"), True, id="new"),
    pytest.param(ProfileDefaults(time_zone=None), True, id="new, no time zone"),
    pytest.param(STALE, False, id="values from an older vocabulary"),
]


def _walk(node: Any) -> Iterator[tuple[str, Any]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield key, value
            yield from _walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item)


@pytest.mark.parametrize(("current", "is_new"), MODALS)
def test_modal_passes_slack_validation(
    current: ProfileInput | ProfileDefaults, is_new: bool
) -> None:
    modal = profile_modal(current, private_metadata='{"intent": "find"}', is_new=is_new)
    view = View(**modal)
    view.validate_json()
    assert view.to_dict() == modal
    assert modal["type"] == "modal"
    assert modal["callback_id"] == CALLBACK_ID
    assert modal["title"]["text"] == "Your peercoach profile"
    assert len(modal["title"]["text"]) <= 24
    assert modal["submit"]["text"] == ("Join" if is_new else "Save")
    assert modal["close"]["text"] == "Cancel"
    assert modal["private_metadata"] == '{"intent": "find"}'
    assert 0 < len(modal["blocks"]) <= 100
    assert [b["block_id"] for b in input_blocks(modal)] == list(INPUT_BLOCKS)


@pytest.mark.parametrize(("current", "is_new"), MODALS)
def test_modal_respects_slack_limits(current: ProfileInput | ProfileDefaults, is_new: bool) -> None:
    modal = profile_modal(current, private_metadata="", is_new=is_new)
    for key, value in _walk(modal):
        if key == "options":
            assert len(value) <= 100
            for option in value:
                assert len(option["text"]["text"]) <= 75
                assert len(option["value"]) <= 150
                assert len(option.get("description", {}).get("text", "")) <= 75
        if key == "placeholder":
            assert len(value["text"]) <= 150
        if key in ("label", "hint"):
            assert len(value["text"]) <= 2000
    for block in input_blocks(modal):
        element = block["element"]
        # Slack rejects initial options that are not exactly among the options.
        for initial in [*element.get("initial_options", []), element.get("initial_option")]:
            assert initial is None or initial in element["options"]
        assert len(element.get("initial_options", [])) <= element.get("max_selected_items", 100)
        assert len(element.get("initial_users", [])) <= element.get("max_selected_items", 100)
        if "initial_value" in element and "max_length" in element:
            assert len(element["initial_value"]) <= element["max_length"]


def test_modal_elements() -> None:
    modal = profile_modal(profile(), private_metadata="", is_new=False)
    elements = {b["block_id"]: b["element"] for b in input_blocks(modal)}
    optional = {b["block_id"] for b in input_blocks(modal) if b.get("optional")}
    assert optional == {*BLOCK_GOALS, BLOCK_GOAL_TAGS, BLOCK_SKILLS, BLOCK_DO_NOT_PAIR}
    assert elements[BLOCK_FUNCTION]["type"] == "static_select"
    assert len(elements[BLOCK_FUNCTION]["options"]) == len(FUNCTIONS)
    assert elements[BLOCK_LEVEL]["type"] == "static_select"
    assert all("description" in o for o in elements[BLOCK_LEVEL]["options"])
    assert elements[BLOCK_TIME_ZONE]["type"] == "plain_text_input"
    assert elements[BLOCK_WORK_START]["type"] == elements[BLOCK_WORK_END]["type"] == "timepicker"
    assert len(BLOCK_GOALS) == MAX_GOALS
    for block in BLOCK_GOALS:
        assert elements[block]["type"] == "plain_text_input"
        assert elements[block]["max_length"] == GOAL_MAX_LENGTH
        assert elements[block]["placeholder"]["text"].startswith("e.g.")
    for block in (BLOCK_GOAL_TAGS, BLOCK_SKILLS):
        assert elements[block]["type"] == "multi_static_select"
        assert elements[block]["max_selected_items"] == MAX_TOPICS
        assert len(elements[block]["options"]) == len(GOAL_TAGS)
    assert elements[BLOCK_CADENCE]["type"] == "radio_buttons"
    assert [o["value"] for o in elements[BLOCK_CADENCE]["options"]] == [
        "weekly",
        "fortnightly",
        "monthly",
    ]
    dnp = next(b for b in input_blocks(modal) if b["block_id"] == BLOCK_DO_NOT_PAIR)
    assert dnp["element"]["type"] == "multi_users_select"
    assert dnp["element"]["max_selected_items"] == MAX_DO_NOT_PAIR
    assert "never shown" in dnp["hint"]["text"]


def test_stale_values_are_left_out_of_the_modal() -> None:
    values = state_values(profile_modal(STALE, private_metadata="", is_new=False))
    assert values[BLOCK_FUNCTION][ACTION_FUNCTION]["selected_option"] is None
    assert values[BLOCK_LEVEL][ACTION_LEVEL]["selected_option"] is None
    tags = [o["value"] for o in values[BLOCK_GOAL_TAGS][ACTION_GOAL_TAGS]["selected_options"]]
    assert tags == TAGS[:MAX_TOPICS]
    assert values[BLOCK_SKILLS][ACTION_SKILLS]["selected_options"] == []
    assert len(values[BLOCK_DO_NOT_PAIR][ACTION_DO_NOT_PAIR]["selected_users"]) == MAX_DO_NOT_PAIR
    assert len(values[BLOCK_GOALS[0]][ACTION_GOAL]["value"]) == GOAL_MAX_LENGTH


def test_private_metadata_passes_through_verbatim() -> None:
    metadata = '{"intent":"find","kind":"circle","note":"ä <&> \\n"}'
    modal = profile_modal(ProfileDefaults(None), private_metadata=metadata, is_new=True)
    assert modal["private_metadata"] == metadata


# --- vocabulary and summary -------------------------------------------------------------------


def test_vocabulary() -> None:
    assert len(FUNCTIONS) == len(set(FUNCTIONS)) == 16
    assert set(FUNCTIONS) == set(copy.FUNCTION_NAMES)
    assert [level for level, _t, _d in LEVELS] == [1, 2, 3, 4, 5, 6]
    assert level_title(3) == "3 · Experienced"
    assert level_title(0) == "Level 0"
    assert set(copy.CADENCE_OPTIONS) == set(copy.CADENCE_SUMMARY) == {c.value for c in Cadence}
    assert len(copy.GOAL_PLACEHOLDERS) == MAX_GOALS


def test_summary() -> None:
    summary = profile_summary(
        profile(
            goals=("Stop saying <!channel> & <@U123>",),
            work_start=datetime.time(22, 0),
            work_end=datetime.time(6, 0),
            cadence=Cadence.MONTHLY,
        )
    )
    assert "Engineering" in summary
    assert "3 · Experienced" in summary
    assert "Europe/Berlin, working 22:00–06:00" in summary
    assert copy.SUMMARY_OVERNIGHT in summary
    assert "&lt;!channel&gt; &amp; &lt;@U123&gt;" in summary
    assert "<!channel>" not in summary
    assert "giving feedback, delegating" in summary
    assert "hiring and interviewing" in summary
    assert "every month" in summary
    assert "U0BOSS" not in summary
    assert "W0EXPARTNER" not in summary


def test_summary_without_goals_or_skills() -> None:
    summary = profile_summary(profile(goals=(), goal_tags=(), skills=(), do_not_pair=()))
    assert copy.SUMMARY_NO_GOALS in summary
    assert copy.SUMMARY_NO_SKILLS in summary
    assert copy.SUMMARY_OVERNIGHT not in summary
