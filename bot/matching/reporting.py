"""Reporting lines as a hard matching rule: who must never be put together because one rates
the other's work, or both are rated by the same person.

Peer coaching only works when people can speak freely about their work, so the rule is never
traded against score. Reporting data comes from an HR export and may be wrong: a chain that
loops back on itself is reported as a cycle and walked only up to the loop, never forever.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

PEER_DEPTH = 2  # peers: never the manager, never the manager's manager


def chain(managers: Mapping[str, str], person: str, depth: int | None = None) -> tuple[str, ...]:
    """The person's managers, nearest first, `depth` levels up at most (None: to the top).

    A loop in the data stops the walk at the first id seen twice; the person is never their
    own manager.
    """
    seen = {person}
    found: list[str] = []
    current = managers.get(person)
    while current is not None and current not in seen:
        if depth is not None and len(found) >= depth:
            break
        found.append(current)
        seen.add(current)
        current = managers.get(current)
    return tuple(found)


def find_cycles(managers: Mapping[str, str]) -> tuple[tuple[str, ...], ...]:
    """Every loop in the manager links, each once, starting from its smallest id."""
    state: dict[str, int] = {}  # 1: on the current walk, 2: done
    cycles: list[tuple[str, ...]] = []
    for start in sorted(managers):
        if start in state:
            continue
        path: list[str] = []
        node: str | None = start
        while node is not None and node not in state:
            state[node] = 1
            path.append(node)
            node = managers.get(node)
        if node is not None and state.get(node) == 1:
            loop = path[path.index(node) :]
            first = loop.index(min(loop))
            cycles.append(tuple(loop[first:] + loop[:first]))
        for visited in path:
            state[visited] = 2
    return tuple(sorted(cycles))


@dataclass(frozen=True, slots=True)
class ReportingRule:
    """Which pairs the rule forbids among a set of people.

    `depth`: how far up a reporting chain no partner may come from (2 for peers, None for
    mentoring, where a mentor is never anywhere above the mentee). `same_manager`: also keep
    apart two people with the same direct manager.
    """

    depth: int | None = PEER_DEPTH
    same_manager: bool = True

    def forbidden(self, managers: Mapping[str, str], people: Iterable[str]) -> dict[str, set[str]]:
        """Each person's forbidden partners among `people` (symmetric)."""
        ids = set(people)
        out: dict[str, set[str]] = {}

        def add(a: str, b: str) -> None:
            if a != b:
                out.setdefault(a, set()).add(b)
                out.setdefault(b, set()).add(a)

        by_manager: dict[str, list[str]] = {}
        for person in sorted(ids):
            for boss in chain(managers, person, self.depth):
                if boss in ids:
                    add(person, boss)
            direct = managers.get(person)
            if direct is not None and direct != person:
                by_manager.setdefault(direct, []).append(person)
        if self.same_manager:
            for reports in by_manager.values():
                for i, a in enumerate(reports):
                    for b in reports[i + 1 :]:
                        add(a, b)
        return out

    def breaks(self, managers: Mapping[str, str], a: str, b: str) -> bool:
        """True when a and b must not be put together (a direct check, for tests and reports)."""
        if a == b:
            return False
        if b in chain(managers, a, self.depth) or a in chain(managers, b, self.depth):
            return True
        ma, mb = managers.get(a), managers.get(b)
        return self.same_manager and ma is not None and ma == mb
