"""The App Home tab and the enrolment replies render valid Block Kit for every state."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from datetime import date, time
from typing import Any

import pytest
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot.commands.intents import FindKind
from bot.domain import (
    Cadence,
    EnrolmentState,
    MembershipRole,
    ProgrammeKind,
    ProgrammeMode,
)
from bot.enrolment.home_state import (
    AdminProgramme,
    CurrentMatch,
    FailedSummary,
    HomeState,
    ProgrammeStatus,
)
from bot.enrolment.profile_form import ProfileInput
from bot.slack.blocks import enrolment
from bot.slack.blocks.home import (
    ACTION_ADMIN_PROGRAMMES,
    ACTION_ADMIN_SETTINGS,
    ACTION_EDIT_PROFILE,
    ACTION_FIND,
    ACTION_PAUSE,
    ACTION_RESUME,
    dm_reply,
    format_date,
    home_view,
)

USER = "U0ALICE"
BLOCKED = "U0BLOCKED"  # on Alice's do-not-pair list; must never appear anywhere
TODAY = date(2026, 11, 25)
NEXT_ROUND = date(2026, 11, 30)
SETTINGS = "*Cadence:* every 2 weeks\n*Rounds:* Mondays"

PROFILE = ProfileInput(
    function="engineering",
    level=3,
    time_zone="Europe/Berlin",
    work_start=time(9, 0),
    work_end=time(17, 30),
    goals=("Give clearer feedback",),
    goal_tags=("giving-feedback",),
    skills=("presenting",),
    cadence=Cadence.FORTNIGHTLY,
    do_not_pair=(BLOCKED,),
)
PAIR = CurrentMatch(
    partner_ids=("U0BOB",),
    kind="pair",
    explanation="You both want to get better at giving feedback.",
    since=date(2026, 11, 16),
)
TRIAD = CurrentMatch(
    partner_ids=("U0BOB", "U0CAROL"),
    kind="triad",
    explanation="Three of you at level 3 in different functions.",
    since=date(2026, 11, 16),
)

PAIRS = ProgrammeStatus(
    programme_id=1,
    name="Peer pairs",
    mode=ProgrammeMode.PAIRS,
    role=MembershipRole.PARTICIPANT,
    cadence=Cadence.WEEKLY,
    weekday=0,
    next_round=NEXT_ROUND,
)
CIRCLES = ProgrammeStatus(
    programme_id=2,
    name="Peer circles",
    mode=ProgrammeMode.CIRCLES,
    role=MembershipRole.PARTICIPANT,
    cadence=Cadence.FORTNIGHTLY,
    weekday=2,
    next_round=date(2026, 12, 2),
)
MENTORING = ProgrammeStatus(
    programme_id=3,
    name="Mentoring",
    mode=ProgrammeMode.MENTORSHIP,
    role=MembershipRole.MENTEE,
    cadence=Cadence.MONTHLY,
    weekday=4,
    next_round=None,
)

BASE = HomeState(
    user_id=USER,
    state=EnrolmentState.ENROLLED,
    profile=PROFILE,
    programmes=(PAIRS,),
    mentor_capacity=0,
    flash_week=None,
    paused_until=None,
    matches=(),
    next_round=NEXT_ROUND,
    is_admin=False,
    settings_summary=None,
)


def _state(**changes: Any) -> HomeState:
    return dataclasses.replace(BASE, **changes)


NOT_ENROLLED = _state(state=EnrolmentState.NOT_ENROLLED, profile=None, programmes=())
STATES: dict[str, HomeState] = {
    "no profile": NOT_ENROLLED,
    "not enrolled with a profile": _state(state=EnrolmentState.NOT_ENROLLED, programmes=()),
    "enrolled, waiting": BASE,
    "enrolled, no next round date": _state(
        next_round=None, programmes=(dataclasses.replace(PAIRS, next_round=None),)
    ),
    "enrolled with a pair": _state(matches=(PAIR,)),
    "enrolled in a triad": _state(matches=(TRIAD,)),
    "enrolled without a profile": _state(profile=None),
    "circle, mentor, mentee, flash": _state(
        programmes=(
            dataclasses.replace(
                CIRCLES, matches=(dataclasses.replace(TRIAD, kind="circle", programme_id=2),)
            ),
            dataclasses.replace(
                MENTORING,
                role=MembershipRole.MENTOR,
                matches=(dataclasses.replace(PAIR, kind="mentor", partner_ids=("U0DAN",)),),
            ),
        ),
        mentor_capacity=2,
        flash_week=date(2026, 12, 7),
        matches=(
            dataclasses.replace(PAIR, kind="mentee", partner_ids=("U0ERIN",)),
            dataclasses.replace(PAIR, kind="flash", partner_ids=("U0FRANK",), explanation=""),
        ),
    ),
    "pairs and a circle": _state(programmes=(PAIRS, CIRCLES, MENTORING)),
    "partner forgot their data": _state(matches=(dataclasses.replace(PAIR, partner_ids=()),)),
    "paused until a date": _state(
        state=EnrolmentState.PAUSED, paused_until=date(2026, 12, 14), matches=(PAIR,)
    ),
    "paused until resumed": _state(state=EnrolmentState.PAUSED),
    "left": _state(state=EnrolmentState.LEFT),
    "admin": _state(is_admin=True, settings_summary=SETTINGS),
    "admin, default settings": _state(is_admin=True, settings_summary=None),
    "admin with programmes and failures": _state(
        is_admin=True,
        admin_programmes=(
            AdminProgramme(
                programme_id=1,
                name="Peer pairs",
                mode=ProgrammeMode.PAIRS,
                kind=ProgrammeKind.EVERGREEN,
                cadence=Cadence.WEEKLY,
                weekday=0,
                members=12,
                next_round=NEXT_ROUND,
                is_default=True,
            ),
            AdminProgramme(
                programme_id=4,
                name="Spring <!channel> circle",
                mode=ProgrammeMode.CIRCLES,
                kind=ProgrammeKind.COHORT,
                cadence=Cadence.WEEKLY,
                weekday=3,
                members=1,
                next_round=None,
                starts_on=date(2026, 12, 3),
                ends_on=date(2027, 1, 28),
            ),
        ),
        failed=FailedSummary(3, (("intro", "channel_not_found", 2), ("invite", "http_500", 1))),
    ),
    "admin, not enrolled": dataclasses.replace(NOT_ENROLLED, is_admin=True),
}


def _action_ids(blocks: list[dict[str, Any]]) -> list[str]:
    return [
        element["action_id"]
        for block in blocks
        if block["type"] == "actions"
        for element in block["elements"]
    ]


def _validate_home(state: HomeState) -> dict[str, Any]:
    view = home_view(state)
    View(**view).validate_json()
    assert view["type"] == "home"
    assert len(view["blocks"]) <= 100
    return view


@pytest.mark.parametrize("state", STATES.values(), ids=STATES.keys())
def test_every_state_renders_a_valid_home_view(state: HomeState) -> None:
    view = _validate_home(state)
    dumped = json.dumps(view)
    assert "Being a good peer coach" in dumped
    assert BLOCKED not in dumped


@pytest.mark.parametrize(
    ("name", "buttons"),
    [
        ("no profile", [ACTION_FIND]),
        ("not enrolled with a profile", [ACTION_FIND, ACTION_EDIT_PROFILE]),
        ("enrolled, waiting", [ACTION_EDIT_PROFILE, ACTION_PAUSE]),
        ("enrolled with a pair", [ACTION_EDIT_PROFILE, ACTION_PAUSE]),
        ("enrolled without a profile", [ACTION_EDIT_PROFILE, ACTION_PAUSE]),
        ("paused until a date", [ACTION_RESUME, ACTION_EDIT_PROFILE]),
        ("paused until resumed", [ACTION_RESUME, ACTION_EDIT_PROFILE]),
        ("left", [ACTION_FIND, ACTION_EDIT_PROFILE]),
        (
            "admin",
            [ACTION_EDIT_PROFILE, ACTION_PAUSE, ACTION_ADMIN_PROGRAMMES, ACTION_ADMIN_SETTINGS],
        ),
        ("admin, not enrolled", [ACTION_FIND, ACTION_ADMIN_PROGRAMMES, ACTION_ADMIN_SETTINGS]),
    ],
)
def test_home_shows_the_buttons_that_fit_the_state(name: str, buttons: list[str]) -> None:
    assert _action_ids(home_view(STATES[name])["blocks"]) == buttons


def test_joining_is_the_primary_action_for_newcomers_and_leavers() -> None:
    for name in ("no profile", "left"):
        [find] = [
            element
            for block in home_view(STATES[name])["blocks"]
            if block["type"] == "actions"
            for element in block["elements"]
            if element["action_id"] == ACTION_FIND
        ]
        assert find["style"] == "primary"


def test_the_admin_section_is_only_for_admins() -> None:
    admin = json.dumps(home_view(STATES["admin"]))
    assert "For admins" in admin
    assert "*Cadence:* every 2 weeks" in admin
    assert "/peercoach admin round now" in admin
    assert ACTION_ADMIN_PROGRAMMES in admin
    for name, state in STATES.items():
        if not state.is_admin:
            dumped = json.dumps(home_view(state))
            assert "For admins" not in dumped, name
            assert ACTION_ADMIN_SETTINGS not in dumped, name
            assert "admin digest" not in dumped, name


def test_a_settings_summary_never_leaks_to_a_non_admin() -> None:
    # The handler fills the summary only for admins; the view must not rely on that.
    leaked = _state(is_admin=False, settings_summary=SETTINGS)
    assert "*Rounds:* Mondays" not in json.dumps(home_view(leaked))


def test_enrolled_home_names_the_programme_and_the_next_round() -> None:
    dumped = json.dumps(home_view(STATES["enrolled, waiting"]), ensure_ascii=False)
    assert "*Peer pairs* · pairs · every week on Mondays" in dumped
    assert "Next round: Mon 30 Nov 2026" in dumped
    assert "No further round is planned." in json.dumps(
        home_view(STATES["enrolled, no next round date"])
    )


def test_every_programme_is_listed_with_mode_cadence_and_next_round() -> None:
    dumped = json.dumps(home_view(STATES["pairs and a circle"]), ensure_ascii=False)
    for part in (
        "*Peer pairs* · pairs · every week on Mondays",
        "*Peer circles* · circles · every 2 weeks on Wednesdays",
        "Next round: Wed 2 Dec 2026",
        "*Mentoring* · mentoring looking for a mentor · every month on Fridays",
    ):
        assert part in dumped
    status = json.dumps(enrolment.status_message(STATES["pairs and a circle"]))
    assert "Peer circles" in status
    assert "Peer pairs" in status


def test_admin_home_lists_programmes_and_undelivered_messages_without_text() -> None:
    dumped = json.dumps(
        _validate_home(STATES["admin with programmes and failures"]), ensure_ascii=False
    )
    assert "*Peer pairs* (default) · pairs · every week on Mondays · 12 members" in dumped
    assert "1 member" in dumped
    assert "Cohort Thu 3 Dec 2026 to Thu 28 Jan 2027" in dumped
    assert "&lt;!channel&gt;" in dumped
    assert "<!channel>" not in dumped
    assert "3 messages could not be delivered" in dumped
    assert "2 intro (channel_not_found)" in dumped
    assert "1 invite (http_500)" in dumped
    quiet = json.dumps(home_view(STATES["admin"]))
    assert "could not be delivered" not in quiet


def test_programme_line_lists_mentoring_and_flash() -> None:
    dumped = json.dumps(home_view(STATES["circle, mentor, mentee, flash"]))
    for part in (
        "Peer circles",
        "Mentoring",
        "mentoring up to 2 people",
        "Mon 7 Dec 2026",
        "*Your circle:* <@U0BOB> and <@U0CAROL>",
        "*You are mentoring:* <@U0DAN>",
        "*Your mentor:* <@U0ERIN>",
        "*Your one-off conversation:* <@U0FRANK>",
    ):
        assert part in dumped
    one = _state(
        mentor_capacity=1,
        programmes=(dataclasses.replace(MENTORING, role=MembershipRole.MENTOR),),
    )
    assert "mentoring up to 1 person" in json.dumps(home_view(one))


def test_matches_show_mentions_since_and_why() -> None:
    pair = json.dumps(home_view(STATES["enrolled with a pair"]))
    assert "<@U0BOB>" in pair
    assert "Since Mon 16 Nov 2026" in pair
    assert "giving feedback" in pair
    assert "next round" not in pair
    triad = json.dumps(home_view(STATES["enrolled in a triad"]))
    assert "<@U0BOB> and <@U0CAROL>" in triad
    gone = json.dumps(home_view(STATES["partner forgot their data"]))
    assert "someone who has since left peercoach" in gone


def test_an_explanation_cannot_ping_a_channel() -> None:
    match = dataclasses.replace(PAIR, explanation="Both like <!channel> & <b>tags</b>")
    dumped = json.dumps(home_view(_state(matches=(match,))))
    assert "<!channel>" not in dumped
    assert "&lt;!channel&gt; &amp; &lt;b&gt;" in dumped


def test_paused_home_shows_the_end_date_or_open_pause() -> None:
    dated = json.dumps(home_view(STATES["paused until a date"]))
    assert "Paused until Mon 14 Dec 2026" in dated
    assert "next round" not in dated
    assert "*Paused.*" in json.dumps(home_view(STATES["paused until resumed"]))


def test_left_home_offers_a_way_back() -> None:
    dumped = json.dumps(home_view(STATES["left"]))
    assert "You left peercoach" in dumped
    assert "Join again" in dumped


def test_profile_summary_is_shown_without_the_do_not_pair_list() -> None:
    dumped = json.dumps(home_view(BASE))
    assert "Your profile" in dumped
    assert "Give clearer feedback" in dumped
    assert BLOCKED not in dumped
    assert "Not filled in yet" in json.dumps(home_view(STATES["enrolled without a profile"]))
    # A newcomer without a profile gets the pitch, not an empty profile section.
    assert "Your profile" not in json.dumps(home_view(NOT_ENROLLED))


def test_a_long_match_list_stays_inside_the_block_limit() -> None:
    many = tuple(
        dataclasses.replace(PAIR, partner_ids=(f"U0P{n:03d}",), explanation="x" * 5000)
        for n in range(200)
    )
    view = _validate_home(_state(matches=many, is_admin=True, settings_summary="y" * 5000))
    assert "190 more" in json.dumps(view)


def test_dates_read_the_same_everywhere() -> None:
    assert format_date(date(2026, 11, 30)) == "Mon 30 Nov 2026"
    assert format_date(date(2027, 1, 3)) == "Sun 3 Jan 2027"


def test_dm_reply_points_at_help() -> None:
    assert "/peercoach help" in dm_reply()


MESSAGES: dict[str, Callable[[], dict[str, Any]]] = {
    **{
        f"status: {name}": (lambda state=state: enrolment.status_message(state))
        for name, state in STATES.items()
    },
    **{
        f"joined {kind.value}{' first time' if first else ''}": (
            lambda kind=kind, first=first: enrolment.joined_message(
                kind,
                next_round=NEXT_ROUND,
                profile_summary="*Function:* Engineering",
                first_time=first,
            )
        )
        for kind in FindKind
        for first in (True, False)
    },
    "joined, no date, no summary": lambda: enrolment.joined_message(
        FindKind.PAIRS, next_round=None, profile_summary="", first_time=False
    ),
    "mentor 1": lambda: enrolment.mentor_offer_message(1, next_round=NEXT_ROUND),
    "mentor 3": lambda: enrolment.mentor_offer_message(3, next_round=None),
    "profile saved, enrolled": lambda: enrolment.profile_saved_message(enrolled=True),
    "profile saved, not enrolled": lambda: enrolment.profile_saved_message(enrolled=False),
    "paused until": lambda: enrolment.paused_message(date(2026, 12, 14)),
    "paused": lambda: enrolment.paused_message(None),
    "resumed": lambda: enrolment.resumed_message(next_round=NEXT_ROUND),
    "resumed, no date": lambda: enrolment.resumed_message(next_round=None),
    "already, keyed": lambda: enrolment.already_message("not_paused"),
    "already, sentence": lambda: enrolment.already_message("You are not paused."),
    "already paused until": lambda: enrolment.already_paused_message(date(2026, 12, 14)),
    "already paused": lambda: enrolment.already_paused_message(None),
    "already joined": lambda: enrolment.already_joined_message(BASE),
    "leave confirmation": enrolment.leave_confirmation,
    "left": enrolment.left_message,
    "forget confirmation": enrolment.forget_confirmation,
    "forgotten": enrolment.forgotten_message,
    "cancelled": enrolment.cancelled_message,
    "export sent": enrolment.export_sent_message,
    "not enrolled: status": lambda: enrolment.not_enrolled_message("status"),
    "not enrolled: pause": lambda: enrolment.not_enrolled_message("pause"),
    "not enrolled: other": lambda: enrolment.not_enrolled_message("question"),
    "not enrolled: unknown": lambda: enrolment.not_enrolled_message("something"),
    **{
        f"refusal: {reason}": (lambda reason=reason: enrolment.refusal_message(reason))
        for reason in ("deleted", "bot", "external", "restricted", "unknown")
    },
    "slack busy": enrolment.slack_busy_message,
    "not admin": enrolment.not_admin_message,
    "flash": lambda: enrolment.flash_message(date(2026, 11, 30)),
}


@pytest.mark.parametrize("build", MESSAGES.values(), ids=MESSAGES.keys())
def test_every_message_is_valid_block_kit_with_a_fallback(
    build: Callable[[], dict[str, Any]],
) -> None:
    message = build()
    assert message["response_type"] == "ephemeral"
    assert message["text"].strip()
    assert 0 < len(message["blocks"]) <= 50
    for raw in message["blocks"]:
        block = Block.parse(raw)
        assert block is not None
        block.validate_json()
    assert BLOCKED not in json.dumps(message)


def _buttons(message: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        element["action_id"]: element
        for block in message["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
    }


def test_leave_asks_first_and_says_what_happens() -> None:
    message = enrolment.leave_confirmation()
    dumped = json.dumps(message)
    assert "stop every message" in dumped
    assert "statistics" in dumped
    buttons = _buttons(message)
    assert list(buttons) == [enrolment.ACTION_CONFIRM_LEAVE, enrolment.ACTION_CANCEL]
    assert buttons[enrolment.ACTION_CONFIRM_LEAVE]["style"] == "danger"
    assert buttons[enrolment.ACTION_CONFIRM_LEAVE]["text"]["text"] == "Yes, leave"


def test_forget_explains_what_goes_and_what_stays_and_confirms_twice() -> None:
    message = enrolment.forget_confirmation()
    dumped = json.dumps(message)
    for part in (
        "profile",
        "goals",
        "check-ins",
        "rather not be paired with",
        "past matches",
        "Anonymous counts",
        "cannot be undone",
    ):
        assert part in dumped
    buttons = _buttons(message)
    assert list(buttons) == [enrolment.ACTION_CONFIRM_FORGET, enrolment.ACTION_CANCEL]
    delete = buttons[enrolment.ACTION_CONFIRM_FORGET]
    assert delete["style"] == "danger"
    assert delete["text"]["text"] == "Delete my data"
    assert delete["confirm"]["style"] == "danger"


def test_pause_messages_say_when_it_ends() -> None:
    dated = json.dumps(enrolment.paused_message(date(2026, 12, 14)))
    assert "Mon 14 Dec 2026" in dated
    assert "by yourself" in dated
    assert "/peercoach resume" in json.dumps(enrolment.paused_message(None))


def test_profile_saved_tells_a_non_member_how_to_join() -> None:
    assert "/peercoach find" in enrolment.profile_saved_message(enrolled=False)["text"]
    assert "/peercoach find" not in enrolment.profile_saved_message(enrolled=True)["text"]


def test_not_enrolled_points_at_find() -> None:
    for command in ("status", "pause", "leave", "anything"):
        assert "/peercoach find" in enrolment.not_enrolled_message(command)["text"]


def test_refusals_say_why() -> None:
    assert "members of this workspace" in enrolment.refusal_message("external")["text"]
    assert "own workspace" in enrolment.refusal_message("external")["text"]
    assert "guest" in enrolment.refusal_message("restricted")["text"]
    assert "deactivated" in enrolment.refusal_message("deleted")["text"]
    assert "Bots" in enrolment.refusal_message("bot")["text"]


def test_failures_say_nothing_changed() -> None:
    assert "Nothing was changed" in enrolment.slack_busy_message()["text"]
    assert "try again in a minute" in enrolment.slack_busy_message()["text"]
    assert "Nothing was changed" in enrolment.not_admin_message()["text"]


def test_flash_is_honest_about_timing() -> None:
    dumped = json.dumps(enrolment.flash_message(date(2026, 11, 30)))
    assert "Mon 30 Nov 2026" in dumped
    assert "not arranged instantly" in dumped


def test_status_uses_the_home_facts() -> None:
    dumped = json.dumps(enrolment.status_message(STATES["enrolled in a triad"]))
    assert "<@U0BOB> and <@U0CAROL>" in dumped
    assert "/peercoach pause" in dumped
    assert "/peercoach find" in enrolment.status_message(NOT_ENROLLED)["text"]


def test_pause_modal_defaults_to_two_weeks() -> None:
    modal = enrolment.pause_modal(today=TODAY)
    View(**modal).validate_json()
    assert modal["type"] == "modal"
    assert modal["callback_id"] == enrolment.PAUSE_CALLBACK_ID
    assert modal["submit"]["text"] == "Pause"
    [picker_block] = [
        b for b in modal["blocks"] if b.get("block_id") == enrolment.BLOCK_PAUSE_UNTIL
    ]
    picker = picker_block["element"]
    assert picker["type"] == "datepicker"
    assert picker["action_id"] == enrolment.ACTION_PAUSE_UNTIL
    assert picker["initial_date"] == "2026-12-09"


def test_export_comment_is_plain_text() -> None:
    comment = enrolment.export_file_comment()
    assert comment.strip()
    assert "*" not in comment
