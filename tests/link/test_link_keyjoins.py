"""Blocking joins on keys in compiled code (hopnhat.link.keyjoins) give exactly the pairs of the joins' SQL."""

from __future__ import annotations

from collections import Counter
from typing import Any

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.link.conftest import Built

from hopnhat.link import keyjoins, person_model, persons
from hopnhat.link.joins import Join, Keys, joins_of
from hopnhat.link.person_features import KEY_CODES
from hopnhat.link.run import work_space


def _sql_pairs(work: duckdb.DuckDBPyConnection, table: str, join: Join) -> Counter[tuple[int, int]]:
    return Counter((int(a), int(b)) for a, b in work.execute(join.sql(table)).fetchall())


def _kernel_pairs(work: duckdb.DuckDBPyConnection, table: str,
                  joins: list[Join]) -> dict[Join, Counter[tuple[int, int]]]:
    values, plans, _ = keyjoins.plan(work, table, joins)
    out = {}
    for plan in plans:
        assert values is not None
        a, b = keyjoins.pairs(values, plan)
        out[plan.join] = Counter(zip(a.tolist(), b.tolist(), strict=True))
    return out


def test_conditions_read_as_keys() -> None:
    join = Join("(l.k_fam = r.k_fam AND l.byear + 1 = r.byear AND l.vague AND (r.mid IS NULL) "
                "AND (l.k_mid = r.k_mid OR l.mid IS NULL OR r.name_n <= 2))", True)
    assert join.keys() == Keys(equal=(("k_fam", "k_fam"), ("byear + 1", "byear")), left=("vague",),
                               right=("mid IS NULL",),
                               any_of=((("=", "k_mid", "k_mid"), ("l", "mid IS NULL"), ("r", "name_n <= 2")),))
    assert Join("r.byear = l.byear + 1", False).keys() == Keys((("byear + 1", "byear"),), (), (), ())
    assert Join("l.k_ns = r.k_ns AND abs(r.byear - l.byear) <= 1", False).keys() == Keys(
        (("k_ns", "k_ns"),), (), (), ((("~", "byear", "byear", "1"),),))
    assert Join("l.t = r.t AND (l.x = r.x OR r.f)", False).keys() == Keys(  # (= binds before OR)
        (("t", "t"),), (), (), ((("=", "x", "x"), ("r", "f")),))
    for condition in ("l.k_ns = r.k_ns AND abs(r.byear - l.byear + 1) <= 1",  # ((r - l) + 1: not a distance)
                      "l.t = r.t AND (l.x = r.x AND r.f OR l.f)",
                      "l.fam = r.fam AND l.byear BETWEEN 1 AND 2",
                      "l.vague AND r.vague",  # nothing to join on
                      "l.fam = r.fam AND (l.vague OR l.byear + r.byear = 3)",
                      "l.fam = r.fam OR l.giv = r.giv"):
        assert Join(condition, False).keys() is None, condition


def test_the_person_models_joins_give_their_sqls_pairs(built: Built) -> None:
    """Every join of the person model's rules, on the estate's features: the kernel's pairs are the SQL's, row for
    row (a pair twice where a mirrored join gives it twice); only the join with a text function of both records
    runs as SQL."""
    con = duckdb.connect(str(built.path), read_only=True)
    work = work_space(2, None)
    persons.load_features(con, work)
    con.close()
    joins = joins_of(list(person_model.BLOCKING), KEY_CODES)
    values, plans, rest = keyjoins.plan(work, "person_features", joins)
    assert len(plans) == 28 and len(rest) == 1 and all(j.keys() is None for j in rest)
    found = _kernel_pairs(work, "person_features", joins)
    total = 0
    for join, pairs in found.items():
        assert pairs == _sql_pairs(work, "person_features", join), join.condition
        total += sum(pairs.values())
    assert total > 5_000
    work.close()


_ROW = st.tuples(st.none() | st.integers(0, 3), st.none() | st.integers(0, 3),
                 st.none() | st.sampled_from(["a", "b", "ä"]),
                 st.none() | st.sampled_from([0, 1, 2**40, -(2**31)]), st.none() | st.booleans(),
                 st.none() | st.integers(0, 2), st.none() | st.sampled_from([1, -(2**31)]))
_CONDITIONS = [
    "l.x = r.x",
    "l.x = r.x AND l.y = r.y",
    "l.x + 1 = r.x AND l.f",
    "l.t = r.t AND (l.y = r.y OR l.f OR r.y IS NULL)",
    "l.big = r.big AND r.f",  # beyond 32 bits, and a value that is the kernel's NULL: coded in a dictionary
    "l.d = r.d AND l.t = r.t",  # dates
    "l.f = r.f AND l.x = r.y",  # booleans; an expression of each side that differs
    "lower(l.t) = r.t AND (l.x = r.x OR r.f)",  # texts of two expressions: one dictionary
    "l.x = r.x AND (l.f OR r.f) AND (l.y = r.x OR l.t IS NULL)",
    "l.m = r.m",  # the kernel's NULL as a value of 32 bits: coded in a dictionary
    "l.x = r.x AND abs(l.y - r.y) <= 1",  # distances
    "l.t = r.t AND (abs(r.d - l.d) <= 1 OR r.f)",
    "l.w = r.w",  # a float: run as SQL
]


@settings(max_examples=60, deadline=None)
@given(st.lists(_ROW, min_size=0, max_size=40), st.booleans())
def test_any_keys_any_values(rows: list[tuple[Any, ...]], both: bool) -> None:
    """Small tables of few values, NULLs among them: every join on keys gives exactly its SQL's pairs."""
    work = duckdb.connect()
    work.execute("CREATE TABLE t (uid BIGINT, x INTEGER, y INTEGER, t VARCHAR, big BIGINT, f BOOLEAN, "
                 "d DATE, m INTEGER, w DOUBLE)")
    if rows:
        work.executemany("INSERT INTO t VALUES (?, ?, ?, ?, ?, ?, DATE '2000-01-01' + CAST(? AS INTEGER), ?, ?)",
                         [[i, x, y, t, big, f, d, m, None if x is None else x / 2] for i, (x, y, t, big, f, d, m)
                          in enumerate(rows)])
    joins = [Join(c, both) for c in _CONDITIONS]
    values, plans, rest = keyjoins.plan(work, "t", joins)
    assert [j.condition for j in rest] == ["l.w = r.w"] and len(plans) == len(joins) - 1
    for join, pairs in _kernel_pairs(work, "t", joins).items():
        assert pairs == _sql_pairs(work, "t", join), join
    work.close()


def test_records_out_of_uid_order() -> None:
    """A table not in uid order is read in uid order: the same pairs."""
    work = duckdb.connect()
    work.execute("CREATE TABLE t AS SELECT 99 - i AS uid, i % 7 AS x FROM range(100) r(i)")
    join = Join("l.x = r.x", False)
    assert _kernel_pairs(work, "t", [join])[join] == _sql_pairs(work, "t", join)


def test_uids_not_numbered_from_zero_run_as_sql() -> None:
    work = duckdb.connect()
    work.execute("CREATE TABLE t AS SELECT 10 + i AS uid, i % 7 AS x FROM range(100) r(i)")
    values, plans, rest = keyjoins.plan(work, "t", [Join("l.x = r.x", False)])
    assert values is None and plans == [] and len(rest) == 1


def test_a_join_without_keys_is_refused_by_the_kernel() -> None:
    import numpy as np

    from hopnhat.link.keyjoin_kernel import pairs

    with pytest.raises(ValueError, match="one at least"):
        pairs(np.zeros((1, 3), np.int32), np.zeros(3, np.uint32), np.zeros(0, np.int32), np.zeros(0, np.int32),
              0, 0, np.zeros((0, 5), np.int32), False)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.integers(0, 2**32 - 1), max_size=200), st.lists(st.integers(0, 2**32 - 1), max_size=200))
def test_the_larger_side_keeps_every_record_the_smaller_may_pair(hashes: list[int], other: list[int]) -> None:
    """A side filtered by the other side's hashes (keyjoin_kernel.among) keeps, in order, every record whose hash the
    other side has; the others it drops are dropped for good reason (the few it keeps are the bitmap's collisions)."""
    import numpy as np

    from hopnhat.link.keyjoin_kernel import among

    h = np.array(hashes, dtype=np.uint32)
    uids = np.arange(len(h), dtype=np.int32)
    kept_h, kept_u = among(h, uids, np.array(other, dtype=np.uint32))
    assert kept_u.tolist() == sorted(kept_u.tolist()) and (h[kept_u] == kept_h).all()
    assert {i for i, x in enumerate(hashes) if x in set(other)} <= set(kept_u.tolist())
    if not other:
        assert len(kept_u) == 0
