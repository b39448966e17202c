"""Splink on DuckDB or Spark: unsupervised training made deterministic, then scoring of the blocked pairs.

Same input → bit-identical pairs and probabilities, on every run and on both engines:

- u probabilities: Splink samples records by a hash of their id (no random generator), with the engine's own
  ``hash()`` — so the sample is always drawn on DuckDB (the work space) and Spark is given its u; on a small table
  every record is used (``max_pairs`` above the number of pairs), and chunked early stopping is off, so nothing
  depends on timing.
- the share of matching pairs is counted with rules that admit almost no false positives
  (:attr:`ModelSpec.prior_rules`);
- the prior (share of matching pairs, from deterministic rules: counts of equal values) is counted on DuckDB too;
- EM runs on counts of agreement patterns (integers) — on Spark the counts are computed there once and the iterations
  run on the driver (:mod:`hopnhat.link.em`) —, and the estimated m/u and prior are then *rounded* to
  :data:`SIGNIFICANT` significant digits, which absorbs floating-point differences between threads and engines;
- scoring uses only the rounded model, so a pair's weight is the same arithmetic everywhere.

Scored pairs come back as a DuckDB table in the *work* connection (``{entity}_scored``) with each comparison's level
and Bayes factor, from which :mod:`hopnhat.link.evidence` builds the explanation of every weight.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import duckdb

from hopnhat.errors import ConfigError
from hopnhat.link.sqlguards import fast_sql, plain_condition

Engine = Literal["duckdb", "spark"]
SIGNIFICANT = 4
M_FLOOR = 0.001  # m of a level never seen among the matches EM found: rare, not impossible (a typo in a year …)
M_MIN, U_MIN = 1e-6, 1e-8  # no single comparison may be more certain than this (weights stay within about ±30)
_SILENT = logging.ERROR


@dataclass(frozen=True)
class ModelSpec:
    """One entity's probabilistic model: its features table in the work connection and its rules."""

    entity: str
    features: str  # table in the work DuckDB connection
    settings: Callable[[float | None], dict[str, Any]]
    training: tuple[str, ...]
    prior_rules: tuple[str, ...]
    prior_recall: float
    fixed_model: dict[str, Any] | None = None  # a model with m/u given (no training), e.g. small entities
    # (rule, the rule trained instead when it blocks no pair): a list without ID numbers still trains its name levels
    training_fallback: tuple[tuple[str, str], ...] = ()
    prior_fallback: tuple[str, ...] = ()  # the prior's rules when prior_rules match no pair (no ID numbers)
    # m for a list whose training rules block fewer than small_pairs pairs (too few for EM): the model with them
    shipped_m: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    small_pairs: int = 0
    small_records: int = 0  # the pairs are counted below this many records only
    # m and u (no term frequencies) for a list of fewer than tiny_records records: the model with them
    shipped_mu: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    tiny_records: int = 0


@dataclass
class TrainedModel:
    settings: dict[str, Any]
    notes: list[str] = field(default_factory=list)


def _round(value: float | None, floor: float = 0.0) -> float | None:
    if value is None or not math.isfinite(value):
        return value
    return float(f"{max(value, floor):.{SIGNIFICANT}g}") if max(value, floor) > 0 else 0.0


def rounded(model: dict[str, Any], fill: bool = True, unseen_u: float = U_MIN) -> dict[str, Any]:
    """The model with every m, u and the prior rounded (see module doc) and clamped (M_MIN, U_MIN); with ``fill``, an
    m EM could not see becomes M_FLOOR and a u never seen in sampling ``unseen_u`` (one in the pairs sampled)."""
    out = dict(model)
    out["probability_two_random_records_match"] = _round(model.get("probability_two_random_records_match"))
    comparisons = []
    for comp in model["comparisons"]:
        comp = dict(comp)
        levels = []
        for lvl in comp["comparison_levels"]:
            lvl = dict(lvl)
            if lvl.get("is_null_level"):
                pass
            elif fill:
                lvl["m_probability"] = _round(lvl.get("m_probability") or M_FLOOR, M_MIN)
                lvl["u_probability"] = _round(lvl.get("u_probability") or unseen_u, U_MIN)
            else:
                for key, floor in (("m_probability", M_MIN), ("u_probability", U_MIN)):
                    if isinstance(lvl.get(key), float):
                        lvl[key] = _round(lvl[key], floor)
            levels.append(lvl)
        comp["comparison_levels"] = levels
        comparisons.append(comp)
    out["comparisons"] = comparisons
    return out


class Backend:
    """The handful of things that differ between engines: the Splink API object, registering, fetching."""

    name: Engine = "duckdb"

    def __init__(self, work: duckdb.DuckDBPyConnection) -> None:
        from splink import DuckDBAPI

        self.work = work
        self.api: Any = DuckDBAPI(work)

    def input(self, table: str) -> Any:
        return self.api.register(table)

    def to_work(self, frame: Any, name: str) -> None:
        """Materialise a Splink result as table ``name`` of the work connection (renamed: not copied)."""
        self.work.execute(f"DROP TABLE IF EXISTS {name}")
        self.work.execute(f"ALTER TABLE {frame.physical_name} RENAME TO {name}")
        frame.drop_table_from_database_and_remove_from_cache()

    def em(self, linker: Any, source: Any, rule: str, counts: Callable[[Any], Any] | None = None) -> None:
        """One EM session on ``rule`` (m estimated, u fixed, without term frequencies): Splink's session and
        iterations, on the agreement-pattern counts ``counts`` makes for the session (training gives
        :func:`hopnhat.link.training.pattern_counts_sql`'s: one statement on the narrow records, instead of Splink's
        blocked pairs with every column; passed in, not imported: training imports this module)."""
        from hopnhat.link.em import train_on_driver

        train_on_driver(linker, rule, counts=counts)

    def settings(self, settings: dict[str, Any]) -> dict[str, Any]:
        """The settings as this engine runs them (DuckDB: :func:`fast_sql`)."""
        return fast_sql(settings)

    def predict(self, linker: Any, source: Any, rules: list[str], threshold: float, out: str,
                codes: Mapping[str, str] | None = None) -> None:
        """Score the candidate pairs of ``rules`` at or above ``threshold`` into work table ``out`` (``codes``: the
        exact integer codes of keys the source carries, :func:`hopnhat.link.joins.coded`).

        Splink's blocking writes one join per rule that excludes the pairs of every earlier rule (``NOT (rule 1) AND
        NOT (rule 2) …``): with 36 rules that exclusion was two thirds of blocking's CPU at 145,000 records. Here the
        rules' joins are unioned; for the person model they stream through a compiled first pass that keeps only the
        pairs whose weight can reach the floor, each once (:mod:`hopnhat.link.firstpass`), for another model each
        pair is kept once (:meth:`candidate_pairs`); the pairs are then scored by :func:`predict_sql` — Splink's own
        comparison and weight SQL, run in one statement on a narrow input."""
        if not rules:  # no blocking rule: Splink's own predict
            self.to_work(linker.inference.predict(threshold_match_probability=threshold, warning_mode="never"), out)
            return
        from hopnhat.link.firstpass import first_pass
        from hopnhat.link.joins import joins_of

        table = source.physical_name
        # (the person model: the candidate pairs streamed through the compiled pass, only those whose weight can reach
        # the floor kept; :mod:`hopnhat.link.firstpass`)
        pairs = first_pass(self.work, linker, table, joins_of(rules, codes), threshold, vectors=True)
        by_kernel = pairs is not None  # (the pass's pairs are bounded already, and carry their vectors)
        if pairs is None:
            pairs = self.candidate_pairs(table, rules, codes)
        try:
            predict_sql(self.work, linker, table, pairs, threshold, out, bounded=not by_kernel, vectors=by_kernel)
        finally:
            self.work.execute(f"DROP TABLE IF EXISTS {pairs}")

    def candidate_pairs(self, table: str, rules: list[str], codes: Mapping[str, str] | None = None) -> str:
        """Table ``_hop_blocked_pairs`` (``join_key_l`` < ``join_key_r``): every pair of ``table``'s records that
        any of ``rules`` holds, once (the rules' joins as :mod:`hopnhat.link.joins` writes them, on the keys' codes
        where ``codes`` names them)."""
        from hopnhat.link.joins import candidate_joins

        name = "_hop_blocked_pairs"
        self.work.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT a AS join_key_l, b AS join_key_r "
                          f"FROM ({candidate_joins(table, rules, codes)})")
        return name

    def close(self) -> None:
        self.api.delete_tables_created_by_splink_from_db()


class SparkBackend(Backend):
    """Splink's Spark backend; features go over as Arrow, scored pairs come back as Arrow. A backend that started its
    own session (:mod:`hopnhat.link.spark_session`) stops it, and its JVM, on :meth:`close`."""

    name: Engine = "spark"

    def __init__(self, work: duckdb.DuckDBPyConnection, session: Any, run: Any = None) -> None:
        from splink import SparkAPI

        self.work = work
        self.spark = session
        self.run = run
        one_jvm = session.sparkContext.master.startswith("local[")
        # one JVM: keep intermediate tables in memory; executors (local-cluster, a cluster): Splink's default,
        # parquet checkpoints under the session's checkpoint folder
        self.api = SparkAPI(spark_session=session, break_lineage_method="persist" if one_jvm else None)

    def input(self, table: str) -> Any:
        from hopnhat.link.firstpass import withdraw_records

        withdraw_records(self.work)  # (Spark compares the records: the driver's kernel never reads them)
        arrow = self.work.execute(f"SELECT * FROM {table} ORDER BY 1").fetch_arrow_table()
        return self.api.register(self.spark.createDataFrame(arrow))

    def em(self, linker: Any, source: Any, rule: str, counts: Callable[[Any], Any] | None = None) -> None:
        """The pattern counts on Spark (one job), the iterations on the driver: one Spark job per iteration was most
        of the training time (see :mod:`hopnhat.link.em`). Counts made elsewhere (``counts``) are refused: the
        records are Spark's."""
        from hopnhat.link.em import train_on_driver

        if counts is not None:
            raise ConfigError("EM on Spark counts its own patterns", value=rule)
        train_on_driver(linker, rule)

    def settings(self, settings: dict[str, Any]) -> dict[str, Any]:
        return settings

    def predict(self, linker: Any, source: Any, rules: list[str], threshold: float, out: str,
                codes: Mapping[str, str] | None = None) -> None:
        """Splink's blocking and predict on Spark: the candidate pairs are the quadratic part, and stay there (on
        the rules as written: ``codes`` are not read)."""
        self.to_work(linker.inference.predict(threshold_match_probability=threshold, warning_mode="never"), out)

    def to_work(self, frame: Any, name: str) -> None:
        arrow = frame.as_spark_dataframe().toArrow()
        self.work.register("_spark_result", arrow)
        self.work.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM _spark_result")
        self.work.unregister("_spark_result")

    def close(self) -> None:
        if self.run is not None:
            from hopnhat.link.spark_session import stop

            stop(self.run)
            self.run = None


def _quiet() -> None:
    for name in ("splink", "py4j"):
        logging.getLogger(name).setLevel(_SILENT)


def _linker(backend: Backend, source: Any, settings: dict[str, Any]) -> Any:
    """Splink's linker of ``settings`` over ``source``; each level condition's parse check (sqlglot) once per
    process (:func:`hopnhat.link.em.conditions_validated_once`: a run makes four linkers of the same conditions,
    ~0.17 CPU-s of checks each at the person model)."""
    from splink import Linker

    from hopnhat.link.em import conditions_validated_once

    with conditions_validated_once():
        return Linker(source, backend.settings(settings), log_level=None, validate_settings=False)


def score(backend: Backend, source: Any, model: TrainedModel, threshold: float, out: str,
          codes: Mapping[str, str] | None = None) -> None:
    """Score every blocked pair at or above ``threshold`` into work table ``out`` (``codes``: see
    :meth:`Backend.predict`)."""
    _quiet()
    linker = _linker(backend, source, model.settings)
    rules = [r if isinstance(r, str) else r["blocking_rule"]
             for r in model.settings.get("blocking_rules_to_generate_predictions", [])]
    backend.predict(linker, source, rules, threshold, out, codes)


def _vector_steps(work: duckdb.DuckDBPyConnection, linker: Any, table: str, pairs_sql: str,
                  comparisons: list[Any], where: str = "") -> list[tuple[str, str]]:
    """Named SQL steps (CTEs) ending in Splink's ``__splink__df_comparison_vectors`` of ``comparisons`` for the pairs
    ``pairs_sql`` selects (``join_key_l``, ``join_key_r``: uids of ``table``).

    The records are read once, with only the columns the comparisons read and their term frequencies (Splink reads
    every column of a pair's records, and copies them); every level's SQL is Splink's own (its generators).
    ``where``: a condition on the records read (a sample)."""
    from splink.internals.comparison_vector_values import compute_comparison_vector_values_from_id_pairs_sqls
    from splink.internals.settings import Settings
    from splink.internals.term_frequencies import colname_to_tf_tablename, ensure_term_frequencies_for_linker

    settings = linker._settings_obj
    uids = settings.column_info_settings.unique_id_input_columns
    # the record columns the comparisons read (Splink's list adds the columns of the blocking rules)
    blocking_cols = [c for uid_col in uids for c in uid_col.l_r_names_as_l_r]
    blocking_cols += [c for cc in comparisons for c in cc._columns_to_select_for_blocking() if c not in blocking_cols]
    used = [c for c in work.execute(f"SELECT * FROM {table} LIMIT 0").fetch_arrow_table().column_names
            if any(f'."{c}" AS ' in col for col in blocking_cols)]
    with_tf = any(cl._has_tf_adjustments for cc in comparisons for cl in cc.comparison_levels)
    tf_tables = dict(zip((colname_to_tf_tablename(c) for c in settings._term_frequency_columns),
                         ensure_term_frequencies_for_linker(linker) if with_tf else (), strict=with_tf))
    tf_cols = [(c.name, c.tf_name, tf_tables[colname_to_tf_tablename(c)].physical_name)
               for c in settings._term_frequency_columns] if with_tf else []
    select = ", ".join([f's."{c}"' for c in used] + [f"t{i}.{tf}" for i, (_, tf, _) in enumerate(tf_cols)])
    joins = " ".join(f"LEFT JOIN {phys} t{i} ON s.{col} = t{i}.{col}" for i, (col, _, phys) in enumerate(tf_cols))
    vectors = compute_comparison_vector_values_from_id_pairs_sqls(
        blocking_cols,
        Settings.columns_to_select_for_comparison_vector_values(
            unique_id_input_columns=uids, comparisons=comparisons, retain_matching_columns=False,
            additional_columns_to_retain=[]),
        input_tablename_l="__hop_input", input_tablename_r="__hop_input", source_dataset_input_column=None,
        unique_id_input_column=settings.column_info_settings.unique_id_input_column, link_type=settings._link_type,
        sql_dialect_str="duckdb")
    return [("__hop_input", f"SELECT {select} FROM {table} s {joins} {where}"),
            ("__splink__blocked_id_pairs", pairs_sql),
            *((step["output_table_name"], step["sql"]) for step in vectors)]


def _with(steps: list[tuple[str, str]], final: str, inlined: frozenset[str] = frozenset()) -> str:
    """``final`` after the named ``steps`` (CTEs); those in ``inlined`` are ``NOT MATERIALIZED``."""
    return "WITH " + ",\n".join(f"{name} AS {'NOT MATERIALIZED ' if name in inlined else ''}({sql})"
                                 for name, sql in steps) + "\n" + final


# Scoring and EM's pattern counts read the narrow records (``__hop_input``) on both sides of each pair's join. As a
# CTE read twice, DuckDB keeps a copy of them all (materialized) beside the two joins' hash tables: at 1 M people
# (1.45 M records) under a 1500 MB limit that spilled to disk (scoring 20 CPU-s instead of 15, the two EM sessions'
# counts 10 instead of 5.5; loaded dev timing). Read where each join reads them, they are not kept twice; the rows
# are the same. (Not for u: its sample's pairs are an inequality join, which DuckDB then planned on every record,
# not on the sample.)
_SCORING_INLINED = frozenset({"__hop_input"})


def predict_sql(work: duckdb.DuckDBPyConnection, linker: Any, table: str, pairs: str, threshold: float,
                out: str, bounded: bool = True, vectors: bool = False) -> None:
    """Splink's predict of the candidate pairs ``pairs`` (``join_key_l``, ``join_key_r``: uids of ``table``) into
    ``out``, in one statement.

    The SQL of every comparison level, Bayes factor, term-frequency adjustment and match weight is Splink's own
    (its generators, with the trained model): same arithmetic, same probabilities to the bit. What differs from
    ``linker.inference.predict``: the records are read once and narrow (:func:`_vector_steps`), and the scored pairs
    keep each comparison's level and weights (the evidence: :mod:`hopnhat.link.evidence`) without the compared
    values. Without ``bounded``, no weight bound drops pairs before their comparisons (:func:`_bounded`): for pairs
    a bound has dropped already (the first pass's; at 1 M blind the SQL bound kept all 495,887 of them, and its
    expression was a fifth of the statement's CPU). Either way the scored table is the same: the bound only drops
    pairs the threshold drops. With ``vectors``, ``pairs`` holds the comparison vectors the first pass read
    (:func:`hopnhat.link.firstpass.first_pass`): the levels are computed by the SQL only where ``exact`` is false
    (:func:`_kernel_vectors`)."""
    from splink.internals.dialects import SplinkDialect
    from splink.internals.predict import predict_from_comparison_vectors_sqls

    settings = linker._settings_obj
    inexact = " WHERE NOT exact" if vectors else ""
    steps = _vector_steps(work, linker, table, f"SELECT join_key_l, join_key_r, '0' AS match_key FROM {pairs}{inexact}",
                          settings.core_model_settings.comparisons,
                          where=f"WHERE s.uid IN (SELECT join_key_l FROM {pairs}{inexact} "
                                f"UNION SELECT join_key_r FROM {pairs}{inexact})" if vectors else "")
    if vectors:
        steps = _kernel_vectors(work, steps, pairs)
    if bounded:
        steps = _bounded(steps, settings, threshold)
    weights = predict_from_comparison_vectors_sqls(
        unique_id_input_columns=settings.column_info_settings.unique_id_input_columns,
        core_model_settings=settings.core_model_settings, sql_dialect=SplinkDialect.from_string("duckdb"),
        threshold_match_probability=threshold, retain_matching_columns=False,
        retain_intermediate_calculation_columns=True, training_mode=True)  # training_mode: keep the levels
    steps += [(step["output_table_name"], step["sql"]) for step in weights[:-1]]
    work.execute(f"CREATE OR REPLACE TABLE {out} AS " + _with(steps, weights[-1]["sql"], _SCORING_INLINED))


_BLOCKED_STEP = "blocked_with_cols"  # Splink's step joining each pair to its two records (``l``, ``r``)
_VECTORS_STEP = "__splink__df_comparison_vectors"
_GIVEN = {"uid_l": "join_key_l", "uid_r": "join_key_r", "match_key": "'0'"}  # vector columns not in ``pairs``


def _kernel_vectors(work: duckdb.DuckDBPyConnection, steps: list[tuple[str, str]],
                    pairs: str) -> list[tuple[str, str]]:
    """``steps`` whose comparison vectors are those of table ``pairs`` where ``exact`` (the first pass's: every
    column as Splink's SQL types it, in its order), and Splink's SQL for the other pairs (``steps`` read those
    only). The same vectors: the kernel's level of a comparison is Splink's wherever it is exact
    (tests/link/test_link_firstpass.py), its term frequencies are read from Splink's tables."""
    described = work.execute("DESCRIBE " + _with(steps, f"SELECT * FROM {_VECTORS_STEP}", _SCORING_INLINED)
                             ).fetchall()
    present = {row[0] for row in work.execute(f"DESCRIBE {pairs}").fetchall()}
    columns = []
    for name, dtype, *_ in described:
        given = _GIVEN.get(name, f'"{name}"' if name in present else None)
        if given is None:
            raise ConfigError("a comparison vector column the scoring first pass does not give", value=name)
        columns.append(f'CAST({given} AS {dtype}) AS "{name}"')
    renamed = [("__hop_sql_vectors" if name == _VECTORS_STEP else name, sql) for name, sql in steps]
    if renamed == steps:
        raise ConfigError("Splink's comparison vectors step not found", value=_VECTORS_STEP)
    return [*renamed, (_VECTORS_STEP, f"SELECT {', '.join(columns)} FROM {pairs} WHERE exact "
                                      "UNION ALL SELECT * FROM __hop_sql_vectors")]


def _bounded(steps: list[tuple[str, str]], settings: Any, threshold: float | None) -> list[tuple[str, str]]:
    """``steps`` with the pairs whose match weight cannot reach ``threshold`` dropped where they are joined to their
    records, before any comparison is computed (:mod:`hopnhat.link.bound`: an upper bound, so every pair at or above
    the threshold is kept and scored as before)."""
    from splink.internals.misc import threshold_args_to_match_weight

    from hopnhat.link.bound import MARGIN, on_sides, weight_bound

    floor = threshold_args_to_match_weight(threshold, None)
    if floor is None:
        return steps
    expr = weight_bound(settings.core_model_settings.comparisons,
                        settings.core_model_settings.probability_two_random_records_match, on_sides, plain_condition)
    if expr is None:
        return steps
    out = []
    for name, sql in steps:
        if name == _BLOCKED_STEP:
            if " where " in sql.lower():
                raise ConfigError("Splink's blocked-pairs step changed: it has a WHERE already", value=name)
            sql = f"{sql}\nWHERE ({expr}) >= {floor - MARGIN!r}"
        out.append((name, sql))
    if out == steps:
        raise ConfigError("Splink's blocked-pairs step not found", value=_BLOCKED_STEP)
    return out


def open_backend(engine: Engine, work: duckdb.DuckDBPyConnection, threads: int, spark: Any = None,
                 config: Any = None) -> Backend:
    """The backend for ``engine``; Spark reuses ``spark`` or starts (and owns) a session sized for the features table
    from ``config`` (a LinkageSpec: ``spark_master``, ``spark_conf``)."""
    if engine == "duckdb":
        return Backend(work)
    if engine == "spark":
        if spark is not None:
            return SparkBackend(work, spark)
        from hopnhat.link.spark_session import SparkOptions, start

        found = _has(work, "person_features")
        rows = work.execute("SELECT count(*) FROM person_features").fetchone() if found else None
        options = SparkOptions(getattr(config, "spark_master", None), dict(getattr(config, "spark_conf", None) or {}))
        run = start(options, int(rows[0]) if rows else 0, threads)
        return SparkBackend(work, run.session, run)
    raise ConfigError("unknown linkage engine", value=engine, reason="expected duckdb or spark")


def _has(work: duckdb.DuckDBPyConnection, table: str) -> bool:
    found = work.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [table]).fetchone()
    return bool(found and found[0])
