"""What a `/peercoach` command asks for, with its arguments checked (pure; no Slack objects).

`bot.commands.catalogue.parse` finds the command; `interpret` turns its words into a typed
intent, or into a `Malformed` answer that names the problem and the closest valid form.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from bot.commands.catalogue import CommandSpec, Parsed, Unknown, parse

MAX_PAUSE_WEEKS = 26
MAX_PAUSE_DAYS = 366
MAX_MENTEES = 3


class FindKind(StrEnum):
    PAIRS = "pairs"
    CIRCLE = "circle"
    MENTOR = "mentor"
    FLASH = "flash"


@dataclass(frozen=True, slots=True)
class Find:
    kind: FindKind


@dataclass(frozen=True, slots=True)
class OfferMentoring:
    capacity: int


@dataclass(frozen=True, slots=True)
class Pause:
    until: date | None  # None: until they resume


@dataclass(frozen=True, slots=True)
class Simple:
    """A command without arguments: profile, status, resume, leave, export, forget, help..."""

    name: str


@dataclass(frozen=True, slots=True)
class AdminDigest:
    channel_id: str | None
    programme: str | None = None


@dataclass(frozen=True, slots=True)
class AdminExport:
    """`admin export`: a CSV of every programme's per-round figures, sent to the admin."""


class QuestionsAction(StrEnum):
    ADD = "add"
    LIST = "list"
    RETIRE = "retire"


@dataclass(frozen=True, slots=True)
class AdminQuestions:
    """Open the question bank modal; `add`, `list` or `retire` after it open it too."""

    action: QuestionsAction = QuestionsAction.LIST


@dataclass(frozen=True, slots=True)
class JoinProgramme:
    """Join one programme by id: the Join button of an invitation (not a typed command)."""

    programme_id: int


@dataclass(frozen=True, slots=True)
class AdminInvite:
    channel_id: str
    programme: str | None  # a programme's name as typed; None: the default programme


@dataclass(frozen=True, slots=True)
class AdminRoundNow:
    programme: str | None  # a programme's name as typed; None: the default programme


@dataclass(frozen=True, slots=True)
class AdminEligibility:
    """The words after `admin eligibility`, read by `bot.people.admin`."""

    words: tuple[str, ...]


Intent = (
    Find
    | OfferMentoring
    | Pause
    | Simple
    | AdminDigest
    | AdminQuestions
    | AdminInvite
    | AdminRoundNow
    | AdminEligibility
    | AdminExport
)


@dataclass(frozen=True, slots=True)
class Malformed:
    """A known command with arguments we cannot use, and how to type it instead."""

    spec: CommandSpec
    problem: str  # may hold "{got}", where the answer quotes what was typed
    example: str
    got: str = ""


_FIND_KINDS = {
    "find": FindKind.PAIRS,
    "find circle": FindKind.CIRCLE,
    "find mentor": FindKind.MENTOR,
    "find flash": FindKind.FLASH,
}
FIND_COMMANDS = {kind: name for name, kind in _FIND_KINDS.items()}


def command_name(intent: Intent) -> str:
    """The catalogue name of the command that expresses `intent`."""
    if isinstance(intent, Find):
        return FIND_COMMANDS[intent.kind]
    if isinstance(intent, OfferMentoring):
        return "mentor"
    if isinstance(intent, Pause):
        return "pause"
    if isinstance(intent, AdminDigest):
        return "admin digest"
    if isinstance(intent, AdminQuestions):
        return "admin questions"
    if isinstance(intent, AdminInvite):
        return "admin invite"
    if isinstance(intent, AdminRoundNow):
        return "admin round now"
    if isinstance(intent, AdminEligibility):
        return "admin eligibility"
    if isinstance(intent, AdminExport):
        return "admin export"
    return intent.name


_WEEK_WORDS = frozenset({"week", "weeks", "wk", "wks", "w"})
_CHANNEL = re.compile(r"^<#(?P<id>[CG][A-Z0-9]{2,})(?:\|[^>]*)?>$")
# [0-9], not \d: int() and isdigit() also take "²" and "٣", which int() then rejects or reads.
_WEEKS_GLUED = re.compile(r"(?P<n>[0-9]{1,9})(?:w|wk|wks|week|weeks)")
_NUMBER = re.compile(r"[0-9]{1,9}")


def _is_number(word: str) -> bool:
    """A small count in ASCII digits: "²".isdigit() is True, but int("²") fails."""
    return _NUMBER.fullmatch(word) is not None


def _got(args: tuple[str, ...]) -> str:
    return " ".join(args)


def interpret(text: str, today: date) -> Intent | Malformed | Unknown:
    parsed = parse(text)
    if isinstance(parsed, Unknown):
        return parsed
    return interpret_parsed(parsed, today)


def interpret_parsed(parsed: Parsed, today: date) -> Intent | Malformed:
    spec, args = parsed.spec, parsed.args
    name = spec.name
    if name in _FIND_KINDS:
        return _no_args(spec, args) or Find(_FIND_KINDS[name])
    if name == "mentor":
        return _mentor(spec, args)
    if name == "pause":
        return _pause(spec, args, today)
    if name == "admin digest":
        return _digest(spec, args)
    if name == "admin questions":
        return _questions(spec, args)
    if name == "admin invite":
        return _invite(spec, args)
    if name == "admin round now":
        return AdminRoundNow(_programme_name(args))
    if name == "admin eligibility":
        return AdminEligibility(tuple(args))
    if name == "admin export":
        return _no_args(spec, args) or AdminExport()
    return _no_args(spec, args) or Simple(name)


def _no_args(spec: CommandSpec, args: tuple[str, ...]) -> Malformed | None:
    if not args:
        return None
    return Malformed(
        spec, f"`{spec.name}` takes nothing after it (I got `{{got}}`).", spec.name, _got(args)
    )


def _mentor(spec: CommandSpec, args: tuple[str, ...]) -> OfferMentoring | Malformed:
    if not args:
        return OfferMentoring(1)
    if len(args) == 1 and _is_number(args[0]) and 1 <= int(args[0]) <= MAX_MENTEES:
        return OfferMentoring(int(args[0]))
    return Malformed(
        spec,
        f"You can mentor 1 to {MAX_MENTEES} people at a time (I got `{{got}}`).",
        "mentor 2",
        _got(args),
    )


def _pause(spec: CommandSpec, args: tuple[str, ...], today: date) -> Pause | Malformed:
    words = [a.lower() for a in args]
    if not words:
        return Pause(None)
    weeks: int | None = None
    if len(words) == 2 and _is_number(words[0]) and words[1] in _WEEK_WORDS:
        weeks = int(words[0])
    elif len(words) == 1 and (glued := _WEEKS_GLUED.fullmatch(words[0])):
        weeks = int(glued["n"])
    elif len(words) == 1 and _is_number(words[0]):
        weeks = int(words[0])
    if weeks is not None:
        if 1 <= weeks <= MAX_PAUSE_WEEKS:
            return Pause(today + timedelta(weeks=weeks))
        return Malformed(
            spec, f"A pause can last 1 to {MAX_PAUSE_WEEKS} weeks (I got {weeks}).", "pause 2 weeks"
        )
    if len(words) == 2 and words[0] == "until":
        try:
            end = date.fromisoformat(words[1])
        except ValueError:
            return Malformed(
                spec,
                "`{got}` is not a date I can read; write it as YYYY-MM-DD.",
                f"pause until {(today + timedelta(weeks=2)).isoformat()}",
                args[1],
            )
        if end <= today:
            return Malformed(
                spec,
                f"{end.isoformat()} is not in the future.",
                f"pause until {(today + timedelta(weeks=2)).isoformat()}",
            )
        if end > today + timedelta(days=MAX_PAUSE_DAYS):
            return Malformed(
                spec,
                "A pause can last at most a year; use `leave` to stop for longer.",
                f"pause until {(today + timedelta(weeks=8)).isoformat()}",
            )
        return Pause(end)
    return Malformed(
        spec,
        "I could not read how long to pause (I got `{got}`).",
        "pause 2 weeks",
        _got(args),
    )


def _digest(spec: CommandSpec, args: tuple[str, ...]) -> AdminDigest | Malformed:
    """`admin digest [programme] [#channel]`: the channel, when given, comes last."""
    words = list(args)
    channel_id: str | None = None
    if words and (match := _CHANNEL.match(words[-1])):
        channel_id = match["id"]
        words.pop()
    if any(word.startswith(("#", "<#")) for word in words):
        return Malformed(
            spec,
            "Name the channel last, by typing `#` and picking it from the list, so Slack links it.",
            "admin digest Engineering circles #people-team",
        )
    return AdminDigest(channel_id, _programme_name(tuple(words)))


def _questions(spec: CommandSpec, args: tuple[str, ...]) -> AdminQuestions | Malformed:
    # Everything happens in the modal; the old sub-words still open it, anything more is a
    # question typed where the modal's field belongs.
    if not args:
        return AdminQuestions()
    if len(args) == 1 and args[0].lower() in set(QuestionsAction):
        return AdminQuestions(QuestionsAction(args[0].lower()))
    return Malformed(
        spec,
        "`admin questions` opens a window where you list, add and retire questions; "
        "type the question there (I got `{got}`).",
        "admin questions",
        _got(args),
    )


MAX_PROGRAMME_NAME = 80


def _programme_name(args: tuple[str, ...]) -> str | None:
    name = " ".join(args).strip().strip('"').strip("\u201c\u201d").strip()
    return name[:MAX_PROGRAMME_NAME] or None


def _invite(spec: CommandSpec, args: tuple[str, ...]) -> AdminInvite | Malformed:
    if args and (match := _CHANNEL.match(args[0])):
        return AdminInvite(match["id"], _programme_name(args[1:]))
    return Malformed(
        spec,
        "Name the channel by typing `#` and picking it from the list, so Slack links it; "
        "a programme's name may follow.",
        "admin invite #engineering Peer circles",
    )
