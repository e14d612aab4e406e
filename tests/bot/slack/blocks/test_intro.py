"""The intro's blocks: valid Block Kit, user text escaped, the buttons' ids and values."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from slack_sdk.models.blocks import Block

from bot.slack.blocks.intro import (
    IntroMember,
    explanation_text,
    first_question,
    intro_message,
    shared_hours,
)
from bot.slack.copy import rounds as copy

LONDON = IntroMember("U1", "Ops <!channel> & more", "Europe/London", time(9), time(17))
NEW_YORK = IntroMember("U12", "Design", "America/New_York", time(8), time(16))


def _texts(blocks: list[dict[str, object]]) -> str:
    return "\n".join(str(b.get("text", {})) for b in blocks)


def test_the_intro_is_valid_block_kit_with_the_three_buttons() -> None:
    fallback, blocks = intro_message(
        group_id=42,
        programme_name="Peer <pairs>",
        members=[LONDON, NEW_YORK],
        explanation="U1 and U12 work in different functions",
        intro_at=datetime(2026, 12, 7, 14, tzinfo=UTC),
        round_date=date(2026, 12, 7),
    )
    for block in blocks:
        parsed = Block.parse(block)
        assert parsed is not None
        parsed.validate_json()
    assert "<@U1>" in fallback
    assert "<@U12>" in fallback
    [actions] = [b for b in blocks if b["type"] == "actions"]
    assert [(e["action_id"], e["value"], e["text"]["text"]) for e in actions["elements"]] == [
        ("group_met", "42", copy.BUTTON_MET),
        ("group_skip", "42", copy.BUTTON_SKIP),
        ("group_pause", "42", copy.BUTTON_PAUSE),
    ]
    text = _texts(blocks)
    assert "<!channel>" not in text  # what people typed stays text
    assert "&lt;!channel&gt; &amp; more" in text
    assert "Peer &lt;pairs&gt;" in text
    assert "<@U1> and <@U12> work" in text
    # Each member's local time at the intro's due time, and the shared hours in their zone.
    assert "Mon 14:00 (Europe/London)" in text
    assert "Mon 09:00 (America/New_York)" in text
    assert "13:00–17:00 Europe/London" in text
    assert "08:00–12:00 America/New_York" in text
    assert first_question(42) in text


def test_ids_inside_other_ids_are_not_mentions() -> None:
    assert explanation_text("U1 and U12", ["U1", "U12"]) == "<@U1> and <@U12>"


def test_no_shared_hours_is_said_plainly() -> None:
    tokyo = IntroMember("U3", "Sales", "Asia/Tokyo", time(9), time(17))
    assert shared_hours([LONDON, tokyo], date(2026, 12, 7)) is None
    _, blocks = intro_message(
        group_id=1,
        programme_name="P",
        members=[LONDON, tokyo],
        explanation="",
        intro_at=datetime(2026, 12, 7, 8, tzinfo=UTC),
        round_date=date(2026, 12, 7),
    )
    assert copy.INTRO_NO_SHARED_HOURS in _texts(blocks)


def test_the_first_question_is_stable_per_group_and_varies_across_groups() -> None:
    assert first_question(5) == first_question(5)
    assert len({first_question(n) for n in range(50)}) > 3


def test_a_question_from_the_bank_is_shown_escaped() -> None:
    _, blocks = intro_message(
        group_id=42,
        programme_name="P",
        members=[LONDON, NEW_YORK],
        explanation="",
        intro_at=datetime(2026, 12, 7, 14, tzinfo=UTC),
        round_date=date(2026, 12, 7),
        question="What would <!here> say about you?",
    )
    text = _texts(blocks)
    assert "What would &lt;!here&gt; say about you?" in text
    assert first_question(42) not in text
