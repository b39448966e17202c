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

Only a cluster that holds a decision, a rule's pair or two numbers the number rule keeps apart (:func:`_conflict`:
more than one keying slip apart, or a number that is not a run of digits) can lose a link to the rules; every other
connected component takes all its links whatever their order (session 21: two numbers one slip apart, a person's
number and its typo, no longer send a component one link at a time; 1 M blind: 18,646 -> 277 components, 30,073 ->
721 links). So the components are found with arrays first
(:func:`components`), and the links are added one by one, strongest first, only inside the components the rules can
split (at 1 M records 22,000 of 514,000 links): the same clusters, the same roots (a cluster's smallest record index),
the same skipped links as adding every link one by one (``persons.person_clusters`` at 1 M realistic: 7.8 → 2.3
CPU-s, a third of it the household rule's query). A cluster's numbers are read when a later link (:func:`add_links`)
reaches it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


@dataclass(frozen=True)
class Links:
    """Links or scored pairs as arrays: records ``a`` and ``b`` (int64), probability ``p`` (float64)."""

    a: np.ndarray
    b: np.ndarray
    p: np.ndarray

    @staticmethod
    def of(links: Iterable[tuple[int, int, float]] | Links) -> Links:
        """``links`` as arrays (rows ``(a, b, probability)``, or already :class:`Links`)."""
        if isinstance(links, Links):
            return links
        rows = list(links)
        return Links(np.array([r[0] for r in rows], np.int64), np.array([r[1] for r in rows], np.int64),
                     np.array([r[2] for r in rows], np.float64))

    @staticmethod
    def of_table(table: pa.Table) -> Links:
        """The first three columns of ``table`` (a, b, probability; no nulls)."""
        a, b, p = (np.asarray(table.column(i).combine_chunks().to_numpy(zero_copy_only=False)) for i in range(3))
        return Links(a.astype(np.int64), b.astype(np.int64), p.astype(np.float64))

    def __len__(self) -> int:
        return len(self.a)

    def take(self, mask: np.ndarray) -> Links:
        return Links(self.a[mask], self.b[mask], self.p[mask])

    def rows(self) -> list[tuple[int, int, float]]:
        return list(zip(self.a.tolist(), self.b.tolist(), self.p.tolist(), strict=True))


def pair_keys(a: np.ndarray, b: np.ndarray, n: int) -> np.ndarray:
    """One integer per ordered pair of records below ``n`` (to test pairs against a set with :func:`numpy.isin`)."""
    return a.astype(np.int64) * n + b


def keys_of(pairs: Iterable[tuple[int, int]], n: int) -> np.ndarray:
    """:func:`pair_keys` of Python pairs."""
    return np.fromiter((a * n + b for a, b in pairs), np.int64)


@dataclass
class Clusters:
    """``root[i]``: the cluster of record ``i`` (the smallest record index in it)."""

    root: list[int]
    kept_apart: list[tuple[int, int]] = field(default_factory=list)  # links skipped (a decision or a rule)
    reasons: dict[tuple[int, int], str] = field(default_factory=dict)  # skipped link → why
    only_candidates: list[tuple[int, int]] = field(default_factory=list)  # links below the threshold (persons.py)
    _uf: _UnionFind | None = field(default=None, repr=False, compare=False)  # to add links later (add_links)
    _root: np.ndarray | None = field(default=None, repr=False, compare=False)  # ``root`` as an array

    def count(self) -> int:
        return len(set(self.root))

    def roots(self) -> np.ndarray:
        """``root`` as an int64 array."""
        if self._root is None:
            self._root = np.array(self.root, np.int64)
        return self._root


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


class _Numbers:
    """Each record's identity numbers (its own, duplicates and empty ones dropped), read one record at a time: from
    the ``ids`` of :func:`cluster` as given, or from an Arrow table of string columns (one number a column, null
    where absent: a million records' numbers as Python objects weigh a few hundred MB)."""

    def __init__(self, ids: Iterable[Ids] | pa.Table | None) -> None:
        self.columns: list[pa.Array] = []
        self.listed: list[tuple[str, ...]] | None = None
        if isinstance(ids, pa.Table):
            self.columns = [pc.cast(c, pa.string()).combine_chunks() for c in ids.columns]
        elif ids is not None:
            self.listed = [(v,) if isinstance(v, str) else tuple(dict.fromkeys(x for x in v or () if x)) for v in ids]

    def of(self, i: int) -> tuple[str, ...]:
        if self.listed is not None:
            return self.listed[i] if i < len(self.listed) else ()
        return tuple(dict.fromkeys(x for x in (c[i].as_py() for c in self.columns) if x))

    def of_many(self, records: list[int]) -> list[tuple[str, ...]]:
        """:meth:`of` of several records at once."""
        if self.listed is not None or not self.columns:
            return [self.of(i) for i in records]
        index = pa.array(records, pa.int64())
        rows = zip(*(c.take(index).to_pylist() for c in self.columns), strict=True)
        return [tuple(dict.fromkeys(x for x in row if x)) for row in rows]

    def held(self, records: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(record, length, value) of every number the records of ``records`` (a bool mask) hold, the value as an
        integer (-1 for a number that is not a run of at most 18 ASCII digits)."""
        if self.listed is not None:
            held = [(i, x) for i, numbers in enumerate(self.listed) if i < len(records) and records[i]
                    for x in numbers]
            return (np.array([i for i, _ in held], np.int64), np.array([len(x) for _, x in held], np.int64),
                    np.array([int(x) if x.isascii() and x.isdigit() and len(x) <= _DIGITS else -1 for _, x in held],
                             np.int64))
        index = np.flatnonzero(records)
        found: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = [(index[:0], index[:0], index[:0])]
        for column in self.columns:  # the records' numbers taken first, then their lengths and values
            picked = column.take(pa.array(index, pa.int64()))
            length = pc.fill_null(pc.utf8_length(picked), 0).to_numpy(zero_copy_only=False).astype(np.int64)
            plain = pc.fill_null(pc.ascii_is_decimal(picked), False).to_numpy(zero_copy_only=False) \
                & (length > 0) & (length <= _DIGITS)
            value = np.full(len(picked), -1, np.int64)
            value[plain] = pc.cast(picked.filter(pa.array(plain)), pa.int64()).to_numpy()
            there = length > 0
            found.append((index[there], length[there], value[there]))
        record, length, value = (np.concatenate(x) for x in zip(*found, strict=True))
        return record, length, value


_DIGITS = 18  # the longest run of digits an int64 holds


def components(n: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Each record's connected component under the edges ``a``–``b``, named by its smallest record index: every
    root hooked under the smallest root it has an edge to (``np.minimum.at``: a root's label is itself, so it takes
    the smallest; session 21, was a sort of the edges by both roots: 514,000 links over 1.43 M records 0.17-0.20 ->
    0.08 CPU-s), the paths then halved to their roots, until no edge crosses two components."""
    label = np.arange(n, dtype=np.int64)
    while len(a):
        la, lb = label[a], label[b]
        cross = la != lb
        a, b, la, lb = a[cross], b[cross], la[cross], lb[cross]
        if not len(a):
            break
        np.minimum.at(label, np.maximum(la, lb), np.minimum(la, lb))
        while True:
            up = label[label]
            if np.array_equal(up, label):
                break
            label = up
    return label


def _two_numbers(label: np.ndarray, numbers: _Numbers, among: np.ndarray | None = None) -> np.ndarray:
    """The components (``label``) holding two different numbers of one length — the only ones a number rule can
    split (:func:`_conflict` needs two numbers of one length) — or a number that is not a plain run of digits; of
    the records of ``among`` (bool per record; default: those of the components of two records or more)."""
    if among is None:
        size = np.bincount(label, minlength=len(label))
        among = size[label] > 1
    record, length, value = numbers.held(among)
    held = label[record]
    # one sort on (component, length) and each group's smallest and largest value, not a sort on the values too
    # (session 20); every length beyond _DIGITS (all valued -1) in one group
    unreadable = held[value < 0]
    key = held * (_DIGITS + 2) + np.minimum(length, _DIGITS + 1)
    order = np.argsort(key)
    key, value = key[order], value[order]
    starts = np.flatnonzero(np.concatenate([[True], key[1:] != key[:-1]])) if len(key) else key[:0]
    two = np.minimum.reduceat(value, starts) != np.maximum.reduceat(value, starts) if len(key) else starts[:0] > 0
    two[two] = _may_conflict(key, value, starts, np.flatnonzero(two))
    return np.union1d(unreadable, key[starts][two] // (_DIGITS + 2))


def _may_conflict(key: np.ndarray, value: np.ndarray, starts: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Which of ``groups`` (numbers of one component and length, ``key`` sorted; more than one value) hold two numbers
    the rule keeps apart (:func:`_conflict`): a group of exactly two values is tested on their digits, any other
    (three values or more, an unreadable number) counts as holding them. A component whose numbers are all one
    keying slip from each other (a person's number mistyped: most of those holding two numbers) can lose no link
    to the number rule: its links are all taken at once (session 21)."""
    size = np.append(starts[1:], len(key))[groups] - starts[groups]
    member = np.repeat(groups, size)
    at = np.arange(len(member)) + np.repeat(starts[groups] - (np.cumsum(size) - size), size)  # the groups' entries
    order = np.lexsort((value[at], member))
    member, values = member[order], value[at][order]
    first = np.ones(len(member), bool)
    first[1:] = (member[1:] != member[:-1]) | (values[1:] != values[:-1])
    member, values = member[first], values[first]
    count = np.bincount(np.searchsorted(groups, member), minlength=len(groups))
    pair = count == 2
    low = values[np.searchsorted(member, groups[pair])]  # each pair's smaller value, then its larger
    high = values[np.searchsorted(member, groups[pair]) + 1]
    conflict = np.ones(len(groups), bool)
    lengths = key[starts[groups[pair]]] % (_DIGITS + 2)
    conflict[pair] = (low >= 0) & _apart_digits(low, high, lengths)
    return conflict


def _apart_digits(x: np.ndarray, y: np.ndarray, length: np.ndarray) -> np.ndarray:
    """:func:`_conflict` of the numbers ``x`` and ``y`` written with ``length`` digits (leading zeros kept; at most
    :data:`_DIGITS`): more than one keying slip apart, and for 9 digits (a CMND) the same first three."""
    place = 10 ** np.arange(_DIGITS, dtype=np.int64)
    dx, dy = (x[:, None] // place) % 10, (y[:, None] // place) % 10
    diff = (dx != dy) & (np.arange(_DIGITS) < length[:, None])
    count = diff.sum(axis=1)
    i = np.argmax(diff, axis=1)
    j = np.minimum(i + 1, _DIGITS - 1)
    rows = np.arange(len(x))
    swap = (count == 2) & diff[rows, j] & (dx[rows, i] == dy[rows, j]) & (dx[rows, j] == dy[rows, i])
    apart = (count > 1) & ~swap
    return apart & ((length != 9) | (x // 10 ** 6 == y // 10 ** 6))


class _UnionFind:
    def __init__(self, n: int, ids: Iterable[Ids] | pa.Table | None = None) -> None:
        self.parent = list(range(n))
        self.apart: dict[int, dict[int, str]] = {}
        # a cluster's numbers (by root), read when a link first reaches it (:meth:`_read`): one number as itself,
        # several as a tuple, a set once clusters merged
        self.ids: dict[int, str | tuple[str, ...] | set[str]] = {}
        self.numbers = _Numbers(ids)
        self.unread = bytearray(b"\x01") * n  # roots whose numbers are not in ``ids`` yet
        self.dropped: list[int] = []  # roots joined under another since :func:`_join` last read the roots
        self.members = np.zeros(0, np.int64)  # the records of the settled clusters of two or more, by cluster
        self.member_roots = np.zeros(0, np.int64)
        self.pending: dict[int, list[int]] = {}  # the records of clusters joined at once since (:func:`add_links`)

    def settle(self, label: np.ndarray, hard: np.ndarray) -> np.ndarray:
        """Join every component ``label`` at once but those of ``hard`` (bool per record): their records stay
        alone, to be joined link by link under the rules. Returns each record's root."""
        root = np.where(hard, np.arange(len(label), dtype=np.int64), label)
        self.parent = root.tolist()
        alone = np.flatnonzero(hard).tolist()  # each alone for now: its own numbers
        for i, numbers in zip(alone, self.numbers.of_many(alone), strict=True):
            self.unread[i] = 0
            if numbers:
                self.ids[i] = numbers[0] if len(numbers) == 1 else numbers
        size = np.bincount(root, minlength=len(root))
        grouped = np.flatnonzero(size[root] > 1)
        order = np.argsort(root[grouped], kind="stable")
        self.members, self.member_roots = grouped[order], root[grouped][order]
        return root

    def _read(self, root: int) -> None:
        """Put the numbers of ``root``'s cluster in ``ids`` as the links one by one would have: a record's own
        numbers while it is its cluster's only holder and its root, else their set."""
        if not self.unread[root]:
            return
        self.unread[root] = 0
        if root in self.pending:
            records = self.pending.pop(root)
        else:
            lo, hi = np.searchsorted(self.member_roots, [root, root + 1])
            records = self.members[lo:hi].tolist() if hi > lo else [root]
        holders = [(i, numbers) for i in records if (numbers := self.numbers.of(i))]
        if len(holders) == 1 and holders[0][0] == root:
            numbers = holders[0][1]
            self.ids[root] = numbers[0] if len(numbers) == 1 else numbers
        elif holders:
            self.ids[root] = {x for _, numbers in holders for x in numbers}

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
            # two different slips of one CMND are two slips apart from each other, each one from the number. Two
            # CCCDs in conflict are the reason whenever they are (a merged cluster's numbers are a set: the first
            # conflict found would depend on its order, and the reason shown would change from run to run)
            conflict = max((len(x) for x in left for y in right
                            if _conflict(x, y) and not _near(x, right) and not _near(y, left)), default=0)
            if conflict:
                return "conflicting_cccd" if conflict == 12 else "conflicting_cmnd"
        return None

    def join_at_once(self, links: list[tuple[int, int]], root: np.ndarray, merged: np.ndarray) -> None:
        """Join the clusters of ``links`` (in order) that no rule can keep apart (:func:`add_links`), as
        :meth:`union` would, without reading their numbers: the clusters' numbers are read again from their records
        (``merged``: each record's cluster after these links; ``root``: before) when a later link reaches them."""
        parent = self.parent
        for a, b in links:
            ra, rb = self.find(a), self.find(b)
            if ra == rb:
                continue
            keep, drop = (ra, rb) if ra < rb else (rb, ra)
            parent[drop] = keep
            self.dropped.append(drop)
            if drop in self.apart:
                kept = self.apart.setdefault(keep, {})
                for member, why in self.apart.pop(drop).items():
                    kept.setdefault(member, why)
        touched = np.unique(root[np.array([x for link in links for x in link], np.int64)])
        records = np.flatnonzero(np.isin(root, touched))
        records = records[np.argsort(merged[records], kind="stable")]
        groups = np.flatnonzero(np.diff(merged[records])) + 1
        for group in np.split(records, groups) if len(records) else []:
            keep = int(merged[group[0]])
            self.pending[keep] = group.tolist()
            self.unread[keep] = 1
        for r in touched.tolist():
            self.ids.pop(r, None)

    def union(self, a: int, b: int, forced: bool = False) -> str | None:
        """Join the clusters of a and b unless a decision or a rule keeps them apart; the reason when skipped."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return None
        self._read(ra)
        self._read(rb)
        reason = self._blocked(ra, rb, forced)
        if reason:
            return reason
        keep, drop = (ra, rb) if ra < rb else (rb, ra)
        self.parent[drop] = keep
        self.dropped.append(drop)
        if drop in self.apart:
            merged = self.apart.setdefault(keep, {})
            for member, why in self.apart.pop(drop).items():
                merged.setdefault(member, why)
        if drop in self.ids:
            self.ids[keep] = set(_numbers(self.ids.get(keep, ()))) | set(_numbers(self.ids.pop(drop)))
        return None


def cluster(n: int, links: Iterable[tuple[int, int, float]] | Links, same: Iterable[tuple[int, int]] = (),
            different: Iterable[tuple[int, int]] = (), ids: Iterable[Ids] | pa.Table | None = None,
            apart: Iterable[tuple[int, int, str]] = ()) -> Clusters:
    """Clusters of ``n`` records from links ``(i, j, probability)`` already at or above the match threshold.

    ``ids``: each record's valid CCCD, or its (CCCD, CMND), None where absent, in record order — or an Arrow table of
    those numbers, one column each; ``apart``: pairs a rule keeps apart, with the rule's name (iterated once, after
    the components are found).
    """
    uf = _UnionFind(n, ids)
    forced = sorted((min(a, b), max(a, b)) for a, b in same)
    edges = Links.of(links)
    forced_a, forced_b = np.array([a for a, _ in forced], np.int64), np.array([b for _, b in forced], np.int64)
    label = components(n, np.concatenate([edges.a, forced_a]), np.concatenate([edges.b, forced_b]))
    two = _two_numbers(label, uf.numbers)
    # the pairs kept apart are read only now: ``apart`` may be a query still running (persons.person_clusters)
    for a, b in different:
        uf.forbid(a, b)
    for a, b, reason in apart:
        uf.forbid(a, b, reason)
    # the components a rule or a decision may split: those holding a pair kept apart, a forced link or two numbers
    ruled = np.concatenate([forced_a, forced_b, np.array(list(uf.apart), np.int64)])
    hard = np.isin(label, np.concatenate([label[ruled], two]))
    out = Clusters([], _uf=uf, _root=uf.settle(label, hard))
    inside = edges.take(hard[edges.a]) if len(edges) else edges
    _join(out, [(p, True) for p in forced] + [((a, b), False) for a, b, _ in _ordered(inside.rows())])
    return out


def _ordered(links: Iterable[tuple[int, int, float]]) -> list[tuple[int, int, float]]:
    """Strongest first, ties by record order."""
    return sorted(links, key=lambda e: (-e[2], min(e[0], e[1]), max(e[0], e[1])))


def add_links(clusters: Clusters, links: Iterable[tuple[int, int, float]] | Links) -> Clusters:
    """``clusters`` (from :func:`cluster`) with more links added after those it holds, strongest first, under the
    same decisions and rules (e.g. the weaker links of :func:`hopnhat.link.persons.only_candidates`).

    As in :func:`cluster`, only where the clusters these links join hold a pair kept apart or two numbers of one
    length can a rule skip a link: those links are added one by one, the others join their clusters at once
    (:meth:`_UnionFind.join_at_once`; at 1 M records 11,000 links, most of them joining clusters of one person's
    records whose numbers were read one record at a time)."""
    rows = links.rows() if isinstance(links, Links) else links
    ordered = [(a, b) for a, b, _ in _ordered(rows)]
    uf = clusters._uf
    assert uf is not None
    root = clusters._root if clusters._root is not None else np.arange(len(uf.parent), dtype=np.int64)
    if not ordered:
        return _join(clusters, [])
    ruled, merged = _ruled(uf, root, ordered)  # a link inside one cluster (None) changes nothing
    easy = [link for link, hard in zip(ordered, ruled, strict=True) if hard is False]
    return _join(clusters, [(link, False) for link, hard in zip(ordered, ruled, strict=True) if hard],
                 at_once=(easy, root, merged) if easy else None)


def _ruled(uf: _UnionFind, root: np.ndarray,
           links: list[tuple[int, int]]) -> tuple[list[bool | None], np.ndarray]:
    """Which of ``links`` join clusters (``root``) a rule may keep apart: those of a group of clusters the links
    join that holds a pair kept apart (a decision or a rule's pair) or two numbers of one length (:func:`_two_numbers`;
    None: a link inside one cluster); and each record's cluster once every link is added (the smallest root of its
    group)."""
    a, b = (np.array([x[i] for x in links], np.int64) for i in (0, 1))
    ra, rb = root[a], root[b]
    label = components(len(root), ra, rb)
    merged = label[root]
    joined = np.zeros(len(root), bool)
    joined[label[ra[ra != rb]]] = True
    hard = np.zeros(len(root), bool)
    if uf.apart:
        x = np.array([k for k, members in uf.apart.items() for _ in members], np.int64)
        y = np.array([m for members in uf.apart.values() for m in members], np.int64)
        hard[merged[x][merged[x] == merged[y]]] = True
    hard[_two_numbers(merged, uf.numbers, joined[merged])] = True
    return [None if same else bool(h) for h, same in zip(hard[label[ra]].tolist(), (ra == rb).tolist(),
                                                         strict=True)], merged


def _join(out: Clusters, links: Sequence[tuple[tuple[int, int], bool]],
          at_once: tuple[list[tuple[int, int]], np.ndarray, np.ndarray] | None = None) -> Clusters:
    uf = out._uf
    assert uf is not None
    uf.dropped = []
    if at_once is not None:
        uf.join_at_once(*at_once)
    for (a, b), is_forced in links:
        why = uf.union(a, b, is_forced)
        if why:
            out.kept_apart.append((a, b))
            out.reasons[(min(a, b), max(a, b))] = why
    root = out._root if out._root is not None else np.arange(len(uf.parent), dtype=np.int64)
    if uf.dropped:  # the records of a joined cluster: its new root
        moved = np.arange(len(root), dtype=np.int64)
        moved[uf.dropped] = [uf.find(r) for r in uf.dropped]
        root = moved[root]
    out._root = root
    out.root = root.tolist()
    return out
