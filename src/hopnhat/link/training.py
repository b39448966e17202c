"""Training of a Splink model, made deterministic (see :mod:`hopnhat.link.engine`'s module doc): u from a sample of
random pairs drawn by a hash of the ids (always on DuckDB), the prior from deterministic rules, m by EM on counts of
agreement patterns, then rounded to :data:`~hopnhat.link.engine.SIGNIFICANT` significant digits."""

from __future__ import annotations

import re
from collections.abc import Callable
from copy import deepcopy
from typing import Any

import duckdb

from hopnhat.errors import ConfigError
from hopnhat.link import firstpass, kernelcounts
from hopnhat.link.em import conditions_validated_once, exact_matches_ahead
from hopnhat.link.engine import (
    _BLOCKED_STEP,
    Backend,
    ModelSpec,
    TrainedModel,
    _linker,
    _quiet,
    _vector_steps,
    _with,
    rounded,
)
from hopnhat.link.sqlguards import _FAST
from hopnhat.link.tables import one

U_MAX_PAIRS = 2e6  # random pairs sampled for u at most (DuckDB: ~5 s for the person model on 2 threads)
U_ALL_PAIRS = 3e5  # below this many pairs, every pair is used: exact, and the same on every engine
U_SEED = 7  # of Splink's sample by a hash of the ids
EM_ITERATIONS = (25, 10, 4)
PRIOR_MAX = 0.5


def _plain(model: dict[str, Any], settings: dict[str, Any]) -> dict[str, Any]:
    """``model`` with the level conditions of ``settings`` (the plain SQL, not :func:`fast_sql`'s)."""
    comparisons = []
    for comp, plain in zip(model["comparisons"], settings["comparisons"], strict=True):
        levels = [{**lvl, "sql_condition": p["sql_condition"]}
                  for lvl, p in zip(comp["comparison_levels"], plain["comparison_levels"], strict=True)]
        comparisons.append({**comp, "comparison_levels": levels})
    return {**model, "comparisons": comparisons}


def _em(backend: Backend, source: Any, model: dict[str, Any], rule: str,
        levels: kernelcounts.LevelReader | None = None) -> dict[str, Any] | None:
    """One EM session from ``model``; the model after it, or None when the rule gives no pairs.

    Each session starts from the *rounded* model (m ≥ M_MIN): starting from an m of 1e-25 left by an earlier session,
    pair weights underflow and Splink refuses the m of 0.0 that follows. Should it still happen (a level EM sees only
    among non-matches, iterated long enough) the session is rerun from the same start with fewer iterations.
    """
    from splink.internals.exceptions import EMTrainingException

    for iterations in EM_ITERATIONS:
        linker = _linker(backend, source, {**rounded(model, fill=False), "max_iterations": iterations})
        try:
            backend.em(linker, source, rule, _counts(backend, linker, source, rule, levels))
        except EMTrainingException:
            return None
        except ValueError as exc:
            if "below the minimum allowed" not in str(exc):
                raise
            continue
        return linker.misc.save_model_to_json()
    return None


def _counts(backend: Backend, linker: Any, source: Any, rule: str,
            levels: kernelcounts.LevelReader | None) -> Callable[[Any], Any] | None:
    """How a session's pattern counts are made on ``backend``: on DuckDB by the compiled kernel where it applies
    (``levels``: :func:`kernelcounts.pattern_counts`), else by :func:`pattern_counts_sql`; Spark counts its own
    (None)."""
    if backend.name != "duckdb":
        return None
    if levels is not None:
        return lambda session: kernelcounts.pattern_counts(backend.work, levels, linker, source.physical_name, rule,
                                                           session.core_model_settings.comparisons)
    return lambda session: pattern_counts_sql(backend.work, linker, source.physical_name, rule,
                                              session.core_model_settings.comparisons)


def u_pairs(records: int) -> float:
    """How many random pairs estimate u: all of them for a small table, else 1 per record (0.3 to 2 million)."""
    total = records * (records - 1) / 2
    return total + 1 if total <= U_ALL_PAIRS else min(U_MAX_PAIRS, max(U_ALL_PAIRS, 1.0 * records))


def _estimate_u(backend: Backend, linker: Any, source: Any, records: int,
                levels: kernelcounts.LevelReader | None) -> None:
    if backend.name == "duckdb":
        estimate_u_sql(backend.work, linker, source.physical_name, u_pairs(records), seed=U_SEED, levels=levels)
        return
    linker.training.estimate_u_using_random_sampling(max_pairs=u_pairs(records), seed=U_SEED, min_count_per_level=None,
                                                     num_chunks=1)


def estimate_u_sql(work: duckdb.DuckDBPyConnection, linker: Any, table: str, max_pairs: float, seed: int,
                   levels: kernelcounts.LevelReader | None = None) -> None:
    """``linker.training.estimate_u_using_random_sampling(max_pairs, seed, min_count_per_level=None, num_chunks=1)``
    on DuckDB with one join of the sample: Splink draws the same sample (by a hash of the ids) and joins it with
    itself once per comparison; here every comparison's level is computed on one join (:func:`_vector_steps`), or
    read by the compiled kernel (``levels``: :func:`kernelcounts.level_counts`), and each comparison's counts go
    through Splink's own accumulation, proportions and parameter records — the same u."""
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
    comparisons = _without_tf(settings.comparisons)  # as Splink: u without term frequencies
    if levels is not None:
        uids = work.execute(f"SELECT s.uid FROM {table} s WHERE 1=1 {sample}").fetchnumpy()["uid"]
        found = kernelcounts.level_counts(work, levels, linker, table, uids, comparisons)
    else:
        found = _u_level_counts_sql(work, linker, table, sample, comparisons)
    for original, cc, rows in zip(settings.comparisons, comparisons, found, strict=True):
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
    linker._populate_m_u_from_trained_values()


def _u_level_counts_sql(work: duckdb.DuckDBPyConnection, linker: Any, table: str, sample: str,
                        comparisons: list[Any]) -> list[list[tuple[int, int]]]:
    """Each comparison's (comparison vector value, count) over every pair of the sample's records, values ascending:
    the levels of all comparisons computed on one join of the sample with itself."""
    steps = _joined(_vector_steps(work, linker, table, "", comparisons, where=f"WHERE 1=1 {sample}"),
                    "__hop_input", "true")
    steps = _computed_once(steps, _FAST[_NAMES_DL], "__hop_names_dl")
    gammas = [cc._gamma_column_name for cc in comparisons]
    work.execute("CREATE OR REPLACE TEMP TABLE _hop_u_vectors AS "
                 + _with(steps, f"SELECT {', '.join(gammas)} FROM __splink__df_comparison_vectors"))
    try:
        return [[(int(v), int(n)) for v, n in
                 work.execute(f"SELECT {gamma}, count(*) FROM _hop_u_vectors GROUP BY 1 ORDER BY 1").fetchall()]
                for gamma in gammas]
    finally:
        work.execute("DROP TABLE IF EXISTS _hop_u_vectors")


def _u_and_prior(backend: Backend, linker: Any, source: Any, spec: ModelSpec, records: int,
                 levels: kernelcounts.LevelReader | None = None) -> tuple[dict[str, Any], list[str]]:
    """The model with u from random pairs and the prior from the deterministic rules (see the module doc)."""
    _estimate_u(backend, linker, source, records, levels)
    notes = []
    floor = 2.0 / max(2.0, records * (records - 1.0))  # at least one matching pair expected
    try:
        found = _prior(backend, linker, source, spec.prior_rules, spec.prior_recall, records)
        if not found and spec.prior_fallback:  # no pair by the ID numbers: a list without them
            notes.append(f"prior: no pair by {' / '.join(spec.prior_rules)}; by {' / '.join(spec.prior_fallback)}")
            found = _prior(backend, linker, source, spec.prior_fallback, spec.prior_recall, records)
        model = linker.misc.save_model_to_json()  # (its prior is replaced below)
        prior = min(PRIOR_MAX, max(floor, found or 0.0))
    except ValueError:  # more rule matches than the assumed recall allows: a table made of duplicates
        model, prior = linker.misc.save_model_to_json(), PRIOR_MAX
        notes.append("prior: the deterministic rules match more pairs than expected; prior set to its maximum")
    model["probability_two_random_records_match"] = prior
    return model, notes


def _prior(backend: Backend, linker: Any, source: Any, rules: tuple[str, ...], recall: float,
           records: int) -> float | None:
    """The prior by ``rules`` and their ``recall``: counted (:func:`prior_by_counts`), or by Splink for a rule not
    made of equalities and filters."""
    found = prior_by_counts(backend.work, source.physical_name, rules, recall, records)
    if found is None:
        linker.training.estimate_probability_two_random_records_match(list(rules), recall)
        found = linker.misc.save_model_to_json()["probability_two_random_records_match"]
    return found


def prior_by_counts(work: duckdb.DuckDBPyConnection, table: str, rules: tuple[str, ...], recall: float,
                    records: int) -> float | None:
    """Splink's ``estimate_probability_two_random_records_match(rules, recall)`` on the ``records`` records of
    ``table`` — the pairs that any rule matches, over recall, over all pairs — with each rule's pairs counted from
    the sizes of the groups of equal keys (n·(n-1)/2 a group), not joined: Splink joins the records once per rule
    (excluding the pairs of the rules before) and counts the pairs. The pairs of several rules by inclusion and
    exclusion: those of two rules are the pairs of one rule with both rules' equalities and filters. The same count,
    the same arithmetic, the same float; raises ValueError where Splink does (more pairs than the recall allows).
    None when a rule is not a conjunction of ``l.x = r.x`` equalities (of columns compared exactly by grouping) and
    of filters that read one side, the same on both sides."""
    from itertools import combinations

    parts = [_equalities_and_filters(rule) for rule in rules]
    if any(part is None for part in parts) or not _groupable(work, table, {k for p in parts if p for k in p[0]}):
        return None
    observed = 0
    for size in range(1, len(parts) + 1):
        for subset in combinations([p for p in parts if p is not None], size):
            keys = sorted(set().union(*(keys for keys, _ in subset)))
            filters = sorted(set().union(*(filters for _, filters in subset)))
            observed += (-1) ** (size + 1) * _pairs_of(work, table, keys, filters)
    total = int(records * (records - 1) / 2)  # Splink: a float n·(n-1)/2, stored as a BIGINT
    if observed > total * recall:
        raise ValueError("the deterministic rules match more pairs than the recall allows")
    return observed / recall / total


def _equalities_and_filters(rule: str) -> tuple[frozenset[str], frozenset[str]] | None:
    """``rule``'s key columns (its ``l.x = r.x``) and its filters on ``l`` (SQL), when every other conjunct reads one
    side and the filters on ``r`` are those on ``l`` with the sides swapped; else None."""
    import sqlglot
    from sqlglot import exp

    keys: set[str] = set()
    sides: dict[str, set[str]] = {"l": set(), "r": set()}
    tree = sqlglot.parse_one(rule, read="duckdb").unnest()
    for part in tree.flatten() if isinstance(tree, exp.And) else [tree]:
        if (isinstance(part, exp.EQ) and isinstance(part.this, exp.Column) and isinstance(part.expression, exp.Column)
                and part.this.name == part.expression.name and {part.this.table, part.expression.table} == {"l", "r"}):
            keys.add(part.this.name)
            continue
        tables = {col.table for col in part.find_all(exp.Column)}
        if len(tables) != 1 or not tables <= {"l", "r"}:
            return None
        side = tables.pop()
        for col in part.find_all(exp.Column):
            col.set("table", exp.to_identifier("l"))
        sides[side].add(part.sql(dialect="duckdb"))
    if not keys or sides["l"] != sides["r"]:
        return None
    return frozenset(keys), frozenset(sides["l"])


# Column types whose GROUP BY groups exactly the values that ``=`` finds equal (not floating point: -0.0, NaN)
_GROUPABLE = ("VARCHAR", "BIGINT", "INTEGER", "SMALLINT", "TINYINT", "HUGEINT", "UBIGINT", "UINTEGER", "USMALLINT",
              "UTINYINT", "DATE", "BOOLEAN")


def _groupable(work: duckdb.DuckDBPyConnection, table: str, keys: set[str]) -> bool:
    types = dict(work.execute(f"SELECT column_name, column_type FROM (DESCRIBE {table})").fetchall())
    return all(types.get(key) in _GROUPABLE for key in keys)


def _coded_keys(work: duckdb.DuckDBPyConnection, table: str, keys: list[str]) -> list[str]:
    """``keys`` (columns of ``table``), each as the columns of its exact integer codes where ``table`` has them
    (person_features.KEY_CODES, EQUALITY_CODES; a text of :data:`kernelcounts.SLICES`: the codes of the slices that
    tile it, :func:`kernelcounts.slice_codes`), else itself. A code is equal exactly where its key is and NULL
    exactly where it is: the same groups, of integers instead of texts (the CCCDs of 1.37 M records)."""
    from hopnhat.link.person_features import EQUALITY_CODES, KEY_CODES

    columns = set(work.execute(f"SELECT * FROM {table} LIMIT 0").fetch_arrow_table().column_names)
    codes = {key: code for key, code in {**KEY_CODES, **EQUALITY_CODES}.items() if code in columns}
    out: list[str] = []
    for key in keys:
        found = [codes[key]] if key in codes else kernelcounts.slice_codes(work, table, key, codes)
        out += [c for c in found or [key] if c not in out]
    return out


def _pairs_of(work: duckdb.DuckDBPyConnection, table: str, keys: list[str], filters: list[str]) -> int:
    """The pairs of records of ``table`` (alias ``l``) that pass ``filters`` and are equal, not null, on ``keys``
    (grouped by their codes: :func:`_coded_keys`)."""
    keys = _coded_keys(work, table, keys)
    where = " AND ".join([f"({f})" for f in filters] + [f"l.{k} IS NOT NULL" for k in keys])
    found = one(work, f"SELECT coalesce(sum(n * (n - 1) // 2), 0)::BIGINT FROM (SELECT count(*) AS n FROM {table} l "
                      f"WHERE {where} GROUP BY {', '.join(f'l.{k}' for k in keys)})")
    return int(found[0])


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
    with conditions_validated_once():  # three linkers of the same level conditions
        if backend.name == "duckdb":
            linker = _linker(backend, source, spec.settings(None))
            # the sessions' exact-match tests (pure Python) worked out while DuckDB estimates u
            ahead = exact_matches_ahead(level for cc in linker._settings_obj.comparisons
                                        for level in cc.comparison_levels)
            try:
                term_frequencies(linker, source.physical_name)  # (the kernel's records read them)
                levels = kernelcounts.reader(backend.work, linker, source.physical_name)
                model, notes = _u_and_prior(backend, linker, source, spec, records, levels)
            finally:
                ahead()
        else:  # u and the prior from DuckDB (see _on_duckdb), in the engine's own settings
            start, notes = _on_duckdb(backend, spec, records)
            base = _linker(backend, source, spec.settings(None)).misc.save_model_to_json()
            model = {**_with_u(base, _levels_u(start)),
                     "probability_two_random_records_match": start["probability_two_random_records_match"]}
            levels = None
        prior = model["probability_two_random_records_match"]
        fallback = dict(spec.training_fallback)
        model, shipped = _shipped(backend, source, spec, model, records, notes)
        for rule in () if shipped else spec.training:
            trained = _em(backend, source, model, rule, levels)
            if trained is None and rule in fallback:
                notes.append(f"EM on {rule}: no pairs; on {fallback[rule]} instead")
                rule = fallback[rule]
                trained = _em(backend, source, model, rule, levels)
            if trained is None:
                notes.append(f"EM on {rule}: no pairs")
            else:
                model = trained
    if levels is not None:  # the kernel's records, for scoring's first pass over the same records
        firstpass.hand_over(source, levels.kernel, levels.recs)
    model["probability_two_random_records_match"] = prior  # EM keeps its own prior to itself
    model = _plain(model, spec.settings(None))
    return TrainedModel(rounded(model, unseen_u=1 / u_pairs(records)), notes)


def _shipped(backend: Backend, source: Any, spec: ModelSpec, model: dict[str, Any], records: int,
             notes: list[str]) -> tuple[dict[str, Any], bool]:
    """The model with the spec's shipped probabilities where the list is too small to train its own (m and u below
    ``tiny_records`` records, m where the training rules block fewer than ``small_pairs`` pairs, counted below
    ``small_records`` records: 0.3 CPU-s at 1 M, and a list that large without 2,000 pairs to train on has next to no
    duplicates), and whether it took them (then no EM)."""
    if spec.shipped_mu is not None and records < spec.tiny_records:
        notes.append(f"a list of {records} records, fewer than {spec.tiny_records}: m and u from the shipped model "
                     "(hopnhat/link/data), no term-frequency adjustment")
        return spec.shipped_mu(model), True
    counted = spec.shipped_m is not None and records < spec.small_records
    blocked = _blocked(backend.work, spec) if counted else None
    if spec.shipped_m is not None and blocked is not None and blocked < spec.small_pairs:
        notes.append(f"a small list: its training rules block {blocked} pairs, fewer than {spec.small_pairs}; "
                     "m from the shipped model (hopnhat/link/data)")
        return spec.shipped_m(model), True
    return model, False


def _blocked(work: duckdb.DuckDBPyConnection, spec: ModelSpec) -> int | None:
    """The pairs EM would train on: those each training rule blocks (its fallback's where it blocks none), counted
    from the groups of equal keys of the features in the work space (whatever the engine); None when a rule is not
    made of equalities and filters."""
    fallback = dict(spec.training_fallback)
    total = 0
    for rule in spec.training:
        pairs = _rule_pairs(work, spec.features, rule)
        if pairs == 0 and rule in fallback:
            pairs = _rule_pairs(work, spec.features, fallback[rule])
        if pairs is None:
            return None
        total += pairs
    return total


def _rule_pairs(work: duckdb.DuckDBPyConnection, table: str, rule: str) -> int | None:
    part = _equalities_and_filters(rule)
    if part is None or not _groupable(work, table, set(part[0])):
        return None
    return _pairs_of(work, table, sorted(part[0]), sorted(part[1]))


def term_frequencies(linker: Any, table: str) -> None:
    """Splink's term-frequency tables of the model (``linker.table_management.compute_tf_table``, its SQL), each
    read from ``table`` itself, into the linker's cache, where EM's sessions and scoring find them. Splink reads them
    from its CTE of the input with every column (``__splink__df_concat``): 1.7 CPU-s for the two tables at 1 M people,
    0.12 from the table (a loaded dev run); the rows are the same, so are the tables, to the bit."""
    from splink.internals.pipeline import CTEPipeline
    from splink.internals.term_frequencies import colname_to_tf_tablename, term_frequencies_for_single_column_sql

    cache = linker._intermediate_table_cache
    for column in linker._settings_obj._term_frequency_columns:
        name = colname_to_tf_tablename(column)
        if name not in cache:
            pipeline = CTEPipeline()
            pipeline.enqueue_sql(term_frequencies_for_single_column_sql(column, table), name)
            cache[name] = linker._db_api.sql_pipeline_to_splink_dataframe(pipeline)


def pattern_counts_sql(work: duckdb.DuckDBPyConnection, linker: Any, table: str, rule: str,
                       comparisons: list[Any]) -> Any:
    """The agreement patterns of ``comparisons`` over the pairs of ``table`` that ``rule`` blocks, and their counts
    (Splink's ``count_agreement_patterns_sql``), as an Arrow table — one statement: the rule's join reads the
    compared columns itself (:func:`_joined`), and the term frequencies, which no level's value depends on, are not
    joined (the session estimates without them)."""
    from splink.internals.expectation_maximisation import count_agreement_patterns_sql

    comparisons = _without_tf(comparisons)
    steps = _joined(_vector_steps(work, linker, table, "", comparisons), table, rule)
    return work.execute(_with(steps, count_agreement_patterns_sql(comparisons))).fetch_arrow_table()


def _without_tf(comparisons: list[Any]) -> list[Any]:
    """A copy of ``comparisons`` without term-frequency adjustments: the same levels (a level's value depends on its
    condition only; a condition that read a term-frequency column would now fail to bind, not change), and no
    term-frequency tables to join."""
    out = deepcopy(comparisons)
    for cc in out:
        for cl in cc.comparison_levels:
            cl._tf_adjustment_column = None
    return out


_NAMES_DL = "damerau_levenshtein(name_sorted_l, name_sorted_r)"  # (as sqlguards.fast_sql computes it)


def _computed_once(steps: list[tuple[str, str]], expr: str, name: str) -> list[tuple[str, str]]:
    """``steps`` with ``expr`` (a parenthesised expression of the pair's columns) computed once a pair, as column
    ``name``, where the comparison vectors compute it more than once. For u only: on random pairs the edit distance
    of all name words is computed by the name levels and again by the middle name's (nearly every pair reaches both),
    0.3 of u's 2.3 CPU-s at 1 M people; on blocked pairs most never reach it. The same expression: the same value."""
    vectors = "__splink__df_comparison_vectors"
    out = []
    for step, sql in steps:
        if step == vectors and sql.count(expr) > 1:
            sql, found = re.subn(rf"\bfrom {_BLOCKED_STEP}\b", "from __hop_once", sql.replace(expr, name))
            if found != 1:
                raise ConfigError("Splink's comparison vectors do not read the blocked pairs once", value=vectors)
            out.append(("__hop_once", f"SELECT *, {expr} AS {name} FROM {_BLOCKED_STEP}"))
        out.append((step, sql))
    return out


# Splink's step joining each blocked pair (uids) to its two records: two joins on the uid after the join that found
# the pair. :func:`_joined` makes it one join that finds the pairs and reads their columns at once.
_PAIRS_TO_RECORDS = re.compile(r'from __splink__blocked_id_pairs as b\s+inner join __hop_input as l\s+'
                               r'on l\."uid" = b\.join_key_l\s+inner join __hop_input as r\s+'
                               r'on r\."uid" = b\.join_key_r\s*$')


def _joined(steps: list[tuple[str, str]], records: str, on: str) -> list[tuple[str, str]]:
    """:func:`_vector_steps`'s ``steps`` with the pairs of ``records`` that ``on`` blocks (``l.uid < r.uid``) found and
    joined to their compared columns in one join, instead of a join finding the uids and two joins on the uid (each
    over all 1.45 M records at 1 M people): the same pairs, the same columns, the same levels."""
    out = []
    for name, sql in steps:
        if name == "__splink__blocked_id_pairs":
            continue
        if name == _BLOCKED_STEP:
            sql, found = _PAIRS_TO_RECORDS.subn(f"from {records} as l join {records} as r on ({on}) and l.uid < r.uid",
                                                sql)
            select = sql.replace("b.match_key", "'0' AS match_key")
            if found != 1 or "b." in select or select == sql:
                raise ConfigError("Splink's blocked-pairs step changed: not the two joins on the uid", value=name)
            sql = select
        out.append((name, sql))
    return out
