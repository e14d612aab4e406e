"""The admin's match preview reads as a report: about people, scores on a scale, seed to replay."""

from __future__ import annotations

import json
import re
from datetime import date

from bot.matching import match
from bot.matching.model import MatchInput, MatchSettings, Mode, Participant, Weights
from bot.slack.blocks.preview import match_preview_message

ANA = Participant(id="U1", function="eng", level=3, goals=frozenset({"giving-feedback"}))
BEN = Participant(id="U2", function="design", level=3, goals=frozenset({"giving-feedback"}))
IDA = Participant(id="U3", function="sales", level=3, utc_offset_minutes=600)
WEIGHTS = Weights(goals=2.5)  # the scale becomes 1 + 1 + 1 + 2.5 + 1


def _preview(names: dict[str, str]) -> dict[str, object]:
    inp = MatchInput(participants=(ANA, BEN, IDA), settings=MatchSettings(weights=WEIGHTS))
    result = match(inp, Mode.PAIRS, 987654)
    return match_preview_message(
        [result], names, weights=WEIGHTS, team_id="T0ACME", on=date(2026, 12, 7)
    )


def _texts(message: dict[str, object]) -> list[str]:
    texts = []
    for block in message["blocks"]:  # type: ignore[attr-defined]
        if block["type"] in ("section", "header"):
            texts.append(block["text"]["text"])
        elif block["type"] == "context":
            texts.extend(element["text"] for element in block["elements"])
    return texts


def test_the_seed_is_only_on_the_replay_line() -> None:
    texts = _texts(_preview({"U1": "Ana", "U2": "Ben", "U3": "Ida"}))
    with_seed = [t for t in texts if "987654" in t]
    assert with_seed == [
        "Replay with every reason in full: `peercoach match --dry-run --team T0ACME "
        "--mode pairs --seed 987654 --date 2026-12-07`"
    ]


def test_scores_carry_the_scale_of_the_weights_and_no_one_is_addressed() -> None:
    texts = _texts(_preview({"U1": "Ana", "U2": "Ben", "U3": "Ida"}))
    body = "\n".join(texts)
    assert re.search(r"Ana, Ben: .*\(score \d\.\d out of 6\.5\)", body)
    assert "mean score" in body
    assert "out of 6.5." in body
    assert "Ida: no allowed partner" in body
    assert not re.search(r"\b(you|your)\b", body, re.IGNORECASE)


def test_display_names_are_shown_as_text_not_markup() -> None:
    message = _preview({"U1": "<!channel> & co", "U2": "<@U0BOSS>", "U3": "Ida"})
    blob = json.dumps(message)
    assert "<!channel>" not in blob
    assert "<@U0BOSS>" not in blob
    assert "&lt;!channel&gt; &amp; co" in blob
    assert "&lt;@U0BOSS&gt;" in blob
