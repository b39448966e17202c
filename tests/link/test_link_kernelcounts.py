"""Training's counts read by the compiled kernel (link/kernelcounts.py) are the SQL's, count for count: EM's agreement
patterns over a rule's pairs and u's levels over the sample's pairs, the pairs the kernel cannot read exactly (several
bits in a mask) counted by the SQL."""

from __future__ import annotations

from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pytest
from tests.link.conftest import Built, features_backend

from hopnhat.link import firstpass, kernelcounts, person_model, persons
from hopnhat.link.engine import _linker
from hopnhat.link.training import (
    U_SEED,
    _u_level_counts_sql,
    _without_tf,
    estimate_u_sql,
    pattern_counts_sql,
    term_frequencies,
)

RULES = [*person_model.TRAINING, "l.dob = r.dob AND l.addr = r.addr", "l.byear = r.byear AND l.sex = r.sex"]


def _sorted(table: pa.Table) -> pa.Table:
    return pa.Table.from_batches(table.sort_by([(c, "ascending") for c in table.column_names]).to_batches())


@pytest.fixture(scope="module")
def reading(built: Built) -> Any:
    work, backend, source, n = features_backend(built)
    linker = _linker(backend, source, persons.SPEC.settings(None))
    term_frequencies(linker, "person_features")
    levels = kernelcounts.reader(work, linker, "person_features")
    assert levels is not None and n > 3000
    yield work, linker, levels, backend, source
    backend.close()
    work.close()


@pytest.mark.parametrize("rule", RULES)
def test_pattern_counts_read_by_the_kernel_are_the_sqls(reading: Any, rule: str) -> None:
    """Each session's comparisons (the training rules drop those they imply) and two wider rules."""
    from hopnhat.link.em import _session

    work, _, levels, backend, source = reading
    linker = _linker(backend, source, persons.SPEC.settings(None))  # (a session drops comparisons from its linker)
    comparisons = _session(linker, rule).core_model_settings.comparisons
    theirs = _sorted(pattern_counts_sql(work, linker, "person_features", rule, comparisons))
    own = _sorted(kernelcounts.pattern_counts(work, levels, linker, "person_features", rule, comparisons))
    assert theirs.num_rows >= 5 and own.schema == theirs.schema
    assert own.equals(theirs)


def test_u_counts_read_by_the_kernel_are_the_sqls_with_pairs_left_to_the_sql(reading: Any) -> None:
    """Every pair of 753 records (283,128 pairs, some the kernel cannot read exactly: counted by the SQL)."""
    work, _, levels, backend, source = reading
    linker = _linker(backend, source, persons.SPEC.settings(None))
    comparisons = _without_tf(linker._settings_obj.comparisons)
    sample = "AND uid % 5 = 1"
    uids = np.sort(work.execute(f"SELECT uid FROM person_features WHERE 1=1 {sample}").fetchnumpy()["uid"])
    i, j = np.triu_indices(len(uids), 1)
    left, right = np.ascontiguousarray(uids[i], dtype=np.int64), np.ascontiguousarray(uids[j], dtype=np.int64)
    _, exact = levels.gammas(left, right, comparisons)
    assert len(uids) > 700 and 0 < int((~exact).sum()) < len(exact) // 10
    own = kernelcounts.level_counts(work, levels, linker, "person_features", uids, comparisons)
    assert own == _u_level_counts_sql(work, linker, "person_features", sample, comparisons)


def test_u_estimated_with_the_kernel_is_the_sqls(reading: Any) -> None:
    work, _, levels, backend, source = reading
    found = []
    for by_kernel in (True, False):
        fresh = _linker(backend, source, persons.SPEC.settings(None))
        estimate_u_sql(work, fresh, "person_features", 5e4, seed=U_SEED, levels=levels if by_kernel else None)
        model = fresh.misc.save_model_to_json()
        found.append([[lvl.get("u_probability") for lvl in comp["comparison_levels"]] for comp in model["comparisons"]])
    assert found[0] == found[1]
    assert sum(isinstance(u, float) and 0 < u < 1 for levels_u in found[0] for u in levels_u) > 20


def test_another_model_is_counted_by_the_sql(built: Built) -> None:
    """The kernel reads the person model only: a model of other comparisons gets no reader."""
    work, backend, source, _ = features_backend(built)
    try:
        settings = persons.SPEC.settings(None)
        settings = {**settings, "comparisons": settings["comparisons"][:3]}
        assert kernelcounts.reader(work, _linker(backend, source, settings), "person_features") is None
    finally:
        backend.close()
        work.close()


def test_training_hands_its_kernel_to_the_first_pass(built: Built) -> None:
    """Training's kernel, handed to the scoring first pass of the same input frame and reweighed with the trained
    model, gives every candidate pair the levels and weight bound of a kernel built for scoring, bit for bit; it is
    taken once."""
    from tests.link.conftest import candidates_backend

    work, backend, source, linker, pairs = candidates_backend(built)  # (trains: hands its kernel over)
    try:
        assert firstpass._HANDED.get(source) is not None
        handed = firstpass.kernel(work, linker, "person_features")
        assert firstpass._HANDED.get(source) is None
        fresh = firstpass.kernel(work, linker, "person_features")
        assert handed is not fresh
        got = work.execute(f"SELECT join_key_l, join_key_r FROM {pairs}").fetchnumpy()
        left, right = (np.ascontiguousarray(got[c], dtype=np.int64) for c in ("join_key_l", "join_key_r"))
        (masks_a, weights_a), (masks_b, weights_b) = handed.levels(left, right), fresh.levels(left, right)
        assert len(left) > 2000 and np.array_equal(masks_a, masks_b) and np.array_equal(weights_a, weights_b)
        floor = float(np.median(weights_b))
        assert np.array_equal(handed.keep_mask(left, right, floor), fresh.keep_mask(left, right, floor))
    finally:
        backend.close()
        work.close()


def test_records_read_unsorted_come_in_uid_order(reading: Any) -> None:
    """The kernel's records read as a table holds them: rows stored in another order are put in uid order (the same
    rows and texts as from the table in uid order); uids that are not 0 … n-1 give no records (the SQL counts)."""
    work, linker, *_ = reading
    work.execute("CREATE OR REPLACE TABLE shuffled AS SELECT * FROM person_features ORDER BY hash(uid)")
    work.execute("CREATE OR REPLACE TABLE gapped AS SELECT * FROM person_features WHERE uid <> 7")
    stored = work.execute("SELECT uid FROM shuffled").fetchnumpy()["uid"]
    assert not np.array_equal(stored, np.sort(stored))
    shuffled = firstpass.read_records(work, linker, "shuffled")
    ordered = firstpass.read_records(work, linker, "person_features")
    assert shuffled is not None and ordered is not None
    assert shuffled[0].tobytes() == ordered[0].tobytes()  # (the rows' term frequencies hold NaNs: bytes, not ==)
    for column in firstpass.TEXTS:
        offsets, data, valid = shuffled[1][column]
        offsets2, data2, valid2 = ordered[1][column]
        assert np.array_equal(offsets - offsets[0], offsets2 - offsets2[0]) and np.array_equal(valid, valid2)
        assert data[offsets[0]:offsets[-1]].tobytes() == data2[offsets2[0]:offsets2[-1]].tobytes()
    assert firstpass.read_records(work, linker, "gapped") is None


def _slices_table(cccds: list[str | None]) -> duckdb.DuckDBPyConnection:
    """A table of records with these CCCDs and the codes of the slices of :data:`kernelcounts.SLICES` (the number
    '1' || slice, as person_features codes them)."""
    work = duckdb.connect()
    work.execute("CREATE TABLE t (uid BIGINT, cccd VARCHAR, giv VARCHAR)")
    work.executemany("INSERT INTO t VALUES (?, ?, ?)", [(i, c, "an" if i % 3 else "binh") for i, c in enumerate(cccds)])
    for start, width in kernelcounts.SLICES["cccd"]:
        work.execute(f"ALTER TABLE t ADD COLUMN k_cc{start}_{width} BIGINT")
        work.execute(f"UPDATE t SET k_cc{start}_{width} = CAST('1' || substr(cccd, {start}, {width}) AS BIGINT)")
    return work


def _pair_set(pairs: tuple[np.ndarray, np.ndarray]) -> set[tuple[int, int]]:
    return set(zip(pairs[0].tolist(), pairs[1].tolist(), strict=True))


# CCCDs of 12 digits, shorter ones (a slice empty or cut short: '04908500123' and '049085001230' share their first
# nine digits), repeated, NULL
_CCCDS = ["049085001234", "049085001234", "04908500123", "04908500123", "049085001230", "0490850", "0490850", "049",
          "049", None, None, "079190000001", "079190000001", "079190000001", "049085001234", "0490851"]


def test_a_text_compared_whole_is_joined_on_the_codes_of_its_slices() -> None:
    """``l.cccd = r.cccd`` is joined on the codes of the slices that tile the CCCD: the same pairs as the SQL's
    join on the texts, NULLs never equal; a rule of other parts keeps them, and is joined the same."""
    work = _slices_table(_CCCDS)
    codes = {"substr(cccd, 1, 9)": "k_cc1_9", "substr(cccd, 10, 3)": "k_cc10_3"}
    assert kernelcounts.sliced(work, "t", "l.cccd = r.cccd", codes) == (
        "(substr(l.cccd, 1, 9) = substr(r.cccd, 1, 9) AND substr(l.cccd, 10, 3) = substr(r.cccd, 10, 3))")
    assert kernelcounts.sliced(work, "t", "l.giv = r.giv AND l.cccd = r.cccd", {}) == (  # (no codes: kept)
        "l.giv = r.giv AND l.cccd = r.cccd")
    for rule in ("l.cccd = r.cccd", "l.giv = r.giv AND l.cccd = r.cccd", "l.cccd = r.cccd OR l.giv = r.giv"):
        sql = work.execute(f"SELECT l.uid, r.uid FROM t l JOIN t r ON ({rule}) AND l.uid < r.uid").fetchall()
        assert _pair_set(kernelcounts.rule_pairs(work, "t", rule)) == set(sql)
    assert len(_pair_set(kernelcounts.rule_pairs(work, "t", "l.cccd = r.cccd"))) == 3 + 1 + 1 + 1 + 3


def test_a_text_longer_than_its_slices_reach_is_joined_whole() -> None:
    """A CCCD longer than the slices reach (13 digits: equal slices, another last digit) keeps the rule whole: the
    two records are not a pair."""
    work = _slices_table([*_CCCDS, "0490850012345", "0490850012346"])
    codes = {"substr(cccd, 1, 9)": "k_cc1_9", "substr(cccd, 10, 3)": "k_cc10_3"}
    assert kernelcounts.sliced(work, "t", "l.cccd = r.cccd", codes) == "l.cccd = r.cccd"
    sql = work.execute("SELECT l.uid, r.uid FROM t l JOIN t r ON l.cccd = r.cccd AND l.uid < r.uid").fetchall()
    assert _pair_set(kernelcounts.rule_pairs(work, "t", "l.cccd = r.cccd")) == set(sql)


def test_the_slices_tile_the_text_from_its_first_character() -> None:
    from hopnhat.link.person_features import KEY_CODES

    for column, slices in kernelcounts.SLICES.items():
        assert [start for start, _ in slices] == [1 + sum(n for _, n in slices[:k]) for k in range(len(slices))]
        assert all(f"substr({column}, {a}, {n})" in KEY_CODES for a, n in slices)
