"""Circles of 3 to 6 people: balanced sizes, no hard rule broken, best total circle score.

The objective is the sum over circles of `Scorer.group_score(members).total`, the mean pair
score inside each circle. Finding the best partition is NP-hard, so this is a heuristic,
driven by the sparse candidate graph (each person's best k allowed partners,
`bot.matching.candidates`) rather than by all pairs:

1. Sizes. `circle_sizes` gives the balanced sizes for n people (the admin's target is an
   upper bound; sizes differ by at most one and stay within 3..6). People who can only meet
   each other (groups of the candidate graph cut off by the time-zone limit) get their own
   sizes from `plan_sizes`, which keeps every size within one of every other; if a group's
   head count cannot be split that way, the fewest possible people sit the round out.
2. Construction. One seed per circle, spread evenly over people sorted by UTC offset and
   level. Round after round, every circle that still needs people proposes its best free
   candidate (highest summed score to its members, breaking no hard rule); a person wanted
   by several circles joins the one that gains most. Circles out of candidates try free
   people inside their time-zone window. Whoever is left fills the remaining circles in
   time-zone order, even if that breaks a rule for now.
3. Local search. Every pair of circles linked by a candidate edge is examined at once with
   numpy: every swap of one member for another, and every move of one member into a circle
   one smaller (which keeps the sizes). A broken hard rule costs more than any score, so the
   search first repairs the leftovers, then improves the score. The best change per circle
   pair is kept, a greedy set of changes touching disjoint circles is applied per round, and
   only circle pairs touching a changed circle are examined again.
4. Iterated local search, on rosters small enough for a table of every pair (up to
   TABLE_UP_TO people): random rule-respecting swaps around one circle, a local repair,
   kept only if the total improved. This escapes optima that need two changes at once.

Budgets are counted in rounds and kicks, never seconds, so the same input and seed give the
same circles on any machine. Whoever still shares a circle with someone they may not meet
(checked with `Scorer.allowed`) is taken out and offered a place in a circle with room;
sizes are rebalanced the same way. Everyone no circle can take is left out with a reason.
"""

from __future__ import annotations

import random
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from bot.matching.candidates import Features, candidate_graph
from bot.matching.criteria import Scorer
from bot.matching.model import Group, LeftOut, LeftOutReason, MatchSettings, Participant

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
Bool = npt.NDArray[np.bool_]

MIN_SIZE = 3
MAX_SIZE = 6
EXHAUSTIVE_UP_TO = 64  # up to this many people every allowed pair is a candidate
WINDOW_SAMPLE = 32  # free people tried from the time-zone window when candidates run out
MAX_ROUNDS = 400  # local search rounds (each applies many changes at once)
KICK_SWAPS = 2  # random swaps per iterated-local-search kick
KICKS_PER_CIRCLE = 2  # iterated local search budget, in kicks per circle ...
MAX_KICKS = 200  # ... up to this many, and only for rosters with a score table (a kick costs
# a few milliseconds of numpy calls; on large rosters the same time buys little)
PAIR_BLOCK = 400_000  # pair scores computed per numpy call, to bound temporary memory
EPS = 1e-9
RELATED_PER_PERSON = 12  # on large rosters, a member's best candidates that make two circles
# worth comparing (all of them below TABLE_UP_TO people): about 1 s less at 10,000 people
# for 0.25% of the score
TABLE_UP_TO = 2048  # people up to which every pair's score is computed once, up front
REPAIR_SAMPLE = 64  # circles nearby tried each round for a circle that still breaks a rule
SETTLE_NEAR = 64  # circles tried per displaced person at the end (smallest circles first)


def circle_sizes(n: int, target: int) -> list[int]:
    """Balanced circle sizes for n people, largest first; [] when n < 3.

    The target is an upper bound: 14 people with target 4 give 4, 4, 3, 3 rather than
    5, 5, 4. Sizes never go below 3, so a target of 3 yields circles of 3 and 4.
    """
    if n < MIN_SIZE:
        return []
    t = min(MAX_SIZE, max(MIN_SIZE, target))
    count = min(-(-n // t), n // MIN_SIZE)
    q, r = divmod(n, count)
    return [q + 1] * r + [q] * (count - r)


@dataclass(slots=True)
class _Rules:
    """Hard rules over node numbers, vectorised (same rules as `Scorer.allowed`)."""

    offset: I64
    max_gap: float
    n: int
    blocked_keys: I64  # sorted i * n + j for every blocked ordered pair

    @classmethod
    def of(cls, f: Features) -> _Rules:
        counts = np.diff(f.blocked_indptr)
        rows = np.repeat(np.arange(f.n, dtype=np.int64), counts)
        keys = np.sort(rows * max(1, f.n) + f.blocked_indices.astype(np.int64))
        return cls(f.offset.astype(np.int64), float(f.max_gap), f.n, keys)

    def forbidden(self, i: I64, j: I64) -> Bool:
        """True where (i, j) breaks a hard rule; both arrays have the same shape."""
        bad: Bool = np.abs(self.offset[i] - self.offset[j]) > self.max_gap
        bad |= i == j
        if len(self.blocked_keys):
            keys = i * max(1, self.n) + j
            pos = np.searchsorted(self.blocked_keys, keys)
            pos = np.minimum(pos, len(self.blocked_keys) - 1)
            bad |= self.blocked_keys[pos] == keys
        return bad


@dataclass(slots=True)
class _State:
    """A partition of nodes into circles, with the sums the search needs."""

    members: I64  # (circles, width) node numbers, -1 for an empty slot
    size: I64  # (circles,)
    group: I64  # (nodes,) circle of each node, -1 when in none
    own: F64  # (nodes,) summed score to the other members of the node's circle
    own_bad: I64  # (nodes,) members of the node's circle it may not meet
    total: F64  # (circles,) summed pair scores

    def copy(self) -> _State:
        return _State(
            self.members.copy(),
            self.size.copy(),
            self.group.copy(),
            self.own.copy(),
            self.own_bad.copy(),
            self.total.copy(),
        )

    def restore(self, other: _State) -> None:
        """Overwrite this state with `other` (same shapes), without reallocating."""
        self.members[:] = other.members
        self.size[:] = other.size
        self.group[:] = other.group
        self.own[:] = other.own
        self.own_bad[:] = other.own_bad
        self.total[:] = other.total


@dataclass(frozen=True, slots=True)
class SearchStats:
    """What a run did, for benchmarks and the docs (not part of the match result)."""

    construction_score: float  # sum of circle means after construction (rule breaks included)
    search_score: float  # ... after the local search
    final_score: float  # ... after the iterated local search
    rounds: int  # local search rounds
    changes: int  # swaps and moves the local search applied
    kicks: int  # iterated local search kicks tried
    kicks_kept: int  # ... and kept because the total improved
    candidate_edges: int
    # Wall-clock seconds per phase (measurement only: no decision depends on them).
    seconds: dict[str, float] = field(default_factory=dict)


class _Circles:
    def __init__(
        self,
        people: Sequence[Participant],
        scorer: Scorer,
        settings: MatchSettings,
        seed: int,
    ) -> None:
        self.scorer = scorer
        self.rng = random.Random(seed)
        self.f = Features(people, scorer, seed)
        self.n = self.f.n
        self.rules = _Rules.of(self.f)
        n = self.n
        k = max(settings.candidates_per_person, 2 * MAX_SIZE)
        if n <= EXHAUSTIVE_UP_TO:
            k = max(1, n - 1)
        graph = candidate_graph(self.f, k)
        self.edges_u = graph.u.astype(np.int64)
        self.edges_v = graph.v.astype(np.int64)
        self.has_partner: Bool = graph.has_partner.copy()
        self.best: F64 = graph.best.astype(np.float64)
        self.node_key = np.array(self.rng.sample(range(n), n), dtype=np.int64)
        # Both directions as CSR: neighbours of node x are nbr[ptr[x]:ptr[x + 1]].
        src = np.concatenate([self.edges_u, self.edges_v])
        dst = np.concatenate([self.edges_v, self.edges_u])
        # Each node's neighbours best first, so the search can look at the closest ones only.
        weight = np.concatenate([graph.weight, graph.weight])
        order = np.lexsort((dst, -weight, src))
        self.nbr: I64 = dst[order]
        self.ptr: I64 = np.zeros(n + 1, dtype=np.int64)
        np.add.at(self.ptr, src + 1, 1)
        np.cumsum(self.ptr, out=self.ptr)
        self.penalty = 10.0 * (1.0 + sum(abs(w) for w in self.f.w))
        self.target = min(MAX_SIZE, max(MIN_SIZE, settings.circle_size))
        self.window_count = self._window_counts()
        self.tiebreak = np.zeros(0, dtype=np.int64)
        # Small rosters (the common case) keep every pair's score and rule in a table: the
        # search then spends its time on decisions, not on recomputing the same pairs.
        self.table: tuple[F64, Bool] | None = None
        self.related_limit = n if n <= TABLE_UP_TO else RELATED_PER_PERSON
        if 0 < n <= TABLE_UP_TO:
            ii, jj = np.indices((n, n)).reshape(2, -1)
            self.table = (
                self.f.pair_scores(ii, jj).reshape(n, n),
                self.rules.forbidden(ii, jj).reshape(n, n),
            )

    # -- scores and rules over node arrays -----------------------------------------------

    def pair(self, i: I64, j: I64) -> F64:
        """Exact pair totals, in bounded chunks."""
        if self.table is not None:
            table: F64 = self.table[0][i, j]
            return table
        flat_i = i.reshape(-1)
        flat_j = j.reshape(-1)
        out = np.empty(len(flat_i), dtype=np.float64)
        for lo in range(0, len(flat_i), PAIR_BLOCK):
            hi = lo + PAIR_BLOCK
            out[lo:hi] = self.f.pair_scores(flat_i[lo:hi], flat_j[lo:hi])
        return out.reshape(i.shape)

    def masked_pair(self, i: I64, j: I64) -> tuple[F64, I64]:
        """Scores and rule breaks for (i, j) where both are real nodes; 0 elsewhere."""
        i, j = np.broadcast_arrays(i, j)
        real = (i >= 0) & (j >= 0) & (i != j)
        if self.table is not None:
            scores, bad_table = self.table
            s_all = np.where(real, scores[i, j], 0.0)
            bad_all = np.where(real, bad_table[i, j], False).astype(np.int64)
            return s_all, bad_all
        s = np.zeros(i.shape, dtype=np.float64)
        bad = np.zeros(i.shape, dtype=np.int64)
        if real.any():
            ii = i[real]
            jj = j[real]
            s[real] = self.pair(ii, jj)
            bad[real] = self.rules.forbidden(ii, jj)
        return s, bad

    # -- construction ----------------------------------------------------------------------

    def tiebreak_of(self, nodes: I64) -> I64:
        """A seeded key per node for breaking ties."""
        key: I64 = self.node_key[nodes]
        return key

    def _window_counts(self) -> I64:
        """Others within the time-zone limit of each node (a cheap measure of options)."""
        off = np.sort(self.f.offset)
        lo = np.searchsorted(off, self.f.offset - self.rules.max_gap, side="left")
        hi = np.searchsorted(off, self.f.offset + self.rules.max_gap, side="right")
        counts: I64 = (hi - lo - 1).astype(np.int64)
        return counts

    def construct(self, nodes: I64, sizes: list[int]) -> list[list[int]]:
        """Greedy circles over `nodes` with the given sizes, grown all at once.

        Seeds are spread evenly over the people sorted by UTC offset and level, so every
        time zone and level gets circles in proportion. Then, round after round, every circle
        that still needs people proposes its best free candidate (highest summed score to its
        members, breaking no hard rule); a person wanted by several circles joins the one that
        gains most, and the others propose again.
        """
        n = self.n
        count = len(sizes)
        free = np.zeros(n, dtype=np.bool_)
        free[nodes] = True
        tiebreak = np.array(self.rng.sample(range(n), n), dtype=np.int64)
        spread = nodes[np.lexsort((tiebreak[nodes], self.f.level[nodes], self.f.offset[nodes]))]
        seeds = spread[(np.arange(count) * len(spread)) // count]
        # Which circles get the larger size: a seeded choice, not the first time zones.
        target = np.array(sizes, dtype=np.int64)[self.rng.sample(range(count), count)]
        width = max(sizes)
        members = np.full((count, width), -1, dtype=np.int64)
        members[:, 0] = seeds
        filled = np.ones(count, dtype=np.int64)
        free[seeds] = False
        by_offset = np.argsort(self.f.offset, kind="stable").astype(np.int64)
        window = _FreeWindow(by_offset, self.f.offset[by_offset], free)
        stuck = np.zeros(count, dtype=np.bool_)
        while True:
            active = np.flatnonzero((filled < target) & ~stuck)
            if not len(active):
                break
            circ, cand, gain = self._join_gain(members, *self._proposals(members, active, free))
            lonely = np.setdiff1d(active, circ)
            if len(lonely):
                # No allowed candidate left: free people inside the circle's time-zone window.
                more = self._join_gain(members, *self._window_proposals(members, lonely, window))
                circ = np.concatenate([circ, more[0]])
                cand = np.concatenate([cand, more[1]])
                gain = np.concatenate([gain, more[2]])
            # Circles without a single allowed proposal give up.
            stuck[np.setdiff1d(active, circ)] = True
            if not len(circ):
                continue
            # Each circle's best proposal, then each person to the circle that gains most.
            order = np.lexsort((tiebreak[cand], -gain, circ))
            first = np.ones(len(order), dtype=np.bool_)
            first[1:] = circ[order][1:] != circ[order][:-1]
            pick = order[first]
            order = np.lexsort((tiebreak[circ[pick]], -gain[pick], cand[pick]))
            pick = pick[order]
            first = np.ones(len(pick), dtype=np.bool_)
            first[1:] = cand[pick][1:] != cand[pick][:-1]
            won = pick[first]
            c = circ[won]
            y = cand[won]
            members[c, filled[c]] = y
            filled[c] += 1
            free[y] = False
            for node in y.tolist():
                window.take(node)
        circles: list[list[int]] = []
        unused: list[int] = []
        stragglers = np.flatnonzero(free).tolist()
        for g in range(count):
            row = [int(x) for x in members[g, : filled[g]]]
            if filled[g] == target[g]:
                circles.append(row)
            else:
                stragglers.extend(row)
                unused.append(int(target[g]))
        # Fill what is left in time-zone order; the local search repairs any broken rule.
        stragglers.sort(key=lambda x: (int(self.f.offset[x]), int(tiebreak[x])))
        pos = 0
        for size in unused:
            circles.append(stragglers[pos : pos + size])
            pos += size
        return circles

    def _proposals(self, members: I64, active: I64, free: Bool) -> tuple[I64, I64]:
        """(circle, free candidate) pairs from the candidate lists of active circles' members."""
        sub = members[active]
        slot_c = np.repeat(active, sub.shape[1])
        slot_x = sub.reshape(-1)
        real = slot_x >= 0
        slot_c, slot_x = slot_c[real], slot_x[real]
        starts = self.ptr[slot_x]
        lens = self.ptr[slot_x + 1] - starts
        c = np.repeat(slot_c, lens)
        within = np.arange(int(lens.sum())) - np.repeat(np.cumsum(lens) - lens, lens)
        y = self.nbr[np.repeat(starts, lens) + within]
        keep = free[y]
        keys = np.unique(c[keep] * max(1, self.n) + y[keep])
        return keys // max(1, self.n), keys % max(1, self.n)

    def _window_proposals(self, members: I64, circles: I64, window: _FreeWindow) -> tuple[I64, I64]:
        """Free people inside each circle's time-zone window, for circles out of candidates."""
        cs: list[int] = []
        ys: list[int] = []
        for g in circles.tolist():
            row = members[g]
            offs = self.f.offset[row[row >= 0]]
            bounds = (
                float(offs.max()) - self.rules.max_gap,
                float(offs.min()) + self.rules.max_gap,
            )
            found = window.sample(bounds, WINDOW_SAMPLE, self.rng).tolist()
            cs.extend([g] * len(found))
            ys.extend(found)
        return np.array(cs, dtype=np.int64), np.array(ys, dtype=np.int64)

    def _join_gain(self, members: I64, circ: I64, cand: I64) -> tuple[I64, I64, F64]:
        """The (circle, candidate) proposals that break no rule, with the summed score."""
        s, bad = self.masked_pair(cand[:, None], members[circ])
        ok = bad.sum(axis=1) == 0
        gain: F64 = s.sum(axis=1)[ok]
        return circ[ok], cand[ok], gain

    # -- local search ----------------------------------------------------------------------

    def state_of(self, circles: list[list[int]]) -> _State:
        width = max((len(c) for c in circles), default=MIN_SIZE)
        members = np.full((len(circles), width), -1, dtype=np.int64)
        for g, circle in enumerate(circles):
            members[g, : len(circle)] = circle
        size = (members >= 0).sum(axis=1).astype(np.int64)
        group = np.full(self.n, -1, dtype=np.int64)
        for g, circle in enumerate(circles):
            group[circle] = g
        state = _State(
            members=members,
            size=size,
            group=group,
            own=np.zeros(self.n, dtype=np.float64),
            own_bad=np.zeros(self.n, dtype=np.int64),
            total=np.zeros(len(circles), dtype=np.float64),
        )
        self.refresh(state, np.arange(len(circles), dtype=np.int64))
        return state

    def refresh(self, state: _State, groups: I64) -> None:
        """Recompute own sums, own rule breaks and circle totals for `groups`."""
        if not len(groups):
            return
        m = state.members[groups]
        s, bad = self.masked_pair(m[:, :, None], m[:, None, :])
        own = s.sum(axis=2)
        own_bad = bad.sum(axis=2)
        real = m >= 0
        state.own[m[real]] = own[real]
        state.own_bad[m[real]] = own_bad[real]
        state.total[groups] = s.sum(axis=(1, 2)) / 2

    def objective(self, state: _State) -> float:
        pairs = np.maximum(1, state.size * (state.size - 1) // 2)
        return float((state.total / pairs).sum())

    def broken_pairs(self, state: _State) -> int:
        return int(state.own_bad.sum() // 2)

    def value(self, state: _State) -> float:
        """The objective with broken rules priced in, as the search sees it."""
        return self.objective(state) - self.penalty * self.broken_pairs(state)

    def search(self, state: _State, max_rounds: int, dirty: Bool | None = None) -> tuple[int, int]:
        """Improve `state` in place from the `dirty` circles (all by default).

        Returns (rounds, changes applied).
        """
        count = len(state.size)
        if dirty is None:
            dirty = np.ones(count, dtype=np.bool_)
        if len(self.tiebreak) != count:
            self.tiebreak = np.array(self.rng.sample(range(count), count), dtype=np.int64)
        tiebreak = self.tiebreak
        changes = 0
        rounds = 0
        while rounds < max_rounds and dirty.any():
            rounds += 1
            a, b = self._related_pairs(state, dirty)
            a, b = self._with_repair_pairs(state, a, b)
            dirty[:] = False
            if not len(a):
                break
            gain, kind, xa, yb = self._best_changes(state, a, b)
            improving = np.flatnonzero(gain > EPS)
            if not len(improving):
                break
            # Best gains first; equal gains in a seeded order.
            order = improving[
                np.lexsort(
                    (tiebreak[a[improving]] * count + tiebreak[b[improving]], -gain[improving])
                )
            ]
            used = np.zeros(count, dtype=np.bool_)
            touched: list[int] = []
            for p in order.tolist():
                ga = int(a[p])
                gb = int(b[p])
                if used[ga] or used[gb]:
                    continue
                used[ga] = used[gb] = True
                self._apply(state, ga, gb, int(kind[p]), int(xa[p]), int(yb[p]))
                touched.extend((ga, gb))
            changed = np.array(touched, dtype=np.int64)
            self.refresh(state, changed)
            dirty[changed] = True
            changes += len(touched) // 2
        return rounds, changes

    def iterate(self, state: _State, iterations: int) -> int:
        """Iterated local search: kick a few circles, repair around them, keep if better.

        A local optimum of single swaps and moves can hide a better partition that needs two
        or three changes at once. Each iteration makes random rule-respecting swaps around
        one circle, lets `search` repair the neighbourhood, and keeps the result only if the
        total improved. Returns how many kicks were kept.
        """
        best = state.copy()
        best_value = self.value(state)
        kept = 0
        for _ in range(iterations):
            touched = self._kick(state)
            if not touched:
                continue
            dirty = np.zeros(len(state.size), dtype=np.bool_)
            dirty[touched] = True
            self.search(state, MAX_ROUNDS, dirty)
            value = self.value(state)
            if value > best_value + EPS:
                best = state.copy()
                best_value = value
                kept += 1
            else:
                state.restore(best)
        return kept

    def _kick(self, state: _State) -> list[int]:
        """Up to KICK_SWAPS random rule-respecting swaps between one circle and neighbours."""
        rng = self.rng
        ga = rng.randrange(len(state.size))
        touched: list[int] = []
        for _ in range(KICK_SWAPS):
            row = state.members[ga]
            slots = np.flatnonzero(row >= 0)
            xa = int(slots[rng.randrange(len(slots))])
            x = int(row[xa])
            nb = self.nbr[self.ptr[x] : self.ptr[x + 1]]
            nb = nb[(state.group[nb] != ga) & (state.group[nb] >= 0)]
            if not len(nb):
                continue
            gb = int(state.group[nb[rng.randrange(len(nb))]])
            other = state.members[gb]
            yb = int(np.flatnonzero(other >= 0)[rng.randrange(int(state.size[gb]))])
            y = int(other[yb])
            rest_a = row[(row >= 0) & (row != x)]
            rest_b = other[(other >= 0) & (other != y)]
            if self.masked_pair(np.full(len(rest_b), x), rest_b)[1].any():
                continue
            if self.masked_pair(np.full(len(rest_a), y), rest_a)[1].any():
                continue
            self._apply(state, ga, gb, 0, xa, yb)
            self.refresh(state, np.array([ga, gb], dtype=np.int64))
            touched.extend((ga, gb))
        return touched

    def _with_repair_pairs(self, state: _State, a: I64, b: I64) -> tuple[I64, I64]:
        """Add, for every circle that still breaks a rule, a seeded sample of circles nearby.

        A member's best candidates may all sit in circles that are no better for them (dense
        history in one office); any circle in the time-zone window may be the one that takes
        them, so each round tries a fresh sample of those.
        """
        broken = np.unique(state.group[state.own_bad > 0])
        broken = broken[broken >= 0]
        if not len(broken):
            return a, b
        anchor = self.f.offset[state.members[:, 0]]
        order = np.argsort(anchor, kind="stable")
        sorted_anchor = anchor[order]
        extra_a: list[I64] = []
        extra_b: list[I64] = []
        for g in broken.tolist():
            lo = int(np.searchsorted(sorted_anchor, anchor[g] - self.rules.max_gap, side="left"))
            hi = int(np.searchsorted(sorted_anchor, anchor[g] + self.rules.max_gap, side="right"))
            if hi - lo <= REPAIR_SAMPLE:
                near = order[lo:hi]
            else:
                near = order[lo + np.array(self.rng.sample(range(hi - lo), REPAIR_SAMPLE))]
            near = near[near != g]
            extra_a.append(np.minimum(near, g))
            extra_b.append(np.maximum(near, g))
        count = max(1, len(state.size))
        keys = np.unique(
            np.concatenate(
                [a * count + b, *(x * count + y for x, y in zip(extra_a, extra_b, strict=True))]
            )
        )
        return keys // count, keys % count

    def _related_pairs(self, state: _State, dirty: Bool) -> tuple[I64, I64]:
        """Circle pairs (a < b) with a dirty circle, linked by one of a member's best edges."""
        rows = state.members[dirty].reshape(-1)
        x = rows[rows >= 0]
        starts = self.ptr[x]
        lens = np.minimum(self.ptr[x + 1] - starts, self.related_limit)
        within = np.arange(int(lens.sum())) - np.repeat(np.cumsum(lens) - lens, lens)
        ga = np.repeat(state.group[x], lens)
        gb = state.group[self.nbr[np.repeat(starts, lens) + within]]
        keep = (gb >= 0) & (ga != gb)
        lo = np.minimum(ga[keep], gb[keep])
        hi = np.maximum(ga[keep], gb[keep])
        count = max(1, len(state.size))
        keys = np.unique(lo * count + hi)
        return keys // count, keys % count

    def _best_changes(self, state: _State, a: I64, b: I64) -> tuple[F64, I64, I64, I64]:
        """Best change per circle pair: (gain, kind, slot in a, slot in b).

        kind 0 swaps slot xa of a with slot yb of b; kind 1 moves slot xa of a into b;
        kind 2 moves slot yb of b into a.
        """
        width = state.members.shape[1]
        # Bound the (pairs, width, width) temporaries.
        step = max(1, PAIR_BLOCK // (width * width))
        gains: list[F64] = []
        kinds: list[I64] = []
        xs: list[I64] = []
        ys: list[I64] = []
        for lo in range(0, len(a), step):
            g, k, x, y = self._best_block(state, a[lo : lo + step], b[lo : lo + step])
            gains.append(g)
            kinds.append(k)
            xs.append(x)
            ys.append(y)
        return np.concatenate(gains), np.concatenate(kinds), np.concatenate(xs), np.concatenate(ys)

    def _best_block(self, state: _State, a: I64, b: I64) -> tuple[F64, I64, I64, I64]:
        ma = state.members[a]  # (r, w)
        mb = state.members[b]
        width = ma.shape[1]
        real_a = ma >= 0
        real_b = mb >= 0
        cross, bad = self.masked_pair(ma[:, :, None], mb[:, None, :])  # (r, w, w)
        x_to_b = cross.sum(axis=2)  # x's summed score to all of b
        y_to_a = cross.sum(axis=1)
        x_bad_b = bad.sum(axis=2)
        y_bad_a = bad.sum(axis=1)
        own_x = np.where(real_a, state.own[np.maximum(ma, 0)], 0.0)
        own_y = np.where(real_b, state.own[np.maximum(mb, 0)], 0.0)
        bad_x = np.where(real_a, state.own_bad[np.maximum(ma, 0)], 0)
        bad_y = np.where(real_b, state.own_bad[np.maximum(mb, 0)], 0)
        sa = state.size[a]
        sb = state.size[b]
        pa = np.maximum(1, sa * (sa - 1) // 2).astype(np.float64)
        pb = np.maximum(1, sb * (sb - 1) // 2).astype(np.float64)
        ta = state.total[a]
        tb = state.total[b]

        # Swap x (in a) with y (in b).
        swap = (y_to_a[:, None, :] - cross - own_x[:, :, None]) / pa[:, None, None]
        swap += (x_to_b[:, :, None] - cross - own_y[:, None, :]) / pb[:, None, None]
        swap_bad = (x_bad_b[:, :, None] - bad) + (y_bad_a[:, None, :] - bad)
        swap_bad -= bad_x[:, :, None] + bad_y[:, None, :]
        swap -= self.penalty * swap_bad
        swap[~(real_a[:, :, None] & real_b[:, None, :])] = -np.inf
        flat = swap.reshape(len(a), -1)
        best_swap = np.argmax(flat, axis=1) if len(a) else np.zeros(0, dtype=np.int64)
        swap_gain = flat[np.arange(len(a)), best_swap]

        # Move x from a into b (a one larger than b), or y from b into a.
        move_ab = self._move_gain(ta, sa, own_x, tb, sb, x_to_b, bad_x, x_bad_b)
        move_ab[~real_a] = -np.inf
        move_ab[sa != sb + 1] = -np.inf
        move_ba = self._move_gain(tb, sb, own_y, ta, sa, y_to_a, bad_y, y_bad_a)
        move_ba[~real_b] = -np.inf
        move_ba[sb != sa + 1] = -np.inf
        best_ab = np.argmax(move_ab, axis=1)
        best_ba = np.argmax(move_ba, axis=1)
        gain_ab = move_ab[np.arange(len(a)), best_ab]
        gain_ba = move_ba[np.arange(len(a)), best_ba]

        stacked = np.stack([swap_gain, gain_ab, gain_ba])
        kind = np.argmax(stacked, axis=0).astype(np.int64)
        gain = stacked[kind, np.arange(len(a))]
        xa = np.select([kind == 0, kind == 1], [best_swap // width, best_ab], 0).astype(np.int64)
        yb = np.select([kind == 0, kind == 2], [best_swap % width, best_ba], 0).astype(np.int64)
        return gain, kind, xa, yb

    def _move_gain(
        self,
        t_from: F64,
        s_from: I64,
        own: F64,
        t_to: F64,
        s_to: I64,
        to_sum: F64,
        own_bad: I64,
        to_bad: I64,
    ) -> F64:
        """Gain of moving each member of `from` into `to`, shape (r, w)."""
        p_from = np.maximum(1, s_from * (s_from - 1) // 2).astype(np.float64)
        p_to = np.maximum(1, s_to * (s_to - 1) // 2).astype(np.float64)
        p_from_after = np.maximum(1, (s_from - 1) * (s_from - 2) // 2).astype(np.float64)
        p_to_after = np.maximum(1, (s_to + 1) * s_to // 2).astype(np.float64)
        gain: F64 = (t_from[:, None] - own) / p_from_after[:, None] - (t_from / p_from)[:, None]
        gain += (t_to[:, None] + to_sum) / p_to_after[:, None] - (t_to / p_to)[:, None]
        gain -= self.penalty * (to_bad - own_bad)
        # A move never shrinks a circle below three or grows one above six.
        gain[(s_from - 1 < MIN_SIZE) | (s_to + 1 > MAX_SIZE)] = -np.inf
        return gain

    def _apply(self, state: _State, ga: int, gb: int, kind: int, xa: int, yb: int) -> None:
        ma = state.members[ga]
        mb = state.members[gb]
        if kind == 0:
            x = int(ma[xa])
            y = int(mb[yb])
            ma[xa] = y
            mb[yb] = x
            state.group[y] = ga
            state.group[x] = gb
            return
        src, dst, slot, g_dst = (ma, mb, xa, gb) if kind == 1 else (mb, ma, yb, ga)
        node = int(src[slot])
        src[slot] = -1
        free_slot = int(np.flatnonzero(dst < 0)[0]) if (dst < 0).any() else -1
        if free_slot < 0:
            raise AssertionError("a move into a full circle")
        dst[free_slot] = node
        state.group[node] = g_dst
        # Keep members packed to the left so the slots stay comparable.
        src[:] = np.concatenate([src[src >= 0], src[src < 0]])
        state.size[ga] = int((ma >= 0).sum())
        state.size[gb] = int((mb >= 0).sum())


class _FreeWindow:
    """Free nodes in UTC-offset order, with 'next free at or after' in near-constant time."""

    def __init__(self, by_offset: I64, sorted_off: I64, free: Bool) -> None:
        self.by_offset = by_offset
        self.sorted_off = sorted_off
        self.position = np.empty(len(by_offset), dtype=np.int64)
        self.position[by_offset] = np.arange(len(by_offset))
        # parent[p] == p while position p is free; taken positions point further right.
        self.parent = np.arange(len(by_offset) + 1, dtype=np.int64)
        taken = np.flatnonzero(~free[by_offset])
        self.parent[taken] = taken + 1

    def _find(self, p: int) -> int:
        root = p
        parent = self.parent
        while parent[root] != root:
            root = int(parent[root])
        while parent[p] != root:
            nxt = int(parent[p])
            parent[p] = root
            p = nxt
        return root

    def take(self, node: int) -> None:
        p = int(self.position[node])
        self.parent[p] = p + 1

    def sample(self, window: tuple[float, float], limit: int, rng: random.Random) -> I64:
        """Up to `limit` free nodes with an offset inside the window, from a seeded start."""
        lo = int(np.searchsorted(self.sorted_off, window[0], side="left"))
        hi = int(np.searchsorted(self.sorted_off, window[1], side="right"))
        if hi <= lo:
            return np.zeros(0, dtype=np.int64)
        found: list[int] = []
        start = rng.randrange(lo, hi)
        for begin, end in ((start, hi), (lo, start)):
            p = self._find(begin)
            while p < end and len(found) < limit:
                found.append(int(self.by_offset[p]))
                p = self._find(p + 1)
        return np.array(found, dtype=np.int64)


def plan_sizes(components: Sequence[int], target: int) -> tuple[list[list[int]], list[int]]:
    """Circle sizes for groups of people who can only meet inside their group.

    Returns, per group, its circle sizes and how many of its people fit in no circle. All
    sizes across all groups differ by at most one: the pair of sizes (s, s + 1) is chosen to
    leave the fewest people out, then to stay closest to `circle_sizes` for each group (so a
    single group gets exactly `circle_sizes`).
    """
    t = min(MAX_SIZE, max(MIN_SIZE, target))
    best: tuple[tuple[int, int, int], list[list[int]], list[int]] | None = None
    for low in range(MIN_SIZE, MAX_SIZE + 1):
        high = min(low + 1, MAX_SIZE)
        plans: list[list[int]] = []
        drops: list[int] = []
        deviation = 0
        for n in components:
            for drop in range(n + 1):
                x = n - drop
                fewest, most = -(-x // high), x // low
                if x == 0 or fewest <= most:
                    break
            wanted = len(circle_sizes(x, t))
            count = min(max(wanted, fewest), most) if x else 0
            deviation += abs(count - wanted)
            q, r = divmod(x, count) if count else (0, 0)
            plans.append([q + 1] * r + [q] * (count - r))
            drops.append(drop)
        key = (sum(drops), deviation, abs(low - (t - 1)))
        if best is None or key < best[0]:
            best = (key, plans, drops)
    assert best is not None
    return best[1], best[2]


def _left_out_detail(solver: _Circles, x: int, gap: float) -> str:
    if solver.window_count[x] == 0:
        return f"nobody else available this round works within {gap:g} hours of your time zone"
    if not solver.has_partner[x]:
        return (
            f"everyone within {gap:g} hours of your time zone has been your partner before "
            f"or is on a do-not-pair list with you"
        )
    return (
        f"no circle could take you without putting you with a past partner, someone on a "
        f"do-not-pair list or someone more than {gap:g} hours away"
    )


def _components(solver: _Circles, nodes: I64) -> list[I64]:
    """Groups of `nodes` linked by candidate edges, in a stable order."""
    if not len(nodes):
        return []
    n = solver.n
    graph = csr_matrix(
        (np.ones(len(solver.edges_u)), (solver.edges_u, solver.edges_v)), shape=(n, n)
    )
    _, labels = connected_components(graph, directed=False)
    labels = labels[nodes]
    order = np.lexsort((nodes, labels))
    nodes, labels = nodes[order], labels[order]
    cuts = np.flatnonzero(np.diff(labels)) + 1
    parts = np.split(nodes, cuts)
    return sorted(parts, key=lambda part: int(part[0]))


def _run(
    people: Sequence[Participant], scorer: Scorer, settings: MatchSettings, seed: int
) -> tuple[list[Group], list[LeftOut], SearchStats]:
    gap = settings.max_tz_gap_hours
    if len(people) < MIN_SIZE:
        detail = (
            f"only {len(people)} {'person is' if len(people) == 1 else 'people are'} "
            f"available this round; a circle needs at least {MIN_SIZE}"
        )
        left = [LeftOut(p.id, LeftOutReason.TOO_FEW_PEOPLE, detail) for p in people]
        return [], sorted(left, key=lambda e: e.id), SearchStats(0.0, 0.0, 0.0, 0, 0, 0, 0, 0)

    clock = [time.perf_counter()]
    seconds: dict[str, float] = {}

    def lap(name: str) -> None:
        now = time.perf_counter()
        seconds[name] = now - clock[0]
        clock[0] = now

    solver = _Circles(people, scorer, settings, seed)
    lap("setup")
    f = solver.f
    placeable = np.flatnonzero(solver.has_partner).astype(np.int64)
    parts = _components(solver, placeable)
    plans, drops = plan_sizes([len(p) for p in parts], solver.target)
    sizes = [s for plan in plans for s in plan]
    low, high = (min(sizes), max(sizes)) if sizes else (MIN_SIZE, MIN_SIZE)
    details: dict[int, tuple[LeftOutReason, str]] = {}
    circles: list[list[int]] = []
    for part, plan, drop in zip(parts, plans, drops, strict=True):
        if drop:
            # Whoever has the weakest best match in the group sits this round out.
            weakest = part[np.lexsort((solver.tiebreak_of(part), solver.best[part]))][:drop]
            if len(part) < MIN_SIZE:
                reason = LeftOutReason.TOO_FEW_PEOPLE
                text = (
                    f"only {len(part)} people, you included, can meet each other within the "
                    f"rules this round; a circle needs at least {MIN_SIZE}"
                )
            else:
                reason = LeftOutReason.NO_ALLOWED_PARTNER
                text = (
                    f"the {len(part)} people you can meet within the rules could not be "
                    f"split into circles of {low} to {high} like everyone else's this round"
                )
            details.update({int(x): (reason, text) for x in weakest})
            part = np.setdiff1d(part, weakest)
        if plan:
            circles.extend(solver.construct(part, plan))
    state = solver.state_of(circles)
    construction = solver.objective(state)
    lap("construction")
    rounds, changes = solver.search(state, MAX_ROUNDS)
    searched = solver.objective(state)
    lap("search")
    kicks = min(MAX_KICKS, KICKS_PER_CIRCLE * len(state.size)) if solver.table else 0
    kept = solver.iterate(state, kicks) if len(state.size) > 1 else 0
    final = solver.objective(state)
    lap("iterated search")

    result = _settle(solver, state, others_out=len(placeable) < f.n or bool(details))
    placed = {x for circle in result for x in circle}
    groups: list[Group] = []
    for circle in result:
        members = sorted((f.people[i] for i in circle), key=lambda p: p.id)
        score = scorer.group_score(members)
        groups.append(
            Group(
                members=tuple(p.id for p in members),
                score=score.total,
                breakdown=score.breakdown,
                explanation=scorer.explain(members),
            )
        )
    groups.sort(key=lambda g: g.members)
    left_out: list[LeftOut] = []
    for x in range(f.n):
        if x in placed:
            continue
        reason, text = details.get(
            x, (LeftOutReason.NO_ALLOWED_PARTNER, _left_out_detail(solver, x, gap))
        )
        left_out.append(LeftOut(f.people[x].id, reason, text))
    left_out.sort(key=lambda e: e.id)
    lap("output")
    stats = SearchStats(
        construction,
        searched,
        final,
        rounds,
        changes,
        kicks,
        kept,
        len(solver.edges_u),
        seconds,
    )
    return groups, left_out, stats


def _settle(solver: _Circles, state: _State, others_out: bool) -> list[list[int]]:
    """Circles with no broken rule (checked with `Scorer.allowed`) and balanced sizes.

    Members who still share a circle with someone they may not meet leave it (most broken
    pairs first); circles that fall below three dissolve. Everyone displaced joins the
    circle with room (fewest members first, then best score) that breaks no rule for them
    and keeps sizes within one of each other. If sizes still differ by two or more: a member
    moves from a largest circle to a smallest one, or a smallest circle dissolves if all its
    members find another circle. Only if that fails and everyone else has a place (neither
    `others_out` nor anyone displaced for good) does the member who fits worst in a largest
    circle leave it: even sizes never cost more people their place once the hard rules have
    left someone out. Whoever is in no circle is left out by the caller.
    """
    people = solver.f.people
    circles = [[int(x) for x in row if x >= 0] for row in state.members]
    displaced: list[int] = []
    for circle in circles:
        while True:
            clashes = {
                x: sum(not solver.scorer.allowed(people[x], people[y]) for y in circle if y != x)
                for x in circle
            }
            worst = max(circle, key=lambda x: (clashes[x], -x), default=None)
            if worst is None or clashes[worst] == 0:
                break
            circle.remove(worst)
            displaced.append(worst)
    settle = _Settle(solver, circles)
    for index, circle in enumerate(settle.circles):
        if len(circle) < MIN_SIZE:
            displaced.extend(circle)
            settle.dissolve(index)
    if not settle.live.any():
        return []
    placed_again = [settle.insert(x) for x in sorted(displaced)]
    someone_out = others_out or not all(placed_again)
    while True:
        sizes = settle.sizes[settle.live]
        if int(sizes.max()) - int(sizes.min()) <= 1:
            break
        if settle.move_one():
            continue
        if settle.dissolve_smallest():
            continue
        if someone_out:
            break
        settle.trim_largest()
        someone_out = True
    return [c for c, live in zip(settle.circles, settle.live.tolist(), strict=True) if live]


class _Settle:
    """Circles being checked and rebalanced at the end (plain lists: few changes, exact rules)."""

    def __init__(self, solver: _Circles, circles: list[list[int]]) -> None:
        self.solver = solver
        self.people = solver.f.people
        self.offset = solver.f.offset
        self.gap = solver.rules.max_gap
        self.circles = circles
        self.sizes = np.array([len(c) for c in circles], dtype=np.int64)
        self.live = np.ones(len(circles), dtype=np.bool_)
        # Time-zone span of each circle, so most circles are ruled out without a Python loop.
        self.lo = np.array([min((int(self.offset[x]) for x in c), default=0) for c in circles])
        self.hi = np.array([max((int(self.offset[x]) for x in c), default=0) for c in circles])

    def allowed(self, x: int, y: int) -> bool:
        return self.solver.scorer.allowed(self.people[x], self.people[y])

    def mean_to(self, x: int, circle: list[int]) -> float:
        nodes = np.array([y for y in circle if y != x], dtype=np.int64)
        if not len(nodes):
            return 0.0
        return float(self.solver.pair(np.full(len(nodes), x, dtype=np.int64), nodes).mean())

    def near(self, x: int, mask: Bool) -> list[int]:
        """Live circles in `mask` whose time-zone span allows x, smallest first."""
        off = int(self.offset[x])
        near = np.flatnonzero(
            mask & self.live & (self.hi - self.gap <= off) & (off <= self.lo + self.gap)
        )
        order = np.argsort(self.sizes[near], kind="stable")
        picked: list[int] = near[order][:SETTLE_NEAR].tolist()
        return picked

    def add(self, x: int, index: int) -> None:
        self.circles[index].append(x)
        self.sizes[index] += 1
        self.lo[index] = min(int(self.lo[index]), int(self.offset[x]))
        self.hi[index] = max(int(self.hi[index]), int(self.offset[x]))

    def remove(self, x: int, index: int) -> None:
        self.circles[index].remove(x)
        self.sizes[index] -= 1

    def dissolve(self, index: int) -> None:
        self.live[index] = False
        self.sizes[index] = 0

    def insert(self, x: int) -> bool:
        """Put x in the best circle with room that breaks no rule; False if there is none."""
        if not self.live.any():
            return False
        room = _room(self.sizes, self.live)
        best: tuple[int, float, int] | None = None  # (size, -mean score, circle)
        for index in self.near(x, room):
            circle = self.circles[index]
            if all(self.allowed(x, y) for y in circle):
                key = (len(circle), -self.mean_to(x, circle), index)
                if best is None or key < best:
                    best = key
        if best is None:
            return False
        self.add(x, best[2])
        return True

    def move_one(self) -> bool:
        """Move the member who loses least from a largest circle into a smallest one."""
        sizes = np.where(self.live, self.sizes, -1)
        small = self.live & (self.sizes == self.sizes[self.live].min())
        move: tuple[float, int, int, int] | None = None  # (score lost, who, from, to)
        for b in np.flatnonzero(sizes == sizes.max()).tolist():
            for x in self.circles[b]:
                for s in self.near(x, small):
                    if all(self.allowed(x, y) for y in self.circles[s]):
                        lost = self.mean_to(x, self.circles[b]) - self.mean_to(x, self.circles[s])
                        if move is None or (lost, x, b, s) < move:
                            move = (lost, x, b, s)
            if move is not None:
                break  # the first largest circle that can give someone away does
        if move is None:
            return False
        _, x, b, s = move
        self.remove(x, b)
        self.add(x, s)
        return True

    def dissolve_smallest(self) -> bool:
        """Dissolve one smallest circle if every member finds another circle."""
        if self.live.sum() <= 1:
            return False
        smallest = self.sizes[self.live].min()
        index = int(np.flatnonzero(self.live & (self.sizes == smallest))[0])
        members = list(self.circles[index])
        saved = ([list(c) for c in self.circles], self.sizes.copy(), self.live.copy())
        saved_span = (self.lo.copy(), self.hi.copy())
        self.dissolve(index)
        if all(self.insert(x) for x in members):
            self.circles[index] = []
            return True
        self.circles, self.sizes, self.live = saved
        self.lo, self.hi = saved_span
        return False

    def trim_largest(self) -> None:
        """The member who fits worst in the first largest circle leaves it."""
        sizes = np.where(self.live, self.sizes, -1)
        b = int(np.flatnonzero(sizes == sizes.max())[0])
        worst = min(self.circles[b], key=lambda x: (self.mean_to(x, self.circles[b]), x))
        self.remove(worst, b)


def _room(sizes: I64, live: Bool) -> Bool:
    """Live circles that can take one more member without spreading sizes further.

    Joining circle i must keep it at six or fewer, and must not make the spread between the
    largest and smallest circle worse than it is (or than one, if it is already tight).
    """
    alive = sizes[live]
    smallest = int(alive.min())
    largest = int(alive.max())
    allowed_spread = max(1, largest - smallest)
    unique_smallest = int((alive == smallest).sum()) == 1
    above = alive[alive > smallest]
    next_smallest = int(above.min()) if len(above) else smallest + 1
    new_max = np.maximum(largest, sizes + 1)
    new_min = np.where(
        (sizes == smallest) & unique_smallest,
        np.minimum(sizes + 1, next_smallest),
        smallest,
    )
    room: Bool = live & (sizes < MAX_SIZE) & (new_max - new_min <= allowed_spread)
    return room


def match_circles(
    people: Sequence[Participant], scorer: Scorer, settings: MatchSettings, seed: int
) -> tuple[list[Group], list[LeftOut]]:
    """Circles of 3 to 6 over the available `people` (see the module docstring)."""
    groups, left_out, _ = _run(people, scorer, settings, seed)
    return groups, left_out


def match_circles_with_stats(
    people: Sequence[Participant], scorer: Scorer, settings: MatchSettings, seed: int
) -> tuple[list[Group], list[LeftOut], SearchStats]:
    """`match_circles` plus what the search did, for benchmarks."""
    return _run(people, scorer, settings, seed)
