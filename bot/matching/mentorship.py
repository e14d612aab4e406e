"""Mentorship and reverse mentoring: capacitated assignments of people to more senior people.

Mentorship (`match_mentorship`)
    Mentees are people with `wants_mentor`; mentors are people with `mentor_capacity` > 0,
    each taking at most that many mentees. A mentor must be at least
    `settings.mentor_min_level_gap` levels more senior and allowed by every hard rule
    (`Scorer.allowed`). People who are neither are not part of this mode and are not listed
    anywhere; mentors nobody was assigned to are not "left out" either (they offered, and
    nobody needed them this round). A person may be both: mentee of someone senior and
    mentor of someone junior.

Reverse mentoring (`match_reverse`)
    A more junior person (strictly lower level) who offers a skill tag mentors a more senior
    person who has that tag as a goal. Everyone is in at most one pair; everyone passed in
    who gets no pair is left out with NO_SKILL_MATCH.

Value of a pair, in integer points so that the solvers are exact:

    GOAL_POINTS per goal of the mentee that the mentor lists as a skill (what matters),
    + up to HOURS_POINTS for shared working hours (the HOURS criterion: full at four hours),
    + FUNCTION_POINTS when the two work in different functions (a bonus).

One more covered goal always outweighs any difference in hours and function. Both modes
place as many people as possible first and maximise the total value second (in mentorship
every pair is also worth a base larger than all values together; `solve_matching` works in
the same order).

Solvers. Eligible pairs are enumerated with numpy in blocks of people of one level, against
the contiguous node ranges of the levels that qualify, inside the time-zone window. Small
inputs keep every eligible pair, so their answer is exact. Large inputs keep each person's
best few (`_Pool.edges` explains the shortlist): each mentee's best mentors and each
mentor's best mentees. Mentorship is an assignment of mentees to mentor slots (a mentor
repeated once per unit of capacity), solved per connected component:
`scipy.optimize.linear_sum_assignment` on a dense matrix when the component is small,
`scipy.sparse.csgraph.min_weight_full_bipartite_matching` when it is not, with one private
dummy slot per mentee so that leaving a mentee unassigned is always feasible. On large
inputs the mentees still unassigned then get every eligible mentor and the assignment is
solved again, so a mentee is left out only when every mentor eligible for them is full and
the solver found no way to make room. Reverse mentoring is a general matching (someone can
be junior to one person and senior to another), solved by `bot.matching.pairs.solve_matching`:
exact up to a few thousand people per connected component, an LP relaxation with exact
repair above that.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.optimize import linear_sum_assignment
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components, min_weight_full_bipartite_matching

from bot.enrolment.goals import phrase
from bot.matching.candidates import Features
from bot.matching.criteria import (
    DAY_MINUTES,
    FULL_HOURS_MINUTES,
    Scorer,
    complement_criterion,
    hours_criterion,
    overlap_minutes,
)
from bot.matching.model import (
    Criterion,
    Group,
    LeftOut,
    LeftOutReason,
    MatchSettings,
    Participant,
)
from bot.matching.pairs import solve_matching

I64 = npt.NDArray[np.int64]
Bool = npt.NDArray[np.bool_]

GOAL_POINTS = 1000
HOURS_POINTS = 100
FUNCTION_POINTS = 10
ROW_BLOCK = 256  # rows of one level scored at once
MIN_MENTORS = 32  # mentors kept per mentee on large inputs, at least
MENTEES_PER_SLOT = 8  # large inputs: mentees kept per unit of a mentor's capacity ...
MAX_CAPACITY = 3  # ... for the largest capacity a mentor can offer
SECOND_PASS_WIDER = 8  # mentors per waiting mentee in the second pass, times `keep`, when
# there are too many waiting mentees to give each of them every eligible mentor
MIN_PARTNERS = 16  # reverse mode: partners kept per person and direction, at least
KEEP_ALL_UP_TO = 4_000_000  # rows x columns up to which every eligible pair is kept
DENSE_CELLS = 1_000_000  # mentees x slots up to which a component is solved densely
MAX_MINUTES_TABLE = 3000  # distinct working intervals up to which overlap is a table lookup
COLUMN_BUDGET = 2048  # columns in a block's window above which a shortlist is scored
PER_TAG = 64  # shortlist: columns offering each tag the block's rows look for
RANDOM_COLUMNS = 256  # shortlist: other columns, when no tag needs to be shared
KEY_LEVEL = 100_000  # level * KEY_LEVEL + UTC offset orders nodes like `Features` does


def _key(f: Features, nodes: I64) -> I64:
    """Sort key of nodes: ascending along node order (level, then UTC offset)."""
    key: I64 = f.level[nodes] * KEY_LEVEL + f.offset[nodes]
    return key


def _in_window(nodes: I64, keys: I64, levels: tuple[int, int], offsets: tuple[float, float]) -> I64:
    """The nodes (sorted, with their keys) whose level and UTC offset lie in the ranges."""
    if not len(nodes):
        return nodes
    lo_level = max(levels[0], int(keys[0] // KEY_LEVEL) - 1)
    hi_level = min(levels[1], int(keys[-1] // KEY_LEVEL) + 1)
    parts: list[I64] = []
    for level in range(lo_level, hi_level + 1):
        a = int(np.searchsorted(keys, level * KEY_LEVEL + offsets[0], side="left"))
        b = int(np.searchsorted(keys, level * KEY_LEVEL + offsets[1], side="right"))
        if b > a:
            parts.append(nodes[a:b])
    return np.concatenate(parts) if parts else nodes[:0]


@dataclass(frozen=True, slots=True)
class _Edges:
    """Eligible (row, column) node pairs with their integer value."""

    row: I64
    col: I64
    value: I64

    @classmethod
    def union(cls, n: int, *parts: _Edges) -> _Edges:
        """All pairs of `parts`, each (row, col) once (n: node count, for the keys)."""
        edges = cls.concat(parts)
        _, first = np.unique(edges.row * max(1, n) + edges.col, return_index=True)
        return cls(edges.row[first], edges.col[first], edges.value[first])

    @classmethod
    def concat(cls, parts: Sequence[_Edges]) -> _Edges:
        if not parts:
            z = np.zeros(0, dtype=np.int64)
            return cls(z, z, z)
        return cls(
            np.concatenate([p.row for p in parts]),
            np.concatenate([p.col for p in parts]),
            np.concatenate([p.value for p in parts]),
        )


def overlap_minutes_array(a_start: I64, a_len: I64, b_start: I64, b_len: I64) -> I64:
    """`criteria.overlap_minutes` over arrays of UTC intervals (start, length)."""
    total = np.zeros(np.broadcast_shapes(a_start.shape, b_start.shape), dtype=np.int64)
    a_end = a_start + a_len
    for shift in (-DAY_MINUTES, 0, DAY_MINUTES):
        lo = np.maximum(a_start, b_start + shift)
        hi = np.minimum(a_end, b_start + shift + b_len)
        total += np.maximum(hi - lo, 0)
    out: I64 = np.minimum(np.minimum(total, a_len), b_len)
    return out


def hours_points(minutes: I64) -> I64:
    """HOURS_POINTS times the HOURS criterion, rounded to whole points."""
    points: I64 = np.rint(HOURS_POINTS * np.minimum(1.0, minutes / FULL_HOURS_MINUTES)).astype(
        np.int64
    )
    return points


def pair_value(mentor: Participant, mentee: Participant) -> int:
    """The value of one pair, as both solvers count it (see the module docstring)."""
    cover = len(mentor.skills & mentee.goals)
    minutes = np.array([overlap_minutes(mentor, mentee)], dtype=np.int64)
    different = mentor.function.strip().casefold() != mentee.function.strip().casefold()
    return GOAL_POINTS * cover + int(hours_points(minutes)[0]) + FUNCTION_POINTS * different


class _Pool:
    """Everyone in one mode, as numpy arrays in `Features` node order (level, offset)."""

    def __init__(self, people: Sequence[Participant], scorer: Scorer, seed: int) -> None:
        self.f = f = Features(people, scorer, seed)
        self.scorer = scorer
        self.n = f.n
        self.max_gap = float(f.max_gap)
        # Shared minutes depend only on the two UTC working intervals, and offices make those
        # few: one table lookup per pair instead of the arc arithmetic.
        codes = f.code.astype(np.int64)
        self.code = codes
        self.points_table: npt.NDArray[np.int16] | None = None
        count = int(codes.max()) + 1 if len(codes) else 0
        if count <= MAX_MINUTES_TABLE:
            first = np.zeros(count, dtype=np.int64)
            first[codes[::-1]] = np.arange(len(codes))[::-1]
            cs, cl = f.start[first], f.length[first]
            table = overlap_minutes_array(cs[:, None], cl[:, None], cs[None, :], cl[None, :])
            self.points_table = hours_points(table).astype(np.int16)
        self._tag_levels: tuple[dict[str, int], dict[str, int]] | None = None
        self.np_rng = np.random.default_rng(seed)

    def tag_levels(self) -> tuple[dict[str, int], dict[str, int]]:
        """Per tag: the lowest level that offers it, and the highest level that wants it."""
        if self._tag_levels is not None:
            return self._tag_levels
        lowest: dict[str, int] = {}
        highest: dict[str, int] = {}
        for p in self.f.people:
            for t in p.skills:
                lowest[t] = min(lowest.get(t, p.level), p.level)
            for t in p.goals:
                highest[t] = max(highest.get(t, p.level), p.level)
        self._tag_levels = (lowest, highest)
        return self._tag_levels

    def cover(self, rows: I64, cols: I64, *, goals_of_rows: bool) -> I64:
        """rows x cols: goals on one side that are skills on the other."""
        f = self.f
        out = np.zeros((len(rows), len(cols)), dtype=np.int64)
        for gw, sw in zip(f.goal_words, f.skill_words, strict=True):
            if goals_of_rows:
                out += np.bitwise_count(gw[rows][:, None] & sw[cols][None, :])
            else:
                out += np.bitwise_count(sw[rows][:, None] & gw[cols][None, :])
        return out

    def hours(self, rows: I64, cols: I64) -> npt.NDArray[np.int16] | I64:
        """Hours points for row-column pairs (same shapes, or broadcastable)."""
        f = self.f
        if self.points_table is not None:
            table: npt.NDArray[np.int16] = self.points_table[self.code[rows], self.code[cols]]
            return table
        return hours_points(
            overlap_minutes_array(f.start[rows], f.length[rows], f.start[cols], f.length[cols])
        )

    def _value(self, rows: I64, cols: I64, cover: I64) -> I64:
        """Pair values for broadcastable row and column node arrays."""
        f = self.f
        value: I64 = GOAL_POINTS * cover + self.hours(rows, cols)
        value += FUNCTION_POINTS * (f.func[rows] != f.func[cols])
        return value

    def forbidden(self, rows: I64, cols: I64) -> Bool:
        """rows x cols (cols ascending): True where a hard rule forbids the pair."""
        f = self.f
        bad: Bool = np.abs(f.offset[rows][:, None] - f.offset[cols][None, :]) > self.max_gap
        # Self pairs and each row's (few) past partners and do-not-pair people.
        starts = f.blocked_indptr[rows]
        counts = f.blocked_indptr[rows + 1] - starts
        within = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
        targets = np.concatenate(
            [f.blocked_indices[np.repeat(starts, counts) + within].astype(np.int64), rows]
        )
        local = np.concatenate([np.repeat(np.arange(len(rows)), counts), np.arange(len(rows))])
        pos = np.searchsorted(cols, targets)
        hit = pos < len(cols)
        hit[hit] = cols[pos[hit]] == targets[hit]
        bad[local[hit], pos[hit]] = True
        return bad

    def edges(
        self,
        rows: I64,
        cols: I64,
        levels: tuple[int, int],
        *,
        goals_of_rows: bool,
        need_cover: bool,
        keep: int | None,
    ) -> _Edges:
        """Eligible pairs from `rows` to `cols` (both sorted node arrays).

        A column qualifies for a row of level L when its level is in
        [L + levels[0], L + levels[1]] and no hard rule forbids the pair (and, with
        `need_cover`, at least one goal meets a skill). With `keep` None every qualifying
        pair is returned. Otherwise each row keeps its `keep` best columns by value, chosen
        from a block-wide shortlist when the window holds more than COLUMN_BUDGET columns:
        for every tag the block's rows look for, up to PER_TAG columns that offer it (all of
        them for a rare tag, a seeded sample for a common one), plus RANDOM_COLUMNS others
        when a pair needs no tag in common. Scoring every column would only choose between
        many equally good ones, at a cost that grows with the square of the input.
        """
        f = self.f
        parts: list[_Edges] = []
        if not len(rows) or not len(cols):
            return _Edges.concat([])
        col_key = _key(f, cols)
        row_words = f.goal_words if goals_of_rows else f.skill_words
        col_words = f.skill_words if goals_of_rows else f.goal_words
        postings: dict[tuple[int, int], tuple[I64, I64]] = {}
        row_level = f.level[rows]
        bounds = np.flatnonzero(np.diff(row_level)) + 1
        for same_level in np.split(rows, bounds):
            lv = int(f.level[same_level[0]])
            span = (lv + levels[0], lv + levels[1])
            for r0 in range(0, len(same_level), ROW_BLOCK):
                block = same_level[r0 : r0 + ROW_BLOCK]
                window = (
                    float(f.offset[block].min()) - self.max_gap,
                    float(f.offset[block].max()) + self.max_gap,
                )
                block_cols = _in_window(cols, col_key, span, window)
                if keep is not None and len(block_cols) > COLUMN_BUDGET:
                    picks: list[I64] = []
                    for w, words in enumerate(row_words):
                        wanted = int(np.bitwise_or.reduce(words[block]))
                        for bit in range(64):
                            if not wanted >> bit & 1:
                                continue
                            if (w, bit) not in postings:
                                has = (col_words[w][cols] >> np.uint64(bit)) & np.uint64(1)
                                post = cols[has.astype(np.bool_)]
                                postings[w, bit] = (post, _key(f, post))
                            post, post_key = postings[w, bit]
                            picks.append(self._sample(_in_window(post, post_key, span, window)))
                    if not need_cover:
                        picks.append(self._sample(block_cols, RANDOM_COLUMNS))
                    block_cols = np.unique(np.concatenate(picks))
                if len(block_cols):
                    parts.append(
                        self._block(
                            block,
                            block_cols,
                            goals_of_rows=goals_of_rows,
                            need_cover=need_cover,
                            keep=keep,
                        )
                    )
        return _Edges.concat(parts)

    def _sample(self, nodes: I64, size: int | None = None) -> I64:
        size = PER_TAG if size is None else size
        if len(nodes) <= size:
            return nodes
        picked: I64 = nodes[self.np_rng.choice(len(nodes), size=size, replace=False)]
        return picked

    def _block(
        self, rows: I64, cols: I64, *, goals_of_rows: bool, need_cover: bool, keep: int | None
    ) -> _Edges:
        cover = self.cover(rows, cols, goals_of_rows=goals_of_rows)
        ok = ~self.forbidden(rows, cols)
        if need_cover:
            ok &= cover > 0
        if keep is None or len(cols) <= keep:
            # Only the pairs that qualify are valued (most fail on cover in reverse mode).
            r, c = np.nonzero(ok)
            value = self._value(rows[r], cols[c], cover[r, c])
        else:
            dense = self._value(rows[:, None], cols[None, :], cover)
            dense[~ok] = -1
            # The best `keep` per row (argpartition is deterministic for the same input).
            idx = np.argpartition(-dense, keep - 1, axis=1)[:, :keep]
            r = np.repeat(np.arange(len(rows)), keep)
            c = idx.reshape(-1)
            value = dense[r, c]
            good = value >= 0
            r, c, value = r[good], c[good], value[good]
        return _Edges(rows[r], cols[c], value)


# -- mentorship ------------------------------------------------------------------------------


def _assign(
    mentee: I64, mentor: I64, value: I64, capacity: dict[int, int], rng: random.Random
) -> list[tuple[int, int]]:
    """Best mentee -> mentor assignment within capacity: most mentees, then most value."""
    if not len(mentee):
        return []
    rows = np.unique(mentee)
    mentors = np.unique(mentor)
    r_local = np.searchsorted(rows, mentee)
    m_local = np.searchsorted(mentors, mentor)
    graph = csr_matrix(
        (np.ones(len(mentee), dtype=np.int8), (r_local, len(rows) + m_local)),
        shape=(len(rows) + len(mentors),) * 2,
    )
    _, labels = connected_components(graph, directed=False)
    edge_label = labels[r_local]
    order = np.argsort(edge_label, kind="stable")
    cuts = np.flatnonzero(np.diff(edge_label[order])) + 1
    result: list[tuple[int, int]] = []
    for e in np.split(order, cuts):
        result.extend(_assign_component(mentee[e], mentor[e], value[e], capacity, rng))
    return result


def _assign_component(
    mentee: I64, mentor: I64, value: I64, capacity: dict[int, int], rng: random.Random
) -> list[tuple[int, int]]:
    rows = np.unique(mentee)
    mentors = np.unique(mentor)
    # Seeded order of rows and slots: the only effect of the seed is which of several equally
    # good assignments comes out.
    rows = rows[np.array(rng.sample(range(len(rows)), len(rows)), dtype=np.int64)]
    mentors = mentors[np.array(rng.sample(range(len(mentors)), len(mentors)), dtype=np.int64)]
    row_pos = np.empty(int(rows.max()) + 1, dtype=np.int64)
    row_pos[rows] = np.arange(len(rows))
    caps = np.array([capacity[int(m)] for m in mentors], dtype=np.int64)
    first_slot = np.concatenate([[0], np.cumsum(caps)[:-1]]).astype(np.int64)
    mentor_pos = {int(m): i for i, m in enumerate(mentors)}
    slots = int(caps.sum())
    slot_owner = np.repeat(mentors, caps)
    m_idx = np.array([mentor_pos[int(m)] for m in mentor], dtype=np.int64)
    reps = caps[m_idx]
    r = np.repeat(row_pos[mentee], reps)
    within = np.arange(int(reps.sum())) - np.repeat(np.cumsum(reps) - reps, reps)
    s = np.repeat(first_slot[m_idx], reps) + within
    # Every pair is worth a base above what all other values could add up to, so the
    # solver places as many mentees as it can before it looks at value.
    top = int(value.max()) + 1
    base = top * len(rows) + 1
    worth = np.repeat(value, reps) + base
    if len(rows) * slots <= DENSE_CELLS:
        matrix = np.zeros((len(rows), slots), dtype=np.float64)
        matrix[r, s] = worth
        rr, ss = linear_sum_assignment(matrix, maximize=True)
        chosen = matrix[rr, ss] > 0
        rr, ss = rr[chosen], ss[chosen]
    else:
        big = base + top
        # One private dummy slot per mentee keeps a full matching of the rows feasible.
        cost = np.concatenate([big - worth, np.full(len(rows), big)]).astype(np.float64)
        all_r = np.concatenate([r, np.arange(len(rows))])
        all_s = np.concatenate([s, slots + np.arange(len(rows))])
        sparse = csr_matrix((cost, (all_r, all_s)), shape=(len(rows), slots + len(rows)))
        rr, ss = min_weight_full_bipartite_matching(sparse)
        real = ss < slots
        rr, ss = rr[real], ss[real]
    return [(int(rows[a]), int(slot_owner[b])) for a, b in zip(rr, ss, strict=True)]


def _mentorship_detail(pool: _Pool, x: int, mentor_nodes: I64, gap: int) -> str:
    f = pool.f
    p = f.people[x]
    senior = mentor_nodes[f.level[mentor_nodes] >= p.level + gap]
    senior = senior[senior != x]
    levels = "level" if gap == 1 else "levels"
    if not len(senior):
        return f"nobody at least {gap} {levels} more senior offers to mentor this round"
    tz = pool.max_gap / 60
    near = senior[np.abs(f.offset[senior] - f.offset[x]) <= pool.max_gap]
    if not len(near):
        return (
            f"no mentor at least {gap} {levels} more senior works within {tz:g} hours "
            f"of your time zone"
        )
    free = near[~pool.forbidden(np.array([x], dtype=np.int64), near)[0]]
    if not len(free):
        return (
            f"the mentors at least {gap} {levels} more senior near your time zone have "
            f"been your partner before or are on a do-not-pair list"
        )
    return (
        f"the {len(free)} mentor{'s' if len(free) != 1 else ''} at least {gap} {levels} more "
        f"senior within {tz:g} hours of your time zone {'are' if len(free) != 1 else 'is'} "
        f"fully booked this round"
    )


def _breakdown(scorer: Scorer, cover: int, minutes: int, different: bool) -> dict[Criterion, float]:
    w = scorer.weights
    return {
        Criterion.COMPLEMENT: w.complement * complement_criterion(cover),
        Criterion.HOURS: w.hours * hours_criterion(minutes),
        Criterion.FUNCTION: w.function * (1.0 if different else 0.0),
    }


def _join(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def hours_in_common(minutes: int) -> str:
    """'4 working hours in common', rounded to half hours."""
    if minutes <= 0:
        return "no working hours in common"
    if minutes < 60:
        return f"{minutes} working minutes in common"
    hours = round(minutes / 30) / 2
    return "1 working hour in common" if hours == 1 else f"{hours:g} working hours in common"


def _pair_group(
    scorer: Scorer, mentor: Participant, mentee: Participant, explanation: str
) -> Group:
    cover = len(mentor.skills & mentee.goals)
    minutes = overlap_minutes(mentor, mentee)
    different = mentor.function.strip().casefold() != mentee.function.strip().casefold()
    breakdown = _breakdown(scorer, cover, minutes, different)
    return Group(
        members=tuple(sorted((mentor.id, mentee.id))),
        score=sum(breakdown.values()),
        breakdown=breakdown,
        explanation=explanation,
        mentor=mentor.id,
    )


def explain_mentorship(mentor: Participant, mentee: Participant) -> str:
    """'maya can help with negotiation and hiring, which tom wants to grow; ...'.

    Both people read it, so it names no level (only the person and admins see one)."""
    tags = sorted(mentor.skills & mentee.goals)
    hours = hours_in_common(overlap_minutes(mentor, mentee))
    if tags:
        return (
            f"{mentor.id} can help with {_join([phrase(t) for t in tags])}, which {mentee.id} "
            f"wants to grow; {hours}"
        )
    return (
        f"{mentor.id} has room to mentor; none of {mentee.id}'s goals are among their listed "
        f"skills yet; {hours}"
    )


def match_mentorship(
    people: Sequence[Participant], scorer: Scorer, settings: MatchSettings, seed: int
) -> tuple[list[Group], list[LeftOut]]:
    """One group per mentor-mentee pair (see the module docstring)."""
    if not any(p.wants_mentor for p in people):
        return [], []
    pool = _Pool(people, scorer, seed)
    f = pool.f
    rng = random.Random(seed)
    # A mentor is always more senior, whatever the setting says.
    gap = max(1, settings.mentor_min_level_gap)
    nodes = np.arange(pool.n, dtype=np.int64)
    mentees = nodes[np.array([p.wants_mentor for p in f.people], dtype=np.bool_)]
    mentor_nodes = nodes[np.array([p.mentor_capacity > 0 for p in f.people], dtype=np.bool_)]
    capacity = {int(m): f.people[int(m)].mentor_capacity for m in mentor_nodes}
    keep = None
    if len(mentees) * len(mentor_nodes) > KEEP_ALL_UP_TO:
        keep = max(MIN_MENTORS, 4 * settings.candidates_per_person)
    levels = (gap, 10**6)
    edges = pool.edges(
        mentees, mentor_nodes, levels, goals_of_rows=True, need_cover=False, keep=keep
    )
    if keep is not None:
        # Each mentor's best mentees too: a mentor few mentees rank highly still gets edges,
        # so the solver can route someone to them instead of leaving that person out.
        back = pool.edges(
            mentor_nodes,
            mentees,
            (-(10**6), -gap),
            goals_of_rows=False,
            need_cover=False,
            keep=MENTEES_PER_SLOT * MAX_CAPACITY,
        )
        edges = _Edges.union(pool.n, edges, _Edges(back.col, back.row, back.value))
    pairs = _assign(edges.row, edges.col, edges.value, capacity, rng)
    placed = {e for e, _ in pairs}
    waiting = np.array([x for x in mentees.tolist() if x not in placed], dtype=np.int64)
    if keep is not None and len(waiting):
        # Second pass: the mentees left out get every eligible mentor, full or not (or, if
        # that is too many, a much longer list), and the whole assignment is solved again,
        # so that someone already placed can move outside the shortlists to make room.
        wide = len(waiting) * len(mentor_nodes) > KEEP_ALL_UP_TO
        more = pool.edges(
            waiting,
            mentor_nodes,
            levels,
            goals_of_rows=True,
            need_cover=False,
            keep=SECOND_PASS_WIDER * keep if wide else None,
        )
        edges = _Edges.union(pool.n, edges, more)
        pairs = _assign(edges.row, edges.col, edges.value, capacity, rng)

    groups: list[Group] = []
    matched: set[int] = set()
    for e, m in pairs:
        mentee, mentor = f.people[e], f.people[m]
        # The numpy rules mirror Scorer.allowed; the scorer has the last word.
        if not scorer.allowed(mentor, mentee):
            continue
        matched.add(e)
        groups.append(_pair_group(scorer, mentor, mentee, explain_mentorship(mentor, mentee)))
    groups.sort(key=lambda g: (g.members, g.mentor or ""))
    left_out = [
        LeftOut(
            f.people[x].id, LeftOutReason.NO_MENTOR, _mentorship_detail(pool, x, mentor_nodes, gap)
        )
        for x in mentees.tolist()
        if x not in matched
    ]
    left_out.sort(key=lambda e: e.id)
    return groups, left_out


# -- reverse mentoring -----------------------------------------------------------------------


def explain_reverse(mentor: Participant, mentee: Participant) -> str:
    """'sam can help priya with working with data; ...' (no levels: both people read it)."""
    tags = sorted(mentor.skills & mentee.goals)
    hours = hours_in_common(overlap_minutes(mentor, mentee))
    return f"{mentor.id} can help {mentee.id} with {_join([phrase(t) for t in tags])}; {hours}"


def _reverse_detail(pool: _Pool, x: int, has_edge: Bool) -> str:
    f = pool.f
    p = f.people[x]
    if not p.goals and not p.skills:
        return "you have not listed goals or skills yet, so reverse mentoring has no match"
    if has_edge[x]:
        return "the people whose skills and goals match yours were paired with others this round"
    lowest_offer, highest_want = pool.tag_levels()
    juniors_offer = any(lowest_offer.get(t, p.level) < p.level for t in p.goals)
    seniors_want = any(highest_want.get(t, p.level) > p.level for t in p.skills)
    if juniors_offer or seniors_want:
        return (
            "everyone whose skills or goals match yours works too many hours away, has been "
            "your partner before or is on a do-not-pair list"
        )
    parts: list[str] = []
    if p.goals:
        parts.append(f"nobody more junior offers {_join([phrase(t) for t in sorted(p.goals)])}")
    if p.skills:
        wanted = _join([phrase(t) for t in sorted(p.skills)])
        parts.append(f"nobody more senior wants to grow {wanted}")
    return " and ".join(parts) + " this round"


def match_reverse(
    people: Sequence[Participant], scorer: Scorer, settings: MatchSettings, seed: int
) -> tuple[list[Group], list[LeftOut]]:
    """Junior -> senior pairs over one offered-and-wanted skill (see the module docstring)."""
    if not people:
        return [], []
    pool = _Pool(people, scorer, seed)
    f = pool.f
    nodes = np.arange(pool.n, dtype=np.int64)
    seniors = nodes[np.array([bool(p.goals) for p in f.people], dtype=np.bool_)]
    juniors = nodes[np.array([bool(p.skills) for p in f.people], dtype=np.bool_)]
    keep = None
    if len(seniors) * len(juniors) > KEEP_ALL_UP_TO:
        keep = max(MIN_PARTNERS, 2 * settings.candidates_per_person)
    # Best juniors for each senior, and best seniors for each junior, so that nobody with a
    # match drops out of the candidate graph because more popular people filled the lists.
    down = pool.edges(
        seniors, juniors, (-(10**6), -1), goals_of_rows=True, need_cover=True, keep=keep
    )
    up = pool.edges(juniors, seniors, (1, 10**6), goals_of_rows=False, need_cover=True, keep=keep)
    # Undirected edges u < v for the matching (the levels say who mentors whom).
    both = _Edges.concat([down, up])
    lo = np.minimum(both.row, both.col)
    hi = np.maximum(both.row, both.col)
    edges = _Edges.union(pool.n, _Edges(lo, hi, both.value))
    u, v, value = edges.row, edges.col, edges.value
    # solve_matching places as many people as it can first, then maximises value.
    mate = solve_matching(pool.n, u, v, value)
    has_edge = np.zeros(pool.n, dtype=np.bool_)
    has_edge[u] = True
    has_edge[v] = True

    groups: list[Group] = []
    matched: set[int] = set()
    for a in range(pool.n):
        b = int(mate[a])
        if b < a:
            continue
        x, y = f.people[a], f.people[b]
        mentor, mentee = (x, y) if x.level < y.level else (y, x)
        if not scorer.allowed(mentor, mentee) or not mentor.skills & mentee.goals:
            continue
        matched.update((a, b))
        groups.append(_pair_group(scorer, mentor, mentee, explain_reverse(mentor, mentee)))
    groups.sort(key=lambda g: g.members)
    left_out = [
        LeftOut(f.people[x].id, LeftOutReason.NO_SKILL_MATCH, _reverse_detail(pool, x, has_edge))
        for x in range(pool.n)
        if x not in matched
    ]
    left_out.sort(key=lambda e: e.id)
    return groups, left_out
