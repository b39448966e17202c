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
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import duckdb

from hopnhat.errors import ConfigError
from hopnhat.link.tables import one

Engine = Literal["duckdb", "spark"]
SIGNIFICANT = 4
M_FLOOR = 0.001  # m of a level never seen among the matches EM found: rare, not impossible (a typo in a year …)
M_MIN, U_MIN = 1e-6, 1e-8  # no single comparison may be more certain than this (weights stay within about ±30)
U_MAX_PAIRS = 2e6  # random pairs sampled for u at most (DuckDB: ~5 s for the person model on 2 threads)
U_ALL_PAIRS = 3e5  # below this many pairs, every pair is used: exact, and the same on every engine
U_SEED = 7  # of Splink's sample by a hash of the ids
EM_ITERATIONS = (25, 10, 4)
PRIOR_MAX = 0.5
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

    def em(self, linker: Any, source: Any, rule: str) -> None:
        """One EM session on ``rule`` (m estimated, u fixed, without term frequencies): Splink's session and
        iterations, on the agreement-pattern counts of :func:`pattern_counts_sql` (the training pairs' comparison
        vectors in one statement on a narrow input, instead of Splink's blocked pairs with every column)."""
        from hopnhat.link.em import train_on_driver

        train_on_driver(linker, rule, counts=lambda session: pattern_counts_sql(
            self.work, linker, source.physical_name, rule, session.core_model_settings.comparisons))

    def settings(self, settings: dict[str, Any]) -> dict[str, Any]:
        """The settings as this engine runs them (DuckDB: :func:`fast_sql`)."""
        return fast_sql(settings)

    def predict(self, linker: Any, source: Any, rules: list[str], threshold: float, out: str) -> None:
        """Score the candidate pairs of ``rules`` at or above ``threshold`` into work table ``out``.

        Splink's blocking writes one join per rule that excludes the pairs of every earlier rule (``NOT (rule 1) AND
        NOT (rule 2) …``): with 36 rules that exclusion was two thirds of blocking's CPU at 145,000 records. Here the
        rules' joins are unioned and each pair kept once (:meth:`candidate_pairs`), and the pairs are scored by
        :func:`predict_sql` — Splink's own comparison and weight SQL, run in one statement on a narrow input."""
        if not rules:  # no blocking rule: Splink's own predict
            self.to_work(linker.inference.predict(threshold_match_probability=threshold, warning_mode="never"), out)
            return
        pairs = self.candidate_pairs(source.physical_name, rules)
        try:
            predict_sql(self.work, linker, source.physical_name, pairs, threshold, out)
        finally:
            self.work.execute(f"DROP TABLE IF EXISTS {pairs}")

    def candidate_pairs(self, table: str, rules: list[str]) -> str:
        """Table ``_hop_blocked_pairs`` (``join_key_l`` < ``join_key_r``): every pair of ``table``'s records that
        any of ``rules`` holds, once (the rules' joins as :mod:`hopnhat.link.joins` writes them)."""
        from hopnhat.link.joins import candidate_joins

        name = "_hop_blocked_pairs"
        self.work.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT a AS join_key_l, b AS join_key_r "
                          f"FROM ({candidate_joins(table, rules)})")
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
        arrow = self.work.execute(f"SELECT * FROM {table} ORDER BY 1").fetch_arrow_table()
        return self.api.register(self.spark.createDataFrame(arrow))

    def em(self, linker: Any, source: Any, rule: str) -> None:
        """The pattern counts on Spark (one job), the iterations on the driver: one Spark job per iteration was most
        of the training time (see :mod:`hopnhat.link.em`)."""
        from hopnhat.link.em import train_on_driver

        train_on_driver(linker, rule)

    def settings(self, settings: dict[str, Any]) -> dict[str, Any]:
        return settings

    def predict(self, linker: Any, source: Any, rules: list[str], threshold: float, out: str) -> None:
        """Splink's blocking and predict on Spark: the candidate pairs are the quadratic part, and stay there."""
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
    from splink import Linker

    return Linker(source, backend.settings(settings), log_level=None, validate_settings=False)


# DuckDB evaluates both sides of an AND inside a CASE and computes ``damerau_levenshtein`` slowly (≈ 5 µs a pair): on
# the random pairs that estimate u it was most of training. Each call below is guarded by an exact cheaper test.
# - two numbers of one length more than two digits apart (``hamming``) are more than one slip apart: the ID levels only
#   ask "= 1", "<= 1" or "> 1", so 3 stands for any distance ≥ 2;
# - two names whose lengths differ by more than two are more than two slips apart, likewise 3;
# - otherwise ``levenshtein`` first (six times cheaper in DuckDB): a transposition is one Damerau-Levenshtein edit and
#   two Levenshtein edits, every other edit one of each, so DL ≤ Lev ≤ 2·DL — Lev 0 or 1 is the DL, Lev ≥ 5 means DL
#   ≥ 3, and only Lev 2 to 4 needs the DL itself. The name levels ask "<= 1" or "<= 2": 3 stands for any DL ≥ 3.
_ID_DL = ("(CASE WHEN length({c}_l) <> length({c}_r) THEN damerau_levenshtein({c}_l, {c}_r) "
          "WHEN hamming({c}_l, {c}_r) > 2 THEN 3 ELSE damerau_levenshtein({c}_l, {c}_r) END)")
_NAME_DL = ("(CASE WHEN abs(length({c}_l) - length({c}_r)) > 2 {bits}THEN 3 "
            "ELSE CASE least(levenshtein({c}_l, {c}_r), 5) WHEN 0 THEN 0 WHEN 1 THEN 1 WHEN 5 THEN 3 "
            "ELSE damerau_levenshtein({c}_l, {c}_r) END END)")
# - the words of two names: also when their letter sets differ in more than four letters (person_features.letter_bits)
_BITS = "OR bit_count(xor(ns_bits_l, ns_bits_r)) > 4 "
_FAST = {f"damerau_levenshtein({c}_l, {c}_r)": (_ID_DL if c in ("cccd", "cmnd") else _NAME_DL).format(
    c=c, bits=_BITS if c == "name_sorted" else "") for c in ("cccd", "cmnd", "name_sorted", "giv", "fam")}


def fast_sql(settings: dict[str, Any]) -> dict[str, Any]:
    """``settings`` with each comparison level's ``damerau_levenshtein`` guarded (:data:`_FAST`): the same levels,
    computed faster on DuckDB. Only the SQL text Splink runs changes; the model keeps the plain conditions."""
    comparisons = []
    for comp in settings.get("comparisons", []):
        levels = []
        for lvl in comp["comparison_levels"]:
            sql = lvl.get("sql_condition", "")
            for plain, fast in _FAST.items():  # idempotent: a model saved from a linker carries the fast text
                sql = sql.replace(fast, plain).replace(plain, fast)
            levels.append({**lvl, "sql_condition": sql})
        comparisons.append({**comp, "comparison_levels": levels})
    return {**settings, "comparisons": comparisons}


def plain_condition(sql: str) -> str:
    """A level's SQL condition with :func:`fast_sql`'s guards undone: its plain edit distances."""
    for plain, fast in _FAST.items():
        sql = sql.replace(fast, plain)
    return sql


def _plain(model: dict[str, Any], settings: dict[str, Any]) -> dict[str, Any]:
    """``model`` with the level conditions of ``settings`` (the plain SQL, not :func:`fast_sql`'s)."""
    comparisons = []
    for comp, plain in zip(model["comparisons"], settings["comparisons"], strict=True):
        levels = [{**lvl, "sql_condition": p["sql_condition"]}
                  for lvl, p in zip(comp["comparison_levels"], plain["comparison_levels"], strict=True)]
        comparisons.append({**comp, "comparison_levels": levels})
    return {**model, "comparisons": comparisons}


def _em(backend: Backend, source: Any, model: dict[str, Any], rule: str) -> dict[str, Any] | None:
    """One EM session from ``model``; the model after it, or None when the rule gives no pairs.

    Each session starts from the *rounded* model (m ≥ M_MIN): starting from an m of 1e-25 left by an earlier session,
    pair weights underflow and Splink refuses the m of 0.0 that follows. Should it still happen (a level EM sees only
    among non-matches, iterated long enough) the session is rerun from the same start with fewer iterations.
    """
    from splink.internals.exceptions import EMTrainingException

    for iterations in EM_ITERATIONS:
        linker = _linker(backend, source, {**rounded(model, fill=False), "max_iterations": iterations})
        try:
            backend.em(linker, source, rule)
        except EMTrainingException:
            return None
        except ValueError as exc:
            if "below the minimum allowed" not in str(exc):
                raise
            continue
        return linker.misc.save_model_to_json()
    return None


def u_pairs(records: int) -> float:
    """How many random pairs estimate u: all of them for a small table, else 1 per record (0.3 to 2 million)."""
    total = records * (records - 1) / 2
    return total + 1 if total <= U_ALL_PAIRS else min(U_MAX_PAIRS, max(U_ALL_PAIRS, 1.0 * records))


def _estimate_u(backend: Backend, linker: Any, source: Any, records: int) -> None:
    if backend.name == "duckdb":
        estimate_u_sql(backend.work, linker, source.physical_name, u_pairs(records), seed=U_SEED)
        return
    linker.training.estimate_u_using_random_sampling(max_pairs=u_pairs(records), seed=U_SEED, min_count_per_level=None,
                                                     num_chunks=1)


def estimate_u_sql(work: duckdb.DuckDBPyConnection, linker: Any, table: str, max_pairs: float, seed: int) -> None:
    """``linker.training.estimate_u_using_random_sampling(max_pairs, seed, min_count_per_level=None, num_chunks=1)``
    on DuckDB with one join of the sample: Splink draws the same sample (by a hash of the ids) and joins it with
    itself once per comparison; here every comparison's level is computed on one join (:func:`_vector_steps`) and each
    comparison's counts go through Splink's own accumulation, proportions and parameter records — the same u."""
    from copy import deepcopy

    from splink.internals.constants import LEVEL_NOT_OBSERVED_TEXT
    from splink.internals.estimate_u import _MUCountsAccumulator, _rows_needed_for_n_pairs
    from splink.internals.expectation_maximisation import compute_proportions_for_new_parameters
    from splink.internals.m_u_records_to_parameters import (
        append_u_probability_to_comparison_level_trained_probabilities,
        m_u_records_to_lookup_dict,
    )
    from splink.internals.misc import ascii_uid

    settings = linker._settings_obj
    if settings._link_type != "dedupe_only":
        raise ConfigError("u by one join of the sample is written for dedupe_only", value=settings._link_type)
    total = int(one(work, f"SELECT count(*) FROM {table}")[0])
    proportion = min(1.0, _rows_needed_for_n_pairs(max_pairs) / total)
    sample = linker._proportion_sample_sql(proportion, settings.column_info_settings.unique_id_input_columns,
                                           seed=seed)
    comparisons = deepcopy(settings.comparisons)
    for cc in comparisons:  # as Splink: u without term frequencies
        for cl in cc.comparison_levels:
            cl._tf_adjustment_column = None
    pairs = ("SELECT l.uid AS join_key_l, r.uid AS join_key_r, '0' AS match_key FROM __hop_input l "
             "JOIN __hop_input r ON l.uid < r.uid")
    steps = _vector_steps(work, linker, table, pairs, comparisons, where=f"WHERE 1=1 {sample}")
    gammas = [cc._gamma_column_name for cc in comparisons]
    work.execute("CREATE OR REPLACE TEMP TABLE _hop_u_vectors AS "
                 + _with(steps, f"SELECT {', '.join(gammas)} FROM __splink__df_comparison_vectors"))
    try:
        for original, cc, gamma in zip(settings.comparisons, comparisons, gammas, strict=True):
            rows = work.execute(f"SELECT {gamma}, count(*) FROM _hop_u_vectors GROUP BY 1 ORDER BY 1").fetchall()
            counts = _MUCountsAccumulator(cc)
            counts.update_from_chunk_counts([{"comparison_vector_value": v, "u_count": n} for v, n in rows])
            records = counts.to_record_list()
            frame = linker._db_api.register(records, table_name=f"__hop_u_counts_{ascii_uid(8)}")
            params = compute_proportions_for_new_parameters(frame)
            frame.drop_table_from_database_and_remove_from_cache(force_non_splink_table=True)
            observed = {int(r["comparison_vector_value"]): float(r["u_count"]) for r in records}
            for r in params:  # a level never seen: not observed (Splink's own rule), not a u of 0
                if observed.get(int(r["comparison_vector_value"]), 0.0) == 0.0:
                    r["u_probability"] = LEVEL_NOT_OBSERVED_TEXT
            lookup = m_u_records_to_lookup_dict(params)
            for cl in original._comparison_levels_excluding_null:
                append_u_probability_to_comparison_level_trained_probabilities(
                    cl, lookup, original.output_column_name, "estimate u by random sampling")
    finally:
        work.execute("DROP TABLE IF EXISTS _hop_u_vectors")
    linker._populate_m_u_from_trained_values()


def _u_and_prior(backend: Backend, linker: Any, source: Any, spec: ModelSpec,
                 records: int) -> tuple[dict[str, Any], list[str]]:
    """The model with u from random pairs and the prior from the deterministic rules (see the module doc)."""
    _estimate_u(backend, linker, source, records)
    notes = []
    floor = 2.0 / max(2.0, records * (records - 1.0))  # at least one matching pair expected
    try:
        linker.training.estimate_probability_two_random_records_match(list(spec.prior_rules), spec.prior_recall)
        model = linker.misc.save_model_to_json()
        prior = min(PRIOR_MAX, max(floor, model["probability_two_random_records_match"] or 0.0))
    except ValueError:  # more rule matches than the assumed recall allows: a table made of duplicates
        model, prior = linker.misc.save_model_to_json(), PRIOR_MAX
        notes.append("prior: the deterministic rules match more pairs than expected; prior set to its maximum")
    model["probability_two_random_records_match"] = prior
    return model, notes


def _on_duckdb(backend: Backend, spec: ModelSpec, records: int) -> tuple[dict[str, Any], list[str]]:
    """u and the prior estimated on DuckDB, whatever the engine. u: Splink draws its sample by a hash of the record ids
    with each engine's own ``hash()`` (DuckDB's and Spark's differ), so Spark would train on another sample — other u,
    other weights (pair F1 0.997 between the engines at 290,578 records). The prior: counts of pairs equal on the
    deterministic rules, the same on both engines, but a handful of Spark jobs (15 s at 28,726 records). The work
    space holds the features; DuckDB does both in seconds."""
    duck = Backend(backend.work)
    try:
        source = duck.input(spec.features)
        return _u_and_prior(duck, _linker(duck, source, spec.settings(None)), source, spec, records)
    finally:
        duck.close()


def _levels_u(model: dict[str, Any]) -> list[list[float | None]]:
    return [[lvl.get("u_probability") for lvl in comp["comparison_levels"]] for comp in model["comparisons"]]


def _with_u(model: dict[str, Any], u: list[list[float | None]]) -> dict[str, Any]:
    """``model`` with the u of each level (same comparisons, same order) set from ``u``."""
    comparisons = []
    for comp, levels_u in zip(model["comparisons"], u, strict=True):
        levels = [lvl if value is None or lvl.get("is_null_level") else {**lvl, "u_probability": value}
                  for lvl, value in zip(comp["comparison_levels"], levels_u, strict=True)]
        comparisons.append({**comp, "comparison_levels": levels})
    return {**model, "comparisons": comparisons}


def train(backend: Backend, source: Any, spec: ModelSpec, records: int) -> TrainedModel:
    """Estimate u (sampling), the prior (deterministic rules) and m (EM), rounded; see the module doc."""
    if spec.fixed_model is not None:
        return TrainedModel(spec.fixed_model)
    _quiet()
    if backend.name == "duckdb":
        model, notes = _u_and_prior(backend, _linker(backend, source, spec.settings(None)), source, spec, records)
    else:  # u and the prior from DuckDB (see _on_duckdb), in the engine's own settings
        start, notes = _on_duckdb(backend, spec, records)
        base = _linker(backend, source, spec.settings(None)).misc.save_model_to_json()
        model = {**_with_u(base, _levels_u(start)),
                 "probability_two_random_records_match": start["probability_two_random_records_match"]}
    prior = model["probability_two_random_records_match"]
    for rule in spec.training:
        trained = _em(backend, source, model, rule)
        if trained is None:
            notes.append(f"EM on {rule}: no pairs")
        else:
            model = trained
    model["probability_two_random_records_match"] = prior  # EM keeps its own prior to itself
    model = _plain(model, spec.settings(None))
    return TrainedModel(rounded(model, unseen_u=1 / u_pairs(records)), notes)


def score(backend: Backend, source: Any, model: TrainedModel, threshold: float, out: str) -> None:
    """Score every blocked pair at or above ``threshold`` into work table ``out``."""
    _quiet()
    linker = _linker(backend, source, model.settings)
    rules = [r if isinstance(r, str) else r["blocking_rule"]
             for r in model.settings.get("blocking_rules_to_generate_predictions", [])]
    backend.predict(linker, source, rules, threshold, out)


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
                out: str) -> None:
    """Splink's predict of the candidate pairs ``pairs`` (``join_key_l``, ``join_key_r``: uids of ``table``) into
    ``out``, in one statement.

    The SQL of every comparison level, Bayes factor, term-frequency adjustment and match weight is Splink's own
    (its generators, with the trained model): same arithmetic, same probabilities to the bit. What differs from
    ``linker.inference.predict``: the records are read once and narrow (:func:`_vector_steps`), and the scored pairs
    keep each comparison's level and weights (the evidence: :mod:`hopnhat.link.evidence`) without the compared
    values."""
    from splink.internals.dialects import SplinkDialect
    from splink.internals.predict import predict_from_comparison_vectors_sqls

    settings = linker._settings_obj
    steps = _vector_steps(work, linker, table, f"SELECT join_key_l, join_key_r, '0' AS match_key FROM {pairs}",
                          settings.core_model_settings.comparisons)
    steps = _bounded(steps, settings, threshold)
    weights = predict_from_comparison_vectors_sqls(
        unique_id_input_columns=settings.column_info_settings.unique_id_input_columns,
        core_model_settings=settings.core_model_settings, sql_dialect=SplinkDialect.from_string("duckdb"),
        threshold_match_probability=threshold, retain_matching_columns=False,
        retain_intermediate_calculation_columns=True, training_mode=True)  # training_mode: keep the levels
    steps += [(step["output_table_name"], step["sql"]) for step in weights[:-1]]
    work.execute(f"CREATE OR REPLACE TABLE {out} AS " + _with(steps, weights[-1]["sql"], _SCORING_INLINED))


_BLOCKED_STEP = "blocked_with_cols"  # Splink's step joining each pair to its two records (``l``, ``r``)


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


def pattern_counts_sql(work: duckdb.DuckDBPyConnection, linker: Any, table: str, rule: str,
                       comparisons: list[Any]) -> Any:
    """The agreement patterns of ``comparisons`` over the pairs of ``table`` that ``rule`` blocks, and their counts
    (Splink's ``count_agreement_patterns_sql``), as an Arrow table — one statement, narrow input
    (:func:`_vector_steps`)."""
    from splink.internals.expectation_maximisation import count_agreement_patterns_sql

    pairs = (f"SELECT l.uid AS join_key_l, r.uid AS join_key_r, '0' AS match_key FROM {table} l JOIN {table} r "
             f"ON ({rule}) AND l.uid < r.uid")
    steps = _vector_steps(work, linker, table, pairs, comparisons)
    return work.execute(_with(steps, count_agreement_patterns_sql(comparisons), _SCORING_INLINED)).fetch_arrow_table()


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
