"""Programme settings: the modal, the parser of its submission, bounds and the summary.

Payloads are built from the modal itself, shaped like Slack's `view.state.values`, so the
builder and the parser are tested against each other rather than against hand-copied ids.
"""

from __future__ import annotations

import copy as copying
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from slack_sdk.models.views import View

import bot.programmes.settings_form as ps
from bot.domain import Cadence
from bot.matching.model import Criterion, MatchSettings, Weights
from bot.programmes.settings_form import DEFAULTS, ProgrammeSettings, describe, parse_submission
from bot.slack.blocks.programme_settings import settings_modal
from bot.slack.copy import programme_settings as copy

State = dict[str, dict[str, dict[str, Any]]]

FIRST_WEIGHT = ps.WEIGHT_BLOCKS[Criterion.FUNCTION]
REQUIRED_BLOCKS = {
    ps.BLOCK_CADENCE,
    ps.BLOCK_WEEKDAY,
    ps.BLOCK_INTRO_HOUR,
    ps.BLOCK_CIRCLE_SIZE,
    ps.BLOCK_TZ_GAP,
    ps.BLOCK_LEVEL_GAP,
    ps.BLOCK_MIN_AGGREGATE,
    *ps.WEIGHT_BLOCKS.values(),
}
ALL_BLOCKS = {*REQUIRED_BLOCKS, ps.BLOCK_DIGEST_CHANNEL}


def _input_blocks(modal: dict[str, Any]) -> Iterator[dict[str, Any]]:
    return (b for b in modal["blocks"] if b["type"] == "input")


def state_from_modal(modal: dict[str, Any]) -> State:
    """What Slack submits when the admin presses Save without touching anything."""
    state: State = {}
    for block in _input_blocks(modal):
        element = block["element"]
        kind = element["type"]
        if kind == "static_select":
            entry = {"type": kind, "selected_option": element.get("initial_option")}
        elif kind == "number_input":
            entry = {"type": kind, "value": element.get("initial_value")}
        elif kind == "conversations_select":
            entry = {"type": kind, "selected_conversation": element.get("initial_conversation")}
        else:
            raise AssertionError(f"unexpected element type {kind}")
        state[block["block_id"]] = {element["action_id"]: entry}
    return state


_DEFAULT_STATE = state_from_modal(settings_modal(DEFAULTS))


def default_state() -> State:
    # A copy of one build: the fuzz tests need thousands and building a view is slow.
    return copying.deepcopy(_DEFAULT_STATE)


def _element(state: State, block_id: str) -> dict[str, Any]:
    (element,) = state[block_id].values()
    return element


def _option(state: State, block_id: str, value: Any) -> None:
    _element(state, block_id)["selected_option"] = {
        "text": {"type": "plain_text", "text": "x"},
        "value": value,
    }


def _typed(state: State, block_id: str, value: Any) -> None:
    _element(state, block_id)["value"] = value


def _channel(state: State, value: Any) -> None:
    _element(state, ps.BLOCK_DIGEST_CHANNEL)["selected_conversation"] = value


# --- Round trip ---------------------------------------------------------------------------

VARIED = [
    DEFAULTS,
    ProgrammeSettings(
        cadence=Cadence.MONTHLY,
        round_weekday=6,
        intro_hour=0,
        circle_size=6,
        digest_channel_id="C0123456789",
        min_aggregate_size=50,
        max_tz_gap_hours=0,
        mentor_min_level_gap=5,
        weights=Weights(function=0, level=0.5, hours=5, goals=2.5, complement=0),
    ),
    ProgrammeSettings(
        cadence=Cadence.FORTNIGHTLY,
        round_weekday=3,
        intro_hour=23,
        circle_size=3,
        digest_channel_id="G12345678",
        min_aggregate_size=3,
        max_tz_gap_hours=12,
        mentor_min_level_gap=1,
        weights=Weights(function=0, level=0, hours=0, goals=0, complement=0.5),
    ),
]


@pytest.mark.parametrize("current", VARIED)
def test_round_trip(current: ProgrammeSettings) -> None:
    assert parse_submission(state_from_modal(settings_modal(current))) == current


weights_st = st.builds(
    Weights,
    **{c.value: st.integers(0, 10).map(lambda n: n / 2) for c in Criterion},
).filter(lambda w: any(w.of(c) for c in Criterion))

settings_st = st.builds(
    ProgrammeSettings,
    cadence=st.sampled_from(ps.CADENCES),
    round_weekday=st.sampled_from(ps.WEEKDAYS),
    intro_hour=st.sampled_from(ps.INTRO_HOURS),
    circle_size=st.sampled_from(ps.CIRCLE_SIZES),
    digest_channel_id=st.none() | st.from_regex(r"\A[CG][A-Z0-9]{8,12}\Z"),
    min_aggregate_size=st.integers(ps.MIN_AGGREGATE_SIZE_MIN, ps.MIN_AGGREGATE_SIZE_MAX),
    max_tz_gap_hours=st.sampled_from(ps.TZ_GAPS),
    mentor_min_level_gap=st.sampled_from(ps.MENTOR_LEVEL_GAPS),
    weights=weights_st,
)


@settings(max_examples=40, deadline=None)
@given(settings_st)
def test_round_trip_any_valid_settings(current: ProgrammeSettings) -> None:
    assert parse_submission(state_from_modal(settings_modal(current))) == current


# --- Accepted edge values ----------------------------------------------------------------

Edit = Callable[[State], None]


@pytest.mark.parametrize(
    ("edit", "check"),
    [
        (lambda s: _typed(s, FIRST_WEIGHT, "2.5"), lambda r: r.weights.function == 2.5),
        (lambda s: _typed(s, FIRST_WEIGHT, " 0.5 "), lambda r: r.weights.function == 0.5),
        (lambda s: _typed(s, FIRST_WEIGHT, "2.50"), lambda r: r.weights.function == 2.5),
        (lambda s: _typed(s, FIRST_WEIGHT, ".5"), lambda r: r.weights.function == 0.5),
        (lambda s: _typed(s, FIRST_WEIGHT, "5"), lambda r: r.weights.function == 5),
        (lambda s: _typed(s, FIRST_WEIGHT, 3), lambda r: r.weights.function == 3),
        (lambda s: _typed(s, FIRST_WEIGHT, 1.5), lambda r: r.weights.function == 1.5),
        (lambda s: _typed(s, FIRST_WEIGHT, "0"), lambda r: r.weights.function == 0),
        (lambda s: _typed(s, ps.BLOCK_MIN_AGGREGATE, "3"), lambda r: r.min_aggregate_size == 3),
        (lambda s: _typed(s, ps.BLOCK_MIN_AGGREGATE, "50"), lambda r: r.min_aggregate_size == 50),
        (lambda s: _typed(s, ps.BLOCK_MIN_AGGREGATE, "7.0"), lambda r: r.min_aggregate_size == 7),
        (lambda s: _channel(s, "C0123456789"), lambda r: r.digest_channel_id == "C0123456789"),
        (lambda s: _channel(s, "G01234567"), lambda r: r.digest_channel_id == "G01234567"),
        (lambda s: _channel(s, None), lambda r: r.digest_channel_id is None),
        (lambda s: _channel(s, ""), lambda r: r.digest_channel_id is None),
        (lambda s: s.pop(ps.BLOCK_DIGEST_CHANNEL), lambda r: r.digest_channel_id is None),
        (
            lambda s: s.__setitem__(
                ps.BLOCK_DIGEST_CHANNEL,
                {
                    ps.ACTION_DIGEST_CHANNEL: {
                        "type": "channels_select",
                        "selected_channel": "C0123456789",
                    }
                },
            ),
            lambda r: r.digest_channel_id == "C0123456789",
        ),
        (lambda s: _option(s, ps.BLOCK_CADENCE, "monthly"), lambda r: r.cadence is Cadence.MONTHLY),
        (lambda s: _option(s, ps.BLOCK_WEEKDAY, "6"), lambda r: r.round_weekday == 6),
        (lambda s: _option(s, ps.BLOCK_TZ_GAP, "0"), lambda r: r.max_tz_gap_hours == 0),
    ],
)
def test_accepted_values(edit: Edit, check: Callable[[ProgrammeSettings], bool]) -> None:
    state = default_state()
    edit(state)
    result = parse_submission(state)
    assert isinstance(result, ProgrammeSettings), result
    assert check(result)


# --- Errors, one field at a time ---------------------------------------------------------

WEIGHT_NOT_NUMBER = copy.ERROR_WEIGHT_NOT_NUMBER.format(min=0, max=5)
WEIGHT_RANGE = copy.ERROR_WEIGHT_RANGE.format(min=0, max=5)
WEIGHT_STEP = copy.ERROR_WEIGHT_STEP.format(step="0.5")
WHOLE_NUMBER = copy.ERROR_WHOLE_NUMBER.format(min=3, max=50)
ALL_ZERO = copy.ERROR_ALL_WEIGHTS_ZERO


CHOOSE = copy.ERROR_CHOOSE_OPTION
CHANNEL = ps.BLOCK_DIGEST_CHANNEL
AGGREGATE = ps.BLOCK_MIN_AGGREGATE
LAST_WEIGHT = ps.WEIGHT_BLOCKS[Criterion.COMPLEMENT]
Setter = Callable[[State, str, Any], None]


def _set_option(state: State, block_id: str, value: Any) -> None:
    if value is None:
        _element(state, block_id)["selected_option"] = None
    else:
        _option(state, block_id, value)


def _set_channel(state: State, _block_id: str, value: Any) -> None:
    _channel(state, value)


def _remove(state: State, block_id: str, _value: Any) -> None:
    del state[block_id]


def _set_all_weights(state: State, _block_id: str, value: Any) -> None:
    for block_id in ps.WEIGHT_BLOCKS.values():
        _typed(state, block_id, value)


ERROR_CASES = [
    pytest.param(_set_option, ps.BLOCK_CADENCE, "daily", CHOOSE, id="cadence-unknown"),
    pytest.param(_set_option, ps.BLOCK_CADENCE, None, CHOOSE, id="cadence-none"),
    pytest.param(_set_option, ps.BLOCK_WEEKDAY, "7", CHOOSE, id="weekday-7"),
    pytest.param(_set_option, ps.BLOCK_WEEKDAY, "-1", CHOOSE, id="weekday-negative"),
    pytest.param(_set_option, ps.BLOCK_WEEKDAY, 1, CHOOSE, id="weekday-not-text"),
    pytest.param(_set_option, ps.BLOCK_INTRO_HOUR, "24", CHOOSE, id="hour-24"),
    pytest.param(_set_option, ps.BLOCK_INTRO_HOUR, "nine", CHOOSE, id="hour-words"),
    pytest.param(_set_option, ps.BLOCK_CIRCLE_SIZE, "2", CHOOSE, id="circle-2"),
    pytest.param(_set_option, ps.BLOCK_CIRCLE_SIZE, "7", CHOOSE, id="circle-7"),
    pytest.param(_set_option, ps.BLOCK_TZ_GAP, "13", CHOOSE, id="tz-gap-13"),
    pytest.param(_remove, ps.BLOCK_TZ_GAP, None, CHOOSE, id="tz-gap-missing"),
    pytest.param(_set_option, ps.BLOCK_LEVEL_GAP, "0", CHOOSE, id="level-gap-0"),
    pytest.param(_set_option, ps.BLOCK_LEVEL_GAP, "6", CHOOSE, id="level-gap-6"),
    pytest.param(_typed, AGGREGATE, "2", WHOLE_NUMBER, id="aggregate-2"),
    pytest.param(_typed, AGGREGATE, "51", WHOLE_NUMBER, id="aggregate-51"),
    pytest.param(_typed, AGGREGATE, "4.5", WHOLE_NUMBER, id="aggregate-fraction"),
    pytest.param(_typed, AGGREGATE, "five", WHOLE_NUMBER, id="aggregate-words"),
    pytest.param(_typed, AGGREGATE, "", WHOLE_NUMBER, id="aggregate-empty"),
    pytest.param(_typed, AGGREGATE, None, WHOLE_NUMBER, id="aggregate-none"),
    pytest.param(_typed, AGGREGATE, 10**5000, WHOLE_NUMBER, id="aggregate-huge"),
    pytest.param(_remove, AGGREGATE, None, WHOLE_NUMBER, id="aggregate-missing"),
    pytest.param(_typed, FIRST_WEIGHT, "lots", WEIGHT_NOT_NUMBER, id="weight-words"),
    pytest.param(_typed, FIRST_WEIGHT, "", WEIGHT_NOT_NUMBER, id="weight-empty"),
    pytest.param(_typed, FIRST_WEIGHT, None, WEIGHT_NOT_NUMBER, id="weight-none"),
    pytest.param(_typed, FIRST_WEIGHT, True, WEIGHT_NOT_NUMBER, id="weight-bool"),
    pytest.param(_typed, FIRST_WEIGHT, "NaN", WEIGHT_NOT_NUMBER, id="weight-nan"),
    pytest.param(_typed, FIRST_WEIGHT, float("nan"), WEIGHT_NOT_NUMBER, id="weight-float-nan"),
    pytest.param(_typed, FIRST_WEIGHT, "Infinity", WEIGHT_NOT_NUMBER, id="weight-infinity"),
    pytest.param(_typed, FIRST_WEIGHT, "1e0", WEIGHT_NOT_NUMBER, id="weight-exponent"),
    pytest.param(_typed, FIRST_WEIGHT, "1_0", WEIGHT_NOT_NUMBER, id="weight-underscore"),
    pytest.param(_typed, FIRST_WEIGHT, "\u0663", WEIGHT_NOT_NUMBER, id="weight-arabic-digit"),
    pytest.param(_typed, FIRST_WEIGHT, "1,5", WEIGHT_NOT_NUMBER, id="weight-comma"),
    pytest.param(_typed, FIRST_WEIGHT, "5.5", WEIGHT_RANGE, id="weight-above-5"),
    pytest.param(_typed, FIRST_WEIGHT, "-0.5", WEIGHT_RANGE, id="weight-negative"),
    pytest.param(_typed, FIRST_WEIGHT, 1000, WEIGHT_RANGE, id="weight-1000"),
    pytest.param(_typed, FIRST_WEIGHT, "1.25", WEIGHT_STEP, id="weight-step-1.25"),
    pytest.param(_typed, FIRST_WEIGHT, 0.1, WEIGHT_STEP, id="weight-step-0.1"),
    pytest.param(_typed, LAST_WEIGHT, "4.75", WEIGHT_STEP, id="weight-step-last"),
    pytest.param(_set_all_weights, FIRST_WEIGHT, "0", ALL_ZERO, id="all-weights-0"),
    pytest.param(_set_all_weights, FIRST_WEIGHT, "0.0", ALL_ZERO, id="all-weights-0.0"),
    pytest.param(_set_channel, CHANNEL, "D0123456789", copy.ERROR_CHANNEL, id="channel-dm"),
    pytest.param(_set_channel, CHANNEL, "U0123456789", copy.ERROR_CHANNEL, id="channel-user"),
    pytest.param(_set_channel, CHANNEL, "#general", copy.ERROR_CHANNEL, id="channel-name"),
    pytest.param(_set_channel, CHANNEL, "c0123456789", copy.ERROR_CHANNEL, id="channel-lower"),
    pytest.param(_set_channel, CHANNEL, "C123", copy.ERROR_CHANNEL, id="channel-short"),
    pytest.param(_set_channel, CHANNEL, 12345678901, copy.ERROR_CHANNEL, id="channel-number"),
]


@pytest.mark.parametrize(("setter", "block_id", "value", "message"), ERROR_CASES)
def test_each_error_lands_on_its_block(
    setter: Setter, block_id: str, value: Any, message: str
) -> None:
    state = default_state()
    setter(state, block_id, value)
    assert parse_submission(state) == {block_id: message}


def test_all_zero_is_not_reported_while_a_weight_is_invalid() -> None:
    # "0, 0, 0, 0, lots": fixing the typo might give a valid weight, so only the typo is flagged.
    state = default_state()
    _set_all_weights(state, FIRST_WEIGHT, "0")
    _typed(state, ps.WEIGHT_BLOCKS[Criterion.GOALS], "lots")
    assert parse_submission(state) == {ps.WEIGHT_BLOCKS[Criterion.GOALS]: WEIGHT_NOT_NUMBER}


def test_several_errors_are_reported_together() -> None:
    state = default_state()
    _option(state, ps.BLOCK_WEEKDAY, "9")
    _typed(state, FIRST_WEIGHT, "1.3")
    _channel(state, "D0123456789")
    result = parse_submission(state)
    assert isinstance(result, dict)
    assert set(result) == {ps.BLOCK_WEEKDAY, FIRST_WEIGHT, ps.BLOCK_DIGEST_CHANNEL}


@pytest.mark.parametrize("values", [{}, None, [], "values", 42, {"x": None}])
def test_empty_or_wrong_shaped_payload_flags_every_required_block(values: Any) -> None:
    result = parse_submission(values)
    assert isinstance(result, dict)
    assert set(result) == REQUIRED_BLOCKS


def test_wrong_action_id_counts_as_missing() -> None:
    state = default_state()
    state[ps.BLOCK_CADENCE] = {"other": _element(state, ps.BLOCK_CADENCE)}
    assert parse_submission(state) == {ps.BLOCK_CADENCE: copy.ERROR_CHOOSE_OPTION}


# --- Fuzzing: malformed payloads never raise ---------------------------------------------

json_like = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=20)
    | st.sampled_from(["0", "0.5", "5", "3", "C0123456789", "weekly", "-1", "1e9"]),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(["value", "selected_option", "selected_conversation", "type", "x"]),
            children,
            max_size=4,
        )
    ),
    max_leaves=12,
)


def _check_result(result: object) -> None:
    if isinstance(result, dict):
        assert result
        assert set(result) <= ALL_BLOCKS
        assert all(isinstance(m, str) and m for m in result.values())
    else:
        assert isinstance(result, ProgrammeSettings)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(sorted(ALL_BLOCKS)), json_like)
def test_fuzzed_element_never_raises(block_id: str, junk: Any) -> None:
    state = default_state()
    (action_id,) = state[block_id]
    state[block_id][action_id] = junk
    _check_result(parse_submission(state))


FIELDS = ["value", "selected_option", "selected_conversation", "selected_option.value"]


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(sorted(ALL_BLOCKS)), st.sampled_from(FIELDS), json_like)
def test_fuzzed_field_inside_element_never_raises(block_id: str, key: str, junk: Any) -> None:
    state = default_state()
    element = _element(state, block_id)
    if key == "selected_option.value":
        _option(state, block_id, junk)  # a well-formed option around a junk value
    else:
        element[key] = junk
    _check_result(parse_submission(state))


@settings(max_examples=100, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(sorted(ALL_BLOCKS)) | st.text(max_size=8), json_like, max_size=6
    )
)
def test_fuzzed_payload_never_raises(values: Any) -> None:
    _check_result(parse_submission(values))


# --- The modal ----------------------------------------------------------------------------


def _texts(node: object, key: str) -> Iterator[str]:
    """Every `node[key]["text"]` in the tree, wherever it sits."""
    if isinstance(node, dict):
        for k, v in node.items():
            if k == key and isinstance(v, dict) and "text" in v:
                yield v["text"]
            yield from _texts(v, key)
    elif isinstance(node, list):
        for item in node:
            yield from _texts(item, key)


@pytest.mark.parametrize("current", VARIED)
def test_modal_is_a_valid_view_within_slack_limits(current: ProgrammeSettings) -> None:
    modal = settings_modal(current, private_metadata="T123|C456")
    View(**copying.deepcopy(modal)).validate_json()

    assert modal["type"] == "modal"
    assert modal["callback_id"] == ps.CALLBACK_ID == "admin_settings_modal"
    assert modal["title"]["text"] == "Matching settings"
    assert len(modal["title"]["text"]) <= 24
    assert modal["submit"]["text"] == "Save"
    assert modal["private_metadata"] == "T123|C456"
    assert len(modal["blocks"]) <= 100
    options = [
        o["text"]["text"] for b in _input_blocks(modal) for o in b["element"].get("options", [])
    ]
    assert options
    assert all(len(t) <= 75 for t in options)
    assert all(len(t) <= 150 for t in _texts(modal, "placeholder"))
    assert all(len(t) <= 2000 for t in [*_texts(modal, "label"), *_texts(modal, "hint")])
    headers = [b["text"]["text"] for b in modal["blocks"] if b["type"] == "header"]
    assert all(len(t) <= 150 for t in headers)


def test_modal_has_one_input_per_setting_each_with_a_hint() -> None:
    modal = settings_modal(DEFAULTS)
    inputs = list(_input_blocks(modal))
    block_ids = [b["block_id"] for b in inputs]
    assert sorted(block_ids) == sorted(ALL_BLOCKS)
    assert all(b["hint"]["text"] for b in inputs)
    optional = {b["block_id"] for b in inputs if b.get("optional")}
    assert optional == {ps.BLOCK_DIGEST_CHANNEL}


@pytest.mark.parametrize(
    ("block_id", "element_type"),
    [
        (ps.BLOCK_CADENCE, "static_select"),
        (ps.BLOCK_WEEKDAY, "static_select"),
        (ps.BLOCK_INTRO_HOUR, "static_select"),
        (ps.BLOCK_CIRCLE_SIZE, "static_select"),
        (ps.BLOCK_TZ_GAP, "static_select"),
        (ps.BLOCK_LEVEL_GAP, "static_select"),
        (ps.BLOCK_DIGEST_CHANNEL, "conversations_select"),
        (ps.BLOCK_MIN_AGGREGATE, "number_input"),
        *[(block, "number_input") for block in ps.WEIGHT_BLOCKS.values()],
    ],
)
def test_element_types(block_id: str, element_type: str) -> None:
    (block,) = [b for b in _input_blocks(settings_modal(DEFAULTS)) if b["block_id"] == block_id]
    assert block["element"]["type"] == element_type


def test_modal_without_metadata_or_channel_leaves_them_out() -> None:
    modal = settings_modal(DEFAULTS)
    assert "private_metadata" not in modal
    (channel,) = [b for b in _input_blocks(modal) if b["block_id"] == ps.BLOCK_DIGEST_CHANNEL]
    assert "initial_conversation" not in channel["element"]
    assert channel["element"]["filter"]["include"] == ["public", "private"]


def test_weight_inputs_allow_decimals_within_bounds() -> None:
    modal = settings_modal(VARIED[1])
    weights = {b["block_id"]: b["element"] for b in _input_blocks(modal)}
    element = weights[ps.WEIGHT_BLOCKS[Criterion.GOALS]]
    assert element["is_decimal_allowed"] is True
    assert (element["min_value"], element["max_value"]) == ("0", "5")
    assert element["initial_value"] == "2.5"
    assert weights[ps.BLOCK_MIN_AGGREGATE]["is_decimal_allowed"] is False


# --- The dataclass ------------------------------------------------------------------------


def test_defaults() -> None:
    assert (
        ProgrammeSettings(
            cadence=Cadence.WEEKLY,
            round_weekday=0,
            intro_hour=9,
            circle_size=4,
            digest_channel_id=None,
            min_aggregate_size=5,
            max_tz_gap_hours=6,
            mentor_min_level_gap=2,
            weights=Weights(1, 1, 1, 1, 1),
        )
        == DEFAULTS
    )


def test_match_settings_carries_what_the_engine_needs() -> None:
    current = VARIED[1]
    match = current.match_settings()
    assert isinstance(match, MatchSettings)
    assert match.weights == current.weights
    assert match.max_tz_gap_hours == 0.0
    assert match.circle_size == 6
    assert match.mentor_min_level_gap == 5
    assert match.candidates_per_person == MatchSettings().candidates_per_person
    assert DEFAULTS.match_settings() == MatchSettings()


def test_cadence_given_as_text_becomes_the_enum() -> None:
    loaded = ProgrammeSettings(cadence="monthly")  # type: ignore[arg-type]
    assert loaded.cadence is Cadence.MONTHLY


@pytest.mark.parametrize(
    "overrides",
    [
        {"cadence": "daily"},
        {"round_weekday": 7},
        {"round_weekday": True},
        {"intro_hour": -1},
        {"intro_hour": 24},
        {"circle_size": 2},
        {"circle_size": 7},
        {"min_aggregate_size": 2},
        {"min_aggregate_size": 51},
        {"max_tz_gap_hours": 13},
        {"mentor_min_level_gap": 0},
        {"mentor_min_level_gap": 6},
        {"digest_channel_id": "D0123456789"},
        {"digest_channel_id": ""},
        {"weights": Weights(function=5.5)},
        {"weights": Weights(function=1.25)},
        {"weights": Weights(function=float("nan"))},
        {"weights": Weights(0, 0, 0, 0, 0)},
    ],
)
def test_out_of_bounds_settings_cannot_be_built(overrides: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match=r"invalid programme settings|is not a valid Cadence"):
        ProgrammeSettings(**overrides)


# --- Summary and copy ---------------------------------------------------------------------


def test_describe_defaults() -> None:
    assert describe(DEFAULTS) == (
        "*New programmes:* every week on Monday; introductions at 09:00 in each group's "
        "time zone\n"
        "*Matching:* circles of 4; time zones at most 6 hours apart; "
        "mentors at least 2 levels more senior\n"
        "*What counts:* different function 1 · similar level 1 · overlapping hours 1 · "
        "shared goals 1 · complementary skills 1\n"
        "*Digest:* no channel chosen; groups of fewer than 5 people are left out"
    )


@pytest.mark.parametrize(
    ("current", "expected"),
    [
        (VARIED[1], "every month on Sunday"),
        (VARIED[1], "introductions at 00:00"),
        (VARIED[1], "partners in the same time zone only"),
        (VARIED[1], "mentors at least 5 levels more senior"),
        (VARIED[1], "shared goals 2.5"),
        (VARIED[1], "*Digest:* posted in <#C0123456789>"),
        (VARIED[1], "fewer than 50 people"),
        (VARIED[2], "every 2 weeks on Thursday"),
        (VARIED[2], "at most 12 hours apart"),
        (VARIED[2], "at least 1 level more senior"),
        (VARIED[2], "complementary skills 0.5"),
        (ProgrammeSettings(max_tz_gap_hours=1), "time zones at most 1 hour apart"),
    ],
)
def test_describe_mentions(current: ProgrammeSettings, expected: str) -> None:
    assert expected in describe(current)


def test_copy_covers_every_choice() -> None:
    assert set(copy.CADENCE_OPTIONS) == {c.value for c in Cadence}
    assert len(copy.WEEKDAYS) == len(ps.WEEKDAYS)
    for table in (copy.WEIGHT_LABELS, copy.WEIGHT_HINTS, copy.WEIGHT_SHORT):
        assert set(table) == {c.value for c in Criterion}
