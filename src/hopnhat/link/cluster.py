"""Pairs → clusters, with people's decisions: ``same`` forces a link, ``different`` keeps two records apart.

Connected components alone would let a chain of links (A–B, B–C) merge two records a person said are different
(A ≠ C). Links are therefore added strongest first (forced links, then by probability, ties by record order) and a
link that would join a cluster with a record it must stay apart from is skipped. Same input → same clusters.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass
class Clusters:
    """``root[i]``: the cluster of record ``i`` (the smallest record index in it)."""

    root: list[int]
    kept_apart: list[tuple[int, int]] = field(default_factory=list)  # links skipped because of a decision

    def count(self) -> int:
        return len(set(self.root))


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))
        self.apart: dict[int, set[int]] = {}

    def find(self, i: int) -> int:
        parent = self.parent
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def forbid(self, a: int, b: int) -> None:
        self.apart.setdefault(a, set()).add(b)
        self.apart.setdefault(b, set()).add(a)

    def _blocked(self, ra: int, rb: int) -> bool:
        for root, other in ((ra, rb), (rb, ra)):
            for member in self.apart.get(root, ()):
                if self.find(member) == other:
                    return True
        return False

    def union(self, a: int, b: int) -> bool:
        """Join the clusters of a and b unless a decision keeps them apart; False when skipped."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        if self._blocked(ra, rb):
            return False
        keep, drop = (ra, rb) if ra < rb else (rb, ra)
        self.parent[drop] = keep
        if drop in self.apart:
            self.apart.setdefault(keep, set()).update(self.apart.pop(drop))
        return True


def cluster(n: int, links: Iterable[tuple[int, int, float]], same: Iterable[tuple[int, int]] = (),
            different: Iterable[tuple[int, int]] = ()) -> Clusters:
    """Clusters of ``n`` records from links ``(i, j, probability)`` already at or above the match threshold."""
    uf = _UnionFind(n)
    for a, b in different:
        uf.forbid(a, b)
    forced = sorted((min(a, b), max(a, b), 2.0) for a, b in same)
    ordered = sorted(links, key=lambda e: (-e[2], min(e[0], e[1]), max(e[0], e[1])))
    kept_apart = [(a, b) for a, b, _ in forced + ordered if not uf.union(a, b)]
    return Clusters([uf.find(i) for i in range(n)], kept_apart)
