"""Command arguments: table tests and a fuzz run over `interpret` (pure, no Slack objects)."""

from __future__ import annotations

import random
import string
from datetime import date

import pytest

from bot.commands.catalogue import CATALOGUE, Unknown
from bot.commands.intents import (
    AdminDigest,
    AdminExport,
    AdminInvite,
    AdminQuestions,
    AdminRoundNow,
    Find,
    FindKind,
    Malformed,
    OfferMentoring,
    Pause,
    QuestionsAction,
    Simple,
    interpret,
)

TODAY = date(2026, 11, 23)


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("find", Find(FindKind.PAIRS)),
        ("FIND", Find(FindKind.PAIRS)),
        ("find circle", Find(FindKind.CIRCLE)),
        ("find mentor", Find(FindKind.MENTOR)),
        ("find flash", Find(FindKind.FLASH)),
        ("mentor", OfferMentoring(1)),
        ("mentor 3", OfferMentoring(3)),
        ("pause", Pause(None)),
        ("pause 2 weeks", Pause(date(2026, 12, 7))),
        ("pause 1 week", Pause(date(2026, 11, 30))),
        ("pause 3w", Pause(date(2026, 12, 14))),
        ("pause 4", Pause(date(2026, 12, 21))),
        ("pause until 2026-12-24", Pause(date(2026, 12, 24))),
        ("Pause Until 2027-01-05", Pause(date(2027, 1, 5))),
        ("status", Simple("status")),
        ("export", Simple("export")),
        ("forget", Simple("forget")),
        ("admin settings", Simple("admin settings")),
        ("admin match preview", Simple("admin match preview")),
        ("admin digest", AdminDigest(None)),
        ("admin digest <#C0PEOPLE|people-team>", AdminDigest("C0PEOPLE")),
        ("admin digest <#G0PRIVATE>", AdminDigest("G0PRIVATE")),
        ("admin digest Engineering circles", AdminDigest(None, "Engineering circles")),
        (
            "admin digest Engineering circles <#C0PEOPLE|people-team>",
            AdminDigest("C0PEOPLE", "Engineering circles"),
        ),
        ("admin export", AdminExport()),
        ("admin questions", AdminQuestions()),
        ("admin questions list", AdminQuestions(QuestionsAction.LIST)),
        ("admin questions Add", AdminQuestions(QuestionsAction.ADD)),
        ("admin questions retire", AdminQuestions(QuestionsAction.RETIRE)),
        ("admin programmes", Simple("admin programmes")),
        ("admin round now", AdminRoundNow(None)),
        ("admin round now Peer circles", AdminRoundNow("Peer circles")),
        ("admin invite <#C0ENG|engineering>", AdminInvite("C0ENG", None)),
        ("admin invite <#G0PRIV> Spring  circle", AdminInvite("G0PRIV", "Spring circle")),
    ],
)
def test_valid_commands(text: str, intent: object) -> None:
    assert interpret(text, TODAY) == intent


@pytest.mark.parametrize(
    ("text", "example"),
    [
        ("mentor 5", "mentor 2"),
        ("admin invite engineering", "admin invite #engineering Peer circles"),
        ("admin invite", "admin invite #engineering Peer circles"),
        ("mentor lots", "mentor 2"),
        ("pause 0 weeks", "pause 2 weeks"),
        ("pause 27 weeks", "pause 2 weeks"),
        ("pause for a while", "pause 2 weeks"),
        ("pause until 2026-11-23", "pause until 2026-12-07"),
        ("pause until 2026-02-30", "pause until 2026-12-07"),
        ("pause until 2028-01-01", "pause until 2027-01-18"),
        ("status please", "status"),
        ("find circle now", "find circle"),
        ("admin digest #people", "admin digest Engineering circles #people-team"),
        ("admin digest <#C0A> pairs", "admin digest Engineering circles #people-team"),
        ("admin export now", "admin export"),
        ("admin questions add What surprised you?", "admin questions"),
        ("admin questions retire first", "admin questions"),
        # Digits outside ASCII: "²".isdigit() is True, int("²") raises.
        ("pause ² weeks", "pause 2 weeks"),
        ("pause ²", "pause 2 weeks"),
        ("pause ٣w", "pause 2 weeks"),
        ("mentor ²", "mentor 2"),
        ("mentor ２", "mentor 2"),
        ("admin questions retire ²", "admin questions"),
    ],
)
def test_malformed_arguments_name_a_valid_form(text: str, example: str) -> None:
    result = interpret(text, TODAY)
    assert isinstance(result, Malformed)
    assert result.example == example
    assert result.problem
    # The example itself is always understood.
    if "#" not in example:
        assert not isinstance(interpret(example, TODAY), Malformed | Unknown)


def test_unknown_text_is_passed_through_with_a_suggestion() -> None:
    result = interpret("paus 2 weeks", TODAY)
    assert isinstance(result, Unknown)
    assert result.suggestion == "pause 2 weeks"


def test_fuzzed_text_never_raises() -> None:
    rng = random.Random(20261123)
    alphabet = string.printable + "äöü—–“”😀\u200b\x00"
    words = [s.name for s in CATALOGUE] + ["2", "weeks", "until", "2026-12-01", "<#C1|x>", "9"]
    for _ in range(4000):
        if rng.random() < 0.4:
            text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60)))
        else:
            text = " ".join(rng.choice(words) for _ in range(rng.randint(1, 5)))
            text = "".join(c if rng.random() > 0.05 else rng.choice(alphabet) for c in text)
        result = interpret(text, TODAY)
        assert result is not None


def test_what_was_typed_is_kept_apart_from_the_problem() -> None:
    # The builder escapes and cuts `got`; the problem text itself holds no user text.
    result = interpret("find <!channel>", TODAY)
    assert isinstance(result, Malformed)
    assert result.got == "<!channel>"
    assert "<!channel>" not in result.problem
