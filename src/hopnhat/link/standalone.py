"""One table of people linked on its own: what ``hopnhat link persons`` does for a clerk with an Excel list.

The columns (``full_name``, ``dob``, ``sex``, ``id_number``, ``phone``, ``address`` unless renamed) are parsed like the
pipeline parses them, addresses converted to the NEW communes, and the same person model as the store's runs (rules,
EM on the table itself, clustering). Every input row and column comes back, plus ``cluster_id`` (the 1-based number
of the first row of the row's cluster: rows with the same ``cluster_id`` are one person) and ``match_probability``
(the row's strongest link at or above the review threshold; empty when it has none).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from hopnhat.link import persons
from hopnhat.link.cluster import Clusters, Links, cluster, keys_of
from hopnhat.link.engine import Engine, open_backend
from hopnhat.link.headers import KEYS, Columns, resolve, separator
from hopnhat.link.limits import within, work_space
from hopnhat.link.parse import parse_people
from hopnhat.link.person_features import SOURCE_COLUMNS, build_person_features, stage_source
from hopnhat.repair.arrowtext import repair_dictionary, repair_text_column
from hopnhat.units.bulk import convert_distinct

OUTPUT_COLUMNS = ("cluster_id", "match_probability")
LEGACY_TEXT = ("full_name", "sex")  # keys whose cells may be typed in a legacy font (and the address)
Step = Callable[[str, int | None, int], None]  # (step, total or None, advance)


def _no_step(step: str, total: int | None, advance: int) -> None:
    return None


@dataclass(frozen=True)
class PeopleResult:
    table: pa.Table
    records: int
    clusters: int
    linked_rows: int  # rows in a cluster of two or more
    notes: tuple[str, ...] = ()
    repaired: dict[str, int] = field(default_factory=dict)  # key → rows read from a legacy encoding


def resolve_columns(table: pa.Table, renames: dict[str, str]) -> Columns:
    """The input columns each key reads (:func:`hopnhat.link.headers.resolve`: renamed, named as the key, or
    recognised by a register's header such as ``Họ và tên`` or ``Số CCCD``)."""
    return resolve(table.column_names, renames)


def _column(table: pa.Table, names: tuple[str, ...] | None, sep: str = " ") -> pa.ChunkedArray:
    """A key's column as text, blank cells empty (Excel and CSV give '' where a cell was left blank); several columns
    (a name in parts, a CCCD and a CMND column) joined by ``sep``, their blank cells skipped."""
    if names is None:
        return pa.chunked_array([pa.nulls(table.num_rows, pa.string())])
    parts = [pa.chunked_array([_blank_is_empty(chunk) for chunk in pc.cast(table.column(name), pa.string()).chunks],
                              pa.string()) for name in names]
    joined = parts[0]
    for part in parts[1:]:  # (null_handling="skip" drops the rows where every part is null: pyarrow 21)
        joined = pc.coalesce(pc.binary_join_element_wise(joined, part, sep), joined, part)
    return joined


def _marked_sex(table: pa.Table, columns: tuple[str, str]) -> pa.ChunkedArray:
    """The sex of a form that writes the birth date (or a mark) in the column of the person's sex: ``Nam`` where
    only the first column is filled, ``Nữ`` where only the second is, else missing."""
    male, female = (pc.is_valid(_column(table, (name,))) for name in columns)
    sex = pc.if_else(pc.and_(male, pc.invert(female)), "Nam",
                     pc.if_else(pc.and_(female, pc.invert(male)), "Nữ", pa.scalar(None, pa.string())))
    return pa.chunked_array(sex.chunks if isinstance(sex, pa.ChunkedArray) else [sex], pa.string())


def _blank_is_empty(text: pa.Array) -> pa.Array:
    """``text`` with its blank cells ('' or whitespace only: ``utf8_is_space``, the whitespace
    ``utf8_trim_whitespace`` trims) null; the strings are not copied (at 1.45 M rows trimming every cell and
    rebuilding the column took 2.3 CPU-s). A chunk read from Parquet is a slice of its row group's buffers: the new
    validity bitmap starts where they start (``pc.if_else`` with a null scalar on such a slice gives invalid offsets in
    pyarrow 21: apache/arrow#41479, #49410, fixed upstream by #49443)."""
    blank = pc.fill_null(pc.or_(pc.equal(text, ""), pc.utf8_is_space(text)), False)
    if not pc.any(blank).as_py():
        return text
    valid = np.zeros(text.offset + len(text), bool)
    valid[text.offset:] = pc.and_(pc.is_valid(text), pc.invert(blank)).to_numpy(zero_copy_only=False)
    return pa.Array.from_buffers(pa.string(), len(text), [pa.array(valid).buffers()[1], *text.buffers()[1:]],
                                 null_count=len(text) - int(np.count_nonzero(valid)), offset=text.offset)


def _addresses(encoded: pa.DictionaryArray, step: Step) -> dict[str, pa.Array]:
    """Status, new commune and candidates of every address (the column dictionary-encoded: one dictionary for every
    chunk, no copy of the text), each distinct address converted once."""
    distinct = encoded.dictionary.to_pylist()
    total = len(distinct)  # the lambda below must not read ``distinct``: it is deleted before the progress ends
    step("addresses", total, 0)
    conv = convert_distinct(distinct, progress=lambda n: step("addresses", total, n))
    rows = [conv[a] for a in distinct]
    del conv, distinct
    return {name: pc.take(pa.array([r[k] or None for r in rows], pa.string()), encoded.indices)
            for name, k in (("address_status", 0), ("address_new_commune_code", 2), ("address_candidates", 3))}


def _store_rows(table: pa.Table, columns: Columns, step: Step, repaired: dict[str, int] | None = None,
                legacy_text: bool = True) -> pa.Table:
    """The person columns the model reads (a narrow table, Arrow only: a million rows stay light); the text columns'
    legacy-encoded cells read as Unicode first (:func:`hopnhat.repair.arrowtext.repair_text_column`), the rows
    repaired counted by key in ``repaired``."""
    raw = pa.table({key: _column(table, columns.get(key), separator(key)) for key in KEYS})
    if columns.sex_from is not None:
        raw = raw.set_column(KEYS.index("sex"), "sex", _marked_sex(table, columns.sex_from))
    addresses = pc.dictionary_encode(raw.column("address")).combine_chunks()
    found: dict[str, int] = {}
    if legacy_text:
        for key in LEGACY_TEXT:
            fixed, found[key] = repair_text_column(key, raw.column(key))
            if found[key]:
                raw = raw.set_column(raw.column_names.index(key), key, fixed)
        addresses, found["address"] = repair_dictionary("address", addresses)
        if found["address"]:
            raw = raw.set_column(raw.column_names.index("address"), "address", addresses.dictionary_decode())
    if repaired is not None:
        repaired.update({key: rows for key, rows in found.items() if rows})
    step("parse", table.num_rows, 0)
    parsed = parse_people(raw, identifiers=False)
    step("parse", table.num_rows, table.num_rows)
    n = table.num_rows
    out = {"record_id": record_ids(n), "src_source": pa.nulls(n, pa.string()), "src_table": pa.nulls(n, pa.string()),
           **parsed, **_addresses(addresses, step), "address": raw.column("address")}
    return pa.table(out)


_ROW = b"row:"
_WIDTH = 9  # digits of a row number, zero-padded


def record_ids(n: int) -> pa.Array:
    """``row:000000001`` … of ``n`` rows: the row numbers written straight into one buffer of fixed-width strings
    (1.45 M rows: 0.5 → 0.05 CPU-s against Arrow's cast, pad and join, which give the same text); beyond 10⁸ rows
    (32-bit offsets) by Arrow's kernels, a number longer than the width unpadded."""
    if n >= 10 ** 8:
        numbers = pc.cast(pa.array(np.arange(1, n + 1, dtype=np.int64)), pa.string())
        return pc.binary_join_element_wise(_ROW.decode(), pc.utf8_lpad(numbers, _WIDTH, "0"), "")
    width = len(_ROW) + _WIDTH
    text = np.empty((n, width), np.uint8)
    text[:, :len(_ROW)] = np.frombuffer(_ROW, np.uint8)
    number = np.arange(1, n + 1, dtype=np.int64)
    for place in range(_WIDTH):
        text[:, width - 1 - place] = number % 10 + ord("0")
        number //= 10
    offsets = np.arange(0, width * (n + 1), width, dtype=np.int32)
    return pa.Array.from_buffers(pa.string(), n, [None, pa.py_buffer(offsets), pa.py_buffer(text)])


def _with_missing(rows: pa.Table) -> pa.Table:
    """The columns the features read, in their order; those a standalone list has not are empty."""
    return pa.table({c: rows.column(c) if c in rows.column_names else pa.nulls(rows.num_rows, pa.string())
                     for c in SOURCE_COLUMNS})


def people_features(table: pa.Table, renames: dict[str, str] | None = None, threads: int = 2,
                    memory_limit: str | None = None) -> duckdb.DuckDBPyConnection:
    """A work space holding ``person_features`` of ``table`` exactly as :func:`link_people` builds them (uid = row
    index), e.g. to measure blocking recall against a known truth (:mod:`hopnhat.link.blocking`)."""
    work = work_space(threads, memory_limit)
    with within(memory_limit, table.num_rows):
        stage_source(work, _with_missing(_store_rows(table, resolve_columns(table, renames or {}), _no_step)))
        build_person_features(work)
    return work


def _linked(work: duckdb.DuckDBPyConnection, n: int, engine: Engine, threads: int, spark: object,
            match_threshold: float, review_threshold: float, unanchored: str) -> tuple[list[str], Links, Clusters]:
    """The run's notes, the scored pairs (uid_l, uid_r, match_probability) and the clusters of ``n`` records whose
    features are in ``work``."""
    if n <= 1:
        return [], Links.of([]), cluster(n, [])
    backend = open_backend(engine, work, threads, spark)
    try:
        # the output shows no evidence: only the pairs only_candidates reads (below the threshold) need it
        notes = persons.person_pairs(work, backend, review_threshold, evidence_below=match_threshold).notes
    finally:
        backend.close()
    pairs = Links.of_table(work.execute("SELECT uid_l, uid_r, match_probability FROM person_pairs")
                           .fetch_arrow_table())
    # two valid CCCDs more than a slip apart, and the household rule, keep records apart (see cluster.py)
    result = persons.person_clusters(work, n, pairs.take(pairs.p >= match_threshold), match_threshold,
                                     review_threshold, scored=pairs, unanchored_links=unanchored)
    return notes, pairs, result


def _strongest(pairs: Links, n: int, review_threshold: float, only: list[tuple[int, int]]) -> pa.Array:
    """Each record's strongest link at or above the review threshold, or linked as an only candidate (the others
    were scored for only_candidates, not linked), rounded to 6 places; empty when it has none."""
    shown = (pairs.p >= review_threshold) | np.isin(pairs.a * n + pairs.b, keys_of(only, n))
    uid, p = np.concatenate([pairs.a[shown], pairs.b[shown]]), np.concatenate([pairs.p[shown], pairs.p[shown]])
    best, linked = np.zeros(n), np.zeros(n, bool)
    np.fmax.at(best, uid, p)  # as max(best, p) from 0.0: a NaN never wins
    linked[uid] = True
    best[linked] = round6(best[linked])
    return pa.array(best, pa.float64(), mask=~linked)


def round6(x: np.ndarray) -> np.ndarray:
    """Python's ``round(v, 6)`` of every value (correctly rounded). For 0 ≤ v ≤ 1,000 numpy's ``rint(v·10⁶) / 10⁶``
    is the same wherever v·10⁶ is not within a hair of a half (the product's rounding error, below 10⁻⁷, leaves it on
    the same side, and both then divide one integer by 10⁶ correctly rounded): the values near a half, and any outside
    that range, are rounded by Python (820,000 probabilities: 0.28 → 0.01 CPU-s)."""
    with np.errstate(over="ignore", invalid="ignore"):  # a value out of range overflows here, then goes to Python
        scaled = x * 1e6
        out = np.rint(scaled) / 1e6
        near = ~((x >= 0) & (x <= 1e3)) | (np.abs(scaled - np.floor(scaled) - 0.5) < 1e-6)
    out[near] = [round(v, 6) for v in x[near].tolist()]
    return out


def link_people(table: pa.Table, renames: dict[str, str] | None = None, engine: Engine = "duckdb", threads: int = 2,
                match_threshold: float = 0.95, review_threshold: float = 0.6, step: Step = _no_step,
                spark: object = None, memory_limit: str | None = None,
                unanchored: str = persons.UNANCHORED, legacy_text: bool = True) -> PeopleResult:
    """Link the rows of ``table`` (see the module doc); returns the input with ``cluster_id`` and
    ``match_probability``. ``unanchored``: ``review`` or ``only_candidate`` (:data:`hopnhat.link.persons
    .UNANCHORED`); ``legacy_text``: read the name, sex and address cells typed in a legacy encoding as Unicode
    first (False: as they are, for a bench's comparison)."""
    columns = resolve_columns(table, renames or {})
    work = work_space(threads, memory_limit)
    repaired: dict[str, int] = {}
    with within(memory_limit, table.num_rows):
        # (the Arrow copy is dropped right away)
        stage_source(work, _with_missing(_store_rows(table, columns, step, repaired, legacy_text)))
        pa.default_memory_pool().release_unused()  # and its memory given back, before DuckDB needs its own
        step("link", 3, 0)
        n = build_person_features(work)
        step("link", 3, 1)
        notes, pairs, result = _linked(work, n, engine, threads, spark, match_threshold, review_threshold, unanchored)
    step("link", 3, 1)
    strongest = _strongest(pairs, n, review_threshold, result.only_candidates)
    step("link", 3, 1)
    work.close()
    # uid i is row i: record ids are the zero-padded row numbers, and uids follow record id order
    root = result.roots()
    out = table.drop_columns([c for c in OUTPUT_COLUMNS if c in table.column_names])
    out = out.append_column("cluster_id", pa.array(root + 1, pa.int64()))
    out = out.append_column("match_probability", strongest)
    sizes = np.bincount(root, minlength=n)
    return PeopleResult(out, n, int(np.count_nonzero(sizes)), int(np.count_nonzero(sizes[root] > 1)), tuple(notes),
                        repaired)
