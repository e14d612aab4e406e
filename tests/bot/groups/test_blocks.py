"""The group messages are valid Block Kit, keep typed text as text, and lose only their own
buttons once answered."""

from __future__ import annotations

import json
from typing import Any

import pytest
from slack_sdk.models.blocks import Block

from bot.slack.blocks import groups as blocks
from bot.slack.copy import groups as copy


def _valid(message: dict[str, Any]) -> None:
    for raw in message["blocks"]:
        parsed = Block.parse(raw)
        assert parsed is not None
        parsed.to_dict()  # runs slack_sdk's validators
    json.dumps(message)  # stored as JSON in the outbox


@pytest.mark.parametrize(
    "message",
    [
        blocks.midpoint_nudge(7),
        blocks.end_nudge(7),
        blocks.ghost_question(3, 3),
        blocks.mentorship_intro(7, mentor_user_id="U0B", mentee_user_id="U0A"),
        blocks.mentor_request(7, mentee_user_id="U0A", function=None, goals=[]),
        blocks.plain(copy.MENTEE_WAIT),
    ],
)
def test_every_message_is_valid_block_kit(message: dict[str, Any]) -> None:
    _valid(message)
    assert message["text"]


def test_the_mentor_request_escapes_and_cuts_what_the_mentee_typed() -> None:
    message = blocks.mentor_request(
        7,
        mentee_user_id="U0A",
        function="<@U0EVIL> ops",  # not a known function: shown as typed, escaped
        goals=["<!here> *now*", "x" * 1000],
    )
    _valid(message)
    shown = json.dumps(message)
    assert "<!here>" not in shown
    assert "&lt;!here&gt;" in shown
    assert "&lt;@U0EVIL&gt; ops" in shown
    assert "Level" not in shown  # a mentee's level is theirs and the admins' only
    assert "x" * 300 not in shown


def test_answering_removes_only_the_group_buttons() -> None:
    intro = blocks.mentorship_intro(7, mentor_user_id="U0B", mentee_user_id="U0A")
    other_buttons = {
        "type": "actions",
        "elements": [
            {
                "type": "button",
                "action_id": "something_else",
                "text": {"type": "plain_text", "text": "Other"},
            }
        ],
    }
    answered = blocks.answered(
        [*intro["blocks"], other_buttons], copy.MET_RECORDED.format(user="U0A")
    )
    _valid(answered)
    shown = json.dumps(answered)
    assert blocks.ACTION_MET not in shown
    assert "something_else" in shown
    assert copy.INTRO_HOW.split("\n")[0] in shown
    assert answered["blocks"][-1]["elements"][0]["text"] == copy.MET_RECORDED.format(user="U0A")
