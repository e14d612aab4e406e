"""Plain data in and out of the matching engine: no Slack, no database.

The engine is a pure function of a `MatchInput`, a `Mode` and a seed. Callers (the round
service, `peercoach match --dry-run`, the admin preview) build the input from whatever they
hold; the engine never reads a clock, a time zone database or the network, so the same input
and seed always give the same groups.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum


class Mode(StrEnum):
    PAIRS = "pairs"  # peer pairs; an odd count gives exactly one triad
    CIRCLES = "circles"  # circles of 3 to 6
    MENTORSHIP = "mentorship"  # mentee -> more senior mentor, mentors have a capacity
    REVERSE = "reverse"  # a junior who offers a skill mentors a senior who wants it


class Criterion(StrEnum):
    FUNCTION = "function"  # different functions
    LEVEL = "level"  # similar levels
    HOURS = "hours"  # overlapping working hours
    GOALS = "goals"  # shared goals
    COMPLEMENT = "complement"  # one offers a skill the other wants to grow


class Unavailable(StrEnum):
    """Why someone on the roster is not matched at all this round (hard rule)."""

    PAUSED = "paused"
    LEFT = "left"
    OUT_OF_OFFICE = "out_of_office"


class LeftOutReason(StrEnum):
    """Why an available person ended up in no group."""

    NO_ALLOWED_PARTNER = "no_allowed_partner"  # every possible partner breaks a hard rule
    # Pairs mode: allowed partners exist, but every one of them is needed in another group
    # to place as many people as possible, and no group of three within the rules can take
    # this person.
    PARTNERS_TAKEN = "partners_taken"
    NO_MENTOR = "no_mentor"  # no mentor senior enough with capacity left and allowed
    NO_SKILL_MATCH = "no_skill_match"  # reverse mode: nobody offers/wants a matching skill
    TOO_FEW_PEOPLE = "too_few_people"  # fewer people than the smallest group


@dataclass(frozen=True, slots=True)
class Participant:
    """One person as the engine sees them.

    Working hours are local wall-clock minutes after midnight; `utc_offset_minutes` is the
    person's offset on the day the round runs (the caller resolves IANA names and DST), so
    the engine never needs a time zone database.
    """

    id: str
    function: str
    level: int  # 1 (junior) .. 6 (most senior)
    utc_offset_minutes: int = 0
    work_start_minute: int = 9 * 60
    work_end_minute: int = 17 * 60
    goals: frozenset[str] = frozenset()  # tags from bot.enrolment.goals.GOAL_TAGS
    skills: frozenset[str] = frozenset()  # tags this person can help others with
    cadence: str = "weekly"
    unavailable: Unavailable | None = None
    mentor_capacity: int = 0  # 0: not offering to mentor; 1..3 mentees at most
    wants_mentor: bool = False


@dataclass(frozen=True, slots=True)
class Weights:
    """How much each criterion counts (admin settings); each criterion scores 0..1."""

    function: float = 1.0
    level: float = 1.0
    hours: float = 1.0
    goals: float = 1.0
    complement: float = 1.0

    def of(self, criterion: Criterion) -> float:
        return float(getattr(self, criterion.value))


@dataclass(frozen=True, slots=True)
class MatchSettings:
    weights: Weights = field(default_factory=Weights)
    max_tz_gap_hours: float = 6.0  # hard rule: never a larger gap between two members
    circle_size: int = 4  # target size for circles, 3..6
    mentor_min_level_gap: int = 2  # a mentor is at least this many levels more senior
    candidates_per_person: int = 12  # k of the sparse candidate graph
    # Reporting lines (hard rule): never someone with their manager or manager's manager
    # (in mentoring: anyone above them); this setting also keeps apart two people with the
    # same manager.
    same_manager_apart: bool = True


@dataclass(frozen=True, slots=True)
class MatchInput:
    participants: tuple[Participant, ...]
    # Unordered pairs of ids who have been partners before (kept forever).
    past_partners: frozenset[frozenset[str]] = frozenset()
    # (who, must_not_meet): honoured in either direction.
    do_not_pair: frozenset[tuple[str, str]] = frozenset()
    settings: MatchSettings = field(default_factory=MatchSettings)
    # person id -> their manager's id, for everyone the HR data knows (not only participants:
    # a manager who takes no part still links a person to their manager's manager).
    managers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Group:
    """One match. `members` is sorted for stable output; `mentor` is set in mentor modes."""

    members: tuple[str, ...]
    score: float  # weighted total (mean over member pairs for groups of 3+)
    breakdown: Mapping[Criterion, float]  # weighted contribution of each criterion
    explanation: str  # one line a person can read
    mentor: str | None = None


@dataclass(frozen=True, slots=True)
class LeftOut:
    id: str
    reason: LeftOutReason | Unavailable
    detail: str  # one readable line, shown to the admin and (kindly) to the person


@dataclass(frozen=True, slots=True)
class MatchResult:
    mode: Mode
    seed: int
    groups: tuple[Group, ...]
    left_out: tuple[LeftOut, ...]  # available people with no group, and why
    unavailable: tuple[LeftOut, ...]  # people skipped by a hard rule before matching
    # Pairs of available people the reporting-line rule kept apart (a count, never names).
    kept_apart: int = 0
    # Loops in the manager links (bad HR data): reported, and walked only up to the loop.
    reporting_cycles: tuple[tuple[str, ...], ...] = ()

    @property
    def total_score(self) -> float:
        return sum(g.score for g in self.groups)

    @property
    def placed(self) -> int:
        return sum(len(g.members) for g in self.groups)
