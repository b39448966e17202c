"""Training's counts of comparison levels read by the compiled first-pass kernel (:mod:`hopnhat.link.firstpass`).

u is estimated from the counts of each comparison's levels over a sample of random pairs, and each EM session from the
counts of the agreement patterns (one level per comparison) over the pairs its rule blocks (:mod:`hopnhat.link.
training`). The kernel reads every comparison's level of a pair as DuckDB reads the person model's SQL, in C, for a
fraction of the SQL's CPU. Where it cannot tell the level exactly (several bits in its mask: CCCDs one keying slip
apart, a text over 64 bytes for an edit distance) the pair's levels come from Splink's SQL instead. The same pairs,
each counted once, at the same levels: the same counts.

The kernel applies to the person model only, and only to the model it implements (:func:`firstpass.applies`: a
ConfigError for the person model's comparisons with other SQL); other models are counted by the SQL alone.
"""

from __future__ import annotations

import re
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa

from hopnhat.errors import ConfigError
from hopnhat.link import firstpass, keyjoins
from hopnhat.link.engine import _vector_steps, _with
from hopnhat.link.tables import one

AMBIGUOUS = "_hop_kernel_ambiguous"  # the pairs the kernel cannot read exactly, counted by the SQL


class LevelReader:
    """The kernel over a table's records (uid i in row i), its levels without weights (a level does not depend on
    them), with each comparison's level (by kernel bit) as Splink's comparison vector value."""

    def __init__(self, kernel: Any, recs: np.ndarray, comparisons: list[Any], threads: int) -> None:
        self.kernel = kernel
        self.recs = recs
        self.threads = threads
        self.values = {cc.output_column_name: [int(cl.comparison_vector_value) for cl in cc.comparison_levels]
                       for cc in comparisons}

    def gammas(self, left: np.ndarray, right: np.ndarray,
               comparisons: list[Any]) -> tuple[np.ndarray, np.ndarray]:
        """(pairs × comparisons comparison vector values, int8; exact) of the pairs ``left``–``right``: ``exact``
        False where some comparison's level is not read exactly (its values there are meaningless)."""
        for cc in comparisons:
            values = self.values.get(cc.output_column_name)
            if values is None or len(values) != len(cc.comparison_levels):
                raise ConfigError("a comparison the kernel does not read", value=cc.output_column_name)
        return firstpass.gammas(self.kernel, comparisons, left, right, self.threads)


def reader(work: duckdb.DuckDBPyConnection, linker: Any, table: str) -> LevelReader | None:
    """The kernel's level reader over ``table`` for ``linker``'s model (its term-frequency tables computed: the
    kernel's records read them); None where the kernel does not apply: another model, a text longer than
    :data:`firstpass.MAX_TEXT` bytes, uids that are not 0 … n-1."""
    from hopnhat.link.firstpass_kernel import Kernel

    if not firstpass.applies(linker):
        return None
    read = firstpass.read_records(work, linker, table)
    if read is None:
        return None
    recs, texts = read
    comparisons = linker._settings_obj.core_model_settings.comparisons
    unweighted = [[(0.0, 0.0, 0.0, 0.0)] * len(cc.comparison_levels) for cc in comparisons]
    threads = firstpass.work_threads(work)
    kernel = Kernel(recs, texts, (0.0, unweighted), threads)
    del texts
    return LevelReader(kernel, recs, comparisons, threads)


def rule_pairs(work: duckdb.DuckDBPyConnection, table: str, rule: str) -> tuple[np.ndarray, np.ndarray]:
    """The uids (``l.uid < r.uid``) of the pairs of ``table`` that ``rule`` blocks, its keys that have exact integer
    codes in ``table`` (:data:`person_features.KEY_CODES`) joined on their codes (:func:`joins.coded`: the same
    pairs), a text compared whole by the codes of slices that tile it where they exist (:func:`sliced`): in compiled
    code where the rule is made of keys (:mod:`hopnhat.link.keyjoins`), else by DuckDB. The pairs in no order."""
    from hopnhat.link.joins import Join, coded
    from hopnhat.link.person_features import KEY_CODES

    columns = set(work.execute(f"SELECT * FROM {table} LIMIT 0").fetch_arrow_table().column_names)
    codes = {key: code for key, code in KEY_CODES.items() if code in columns}
    join = Join(f"({coded(sliced(work, table, rule, codes), codes)})", False)
    values, plans, _ = keyjoins.plan(work, table, [join])
    if values is not None and plans:
        return keyjoins.pairs(values, plans[0])
    found = work.execute(join.sql(table)).fetchnumpy()
    return np.ascontiguousarray(found["a"], dtype=np.int64), np.ascontiguousarray(found["b"], dtype=np.int64)


# A text compared whole in a training rule (``l.cccd = r.cccd``) that has no code of its own, and slices of it that do
# (person_features.KEY_CODES), one after the other from its first character: a text no longer than they reach is
# the slices' concatenation, so two such texts are equal exactly where each slice is (and NULL where the text is).
# Dictionary-coding the 1.37 M CCCD texts for the join cost ~0.35 CPU-s more than the codes (1 M blind).
SLICES = {"cccd": ((1, 9), (10, 3))}
_WHOLE = re.compile(r"\(*\s*([lr])\.([a-z_][a-z_0-9]*)\s*=\s*([lr])\.([a-z_][a-z_0-9]*)\s*\)*")


def sliced(work: duckdb.DuckDBPyConnection, table: str, rule: str, codes: dict[str, str]) -> str:
    """``rule`` with each of its top-level conjuncts that compares a text of :data:`SLICES` whole (``l.cccd =
    r.cccd``) written as the equalities of its slices, where ``codes`` has each slice's code and no value of the
    text in ``table`` is longer than the slices reach (else that conjunct as it is): the same pairs."""
    from hopnhat.link.joins import split_top

    if len(split_top(rule, " OR ")) > 1:
        return rule
    parts = split_top(rule, " AND ")
    for k, part in enumerate(parts):
        column = _whole(part)
        if column is not None and slice_codes(work, table, column, codes) is not None:
            parts[k] = "(" + " AND ".join(f"substr(l.{column}, {a}, {n}) = substr(r.{column}, {a}, {n})"
                                          for a, n in SLICES[column]) + ")"
    return " AND ".join(parts)


def slice_codes(work: duckdb.DuckDBPyConnection, table: str, column: str, codes: dict[str, str]) -> list[str] | None:
    """The code columns (``codes``: a key → its code's column) of the slices of :data:`SLICES` that tile ``column``,
    when each has one and no value of ``column`` in ``table`` is longer than they reach: equal together exactly
    where ``column`` is, NULL where it is; else None."""
    keys = [f"substr({column}, {a}, {n})" for a, n in SLICES.get(column, ())]
    if not keys or any(key not in codes for key in keys):
        return None
    longest = one(work, f"SELECT max(length({column})) FROM {table}")[0]
    return [codes[key] for key in keys] if longest is None or longest <= sum(n for _, n in SLICES[column]) else None


def _whole(part: str) -> str | None:
    """The text of :data:`SLICES` that ``part`` compares whole between the two records (``l.cccd = r.cccd``), else
    None."""
    found = _WHOLE.fullmatch(part)
    if found is None or part.count("(") != part.count(")"):
        return None
    left, column, right, other = found.groups()
    return column if column in SLICES and other == column and left != right else None


def _sql_vectors(work: duckdb.DuckDBPyConnection, linker: Any, table: str, comparisons: list[Any], left: np.ndarray,
                 right: np.ndarray, final: str) -> Any:
    """``final`` (SQL over Splink's ``__splink__df_comparison_vectors``) for the pairs ``left``–``right`` only, by
    Splink's own level SQL (:func:`engine._vector_steps`), as an Arrow table."""
    work.register(AMBIGUOUS, pa.table({"join_key_l": left, "join_key_r": right}))
    try:
        pairs = f"SELECT join_key_l, join_key_r, '0' AS match_key FROM {AMBIGUOUS}"
        where = f"WHERE s.uid IN (SELECT join_key_l FROM {AMBIGUOUS} UNION SELECT join_key_r FROM {AMBIGUOUS})"
        steps = _vector_steps(work, linker, table, pairs, comparisons, where=where)
        return work.execute(_with(steps, final)).fetch_arrow_table()
    finally:
        work.unregister(AMBIGUOUS)


def pattern_counts(work: duckdb.DuckDBPyConnection, levels: LevelReader, linker: Any, table: str, rule: str,
                   comparisons: list[Any]) -> Any:
    """:func:`training.pattern_counts_sql`'s table (the agreement patterns of ``comparisons``, without term
    frequencies, over the pairs ``rule`` blocks, and their counts), the levels read by the kernel, and by the SQL
    for the pairs the kernel cannot read exactly. The same counts; the patterns in another order."""
    from splink.internals.expectation_maximisation import count_agreement_patterns_sql

    left, right = rule_pairs(work, table, rule)
    gammas, exact = levels.gammas(left, right, comparisons)
    by_sql = _sql_vectors(work, linker, table, comparisons, left[~exact], right[~exact],
                          count_agreement_patterns_sql(comparisons))
    names = [cc._gamma_column_name for cc in comparisons]  # (the SQL's columns: a missing one raises below)
    patterns, counts = _distinct_rows(gammas[exact])
    count_type = by_sql.schema.field("agreement_pattern_count").type
    by_kernel = pa.table({**{n: pa.array(patterns[:, k]).cast(by_sql.schema.field(n).type)
                             for k, n in enumerate(names)},
                          "agreement_pattern_count": pa.array(counts).cast(count_type)})
    both = pa.concat_tables([by_kernel, by_sql.select(by_kernel.column_names)])
    summed = both.group_by(names).aggregate([("agreement_pattern_count", "sum")])
    total = summed.column("agreement_pattern_count_sum").cast(count_type)
    return pa.table({**{n: summed.column(n) for n in names}, "agreement_pattern_count": total})


def _distinct_rows(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct rows of ``rows`` (small integers, -1 … 126) and how many times each occurs: each row as one
    integer, digits of base 128 (a comparison has at most 12 levels)."""
    width = rows.shape[1]
    if width > 9:
        raise ConfigError("more comparisons than one integer holds", value=width)
    code = np.zeros(len(rows), dtype=np.int64)
    for k in range(width):
        code = code * 128 + (rows[:, k].astype(np.int64) + 1)
    found, counts = np.unique(code, return_counts=True)
    out = np.zeros((len(found), width), dtype=np.int64)
    for k in range(width - 1, -1, -1):
        out[:, k] = found % 128 - 1
        found = found // 128
    return out, counts


def level_counts(work: duckdb.DuckDBPyConnection, levels: LevelReader, linker: Any, table: str, uids: np.ndarray,
                 comparisons: list[Any]) -> list[list[tuple[int, int]]]:
    """Each comparison's (comparison vector value, count) over every pair of the records ``uids`` (the u sample),
    values ascending, those counted only: read by the kernel, and by the SQL for the pairs it cannot read exactly."""
    ordered = np.unique(np.asarray(uids, dtype=np.int64))
    i, j = np.triu_indices(len(ordered), 1)
    left, right = np.ascontiguousarray(ordered[i]), np.ascontiguousarray(ordered[j])
    del i, j
    gammas, exact = levels.gammas(left, right, comparisons)
    names = [cc._gamma_column_name for cc in comparisons]
    by_sql = None if exact.all() else _sql_vectors(  # (1 M blind: every one of 1.45 M random pairs read exactly)
        work, linker, table, comparisons, left[~exact], right[~exact],
        f"SELECT {', '.join(names)} FROM __splink__df_comparison_vectors")
    out = []
    for k, name in enumerate(names):
        counts = np.bincount(gammas[exact, k].astype(np.int64) + 1, minlength=128)
        if by_sql is not None:
            counts += np.bincount(np.asarray(by_sql.column(name), dtype=np.int64) + 1, minlength=128)
        out.append([(v - 1, int(counts[v])) for v in np.flatnonzero(counts).tolist()])
    return out
