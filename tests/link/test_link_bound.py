"""The match-weight bound (link/bound.py) is a true upper bound: it never drops a pair the scoring floor keeps."""

from __future__ import annotations

import duckdb
import pyarrow as pa
import sqlglot
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.link.conftest import Built, candidates_backend

from hopnhat.link import bound, persons
from hopnhat.link.engine import Backend, _linker, plain_condition, predict_sql
from hopnhat.link.person_features import letter_bits
from hopnhat.link.run import work_space

# conditions with edit distances in every position the relaxation reads: compared either way round, under NOT, in a
# CASE's condition and result, in coalesce, beside exact parts; a_* plain texts, name_sorted_* with letter bits
CONDITIONS = [f"{fn}({x}_l, {x}_r) {op} {k}" for fn in ("damerau_levenshtein", "levenshtein")
              for x in ("a", "name_sorted") for op in ("<=", "<", "=", ">=", ">", "<>") for k in (0, 1, 2, 3)] + [
    "1 >= damerau_levenshtein(a_l, a_r)",
    "NOT (damerau_levenshtein(a_l, a_r) <= 1)",
    "a_l <> a_r AND damerau_levenshtein(a_l, a_r) > 1",
    "coalesce(a_l = a_r OR damerau_levenshtein(a_l, a_r) <= 1, true)",
    "CASE WHEN a_l = a_r THEN false WHEN length(a_l) > 2 THEN damerau_levenshtein(a_l, a_r) <= 2 ELSE false END",
    "CASE WHEN damerau_levenshtein(name_sorted_l, name_sorted_r) <= 2 THEN damerau_levenshtein(a_l, a_r) > 1 "
    "ELSE false END",
    "CASE WHEN levenshtein(a_l, a_r) = 1 THEN a_l < a_r WHEN damerau_levenshtein(a_l, a_r) = 1 THEN NULL END",
    "NOT coalesce(CASE WHEN damerau_levenshtein(a_l, a_r) > 2 THEN a_l IS NULL ELSE true END, false)",
    "jaro_winkler_similarity(a_l, a_r) > 0.9 OR a_l = a_r",  # an unknown costly function: possible, never certain
]
_TEXT = st.none() | st.text(alphabet="abcdeá ", max_size=7)  # á: two bytes, as DuckDB's distances count
_RANK = {False: 0, None: 1, True: 2}


def _rows(pairs: list[tuple[str | None, ...]]) -> pa.Table:
    cols = dict(zip(("a_l", "a_r", "name_sorted_l", "name_sorted_r"), zip(*pairs, strict=True), strict=True))
    table = {k: pa.array(list(v), pa.string()) for k, v in cols.items()}
    for side in ("l", "r"):
        table[f"ns_bits_{side}"] = pa.array([letter_bits(t) for t in cols[f"name_sorted_{side}"]], pa.int32())
    return pa.table(table)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(_TEXT, _TEXT, _TEXT, _TEXT), min_size=1, max_size=40))
def test_possible_and_certain_bracket_the_condition(pairs: list[tuple[str | None, ...]]) -> None:
    """certain ≤ condition ≤ possible in SQL's order false < null < true, pair by pair."""
    con = duckdb.connect()
    con.register("p", _rows(pairs))
    for cond in CONDITIONS:
        possible, certain = bound.relaxed(sqlglot.parse_one(cond, read="duckdb"))
        rows = con.execute(f"SELECT ({certain}), ({cond}), ({possible}), a_l, a_r FROM p").fetchall()
        for low, value, high, *texts in rows:
            assert _RANK[low] <= _RANK[value] <= _RANK[high], (cond, texts, low, value, high)
    con.close()


def test_distances_read_cheaply() -> None:
    """No edit distance is left in a relaxed condition; one with another costly function is possible, not certain."""
    for cond in CONDITIONS[:-1]:
        assert "levenshtein" not in " ".join(bound.relaxed(sqlglot.parse_one(cond, read="duckdb"))).lower()
    possible, certain = bound.relaxed(sqlglot.parse_one(CONDITIONS[-1], read="duckdb"))
    assert "(true OR" in possible and "(false OR" in certain


def test_bound_above_every_pairs_weight(built: Built) -> None:
    """On every candidate pair of the estate: the bound ≥ Splink's match weight, and it drops pairs the floor
    (persons.RIVALS_FROM) drops anyway."""
    work, backend, source, linker, pairs = candidates_backend(built)
    predict_sql(work, linker, "person_features", pairs, 0.0, "all_scored")  # threshold 0: no bound, every pair
    settings_obj = linker._settings_obj
    expr = bound.weight_bound(settings_obj.core_model_settings.comparisons,
                              settings_obj.core_model_settings.probability_two_random_records_match,
                              bound.on_sides, plain_condition)
    assert expr is not None
    inputs = dict(backend_steps(work, linker, pairs))["__hop_input"]
    work.execute(f"CREATE TABLE bounds AS WITH __hop_input AS ({inputs}) SELECT p.join_key_l AS uid_l, "
                 f"p.join_key_r AS uid_r, {expr} AS bound FROM {pairs} p JOIN __hop_input l ON l.uid = p.join_key_l "
                 "JOIN __hop_input r ON r.uid = p.join_key_r")
    floor = bound_floor(persons.RIVALS_FROM)
    total, below, dropped, kept = work.execute(
        f"SELECT count(*), count(*) FILTER (WHERE b.bound < s.match_weight - 1e-9), "
        f"count(*) FILTER (WHERE b.bound < {floor}), count(*) FILTER (WHERE s.match_weight >= {floor}) "
        "FROM bounds b JOIN all_scored s USING (uid_l, uid_r)").fetchone() or (0, 0, 0, 0)
    assert total > 100 and below == 0
    assert dropped > total // 5 and kept > 50
    backend.close()
    work.close()


def backend_steps(work: duckdb.DuckDBPyConnection, linker: object, pairs: str) -> list[tuple[str, str]]:
    from hopnhat.link.engine import _vector_steps

    settings_obj = linker._settings_obj  # type: ignore[attr-defined]
    return _vector_steps(work, linker, "person_features", f"SELECT join_key_l, join_key_r FROM {pairs}",
                         settings_obj.core_model_settings.comparisons)


def bound_floor(probability: float) -> float:
    from splink.internals.misc import prob_to_match_weight

    return float(prob_to_match_weight(probability))


def test_the_organisation_pairs_are_the_same_with_the_bound(built: Built) -> None:
    """The organisation model (a fixed one with a ``levenshtein`` level) is bounded the same way: its pairs scored at
    a threshold are exactly its pairs scored without any bound, then cut at that threshold — every column."""
    from hopnhat.link import organizations

    con = duckdb.connect(str(built.path), read_only=True)
    work = work_space(2, None)
    n = organizations.load_features(con, work)
    con.close()
    backend = Backend(work)
    source = backend.input(organizations.SPEC.features)
    model = organizations.MODEL
    rules = list(model["blocking_rules_to_generate_predictions"])
    pairs = backend.candidate_pairs(organizations.SPEC.features, rules)
    predict_sql(work, _linker(backend, source, model), organizations.SPEC.features, pairs, 0.0, "unbounded")
    total = work.execute("SELECT count(*) FROM unbounded").fetchone()
    assert n > 50 and total and total[0] > 10
    for threshold in (0.01, 0.6, 0.95):
        predict_sql(work, _linker(backend, source, model), organizations.SPEC.features, pairs, threshold, "bounded")
        cols = ", ".join(c for c, *_ in work.execute("DESCRIBE bounded").fetchall() if c != "match_key")
        cut = f"SELECT {cols} FROM unbounded WHERE match_probability >= {threshold}"
        for a, b in ((f"SELECT {cols} FROM bounded", cut), (cut, f"SELECT {cols} FROM bounded")):
            assert work.execute(f"SELECT count(*) FROM ({a} EXCEPT ALL {b})").fetchone() == (0,), threshold
    backend.close()
    work.close()
