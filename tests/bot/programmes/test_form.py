"""The admin's programme form: the modal and its parser agree, and every mistake lands on its
field."""

from __future__ import annotations

import random
import string
from datetime import date, timedelta
from typing import Any

import pytest
from slack_sdk.models.views import View

from bot.domain import Cadence, ProgrammeKind, ProgrammeMode
from bot.fakes.modal_state import initial_state, option_for, with_values
from bot.programmes import form as pf
from bot.programmes.form import ProgrammeInput, parse_submission
from bot.slack.blocks.programmes import programme_form
from bot.slack.copy import programmes as copy

TODAY = date(2026, 12, 2)
COHORT = ProgrammeInput(
    name="Spring leadership circle",
    mode=ProgrammeMode.CIRCLES,
    cadence=Cadence.WEEKLY,
    weekday=3,
    intro_hour=10,
    group_size=5,
    home_channel_id="C0LEADERS1",
    kind=ProgrammeKind.COHORT,
    starts_on=date(2026, 12, 10),
    ends_on=date(2027, 2, 4),
)
EVERGREEN = ProgrammeInput(
    name="Mentoring",
    mode=ProgrammeMode.MENTORSHIP,
    cadence=Cadence.MONTHLY,
    weekday=0,
    intro_hour=9,
    group_size=2,
    home_channel_id=None,
    kind=ProgrammeKind.EVERGREEN,
    starts_on=None,
    ends_on=None,
)


@pytest.mark.parametrize("current", [COHORT, EVERGREEN], ids=["cohort", "evergreen"])
def test_round_trip(current: ProgrammeInput) -> None:
    view = programme_form(current, programme_id=7)
    View(**view).validate_json()
    assert parse_submission(initial_state(view), today=TODAY) == current
    assert pf.programme_id_from(view["private_metadata"]) == 7


def test_a_new_form_needs_a_name_and_a_mode_and_nothing_else() -> None:
    view = programme_form(None, programme_id=None)
    assert pf.programme_id_from(view["private_metadata"]) is None
    errors = parse_submission(initial_state(view), today=TODAY)
    assert errors == {pf.BLOCK_NAME: copy.ERROR_NAME, pf.BLOCK_MODE: copy.ERROR_CHOOSE}
    filled = with_values(
        view,
        {
            pf.BLOCK_NAME: {"value": "  Peer   pairs  "},
            pf.BLOCK_MODE: {"selected_option": option_for(view, pf.BLOCK_MODE, "pairs")},
        },
    )
    parsed = parse_submission(filled, today=TODAY)
    assert isinstance(parsed, ProgrammeInput)
    assert (parsed.name, parsed.cadence, parsed.weekday, parsed.intro_hour, parsed.group_size) == (
        "Peer pairs",
        Cadence.WEEKLY,
        0,
        9,
        2,
    )


def _edit(view: dict[str, Any], block: str, **fields: Any) -> dict[str, Any]:
    return with_values(view, {block: fields})


def _option(view: dict[str, Any], block: str, value: str) -> dict[str, Any]:
    return _edit(view, block, selected_option=option_for(view, block, value))


@pytest.mark.parametrize(
    ("change", "block", "error"),
    [
        (lambda v: _edit(v, pf.BLOCK_NAME, value=""), pf.BLOCK_NAME, copy.ERROR_NAME),
        (lambda v: _edit(v, pf.BLOCK_NAME, value="x" * 81), pf.BLOCK_NAME, copy.ERROR_NAME),
        (
            lambda v: _option(v, pf.BLOCK_GROUP_SIZE, "2"),
            pf.BLOCK_GROUP_SIZE,
            copy.ERROR_SIZE_CIRCLE,
        ),
        (
            lambda v: _edit(v, pf.BLOCK_STARTS, selected_date=None),
            pf.BLOCK_STARTS,
            copy.ERROR_COHORT_START,
        ),
        (
            lambda v: _edit(v, pf.BLOCK_ENDS, selected_date=None),
            pf.BLOCK_ENDS,
            copy.ERROR_COHORT_END,
        ),
        (
            lambda v: _edit(v, pf.BLOCK_ENDS, selected_date="2026-12-12"),
            pf.BLOCK_ENDS,
            copy.ERROR_COHORT_ORDER,
        ),
        (
            lambda v: _edit(v, pf.BLOCK_ENDS, selected_date="2026-13-40"),
            pf.BLOCK_ENDS,
            copy.ERROR_DATE,
        ),
        (
            lambda v: _edit(v, pf.BLOCK_CHANNEL, selected_conversation="D0DIRECT1"),
            pf.BLOCK_CHANNEL,
            copy.ERROR_CHANNEL,
        ),
        (
            lambda v: _edit(v, pf.BLOCK_WEEKDAY, selected_option={"value": "7"}),
            pf.BLOCK_WEEKDAY,
            copy.ERROR_CHOOSE,
        ),
        (
            lambda v: _option(v, pf.BLOCK_KIND, "evergreen"),
            pf.BLOCK_STARTS,
            copy.ERROR_DATES_EVERGREEN,
        ),
    ],
)
def test_each_mistake_lands_on_its_field(change: Any, block: str, error: str) -> None:
    view = programme_form(COHORT, programme_id=None)
    result = parse_submission(change(view), today=TODAY)
    assert isinstance(result, dict)
    assert result[block] == error


def test_pairs_and_mentoring_are_groups_of_two() -> None:
    view = programme_form(EVERGREEN, programme_id=None)
    result = parse_submission(_option(view, pf.BLOCK_GROUP_SIZE, "3"), today=TODAY)
    assert result == {pf.BLOCK_GROUP_SIZE: copy.ERROR_SIZE_TWO}


def test_a_cohort_that_already_ended_is_refused() -> None:
    view = programme_form(COHORT, programme_id=None)
    later = TODAY + timedelta(days=400)
    result = parse_submission(initial_state(view), today=later)
    assert result == {pf.BLOCK_ENDS: copy.ERROR_COHORT_PAST}


def test_fuzzed_payload_never_raises() -> None:
    rng = random.Random(20261202)
    view = programme_form(COHORT, programme_id=None)
    junk: list[Any] = [None, 1, True, "", "x", [], {}, {"value": 3}, "2026-02-30", 1.5]
    blocks = list(initial_state(view))
    for _ in range(2000):
        values = initial_state(view)
        block = rng.choice(blocks)
        (action,) = values[block]
        key = rng.choice(["value", "selected_option", "selected_date", "selected_conversation"])
        values[block][action][key] = rng.choice(
            [*junk, "".join(rng.choices(string.printable, k=5))]
        )
        if rng.random() < 0.1:
            values[block] = rng.choice(junk)
        result = parse_submission(values, today=TODAY)
        assert isinstance(result, ProgrammeInput | dict)


def test_the_check_in_day_is_a_weekday_and_round_trips() -> None:
    view = programme_form(EVERGREEN, programme_id=7)
    assert [o["value"] for o in _select_options(view, pf.BLOCK_CHECKIN_DAY)] == list("01234")
    parsed = parse_submission(_option(view, pf.BLOCK_CHECKIN_DAY, "1"), today=TODAY)
    assert isinstance(parsed, ProgrammeInput)
    assert parsed.checkin_weekday == 1
    forged = _edit(view, pf.BLOCK_CHECKIN_DAY, selected_option={"value": "5"})
    assert parse_submission(forged, today=TODAY) == {pf.BLOCK_CHECKIN_DAY: copy.ERROR_CHOOSE}


def _select_options(view: dict[str, Any], block_id: str) -> list[dict[str, Any]]:
    block = next(b for b in view["blocks"] if b.get("block_id") == block_id)
    return list(block["element"]["options"])
