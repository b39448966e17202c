"""Pairs → clusters, with people's decisions: ``same`` forces a link, ``different`` keeps two records apart.

Connected components alone would let a chain of links (A–B, B–C) merge two records a person said are different
(A ≠ C). Links are therefore added strongest first (forced links, then by probability, ties by record order) and a
link that would join a cluster with a record it must stay apart from is skipped. Same input → same clusters.

Rules keep records apart the same way, whatever the model says, and each skipped link keeps its reason
(:attr:`Clusters.reasons`):

- ``decision``: a person decided the two records are different;
- ``conflicting_cccd``: the two clusters hold two valid 12-digit CCCDs more than one keying slip apart (a CCCD is a
  person's number for life: two of them are two people, even through a chain A–B–C) — unless one of the two is
  a slip of a number the other cluster holds (two different slips of one number are two slips apart from each
  other, one from the number);
- ``conflicting_cmnd``: likewise two 9-digit CMNDs of one issuing province (first three digits) — a CMND got a new
  number only when its holder moved to another province;
- ``household``: a rule of the caller's (twins: same family name and birth date, two different given names written
  with diacritics) passed in as ``different`` pairs with that reason.

A person's ``same`` decision overrides the rules (never a ``different`` decision).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass
class Clusters:
    """``root[i]``: the cluster of record ``i`` (the smallest record index in it)."""

    root: list[int]
    kept_apart: list[tuple[int, int]] = field(default_factory=list)  # links skipped (a decision or a rule)
    reasons: dict[tuple[int, int], str] = field(default_factory=dict)  # skipped link → why
    only_candidates: list[tuple[int, int]] = field(default_factory=list)  # links below the threshold (persons.py)
    _uf: _UnionFind | None = field(default=None, repr=False, compare=False)  # to add links later (add_links)

    def count(self) -> int:
        return len(set(self.root))


Ids = str | tuple[str | None, ...] | None  # a record's identity numbers: its valid CCCD, or (CCCD, CMND)


def slip_apart(a: str, b: str) -> bool:
    """True when two numbers differ by more than one keying slip (one digit changed, or two neighbours swapped)."""
    if len(a) != len(b):
        return True
    diff = [i for i in range(len(a)) if a[i] != b[i]]
    if len(diff) <= 1:
        return False
    return not (len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])


def _conflict(a: str, b: str) -> bool:
    """Two CCCDs, or two CMNDs of one issuing province (first three digits), more than a keying slip apart: two
    people. A CMND was re-issued with a new number when its holder moved to another province, never within one."""
    if len(a) != len(b) or (len(a) == 9 and a[:3] != b[:3]):
        return False
    return slip_apart(a, b)


def _near(number: str, others: tuple[str, ...] | set[str]) -> bool:
    """True when ``others`` holds ``number`` or a number one keying slip from it."""
    return any(len(o) == len(number) and not slip_apart(number, o) for o in others)


def _numbers(held: str | tuple[str, ...] | set[str]) -> tuple[str, ...] | set[str]:
    """A cluster's numbers as :attr:`_UnionFind.ids` holds them (one number as itself), as a collection."""
    return (held,) if isinstance(held, str) else held


class _UnionFind:
    def __init__(self, n: int, ids: Iterable[Ids] | None = None) -> None:
        self.parent = list(range(n))
        self.apart: dict[int, dict[int, str]] = {}
        # a record's numbers: one number as itself, several as a tuple (a set only once clusters merge: a million
        # small sets weigh ~300 MB, a million 1-tuples ~80 MB)
        self.ids: dict[int, str | tuple[str, ...] | set[str]] = {}
        for i, v in enumerate(ids or ()):
            numbers = (v,) if isinstance(v, str) else tuple(dict.fromkeys(x for x in v or () if x))
            if numbers:
                self.ids[i] = numbers[0] if len(numbers) == 1 else numbers

    def find(self, i: int) -> int:
        parent = self.parent
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def forbid(self, a: int, b: int, reason: str = "decision") -> None:
        self.apart.setdefault(a, {}).setdefault(b, reason)
        self.apart.setdefault(b, {}).setdefault(a, reason)

    def _blocked(self, ra: int, rb: int, forced: bool) -> str | None:
        for root, other in ((ra, rb), (rb, ra)):
            for member, reason in self.apart.get(root, {}).items():
                if (reason == "decision" or not forced) and self.find(member) == other:
                    return reason
        if not forced:
            left, right = _numbers(self.ids.get(ra, ())), _numbers(self.ids.get(rb, ()))
            # two numbers conflict unless one of them is a slip of (or equal to) a number the other cluster holds:
            # two different slips of one CMND are two slips apart from each other, each one from the number
            conflict = next((len(x) for x in left for y in right
                             if _conflict(x, y) and not _near(x, right) and not _near(y, left)), 0)
            if conflict:
                return "conflicting_cccd" if conflict == 12 else "conflicting_cmnd"
        return None

    def union(self, a: int, b: int, forced: bool = False) -> str | None:
        """Join the clusters of a and b unless a decision or a rule keeps them apart; the reason when skipped."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return None
        reason = self._blocked(ra, rb, forced)
        if reason:
            return reason
        keep, drop = (ra, rb) if ra < rb else (rb, ra)
        self.parent[drop] = keep
        if drop in self.apart:
            merged = self.apart.setdefault(keep, {})
            for member, why in self.apart.pop(drop).items():
                merged.setdefault(member, why)
        if drop in self.ids:
            self.ids[keep] = set(_numbers(self.ids.get(keep, ()))) | set(_numbers(self.ids.pop(drop)))
        return None


def cluster(n: int, links: Iterable[tuple[int, int, float]], same: Iterable[tuple[int, int]] = (),
            different: Iterable[tuple[int, int]] = (), ids: Iterable[Ids] | None = None,
            apart: Iterable[tuple[int, int, str]] = ()) -> Clusters:
    """Clusters of ``n`` records from links ``(i, j, probability)`` already at or above the match threshold.

    ``ids``: each record's valid CCCD, or its (CCCD, CMND), None where absent, in record order (read once: an iterator
    spares a list of a million tuples); ``apart``: pairs a rule keeps apart, with the rule's name.
    """
    uf = _UnionFind(n, ids)
    for a, b in different:
        uf.forbid(a, b)
    for a, b, reason in apart:
        uf.forbid(a, b, reason)
    forced = sorted((min(a, b), max(a, b)) for a, b in same)
    out = Clusters([])
    out._uf = uf
    _join(out, [(p, True) for p in forced])
    return add_links(out, links)


def add_links(clusters: Clusters, links: Iterable[tuple[int, int, float]]) -> Clusters:
    """``clusters`` (from :func:`cluster`) with more links added after those it holds, strongest first, under the
    same decisions and rules (e.g. the weaker links of :func:`hopnhat.link.persons.only_candidates`)."""
    ordered = sorted(links, key=lambda e: (-e[2], min(e[0], e[1]), max(e[0], e[1])))
    return _join(clusters, (((a, b), False) for a, b, _ in ordered))


def _join(out: Clusters, links: Iterable[tuple[tuple[int, int], bool]]) -> Clusters:
    uf = out._uf
    assert uf is not None
    for (a, b), is_forced in links:
        why = uf.union(a, b, is_forced)
        if why:
            out.kept_apart.append((a, b))
            out.reasons[(min(a, b), max(a, b))] = why
    out.root = [uf.find(i) for i in range(len(uf.parent))]
    return out
