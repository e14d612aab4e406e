"""The `/peercoach` command grammar: a catalogue and a pure parser (no Slack objects inside)."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from enum import StrEnum


class Audience(StrEnum):
    EVERYONE = "everyone"
    ADMIN = "admin"


@dataclass(frozen=True, slots=True)
class CommandSpec:
    """One command: its words, how to type it, what it does, and whether it works yet."""

    name: str
    usage: str
    summary: str
    available: bool = False
    audience: Audience = Audience.EVERYONE
    # Names a family of commands ("admin"): words after it that name none of them are a
    # mistyped command, not arguments, so they get the closest command as a suggestion.
    group: bool = False

    @property
    def words(self) -> tuple[str, ...]:
        return tuple(self.name.split())


# The whole product's surface. `available` flips as each command is built, so help and the
# "not available yet" answer stay honest without separate lists to keep in step.
CATALOGUE: tuple[CommandSpec, ...] = (
    CommandSpec("find", "find", "Join peer pairs: a colleague to coach each round", available=True),
    CommandSpec(
        "find circle",
        "find circle",
        "Also join a peer-coaching circle of 3 to 6 (your other programmes stay)",
        available=True,
    ),
    CommandSpec("find mentor", "find mentor", "Also join mentoring, as a mentee", available=True),
    CommandSpec(
        "find flash", "find flash", "A one-off coaching conversation this week", available=True
    ),
    CommandSpec("mentor", "mentor [1-3]", "Offer to mentor up to that many people", available=True),
    CommandSpec(
        "profile", "profile", "Edit your goals, skills, level and working hours", available=True
    ),
    CommandSpec(
        "status",
        "status",
        "See every programme you are in, your groups and what is next",
        available=True,
    ),
    CommandSpec(
        "pause",
        "pause [N weeks | until YYYY-MM-DD]",
        "Take a break from every programme; resumes by itself",
        available=True,
    ),
    CommandSpec("resume", "resume", "Come back from a pause", available=True),
    CommandSpec(
        "leave",
        "leave",
        "Leave one programme or all of them (your history is kept for statistics)",
        available=True,
    ),
    CommandSpec(
        "question", "question", "Get a reflective question for your next meeting", available=True
    ),
    CommandSpec("checkin", "checkin", "Answer this week's short check-in", available=True),
    CommandSpec("export", "export", "Get a file with everything stored about you", available=True),
    CommandSpec("forget", "forget", "Delete your personal data", available=True),
    CommandSpec("help", "help", "Show this help", available=True),
    CommandSpec(
        "admin",
        "admin",
        "List the admin commands and what each does",
        available=True,
        audience=Audience.ADMIN,
        group=True,
    ),
    CommandSpec(
        "admin settings",
        "admin settings",
        "Change the workspace's matching settings: weights, time zones, mentors, digest",
        available=True,
        audience=Audience.ADMIN,
    ),
    CommandSpec(
        "admin match preview",
        "admin match preview",
        "Preview the next round's matches, scores and who would be left out; sends nothing",
        available=True,
        audience=Audience.ADMIN,
    ),
    CommandSpec(
        "admin programmes",
        "admin programmes",
        "Create, edit and close programmes: mode, schedule, group size, cohort dates",
        available=True,
        audience=Audience.ADMIN,
    ),
    CommandSpec(
        "admin invite",
        "admin invite #channel [programme]",
        "Invite a channel's members who are not taking part yet, once each, by DM",
        available=True,
        audience=Audience.ADMIN,
    ),
    CommandSpec(
        "admin round now",
        "admin round now [programme]",
        "Start a programme's next round within a minute, after you confirm",
        available=True,
        audience=Audience.ADMIN,
    ),
    CommandSpec(
        "admin eligibility",
        "admin eligibility [guests allow|exclude | same-manager on|off | hr-fields "
        "editable|locked | exclude @people | include @people | group @group|none]",
        "Choose who may take part: guests, excluded people or a user group, and how HR data "
        "is used",
        available=True,
        audience=Audience.ADMIN,
    ),
    CommandSpec(
        "admin digest",
        "admin digest [programme] [#channel]",
        "Post a programme's digest (counts and rates, never anyone's answers) to a channel",
        available=True,
        audience=Audience.ADMIN,
    ),
    CommandSpec(
        "admin export",
        "admin export",
        "Get a CSV of every programme's figures, round by round (no free text)",
        available=True,
        audience=Audience.ADMIN,
    ),
    CommandSpec(
        "admin questions",
        "admin questions",
        "List, add and retire the reflective questions people are sent",
        available=True,
        audience=Audience.ADMIN,
    ),
)

HELP = next(spec for spec in CATALOGUE if spec.name == "help")


def commands_for(
    audience: Audience, *, available: bool, catalogue: tuple[CommandSpec, ...] = CATALOGUE
) -> list[CommandSpec]:
    """The commands one audience sees in a list, built or not yet built, in catalogue order.

    Group names ("admin") are left out: they list the commands, they are not one of them."""
    return [
        spec
        for spec in catalogue
        if spec.audience is audience and spec.available is available and not spec.group
    ]


@dataclass(frozen=True, slots=True)
class Parsed:
    """A recognised command and the words after its name."""

    spec: CommandSpec
    args: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Unknown:
    """Text that names no command, with the closest command when one is close enough."""

    text: str
    suggestion: str | None = None


def _normalise(text: str) -> list[str]:
    # Slack sends the raw text; people type stray spaces and Unicode dashes. Case is kept here
    # (channel ids and question text need it) and folded only where command names are compared.
    cleaned = text.replace("\u2014", "-").replace("\u2013", "-").strip()
    return cleaned.split()


def parse(text: str, catalogue: tuple[CommandSpec, ...] = CATALOGUE) -> Parsed | Unknown:
    """Match the longest command name at the start of `text`; empty text means help.

    The words after the name keep the case they were typed in."""
    original = _normalise(text)
    if not original:
        return Parsed(HELP)
    words = [word.lower() for word in original]
    best: CommandSpec | None = None
    for spec in catalogue:
        n = len(spec.words)
        if tuple(words[:n]) == spec.words and (best is None or n > len(best.words)):
            best = spec
    args = tuple(original[len(best.words) :]) if best is not None else ()
    if best is None or (best.group and args):
        return Unknown(" ".join(original), suggest(words, catalogue))
    return Parsed(best, args)


def suggest(words: list[str], catalogue: tuple[CommandSpec, ...] = CATALOGUE) -> str | None:
    """The closest command to what was typed, keeping the words the user gave after it."""
    best: tuple[float, int, CommandSpec] | None = None
    for spec in catalogue:
        n = len(spec.words)
        if spec.group and len(words) > n:
            continue  # "admin round nw" means one of the admin commands, not the list
        typed = " ".join(words[:n])
        ratio = difflib.SequenceMatcher(None, typed, spec.name).ratio()
        # On a tie, the longer name wins: "admin round nw" is closer to "admin round now".
        if ratio >= 0.6 and (best is None or (ratio, n) > (best[0], best[1])):
            best = (ratio, n, spec)
    if best is None:
        return None
    spec = best[2]
    return " ".join([spec.name, *words[len(spec.words) :]])
