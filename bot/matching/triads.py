"""Placing the people a maximum matching leaves over: triads, and pairs re-arranged for them.

Pairs mode places as many people as it can in pairs and groups of three whose members may
all meet. Any such grouping is a matching (one pair per group) plus, for each triad, a third
person the matching leaves free, so the most people are placed by a *maximum* matching whose
free people each join a pair they may both meet. Which maximum matching matters: with the
roster in docs/matching.md the weightiest one pairs dan with erin and leaves gina, who may
only meet dan, with nobody, while another places all seven.

For one leftover r and a triangle T (three people who may all meet), the question "is there
a maximum matching that keeps every other placed person placed, pairs two members of T and
leaves the third free for them?" is "does the graph without T, without the other leftovers
and with r, have a perfect matching?". Starting from the current matching, that takes at
most two augmenting paths (found with Edmonds' blossom search, so odd cycles count). Only
triangles that touch a person reachable from r along an even alternating path can pass, so
the search from r first lists those people and the triangles are taken from there, the ones
needing the fewest changes and then the best scoring first.

Leftovers are placed one at a time and a placed triad is not touched again. That loses
nothing: by the Gallai-Edmonds structure of maximum matchings, alternating paths never pass
through a part of the graph that holds a triad's free member, so a later leftover never
needs a triad an earlier one took, only the pairs around it, which stay available.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

Neighbours = Callable[[int], Sequence[int]]
TriadValue = Callable[[tuple[int, int, int]], float]

TRIANGLE_LIMIT = 2000  # triangles tried per leftover before giving up on them
_FLIP = bytes.maketrans(b"\x00\x01", b"\x01\x00")


def search(
    root: int, mate: list[int], active: bytearray, neighbours: Neighbours
) -> tuple[int, dict[int, int], list[int]]:
    """Edmonds' alternating-tree search from a free root over active nodes.

    Returns the free node an augmenting path reaches (-1 if none), the parent links to
    augment along, and the outer nodes (those an even alternating path from the root
    reaches: the root can be swapped for any of them without unmatching anyone else).
    """
    base: dict[int, int] = {}
    parent: dict[int, int] = {}
    outer = {root}
    order = [root]  # outer nodes in the order found: nearest first
    tree = [root]
    queue = deque([root])

    def b(x: int) -> int:
        return base.get(x, x)

    def lca(x: int, y: int) -> int:
        seen: set[int] = set()
        while True:
            x = b(x)
            seen.add(x)
            if mate[x] < 0:
                break
            x = parent[mate[x]]
        while True:
            y = b(y)
            if y in seen:
                return y
            y = parent[mate[y]]

    def mark(x: int, top: int, child: int, blossom: set[int]) -> None:
        while b(x) != top:
            blossom.add(b(x))
            blossom.add(b(mate[x]))
            parent[x] = child
            child = mate[x]
            x = parent[mate[x]]

    while queue:
        v = queue.popleft()
        for to in neighbours(v):
            if not active[to] or b(v) == b(to) or mate[v] == to:
                continue
            if to == root or (mate[to] >= 0 and mate[to] in parent):
                # An odd cycle: contract it into a blossom whose nodes are all outer.
                top = lca(v, to)
                blossom: set[int] = set()
                mark(v, top, to, blossom)
                mark(to, top, v, blossom)
                for x in tree:
                    if b(x) in blossom:
                        base[x] = top
                        if x not in outer:
                            outer.add(x)
                            order.append(x)
                            queue.append(x)
            elif to not in parent:
                parent[to] = v
                tree.append(to)
                if mate[to] < 0:
                    return to, parent, order
                m = mate[to]
                outer.add(m)
                order.append(m)
                tree.append(m)
                queue.append(m)
    return -1, parent, order


def augment(end: int, parent: dict[int, int], mate: list[int]) -> None:
    """Flip the augmenting path that ends at `end`: both its ends become matched."""
    v = end
    while v != -1:
        pv = parent[v]
        ppv = mate[pv]
        mate[v] = pv
        mate[pv] = v
        v = ppv


@dataclass(slots=True)
class Placement:
    """Pairs (mate), triads, and who is still unplaced."""

    mate: list[int]
    triads: list[tuple[int, int, int]] = field(default_factory=list)
    unplaced: list[int] = field(default_factory=list)
    rearranged: int = 0  # leftovers placed by changing other pairs


def place_leftovers(
    n: int,
    mate: list[int],
    free: Sequence[int],
    neighbours: Neighbours,
    value: TriadValue,
) -> Placement:
    """Grow `mate` to a maximum matching, then place its free people in triads.

    `free` lists the unmatched people who have an allowed partner, in the order they are
    tried; `neighbours(x)` gives x's allowed partners, sorted. Every person in the result is
    in one pair (mate), one triad, or `unplaced`.
    """
    mate = list(mate)
    everyone = bytearray(b"\x01") * n
    # 1. A maximum matching: one search from each free person is enough (a person with no
    #    augmenting path now never gets one after other augmentations).
    for r in free:
        if mate[r] < 0:
            end, parent, _ = search(r, mate, everyone, neighbours)
            if end >= 0:
                augment(end, parent, mate)
    left = [r for r in free if mate[r] < 0]
    placement = Placement(mate)
    adjacent: dict[int, frozenset[int]] = {}

    def adj(x: int) -> frozenset[int]:
        found = adjacent.get(x)
        if found is None:
            found = adjacent[x] = frozenset(neighbours(x))
        return found

    # Closed to the search for r: triads already formed, and everyone else still left over
    # (r is placed without taking their place; they are tried on their own turn).
    closed = bytearray(n)
    for x in left:
        closed[x] = 1
    for r in left:
        open_nodes = closed.translate(_FLIP)
        open_nodes[r] = 1
        triad = _place_one(r, placement.mate, open_nodes, neighbours, adj, value)
        if triad is None:
            placement.unplaced.append(r)
            continue
        t, new_mate, changed = triad
        placement.mate = new_mate
        placement.triads.append(t)
        placement.rearranged += changed
        closed[r] = 0  # placed: in the triad (closed again below) or in a pair
        for x in t:
            closed[x] = 1
    return placement


def _place_one(
    r: int,
    mate: list[int],
    open_nodes: bytearray,
    neighbours: Neighbours,
    adj: Callable[[int], frozenset[int]],
    value: TriadValue,
) -> tuple[tuple[int, int, int], list[int], int] | None:
    """A triad for leftover r, with the matching re-arranged around it, if one exists."""
    end, _, reach = search(r, mate, open_nodes, neighbours)
    if end >= 0:  # cannot happen on a maximum matching; kept cheap to be safe
        return None
    seen: set[tuple[int, int, int]] = set()
    candidates: list[tuple[int, float, tuple[int, int, int]]] = []
    for x in reach:
        near = [a for a in neighbours(x) if open_nodes[a]]
        for i, a in enumerate(near):
            for c in near[i + 1 :]:
                if c not in adj(a):
                    continue
                p, q, s = sorted((x, a, c))
                triad = (p, q, s)
                if triad in seen:
                    continue
                seen.add(triad)
                broken = sum(1 for y in triad if mate[y] >= 0 and mate[y] not in triad)
                changes = broken + (0 if r in triad else 1)
                candidates.append((changes, -value(triad), triad))
            if len(candidates) >= TRIANGLE_LIMIT:
                break
        if len(candidates) >= TRIANGLE_LIMIT:
            break
    candidates.sort()
    for changes, _, triad in candidates:
        new_mate = _without(r, triad, mate, open_nodes, neighbours)
        if new_mate is not None:
            return triad, new_mate, int(changes > 0)
    return None


def _without(
    r: int,
    triad: tuple[int, int, int],
    mate: list[int],
    open_nodes: bytearray,
    neighbours: Neighbours,
) -> list[int] | None:
    """A matching that covers everyone placed so far and r, but nobody in the triad."""
    m = list(mate)
    active = bytearray(open_nodes)
    active[r] = 1
    free = [] if r in triad else [r]
    for x in triad:
        active[x] = 0
        y = m[x]
        if y >= 0 and y not in triad:
            m[y] = -1
            free.append(y)
    for x in triad:
        m[x] = -1
    if len(free) % 2:
        return None
    for x in free:
        if m[x] < 0:
            end, parent, _ = search(x, m, active, neighbours)
            if end < 0:
                return None
            augment(end, parent, m)
    return m
