"""The sparse candidate graph: each person's best k allowed partners, found with numpy.

Two lists per person, k each: the best partners by score, and the best by score minus the
partner's price (half the best score that partner's profile could reach with anyone). Ranked
by score alone, everyone's list holds the same few tag-rich people, who can each take one
partner; the price list brings in the partners nobody else competes for (docs/matching.md
has the measurements).

People become nodes numbered in a fixed order: by level, then UTC offset, then a seeded
random key. Sorting by level and offset turns the two strongest structures of the score into
contiguous ranges: the LEVEL criterion is constant for a whole level group, and the time-zone
hard rule becomes an offset window found by binary search. The seeded key only breaks ties.

Top-k is exact, not sampled. For a block of rows we score level classes in order of the level
gap (same level first, then one apart, ...) and stop for a row as soon as its k-th best score
is at least an upper bound on anything a farther class could score for that row. Within a
class the LEVEL criterion is a constant, so the bound is tight enough to stop after one or two
classes for most rows, and a person with no allowed partner at all is still detected
exactly (their rows never stop early and see every class).
"""

from __future__ import annotations

import itertools
import os
import random
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from bot.matching.criteria import (
    COMPLEMENT_FULL,
    DAY_MINUTES,
    FULL_HOURS_MINUTES,
    GOALS_FULL,
    LEVEL_FALLOFF,
    Scorer,
    utc_interval,
)
from bot.matching.model import Criterion, Participant

F32 = npt.NDArray[np.float32]
F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
Bool = npt.NDArray[np.bool_]

SCALE = 10_000  # the matcher works on integer weights: score points times SCALE
ROW_BLOCK = 256  # rows scored at once: a block of scores stays around tens of megabytes
MAX_HOURS_TABLE = 3000  # distinct working intervals up to which HOURS is a table lookup
SAMPLE_COLUMNS = 1024  # columns sampled for a first top-k threshold


_CODE_F = (GOALS_FULL + 1) * (COMPLEMENT_FULL + 1)
_BYTE_BITS = np.array([bin(b).count("1") for b in range(256)], dtype=np.uint8)


def _popcount(x: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint8]:
    """Set bits per element (numpy 2 has a kernel; older numpy counts byte by byte)."""
    if hasattr(np, "bitwise_count"):
        out: npt.NDArray[np.uint8] = np.bitwise_count(x)
        return out
    counts = _BYTE_BITS[np.ascontiguousarray(x).view(np.uint8)]
    summed: npt.NDArray[np.uint8] = counts.reshape(*x.shape, 8).sum(axis=-1, dtype=np.uint8)
    return summed


def _overlap(a_start: I64, a_len: I64, b_start: I64, b_len: I64) -> I64:
    """Vectorised `criteria._arc_overlap` (same arithmetic, so the same minutes)."""
    total = np.zeros(np.broadcast_shapes(a_start.shape, b_start.shape), dtype=np.int64)
    a_end = a_start + a_len
    for shift in (-DAY_MINUTES, 0, DAY_MINUTES):
        lo = np.maximum(a_start, b_start + shift)
        hi = np.minimum(a_end, b_start + shift + b_len)
        total += np.maximum(hi - lo, 0)
    return np.minimum(np.minimum(total, a_len), b_len)


class Features:
    """Per-person arrays in node order; node i is `self.people[i]`."""

    def __init__(self, people: Sequence[Participant], scorer: Scorer, seed: int = 0) -> None:
        rng = random.Random(seed)
        tiebreak = list(range(len(people)))
        rng.shuffle(tiebreak)
        order = sorted(
            range(len(people)),
            key=lambda i: (people[i].level, people[i].utc_offset_minutes, tiebreak[i]),
        )
        self.people: tuple[Participant, ...] = tuple(people[i] for i in order)
        self.n = n = len(self.people)
        self.scorer = scorer
        self.node: dict[str, int] = {p.id: i for i, p in enumerate(self.people)}
        w = scorer.weights
        self.w = tuple(w.of(c) for c in Criterion)
        self.max_gap = scorer.settings.max_tz_gap_hours * 60

        functions: dict[str, int] = {}
        self.func = np.array(
            [
                functions.setdefault(p.function.strip().casefold(), len(functions))
                for p in self.people
            ],
            dtype=np.int32,
        )
        self.level = np.array([p.level for p in self.people], dtype=np.int64)
        self.offset = np.array([p.utc_offset_minutes for p in self.people], dtype=np.int64)
        intervals = [utc_interval(p) for p in self.people]
        self.start = np.array([s for s, _ in intervals], dtype=np.int64).reshape(n)
        self.length = np.array([length for _, length in intervals], dtype=np.int64).reshape(n)

        # HOURS depends only on the two UTC working intervals, and offices make them few.
        codes: dict[tuple[int, int], int] = {}
        self.code = np.array([codes.setdefault(iv, len(codes)) for iv in intervals], dtype=np.int64)
        self.hours_table: F32 | None = None
        if len(codes) <= MAX_HOURS_TABLE:
            cs = np.array([s for s, _ in codes], dtype=np.int64)
            cl = np.array([length for _, length in codes], dtype=np.int64)
            minutes = _overlap(cs[:, None], cl[:, None], cs[None, :], cl[None, :])
            hours = np.minimum(1.0, minutes / FULL_HOURS_MINUTES)
            self.hours_table = (self.w[2] * hours).astype(np.float32)

        # Goal and skill tags as bit sets, 64 tags per word (the vocabulary has 40).
        tags = sorted({t for p in self.people for t in p.goals | p.skills})
        bit = {t: (i // 64, i % 64) for i, t in enumerate(tags)}
        words = max(1, (len(tags) + 63) // 64)
        goal_bits = [[0] * n for _ in range(words)]
        skill_bits = [[0] * n for _ in range(words)]
        for i, p in enumerate(self.people):
            for t in p.goals:
                word, b = bit[t]
                goal_bits[word][i] |= 1 << b
            for t in p.skills:
                word, b = bit[t]
                skill_bits[word][i] |= 1 << b
        self.goal_words = [np.array(w, dtype=np.uint64).reshape(n) for w in goal_bits]
        self.skill_words = [np.array(w, dtype=np.uint64).reshape(n) for w in skill_bits]
        goal_counts = np.array([len(p.goals) for p in self.people], dtype=np.float64)
        tag_counts = goal_counts + np.array([len(p.skills) for p in self.people])
        # code = different_function * _CODE_F + min(shared, 2) * 3 + min(complement, 2)
        wf, _, _, wg, wc = self.w
        table = [
            wf * f + wg * min(1.0, g / GOALS_FULL) + wc * min(1.0, c / COMPLEMENT_FULL)
            for f in (0, 1)
            for g in range(GOALS_FULL + 1)
            for c in range(COMPLEMENT_FULL + 1)
        ]
        self.code_table = np.array(table, dtype=np.float32)

        # Past partners and do-not-pair lists as a CSR adjacency over nodes.
        pairs: list[tuple[int, int]] = []
        for i, p in enumerate(self.people):
            for other in scorer.blocked_for(p.id):
                j = self.node.get(other)
                if j is not None:
                    pairs.append((i, j))
        pairs.sort()
        rows = np.array([i for i, _ in pairs], dtype=np.int64)
        self.blocked_indices = np.array([j for _, j in pairs], dtype=np.int64)
        self.blocked_indptr = np.zeros(n + 1, dtype=np.int64)
        np.add.at(self.blocked_indptr, rows + 1, 1)
        np.cumsum(self.blocked_indptr, out=self.blocked_indptr)

        # Best conceivable score for each row apart from LEVEL, for the early stop.
        wf, _, wh, wg, wc = (max(0.0, x) for x in self.w)
        self.row_bound = (
            wf
            + wh
            + wg * np.minimum(1.0, goal_counts / GOALS_FULL)
            + wc * np.minimum(1.0, tag_counts / COMPLEMENT_FULL)
        ).astype(np.float64)

        # A person's "price": half the best score their profile could reach with anyone.
        # People who can score high with many others are everyone's top choice, so a
        # second list ranks partners by score minus price (an a-priori stand-in for the
        # matching LP's dual prices) and brings in the partners nobody else competes for.
        self.price = ((self.row_bound + max(0.0, self.w[1])) / 2).astype(np.float32)
        # score - price <= F + LEVEL + HOURS + min(T_i, T_j) - (F + HOURS + LEVEL + T_j) / 2
        # with T the tag potential (row_bound - F - HOURS); over T_j the maximum is T_i / 2.
        self.adjusted_bound = (wf + wh - max(0.0, self.w[1])) / 2 + (self.row_bound - wf - wh) / 2

        # Contiguous node ranges per level, each sorted by offset.
        self.levels: list[int] = sorted(set(self.level.tolist()))
        self.level_range: dict[int, tuple[int, int]] = {}
        for lv in self.levels:
            lo = int(np.searchsorted(self.level, lv, side="left"))
            hi = int(np.searchsorted(self.level, lv, side="right"))
            self.level_range[lv] = (lo, hi)

    # -- scores ----------------------------------------------------------------------------

    def level_value(self, gap: int) -> float:
        return self.w[1] * max(0.0, 1.0 - abs(gap) / LEVEL_FALLOFF)

    def block_scores(self, rows: I64, ranges: Sequence[tuple[int, int]]) -> tuple[F32, I64]:
        """Weighted scores (float32) of rows against the node ranges, -inf where forbidden.

        Returns the scores and the column node ids (ascending when the ranges are).
        """
        widths = [c1 - c0 for c0, c1 in ranges]
        cols = (
            np.concatenate([np.arange(c0, c1, dtype=np.int64) for c0, c1 in ranges])
            if ranges
            else np.zeros(0, dtype=np.int64)
        )
        s = np.empty((len(rows), int(sum(widths))), dtype=np.float32)
        r_level = self.level[rows]
        r_func = self.func[rows][:, None]
        r_goals = [w[rows][:, None] for w in self.goal_words]
        r_skills = [w[rows][:, None] for w in self.skill_words]
        r_hours = self.hours_table[self.code[rows]] if self.hours_table is not None else None
        pos = 0
        for (c0, c1), width in zip(ranges, widths, strict=True):
            out = s[:, pos : pos + width]
            pos += width
            shared: npt.NDArray[np.uint8] | None = None
            comp: npt.NDArray[np.uint8] | None = None
            for rg, rs, cg, cs in zip(
                r_goals, r_skills, self.goal_words, self.skill_words, strict=True
            ):
                g = cg[None, c0:c1]
                x = _popcount(rg & g)
                y = _popcount(rs & g)
                y += _popcount(rg & cs[None, c0:c1])
                shared = x if shared is None else shared + x
                comp = y if comp is None else comp + y
            assert shared is not None
            assert comp is not None
            np.minimum(shared, GOALS_FULL, out=shared)
            np.minimum(comp, COMPLEMENT_FULL, out=comp)
            # FUNCTION, GOALS and COMPLEMENT take few values: one small lookup table.
            code = (r_func != self.func[None, c0:c1]).view(np.uint8) * np.uint8(_CODE_F)
            code += shared * np.uint8(COMPLEMENT_FULL + 1)
            code += comp
            np.take(self.code_table, code, out=out)
            if r_hours is not None:
                out += np.take(r_hours, self.code[c0:c1], axis=1)
            else:
                minutes = _overlap(
                    self.start[rows][:, None],
                    self.length[rows][:, None],
                    self.start[None, c0:c1],
                    self.length[None, c0:c1],
                )
                out += (self.w[2] * np.minimum(1.0, minutes / FULL_HOURS_MINUTES)).astype(
                    np.float32
                )
            c_level = self.level[c0:c1]
            if (
                len(rows)
                and width
                and r_level.min() == r_level.max() == c_level.min() == c_level.max()
            ):
                out += np.float32(self.level_value(int(r_level[0] - c_level[0])))
            else:
                gap = np.abs(r_level[:, None] - c_level[None, :])
                out += (self.w[1] * np.maximum(0.0, 1.0 - gap / LEVEL_FALLOFF)).astype(np.float32)
        self._forbid(s, rows, cols)
        return s, cols

    def _forbid(self, s: F32, rows: I64, cols: I64) -> None:
        """Set -inf on self pairs, pairs too far apart, past partners and do-not-pair."""
        if not s.size:
            return
        r_off = self.offset[rows]
        c_off = self.offset[cols]
        if max(r_off.max() - c_off.min(), c_off.max() - r_off.min()) > self.max_gap:
            far = np.abs(r_off[:, None] - c_off[None, :]) > self.max_gap
            s[far] = -np.inf
        # cols is ascending, so a node's column position is a binary search away.
        starts = self.blocked_indptr[rows]
        counts = self.blocked_indptr[rows + 1] - starts
        local = np.repeat(np.arange(len(rows)), counts)
        offsets = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
        targets = self.blocked_indices[np.repeat(starts, counts) + offsets]
        local = np.concatenate([local, np.arange(len(rows))])
        targets = np.concatenate([targets, rows])
        pos = np.searchsorted(cols, targets)
        pos_ok = np.minimum(pos, len(cols) - 1)
        hit = (pos < len(cols)) & (cols[pos_ok] == targets)
        s[local[hit], pos[hit]] = -np.inf

    def pair_scores(self, i: I64, j: I64) -> F64:
        """Exact float64 totals for node pairs, identical to `Scorer.total`."""
        wf, wl, wh, wg, wc = self.w
        f = (self.func[i] != self.func[j]).astype(np.float64)
        lv = np.maximum(0.0, 1.0 - np.abs(self.level[i] - self.level[j]) / LEVEL_FALLOFF)
        minutes = _overlap(self.start[i], self.length[i], self.start[j], self.length[j])
        hours = np.minimum(1.0, minutes / FULL_HOURS_MINUTES)
        shared = np.zeros(len(i), dtype=np.int64)
        comp = np.zeros(len(i), dtype=np.int64)
        for gw, sw in zip(self.goal_words, self.skill_words, strict=True):
            shared += _popcount(gw[i] & gw[j])
            comp += _popcount(sw[i] & gw[j])
            comp += _popcount(gw[i] & sw[j])
        g = np.minimum(1.0, shared / GOALS_FULL)
        c = np.minimum(1.0, comp / COMPLEMENT_FULL)
        total: F64 = wf * f + wl * lv + wh * hours + wg * g + wc * c
        return total

    def allowed_row(self, i: int) -> tuple[I64, F64]:
        """Every allowed partner of node i with its exact score (ascending node order)."""
        s, _ = self.block_scores(np.array([i], dtype=np.int64), [(0, self.n)])
        js = np.flatnonzero(np.isfinite(s[0])).astype(np.int64)
        return js, self.pair_scores(np.full(len(js), i, dtype=np.int64), js)

    def allowed_edges(self) -> tuple[I64, I64, F64]:
        """The full allowed graph (u < v), for exact references on small inputs."""
        us: list[I64] = []
        vs: list[I64] = []
        for r0 in range(0, self.n, ROW_BLOCK):
            rows = np.arange(r0, min(self.n, r0 + ROW_BLOCK), dtype=np.int64)
            s, _ = self.block_scores(rows, [(0, self.n)])
            r, c = np.nonzero(np.isfinite(s))
            keep = rows[r] < c
            us.append(rows[r][keep])
            vs.append(c[keep].astype(np.int64))
        u = np.concatenate(us) if us else np.zeros(0, dtype=np.int64)
        v = np.concatenate(vs) if vs else np.zeros(0, dtype=np.int64)
        return u, v, self.pair_scores(u, v)


@dataclass(frozen=True, slots=True)
class CandidateGraph:
    """Undirected candidate edges u < v with integer weights (score x SCALE)."""

    n: int
    u: I64
    v: I64
    weight: I64
    has_partner: Bool  # exact: the node has at least one allowed partner in the whole input
    best: F64  # exact best allowed score per node (-inf without partners)
    scored_pairs: int  # row x column scores computed, to measure the pruning


def to_weights(scores: F64) -> I64:
    return np.rint(scores * SCALE).astype(np.int64)


def _select(best_s: F32, best_j: I64, s: F32, cols: I64, k: int) -> tuple[F32, I64]:
    """Merge a block of scores into the running top-k of each row.

    Sorting whole rows is the slow part of top-k, so only entries above a threshold are
    kept: the row's current k-th best (strictly above: an equal score changes nothing), or,
    before a row has k candidates, the k-th best of an evenly spread sample of its columns.
    """
    a, c = s.shape
    thr = best_s.min(axis=1)
    open_rows = ~np.isfinite(thr)
    if open_rows.any():
        sample = s[open_rows][:, :: max(1, c // SAMPLE_COLUMNS)]
        if sample.shape[1] > k:
            kth = np.partition(sample, sample.shape[1] - k, axis=1)[:, sample.shape[1] - k]
            # Step just below the sampled k-th value so that ">" keeps it.
            thr[open_rows] = np.nextafter(kth, np.float32(-np.inf))
    # Never admit forbidden (-inf) entries.
    thr = np.maximum(thr, np.finfo(np.float32).min)
    # A flat index search is an order of magnitude faster than 2-D nonzero.
    flat = np.flatnonzero(s > thr[:, None])
    r, ci = np.divmod(flat, c)
    prev_v = best_s.reshape(-1)
    prev_ok = np.isfinite(prev_v)
    rows = np.concatenate([r, np.repeat(np.arange(a), k)[prev_ok]])
    vals = np.concatenate([s[r, ci], prev_v[prev_ok]])
    js = np.concatenate([cols[ci], best_j.reshape(-1)[prev_ok]])
    # Best first within a row; equal scores by node number, which carries the seeded key.
    order = np.lexsort((js, -vals, rows))
    rows, vals, js = rows[order], vals[order], js[order]
    rank = np.arange(len(rows)) - np.searchsorted(rows, np.arange(a))[rows]
    keep = rank < k
    new_s = np.full((a, k), -np.inf, dtype=np.float32)
    new_j = np.full((a, k), -1, dtype=np.int64)
    new_s[rows[keep], rank[keep]] = vals[keep]
    new_j[rows[keep], rank[keep]] = js[keep]
    return new_s, new_j


def _top_k_block(f: Features, rows: I64, k: int) -> tuple[list[tuple[F32, I64]], int]:
    """Exact top-k lists for a block of rows that share one level.

    Two lists per row: by score, and by score minus the partner's price. Returns
    [(scores, nodes)] per list, each (rows x k), -inf / -1 where empty, and the number
    of scores computed.
    """
    lv = int(f.level[rows[0]])
    lists = [
        (
            np.full((len(rows), k), -np.inf, dtype=np.float32),
            np.full((len(rows), k), -1, dtype=np.int64),
        )
        for _ in range(2)
    ]
    scored = 0
    gaps = sorted({abs(other - lv) for other in f.levels})
    active = np.arange(len(rows))
    for index, gap in enumerate(gaps):
        act_rows = rows[active]
        lo_off = int(f.offset[act_rows].min() - f.max_gap)
        hi_off = int(f.offset[act_rows].max() + f.max_gap)
        ranges: list[tuple[int, int]] = []
        for other in sorted({lv - gap, lv + gap}):
            if other not in f.level_range:
                continue
            g0, g1 = f.level_range[other]
            offs = f.offset[g0:g1]
            c0 = g0 + int(np.searchsorted(offs, lo_off, side="left"))
            c1 = g0 + int(np.searchsorted(offs, hi_off, side="right"))
            if c1 > c0:
                ranges.append((c0, c1))
        if ranges:
            s, cols = f.block_scores(act_rows, ranges)
            scored += s.size
            for li, (best_s, best_j) in enumerate(lists):
                if li == 1:
                    s -= f.price[cols][None, :]
                best_s[active], best_j[active] = _select(best_s[active], best_j[active], s, cols, k)
        if index + 1 == len(gaps):
            break
        # A farther class adds at most its LEVEL to the row's bound, in either list.
        rest = max(f.level_value(g) for g in gaps[index + 1 :])
        kth_raw = lists[0][0][active].min(axis=1).astype(np.float64)
        kth_adj = lists[1][0][active].min(axis=1).astype(np.float64)
        raw_open = kth_raw < f.row_bound[rows[active]] + rest
        adj_open = kth_adj < f.adjusted_bound[rows[active]] + rest
        active = active[raw_open | adj_open]
        if not len(active):
            break
    return lists, scored


def _workers() -> int:
    return max(1, min(4, os.cpu_count() or 1))


def candidate_graph(f: Features, k: int) -> CandidateGraph:
    """Union of every node's exact top-k allowed partners."""
    k = max(1, k)
    # Blocks of one level and one UTC offset: the offset window then fits every row
    # exactly and the time-zone rule needs no per-entry check.
    blocks: list[I64] = []
    if f.n:
        change = np.flatnonzero((np.diff(f.level) != 0) | (np.diff(f.offset) != 0)) + 1
        bounds = [0, *change.tolist(), f.n]
        for lo, hi in itertools.pairwise(bounds):
            for r0 in range(lo, hi, ROW_BLOCK):
                blocks.append(np.arange(r0, min(hi, r0 + ROW_BLOCK), dtype=np.int64))
    if len(blocks) > 1 and _workers() > 1:
        # numpy releases the GIL inside its kernels, so threads use both cores.
        with ThreadPoolExecutor(max_workers=_workers()) as pool:
            results = list(pool.map(lambda rows: _top_k_block(f, rows, k), blocks))
    else:
        results = [_top_k_block(f, rows, k) for rows in blocks]
    rows = np.concatenate(blocks) if blocks else np.zeros(0, dtype=np.int64)
    srcs: list[I64] = []
    dsts: list[I64] = []
    has_partner = np.zeros(f.n, dtype=np.bool_)
    for li in range(2):
        best_j = (
            np.concatenate([r[0][li][1] for r in results])
            if results
            else np.zeros((0, k), dtype=np.int64)
        )
        if li == 0:
            has_partner[rows] = (best_j >= 0).any(axis=1)
        srcs.append(np.repeat(rows, k))
        dsts.append(best_j.reshape(-1))
    src = np.concatenate(srcs)
    dst = np.concatenate(dsts)
    ok = dst >= 0
    u = np.minimum(src[ok], dst[ok])
    v = np.maximum(src[ok], dst[ok])
    keys = np.unique(u * max(1, f.n) + v)
    u = keys // max(1, f.n)
    v = keys % max(1, f.n)
    scores = f.pair_scores(u, v)
    best = np.full(f.n, -np.inf, dtype=np.float64)
    np.maximum.at(best, u, scores)
    np.maximum.at(best, v, scores)
    scored = sum(r[1] for r in results)
    return CandidateGraph(f.n, u, v, to_weights(scores), has_partner, best, scored)
