"""EM on the driver (:mod:`hopnhat.link.em`): the pattern counts computed by the engine, the iterations on an
in-memory DuckDB — the same m, u and prior as Splink's own EM on the same pairs, to 1e-9.

Here the engine is DuckDB too (no JVM): the Spark side of the same path is checked in test_link_spark.py against
the DuckDB engine's trained model.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pyarrow as pa
import pytest
from sqlglot.errors import ParseError

from hopnhat.link import person_model
from hopnhat.link.em import pattern_counts, train_on_driver, vectors_from_counts
from hopnhat.link.engine import Backend, _linker, rounded
from hopnhat.link.persons import SPEC
from hopnhat.link.standalone import people_features
from hopnhat.link.tables import one
from hopnhat.link.training import (
    _coded_keys,
    _equalities_and_filters,
    _on_duckdb,
    _pairs_of,
    pattern_counts_sql,
    prior_by_counts,
    term_frequencies,
)
from hopnhat.link.truth import person_rows

COLUMNS = ["full_name", "dob", "sex", "id_number", "phone", "address"]


@pytest.fixture(scope="module")
def start(estate: Path) -> tuple[Any, dict[str, Any]]:
    """A work space with every person row of the estate (~3,800) and the model before EM (u and prior)."""
    work = people_features(person_rows(estate).select(COLUMNS))
    records = work.execute("SELECT count(*) FROM person_features").fetchone()
    assert records is not None
    model, _ = _on_duckdb(Backend(work), SPEC, int(records[0]))
    return work, model


def _params(linker: Any) -> list[tuple[str, str, float, float]]:
    model = linker.misc.save_model_to_json()
    return [(comp["output_column_name"], lvl["label_for_charts"], lvl.get("m_probability"), lvl.get("u_probability"))
            for comp in model["comparisons"] for lvl in comp["comparison_levels"] if not lvl.get("is_null_level")]


@pytest.mark.parametrize("rule", person_model.TRAINING)
def test_em_on_the_driver_gives_splinks_parameters(start: tuple[Any, dict[str, Any]], rule: str) -> None:
    work, model = start
    backend = Backend(work)
    try:
        settings = {**rounded(model, fill=False), "max_iterations": 25}
        splink = _linker(backend, backend.input(SPEC.features), settings)
        splink.training.estimate_parameters_using_expectation_maximisation(rule,
                                                                           estimate_without_term_frequencies=True)
        driver = _linker(backend, backend.input(SPEC.features), settings)
        train_on_driver(driver, rule)
        expected, got = _params(splink), _params(driver)
        moved = [p for p in expected if p[2] is not None and abs(p[2] - (_start_m(settings, p) or 0.0)) > 1e-6]
        assert len(moved) >= 5  # EM moved the m of many levels away from the start
        for (name, label, m_a, u_a), (_, _, m_b, u_b) in zip(expected, got, strict=True):
            assert _close(m_a, m_b) and _close(u_a, u_b), (name, label, m_a, m_b, u_a, u_b)
        sessions = splink._em_training_sessions[-1], driver._em_training_sessions[-1]
        assert len(sessions[0]._core_model_settings_history) == len(sessions[1]._core_model_settings_history)
    finally:
        backend.close()


def _close(a: float | None, b: float | None) -> bool:
    """Equal to 1e-9, or both missing (a level EM never saw keeps no m)."""
    return a is None and b is None or a is not None and b is not None and abs(a - b) <= 1e-9


def _start_m(settings: dict[str, Any], param: tuple[str, str, float, float]) -> float | None:
    for comp in settings["comparisons"]:
        for lvl in comp["comparison_levels"]:
            if (comp["output_column_name"], lvl["label_for_charts"]) == param[:2]:
                return lvl.get("m_probability")
    return None


def test_pattern_counts_come_back_as_one_row_per_pair(start: tuple[Any, dict[str, Any]]) -> None:
    """The counts the engine sends are expanded back to the blocked pairs (Splink counts them itself), exactly."""
    import duckdb

    from hopnhat.link.em import _session

    work, model = start
    backend = Backend(work)
    try:
        linker = _linker(backend, backend.input(SPEC.features), rounded(model, fill=False))
        counts = pattern_counts(linker, _session(linker, person_model.TRAINING[0]))
        pairs = work.execute("SELECT count(*) FROM person_features l JOIN person_features r ON l.uid < r.uid AND "
                             "l.fam = r.fam AND l.giv = r.giv AND l.dob = r.dob").fetchone()
    finally:
        backend.close()
    assert pairs is not None and pairs[0] > 100
    assert sum(counts.column("agreement_pattern_count").to_pylist()) == pairs[0]
    assert 1 < counts.num_rows < pairs[0]  # patterns repeat: the counts are smaller than the pairs
    con = duckdb.connect()
    vectors = vectors_from_counts(con, counts)
    again = con.execute(f"SELECT * EXCLUDE (n), n FROM (SELECT *, count(*) AS n FROM {vectors.physical_name} "
                        "GROUP BY ALL) ORDER BY ALL").fetch_arrow_table()
    sent = counts.sort_by([(c, "ascending") for c in counts.column_names])
    assert again.rename_columns(sent.column_names).cast(sent.schema).equals(pa.Table.from_batches(sent.to_batches()))
    con.close()


def test_a_rule_without_pairs_is_splinks_error(start: tuple[Any, dict[str, Any]]) -> None:
    """No blocked pairs: no counts, and Splink's own EMTrainingException (the engine notes "no pairs" and goes on)."""
    from splink.internals.exceptions import EMTrainingException

    work, model = start
    backend = Backend(work)
    try:
        linker = _linker(backend, backend.input(SPEC.features), rounded(model, fill=False))
        with pytest.raises(EMTrainingException):
            train_on_driver(linker, "l.cccd = r.cccd AND l.byear > 3000")
    finally:
        backend.close()


def _sorted(table: pa.Table) -> pa.Table:
    return pa.Table.from_batches(table.sort_by([(c, "ascending") for c in table.column_names]).to_batches())


@pytest.mark.parametrize(("rule", "with_tf"), [(person_model.TRAINING[0], False), (person_model.TRAINING[1], True),
                                               ("l.dob = r.dob AND l.addr = r.addr", True)])
def test_pattern_counts_in_one_join_are_splinks(start: tuple[Any, dict[str, Any]], rule: str, with_tf: bool) -> None:
    """training.pattern_counts_sql (the rule's join reads the compared columns, no term frequencies) counts the
    patterns Splink's session counts on its comparison vectors (blocked pairs joined to every column, with their
    term frequencies), pattern by pattern."""
    from hopnhat.link.em import _session

    work, model = start
    backend = Backend(work)
    try:
        linker = _linker(backend, backend.input(SPEC.features), rounded(model, fill=False))
        session = _session(linker, rule)
        comparisons = session.core_model_settings.comparisons
        assert any(cl._has_tf_adjustments for cc in comparisons for cl in cc.comparison_levels) == with_tf
        theirs = _sorted(pattern_counts(linker, session))
        own = _sorted(pattern_counts_sql(work, linker, "person_features", rule, comparisons))
    finally:
        backend.close()
    assert own.num_rows > 10 and own.column_names == theirs.column_names
    assert own.cast(theirs.schema).equals(theirs)
    # the session's comparisons keep their term frequencies (the counts dropped them on a copy)
    assert any(cl._has_tf_adjustments for cc in comparisons for cl in cc.comparison_levels) == with_tf


PRIOR_SETS = [
    (person_model.PRIOR_RULES, False),
    (person_model.PRIOR_RULES[::-1], False),
    (("l.cccd = r.cccd AND l.cccd_ok AND r.cccd_ok", "l.cccd = r.cccd"), True),  # a rule inside another
    (("l.giv = r.giv AND l.dob = r.dob", "l.fam = r.fam AND l.dob = r.dob AND l.sex = r.sex",
      "l.giv = r.giv AND l.byear = r.byear AND NOT l.vague AND NOT r.vague"), True),  # three rules, overlapping
]


@pytest.mark.parametrize(("rules", "overlapping"), PRIOR_SETS)
def test_prior_from_group_counts_is_splinks(start: tuple[Any, dict[str, Any]], rules: tuple[str, ...],
                                            overlapping: bool) -> None:
    """training.prior_by_counts (group sizes, inclusion and exclusion) gives the float Splink's
    estimate_probability_two_random_records_match gives (a join per rule, the pairs of earlier rules excluded)."""
    work, model = start
    backend = Backend(work)
    try:
        linker = _linker(backend, backend.input(SPEC.features), rounded(model, fill=False))
        linker.training.estimate_probability_two_random_records_match(list(rules), 0.6)
        theirs = linker.misc.save_model_to_json()["probability_two_random_records_match"]
        records = int(one(work, "SELECT count(*) FROM person_features")[0])
        own = prior_by_counts(work, "person_features", rules, 0.6, records)
        each = [prior_by_counts(work, "person_features", (rule,), 0.6, records) or 0.0 for rule in rules]
    finally:
        backend.close()
    assert isinstance(theirs, float) and theirs > 0 and own == theirs
    # rules that share pairs count them once: the rules' priors one by one add up to more
    assert (sum(each) > own) == overlapping and min(each) > 0


def test_prior_beyond_the_recall_is_splinks_error(start: tuple[Any, dict[str, Any]]) -> None:
    """More pairs than the recall allows: the same ValueError as Splink's (the engine then takes the maximum)."""
    work, model = start
    rules = ("l.sex = r.sex",)  # about half of all pairs: more than a recall of 0.3 allows
    records = int(one(work, "SELECT count(*) FROM person_features")[0])
    backend = Backend(work)
    try:
        linker = _linker(backend, backend.input(SPEC.features), rounded(model, fill=False))
        with pytest.raises(ValueError, match="recall"):
            linker.training.estimate_probability_two_random_records_match(list(rules), 0.3)
    finally:
        backend.close()
    with pytest.raises(ValueError, match="recall"):
        prior_by_counts(work, "person_features", rules, 0.3, records)
    assert prior_by_counts(work, "person_features", rules, 0.9, records) == pytest.approx(0.5 / 0.9, rel=0.1)


def test_prior_groups_the_keys_by_their_codes(start: tuple[Any, dict[str, Any]]) -> None:
    """The prior's groups are made of the keys' exact codes where the table has them (the CCCD: its slices' codes,
    while no CCCD is longer than they reach), the same groups; a key without a code is grouped as it is."""
    work, _ = start
    assert _coded_keys(work, "person_features", ["cccd", "cmnd", "fg"]) == ["k_cc1_9", "k_cc10_3", "cmnd", "k_fg"]
    work.execute("CREATE OR REPLACE TEMP TABLE long_cccd AS SELECT * REPLACE (CASE WHEN uid < 4 THEN "
                 "'0490850012345' WHEN uid < 6 THEN '0490850012346' ELSE cccd END AS cccd) FROM person_features")
    try:
        assert _coded_keys(work, "long_cccd", ["cccd", "fg"]) == ["cccd", "k_fg"]
        for table in ("person_features", "long_cccd"):
            by_text = one(work, f"SELECT sum(n * (n - 1) // 2) FROM (SELECT count(*) AS n FROM {table} "
                                "WHERE cccd IS NOT NULL GROUP BY cccd)")[0]
            assert by_text > 0 and _pairs_of(work, table, ["cccd"], []) == by_text
    finally:
        work.execute("DROP TABLE long_cccd")


@pytest.mark.parametrize(("rule", "found"), [
    ("l.cccd = r.cccd AND l.cccd_ok AND r.cccd_ok", ({"cccd"}, {"l.cccd_ok"})),
    ("(r.cmnd = l.cmnd AND l.fg = r.fg)", ({"cmnd", "fg"}, set())),
    ("l.a = r.a AND (l.x OR l.y > 2) AND (r.x OR r.y > 2)", ({"a"}, {"l.x OR l.y > 2"})),
    ("l.a = r.a AND l.x", None),  # a filter on one side only
    ("l.a = r.a AND l.x AND r.y", None),
    ("l.a = r.b", None),  # two columns
    ("l.a = r.a OR l.b = r.b", None),
    ("l.byear + 1 = r.byear AND l.fam = r.fam", None),
    ("substr(l.cccd, 1, 9) = substr(r.cccd, 1, 9)", None),
    ("l.x AND r.x", None),  # no equality: every pair of the filtered records, left to Splink
])
def test_rules_counted_by_groups(rule: str, found: tuple[set[str], set[str]] | None) -> None:
    """Only a conjunction of same-column equalities and filters alike on both sides is counted by groups."""
    got = _equalities_and_filters(rule)
    assert (got if got is None else (set(got[0]), set(got[1]))) == found


def test_term_frequency_tables_are_splinks(start: tuple[Any, dict[str, Any]]) -> None:
    """training.term_frequencies (read from the features table) makes the tables Splink's compute_tf_table makes
    (read from its copy of the input), row for row and bit for bit, and Splink's linkers then find them cached."""
    from splink.internals.term_frequencies import colname_to_tf_tablename, ensure_term_frequencies_for_linker

    work, model = start
    backends = Backend(work), Backend(work)  # two caches: our tables, Splink's
    try:
        tables = []
        for own, backend in zip((True, False), backends, strict=True):
            linker = _linker(backend, backend.input(SPEC.features), rounded(model, fill=False))
            if own:
                term_frequencies(linker, "person_features")
                names = [colname_to_tf_tablename(c) for c in linker._settings_obj._term_frequency_columns]
                cached = [linker._intermediate_table_cache[name].physical_name for name in names]
            tables.append([frame.physical_name for frame in ensure_term_frequencies_for_linker(linker)])
        assert tables[0] == cached  # found in the cache: not computed again
        assert len(cached) == 2
        for ours, theirs in zip(*tables, strict=True):
            assert ours != theirs
            for a, b in ((ours, theirs), (theirs, ours)):
                assert one(work, f"SELECT count(*) FROM (SELECT * FROM {a} EXCEPT ALL SELECT * FROM {b})") == (0,)
            assert one(work, f"SELECT count(*) FROM {ours}")[0] > 10
            assert work.execute(f"DESCRIBE {ours}").fetchall() == work.execute(f"DESCRIBE {theirs}").fetchall()
    finally:
        for backend in backends:
            backend.close()


@pytest.mark.parametrize("rule", person_model.TRAINING)
def test_a_session_finds_the_levels_its_rule_implies_as_splink_does(start: tuple[Any, dict[str, Any]],
                                                                    rule: str) -> None:
    """em._session remembers Splink's exact-match test of each level while a session is made: the levels its rule
    implies (which adjust the blocked prior) are those Splink finds, and the test is Splink's own again afterwards."""
    from splink.internals.comparison_level import ComparisonLevel
    from splink.internals.settings import Settings

    from hopnhat.link.em import _EXACT_MATCH, _session

    work, model = start
    backend = Backend(work)
    try:
        plain = ComparisonLevel.__dict__["_is_exact_match"]
        linker = _linker(backend, backend.input(SPEC.features), rounded(model, fill=False))
        comparisons = list(linker._settings_obj.core_model_settings.comparisons)
        found = [(x["comparison"].output_column_name, x["level"].label_for_charts)
                 for x in _session(linker, rule)._comparison_levels_to_reverse_blocking_rule]
        assert ComparisonLevel.__dict__["_is_exact_match"] is plain
        theirs = [(x["comparison"].output_column_name, x["level"].label_for_charts)
                  for x in Settings._get_comparison_levels_corresponding_to_training_blocking_rule(
                      rule, "duckdb", comparisons)]
    finally:
        backend.close()
    assert found == theirs and bool(found) == (rule == person_model.TRAINING[0])  # same name and date: 3 levels
    assert len(_EXACT_MATCH) >= 30 and any(_EXACT_MATCH.values())


def test_exact_matches_worked_out_ahead_are_splinks_own(start: tuple[Any, dict[str, Any]]) -> None:
    """em.exact_matches_ahead answers Splink's exact-match test of every level in a thread (while DuckDB estimates
    u): after the join its memo holds Splink's own answer for each level, and an error in the thread is raised by
    the join."""
    from splink.internals.comparison_level import ComparisonLevel

    from hopnhat.link import em

    work, model = start
    backend = Backend(work)
    try:
        linker = _linker(backend, backend.input(SPEC.features), rounded(model, fill=False))
        levels = [lvl for cc in linker._settings_obj.comparisons for lvl in cc.comparison_levels]
        saved = dict(em._EXACT_MATCH)
        em._EXACT_MATCH.clear()
        try:
            em.exact_matches_ahead(levels)()
            plain = ComparisonLevel.__dict__["_is_exact_match"].fget
            assert {(lvl.sql_condition, lvl.sqlglot_dialect): plain(lvl) for lvl in levels} == em._EXACT_MATCH
            assert any(em._EXACT_MATCH.values()) and not all(em._EXACT_MATCH.values())
            broken = SimpleNamespace(sql_condition="name_l = = name_r (", sqlglot_dialect="duckdb",
                                     _is_else_level=False)
            with pytest.raises(ParseError):
                em.exact_matches_ahead([broken])()
        finally:
            em._EXACT_MATCH.clear()
            em._EXACT_MATCH.update(saved)
    finally:
        backend.close()


def test_conditions_validated_once_builds_the_same_linker(start: tuple[Any, dict[str, Any]]) -> None:
    """em.conditions_validated_once: linkers made inside it hold the same model as Splink's own, a condition that
    does not parse is refused every time, and Splink's check is its own again afterwards."""
    from splink.internals.comparison_level import ComparisonLevel

    from hopnhat.link.em import conditions_validated_once

    work, model = start
    backend = Backend(work)
    plain = ComparisonLevel.__dict__["_validate_sql"]
    settings = rounded(model, fill=False)
    bad = {**settings, "comparisons": [{**settings["comparisons"][0], "comparison_levels": [
        {**lvl, "sql_condition": "name_l = = name_r ("} if i == 1 else lvl
        for i, lvl in enumerate(settings["comparisons"][0]["comparison_levels"])]}] + settings["comparisons"][1:]}
    try:
        theirs = _linker(backend, backend.input(SPEC.features), settings).misc.save_model_to_json()
        with conditions_validated_once():
            ours = [_linker(backend, backend.input(SPEC.features), settings).misc.save_model_to_json()
                    for _ in range(2)]
            for _ in range(2):
                with pytest.raises(ValueError, match="Error parsing"):
                    _linker(backend, backend.input(SPEC.features), bad)
        assert ComparisonLevel.__dict__["_validate_sql"] is plain
    finally:
        backend.close()
    for found in ours:
        found.pop("linker_uid")
    theirs.pop("linker_uid")
    assert ours == [theirs, theirs]


def test_a_runs_linkers_check_each_condition_once(start: tuple[Any, dict[str, Any]],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """engine._linker: the linkers of one run (training's, scoring's) parse each level condition once between them,
    not once each."""
    from splink.internals.comparison_level import ComparisonLevel

    from hopnhat.link import em

    work, model = start
    backend = Backend(work)
    plain = ComparisonLevel.__dict__["_validate_sql"]
    parsed: list[str] = []

    def counted(level: Any) -> bool:
        parsed.append(level.sql_condition)
        return bool(plain(level))

    monkeypatch.setattr(ComparisonLevel, "_validate_sql", counted)
    monkeypatch.setattr(em, "_VALIDATED", set())
    settings = rounded(model, fill=False)
    try:
        _linker(backend, backend.input(SPEC.features), settings)
        first = len(parsed)
        _linker(backend, backend.input(SPEC.features), settings)
    finally:
        backend.close()
    assert first > 20 and len(parsed) == first
