"""A compiled first pass over the candidate pairs, before Splink's scoring SQL: only the pairs whose match weight can
reach the scoring floor are scored.

At a million people, the blocking rules give about 13.5 M candidate pairs, of which about 0.55 M reach the floor; the
scoring SQL (:func:`hopnhat.link.engine.predict_sql`) spent most of its time joining each of them to its two records.
:mod:`hopnhat.link.firstpass_kernel` computes, for every pair, each comparison's level as DuckDB reads the person
model's SQL (:data:`hopnhat.link.person_model.COMPARISONS`), and the weight of those levels with Splink's
term-frequency adjustments; where a level is not read exactly (CCCDs one keying slip apart: the names and dates of
``SLIP_OTHER_PERSON`` are not read; a text longer than 64 bytes for an edit distance) the pass takes the largest
weight of the levels possible. A pair is kept when that weight is at least the floor less :data:`bound.MARGIN`: an
upper bound, so the pairs kept are a superset of those Splink keeps, and the scored table is the same. The pairs kept
carry the levels the kernel read (where it read them exactly) to the scoring SQL, which then computes only the
weights (:func:`hopnhat.link.engine.predict_sql`, ``vectors``).

The kernel is written for the person model's SQL as it stands: :data:`FINGERPRINT` pins it. A linker whose
comparisons are the person model's (by their names) with another SQL is refused (ConfigError), never scored with a
stale kernel; other models (organizations) are not filtered.
"""

from __future__ import annotations

import hashlib
import json
import math
import weakref
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from hopnhat.errors import ConfigError
from hopnhat.link import keyjoins
from hopnhat.link.joins import Join
from hopnhat.link.limits import in_stored_order
from hopnhat.link.sqlguards import plain_condition

# sha256 of the person model's comparisons (names, level conditions, tf columns, null levels) the kernel implements
FINGERPRINT = "4b0cdedcbe8c9c82be62e59990122c7e9029bde91aeea79e7851c7c7b02e29da"
NAMES = ("name", "middle", "birth_date", "sex", "id", "phone", "address")
TEXTS = ("giv", "fam", "mid", "name_sorted", "cccd", "cmnd", "addr", "addr_cands")
CODES = ("fg", "giv_acc", "addr_detail", "addr_old", "phone", "sex")  # texts only tested for equality: read coded
INTS = ("byear", "bmonth", "bday", "dm", "cc_year")
BOOLS = ("vague", "giv_real", "giv_acc_real")
TF = {"name": "fg", "middle": "mid"}  # the comparisons with term-frequency levels, and their columns
TF_CODES = {"fg": "k_fg", "mid": "k_mid"}  # those columns' exact codes (person_features)
NULL_INT = -(2**31)
BATCH = 1 << 20  # pairs read from DuckDB at a time
# The kernel holds a text's length in 16 bits: a run with a longer text (a damaged cell: a 32 KB "name") is scored by
# the SQL alone, as before the pass — the same scored table, only slower.
MAX_TEXT = 32767


def fingerprint(comparisons: Iterable[tuple[str, list[tuple[str, str | None, bool]]]]) -> str:
    """sha256 of (name, [(condition, tf column, null level), …]) per comparison."""
    text = json.dumps([[name, [list(level) for level in levels]] for name, levels in comparisons])
    return hashlib.sha256(text.encode()).hexdigest()


def model_fingerprint(comparisons: Iterable[dict[str, Any]]) -> str:
    """:func:`fingerprint` of comparisons as settings dicts (person_model.COMPARISONS)."""
    return fingerprint((c["output_column_name"],
                        [(lvl["sql_condition"], lvl.get("tf_adjustment_column"), bool(lvl.get("is_null_level")))
                         for lvl in c["comparison_levels"]]) for c in comparisons)


def linker_fingerprint(comparisons: list[Any]) -> str:
    """:func:`fingerprint` of a linker's comparisons (Splink Comparisons), their conditions without
    sqlguards.fast_sql's guards."""
    def tf(level: Any) -> str | None:
        column = level._tf_adjustment_input_column if level._has_tf_adjustments else None
        return column.input_name if column is not None else None

    return fingerprint((c.output_column_name,
                        [(plain_condition(lvl.sql_condition), tf(lvl), bool(lvl.is_null_level))
                         for lvl in c.comparison_levels]) for c in comparisons)


def applies(linker: Any) -> bool:
    """True when ``linker``'s model is the person model the kernel implements; False for another model (by its
    comparisons' names); a ConfigError for the person model's comparisons with SQL the kernel does not know."""
    comparisons = linker._settings_obj.core_model_settings.comparisons
    if tuple(c.output_column_name for c in comparisons) != NAMES:
        return False
    found = linker_fingerprint(comparisons)
    if found != FINGERPRINT:
        raise ConfigError("the person model's comparisons changed: the scoring first pass (link/firstpass_kernel.pyx)"
                          " implements another version of them", value=found, reason=f"expected {FINGERPRINT}")
    return True


def work_threads(work: duckdb.DuckDBPyConnection) -> int:
    """The threads of the run (its work space's DuckDB setting)."""
    setting = work.execute("SELECT current_setting('threads')").fetchone()
    return int(setting[0]) if setting else 1


def _level_terms(comparison: Any) -> list[tuple[float, float, float, float]]:
    """(weight, tf weight, log2 of the tf u, tf minimum u) of each level, as Splink computes them (bound.py)."""
    levels = list(comparison.comparison_levels)
    out = []
    for level in levels:
        if level._match_weight is None:
            raise ConfigError("the scoring first pass needs a trained model", value=comparison.output_column_name)
        tf = not (level.is_null_level or level._is_else_level or not level._has_tf_adjustments
                  or not level._tf_adjustment_weight)
        if tf and level._tf_adjustment_input_column.input_name != TF.get(comparison.output_column_name):
            raise ConfigError("term-frequency column the scoring first pass does not read",
                              value=level._tf_adjustment_input_column.input_name)
        out.append((float(level._match_weight), float(level._tf_adjustment_weight) if tf else 0.0,
                    math.log2(level._u_probability_corresponding_to_exact_match(levels)) if tf else 0.0,
                    float(level._tf_minimum_u_value) if tf else 0.0))
    return out


def _tf_tables(linker: Any) -> dict[str, tuple[str, str]]:
    """Each term-frequency column's (tf column, Splink's tf table), made if Splink has not made it yet."""
    from splink.internals.term_frequencies import colname_to_tf_tablename, ensure_term_frequencies_for_linker

    settings = linker._settings_obj
    tables = dict(zip((colname_to_tf_tablename(c) for c in settings._term_frequency_columns),
                      ensure_term_frequencies_for_linker(linker), strict=True))
    tf_cols = {c.name.strip('"'): (c.tf_name, tables[colname_to_tf_tablename(c)].physical_name)
               for c in settings._term_frequency_columns}
    if set(tf_cols) != set(TF.values()):
        raise ConfigError("term-frequency columns the scoring first pass does not read", value=sorted(tf_cols))
    return tf_cols


def _records_sql(table: str, ordered: bool) -> str:
    """The records' columns the kernel reads, and the codes of their term-frequency columns (:data:`TF_CODES`);
    ``ordered``: in uid order (else as the table holds them: person_features is written in uid order)."""
    ints = [f"CAST(s.{c} AS INTEGER) AS {c}" for c in INTS] + ["CAST(s.dob - DATE '1970-01-01' AS INTEGER) AS dob"]
    cols = [f"s.{c}" for c in TEXTS] + [_code_sql(c) for c in CODES] + ints
    cols += [f"CAST(s.{c} AS TINYINT) AS {c}" for c in BOOLS]
    cols += [f"coalesce(s.{code}, -1) AS tfk_{c}" for c, code in TF_CODES.items()]
    return f"SELECT s.uid, {', '.join(cols)} FROM {table} s" + (" ORDER BY s.uid" if ordered else "")


def records_of(features: pa.Table) -> pa.Table | None:
    """:func:`_records_sql`'s columns computed from ``features`` (the features table's columns as Arrow, in uid
    order): the same values, without reading the table back (1 M blind: 0.66-0.71 CPU-s); None where a phone is not
    ``0`` and nine ASCII digits or a sex not 'M' / 'F' (the SQL refuses them: :func:`_code_sql`)."""
    from hopnhat.link.feature_columns import EQUALITY_CODES

    phone, sex = features.column("phone"), features.column("sex")
    if (pc.all(pc.match_substring_regex(phone, "^0[0-9]{9}$")).as_py() is False
            or not pc.all(pc.or_(pc.is_null(sex), pc.is_in(sex, value_set=pa.array(["M", "F"])))).as_py()):
        return None
    cols: dict[str, Any] = {"uid": features.column("uid"), **{c: features.column(c) for c in TEXTS}}
    cols.update({c: pc.fill_null(features.column(EQUALITY_CODES[c]), -1) for c in CODES if c in EQUALITY_CODES})
    cols["phone"] = pc.fill_null(pc.cast(phone, pa.int32()), -1)
    cols["sex"] = pc.fill_null(pc.if_else(pc.equal(sex, "F"), 1, 0), -1).cast(pa.int32())
    cols.update({c: pc.cast(features.column(c), pa.int32()) for c in INTS})
    cols["dob"] = pc.cast(features.column("dob"), pa.int32())
    cols.update({c: pc.cast(features.column(c), pa.int8()) for c in BOOLS})
    cols.update({f"tfk_{c}": pc.fill_null(features.column(code), -1) for c, code in TF_CODES.items()})
    return pa.table(cols)


# The kernel's columns of a features table just written, offered by the step that wrote it from Arrow
# (person_features.build_person_features): the next read_records of that table in that work space takes them (once)
# instead of reading the table back. Kept no longer than the work space lives.
_OFFERED: weakref.WeakKeyDictionary[Any, tuple[str, pa.Table]] = weakref.WeakKeyDictionary()


def offer_records(work: duckdb.DuckDBPyConnection, table: str, features: pa.Table) -> None:
    """Offer :func:`records_of` ``features`` (``table``'s rows as just written, in uid order) to the next
    :func:`read_records` of ``table`` in ``work``; nothing where they cannot be computed so."""
    _OFFERED.pop(work, None)
    records = records_of(features)
    if records is not None:
        _OFFERED[work] = (table, records)


def withdraw_records(work: duckdb.DuckDBPyConnection) -> None:
    """Drop what was offered in ``work`` (a run whose kernel will not read it: its memory is let go now, not when the
    work space goes)."""
    _OFFERED.pop(work, None)


def _offered(work: duckdb.DuckDBPyConnection, table: str) -> pa.Table | None:
    """The records offered for ``table`` in ``work`` (taken: no longer kept), or None."""
    found = _OFFERED.pop(work, None)
    return found[1] if found is not None and found[0] == table else None


def _tf_lookup(work: duckdb.DuckDBPyConnection, table: str, column: str, tf: tuple[str, str]) -> np.ndarray:
    """The term frequency of ``column`` (Splink's tf table ``tf``: (tf column, table)) by its code + 1 (index 0, a
    NULL: NaN, as the LEFT JOIN of Splink's SQL gives): looked up among the distinct values, not per record."""
    code = TF_CODES[column]
    found = work.execute(f"SELECT k.{code} AS code, t.{tf[0]} AS tf FROM (SELECT DISTINCT {column}, {code} "
                         f"FROM {table} WHERE {column} IS NOT NULL) k JOIN {tf[1]} t ON k.{column} = t.{column}"
                         ).fetchnumpy()
    codes = np.asarray(found["code"], dtype=np.int64)
    lut = np.full(int(codes.max()) + 2 if len(codes) else 1, np.nan)
    lut[codes + 1] = np.asarray(found["tf"], dtype=np.float64)
    return lut


def _code_sql(column: str) -> str:
    """SQL: the exact integer code of a text the kernel tests only for equality (equal exactly where the texts are,
    NULL exactly where the text is; -1 for NULL): the features' code (person_features.EQUALITY_CODES), the phone
    (``0`` and nine ASCII digits: :func:`person_features._digits`) as its number, the sex ('M' / 'F') as 0 / 1."""
    from hopnhat.link.feature_columns import EQUALITY_CODES

    if column in EQUALITY_CODES:
        return f"coalesce(s.{EQUALITY_CODES[column]}, -1) AS {column}"
    if column == "phone":
        return ("CASE WHEN s.phone IS NULL THEN -1 WHEN regexp_full_match(s.phone, '0[0-9]{9}') "
                "THEN CAST(s.phone AS INTEGER) ELSE error('a phone the scoring first pass cannot code: ' || s.phone) "
                "END AS phone")
    if column == "sex":
        return ("CASE WHEN s.sex IS NULL THEN -1 WHEN s.sex = 'M' THEN 0 WHEN s.sex = 'F' THEN 1 "
                "ELSE error('a sex the scoring first pass cannot code: ' || s.sex) END AS sex")
    raise ConfigError("a text the scoring first pass cannot code", value=column)


def _text(column: pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(offsets int64, bytes, valid) of a text column (the bytes of a column in one chunk not copied)."""
    arr = column.chunk(0) if column.num_chunks == 1 else column.combine_chunks()
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        raise ConfigError("the scoring first pass reads a text column of another type", value=str(arr.type))
    _, offsets, data = arr.buffers()
    width = np.int64 if pa.types.is_large_string(arr.type) else np.int32
    off = np.frombuffer(offsets, dtype=width)[arr.offset:arr.offset + len(arr) + 1].astype(np.int64)
    raw = np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, np.uint8)
    valid = np.asarray(pc.is_valid(arr)).astype(np.uint8)
    return off, raw, valid


def _records(records: pa.Table, lookups: dict[str, np.ndarray]) -> np.ndarray:
    """The records as the kernel's rows (firstpass_kernel.REC), one column at a time (no copy of them all); their
    term frequencies from ``lookups`` (:func:`_tf_lookup`)."""
    from hopnhat.link.firstpass_kernel import REC

    recs = np.zeros(records.num_rows, dtype=REC)
    for c in (*CODES, *INTS, "dob"):
        recs[c] = np.asarray(records.column(c).fill_null(NULL_INT))
    for c in BOOLS:
        recs[c] = np.asarray(records.column(c).fill_null(-1))
    for c in TF.values():
        recs[f"tf_{c}"] = lookups[c][np.asarray(records.column(f"tfk_{c}")) + 1]
    return recs


Texts = dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]


def read_records(work: duckdb.DuckDBPyConnection, linker: Any, table: str) -> tuple[np.ndarray, Texts] | None:
    """``table``'s records as the kernel reads them, row i the record of uid i: their :data:`REC` rows (term
    frequencies from ``linker``'s tf tables) and their texts (:func:`_text`); None when a text is longer than
    :data:`MAX_TEXT` bytes or the uids are not 0 … n-1 (the kernel's row is the uid: the SQL alone reads such a
    table, as before the pass). Read in the order the table holds them (:func:`limits.in_stored_order`:
    person_features is written in uid order, so no sort), sorted only when they come in another order; not read
    at all when the step that wrote the table offered them (:func:`offer_records`)."""
    records = _offered(work, table)
    if records is None:
        records = in_stored_order(work, _records_sql(table, ordered=False))
    if max((pc.max(pc.binary_length(records.column(c))).as_py() or 0) for c in TEXTS) > MAX_TEXT:
        return None
    uids = np.asarray(records.column("uid"))
    if not np.array_equal(uids, np.arange(len(uids), dtype=uids.dtype)):  # (a table not written in uid order)
        records = work.execute(_records_sql(table, ordered=True)).fetch_arrow_table()
        uids = np.asarray(records.column("uid"))
        if not np.array_equal(uids, np.arange(len(uids), dtype=uids.dtype)):
            return None
    lookups = {c: _tf_lookup(work, table, c, tf) for c, tf in _tf_tables(linker).items()}
    return _records(records, lookups), {c: _text(records.column(c)) for c in TEXTS}


def kernel(work: duckdb.DuckDBPyConnection, linker: Any, table: str) -> Any:
    """The compiled kernel over ``table``'s records (:func:`read_records`, or the kernel training built over them:
    :func:`hand_over`) and ``linker``'s trained model; None where :func:`read_records` reads none."""
    try:
        from hopnhat.link.firstpass_kernel import Kernel, reweigh
    except ImportError as exc:  # (a build without Cython or a C compiler: setup.py)
        raise ConfigError("the scoring first pass is not compiled: build the package with Cython and a C compiler "
                          "(make setup)", value="hopnhat.link.firstpass_kernel") from exc

    settings = linker._settings_obj.core_model_settings
    prior = settings.probability_two_random_records_match
    if prior is None or not 0.0 < prior < 1.0:
        raise ConfigError("the scoring first pass needs a prior strictly between 0 and 1", value=prior)
    terms = [_level_terms(c) for c in settings.comparisons]
    model = (math.log2(prior / (1 - prior)), terms)
    handed = _handed(linker, table)
    if handed is not None:
        out, recs = handed
        reweigh(out, model)
    else:
        read = read_records(work, linker, table)
        if read is None:
            return None
        recs, texts = read
        out = Kernel(recs, texts, model, work_threads(work))
        del texts
    largest = [_largest(levels, recs[f"tf_{TF[name]}"] if name in TF else None)
               for name, levels in zip(NAMES, terms, strict=True)]
    out.set_max(largest)
    pa.default_memory_pool().release_unused()
    return out


# A kernel built over the records of a Splink frame before scoring (training's counts: link/kernelcounts.py), kept
# for the first pass of a linker of that frame: the records are not read and packed again (3.7 CPU-s at 1 M people).
_HANDED: weakref.WeakKeyDictionary[Any, tuple[Any, np.ndarray]] = weakref.WeakKeyDictionary()


def hand_over(source: Any, kernel: Any, recs: np.ndarray) -> None:
    """Keep ``kernel`` (built over the records of Splink frame ``source``, ``recs`` its :data:`REC` rows, any
    weights) for the next first pass of a linker of ``source``: taken once, then dropped; one kernel at a time, kept
    no longer than ``source`` lives. The frame's table must not change in between (training and scoring of one run
    read the same features table)."""
    _HANDED.clear()
    _HANDED[source] = (kernel, recs)


def _handed(linker: Any, table: str) -> tuple[Any, np.ndarray] | None:
    """The kernel handed over for ``linker``'s input frame over ``table`` (taken: no longer kept), or None."""
    for frame in linker._input_tables_dict.values():
        found = _HANDED.pop(frame, None)
        if found is not None and frame.physical_name == table:
            return found
    return None


def _largest(levels: list[tuple[float, float, float, float]], tf: np.ndarray | None) -> float:
    """The largest weight any pair can get from a comparison: each level's, its tf adjustment at its largest."""
    best = -math.inf
    values = tf[~np.isnan(tf)] if tf is not None else np.zeros(0)
    for weight, tfw, tfu, tfmin in levels:
        adjust = [0.0]
        if tfw and len(values):
            adjust += [tfw * (tfu - math.log2(max(float(v), tfmin))) for v in (values.min(), values.max())]
        best = max(best, weight + max(adjust))
    return best


Buffer = tuple[np.ndarray, np.ndarray]


def _larger(buffer: Buffer | None, a: np.ndarray, b: np.ndarray) -> Buffer:
    """The longer of ``buffer`` and the whole arrays ``a`` and ``b`` are views of."""
    whole = (a if a.base is None else a.base, b if b.base is None else b.base)
    return whole if buffer is None or len(whole[0]) > len(buffer[0]) else buffer


def _kept(work: duckdb.DuckDBPyConnection, table: str, run: Any, pairs: Sequence[Join | str], floor: float,
          threads: int) -> list[np.ndarray]:
    """The pairs of ``pairs`` (see :func:`first_pass`) whose weight bound reaches ``floor``, each as ``a * size +
    b``, a pair once from each join that gives it."""
    size = run.size()
    kept: list[np.ndarray] = []

    def keep(a: np.ndarray, b: np.ndarray) -> None:
        mask = run.keep_mask(a, b, floor, threads)
        kept.append(a[mask] * size + b[mask])

    values, plans, rest = keyjoins.plan(work, table, [p for p in pairs if isinstance(p, Join)])
    if values is not None:
        # (a join's pairs are found on one core while the kernel tests the last join's on the run's threads: both
        # let go of the interpreter)
        # (two buffers, one join's pairs in each, turn about: the largest join's pages, not new pages each join)
        buffers: list[Buffer | None] = [None, None]
        with ThreadPoolExecutor(max_workers=1) as pool:
            found = [pool.submit(keyjoins.pairs, values, plans[0])] if plans else []
            for i in range(len(plans)):
                a, b = found.pop().result()
                buffers[i % 2] = _larger(buffers[i % 2], a, b)
                if i + 1 < len(plans):
                    found.append(pool.submit(keyjoins.pairs, values, plans[i + 1], buffers[(i + 1) % 2]))
                keep(a, b)
                del a, b
    del values
    for query in [p.sql(table) if isinstance(p, Join) else p for p in pairs if isinstance(p, str) or p in rest]:
        for batch in work.execute(query).fetch_record_batch(BATCH):
            keep(np.ascontiguousarray(np.asarray(batch.column(0)), dtype=np.int64),
                 np.ascontiguousarray(np.asarray(batch.column(1)), dtype=np.int64))
    return kept


def gammas(kernel: Any, comparisons: list[Any], left: np.ndarray, right: np.ndarray,
           threads: int) -> tuple[np.ndarray, np.ndarray]:
    """(pairs × comparisons comparison vector values, int8; exact) of the pairs ``left``–``right`` as the kernel
    reads their levels: ``exact`` False where some comparison's level is not read exactly (several bits in its mask:
    CCCDs one keying slip apart, a text over 64 bytes for an edit distance; its values there are meaningless)."""
    from hopnhat.link.firstpass_kernel import level_masks

    masks = level_masks(kernel, left, right, threads)
    out = np.zeros((len(left), len(comparisons)), dtype=np.int8)
    exact = np.ones(len(left), dtype=np.bool_)
    for k, cc in enumerate(comparisons):
        if cc.output_column_name not in NAMES:
            raise ConfigError("a comparison the kernel does not read", value=cc.output_column_name)
        values = [int(cl.comparison_vector_value) for cl in cc.comparison_levels]
        # a mask of one bit: the level of that bit (lookup by mask; other masks: not exact)
        lookup = np.full(1 << len(values), -128, dtype=np.int8)
        lookup[[1 << bit for bit in range(len(values))]] = values
        column = lookup[masks[:, NAMES.index(cc.output_column_name)]]
        exact &= column != -128
        out[:, k] = column
    return out, exact


def _vectors(run: Any, linker: Any, left: np.ndarray, right: np.ndarray, threads: int) -> dict[str, pa.Array]:
    """The columns of Splink's comparison vectors the kernel gives for the pairs ``left``–``right``: each
    comparison's level (``gamma_…``; :func:`gammas`) and the records' term frequencies (``tf_…_l``, ``tf_…_r``: the
    kernel's records read Splink's tf tables; NULL where the SQL's LEFT JOIN gives NULL), and ``exact``: False
    where a level is not read exactly (those pairs' vectors are computed by the SQL)."""
    settings = linker._settings_obj
    comparisons = settings.core_model_settings.comparisons
    found, exact = gammas(run, comparisons, left, right, threads)
    columns: dict[str, pa.Array] = {"exact": pa.array(exact)}
    for k, cc in enumerate(comparisons):
        columns[cc._gamma_column_name] = pa.array(np.where(exact, found[:, k], 0))
    recs = run.records()
    for c in settings._term_frequency_columns:
        name = c.name.strip('"')
        if name not in TF.values():
            raise ConfigError("a term-frequency column the scoring first pass does not read", value=name)
        for side, uids in (("l", left), ("r", right)):
            tf = recs[f"tf_{name}"][uids]
            columns[f"{c.tf_name.strip(chr(34))}_{side}"] = pa.array(tf, mask=np.isnan(tf))  # (tf_name: SQL)
    return columns


def first_pass(work: duckdb.DuckDBPyConnection, linker: Any, table: str, pairs: Sequence[Join | str],
               threshold: float, vectors: bool = False) -> str | None:
    """Table ``_hop_first_pass`` (``join_key_l`` < ``join_key_r``, in that order) of the pairs of the joins ``pairs``
    over ``table`` (:class:`hopnhat.link.joins.Join`, or SQL queries whose two columns are uids of ``table``, the
    smaller first; a pair may come from several) whose weight can reach ``threshold``'s floor, each once; None where
    the pass does not apply (another model, no floor, records the kernel does not read: :func:`read_records`).

    The joins on keys run in compiled code (:mod:`hopnhat.link.keyjoins`: 28 of the person model's 29 joins), the
    others as SQL, each query's pairs read as DuckDB streams them, a batch at a time: the candidate pairs (13.5 M at
    1 M people) are never a table, and no DISTINCT runs over them (:meth:`hopnhat.link.engine.Backend.predict`); only
    the pairs kept are held (1 M blind: 3.98 M of the joins' 17.7 M rows), and made distinct here (0.50 M pairs). One
    query at a time: DuckDB 1.4.5 streaming the UNION ALL of the rules' 29 joins waited forever on its own idle
    workers (1 M blind, twice).

    ``vectors``: the table also holds each pair's comparison vector as the kernel reads it (:func:`_vectors`), for
    :func:`hopnhat.link.engine.predict_sql` to score without computing the levels again."""
    from splink.internals.misc import threshold_args_to_match_weight

    from hopnhat.link.bound import MARGIN

    floor = threshold_args_to_match_weight(threshold, None)
    if floor is None or not applies(linker):
        return None
    run = kernel(work, linker, table)
    if run is None:
        return None
    threads = work_threads(work)
    size = run.size()
    kept = _kept(work, table, run, pairs, floor - MARGIN, threads)
    # (most pairs kept are true pairs, which many rules give: at 1 M blind 3.98 M kept rows, 0.50 M pairs; a hash's
    # distinct values, then a sort of those: 0.13-0.37 CPU-s against np.unique's sort of all rows, 1.1-1.4, on 4 M
    # such rows, dev)
    codes = np.sort(np.asarray(pc.unique(pa.chunked_array(kept, pa.int64())))) if kept else np.zeros(0, np.int64)
    left, right = codes // max(size, 1), codes % max(size, 1)
    pairs_kept = pa.table({"join_key_l": left, "join_key_r": right,
                           **(_vectors(run, linker, left, right, threads) if vectors else {})})
    del run, left, right
    name = "_hop_first_pass"
    work.register("_hop_first_pass_arrow", pairs_kept)
    try:
        work.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM _hop_first_pass_arrow")
    finally:
        work.unregister("_hop_first_pass_arrow")
    pa.default_memory_pool().release_unused()
    return name
