"""EM on the driver (:mod:`hopnhat.link.em`): the pattern counts computed by the engine, the iterations on an
in-memory DuckDB — the same m, u and prior as Splink's own EM on the same pairs, to 1e-9.

Here the engine is DuckDB too (no JVM): the Spark side of the same path is checked in test_link_spark.py against
the DuckDB engine's trained model.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from hopnhat.link import person_model
from hopnhat.link.em import pattern_counts, train_on_driver, vectors_from_counts
from hopnhat.link.engine import Backend, _linker, rounded
from hopnhat.link.persons import SPEC
from hopnhat.link.standalone import people_features
from hopnhat.link.training import _on_duckdb
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
