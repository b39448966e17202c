"""Splink's EM with its iterations on the driver: the engine counts the agreement patterns once, DuckDB iterates.

Splink estimates m by expectation maximisation on the *counts* of agreement patterns (how many blocked pairs show each
combination of comparison levels: a few hundred to a few thousand rows, whatever the size of the data). On Spark each
of its up to 25 iterations per training rule is a Spark job over that small table, and a job's fixed cost (planning
the long CASE expressions, scheduling, collecting) is most of the training time. :func:`train_on_driver` runs
Splink's own training session, with one change: the comparison vectors and their pattern counts are computed on the
linker's engine (one pass over the blocked pairs), the counts come to the driver (Arrow), and the iterations run on an
in-memory DuckDB with Splink's own SQL, which is dialect-neutral (match weights are literals computed in Python). The
counts are integers, so DuckDB sees exactly the pattern counts the engine found and the m, u and prior that come out
are those of Splink's EM on that engine, to floating-point summation order (tests/link/test_link_em.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import duckdb

COUNT = "agreement_pattern_count"
VECTORS = "__hopnhat_em_vectors"


def pattern_counts(linker: Any, session: Any) -> Any:
    """The agreement patterns of the session's blocked pairs and their counts, as an Arrow table (computed by the
    linker's engine; the comparison vectors are dropped afterwards)."""
    from splink.internals.expectation_maximisation import count_agreement_patterns_sql
    from splink.internals.pipeline import CTEPipeline

    vectors = session._comparison_vectors()
    try:
        pipeline = CTEPipeline([vectors])
        pipeline.enqueue_sql(count_agreement_patterns_sql(session.core_model_settings.comparisons),
                             "__splink__agreement_pattern_counts")
        counts = linker._db_api.sql_pipeline_to_splink_dataframe(pipeline)
        try:
            return counts.as_pyarrow_table()
        finally:
            counts.drop_table_from_database_and_remove_from_cache()
    finally:
        vectors.drop_table_from_database_and_remove_from_cache()


def vectors_from_counts(con: duckdb.DuckDBPyConnection, counts: Any) -> Any:
    """A DuckDB table with one row per blocked pair again (each pattern repeated ``count`` times, gamma columns only),
    as a Splink frame: Splink's EM counts the patterns itself, and gets back exactly the engine's counts."""
    from splink import DuckDBAPI
    from splink.internals.duckdb.dataframe import DuckDBDataFrame

    gammas = ", ".join(f'"{name}"' for name in counts.column_names if name != COUNT)
    con.register("_hopnhat_pattern_counts", counts)
    con.execute(f"CREATE OR REPLACE TABLE {VECTORS} AS SELECT {gammas} FROM "
                f"(SELECT {gammas}, unnest(range({COUNT})) FROM _hopnhat_pattern_counts)")
    con.unregister("_hopnhat_pattern_counts")
    return DuckDBDataFrame("__splink__df_comparison_vectors", VECTORS, DuckDBAPI(con))


def _session(linker: Any, rule: str) -> Any:
    """Splink's EM training session for ``rule`` as ``estimate_parameters_using_expectation_maximisation`` makes it
    with its defaults (u fixed, m and the blocked prior estimated) and without term frequencies."""
    from splink.internals.blocking_rule_creator_utils import to_blocking_rule_creator
    from splink.internals.em_training_session import EMTrainingSession
    from splink.internals.term_frequencies import ensure_term_frequencies_for_linker

    ensure_term_frequencies_for_linker(linker)
    settings = linker._settings_obj
    with _exact_matches_remembered():
        return EMTrainingSession(
            linker, db_api=linker._db_api,
            blocking_rule_for_training=to_blocking_rule_creator(rule).get_blocking_rule(linker._sql_dialect_str),
            core_model_settings=settings.core_model_settings, training_settings=settings.training_settings,
            unique_id_input_columns=settings.column_info_settings.unique_id_input_columns,
            fix_u_probabilities=True, estimate_without_term_frequencies=True)


_EXACT_MATCH: dict[tuple[str, str], Any] = {}


@contextmanager
def _exact_matches_remembered() -> Iterator[None]:
    """While a session is made: Splink's ``ComparisonLevel._is_exact_match`` remembered by level condition and
    dialect (its value depends on nothing else). A session asks it of every level of the model, to find the levels
    its blocking rule implies; each answer parses the condition and puts it in conjunctive normal form with sqlglot
    (~0.3 s of Python for the person model's 41 levels), the same for every session and every run."""
    from splink.internals.comparison_level import ComparisonLevel

    plain: Any = ComparisonLevel.__dict__["_is_exact_match"]

    def remembered(level: Any) -> Any:
        key = (level.sql_condition, level.sqlglot_dialect)
        if key not in _EXACT_MATCH:
            _EXACT_MATCH[key] = plain.fget(level)
        return _EXACT_MATCH[key]

    setattr(ComparisonLevel, "_is_exact_match", property(remembered))  # noqa: B010 (a property, for a while)
    try:
        yield
    finally:
        setattr(ComparisonLevel, "_is_exact_match", plain)  # noqa: B010


def exact_matches_ahead(levels: Iterable[Any]) -> Callable[[], None]:
    """Splink's exact-match test of ``levels`` (:func:`_exact_matches_remembered`'s memo) worked out in a thread
    while the caller goes on (its sqlglot parsing is pure Python: it runs while DuckDB, which lets go of the GIL,
    estimates u); returns the join, which raises what the thread raised. The same answers as asking them when a
    session is made (they depend on the condition and the dialect only); a level already known is skipped."""
    from splink.internals.comparison_level import ComparisonLevel

    plain: Any = ComparisonLevel.__dict__["_is_exact_match"]
    todo = [(level.sql_condition, level.sqlglot_dialect, level) for level in levels]

    def work() -> None:
        for condition, dialect, level in todo:
            if (condition, dialect) not in _EXACT_MATCH:
                _EXACT_MATCH[(condition, dialect)] = plain.fget(level)

    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hopnhat-exact-matches")
    try:
        found = pool.submit(work)
    finally:
        pool.shutdown(wait=False)  # the thread ends with its one task
    return found.result


_VALIDATED: set[tuple[str, Any]] = set()


@contextmanager
def conditions_validated_once() -> Iterator[None]:
    """While linkers are made: Splink's check that each level's condition parses (``ComparisonLevel._validate_sql``,
    a sqlglot parse of every level, ~0.16 s of Python a linker for the person model) done once per condition and
    dialect; training makes three linkers of the same conditions. A condition that does not parse raises every
    time, as Splink's own check does."""
    from splink.internals.comparison_level import ComparisonLevel

    plain: Any = ComparisonLevel.__dict__["_validate_sql"]

    def once(level: Any) -> bool:
        key = (level.sql_condition, level.sqlglot_dialect)
        if key not in _VALIDATED:
            plain(level)
            _VALIDATED.add(key)
        return True

    setattr(ComparisonLevel, "_validate_sql", once)  # noqa: B010 (a method, for a while)
    try:
        yield
    finally:
        setattr(ComparisonLevel, "_validate_sql", plain)  # noqa: B010


def train_on_driver(linker: Any, rule: str, threads: int = 1, counts: Callable[[Any], Any] | None = None) -> None:
    """``linker.training.estimate_parameters_using_expectation_maximisation(rule,
    estimate_without_term_frequencies=True)`` with the iterations on an in-memory DuckDB (see the module doc); the
    linker's model holds the new m afterwards. Raises Splink's ``EMTrainingException`` when the rule gives no pairs.
    ``counts``: the session's pattern counts (Arrow) another way than :func:`pattern_counts` (the DuckDB engine's
    one statement)."""
    session = _session(linker, rule)
    found = counts(session) if counts is not None else pattern_counts(linker, session)
    con = duckdb.connect(config={"threads": str(threads)})
    try:
        vectors = vectors_from_counts(con, found)
        session.db_api = vectors.db_api
        trained = session._train(vectors)
    finally:
        con.close()
    linker._settings_obj.core_model_settings = trained
    linker._em_training_sessions.append(session)
    linker._populate_m_u_from_trained_values()
    linker._settings_obj._columns_without_estimated_parameters_message()
