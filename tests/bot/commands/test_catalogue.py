"""The command parser is pure: table tests and a fuzz run, no Slack objects."""

from __future__ import annotations

import random
import string

import pytest

from bot.commands.catalogue import (
    CATALOGUE,
    HELP,
    Audience,
    Parsed,
    Unknown,
    commands_for,
    parse,
)


@pytest.mark.parametrize(
    ("text", "name", "args"),
    [
        ("", "help", ()),
        ("   ", "help", ()),
        ("help", "help", ()),
        ("HELP", "help", ()),
        ("find", "find", ()),
        ("find circle", "find circle", ()),
        ("Find  Mentor", "find mentor", ()),
        ("find flash", "find flash", ()),
        ("mentor 2", "mentor", ("2",)),
        ("pause 2 weeks", "pause", ("2", "weeks")),
        ("pause until 2026-12-24", "pause", ("until", "2026-12-24")),
        ("admin match preview", "admin match preview", ()),
        ("admin digest #people-ops", "admin digest", ("#people-ops",)),
        (
            "admin questions add What went well?",
            "admin questions",
            ("add", "What", "went", "well?"),
        ),
        ("admin round now", "admin round now", ()),
        ("admin", "admin", ()),
        ("Admin ", "admin", ()),
    ],
)
def test_known_commands(text: str, name: str, args: tuple[str, ...]) -> None:
    parsed = parse(text)
    assert isinstance(parsed, Parsed)
    assert parsed.spec.name == name
    assert parsed.args == args


@pytest.mark.parametrize(
    ("text", "suggestion"),
    [
        ("fnd", "find"),
        ("pase 2 weeks", "pause 2 weeks"),
        ("profil", "profile"),
        ("chekin", "checkin"),
        ("admn settings", "admin settings"),
        ("admin round nw", "admin round now"),
        ("admin setings", "admin settings"),
        ("admin preview", "admin match preview"),
        ("hlep", "help"),
        ("xyzzy", None),
        ("?", None),
    ],
)
def test_unknown_commands_suggest_the_closest(text: str, suggestion: str | None) -> None:
    parsed = parse(text)
    assert isinstance(parsed, Unknown)
    assert parsed.suggestion == suggestion


def test_every_catalogued_command_parses_to_itself() -> None:
    for spec in CATALOGUE:
        parsed = parse(spec.name)
        assert isinstance(parsed, Parsed)
        assert parsed.spec is spec


def test_every_command_of_the_product_is_built() -> None:
    assert [s.name for s in CATALOGUE if not s.available] == []
    assert HELP.available


def test_fuzzed_text_never_raises() -> None:
    rng = random.Random(20261123)
    alphabet = string.printable + "äöü—–“”😀\u200b\x00"
    words = [s.name for s in CATALOGUE] + ["2", "weeks", "until", "#x", "<@U1>"]
    for _ in range(3000):
        if rng.random() < 0.5:
            text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60)))
        else:
            text = " ".join(rng.choice(words) for _ in range(rng.randint(1, 4)))
            text = "".join(c if rng.random() > 0.1 else rng.choice(alphabet) for c in text)
        result = parse(text)
        assert isinstance(result, Parsed | Unknown)
        if isinstance(result, Unknown) and result.suggestion is not None:
            assert isinstance(parse(result.suggestion), Parsed)


def test_words_after_admin_that_name_no_admin_command_are_a_mistyped_command() -> None:
    parsed = parse("admin frobnicate")
    assert isinstance(parsed, Unknown)
    assert parsed.text == "admin frobnicate"


@pytest.mark.parametrize(
    ("audience", "available", "expected"),
    [
        (
            Audience.ADMIN,
            True,
            [
                "admin settings",
                "admin match preview",
                "admin programmes",
                "admin invite",
                "admin round now",
                "admin eligibility",
                "admin digest",
                "admin export",
                "admin questions",
            ],
        ),
        (Audience.ADMIN, False, []),
        (Audience.EVERYONE, False, []),
    ],
)
def test_lists_split_by_audience_and_by_whether_built(
    audience: Audience, available: bool, expected: list[str]
) -> None:
    assert [spec.name for spec in commands_for(audience, available=available)] == expected


def test_every_command_is_in_exactly_one_list_except_the_admin_list_itself() -> None:
    listed = [
        spec
        for audience in Audience
        for available in (True, False)
        for spec in commands_for(audience, available=available)
    ]
    assert sorted(s.name for s in listed) == sorted(s.name for s in CATALOGUE if s.name != "admin")
