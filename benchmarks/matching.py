"""Matching benchmark: speed, coverage, rule-keeping and quality against baselines.

    python -m benchmarks.matching                  # 1,000 / 2,000 / 10,000 / 50,000 people
    python -m benchmarks.matching --quick          # 1,000 / 2,000 / 10,000
    python -m benchmarks.matching --sizes 5000 --full-bound 5000

Everything the table says about the engine's output is recounted here from the output and
the raw input (forbidden pairs, coverage, scores), not taken from the engine's own figures.
Baselines run in the same process on the same input: random pairing (what coffee bots do)
and greedy best-edge-first pairing on the same candidate graph. At `--exact-size` people the
exact optimum (blossom on every allowed pair) is computed as well; at every size the
assignment (LP) relaxation of the candidate graph gives an upper bound on its optimum.
"""

from __future__ import annotations

import argparse
import importlib.util
import random
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import rustworkx as rx
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

from benchmarks.population import generate
from bot.matching import match
from bot.matching.candidates import SCALE, to_weights
from bot.matching.criteria import Scorer
from bot.matching.model import MatchInput, MatchResult, Mode, Participant
from bot.matching.pairs import PairsOutcome, pair_up

I64 = npt.NDArray[np.int64]

TARGET_SECONDS = {10_000: 10.0, 50_000: 60.0}
TARGET_OPTIMUM = 99.5


# -- independent checks ---------------------------------------------------------------------


def forbidden_pairs(inp: MatchInput, groups: Sequence[Sequence[str]]) -> int:
    """Member pairs that break a hard rule, counted from the raw input alone."""
    people = {p.id: p for p in inp.participants}
    limit = inp.settings.max_tz_gap_hours * 60
    bad = 0
    for members in groups:
        for x in range(len(members)):
            for y in range(x + 1, len(members)):
                a, b = people[members[x]], people[members[y]]
                if (
                    a.id == b.id
                    or a.unavailable is not None
                    or b.unavailable is not None
                    or frozenset((a.id, b.id)) in inp.past_partners
                    or (a.id, b.id) in inp.do_not_pair
                    or (b.id, a.id) in inp.do_not_pair
                    or abs(a.utc_offset_minutes - b.utc_offset_minutes) > limit
                ):
                    bad += 1
    return bad


def coverage_errors(inp: MatchInput, result: MatchResult) -> int:
    """Available people not in exactly one group or the left-out list, plus misplaced ones."""
    seen: dict[str, int] = {}
    for g in result.groups:
        for m in g.members:
            seen[m] = seen.get(m, 0) + 1
    for lo in result.left_out:
        seen[lo.id] = seen.get(lo.id, 0) + 1
    errors = 0
    for p in inp.participants:
        count = seen.pop(p.id, 0)
        if p.unavailable is None:
            errors += count != 1
        else:
            errors += count != 0
    return errors + len(seen)


def with_allowed_partner(inp: MatchInput) -> int:
    """Available people with at least one allowed partner, counted with plain numpy."""
    people = [p for p in inp.participants if p.unavailable is None]
    ids = {p.id: i for i, p in enumerate(people)}
    offsets = np.array([p.utc_offset_minutes for p in people], dtype=np.int64)
    order = np.sort(offsets)
    limit = inp.settings.max_tz_gap_hours * 60
    near = np.searchsorted(order, offsets + limit, side="right") - np.searchsorted(
        order, offsets - limit, side="left"
    )
    near -= 1  # themselves
    blocked: dict[int, set[int]] = {}
    pairs = [tuple(pair) for pair in inp.past_partners] + list(inp.do_not_pair)
    for pair in pairs:
        if len(pair) != 2:
            continue
        a, b = ids.get(pair[0]), ids.get(pair[1])
        if a is None or b is None or abs(offsets[a] - offsets[b]) > limit:
            continue
        blocked.setdefault(a, set()).add(b)
        blocked.setdefault(b, set()).add(a)
    for i, others in blocked.items():
        near[i] -= len(others - {i})
    return int((near > 0).sum())


# -- baselines ------------------------------------------------------------------------------


def chunk(ids: Sequence[str], sizes: Sequence[int]) -> list[list[str]]:
    out: list[list[str]] = []
    pos = 0
    for size in sizes:
        out.append(list(ids[pos : pos + size]))
        pos += size
    return out


def random_pairs(people: Sequence[Participant], seed: int) -> list[list[str]]:
    """Shuffle and pair; an odd person joins the last pair. No rules, no scores."""
    ids = [p.id for p in people]
    random.Random(seed).shuffle(ids)
    groups = [ids[i : i + 2] for i in range(0, len(ids) - 1, 2)]
    if len(ids) % 2 and groups:
        groups[-1].append(ids[-1])
    return groups


def greedy_pairs(outcome: PairsOutcome) -> list[list[str]]:
    """Best edge first on the same candidate graph; whoever is left stays alone."""
    f, g = outcome.features, outcome.graph
    order = np.lexsort((g.v, g.u, -g.weight))
    taken = np.zeros(f.n, dtype=np.bool_)
    groups: list[list[str]] = []
    for a, b in zip(g.u[order].tolist(), g.v[order].tolist(), strict=True):
        if not taken[a] and not taken[b]:
            taken[a] = taken[b] = True
            groups.append([f.people[a].id, f.people[b].id])
    return groups


def total_score(scorer: Scorer, inp: MatchInput, groups: Sequence[Sequence[str]]) -> float:
    people = {p.id: p for p in inp.participants}
    return sum(scorer.group_score([people[m] for m in members]).total for members in groups)


# -- optimum references ---------------------------------------------------------------------


def matching_value(outcome: PairsOutcome, mate: I64) -> float:
    """Total score of the pairs in `mate` (the matching before any triad)."""
    a = np.flatnonzero(mate > np.arange(len(mate)))
    return float(outcome.features.pair_scores(a, mate[a]).sum())


def lp_bound(n: int, u: I64, v: I64, w: I64) -> float:
    """Fractional matching bound: half the best assignment on the bipartite double cover."""
    if not len(u):
        return 0.0
    top = int(w.max()) + 1
    cost = np.concatenate([top - w, top - w, np.full(n, top)]).astype(np.float64)
    rows = np.concatenate([u, v, np.arange(n)])
    cols = np.concatenate([v, u, np.arange(n)])
    matrix = csr_matrix((cost, (rows, cols)), shape=(n, n))
    r, c = min_weight_full_bipartite_matching(matrix)
    return float(top * n - matrix[r, c].sum()) / 2 / SCALE


def exact_full_optimum(outcome: PairsOutcome) -> tuple[float, int, float]:
    """Blossom on every allowed pair: (score, pairs, seconds)."""
    clock = time.perf_counter()
    f = outcome.features
    u, v, scores = f.allowed_edges()
    g = rx.PyGraph()
    g.add_nodes_from(range(f.n))
    w = to_weights(scores)
    g.add_edges_from(list(zip(u.tolist(), v.tolist(), w.tolist(), strict=True)))
    matching = rx.max_weight_matching(g, max_cardinality=True, weight_fn=int)
    a = np.array([x for x, _ in matching], dtype=np.int64)
    b = np.array([y for _, y in matching], dtype=np.int64)
    value = float(f.pair_scores(a, b).sum())
    return value, len(matching), time.perf_counter() - clock


def full_lp_bound(outcome: PairsOutcome) -> float:
    f = outcome.features
    u, v, scores = f.allowed_edges()
    return lp_bound(f.n, u, v, to_weights(scores))


# -- the run --------------------------------------------------------------------------------


@dataclass
class Row:
    size: int
    seconds: float
    eligible: int
    placed: int
    forbidden: int
    coverage_errors: int
    score: float
    triads: int
    random_score: float
    random_forbidden: int
    greedy_score: float
    greedy_placed: int
    lp_sparse: float
    matching_score: float
    notes: str
    exact_pct: float | None = None  # ours as % of the exact full-graph optimum


def run_pairs(size: int, seed: int, exact_size: int, full_bound: int) -> Row:
    inp = generate(size, seed)
    scorer = Scorer(inp)
    clock = time.perf_counter()
    result = match(inp, Mode.PAIRS, seed)
    seconds = time.perf_counter() - clock
    groups = [list(g.members) for g in result.groups]
    available = [p for p in inp.participants if p.unavailable is None]
    eligible = with_allowed_partner(inp)

    # The same pipeline again, to get at the graph for the baselines and bounds (untimed).
    outcome = pair_up(available, scorer, inp.settings, seed)
    stats = outcome.stats
    rand = random_pairs(available, seed)
    greedy = greedy_pairs(outcome)
    g = outcome.graph
    notes = [
        f"edges {stats.candidate_edges:,}",
        f"scored {stats.scored_pairs / max(1, len(available)) ** 2:.2f} n^2",
        f"residual {stats.residual_nodes:,}",
        f"repaired {stats.repaired}/{stats.unmatched_before_repair}",
        f"triads {stats.triads} ({stats.rearranged} by re-arranging pairs)",
        "stages " + ", ".join(f"{k} {v:.1f}s" for k, v in stats.seconds.items()),
    ]
    lp_sparse = lp_bound(g.n, g.u, g.v, g.weight)
    ours_matching = matching_value(outcome, outcome.mate)
    exact_pct = None
    if size == exact_size:
        exact, exact_pairs, exact_seconds = exact_full_optimum(outcome)
        exact_pct = 100 * ours_matching / exact
        ours_pairs = int((outcome.mate >= 0).sum()) // 2
        notes.append(
            f"EXACT full-graph optimum {exact:.2f} ({exact_pairs} pairs, {exact_seconds:.0f}s); "
            f"ours {ours_matching:.2f} ({ours_pairs} pairs) = "
            f"{100 * ours_matching / exact:.3f}% of the optimum"
        )
    if size <= full_bound:
        bound = full_lp_bound(outcome)
        notes.append(
            f"full-graph LP bound {bound:.2f}: ours >= {100 * ours_matching / bound:.3f}% "
            "of the optimum"
        )
    return Row(
        size=size,
        seconds=seconds,
        eligible=eligible,
        placed=result.placed,
        forbidden=forbidden_pairs(inp, groups),
        coverage_errors=coverage_errors(inp, result),
        score=total_score(scorer, inp, groups),
        triads=sum(1 for grp in groups if len(grp) == 3),
        random_score=total_score(scorer, inp, rand),
        random_forbidden=forbidden_pairs(inp, rand),
        greedy_score=total_score(scorer, inp, greedy),
        greedy_placed=sum(len(grp) for grp in greedy),
        lp_sparse=lp_sparse,
        matching_score=ours_matching,
        notes="; ".join(notes),
        exact_pct=exact_pct,
    )


def print_pairs(rows: Sequence[Row]) -> list[tuple[str, bool]]:
    print("\nPeer pairs")
    header = (
        "| people | seconds | placed (of eligible) | forbidden | triads | score "
        "| vs random (its forbidden) | vs greedy (its placed) | % of LP bound (candidates) |"
    )
    print(header)
    print("|---" * 9 + "|")
    checks: list[tuple[str, bool]] = []
    for r in rows:
        placed_pct = 100 * r.placed / max(1, r.eligible)
        greedy_pct = 100 * r.greedy_placed / max(1, r.eligible)
        print(
            f"| {r.size:,} | {r.seconds:.2f} | {placed_pct:.2f}% ({r.placed:,}/{r.eligible:,}) "
            f"| {r.forbidden} | {r.triads} | {r.score:,.1f} "
            f"| {r.score / r.random_score:.3f}x ({r.random_forbidden:,}) "
            f"| {r.score / r.greedy_score:.3f}x ({greedy_pct:.1f}%) "
            f"| {100 * r.matching_score / r.lp_sparse:.3f}% |"
        )
    for r in rows:
        print(f"  {r.size:,}: {r.notes}")
    for r in rows:
        name = f"{r.size:,} people:"
        checks.append((f"{name} 0 forbidden pairs", r.forbidden == 0))
        checks.append((f"{name} everyone in exactly one group or left out", not r.coverage_errors))
        checks.append((f"{name} 100% of eligible people placed", r.placed >= r.eligible))
        if r.size in TARGET_SECONDS:
            limit = TARGET_SECONDS[r.size]
            checks.append((f"{name} <= {limit:.0f}s ({r.seconds:.1f}s)", r.seconds <= limit))
        if r.exact_pct is not None:
            checks.append(
                (
                    f"{name} >= {TARGET_OPTIMUM}% of the exact optimum ({r.exact_pct:.3f}%)",
                    r.exact_pct >= TARGET_OPTIMUM,
                )
            )
    return checks


# -- other modes ----------------------------------------------------------------------------


def random_groups(
    people: Sequence[Participant], sizes: Sequence[int], seed: int
) -> list[list[str]]:
    ids = [p.id for p in people]
    random.Random(seed).shuffle(ids)
    return chunk(ids, sizes)


def run_modes(sizes: Sequence[int], seed: int) -> None:
    available: list[tuple[Mode, str]] = []
    for mode, module in (
        (Mode.CIRCLES, "bot.matching.circles"),
        (Mode.MENTORSHIP, "bot.matching.mentorship"),
        (Mode.REVERSE, "bot.matching.mentorship"),
    ):
        if importlib.util.find_spec(module) is None:
            print(f"\n{mode.value}: skipped, {module} does not exist yet")
        else:
            available.append((mode, module))
    if not available:
        return
    print("\nOther modes (placed: share of available people in a group)")
    print(
        "| mode | people | seconds | placed | left out | forbidden | mean group score "
        "| vs random groups of the same sizes |"
    )
    print("|---" * 8 + "|")
    for size in sizes:
        inp = generate(size, seed)
        scorer = Scorer(inp)
        people = [p for p in inp.participants if p.unavailable is None]
        for mode, _ in available:
            clock = time.perf_counter()
            try:
                result = match(inp, mode, seed)
            except Exception as exc:  # a colleague's mode failing must not hide the rest
                print(f"| {mode.value} | {size:,} | failed: {type(exc).__name__}: {exc} |")
                continue
            seconds = time.perf_counter() - clock
            groups = [list(g.members) for g in result.groups]
            mean = total_score(scorer, inp, groups) / max(1, len(groups))
            placed = sum(len(grp) for grp in groups)
            rand = random_groups(people, [len(grp) for grp in groups], seed)
            rand_mean = total_score(scorer, inp, rand) / max(1, len(rand))
            ratio = f"{mean / rand_mean:.3f}x" if rand_mean else "n/a"
            print(
                f"| {mode.value} | {size:,} | {seconds:.2f} | "
                f"{100 * placed / max(1, len(people)):.1f}% | {len(result.left_out):,} "
                f"| {forbidden_pairs(inp, groups)} | {mean:.3f} | {ratio} |"
            )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.matching", description=__doc__)
    parser.add_argument("--sizes", default="1000,2000,10000,50000")
    parser.add_argument("--quick", action="store_true", help="sizes 1000,2000,10000")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--exact-size", type=int, default=2000)
    parser.add_argument(
        "--full-bound", type=int, default=2000, help="LP bound on all allowed pairs up to here"
    )
    parser.add_argument("--mode-sizes", default="1000,10000")
    parser.add_argument("--no-modes", action="store_true")
    args = parser.parse_args(argv)
    sizes = [1000, 2000, 10000] if args.quick else [int(s) for s in args.sizes.split(",")]
    rows = []
    for size in sizes:
        print(f"running pairs for {size:,} people ...", file=sys.stderr, flush=True)
        rows.append(run_pairs(size, args.seed, args.exact_size, args.full_bound))
    checks = print_pairs(rows)
    if not args.no_modes:
        mode_sizes = [int(s) for s in args.mode_sizes.split(",") if s]
        run_modes(mode_sizes, args.seed)
    print()
    for label, ok in checks:
        print(f"{'PASS' if ok else 'FAIL'}  {label}")
    return 0 if all(ok for _, ok in checks) else 1


if __name__ == "__main__":
    raise SystemExit(main())
