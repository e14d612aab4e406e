"""Per-workspace programme settings: defaults, bounds, validation and the modal's parser.

Pure: no Slack client, no database. `bot.slack.blocks.programme_settings` builds the modal from
the ids and bounds defined here, and `parse_submission` reads Slack's `view.state.values` back,
so the two never drift apart.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Final, TypeVar

from bot.domain import Cadence
from bot.matching.model import Criterion, MatchSettings, Weights
from bot.slack import view_state
from bot.slack.copy import programme_settings as copy

CALLBACK_ID: Final = "admin_settings_modal"

# Bounds, inclusive.
CADENCES: Final = tuple(Cadence)
WEEKDAYS: Final = tuple(range(7))  # 0 = Monday, as datetime.weekday()
INTRO_HOURS: Final = tuple(range(24))
CIRCLE_SIZE_MIN: Final = 3  # smaller is a pair
CIRCLE_SIZE_MAX: Final = 6  # larger and not everyone gets to speak in one meeting
CIRCLE_SIZES: Final = tuple(range(CIRCLE_SIZE_MIN, CIRCLE_SIZE_MAX + 1))
MIN_AGGREGATE_SIZE_MIN: Final = 3  # below 3 a count can single people out
MIN_AGGREGATE_SIZE_MAX: Final = 50
TZ_GAP_MIN: Final = 0
TZ_GAP_MAX: Final = 12  # 12 hours apart is already the other side of the world
TZ_GAPS: Final = tuple(range(TZ_GAP_MIN, TZ_GAP_MAX + 1))
MENTOR_LEVEL_GAP_MIN: Final = 1
MENTOR_LEVEL_GAP_MAX: Final = 5  # levels run 1..6
MENTOR_LEVEL_GAPS: Final = tuple(range(MENTOR_LEVEL_GAP_MIN, MENTOR_LEVEL_GAP_MAX + 1))
WEIGHT_MIN: Final = Decimal(0)
WEIGHT_MAX: Final = Decimal(5)
WEIGHT_STEP: Final = Decimal("0.5")

# Block ids and action ids shared by the modal builder and the parser.
BLOCK_CADENCE: Final = "settings_cadence"
BLOCK_WEEKDAY: Final = "settings_round_weekday"
BLOCK_INTRO_HOUR: Final = "settings_intro_hour"
BLOCK_CIRCLE_SIZE: Final = "settings_circle_size"
BLOCK_TZ_GAP: Final = "settings_max_tz_gap"
BLOCK_LEVEL_GAP: Final = "settings_mentor_level_gap"
BLOCK_DIGEST_CHANNEL: Final = "settings_digest_channel"
BLOCK_MIN_AGGREGATE: Final = "settings_min_aggregate_size"
WEIGHT_BLOCKS: Final[Mapping[Criterion, str]] = {
    criterion: f"settings_weight_{criterion.value}" for criterion in Criterion
}
ACTION_CADENCE: Final = "cadence"
ACTION_WEEKDAY: Final = "round_weekday"
ACTION_INTRO_HOUR: Final = "intro_hour"
ACTION_CIRCLE_SIZE: Final = "circle_size"
ACTION_TZ_GAP: Final = "max_tz_gap_hours"
ACTION_LEVEL_GAP: Final = "mentor_min_level_gap"
ACTION_DIGEST_CHANNEL: Final = "digest_channel"
ACTION_MIN_AGGREGATE: Final = "min_aggregate_size"
ACTION_WEIGHT: Final = "weight"

# Public and private channel ids (C..., older private ones G...); never a DM (D...). The upper
# length matches the width of Slack id columns in storage.
_CHANNEL_ID = re.compile(r"[CG][A-Z0-9]{8,31}", re.ASCII)
# ASCII only: int() and Decimal() also accept other scripts' digits and underscores.
_NUMBER = re.compile(r"-?(?:[0-9]{1,9}(?:\.[0-9]{0,9})?|\.[0-9]{1,9})", re.ASCII)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def weight_problem(weight: object) -> str | None:
    """The error shown for one weight, or None when it is a valid weight."""
    if isinstance(weight, bool) or not isinstance(weight, int | float | Decimal):
        return copy.ERROR_WEIGHT_NOT_NUMBER.format(min=WEIGHT_MIN, max=WEIGHT_MAX)
    value = Decimal(weight)  # exact for floats, so 0.1 is not mistaken for a step of 0.5
    if not value.is_finite() or not WEIGHT_MIN <= value <= WEIGHT_MAX:
        return copy.ERROR_WEIGHT_RANGE.format(min=WEIGHT_MIN, max=WEIGHT_MAX)
    if value % WEIGHT_STEP != 0:
        return copy.ERROR_WEIGHT_STEP.format(step=WEIGHT_STEP)
    return None


@dataclass(frozen=True, slots=True)
class ProgrammeSettings:
    """How the programme runs in one workspace. Construction validates every bound.

    Weekly is the default cadence: rounds must run at least as often as the most frequent pace
    a person can choose (weekly), otherwise that choice could never be honoured; people on a
    slower pace simply sit out some rounds.
    """

    cadence: Cadence = Cadence.WEEKLY
    round_weekday: int = 0  # 0 = Monday
    intro_hour: int = 9  # local hour in each person's own time zone
    circle_size: int = 4
    digest_channel_id: str | None = None
    min_aggregate_size: int = 5
    max_tz_gap_hours: int = 6
    mentor_min_level_gap: int = 2
    weights: Weights = field(default_factory=Weights)

    def __post_init__(self) -> None:
        # Storage hands back plain strings; accept them but keep the enum on the object.
        object.__setattr__(self, "cadence", Cadence(self.cadence))
        problems = _problems(self)
        if problems:
            raise ValueError("invalid programme settings: " + "; ".join(problems))

    def match_settings(self) -> MatchSettings:
        """The subset the matching engine needs."""
        return MatchSettings(
            weights=self.weights,
            max_tz_gap_hours=float(self.max_tz_gap_hours),
            circle_size=self.circle_size,
            mentor_min_level_gap=self.mentor_min_level_gap,
        )


def _problems(s: ProgrammeSettings) -> list[str]:
    problems: list[str] = []
    choices: tuple[tuple[str, object, tuple[int, ...]], ...] = (
        ("round_weekday", s.round_weekday, WEEKDAYS),
        ("intro_hour", s.intro_hour, INTRO_HOURS),
        ("circle_size", s.circle_size, CIRCLE_SIZES),
        ("max_tz_gap_hours", s.max_tz_gap_hours, TZ_GAPS),
        ("mentor_min_level_gap", s.mentor_min_level_gap, MENTOR_LEVEL_GAPS),
    )
    for name, value, allowed in choices:
        if not _is_int(value) or value not in allowed:
            problems.append(f"{name}={value!r} is not in {allowed[0]}..{allowed[-1]}")
    if not _is_int(s.min_aggregate_size) or not (
        MIN_AGGREGATE_SIZE_MIN <= s.min_aggregate_size <= MIN_AGGREGATE_SIZE_MAX
    ):
        problems.append(
            f"min_aggregate_size={s.min_aggregate_size!r} is not in "
            f"{MIN_AGGREGATE_SIZE_MIN}..{MIN_AGGREGATE_SIZE_MAX}"
        )
    if s.digest_channel_id is not None and not (
        isinstance(s.digest_channel_id, str) and _CHANNEL_ID.fullmatch(s.digest_channel_id)
    ):
        problems.append(f"digest_channel_id={s.digest_channel_id!r} is not a channel id")
    if not isinstance(s.weights, Weights):
        problems.append(f"weights={s.weights!r} is not a Weights")
        return problems
    weights = [getattr(s.weights, c.value) for c in Criterion]
    for criterion, weight in zip(Criterion, weights, strict=True):
        if weight_problem(weight) is not None:
            problems.append(
                f"weights.{criterion.value}={weight!r} is not in "
                f"{WEIGHT_MIN}..{WEIGHT_MAX} in steps of {WEIGHT_STEP}"
            )
    if all(weight == 0 for weight in weights):
        problems.append("at least one criterion must count (all weights are 0)")
    return problems


DEFAULTS: Final = ProgrammeSettings()


# --- Parsing a view_submission ------------------------------------------------------------

_T = TypeVar("_T")


def _typed_number(values: object, block_id: str, action_id: str) -> Decimal | None:
    """The number in a number input, or None when it is missing or not a plain number.

    Slack sends text; numbers are accepted too so a hand-built payload parses the same way.
    """
    element = view_state.element(values, block_id, action_id)
    value = element.get("value") if element is not None else None
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = Decimal(value)  # exact; NaN and infinities are caught by the range checks
        return number if number.is_finite() else None
    if not isinstance(value, str) or not _NUMBER.fullmatch(value.strip()):
        return None
    return Decimal(value.strip())


def _choice(
    values: object,
    block_id: str,
    action_id: str,
    options: Mapping[str, _T],
    errors: dict[str, str],
) -> _T | None:
    value = view_state.selected_value(values, block_id, action_id)
    if value is None or value not in options:
        errors[block_id] = copy.ERROR_CHOOSE_OPTION
        return None
    return options[value]


def _int_options(allowed: tuple[int, ...]) -> dict[str, int]:
    return {str(n): n for n in allowed}


def _weight(values: object, block_id: str, errors: dict[str, str]) -> float | None:
    value = _typed_number(values, block_id, ACTION_WEIGHT)
    if value is None:
        errors[block_id] = copy.ERROR_WEIGHT_NOT_NUMBER.format(min=WEIGHT_MIN, max=WEIGHT_MAX)
        return None
    problem = weight_problem(value)
    if problem is not None:
        errors[block_id] = problem
        return None
    return float(value)  # a multiple of 0.5 in 0..5 is exact as a float


def _min_aggregate(values: object, errors: dict[str, str]) -> int | None:
    value = _typed_number(values, BLOCK_MIN_AGGREGATE, ACTION_MIN_AGGREGATE)
    # "5.0" is still a whole number, so compare values rather than insisting on digits only.
    if (
        value is None
        or value != value.to_integral_value()
        or not MIN_AGGREGATE_SIZE_MIN <= value <= MIN_AGGREGATE_SIZE_MAX
    ):
        errors[BLOCK_MIN_AGGREGATE] = copy.ERROR_WHOLE_NUMBER.format(
            min=MIN_AGGREGATE_SIZE_MIN, max=MIN_AGGREGATE_SIZE_MAX
        )
        return None
    return int(value)


def _digest_channel(values: object, errors: dict[str, str]) -> str | None:
    element = view_state.element(values, BLOCK_DIGEST_CHANNEL, ACTION_DIGEST_CHANNEL)
    if element is None:
        return None  # optional block left out of the payload: no channel
    # conversations_select sends selected_conversation; channels_select sends selected_channel.
    selected = element.get("selected_conversation", element.get("selected_channel"))
    if selected is None or selected == "":
        return None
    if not isinstance(selected, str) or not _CHANNEL_ID.fullmatch(selected):
        errors[BLOCK_DIGEST_CHANNEL] = copy.ERROR_CHANNEL
        return None
    return selected


def parse_submission(values: Mapping[str, Mapping[str, Any]]) -> ProgrammeSettings | dict[str, str]:
    """Settings from `view["state"]["values"]`, or block_id -> error for `response_action: errors`.

    Never raises: anything missing or malformed becomes an error on the block it belongs to.
    """
    errors: dict[str, str] = {}
    cadence = _choice(values, BLOCK_CADENCE, ACTION_CADENCE, {c.value: c for c in CADENCES}, errors)
    weekday = _choice(values, BLOCK_WEEKDAY, ACTION_WEEKDAY, _int_options(WEEKDAYS), errors)
    hour = _choice(values, BLOCK_INTRO_HOUR, ACTION_INTRO_HOUR, _int_options(INTRO_HOURS), errors)
    circle = _choice(
        values, BLOCK_CIRCLE_SIZE, ACTION_CIRCLE_SIZE, _int_options(CIRCLE_SIZES), errors
    )
    tz_gap = _choice(values, BLOCK_TZ_GAP, ACTION_TZ_GAP, _int_options(TZ_GAPS), errors)
    level_gap = _choice(
        values, BLOCK_LEVEL_GAP, ACTION_LEVEL_GAP, _int_options(MENTOR_LEVEL_GAPS), errors
    )
    channel = _digest_channel(values, errors)
    min_aggregate = _min_aggregate(values, errors)
    weights = {c: _weight(values, WEIGHT_BLOCKS[c], errors) for c in Criterion}

    parsed_weights = {c.value: w for c, w in weights.items() if w is not None}
    if len(parsed_weights) == len(Criterion) and not any(parsed_weights.values()):
        # Shown on the first weight, which sits right under the explanation of the rule.
        errors[WEIGHT_BLOCKS[next(iter(Criterion))]] = copy.ERROR_ALL_WEIGHTS_ZERO

    if errors:
        return errors
    # Every field parsed (a None always comes with an error); the asserts narrow the types.
    assert cadence is not None
    assert weekday is not None
    assert hour is not None
    assert circle is not None
    assert tz_gap is not None
    assert level_gap is not None
    assert min_aggregate is not None
    return ProgrammeSettings(
        cadence=cadence,
        round_weekday=weekday,
        intro_hour=hour,
        circle_size=circle,
        digest_channel_id=channel,
        min_aggregate_size=min_aggregate,
        max_tz_gap_hours=tz_gap,
        mentor_min_level_gap=level_gap,
        weights=Weights(**parsed_weights),
    )


# --- Summary ----------------------------------------------------------------------------


def _plural(n: int, one: str, many: str, **fields: int) -> str:
    return one if n == 1 else many.format(**fields)


def format_weight(weight: float) -> str:
    """1.0 -> "1", 2.5 -> "2.5": how weights appear in the modal and the summary."""
    return f"{weight:g}"


def describe(settings: ProgrammeSettings) -> str:
    """A few mrkdwn lines summarising the settings, for confirmations and App Home."""
    s = settings
    privacy = copy.SUMMARY_PRIVACY.format(size=s.min_aggregate_size)
    digest = (
        copy.SUMMARY_DIGEST_CHANNEL.format(channel_id=s.digest_channel_id, privacy=privacy)
        if s.digest_channel_id
        else copy.SUMMARY_DIGEST_NO_CHANNEL.format(privacy=privacy)
    )
    weights = copy.SUMMARY_WEIGHT_SEPARATOR.join(
        copy.SUMMARY_WEIGHT.format(
            name=copy.WEIGHT_SHORT[c.value], weight=format_weight(s.weights.of(c))
        )
        for c in Criterion
    )
    lines = [
        copy.SUMMARY_ROUNDS.format(
            cadence=copy.CADENCE_OPTIONS[s.cadence.value].lower(),
            weekday=copy.WEEKDAYS[s.round_weekday],
            hour=copy.INTRO_HOUR_OPTION.format(hour=s.intro_hour),
        ),
        copy.SUMMARY_MATCHING.format(
            circle_size=s.circle_size,
            tz_gap=(
                copy.SUMMARY_TZ_SAME
                if s.max_tz_gap_hours == 0
                else _plural(
                    s.max_tz_gap_hours,
                    copy.SUMMARY_TZ_ONE,
                    copy.SUMMARY_TZ_MANY,
                    hours=s.max_tz_gap_hours,
                )
            ),
            level_gap=_plural(
                s.mentor_min_level_gap,
                copy.SUMMARY_LEVELS_ONE,
                copy.SUMMARY_LEVELS_MANY,
                levels=s.mentor_min_level_gap,
            ),
        ),
        copy.SUMMARY_WEIGHTS.format(weights=weights),
        digest,
    ]
    return "\n".join(lines)


def describe_matching(settings: ProgrammeSettings) -> str:
    """`describe` without the schedule line: each programme shows its own schedule."""
    return "\n".join(describe(settings).split("\n")[1:])
