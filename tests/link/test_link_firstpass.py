"""The scoring first pass (link/firstpass.py, link/firstpass_kernel.pyx): every candidate pair's levels as Splink's SQL
gives them, its weight to 1e-9, and the same scored table as without the pass."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import duckdb
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.link.conftest import Built, candidates_backend

from hopnhat.errors import ConfigError
from hopnhat.link import firstpass, persons
from hopnhat.link.engine import Backend, _linker, predict_sql
from hopnhat.link.firstpass_kernel import dl
from hopnhat.link.joins import joins_of, rule_joins
from hopnhat.link.person_model import COMPARISONS
from hopnhat.link.person_model import settings as person_settings

_TEXT = st.text(alphabet="aăâbdđeêiouơưyHNGUYỄNễàáạ ", max_size=9)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.none() | _TEXT, st.none() | _TEXT), min_size=1, max_size=30))
def test_distance_is_duckdbs(pairs: list[tuple[str | None, str | None]]) -> None:
    """The kernel's Damerau-Levenshtein distance is DuckDB's: on bytes, transpositions unrestricted ("ca" / "abc" is
    2), NULL where either text is NULL."""
    con = duckdb.connect()
    rows = con.execute("SELECT damerau_levenshtein(a, b) FROM (SELECT unnest(?) AS a, unnest(?) AS b)",
                       [[a for a, _ in pairs], [b for _, b in pairs]]).fetchall()
    for (a, b), (expected,) in zip(pairs, rows, strict=True):
        found = None if a is None or b is None else dl(a.encode(), b.encode())
        assert found == expected, (a, b)
    con.close()


def test_unrestricted_transpositions() -> None:
    assert dl(b"ca", b"abc") == 2 and dl("á".encode(), b"a") == 2 and dl(b"abcd", b"bacd") == 1


@settings(max_examples=400, deadline=None)
@given(_TEXT, _TEXT, st.sampled_from([1, 2]))
def test_capped_distance(a: str, b: str, cap: int) -> None:
    """The cheap limits before the full distance (one edit read in linear time, lengths, the bytes of one text not
    in the other) give the full distance, capped at cap + 1: on random texts and on slips of one text."""
    for x, y in ((a, b), (a, a[1:] + a[:1]), (a, a[:2][::-1] + a[2:]), (a, a + "ư"), (a, a.replace("a", "b", 1))):
        assert dl(x.encode(), y.encode(), cap) == min(dl(x.encode(), y.encode()), cap + 1), (x, y)


def test_the_fingerprint_is_the_person_models() -> None:
    """The kernel implements the person model as it stands: a change to COMPARISONS' SQL fails here until the kernel
    (and FINGERPRINT) follow it."""
    assert firstpass.model_fingerprint(COMPARISONS) == firstpass.FINGERPRINT


@dataclass
class Scored:
    work: duckdb.DuckDBPyConnection
    backend: Backend
    source: Any
    linker: Any
    pairs: str


@pytest.fixture(scope="module")
def scored(built: Built) -> Iterator[Scored]:
    """The estate's candidate pairs, all scored (threshold 0: no bound, every pair) into ``all_scored``."""
    work, backend, source, linker, pairs = candidates_backend(built)
    work.execute(f"CREATE TABLE all_pairs AS SELECT * FROM {pairs}")
    predict_sql(work, linker, "person_features", "all_pairs", 0.0, "all_scored")
    yield Scored(work, backend, source, linker, "all_pairs")
    backend.close()
    work.close()


def test_levels_and_weights_of_every_pair(scored: Scored) -> None:
    """For every candidate pair: Splink's level of each comparison is among the kernel's, the only one except for
    the ID of CCCDs one slip apart (the kernel does not read whose records they are); the kernel's weight is Splink's
    match weight to 1e-9 where every level is exact, and never below it."""
    run = firstpass.kernel(scored.work, scored.linker, "person_features")
    names = [f"gamma_{c}" for c in firstpass.NAMES]
    got = scored.work.execute(f"SELECT uid_l, uid_r, match_weight, {', '.join(names)} FROM all_scored").fetchnumpy()
    left, right = (np.ascontiguousarray(got[c], dtype=np.int64) for c in ("uid_l", "uid_r"))
    masks, weights = run.levels(left, right)
    exact = np.ones(len(left), dtype=bool)
    for c, comparison in enumerate(scored.linker._settings_obj.core_model_settings.comparisons):
        index = {lvl.comparison_vector_value: k for k, lvl in enumerate(comparison.comparison_levels)}
        level = np.array([index[int(g)] for g in got[names[c]]])
        assert ((masks[:, c] >> level) & 1).all(), comparison.output_column_name
        one = masks[:, c] == (1 << level)
        assert one.all() or comparison.output_column_name == "id", comparison.output_column_name
        exact &= one
    assert len(left) > 2000 and exact.mean() > 0.8
    assert np.abs(weights - got["match_weight"])[exact].max() < 1e-9
    assert (weights >= got["match_weight"] - 1e-9).all()


def test_scored_table_the_same_with_the_pass(scored: Scored) -> None:
    """The backend's predict (first pass, then Splink's SQL on the pairs kept) gives the scored table of Splink's SQL
    on every pair, cut at the threshold, row for row; the pass keeps a small share of the pairs."""
    backend, work = scored.backend, scored.work
    rules = list(scored.linker._settings_obj._blocking_rules_to_generate_predictions)
    rules = [r.blocking_rule_sql if hasattr(r, "blocking_rule_sql") else r for r in rules]
    threshold = persons.RIVALS_FROM
    backend.predict(scored.linker, scored.source, rules, threshold, "with_pass")
    predict_sql(work, scored.linker, "person_features", scored.pairs, threshold, "without_pass")
    cols = ", ".join(c for c, *_ in work.execute("DESCRIBE with_pass").fetchall())
    a, b = f"SELECT {cols} FROM with_pass", f"SELECT {cols} FROM without_pass"
    assert work.execute(f"SELECT count(*) FROM ({a} EXCEPT ALL {b})").fetchone() == (0,)
    assert work.execute(f"SELECT count(*) FROM ({b} EXCEPT ALL {a})").fetchone() == (0,)
    kept = firstpass.first_pass(work, scored.linker, "person_features",
                                [f"SELECT join_key_l, join_key_r FROM {scored.pairs}"], threshold)
    total, passed, final = (work.execute(f"SELECT count(*) FROM {t}").fetchone() or (0,)
                            for t in (scored.pairs, str(kept), "with_pass"))
    assert final[0] > 50 and passed[0] < total[0] // 2 and final[0] <= passed[0]


def test_pairs_from_several_joins_kept_once(scored: Scored) -> None:
    """The rules' joins streamed one by one (a pair from every join that gives it): the pairs kept are those kept
    from the distinct candidate pairs, each once, in uid order; a pair given twice (by two queries) is kept once."""
    work, threshold = scored.work, persons.RIVALS_FROM
    rules = [r.blocking_rule_sql if hasattr(r, "blocking_rule_sql") else r
             for r in scored.linker._settings_obj._blocking_rules_to_generate_predictions]
    queries = rule_joins("person_features", rules)
    total = sum((work.execute(f"SELECT count(*) FROM ({q})").fetchone() or (0,))[0] for q in queries)
    distinct = (work.execute(f"SELECT count(*) FROM {scored.pairs}").fetchone() or (0,))[0]
    assert total > distinct  # the joins overlap: the pass must make the pairs distinct
    pairs = firstpass.first_pass(work, scored.linker, "person_features", queries, threshold)
    once = work.execute(f"SELECT * FROM {pairs}").fetchall()
    twice = firstpass.first_pass(work, scored.linker, "person_features",
                                 [f"SELECT join_key_l, join_key_r FROM {scored.pairs}"] * 2, threshold)
    assert once == work.execute(f"SELECT * FROM {twice}").fetchall()
    assert len(once) > 50 and once == sorted(set(once)) and all(a < b for a, b in once)


def test_joins_on_keys_keep_the_pairs_their_sql_keeps(scored: Scored) -> None:
    """The rules' joins given as joins (those on keys run in compiled code: link/keyjoins.py) keep the very pairs
    their SQL keeps."""
    work, threshold = scored.work, persons.RIVALS_FROM
    rules = [r.blocking_rule_sql if hasattr(r, "blocking_rule_sql") else r
             for r in scored.linker._settings_obj._blocking_rules_to_generate_predictions]
    by_sql = firstpass.first_pass(work, scored.linker, "person_features", rule_joins("person_features", rules),
                                  threshold)
    sql_pairs = work.execute(f"SELECT * FROM {by_sql}").fetchall()
    on_keys = firstpass.first_pass(work, scored.linker, "person_features", joins_of(rules), threshold)
    assert work.execute(f"SELECT * FROM {on_keys}").fetchall() == sql_pairs and len(sql_pairs) > 50


def test_the_kernels_vectors_score_as_splinks(scored: Scored) -> None:
    """The first pass's comparison vectors (levels, term frequencies) scored by Splink's weight SQL give the table
    Splink's SQL gives on the same pairs, row for row — the pairs read exactly from the kernel's vectors, the others
    (here every second pair, marked inexact) from the SQL's."""
    work, threshold = scored.work, persons.RIVALS_FROM
    rules = [r.blocking_rule_sql if hasattr(r, "blocking_rule_sql") else r
             for r in scored.linker._settings_obj._blocking_rules_to_generate_predictions]
    kept = firstpass.first_pass(work, scored.linker, "person_features", joins_of(rules), threshold, vectors=True)
    work.execute(f"CREATE OR REPLACE TABLE kept_vectors AS SELECT * FROM {kept}")
    assert work.execute("SELECT count(*), count(*) FILTER (WHERE exact) FROM kept_vectors").fetchone()[1] > 50
    for name, mixed in (("by_kernel", False), ("by_both", True)):
        if mixed:
            work.execute("UPDATE kept_vectors SET exact = false WHERE join_key_l % 2 = 0")
        predict_sql(work, scored.linker, "person_features", "kept_vectors", threshold, name, bounded=False,
                    vectors=True)
    predict_sql(work, scored.linker, "person_features", "kept_vectors", threshold, "by_sql", bounded=False)
    cols = ", ".join(c for c, *_ in work.execute("DESCRIBE by_sql").fetchall())
    for name in ("by_kernel", "by_both"):
        assert [c for c, *_ in work.execute(f"DESCRIBE {name}").fetchall()] == cols.split(", ")
        a, b = f"SELECT {cols} FROM {name}", f"SELECT {cols} FROM by_sql"
        assert work.execute(f"SELECT count(*) FROM ({a} EXCEPT ALL {b})").fetchone() == (0,), name
        assert work.execute(f"SELECT count(*) FROM ({b} EXCEPT ALL {a})").fetchone() == (0,), name
    assert (work.execute("SELECT count(*) FROM by_sql").fetchone() or (0,))[0] > 50


def test_a_changed_person_model_is_refused(scored: Scored) -> None:
    """The person model's comparisons with SQL the kernel does not implement: a ConfigError, not a stale pass."""
    changed = person_settings(0.001)
    name = changed["comparisons"][0]
    levels = list(name["comparison_levels"])
    levels[3] = {**levels[3], "sql_condition": "name_sorted_l = name_sorted_r AND fam_l = fam_r"}
    changed["comparisons"][0] = {**name, "comparison_levels": levels}
    linker = _linker(scored.backend, scored.source, changed)
    with pytest.raises(ConfigError, match="comparisons changed"):
        firstpass.applies(linker)


def test_records_read_in_uid_order_whatever_the_tables_order(scored: Scored) -> None:
    """A features table not written in uid order gives the kernel the same records (it reads them again, sorted):
    the same levels and weights for every pair."""
    work = scored.work
    work.execute("CREATE OR REPLACE TABLE shuffled_features AS SELECT * FROM person_features ORDER BY hash(uid)")
    assert work.execute("SELECT list(uid) FROM shuffled_features").fetchone() != \
        work.execute("SELECT list(uid ORDER BY uid) FROM shuffled_features").fetchone()
    got = work.execute("SELECT uid_l, uid_r FROM all_scored").fetchnumpy()
    left, right = (np.ascontiguousarray(got[c], dtype=np.int64) for c in ("uid_l", "uid_r"))
    masks, weights = firstpass.kernel(work, scored.linker, "person_features").levels(left, right)
    masks2, weights2 = firstpass.kernel(work, scored.linker, "shuffled_features").levels(left, right)
    assert (masks == masks2).all() and np.array_equal(weights, weights2)
