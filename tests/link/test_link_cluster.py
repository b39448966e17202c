"""Clustering with decisions: forced links, records kept apart even through a chain of links."""

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hopnhat.link.cluster import cluster


def test_connected_components() -> None:
    result = cluster(5, [(0, 1, 0.99), (1, 2, 0.97), (3, 4, 0.96)])
    assert result.root == [0, 0, 0, 3, 3] and result.count() == 2


def test_different_breaks_the_weakest_link_of_a_chain() -> None:
    result = cluster(3, [(0, 1, 0.99), (1, 2, 0.96)], different=[(0, 2)])
    assert result.root == [0, 0, 2]
    assert result.kept_apart == [(1, 2)]


def test_same_forces_a_link() -> None:
    result = cluster(4, [], same=[(1, 3)])
    assert result.root == [0, 1, 2, 1]


def test_same_against_different_keeps_apart() -> None:
    result = cluster(2, [(0, 1, 0.999)], same=[], different=[(0, 1)])
    assert result.root == [0, 1]


def test_order_of_links_does_not_matter() -> None:
    links = [(0, 1, 0.97), (1, 2, 0.99), (2, 3, 0.98), (0, 3, 0.96)]
    a = cluster(4, links, different=[(0, 2)])
    b = cluster(4, list(reversed(links)), different=[(2, 0)])
    assert a.root == b.root


def test_two_valid_cccds_keep_records_apart_even_through_a_chain() -> None:
    ids = ["049085001234", None, "048090765432"]  # 0 and 2: two people; 1 has no CCCD
    result = cluster(3, [(0, 1, 0.99), (1, 2, 0.98)], ids=ids)
    assert result.root == [0, 0, 2]
    assert result.reasons == {(1, 2): "conflicting_cccd"}


def test_two_cmnds_of_one_province_keep_namesakes_apart() -> None:
    # namesakes born the same day: one CMND each (both issued in Đà Nẵng, 201…), a third record with no number
    ids = [(None, "201365309"), (None, None), ("049085001234", "201648812")]
    result = cluster(3, [(0, 1, 0.99), (1, 2, 0.98)], ids=ids)
    assert result.root == [0, 0, 2] and result.reasons == {(1, 2): "conflicting_cmnd"}


def test_two_clusters_in_conflict_on_both_numbers_are_kept_apart_for_their_cccds() -> None:
    # each group: a CMND record linked to a CCCD record (no proof either way), twice, then the two clusters — whose
    # CCCDs and CMNDs both conflict. The reason must not depend on the order of a merged cluster's set of numbers:
    # twenty groups of other numbers, each set iterated in its own order
    ids: list[tuple[str | None, str | None]] = []
    links = []
    for g in range(20):
        ids += [(None, f"201{g:03d}111"), (f"049085{g:03d}111", None), (None, f"201{g:03d}999"),
                (f"048090{g:03d}999", None)]
        links += [(4 * g, 4 * g + 1, 0.99), (4 * g + 2, 4 * g + 3, 0.99), (4 * g + 1, 4 * g + 2, 0.98)]
    result = cluster(80, links, ids=ids)
    assert result.root == [4 * (i // 4) + (2 if i % 4 >= 2 else 0) for i in range(80)]
    assert result.reasons == {(4 * g + 1, 4 * g + 2): "conflicting_cccd" for g in range(20)}


def test_cmnds_of_two_provinces_or_a_cmnd_beside_a_cccd_do_not_keep_apart() -> None:
    moved = cluster(2, [(0, 1, 0.99)], ids=[(None, "201365309"), (None, "205648812")])  # a new CMND after a move
    beside = cluster(2, [(0, 1, 0.99)], ids=[(None, "201365309"), ("049085001234", None)])  # CMND ↔ CCCD: no proof
    slip = cluster(2, [(0, 1, 0.99)], ids=[(None, "201365309"), (None, "201365809")])
    assert moved.root == beside.root == slip.root == [0, 0]


def test_two_slips_of_one_cmnd_beside_the_number_both_hold_do_not_keep_apart() -> None:
    # one person's records: the CMND and the CCCD; the CMND with one slip; the CMND with another slip and the CCCD.
    # The two slips are two digits apart, but the clusters share the CCCD: one person.
    ids = [("001180598232", "201303626"), (None, "201303686"), ("001180598232", "201303886")]
    result = cluster(3, [(0, 1, 0.99), (1, 2, 0.98)], ids=ids)
    assert result.root == [0, 0, 0] and not result.reasons
    # the record with the plain CMND alone, against the two others already one cluster: its number is a slip of one
    # the cluster holds
    chain = cluster(3, [(1, 2, 0.99), (0, 1, 0.98)], ids=[(None, "201303626"), ("001180598232", "201303686"),
                                                           ("001180598232", "201303886")])
    assert chain.root == [0, 0, 0] and not chain.reasons


def test_one_keying_slip_between_cccds_does_not_keep_apart() -> None:
    changed = cluster(2, [(0, 1, 0.99)], ids=["049085001234", "049085001284"])
    swapped = cluster(2, [(0, 1, 0.99)], ids=["049085001234", "049085002134"])
    assert changed.root == [0, 0] and swapped.root == [0, 0]


def test_a_person_decision_overrides_the_cccd_rule_not_a_different_decision() -> None:
    ids = ["049085001234", "048090765432"]
    assert cluster(2, [], same=[(0, 1)], ids=ids).root == [0, 0]
    assert cluster(2, [], same=[(0, 1)], different=[(0, 1)]).root == [0, 1]


def test_household_rule_reason_is_kept() -> None:
    result = cluster(3, [(0, 1, 0.99), (1, 2, 0.97)], apart=[(0, 2, "household")])
    assert result.root == [0, 0, 2] and result.reasons == {(1, 2): "household"}


# --- the components shortcut (session 15): the same clusters as adding every link one by one ------------------------

_CCCDS = ["049085001234", "049085001284", "049085002134", "048090765432", "04908500123x", ""]
_CMNDS = ["201365309", "201365809", "205648812", "201303626", "201303686", "201648812", "12a"]


def _one_by_one(n: int, links: list[tuple[int, int, float]], same: list[tuple[int, int]],
                different: list[tuple[int, int]], ids: list[tuple[str | None, str | None]],
                apart: list[tuple[int, int, str]], later: list[tuple[int, int, float]],
                last: list[tuple[int, int, float]] = ()) -> tuple[object, ...]:  # type: ignore[assignment]
    """Every link through the union-find one at a time, strongest first (what cluster() did before session 15)."""
    from hopnhat.link.cluster import _UnionFind

    uf = _UnionFind(n, ids)
    for a, b in different:
        uf.forbid(a, b)
    for a, b, reason in apart:
        uf.forbid(a, b, reason)
    kept: list[tuple[int, int]] = []
    reasons: dict[tuple[int, int], str] = {}
    order = sorted((min(a, b), max(a, b)) for a, b in same)
    steps = [(a, b, True) for a, b in order]
    roots = []
    for batch in (links, later, list(last)):
        steps += [(a, b, False) for a, b, _ in sorted(batch, key=lambda e: (-e[2], min(e[:2]), max(e[:2])))]
        for a, b, is_forced in steps:
            why = uf.union(a, b, is_forced)
            if why:
                kept.append((a, b))
                reasons[(min(a, b), max(a, b))] = why
        roots.append([uf.find(i) for i in range(n)])
        steps = []
    return roots[0], roots[1], kept, reasons, roots[2]


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_components_give_the_clusters_of_one_link_at_a_time(data: st.DataObject) -> None:
    from hopnhat.link.cluster import Links, add_links

    n = data.draw(st.integers(1, 12))
    record = st.integers(0, n - 1)
    pair = st.tuples(record, record)
    link = st.tuples(record, record, st.sampled_from([0.95, 0.96, 0.99, 1.0]))
    links, later = data.draw(st.lists(link, max_size=16)), data.draw(st.lists(link, max_size=6))
    last = data.draw(st.lists(link, max_size=4))  # a second add_links, after clusters joined at once
    same, different = data.draw(st.lists(pair, max_size=2)), data.draw(st.lists(pair, max_size=2))
    apart = [(a, b, "household") for a, b in data.draw(st.lists(pair, max_size=2))]
    ids = data.draw(st.lists(st.tuples(st.sampled_from([None, None, *_CCCDS]), st.sampled_from([None, None, *_CMNDS])),
                             min_size=n, max_size=n))
    as_table = pa.table({"cccd": [c for c, _ in ids], "cmnd": [m for _, m in ids]})
    expected = _one_by_one(n, links, same, different, ids, apart, later, last)
    for given_ids, given_links in ((ids, links), (as_table, Links.of(links))):
        result = cluster(n, given_links, same, different, ids=given_ids, apart=apart)
        first = list(result.root)
        result = add_links(result, later)
        second = list(result.root)
        result = add_links(result, last)
        assert (first, second, result.kept_apart, result.reasons, result.root) == expected


def test_components_are_named_by_their_smallest_record() -> None:
    import numpy as np

    from hopnhat.link.cluster import components

    label = components(7, np.array([6, 5, 4, 2], np.int64), np.array([5, 4, 1, 1], np.int64))
    assert label.tolist() == [0, 1, 1, 3, 1, 1, 1]


# --- session 21: a component whose numbers are one keying slip apart is joined at once ------------------------------

def _digit_strings(length: int) -> st.SearchStrategy[tuple[str, str]]:
    """Two numbers of ``length`` digits: unrelated, one digit changed, two neighbours swapped, or two slips."""
    digits = st.text(alphabet="0123456789", min_size=length, max_size=length)

    def slipped(pair: tuple[str, int, int, str]) -> tuple[str, str]:
        a, where, how, digit = pair
        b = list(a)
        if how == 0:
            b[where] = digit
        elif how == 1 and where + 1 < length:
            b[where], b[where + 1] = b[where + 1], b[where]
        else:
            b[where], b[(where + 3) % length] = digit, digit
        return a, "".join(b)

    return st.one_of(st.tuples(digits, digits), st.tuples(digits, st.integers(0, length - 1), st.integers(0, 2),
                                                           st.sampled_from("0123456789")).map(slipped))


@settings(max_examples=400, deadline=None)
@given(st.sampled_from([9, 12, 5, 18]).flatmap(lambda n: st.tuples(st.just(n), _digit_strings(n))))
def test_the_digit_test_is_the_conflict_rule(drawn: tuple[int, tuple[str, str]]) -> None:
    # cluster._apart_digits over integers (leading zeros kept by the length) against cluster._conflict over the text
    import numpy as np

    from hopnhat.link.cluster import _apart_digits, _conflict

    length, (a, b) = drawn
    found = _apart_digits(np.array([int(a)], np.int64), np.array([int(b)], np.int64), np.array([length], np.int64))
    assert bool(found[0]) == _conflict(a, b)


def test_a_component_of_one_persons_slipped_numbers_is_joined_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    # one CCCD and its slip (one digit changed), one CMND and its slip: no link of these components can be kept apart,
    # so none is added one by one; a component with two CCCDs further apart still is, and loses its weakest link
    from hopnhat.link import cluster as module

    unions: list[tuple[int, int]] = []
    union = module._UnionFind.union

    def counted(self: object, a: int, b: int, forced: bool = False) -> str | None:
        unions.append((a, b))
        return union(self, a, b, forced)  # type: ignore[arg-type]

    monkeypatch.setattr(module._UnionFind, "union", counted)
    ids = [("049085001234", None), ("049085001284", None), (None, "201365309"), (None, "201365809"),
           ("049085001234", None), ("048090765432", None)]
    links = [(0, 1, 0.99), (2, 3, 0.98), (3, 4, 0.97), (4, 5, 0.96)]
    result = cluster(6, links, ids=ids)
    assert result.root == [0, 0, 2, 2, 2, 5] and result.reasons == {(4, 5): "conflicting_cccd"}
    assert sorted(unions) == [(2, 3), (3, 4), (4, 5)]  # 0-1 joined at once: one CCCD and its slip


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 40).flatmap(lambda n: st.tuples(st.just(n), st.lists(
    st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=60))))
def test_components_are_the_connected_components(drawn: tuple[int, list[tuple[int, int]]]) -> None:
    # against a plain union-find: each record labelled with the smallest record of its component
    import numpy as np

    from hopnhat.link.cluster import components

    n, edges = drawn
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    for a, b in edges:
        ra, rb = find(a), find(b)
        parent[max(ra, rb)] = min(ra, rb)
    label = components(n, np.array([a for a, _ in edges], np.int64), np.array([b for _, b in edges], np.int64))
    assert label.tolist() == [find(i) for i in range(n)]
