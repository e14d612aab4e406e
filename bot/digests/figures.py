"""The figures of a programme digest: plain, frozen values with no Slack and no database.

Every figure is an aggregate. Nothing here can hold a person's note, step or rating: the
service reduces check-ins to counts before building these, and `QuietGroup` names only who is
in a group (participation is not private)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum

from bot.domain import ProgrammeMode

# Rounds the trend covers, the current one included.
TREND_ROUNDS = 8
# Rounds a membership must have been open for to count in retention.
RETENTION_ROUNDS = 3


@dataclass(frozen=True, slots=True)
class Rate:
    """`part` out of `whole`; no value when there is nothing to divide by."""

    part: int
    whole: int

    @property
    def value(self) -> float | None:
        return None if self.whole == 0 else self.part / self.whole


@dataclass(frozen=True, slots=True)
class Participants:
    """People in the programme at the time of the digest.

    active: members taking part now (not paused, not left); new: joined during the round;
    paused: members whose person is paused now; left: memberships that ended during the round."""

    active: int
    new: int
    paused: int
    left: int


@dataclass(frozen=True, slots=True)
class GoalProgress:
    """Each person's latest goal status in the round, counted once per person."""

    on_track: int = 0
    some_progress: int = 0
    stuck: int = 0
    achieved: int = 0

    @property
    def total(self) -> int:
        return self.on_track + self.some_progress + self.stuck + self.achieved

    @property
    def attainment(self) -> Rate:
        """The goal attainment rate: people who reported their goal achieved."""
        return Rate(self.achieved, self.total)


@dataclass(frozen=True, slots=True)
class RoundFigures:
    """One round's figures. `people` is everyone placed in the round's groups."""

    round_id: int
    starts_on: date
    ends_on: date | None
    groups: int
    people: int
    meeting: Rate  # groups that met (We met, or a member's check-in said "met") / groups
    checkin_response: Rate  # check-ins answered / check-ins sent
    usefulness: float | None  # mean 1-5 rating of the answered check-ins
    ratings: int  # how many ratings the mean is over
    goals: GoalProgress
    steps_kept: Rate  # last week's step reported done ("yes") / steps asked about
    retention: Rate  # memberships open 3 rounds before this one and still open / those opened


class Dimension(StrEnum):
    FUNCTION = "function"
    LEVEL = "level"


@dataclass(frozen=True, slots=True)
class Breakdown:
    """One function's or level's figures for the current round, or, when fewer people than
    the workspace's minimum share it (or showing it would let one be worked out from the
    totals), only that it is suppressed: then no figure of it exists here at all."""

    dimension: Dimension
    label: str
    people: int | None
    meeting: Rate | None
    checkin_response: Rate | None

    @property
    def suppressed(self) -> bool:
        return self.people is None


@dataclass(frozen=True, slots=True)
class QuietGroup:
    """A group of the current round that has not met, whose members did not meet in the
    round before either."""

    group_id: int
    user_ids: tuple[str, ...]
    channel_id: str | None
    rounds_quiet: int


@dataclass(frozen=True, slots=True)
class ProgrammeDigest:
    """Everything a digest, the admin's App Home and the CSV export show of one programme.

    `trend` is oldest first and ends with `current`; `previous` is the round before it."""

    team_id: str
    programme_id: int
    programme_name: str
    mode: ProgrammeMode
    min_group: int  # the workspace's smallest group shown in breakdowns
    participants: Participants
    current: RoundFigures | None
    previous: RoundFigures | None
    trend: tuple[RoundFigures, ...] = ()
    breakdowns: tuple[Breakdown, ...] = ()
    quiet_groups: tuple[QuietGroup, ...] = ()
    # The LLM's summary of shared notes' themes, when there is one (never names anyone).
    themes: str | None = field(default=None)
    theme_notes: int = 0  # how many shared notes the themes summarise


def answers_shown(answers: int, min_group: int) -> bool:
    """Whether a figure made of people's own answers (ratings, goal statuses, steps) may be
    shown: with fewer answers than the workspace's minimum, one person's could be read off."""
    return answers >= min_group


def for_admins(figures: RoundFigures, min_group: int) -> RoundFigures:
    """`figures` with the answer-based figures of too few people withheld (no value at all),
    for output that cannot say "fewer than N" itself, such as the chart."""
    goals = figures.goals if answers_shown(figures.goals.total, min_group) else GoalProgress()
    rated = answers_shown(figures.ratings, min_group)
    steps = figures.steps_kept
    return replace(
        figures,
        usefulness=figures.usefulness if rated else None,
        ratings=figures.ratings if rated else 0,
        goals=goals,
        steps_kept=steps if answers_shown(steps.whole, min_group) else Rate(0, 0),
    )
