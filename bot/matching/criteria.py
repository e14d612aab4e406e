"""How good a pair is, which pairs are forbidden, and one readable line on why.

Every criterion scores 0..1 and is then multiplied by its admin weight:

- FUNCTION: 1 when the two work in different functions (compared case-insensitively), else 0.
- LEVEL: ``max(0, 1 - gap / 3)``: 1 for the same level, 2/3 one level apart, 0 from 3 apart.
- HOURS: ``min(1, overlap / 240)``: shared working minutes in UTC over four hours. Four
  shared hours are plenty to find a weekly hour in two calendars; more overlap does not make
  a better coaching partner, less makes scheduling visibly harder.
- GOALS: ``min(1, shared / 2)``: two shared goal tags give full marks.
- COMPLEMENT: ``min(1, n / 2)``: n counts the skill tags one offers that the other has as a
  goal, in both directions.

Hard rules (`Scorer.allowed`) are never traded against score: no past partner, no
do-not-pair pair in either direction, no time-zone gap above ``max_tz_gap_hours`` (plain
difference of UTC offsets), nobody who is unavailable, nobody paired with themselves, and the
reporting lines of `bot.matching.reporting` (never a manager or a manager's manager; in the
mentoring modes nobody anywhere above the mentee; by default never two people with the same
manager).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations

from bot.enrolment.goals import phrase
from bot.matching.model import Criterion, MatchInput, Mode, Participant, Weights
from bot.matching.reporting import PEER_DEPTH, ReportingRule

DAY_MINUTES = 24 * 60
FULL_HOURS_MINUTES = 4 * 60  # overlap that earns the full HOURS criterion
LEVEL_FALLOFF = 3  # level gap at which LEVEL reaches 0
GOALS_FULL = 2  # shared goal tags that earn the full GOALS criterion
COMPLEMENT_FULL = 2  # skill-for-goal matches that earn the full COMPLEMENT criterion

CRITERIA: tuple[Criterion, ...] = tuple(Criterion)


@dataclass(frozen=True, slots=True)
class PairScore:
    total: float  # sum of weighted criteria
    breakdown: dict[Criterion, float]  # weighted contribution of each criterion


def utc_interval(p: Participant) -> tuple[int, int]:
    """(start, length) of p's working day in UTC minutes, start in [0, 1440).

    An end at or before the start is an overnight shift; equal start and end is a full day.
    """
    length = p.work_end_minute - p.work_start_minute
    if length <= 0:
        length += DAY_MINUTES
    length = min(length, DAY_MINUTES)
    start = (p.work_start_minute - p.utc_offset_minutes) % DAY_MINUTES
    return start, length


def _arc_overlap(a_start: int, a_len: int, b_start: int, b_len: int) -> int:
    # Two arcs on a 1440-minute circle: compare a against b shifted by one day either way.
    total = 0
    a_end = a_start + a_len
    for shift in (-DAY_MINUTES, 0, DAY_MINUTES):
        lo = max(a_start, b_start + shift)
        hi = min(a_end, b_start + shift + b_len)
        if hi > lo:
            total += hi - lo
    return min(total, a_len, b_len)


def overlap_minutes(a: Participant, b: Participant) -> int:
    """Shared working minutes in UTC, on a circular 24 h day (so shifts may cross midnight)."""
    return _arc_overlap(*utc_interval(a), *utc_interval(b))


def tz_gap_hours(a: Participant, b: Participant) -> float:
    """Plain difference of UTC offsets in hours (not wrapped around the globe)."""
    return abs(a.utc_offset_minutes - b.utc_offset_minutes) / 60


def level_criterion(gap: int) -> float:
    return max(0.0, 1.0 - abs(gap) / LEVEL_FALLOFF)


def hours_criterion(overlap: int) -> float:
    return min(1.0, overlap / FULL_HOURS_MINUTES)


def goals_criterion(shared: int) -> float:
    return min(1.0, shared / GOALS_FULL)


def complement_criterion(n: int) -> float:
    return min(1.0, n / COMPLEMENT_FULL)


class _Person:
    """What the scorer needs about one participant, computed once."""

    __slots__ = (
        "function",
        "goals",
        "length",
        "level",
        "offset",
        "participant",
        "skills",
        "start",
    )

    def __init__(self, p: Participant) -> None:
        self.participant = p
        self.function = p.function.strip().casefold()
        self.level = p.level
        self.offset = p.utc_offset_minutes
        self.start, self.length = utc_interval(p)
        self.goals = p.goals
        self.skills = p.skills


def _join(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _hours_text(minutes: int) -> str:
    if minutes <= 0:
        return "no working hours in common"
    if minutes < 60:
        return f"{minutes} working minutes in common"
    half_hours = round(minutes / 30)
    hours = half_hours / 2
    if hours == 1:
        return "1 working hour in common"
    text = f"{hours:g}"
    return f"{text} working hours in common"


class Scorer:
    """Scores and checks pairs for one `MatchInput`; cheap to call millions of times."""

    def __init__(self, inp: MatchInput, mode: Mode = Mode.PAIRS) -> None:
        self.input = inp
        self.settings = inp.settings
        self.weights: Weights = inp.settings.weights
        self._w = tuple(self.weights.of(c) for c in CRITERIA)
        self.max_tz_gap_minutes = inp.settings.max_tz_gap_hours * 60
        self.people: tuple[Participant, ...] = inp.participants
        self.index: dict[str, int] = {}
        for i, p in enumerate(inp.participants):
            if p.id in self.index:
                raise ValueError(f"participant {p.id!r} appears twice")
            self.index[p.id] = i
        self._info: dict[str, _Person] = {p.id: _Person(p) for p in inp.participants}
        self._past: dict[str, set[str]] = {}
        for pair in inp.past_partners:
            ids = tuple(pair)
            if len(ids) != 2:
                continue
            x, y = ids
            self._past.setdefault(x, set()).add(y)
            self._past.setdefault(y, set()).add(x)
        self._blocked: dict[str, set[str]] = {}
        for x, y in inp.do_not_pair:
            self._blocked.setdefault(x, set()).add(y)
            self._blocked.setdefault(y, set()).add(x)
        mentoring = Mode(mode) in (Mode.MENTORSHIP, Mode.REVERSE)
        self.reporting_rule = ReportingRule(
            depth=None if mentoring else PEER_DEPTH,
            same_manager=inp.settings.same_manager_apart,
        )
        self._reporting: dict[str, set[str]] = (
            self.reporting_rule.forbidden(inp.managers, self.index) if inp.managers else {}
        )

    # -- per-person data -------------------------------------------------------------------

    def _person(self, p: Participant) -> _Person:
        info = self._info.get(p.id)
        if info is None or info.participant is not p:
            # Someone outside the input (or an edited copy): score what we were given.
            info = _Person(p)
        return info

    def past_partners_of(self, pid: str) -> frozenset[str]:
        return frozenset(self._past.get(pid, ()))

    def blocked_for(self, pid: str) -> frozenset[str]:
        """Ids `pid` must never meet: past partners, do-not-pair in either direction and the
        reporting-line rule."""
        return frozenset(
            self._past.get(pid, set())
            | self._blocked.get(pid, set())
            | self._reporting.get(pid, set())
        )

    def reporting_apart(self, pid: str) -> frozenset[str]:
        """Ids the reporting-line rule alone keeps away from `pid`."""
        return frozenset(self._reporting.get(pid, ()))

    def kept_apart(self, ids: Iterable[str]) -> int:
        """How many pairs among `ids` the reporting-line rule forbids."""
        chosen = set(ids)
        return sum(len(self._reporting.get(pid, set()) & chosen) for pid in chosen) // 2

    # -- hard rules ------------------------------------------------------------------------

    def allowed(self, a: Participant, b: Participant) -> bool:
        """True when the pair breaks no hard rule."""
        if a.id == b.id or a.unavailable is not None or b.unavailable is not None:
            return False
        if abs(a.utc_offset_minutes - b.utc_offset_minutes) > self.max_tz_gap_minutes:
            return False
        past = self._past.get(a.id)
        if past is not None and b.id in past:
            return False
        blocked = self._blocked.get(a.id)
        if blocked is not None and b.id in blocked:
            return False
        apart = self._reporting.get(a.id)
        return apart is None or b.id not in apart

    def why_not(self, a: Participant, b: Participant) -> str | None:
        """A readable reason the pair breaks a hard rule, or None when it is allowed."""
        if a.id == b.id:
            return f"{a.id} cannot be paired with themselves"
        for p in (a, b):
            if p.unavailable is not None:
                status = p.unavailable.value.replace("_", " ")
                return f"{p.id} is not available this round ({status})"
        if b.id in self._past.get(a.id, ()):
            return f"{a.id} and {b.id} have been partners before"
        if b.id in self._blocked.get(a.id, ()):
            return f"{a.id} and {b.id} are on a do-not-pair list"
        if b.id in self._reporting.get(a.id, ()):
            return f"{a.id} and {b.id} are in the same reporting line"
        gap = tz_gap_hours(a, b)
        limit = self.settings.max_tz_gap_hours
        if gap > limit:
            return f"{a.id} and {b.id} are {gap:g} hours apart (more than {limit:g})"
        return None

    # -- scores ----------------------------------------------------------------------------

    def criteria(self, a: Participant, b: Participant) -> tuple[float, float, float, float, float]:
        """The five unweighted criteria (0..1) in `Criterion` order."""
        x = self._person(a)
        y = self._person(b)
        complement = len(x.skills & y.goals) + len(y.skills & x.goals)
        return (
            1.0 if x.function != y.function else 0.0,
            level_criterion(x.level - y.level),
            hours_criterion(_arc_overlap(x.start, x.length, y.start, y.length)),
            goals_criterion(len(x.goals & y.goals)),
            complement_criterion(complement),
        )

    def total(self, a: Participant, b: Participant) -> float:
        """`score(a, b).total` without building the breakdown."""
        w = self._w
        c = self.criteria(a, b)
        return w[0] * c[0] + w[1] * c[1] + w[2] * c[2] + w[3] * c[3] + w[4] * c[4]

    def score(self, a: Participant, b: Participant) -> PairScore:
        c = self.criteria(a, b)
        breakdown = {crit: w * v for crit, w, v in zip(CRITERIA, self._w, c, strict=True)}
        return PairScore(sum(breakdown.values()), breakdown)

    def group_score(self, members: Sequence[Participant]) -> PairScore:
        """Mean over all member pairs (a pair scores as itself)."""
        pairs = list(combinations(members, 2))
        if not pairs:
            return PairScore(0.0, dict.fromkeys(CRITERIA, 0.0))
        sums = dict.fromkeys(CRITERIA, 0.0)
        for a, b in pairs:
            for crit, v in self.score(a, b).breakdown.items():
                sums[crit] += v
        breakdown = {crit: v / len(pairs) for crit, v in sums.items()}
        return PairScore(sum(breakdown.values()), breakdown)

    # -- explanations ----------------------------------------------------------------------

    def explain(self, members: Sequence[Participant]) -> str:
        """One line a person can read on why these people were put together.

        It never names a level: the members read it, and only the person and admins see
        someone's level (the score breakdown tells an admin how levels weighed)."""
        if len(members) < 2:
            return "no partner this round"
        if len(members) == 2:
            return self._explain_pair(members[0], members[1])
        return self._explain_group(members)

    def _explain_pair(self, a: Participant, b: Participant) -> str:
        x = self._person(a)
        y = self._person(b)
        parts = ["different functions" if x.function != y.function else "same function"]
        parts.append(_hours_text(_arc_overlap(x.start, x.length, y.start, y.length)))
        shared = sorted(a.goals & b.goals)
        if shared:
            parts.append("both want to get better at " + _join([phrase(t) for t in shared]))
        helps = self._helps([(a, b), (b, a)])
        if helps:
            parts.append(helps)
        elif not shared:
            parts.append("no goals in common yet")
        return ", ".join(parts)

    def _helps(self, directed: Iterable[tuple[Participant, Participant]], limit: int = 3) -> str:
        """'ana can help with negotiation and ben with delegating' for skill-to-goal matches."""
        # One entry per giver: in a group, someone may help several others with the same thing.
        by_giver: dict[str, set[str]] = {}
        for giver, taker in directed:
            tags = giver.skills & taker.goals
            if tags:
                by_giver.setdefault(giver.id, set()).update(tags)
        offers = [(pid, [phrase(t) for t in sorted(tags)]) for pid, tags in by_giver.items()][
            :limit
        ]
        if not offers:
            return ""
        first_id, first_tags = offers[0]
        text = f"{first_id} can help with {_join(first_tags)}"
        rest = [f"{pid} with {_join(tags)}" for pid, tags in offers[1:]]
        return _join([text, *rest])

    def _explain_group(self, members: Sequence[Participant]) -> str:
        infos = [self._person(p) for p in members]
        n = len(members)
        functions = {i.function for i in infos}
        if len(functions) == n:
            parts = ["all different functions"]
        elif len(functions) == 1:
            parts = ["all in the same function"]
        else:
            parts = [f"{len(functions)} functions"]
        common = group_overlap_minutes(members)
        if common > 0:
            parts.append(_hours_text(common).replace("in common", "in common for everyone"))
        else:
            parts.append("no working hours shared by everyone")
        counts: dict[str, list[str]] = {}
        for p in members:
            for tag in p.goals:
                counts.setdefault(tag, []).append(p.id)
        shared = sorted(
            ((tag, ids) for tag, ids in counts.items() if len(ids) >= 2),
            key=lambda item: (-len(item[1]), item[0]),
        )
        for tag, ids in shared[:2]:
            if len(ids) == n:
                parts.append(f"everyone wants to get better at {phrase(tag)}")
            else:
                both = " both" if len(ids) == 2 else ""
                parts.append(f"{_join(sorted(ids))}{both} want to get better at {phrase(tag)}")
        helps = self._helps([(a, b) for a in members for b in members if a.id != b.id], limit=2)
        if helps:
            parts.append(helps)
        elif not shared:
            parts.append("no goals in common yet")
        return ", ".join(parts)


def group_overlap_minutes(members: Sequence[Participant]) -> int:
    """Minutes of the UTC day when every member is at work (all of them at once)."""
    if not members:
        return 0
    # Each working day as up to two linear segments of [0, 1440); intersect them all.
    common: list[tuple[int, int]] = [(0, DAY_MINUTES)]
    for p in members:
        start, length = utc_interval(p)
        end = start + length
        segs = (
            [(start, end)] if end <= DAY_MINUTES else [(start, DAY_MINUTES), (0, end - DAY_MINUTES)]
        )
        common = [
            (max(lo, s), min(hi, e))
            for lo, hi in common
            for s, e in segs
            if min(hi, e) > max(lo, s)
        ]
    return sum(hi - lo for lo, hi in common)
