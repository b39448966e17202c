"""The person features put together in Arrow: the records' own columns (DuckDB's ``_DATES_SQL``, rows in any order)
and the names' (one row per distinct name, by number) become ``person_features``' rows, in uid order.

What needs more than one record is done here on whole columns, not by joins of DuckDB tables written and read back:
the rows put in uid order by their uid (a permutation, not a sort), the names gathered by number (an index, not a
hash join), the numbers more than ``limit`` people carry dropped (counted on the few records of numbers carried
that often), the new commune numbered. Session 25 measured the statement this replaces (the names, the shared
numbers and the commune's number joined to every record, the 47 columns sorted and written) at 3.7-4.5 CPU-s at 1 M
blind; see docs/linkage.md, "Session 26".
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from hopnhat.errors import HopnhatError

# The codes of the keys the blocking joins hash (person_features.py writes them; link/training.py and the scoring first
# pass read them: here, so that both import them without importing each other).
KEY_CODES = {"fam": "k_fam", "mid": "k_mid", "giv": "k_giv", "name_sorted": "k_ns", "substr(giv, 1, 1)": "k_ini",
             "addr": "k_addr", "addr_detail": "k_det", **{f"substr(cccd, {a}, {n})": f"k_cc{a}_{n}" for a, n in
                                                           ((1, 9), (1, 6), (10, 3), (7, 6))}}
# Each text the scoring first pass (link/firstpass.py) tests only for equality, and its exact integer code (as
# :data:`KEY_CODES`; addr_detail's is the join key's): the pass reads the codes, not the texts (coding 1.45 M texts
# there cost ~1.3 CPU-s of the first pass at 1 M people; here they are coded among the distinct names and addresses).
EQUALITY_CODES = {"fg": "k_fg", "giv_acc": "k_gacc", "addr_detail": "k_det", "addr_old": "k_old"}
# The columns of person_features, in order, and where each comes from: R the record's row, N the name's row, A made
# here. (FEATURES in person_features.py lists the features the model reads; this is the table as written.)
COLUMNS = (("uid", "R"), ("record_id", "R"), ("src_source", "R"), ("src_table", "R"), ("fam", "N"), ("mid", "N"),
           ("giv", "N"), ("giv_acc", "N"), ("fg", "N"), ("name_sorted", "N"), ("ns_bits", "N"), ("dob", "R"),
           ("byear", "A"), ("bmonth", "R"), ("bday", "R"), ("dm", "R"), ("vague", "A"), ("sex", "R"),
           ("female", "R"), ("cccd", "A"), ("cmnd", "A"), ("cccd_ok", "A"), ("cc_year", "A"), ("cc_female", "A"),
           ("phone", "A"), ("addr", "R"), ("addr_cands", "R"), ("addr_detail", "R"), ("addr_old", "R"),
           ("giv_real", "N"), ("giv_acc_real", "N"), ("name_n", "N"), ("name_rare", "A"), ("k_fam", "N"),
           ("k_mid", "N"), ("k_giv", "N"), ("k_ns", "N"), ("k_ini", "N"), ("k_addr", "A"), ("k_det", "R"),
           ("k_cc1_9", "A"), ("k_cc1_6", "A"), ("k_cc10_3", "A"), ("k_cc7_6", "A"), ("k_fg", "N"), ("k_gacc", "N"),
           ("k_old", "R"))
# Every array made here comes from the C library's allocator: Arrow's default (mimalloc) handed the large buffers
# of a million records back to the system and took fresh pages for the next, and the page faults (system time) cost more
# than the work (1 M blind, dev: the records put in uid order 0.90 CPU-s of which 0.65 system, 0.44 / 0.08 from this
# pool; the names gathered 0.63 / 0.44 -> 0.27 / 0.07).
_POOL = pa.system_memory_pool()
# What the CCCD gives, dropped with it where its number is shared (the record's own columns, read from its digits)
_FROM_CCCD = ("cc_year", "cc_female", "k_cc1_9", "k_cc1_6", "k_cc10_3", "k_cc7_6")


def in_uid_order(records: pa.Table) -> pa.Table:
    """``records`` (a column ``uid``: 0 … n-1 each once, in any order) with row i the record of uid i."""
    uids = np.asarray(_one_chunk(records.column("uid")).fill_null(-1), dtype=np.int64)
    rows = np.full(len(uids), -1, dtype=np.int64)
    inside = (uids >= 0) & (uids < len(uids))
    rows[uids[inside]] = np.flatnonzero(inside)
    if not inside.all() or (rows < 0).any():
        raise HopnhatError("the records' uids are not 0 … n-1 each once")
    return pc.take(records, pa.array(rows), memory_pool=_POOL)


def gather_names(names: pa.Table, nids: pa.ChunkedArray | pa.Array) -> pa.Table:
    """The row of ``names`` (a column ``nid``, each number once) of each record's name number ``nids``; a row of
    NULLs where the number is NULL or not in ``names`` (as a LEFT JOIN on ``nid`` gives)."""
    keys = np.asarray(_one_chunk(names.column("nid")), dtype=np.int64)
    wanted = np.asarray(_one_chunk(pc.fill_null(nids, -1)), dtype=np.int64)
    top = int(max(keys.max(initial=-1), wanted.max(initial=-1))) + 1
    index = np.full(top + 1, -1, dtype=np.int64)  # (the last slot: -1's, where NULLs point)
    index[keys] = np.arange(len(keys))
    rows = index[wanted]
    return pc.take(names, pa.array(rows, mask=rows < 0), memory_pool=_POOL)


def shared(numbers: pa.ChunkedArray | pa.Array, name: pa.ChunkedArray | pa.Array,
           year: pa.ChunkedArray | pa.Array, limit: int) -> pa.Array:
    """True where a record's number (NULL: none) is carried by more than ``limit`` people, a person being a name code
    and a birth year (a NULL in either is a value of its own: ``count(DISTINCT (name, year))``). Only a number more
    than ``limit`` records carry can be: the people are counted on those records alone."""
    numbers, name, year = (_one_chunk(c) for c in (numbers, name, year))
    keys = _number_keys(numbers)
    many = _often(keys, limit)
    if not len(many):
        return pa.array(np.zeros(len(numbers), dtype=np.bool_))
    carried = pc.is_in(keys, value_set=many)
    rows = pa.table({"number": keys.filter(carried), "name": name.filter(carried), "year": year.filter(carried)})
    people = rows.group_by(["number", "name", "year"]).aggregate([]).group_by("number").aggregate([([], "count_all")])
    over = people.column("number").filter(pc.greater(people.column("count_all"), limit))
    return pc.fill_null(pc.is_in(keys, value_set=over.combine_chunks()), False)


def _often(keys: pa.Array, limit: int) -> pa.Array:
    """The values (not NULL) more than ``limit`` of ``keys`` hold: integers counted by numpy's sort (1 M blind, the
    CCCDs: 0.09 CPU-s against 0.23 for Arrow's hash count of the integers, 0.47 of the texts)."""
    if pa.types.is_integer(keys.type):
        values, counts = np.unique(np.asarray(keys.drop_null()), return_counts=True)
        return pa.array(values[counts > limit], keys.type)
    counts = pc.value_counts(keys)
    return counts.field("values").filter(pc.greater(counts.field("counts"), limit)).drop_null()


def _number_keys(numbers: pa.Array) -> pa.Array:
    """Each number of ASCII digits as the integer ``1`` followed by its digits (equal exactly where the numbers are:
    the leading 1 keeps their length, ``012`` is not ``12``; counted 2-3 times faster than the texts); the texts
    themselves when a number is longer than 18 digits or not digits alone."""
    if len(numbers) and (pc.max(pc.binary_length(numbers)).as_py() or 0) > 18:
        return numbers
    try:
        return pc.cast(pc.binary_join_element_wise("1", numbers, "", memory_pool=_POOL), pa.int64(), memory_pool=_POOL)
    except pa.ArrowInvalid:
        return numbers


def commune_numbers(addr: pa.ChunkedArray | pa.Array) -> pa.Array:
    """Each new commune's number among the distinct communes in order (1, 2, …; NULL where ``addr`` is)."""
    addr = _one_chunk(addr)
    distinct = pc.unique(addr).drop_null()
    distinct = distinct.take(pc.sort_indices(distinct))
    return pc.add(pc.index_in(addr, value_set=distinct, memory_pool=_POOL), pa.scalar(1, pa.int32()), memory_pool=_POOL)


def assemble(records: pa.Table, names: pa.Table, limit: int, rare_limit: int) -> pa.Table:
    """``person_features`` (:data:`COLUMNS`) from the records' rows in uid order (:func:`in_uid_order`) and each
    record's name row (:func:`gather_names`); a number (CCCD, CMND, phone) more than ``limit`` people carry is
    dropped (:func:`shared`), with what its CCCD gives; a name at most ``rare_limit`` records carry is rare."""
    col = {**{c: _one_chunk(names.column(c)) for c in names.column_names},
           **{c: _one_chunk(records.column(c)) for c in records.column_names}}
    year, fg_code = col["byear"], col["k_fg"]
    for kind in ("cccd", "cmnd", "phone"):
        dropped = shared(col[kind], fg_code, year, limit)
        col[kind] = _null_where(col[kind], dropped)
        if kind == "cccd":
            for c in _FROM_CCCD:
                col[c] = _null_where(col[c], dropped)
    col.update(_with_cccd_year(col))
    col["name_rare"] = pc.less_equal(col["name_n"], rare_limit, memory_pool=_POOL)
    col["k_addr"] = commune_numbers(col["addr"])
    return pa.table({name: col[name] for name, _ in COLUMNS})


def _with_cccd_year(col: dict[str, pa.Array]) -> dict[str, pa.Array]:
    """``byear`` (the date's year, else the CCCD's), ``vague`` (also where the year is the CCCD's alone) and
    ``cccd_ok`` (the CCCD's year and sex agree with the record's, where it states them)."""
    year, cc_year = col["byear"], pc.cast(col["cc_year"], pa.int64())
    cc_agrees = pc.and_(
        pc.or_(pc.is_null(year), pc.fill_null(pc.equal(cc_year, year), False)),
        pc.or_(pc.is_null(col["sex"]), pc.fill_null(pc.equal(col["cc_female"], col["female"]), False)))
    return {"byear": pc.coalesce(year, cc_year, memory_pool=_POOL),
            "vague": pc.or_kleene(col["vague"], pc.and_(pc.is_null(year), pc.is_valid(cc_year)), memory_pool=_POOL),
            "cccd_ok": pc.and_(pc.is_valid(cc_year), cc_agrees, memory_pool=_POOL)}


def _null_where(values: pa.Array, mask: pa.Array) -> pa.Array:
    return pc.if_else(mask, pa.scalar(None, values.type), values, memory_pool=_POOL)


def _one_chunk(values: pa.ChunkedArray | pa.Array) -> pa.Array:
    """``values`` as one array (a column of one chunk not copied)."""
    if not isinstance(values, pa.ChunkedArray):
        return values
    return values.chunk(0) if values.num_chunks == 1 else values.combine_chunks()
