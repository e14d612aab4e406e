"""Peer pairs: a maximum-weight matching of the candidate graph, then one triad for the odd one.

The matching maximises the number of people placed first and the total score second
(`rustworkx.max_weight_matching(max_cardinality=True)` semantics). Edmonds' blossom algorithm
as implemented there restarts its search for every augmentation and rescans every node and
edge on each dual update: about 0.7 s for 2,000 people, 53 s for 10,000 (docs/matching.md).
Large connected components therefore go through a relaxation first:

1. The bipartite double cover of the component (every person once as a row, once as a
   column) is an assignment problem that scipy's sparse LAPJV solves in 0.4 s for 10,000
   people. Its optimum is the fractional matching LP optimum, an upper bound on any matching
   and almost integral here. It decomposes into cycles: 2-cycles are pairs, even cycles split
   into their heavier half without losing anything against the bound.
2. Only people on odd cycles (the fractional part) and the few left alone go to the exact
   blossom, on the subgraph they induce, which falls apart into small components.
3. Whoever is still unmatched is placed along augmenting paths (an Edmonds forest grown
   from all of them at once), and the exact blossom then re-solves the neighbourhoods that
   changed.

Components up to `EXACT_NODES` people skip the relaxation and get the exact optimum.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import rustworkx as rx
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components, min_weight_full_bipartite_matching

from bot.matching.candidates import CandidateGraph, Features, candidate_graph, to_weights
from bot.matching.criteria import Scorer
from bot.matching.model import Group, LeftOut, LeftOutReason, MatchSettings, Participant
from bot.matching.triads import Placement, place_leftovers

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]

EXACT_NODES = 2500  # components (and residual subgraphs) up to this size: exact blossom
REPAIR_REGION_LIMIT = 1500  # nodes per neighbourhood handed to the exact blossom
AUGMENT_PHASES = 20  # rounds of simultaneous augmenting-path search
MAX_DEPTH = 4  # relaxation levels before the exact blossom takes whatever is left
# Up to this many people, someone left over on the candidate graph is tried again on every
# allowed pair (scoring them all takes well under a second at this size).
FULL_GRAPH_RETRY = 2000


@dataclass(slots=True)
class PairingStats:
    """What happened inside one pairing run, for the benchmark and the docs."""

    people: int = 0
    candidate_edges: int = 0
    scored_pairs: int = 0
    components: int = 0
    largest_component: int = 0
    exact_components: int = 0
    relaxed_components: int = 0
    residual_nodes: int = 0  # people the relaxation left fractional or alone
    repair_regions: int = 0
    # People with an allowed partner whom the sparse graph left unmatched, beyond the one an
    # odd count leaves anyway, and how many of them the repair then placed.
    unmatched_before_repair: int = 0
    repaired: int = 0
    triads: int = 0
    rearranged: int = 0  # leftovers placed by changing other pairs around them
    left_out: int = 0
    seconds: dict[str, float] = field(default_factory=dict)


@dataclass(slots=True)
class PairsOutcome:
    groups: list[Group]
    left_out: list[LeftOut]
    stats: PairingStats
    features: Features
    graph: CandidateGraph
    mate: I64  # node -> matched node (-1: none) before the triad was formed


# -- the matching ---------------------------------------------------------------------------


class _Solver:
    """Maximum-cardinality, maximum-weight matching on an integer-weighted sparse graph."""

    def __init__(self, n: int, stats: PairingStats) -> None:
        self.n = n
        self.stats = stats
        self.mate = np.full(n, -1, dtype=np.int64)

    def solve(self, u: I64, v: I64, w: I64) -> I64:
        nodes = np.arange(self.n, dtype=np.int64)
        comps = _components(nodes, u, v, w)
        self.stats.components = sum(1 for c_nodes, *_ in comps if len(c_nodes) > 1)
        self.stats.largest_component = max((len(c[0]) for c in comps), default=0)
        for c_nodes, cu, cv, cw in comps:
            self._component(c_nodes, cu, cv, cw, depth=0)
        return self.mate

    def _component(self, nodes: I64, u: I64, v: I64, w: I64, depth: int) -> None:
        if len(nodes) < 2 or not len(u):
            return
        if len(nodes) <= EXACT_NODES or depth >= MAX_DEPTH:
            if depth == 0:
                self.stats.exact_components += 1
            self._exact(nodes, u, v, w)
            return
        if depth == 0:
            self.stats.relaxed_components += 1
        residual = self._relax(nodes, u, v, w)
        self.stats.residual_nodes += len(residual) if depth == 0 else 0
        if len(residual) == len(nodes):
            self._exact(nodes, u, v, w)
            return
        inside = np.zeros(self.n, dtype=np.bool_)
        inside[residual] = True
        keep = inside[u] & inside[v]
        for r_nodes, ru, rv, rw in _components(residual, u[keep], v[keep], w[keep]):
            self._component(r_nodes, ru, rv, rw, depth + 1)
        self._repair(nodes, u, v, w)

    def _exact(self, nodes: I64, u: I64, v: I64, w: I64) -> None:
        local_u = np.searchsorted(nodes, u)
        local_v = np.searchsorted(nodes, v)
        g = rx.PyGraph()
        g.add_nodes_from(range(len(nodes)))
        g.add_edges_from(list(zip(local_u.tolist(), local_v.tolist(), w.tolist(), strict=True)))
        matching = rx.max_weight_matching(g, max_cardinality=True, weight_fn=int)
        self.mate[nodes] = -1
        for a, b in matching:
            self.mate[nodes[a]] = nodes[b]
            self.mate[nodes[b]] = nodes[a]

    def _relax(self, nodes: I64, u: I64, v: I64, w: I64) -> I64:
        """Solve the double-cover assignment, settle its integral part, return the rest."""
        m = len(nodes)
        lu = np.searchsorted(nodes, u)
        lv = np.searchsorted(nodes, v)
        # Every real edge is worth more than any score difference between two edges, so the
        # assignment first covers as many people as it can (like max_cardinality).
        bonus = int(np.abs(w).max()) + 1
        top = 2 * bonus + 1
        cost = np.concatenate([top - (w + bonus), top - (w + bonus), np.full(m, top)])
        rows = np.concatenate([lu, lv, np.arange(m)])
        cols = np.concatenate([lv, lu, np.arange(m)])
        matrix = csr_matrix((cost.astype(np.float64), (rows, cols)), shape=(m, m))
        r, c = min_weight_full_bipartite_matching(matrix)
        sigma = np.empty(m, dtype=np.int64)
        sigma[r] = c
        # Weight of the edge from each node to its image, looked up by sorted edge keys.
        keys = np.minimum(lu, lv) * m + np.maximum(lu, lv)
        order = np.argsort(keys)
        keys, weights = keys[order], w[order]
        step = np.minimum(np.arange(m), sigma) * m + np.maximum(np.arange(m), sigma)
        pos = np.minimum(np.searchsorted(keys, step), len(keys) - 1)
        step_w = np.where(keys[pos] == step, weights[pos], 0)
        seen = np.zeros(m, dtype=np.bool_)
        residual: list[int] = []
        sigma_list = sigma.tolist()
        for start in range(m):
            if seen[start]:
                continue
            cycle = [start]
            seen[start] = True
            j = sigma_list[start]
            while j != start:
                cycle.append(j)
                seen[j] = True
                j = sigma_list[j]
            if len(cycle) % 2:
                residual.extend(cycle)
                continue
            # An even cycle is two perfect matchings of its nodes; keep the heavier one.
            ws = step_w[cycle]
            first = 0 if ws[0::2].sum() >= ws[1::2].sum() else 1
            for x in range(first, len(cycle), 2):
                a = int(nodes[cycle[x]])
                b = int(nodes[cycle[(x + 1) % len(cycle)]])
                self.mate[a] = b
                self.mate[b] = a
        return np.sort(nodes[np.array(residual, dtype=np.int64)])

    def _repair(self, nodes: I64, u: I64, v: I64, w: I64) -> None:
        """Place whoever the relaxation left unmatched, then re-optimise around the changes."""
        if int((self.mate[nodes] < 0).sum()) <= len(nodes) % 2:
            return
        ptr, nbr, eid = _adjacency(self.n, u, v)
        touched = self._augment(nodes, ptr, nbr)
        self._polish(touched, u, v, w, ptr, nbr, eid)

    def _augment(self, nodes: I64, ptr: I64, nbr: I64) -> I64:
        """Augmenting paths between unmatched people, grown from all of them at once.

        Alternating trees are rooted at every unmatched node (Edmonds' forest). An edge
        between outer nodes of two different trees closes an augmenting path; flipping it
        places both roots. Odd cycles inside one tree (blossoms) are not contracted here:
        a path that needs one is left to the exact polish and, failing that, to the triad.
        Returns the nodes whose partner changed.
        """
        touched: list[int] = []
        in_scope = np.zeros(self.n, dtype=np.bool_)
        in_scope[nodes] = True
        for _ in range(AUGMENT_PHASES):
            free = nodes[self.mate[nodes] < 0]
            if len(free) <= len(nodes) % 2:
                break
            root = np.full(self.n, -1, dtype=np.int64)
            parent = np.full(self.n, -1, dtype=np.int64)
            outer = np.zeros(self.n, dtype=np.bool_)
            root[free] = free
            outer[free] = True
            used = np.zeros(self.n, dtype=np.bool_)  # roots already on a chosen path
            meetings: list[tuple[int, int]] = []
            frontier = free
            while len(frontier):
                counts = ptr[frontier + 1] - ptr[frontier]
                src = np.repeat(frontier, counts)
                first = np.repeat(ptr[frontier] - np.cumsum(counts) + counts, counts)
                dst = nbr[first + np.arange(len(src))]
                keep = in_scope[dst]
                src, dst = src[keep], dst[keep]
                meet = outer[dst] & (root[dst] != root[src])
                for a, b in zip(src[meet].tolist(), dst[meet].tolist(), strict=True):
                    ra, rb = int(root[a]), int(root[b])
                    if not used[ra] and not used[rb]:
                        used[ra] = used[rb] = True
                        meetings.append((a, b))
                grow = (root[dst] < 0) & ~used[root[src]]
                dst_g, first_seen = np.unique(dst[grow], return_index=True)
                src_g = src[grow][first_seen]
                mates = self.mate[dst_g]
                # Both ends of one pair reached at once: only one of them can be inner.
                single = ~np.isin(mates, dst_g) | (dst_g < mates)
                dst_g, src_g, mates = dst_g[single], src_g[single], mates[single]
                root[dst_g] = root[src_g]
                parent[dst_g] = src_g
                root[mates] = root[src_g]
                parent[mates] = dst_g
                outer[mates] = True
                frontier = mates
            if not meetings:
                break
            for a, b in meetings:
                touched.extend(self._flip(a, b, parent))
                touched.extend(self._flip(b, a, parent))
        return np.unique(np.array(touched, dtype=np.int64))

    def _flip(self, v: int, w: int, parent: I64) -> list[int]:
        """Match v (an outer node) with w and shift partners along v's path to its root."""
        changed: list[int] = []
        for _ in range(self.n + 1):  # a path visits each node at most once
            old = int(self.mate[v])
            self.mate[v] = w
            changed.append(v)
            if old < 0:
                return changed
            up = int(parent[old])
            self.mate[old] = up
            changed.append(old)
            v, w = up, old
        raise RuntimeError("alternating path does not reach its root")

    def _polish(self, touched: I64, u: I64, v: I64, w: I64, ptr: I64, nbr: I64, eid: I64) -> None:
        """Exact blossom on neighbourhoods of changed or unmatched nodes, in batches."""
        unmatched = np.flatnonzero(self.mate < 0)
        unmatched = unmatched[ptr[unmatched + 1] > ptr[unmatched]]
        seeds = np.unique(np.concatenate([touched, unmatched]))
        batch: set[int] = set()
        for x in seeds.tolist():
            around = nbr[ptr[x] : ptr[x + 1]]
            mates = self.mate[around]
            grown = {x, *around.tolist(), *mates[mates >= 0].tolist()}
            if batch and len(batch) + len(grown) > REPAIR_REGION_LIMIT:
                self._solve_region(batch, u, v, w, ptr, nbr, eid)
                batch = set()
            batch |= grown
        if batch:
            self._solve_region(batch, u, v, w, ptr, nbr, eid)

    def _solve_region(
        self, region: set[int], u: I64, v: I64, w: I64, ptr: I64, nbr: I64, eid: I64
    ) -> None:
        # Close the region under the current matching: re-solving it alone then keeps the
        # rest valid, and the exact optimum of the region can only place more or score more.
        nodes = np.array(sorted(region), dtype=np.int64)
        mates = self.mate[nodes]
        nodes = np.unique(np.concatenate([nodes, mates[mates >= 0]]))
        inside = np.zeros(self.n, dtype=np.bool_)
        inside[nodes] = True
        counts = ptr[nodes + 1] - ptr[nodes]
        first = np.repeat(ptr[nodes] - np.cumsum(counts) + counts, counts)
        idx = first + np.arange(int(counts.sum()))
        edges = np.unique(eid[idx][inside[nbr[idx]]])
        self.stats.repair_regions += 1
        before = self.mate[nodes].copy()
        self._exact(nodes, u[edges], v[edges], w[edges])
        if (self.mate[nodes] < 0).sum() > (before < 0).sum():
            self.mate[nodes] = before


def _components(nodes: I64, u: I64, v: I64, w: I64) -> list[tuple[I64, I64, I64, I64]]:
    """Connected components of the subgraph on `nodes` (sorted), each with its edges."""
    if not len(nodes):
        return []
    local_u = np.searchsorted(nodes, u)
    local_v = np.searchsorted(nodes, v)
    m = len(nodes)
    graph = csr_matrix((np.ones(len(u), dtype=np.int8), (local_u, local_v)), shape=(m, m))
    count, labels = connected_components(graph, directed=False)
    node_order = np.argsort(labels, kind="stable")
    node_bounds = np.searchsorted(labels[node_order], np.arange(count + 1))
    edge_labels = labels[local_u]
    edge_order = np.argsort(edge_labels, kind="stable")
    edge_bounds = np.searchsorted(edge_labels[edge_order], np.arange(count + 1))
    out: list[tuple[I64, I64, I64, I64]] = []
    for c in range(count):
        c_nodes = nodes[node_order[node_bounds[c] : node_bounds[c + 1]]]
        e = edge_order[edge_bounds[c] : edge_bounds[c + 1]]
        out.append((c_nodes, u[e], v[e], w[e]))
    return out


def _adjacency(n: int, u: I64, v: I64) -> tuple[I64, I64, I64]:
    """CSR adjacency: neighbours of x are nbr[ptr[x]:ptr[x + 1]], edge ids alongside."""
    src = np.concatenate([u, v])
    dst = np.concatenate([v, u])
    ids = np.concatenate([np.arange(len(u)), np.arange(len(u))])
    order = np.argsort(src, kind="stable")
    ptr = np.searchsorted(src[order], np.arange(n + 1)).astype(np.int64)
    return ptr, dst[order], ids[order]


def solve_matching(n: int, u: I64, v: I64, w: I64, stats: PairingStats | None = None) -> I64:
    """mate[i] = partner node of i, or -1: max cardinality first, then max total weight."""
    solver = _Solver(n, stats or PairingStats())
    return solver.solve(u, v, w)


# -- from people to groups -----------------------------------------------------------------


def _join_or(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " or " + items[-1]


def no_partner_detail(f: Features, i: int) -> str:
    """Kind, specific words for someone every other person is ruled out for."""
    others = f.n - 1
    if others <= 0:
        return "nobody else is taking part this round"
    far = int((np.abs(f.offset - f.offset[i]) > f.max_gap).sum())
    blocked = f.blocked_indices[f.blocked_indptr[i] : f.blocked_indptr[i + 1]]
    me = f.people[i].id
    past = f.scorer.past_partners_of(me)
    apart = f.scorer.reporting_apart(me)
    others_ids = [f.people[j].id for j in blocked.tolist()]
    n_past = sum(1 for other in others_ids if other in past)
    n_line = sum(1 for other in others_ids if other in apart and other not in past)
    n_dnp = len(blocked) - n_past - n_line
    reasons: list[str] = []
    if n_past:
        reasons.append("a past partner")
    if far:
        reasons.append(f"more than {f.scorer.settings.max_tz_gap_hours:g} hours away")
    if n_dnp:
        reasons.append("on a do-not-pair list")
    if n_line:
        reasons.append("in your reporting line")
    return "everyone you could meet this round is " + _join_or(reasons or ["ruled out"])


def _group(scorer: Scorer, members: Sequence[Participant]) -> Group:
    ordered = sorted(members, key=lambda p: p.id)
    score = scorer.score(ordered[0], ordered[1]) if len(ordered) == 2 else None
    if score is None:
        score = scorer.group_score(ordered)
    return Group(
        members=tuple(p.id for p in ordered),
        score=score.total,
        breakdown=score.breakdown,
        explanation=scorer.explain(ordered),
    )


def _full_neighbourhood_repair(
    f: Features, graph: CandidateGraph, mate: I64, stats: PairingStats
) -> I64:
    """Give people the sparse graph left unmatched their whole allowed neighbourhood."""
    stuck = np.flatnonzero((mate < 0) & graph.has_partner)
    parity = int(graph.has_partner.sum()) % 2
    stats.unmatched_before_repair = max(0, len(stuck) - parity)
    if len(stuck) <= parity:
        return mate
    us = [graph.u]
    vs = [graph.v]
    ws = [graph.weight]
    for i in stuck.tolist():
        js, scores = f.allowed_row(i)
        us.append(np.minimum(i, js))
        vs.append(np.maximum(i, js))
        ws.append(to_weights(scores))
    u = np.concatenate(us)
    v = np.concatenate(vs)
    w = np.concatenate(ws)
    _, first = np.unique(u * f.n + v, return_index=True)
    u, v, w = u[first], v[first], w[first]
    solver = _Solver(f.n, stats)
    solver.mate = mate.copy()
    for c_nodes, cu, cv, cw in _components(np.arange(f.n, dtype=np.int64), u, v, w):
        if np.isin(stuck, c_nodes).any():
            solver._repair(c_nodes, cu, cv, cw)
    still = int((solver.mate[stuck] < 0).sum())
    stats.repaired = max(0, len(stuck) - max(still, parity))
    return solver.mate


def pair_up(
    people: Sequence[Participant], scorer: Scorer, settings: MatchSettings, seed: int
) -> PairsOutcome:
    """Peer pairs (and one triad for an odd count) for available people, with statistics."""
    stats = PairingStats(people=len(people))
    clock = time.perf_counter()
    f = Features(people, scorer, seed)
    graph = candidate_graph(f, settings.candidates_per_person)
    stats.candidate_edges = len(graph.u)
    stats.scored_pairs = graph.scored_pairs
    stats.seconds["candidates"] = time.perf_counter() - clock

    clock = time.perf_counter()
    mate = solve_matching(f.n, graph.u, graph.v, graph.weight, stats)
    stats.seconds["matching"] = time.perf_counter() - clock

    clock = time.perf_counter()
    mate = _full_neighbourhood_repair(f, graph, mate, stats)
    stats.seconds["repair"] = time.perf_counter() - clock

    clock = time.perf_counter()
    groups, left_out = _groups(f, graph, mate, stats)
    stats.seconds["groups"] = time.perf_counter() - clock
    return PairsOutcome(groups, left_out, stats, f, graph, mate)


def _groups(
    f: Features, graph: CandidateGraph, mate: I64, stats: PairingStats
) -> tuple[list[Group], list[LeftOut]]:
    scorer = f.scorer
    left_out: list[LeftOut] = []
    free: list[int] = []
    for i in np.flatnonzero(mate < 0).tolist():
        if graph.has_partner[i]:
            free.append(i)
            continue
        reason = LeftOutReason.NO_ALLOWED_PARTNER if f.n > 1 else LeftOutReason.TOO_FEW_PEOPLE
        left_out.append(LeftOut(f.people[i].id, reason, no_partner_detail(f, i)))
    free.sort(key=lambda i: f.people[i].id)
    placement = _fast_triads(f, mate, free)
    if placement.unplaced:
        # Somebody could not simply join a pair: re-arrange pairs around them, first on the
        # candidate graph with everyone's whole neighbourhood for the leftovers, then (for
        # rosters small enough) on every allowed pair.
        value = _triad_value(f)
        edges = _with_full_rows(f, graph.u, graph.v, free)
        placement = place_leftovers(f.n, mate.tolist(), free, _neighbours(f.n, *edges), value)
        if placement.unplaced and f.n <= FULL_GRAPH_RETRY:
            u, v, _ = f.allowed_edges()
            placement = place_leftovers(f.n, mate.tolist(), free, _neighbours(f.n, u, v), value)
    for i in placement.unplaced:
        left_out.append(LeftOut(f.people[i].id, LeftOutReason.PARTNERS_TAKEN, PARTNERS_TAKEN))
    stats.triads = len(placement.triads)
    stats.rearranged = placement.rearranged
    stats.left_out = len(left_out)
    groups: list[Group] = []
    for a, b in enumerate(placement.mate):
        if a < b:
            groups.append(_group(scorer, [f.people[a], f.people[b]]))
    for triad in placement.triads:
        groups.append(_group(scorer, [f.people[x] for x in triad]))
    groups.sort(key=lambda g: g.members)
    left_out.sort(key=lambda lo: lo.id)
    return groups, left_out


PARTNERS_TAKEN = (
    "everyone you could meet this round is needed in another group, and no group of three "
    "within the rules has room for you"
)


def _fast_triads(f: Features, mate: I64, free: Sequence[int]) -> Placement:
    """Leftovers who can join a pair as it is, each where the total score gains most."""
    pairs = [(a, int(b)) for a, b in enumerate(mate.tolist()) if a < b]
    pa = np.array([a for a, _ in pairs], dtype=np.int64)
    pb = np.array([b for _, b in pairs], dtype=np.int64)
    pair_score = f.pair_scores(pa, pb)
    taken = np.zeros(len(pairs), dtype=np.bool_)
    placement = Placement(mate.tolist())
    for i in free:
        js, scores = f.allowed_row(i)
        row = np.full(f.n, np.nan)
        row[js] = scores
        # The triad must stay within the hard rules with both members; the group scores
        # the mean of its three pairs.
        ok = ~np.isnan(row[pa]) & ~np.isnan(row[pb]) & ~taken
        if not ok.any():
            placement.unplaced.append(i)
            continue
        gain = (row[pa] + row[pb] + pair_score) / 3 - pair_score
        gain[~ok] = -np.inf
        k = int(np.argmax(gain))
        taken[k] = True
        a, b = pairs[k]
        placement.mate[a] = placement.mate[b] = -1
        x, y, z = sorted((a, b, i))
        placement.triads.append((x, y, z))
    return placement


def _triad_value(f: Features) -> Callable[[tuple[int, int, int]], float]:
    def value(triad: tuple[int, int, int]) -> float:
        a, b, c = triad
        return float(f.pair_scores(np.array([a, a, b]), np.array([b, c, c])).sum()) / 3

    return value


def _with_full_rows(f: Features, u: I64, v: I64, nodes: Sequence[int]) -> tuple[I64, I64]:
    """Candidate edges plus every allowed pair of the given nodes."""
    us = [u]
    vs = [v]
    for i in nodes:
        js, _ = f.allowed_row(i)
        us.append(np.minimum(i, js))
        vs.append(np.maximum(i, js))
    keys = np.unique(np.concatenate(us) * max(1, f.n) + np.concatenate(vs))
    return keys // max(1, f.n), keys % max(1, f.n)


def _neighbours(n: int, u: I64, v: I64) -> Callable[[int], Sequence[int]]:
    """Sorted allowed partners of a node, from an edge list, built on demand."""
    ptr, nbr, _ = _adjacency(n, u, v)
    cache: dict[int, list[int]] = {}

    def neighbours(x: int) -> list[int]:
        found = cache.get(x)
        if found is None:
            found = cache[x] = np.sort(nbr[ptr[x] : ptr[x + 1]]).tolist()
        return found

    return neighbours


def match_pairs(
    people: Sequence[Participant], scorer: Scorer, settings: MatchSettings, seed: int
) -> tuple[list[Group], list[LeftOut]]:
    """Peer pairs for the engine; same shape as the circle and mentorship modes."""
    outcome = pair_up(people, scorer, settings, seed)
    return outcome.groups, outcome.left_out
