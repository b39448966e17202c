"""Person records → the comparison features of the person model (one row per record, in a work DuckDB).

Features (all derived from the store columns, nothing invented):

- ``fam`` / ``mid`` / ``giv`` / ``giv_acc`` / ``name_sorted`` / ``fg``: the name split into họ / tên đệm / tên on
  folded text, order repaired (:mod:`hopnhat.link.names`); ``fg`` = family + given, the term-frequency key.
- ``dob`` (exact dates only), ``byear`` / ``bmonth`` / ``bday`` (year, month, day), ``dm`` (day and month in either
  order, for swaps) and ``vague`` (only a year is known, or the date is a 01/01 placeholder). A record without a
  birth date whose CCCD is valid takes the year its CCCD says (digits 4–6: century and year), as a year alone: the
  number a citizen carries states the birth year even where a register left the date out.
- ``sex`` ('M'/'F'), ``female`` (boolean, for the CCCD check).
- ``cccd`` / ``cmnd``: digits, placeholders and numbers shared by many people removed; ``cccd_ok`` (the CCCD's
  province, century/sex and year digits agree with this record), ``cc_year`` / ``cc_female`` (what the CCCD says).
- ``phone``: ``0`` + 9 digits, shared numbers removed.
- ``addr``: the NEW commune when certain; ``addr_cands``: ``;a;b;`` candidate new communes of a split address;
  ``addr_detail``: the hamlet / residential group / street below the commune (:mod:`hopnhat.link.address_detail`);
  ``addr_old``: the OLD commune the address names — when it also names a district (written before the 2025 merger),
  or a commune that is not the new commune's name (a hamlet is one hamlet only within one old commune: each merged
  commune brought its own ``Thôn 1`` …).
- ``ns_bits``: the letters of ``name_sorted`` as a bit set (:func:`letter_bits`), to skip hopeless edit distances.
- ``giv_real`` / ``giv_acc_real``: the given name (folded / with diacritics) is a real name, carried by one record in
  :data:`FREQUENT_GIVEN` at least (:data:`COMMON_GIVEN` at least): not a slip.
- ``name_n``: how many records carry the same name words (``name_sorted``); ``name_rare``: at most
  :data:`RARE_NAME` of them, or one record in :data:`RARE_SHARE` — a rare name may be blocked on alone.
- ``k_fam``, ``k_mid``, ``k_giv``, ``k_ns``, ``k_ini``, ``k_addr``, ``k_det``, ``k_cc…``: the exact integer codes of
  the keys the blocking joins hash (:data:`KEY_CODES`).
"""

from __future__ import annotations

import gc
from concurrent.futures import ThreadPoolExecutor

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from hopnhat.errors import HopnhatError
from hopnhat.link.address_detail import address_facts, commune_place
from hopnhat.link.feature_columns import EQUALITY_CODES, KEY_CODES, assemble, gather_names, in_uid_order
from hopnhat.link.firstpass import offer_records
from hopnhat.link.ids import SHARED_LIMIT, _old_province_prefixes
from hopnhat.link.limits import ONE_BATCH
from hopnhat.link.names import split_parts
from hopnhat.link.tables import one

SOURCE_COLUMNS = ("record_id", "src_source", "src_table", "full_name", "birth_date", "birth_date_quality", "sex",
                  "id_number", "id_number_kind", "cccd", "cmnd", "phone", "address_new_commune_code",
                  "address_status", "address_candidates", "commune_new_commune_code", "commune_status",
                  "commune_candidates", "address")
FEATURES = ("uid", "fam", "mid", "giv", "giv_acc", "fg", "name_sorted", "ns_bits", "dob", "byear", "bmonth", "bday",
            "dm", "vague", "sex", "female", "cccd", "cmnd", "cccd_ok", "cc_year", "cc_female", "phone", "addr",
            "addr_cands", "addr_detail", "addr_old", "giv_real", "giv_acc_real", "name_n", "name_rare", "k_fam",
            "k_mid", "k_giv", "k_ns", "k_ini", "k_addr", "k_det", "k_cc1_9", "k_cc1_6", "k_cc10_3", "k_cc7_6", "k_fg",
            "k_gacc", "k_old")
# Each key of one record the blocking rules compare with ``=`` (``l.fam = r.fam``) as text, and its exact integer code
# (equal exactly where the texts are, NULL exactly where the text is): the index of the text in a dictionary of its
# values (Arrow's dictionary_encode compares the values themselves), or for the first letter its code point. The
# candidate joins hash the codes (joins.coded): at 1 M people a join on name and address texts cost 1.5–3 times one on
# their codes (the given name's first letter was cut out of every record again in each join); see docs/linkage.md.
# A slice of the CCCD's digits (ASCII digits only: _digits, _id_parts) is coded as the number '1' || slice: at most
# ten digits, and the leading 1 keeps the slice's length (the codes of '012' and '12' differ).
_CCCD_SLICES = tuple(key for key in KEY_CODES if key.startswith("substr(cccd"))
_NAME_KEYS = ("fam", "mid", "giv", "name_sorted")  # coded in the names table (one row per distinct full name)
# A name is rare when at most RARE_NAME records carry it, or one record in RARE_SHARE (name_rare): a record of a rare
# name with no birth date is compared with the name's every record, in any commune. At 145,000 records the share
# gives 60, at 1.45 M 605: blocking recall 99.70 % → 99.81 % at 1 M independent people (1.15 M more candidate pairs),
# where the fixed 60 left a date-missing record of a name carried by 100 records in 1.45 M uncompared.
RARE_NAME = 60
RARE_SHARE = 2400
# A given name is real — not a slip — when one record in FREQUENT_GIVEN carries it, and COMMON_GIVEN records at least
# (giv_real on the folded name, giv_acc_real on the name with diacritics): a slip of a frequent name gives a rare
# string ("Hùnf", "Hugn", "Hảu"), two real names a slip apart ("Nhân" / "Ngân") are as often two people.
COMMON_GIVEN = 3
FREQUENT_GIVEN = 2000


def source_sql(table: str, present: set[str]) -> str:
    """SELECT of the columns features need (missing optional columns read as NULL)."""
    cols = [f'"{c}"' if c in present else f"CAST(NULL AS {'DATE' if c == 'birth_date' else 'VARCHAR'}) AS {c}"
            for c in SOURCE_COLUMNS]
    return f'SELECT {", ".join(cols)} FROM "{table}"'


def _names_table(full_names: pa.ChunkedArray | pa.Array, step: int = 20_000) -> pa.Table:
    """Name parts of each distinct full name (names repeat: a million records hold 200,000–600,000 distinct names),
    ``step`` names at a time: each chunk's Python strings and parts are gone before the next is made, so the heap
    they leave behind is a chunk's, not the whole list's (at 624,588 distinct names: 480 → 150 MB kept by the
    process after the table is made, the same table)."""
    distinct = pc.unique(full_names)
    distinct = distinct.filter(pc.not_equal(distinct, ""))  # (nulls dropped too)
    # The parts are strings and tuples in no reference cycle: the cycle collector, which the millions of objects made
    # here set off again and again to walk the whole heap, finds nothing (1 M realistic: 20 % of the table's CPU)
    collecting = gc.isenabled()
    gc.disable()
    try:
        return pa.concat_tables([_names_chunk(distinct.slice(i, step).to_pylist())
                                 for i in range(0, len(distinct), step)] or [_names_chunk([])])
    finally:
        if collecting:
            gc.enable()


def _names_chunk(distinct: list[str]) -> pa.Table:
    if not distinct:
        return pa.table({"full_name": pa.array([], pa.string()),
                         **{c: pa.array([], pa.string()) for c in ("fam", "mid", "giv", "giv_acc", "name_sorted")},
                         "ns_bits": pa.array([], pa.int32())})
    family, middle, given, given_accent, sorted_key, _ = zip(*map(split_parts, distinct), strict=True)
    return pa.table({
        "full_name": pa.array(distinct, pa.string()),
        "fam": pa.array(family, pa.string()),
        "mid": pa.array(middle, pa.string()),
        "giv": pa.array(given, pa.string()),
        "giv_acc": pa.array(given_accent, pa.string()),
        "name_sorted": (sorted_names := pa.array(sorted_key, pa.string())),
        "ns_bits": texts_letter_bits(sorted_names),
    })


def letter_bits(text: str | None) -> int | None:
    """The set of letters a–z in ``text`` as bits: two names one or two slips apart differ in at most four of them
    (a slip adds, drops or changes one letter), a cheap exact test before ``damerau_levenshtein``."""
    if text is None:
        return None
    return sum(1 << (ord(c) - 97) for c in set(text) if "a" <= c <= "z")


# Each byte's bit: a-z are ASCII, and no byte of a UTF-8 character outside ASCII is in their range (0x80 and above)
_BYTE_BITS = np.zeros(256, dtype=np.int32)
_BYTE_BITS[ord("a"):ord("z") + 1] = 1 << np.arange(26, dtype=np.int32)


def texts_letter_bits(texts: pa.Array) -> pa.Array:
    """:func:`letter_bits` of each text (NULL where it is), read from the UTF-8 bytes at once: the union of the bits
    of each text's bytes (at 1 M blind a fifth of the names table's CPU was the letters taken word by word in
    Python)."""
    texts = texts.cast(pa.large_string())
    offsets = np.frombuffer(texts.buffers()[1], dtype=np.int64)[texts.offset:texts.offset + len(texts) + 1]
    data = np.frombuffer(texts.buffers()[2], dtype=np.uint8) if texts.buffers()[2] else np.zeros(0, np.uint8)
    bits = np.append(_BYTE_BITS[data[offsets[0]:offsets[-1]]], np.int32(0))  # the 0: an empty last text's start
    union = np.bitwise_or.reduceat(bits, offsets[:-1] - offsets[0]) if len(texts) else bits[:0]
    union[offsets[1:] == offsets[:-1]] = 0  # reduceat gives an empty text the next byte's bits
    return pa.array(union, pa.int32(), mask=texts.is_null().to_numpy(zero_copy_only=False))


def _details_table(addresses: pa.ChunkedArray | pa.Array) -> pa.Table:
    """The hamlet / street key and the commune named of each distinct address, with their codes."""
    distinct = [a for a in pc.unique(addresses).to_pylist() if a]
    detail, place, dated = zip(*map(address_facts, distinct), strict=True) if distinct else ((), (), ())
    details = pa.array(detail, pa.string())
    places = pa.array(place, pa.string())
    return pa.table({"address": pa.array(distinct, pa.string()),
                     "addr_detail": details, KEY_CODES["addr_detail"]: dictionary_code(details),
                     "addr_place": places, "k_place": dictionary_code(places),
                     "addr_dated": pa.array(dated, pa.bool_())})


def _new_places() -> pa.Table:
    """Every new commune's code and its name as :func:`written_commune` gives it (reference tables)."""
    from hopnhat.units.reference import reference

    communes = reference().communes["new"]
    return pa.table({"code": pa.array(list(communes), pa.string()),
                     "place": pa.array([commune_place(u.name) for u in communes.values()], pa.string())})


def _digits(col: str) -> str:
    """SQL: the ASCII digits of a cell, NULL when it holds none. A cell of digits alone is its own digits, and an empty
    cell none: neither is rewritten (1 M blind, one thread: the phones' digits 0.30 -> 0.19 CPU-s)."""
    return (f"CASE WHEN {col} IS NULL THEN NULL WHEN regexp_full_match({col}, '[0-9]+') THEN {col} "
            f"ELSE nullif(regexp_replace({col}, '[^0-9]', '', 'g'), '') END")


def _only_digits(col: str) -> str:
    """SQL: the cell when it is one number of ASCII digits alone (98 % of the ID cells at 1 M blind), else NULL. Its
    :func:`_id_parts` are ``[cell]``: no float ending, no scientific notation, no separator, nothing dropped."""
    return f"CASE WHEN regexp_full_match({col}, '[0-9]+') THEN {col} END"


def _id_parts(col: str) -> str:
    """SQL: the numbers of an ID cell — one number, or several ("CMND 201234567 / CCCD 049085001234", "201234567 -
    049085001234"), separators and words dropped; a spreadsheet's float ending dropped (``49085001234.0``: a number of
    six digits or more, then ``.0``); a number Excel turned into scientific notation (4.90850E+11) lost its digits and
    gives none. A dash between spaces separates two numbers; one inside a number (``049-085-001-234``) groups digits."""
    unfloated = f"regexp_replace(coalesce({col}, ''), '([0-9]{{6,}})[.]0([^0-9]|$)', '\\1\\2', 'g')"
    return (f"CASE WHEN regexp_matches(coalesce({col}, ''), '[0-9][.,][0-9]+ *[eE][+]?[0-9]') THEN []::VARCHAR[] "
            f"ELSE list_filter(list_transform(string_split_regex({unfloated}, '[/;,|]|\\s+[-–]\\s+|[A-Za-zĐđ:]+'), "
            f"lambda x: regexp_replace(x, '[^0-9]', '', 'g')), lambda x: x <> '') END")


# A number of one digit repeated, or a piece of one of these runs, is a placeholder (:func:`ids.is_placeholder`)
_RUNS = ("01234567890123", "98765432109876")


def _placeholder(col: str) -> str:
    """SQL: a number made of one repeated digit or a run like 123456789 (see :func:`ids.is_placeholder`)."""
    return (f"(length(replace({col}, substr({col}, 1, 1), '')) = 0 OR strpos('{_RUNS[0]}', {col}) > 0 "
            f"OR strpos('{_RUNS[1]}', {col}) > 0)")


def placeholders(width: int) -> tuple[str, ...]:
    """Every number of ``width`` ASCII digits :func:`_placeholder` holds a placeholder: the ten repeated digits and
    the runs' pieces of that width."""
    return tuple(sorted({digit * width for digit in "0123456789"}
                        | {run[i:i + width] for run in _RUNS for i in range(len(run) - width + 1)}))


def _placeholder_of(col: str, width: int) -> str:
    """SQL: :func:`_placeholder` of ``col`` where it is known to be ``width`` ASCII digits: one IN list of constants
    (1 M blind, one thread: the phones' test 0.29 -> 0.13 CPU-s), not a string rewritten and searched twice."""
    return f"({col} IN ({', '.join(repr(p) for p in placeholders(width))}))"


def _placeholder_sized(col: str, width: int) -> str:
    """SQL: :func:`_placeholder` of a number of ASCII digits ``col``, by the IN list where it is ``width`` long."""
    return f"(CASE WHEN length({col}) = {width} THEN {_placeholder_of(col, width)} ELSE {_placeholder(col)} END)"


# Each distinct full name, a number for it (``nid``: the records carry the number, not the name's parts, until the
# features are put together) and how many records carry it (``n``).
_NAME_IDS_SQL = """
CREATE OR REPLACE TEMP TABLE person_name_ids AS
SELECT full_name, count(*) AS n, CAST(row_number() OVER () AS INTEGER) AS nid
FROM person_source WHERE full_name IS NOT NULL GROUP BY full_name
"""

# The name features of each distinct full name, from how many records carry it (``n``): how many records carry its
# given name (folded, with diacritics) and its words, against the bar ``{real}`` — counted over the distinct names
# (624,588 rows at 1 M people), not over every record's features (1.45 M rows, every column carried through each).
_NAMES_SQL = """
WITH j AS (SELECT * FROM person_names_arrow JOIN person_name_ids USING (nid)),
g AS (SELECT giv, sum(n) >= {real} AS giv_real FROM j WHERE giv IS NOT NULL GROUP BY giv),
a AS (SELECT giv_acc, sum(n) >= {real} AS giv_acc_real FROM j WHERE giv_acc IS NOT NULL GROUP BY giv_acc),
s AS (SELECT name_sorted, CAST(sum(n) AS BIGINT) AS name_n FROM j WHERE name_sorted IS NOT NULL GROUP BY name_sorted)
SELECT j.nid, j.fam, j.mid, j.giv, j.giv_acc, j.name_sorted, j.ns_bits, g.giv_real, a.giv_acc_real, s.name_n,
       CASE WHEN j.giv IS NOT NULL THEN coalesce(j.fam, '') || ' ' || j.giv END AS fg,
       j.k_fam, j.k_mid, j.k_giv, j.k_ns, unicode(substr(j.giv, 1, 1)) AS k_ini, j.k_fg, j.k_gacc
FROM j LEFT JOIN g USING (giv) LEFT JOIN a USING (giv_acc) LEFT JOIN s USING (name_sorted)
ORDER BY j.nid
"""

# Each distinct address with a new commune known, and that commune: the key and the old commune matter only there (the
# features drop them elsewhere). The records are read once for the addresses, not twice (the distinct addresses, then
# the distinct pairs), and only these addresses are read for their hamlet and commune (1 M blind: 64,021 pairs, of
# 65,329 distinct addresses).
_ADDRESS_PAIRS_SQL = """
SELECT DISTINCT address, coalesce(address_new_commune_code, commune_new_commune_code) AS addr
FROM person_source
WHERE address IS NOT NULL AND coalesce(address_new_commune_code, commune_new_commune_code) IS NOT NULL
"""

# The hamlet / street key and the old commune of each distinct address and new commune.
_ADDRESSES_SQL = """
CREATE OR REPLACE TEMP TABLE person_addresses AS
SELECT k.address, k.addr, a.addr_detail, a.k_det,
       CASE WHEN a.addr_dated OR a.addr_place <> np.place THEN a.addr_place END AS addr_old,
       CASE WHEN a.addr_dated OR a.addr_place <> np.place THEN a.k_place END AS k_old
FROM person_address_pairs_arrow k
JOIN person_addresses_arrow a USING (address) LEFT JOIN person_new_places_arrow np ON np.code = k.addr
"""

# The uid: the records numbered in record_id order, on the row numbers alone (a sort of two columns, not of every
# feature: the features join it on ``rid``); records already in record_id order (a standalone list: its record ids
# are its zero-padded row numbers) are numbered by their rows: their uid is ``rid``, no sort, no table, no join.
_UIDS_SQL = """
CREATE OR REPLACE TEMP TABLE person_uids AS
SELECT rid, row_number() OVER (ORDER BY record_id) - 1 AS uid FROM person_source
"""

# One pass over the records: the name's number, dates, IDs and phone, address (while the names table is made). An ID
# cell of digits alone is its one number (id_digits); only the others are split into numbers (id_parts). Everything a
# record's features need from the record alone is computed here (the placeholders removed, the CCCD's digits read);
# what needs other records (the names, the shared numbers, the address's code) is put together in Arrow after
# (:mod:`hopnhat.link.feature_columns`). The rows come in any order: they carry their ``uid``.
_DATES_SQL = """
WITH b AS (
  SELECT {uid}, s.record_id, s.src_source, s.src_table, n.nid,
         CAST(s.birth_date AS DATE) AS birth_date, s.birth_date_quality AS quality,
         CASE WHEN upper(s.sex) IN ('M', 'F') THEN upper(s.sex) END AS sex,
         s.id_number AS id_raw, {id_digits} AS id_digits,
         s.id_number_kind AS id_kind, {cccd_col} AS cccd_col, {cmnd_col} AS cmnd_col,
         {phone} AS phone_raw,
         coalesce(s.address_new_commune_code, s.commune_new_commune_code) AS addr,
         CASE WHEN s.address_status IN ('split', 'ambiguous') AND s.address_candidates IS NOT NULL
                THEN ';' || s.address_candidates || ';'
              WHEN s.commune_status IN ('split', 'ambiguous') AND s.commune_candidates IS NOT NULL
                THEN ';' || s.commune_candidates || ';' END AS addr_cands,
         a.addr_detail, a.k_det, a.addr_old, a.k_old
  FROM person_source s {uid_join}LEFT JOIN person_name_ids n USING (full_name)
  LEFT JOIN person_addresses a ON a.address = s.address
                              AND a.addr = coalesce(s.address_new_commune_code, s.commune_new_commune_code)
), p AS (
  SELECT *, CASE WHEN phone_raw LIKE '84%' AND length(phone_raw) = 11 THEN '0' || phone_raw[3:]
                 WHEN length(phone_raw) = 9 AND phone_raw[1] <> '0' THEN '0' || phone_raw
                 ELSE phone_raw END AS phone_n,
         CASE WHEN id_raw IS NOT NULL AND id_digits IS NULL THEN {id_parts} END AS id_parts
  FROM b
), d AS (
SELECT * EXCLUDE (quality, id_kind, cccd_col, cmnd_col, phone_raw, phone_n, id_raw, id_digits, id_parts),
       CASE WHEN length(phone_n) = 10 AND phone_n[1] = '0' AND NOT {phone_ph} THEN phone_n END AS phone,
       year(birth_date) AS byear,
       coalesce(quality IN ('year_only', 'placeholder'), false)
         OR (month(birth_date) = 1 AND day(birth_date) = 1) AS vague,
       coalesce(cccd_col, CASE WHEN id_kind IS NOT DISTINCT FROM 'cmnd' THEN NULL
         WHEN id_digits IS NOT NULL THEN {cccd_digits}
         ELSE list_filter(list_transform(id_parts, lambda x: {cccd_x}), lambda x: x IS NOT NULL)[1] END) AS cccd_all,
       coalesce(cmnd_col, CASE WHEN id_kind = 'cmnd' THEN coalesce(id_digits, id_parts[1])
         WHEN id_digits IS NOT NULL THEN {cmnd_digits}
         ELSE list_filter(list_transform(id_parts, lambda x: {cmnd_x}), lambda x: x IS NOT NULL)[1] END) AS cmnd_all
FROM p
), c AS (
  SELECT *, CASE WHEN cccd_all IS NULL OR {cccd_ph} THEN NULL ELSE cccd_all END AS cccd,
         CASE WHEN cmnd_all IS NULL OR {cmnd_ph} THEN NULL ELSE cmnd_all END AS cmnd
  FROM d
), numbered AS (
  SELECT *, CASE WHEN length(cccd) = 12 THEN CAST(cccd AS BIGINT) END AS cc_num FROM c
), valid AS (
  -- (the month and day read once each: written out in each of bmonth, bday and dm they were read four and three
  -- times, ~0.2 CPU-s at 1 M blind)
  SELECT *, month(birth_date) AS bm, day(birth_date) AS bd,
         cc_num // 1000000000 IN ({province_numbers}) AS cc_valid
  FROM numbered
)
SELECT uid, record_id, src_source, src_table, nid,
       CASE WHEN NOT vague THEN birth_date END AS dob, byear,
       CASE WHEN NOT vague THEN bm END AS bmonth,
       CASE WHEN NOT vague THEN bd END AS bday,
       CASE WHEN NOT vague THEN least(bm, bd) * 100 + greatest(bm, bd) END AS dm,
       vague, sex, sex = 'F' AS female, cccd, cmnd,
       CASE WHEN cc_valid
            THEN CAST(1900 + 100 * ((cc_num // 100000000) % 10 // 2) + (cc_num // 1000000) % 100 AS INTEGER)
       END AS cc_year,
       CASE WHEN cc_valid THEN (cc_num // 100000000) % 2 = 1 END AS cc_female,
       phone, addr, addr_cands, addr_detail, addr_old, k_det, k_old, {cccd_codes}
FROM valid
"""


def _cccd_of(number: str, prefixes: str) -> str:
    """SQL: the CCCD one number of an ID cell is (12 digits; 11 or 10 whose leading zeros a spreadsheet dropped, read
    back when the province then is one), else NULL. The province is looked up in a list (``list_contains``) only for
    the numbers of 11 or 10 digits: an ``IN`` list of the 63 provinces is planned as a join that cuts and tests every
    record's number, both widths (1 M blind, ``person_dates`` alone, dev: 3.95 -> 3.26 CPU-s, five runs each)."""
    return (f"CASE WHEN length({number}) = 12 THEN {number} "
            f"WHEN length({number}) = 11 AND list_contains([{prefixes}], '0' || {number}[1:2]) THEN '0' || {number} "
            f"WHEN length({number}) = 10 AND list_contains([{prefixes}], '00' || {number}[1:1]) THEN '00' || {number} "
            "END")


def _cmnd_of(number: str) -> str:
    """SQL: the CMND one number of an ID cell is (9 digits; 8 whose leading zero was dropped), else NULL."""
    return f"CASE WHEN length({number}) = 9 THEN {number} WHEN length({number}) = 8 THEN '0' || {number} END"


def _dates_sql(prefixes: str, in_order: bool) -> str:
    """SQL: :data:`_DATES_SQL`; the uid is the row number where the records came in record-id order (``person_uids``
    holds it otherwise)."""
    return _DATES_SQL.format(
        uid="s.rid AS uid" if in_order else "u.uid",
        uid_join="" if in_order else "JOIN person_uids u ON u.rid = s.rid ",
        id_digits=_only_digits("s.id_number"), id_parts=_id_parts("id_raw"),
        cccd_col=_digits("s.cccd"), cmnd_col=_digits("s.cmnd"), phone=_digits("s.phone"),
        phone_ph=_placeholder_of("phone_n[2:]", 9), cccd_digits=_cccd_of("id_digits", prefixes),
        cccd_x=_cccd_of("x", prefixes), cmnd_digits=_cmnd_of("id_digits"), cmnd_x=_cmnd_of("x"),
        cccd_ph=_placeholder_sized("cccd_all", 12), cmnd_ph=_placeholder_sized("cmnd_all", 9),
        province_numbers=_province_numbers(),
        cccd_codes=", ".join(f"{_slice_code(key)} AS {KEY_CODES[key]}" for key in _CCCD_SLICES))


def stage_source(work: duckdb.DuckDBPyConnection, source: pa.Table) -> None:
    """Copy the records (:data:`SOURCE_COLUMNS`) into ``work`` as ``person_source``, with ``rid``, each record's row
    number (the caller may then drop its copy).

    Tried in session 19 and not kept: the Arrow table registered as the view ``person_source`` and read where it lies
    (no copy): the same features, but DuckDB's scans of a Python-registered table then compete for the interpreter
    with the names table made in a thread beside them (1 M blind, lane 1: the features' wall 8.1-8.5 -> 9.1-9.3 s)."""
    rid = pa.array(np.arange(source.num_rows, dtype=np.int64))
    work.register("person_source_arrow", source.append_column("rid", rid))
    work.execute("CREATE OR REPLACE TEMP TABLE person_source AS SELECT * FROM person_source_arrow")
    work.unregister("person_source_arrow")
    in_order = source.num_rows < 2 or _ascending(source.column("record_id"))
    work.execute(f"SET VARIABLE person_source_in_order = {str(in_order).lower()}")


def _ascending(ids: pa.ChunkedArray) -> bool:
    """True when every record id is greater than the one before (none missing, no two equal): numbering the records
    by row is then numbering them in record-id order."""
    ids = ids.combine_chunks() if isinstance(ids, pa.ChunkedArray) else ids
    if ids.null_count:
        return False
    return bool(pc.all(pc.greater(ids.slice(1), ids.slice(0, len(ids) - 1))).as_py())


def build_person_features(work: duckdb.DuckDBPyConnection, source: pa.Table | None = None) -> int:
    """Create ``person_features`` in ``work`` from store rows (or from ``person_source`` already staged); returns the
    count.

    The names table (Python, one core) is made in a thread while DuckDB reads the dates, numbers and addresses of the
    records on the other (its statements let go of the interpreter): the same table, sooner. The records' rows and
    the names' rows come back as Arrow and are put together there (:func:`feature_columns.assemble`: the names
    gathered by number, the rows put in uid order by their uid, the shared numbers counted), then written once.
    """
    if source is not None:
        stage_source(work, source)
    total = int(one(work, "SELECT count(*) FROM person_source")[0])
    in_order = bool(one(work, "SELECT getvariable('person_source_in_order')")[0])
    work.execute("RESET VARIABLE person_source_in_order")
    work.execute(_NAME_IDS_SQL)
    name_ids = work.execute("SELECT nid, full_name FROM person_name_ids WHERE full_name <> ''").fetch_arrow_table()
    with ThreadPoolExecutor(max_workers=1) as pool:
        names = pool.submit(_numbered_names, name_ids)
        prefixes = ", ".join(f"'{p}'" for p in sorted(_old_province_prefixes()))
        records = _records(work, prefixes, in_order)
        work.register("person_names_arrow", names.result())
    real = max(COMMON_GIVEN, total // FREQUENT_GIVEN)
    named = work.execute(_NAMES_SQL.format(real=real)).fetch_arrow_table(ONE_BATCH)
    work.unregister("person_names_arrow")
    for temp in ("person_name_ids", "person_addresses", "person_uids"):
        work.execute(f"DROP TABLE IF EXISTS {temp}")
    # (each step's input let go as soon as the next is made: the records' rows as DuckDB gave them, then in uid order)
    records = in_uid_order(records)
    named = gather_names(named, records.column("nid"))
    features = assemble(records, named, SHARED_LIMIT, max(RARE_NAME, total // RARE_SHARE))
    del records, named
    _write(work, features)
    offer_records(work, "person_features", features)
    return features.num_rows


def _write(work: duckdb.DuckDBPyConnection, features: pa.Table) -> None:
    """``person_features`` from ``features`` (in uid order), read on one thread: one thread inserts the rows in the
    order it reads them, so the table lies in uid order, as the first pass reads it back
    (:func:`limits.in_stored_order`, which checks the order and sorts where it is not: never wrong, only slower).
    1 M blind, the 47 columns: 1.13-1.26 CPU-s, against 2.45-2.47 with ``ORDER BY uid`` on two threads and 4.9-5.4
    with ``preserve_insertion_order`` (DuckDB then compresses as it inserts)."""
    threads = work.execute("SELECT current_setting('threads')").fetchone()
    work.register("person_features_arrow", features)
    try:
        work.execute("SET threads = 1")
        work.execute("CREATE OR REPLACE TABLE person_features AS SELECT * FROM person_features_arrow")
    finally:
        work.execute(f"SET threads = {int(threads[0]) if threads else 1}")
        work.unregister("person_features_arrow")


def _province_numbers() -> str:
    """SQL: the old provinces' CCCD prefixes as the numbers a 12-digit CCCD's first three digits make."""
    prefixes = sorted(_old_province_prefixes())
    if not all(len(p) == 3 and p.isascii() and p.isdigit() for p in prefixes):
        raise HopnhatError(f"an old province's CCCD prefix is not three digits: {prefixes}")
    return ", ".join(str(int(p)) for p in prefixes)


def _slice_code(key: str) -> str:
    """SQL: the code of a slice of the CCCD (``substr(cccd, a, n)``: the number '1' || slice), by arithmetic on the
    CCCD's number ``cc_num`` where it has twelve digits (the digits a … a+n-1 of a 12-digit number, after a 1), else
    from the text (1 M blind, one thread, the four codes: 0.36 -> 0.20 CPU-s)."""
    start, width = (int(v) for v in key.removeprefix("substr(cccd, ").removesuffix(")").split(", "))
    below = 10 ** (12 - (start + width - 1))
    return (f"CASE WHEN cc_num IS NOT NULL THEN {10 ** width} + cc_num // {below} % {10 ** width} "
            f"ELSE CAST('1' || {key} AS BIGINT) END")


def _numbered_names(name_ids: pa.Table) -> pa.Table:
    """The names table keyed by the names' numbers (``nid``; ``name_ids`` holds each distinct non-empty name once)."""
    names = _names_table(name_ids.column("full_name"))
    if not names.column("full_name").equals(name_ids.column("full_name")):
        raise HopnhatError("the names table is not in the order of the names it was made from")
    for key in _NAME_KEYS:
        names = names.append_column(KEY_CODES[key], dictionary_code(names.column(key)))
    # fg as _NAMES_SQL writes it (coalesce(fam, '') || ' ' || giv; NULL without a given name), coded
    family_given = pc.binary_join_element_wise(pc.fill_null(names.column("fam"), ""), names.column("giv"), " ")
    names = names.append_column(EQUALITY_CODES["fg"], dictionary_code(family_given))
    names = names.append_column(EQUALITY_CODES["giv_acc"], dictionary_code(names.column("giv_acc")))
    return names.drop_columns("full_name").append_column("nid", name_ids.column("nid"))


def dictionary_code(values: pa.ChunkedArray | pa.Array) -> pa.Array:
    """Each value's index in the dictionary of ``values`` (one dictionary for all of them; NULL where the value is):
    equal exactly where the values are."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    return pc.dictionary_encode(values).indices


def _records(work: duckdb.DuckDBPyConnection, prefixes: str, in_order: bool) -> pa.Table:
    """Each record's uid, name number, dates, numbers, phone and address features (:data:`_DATES_SQL`; in any order);
    ``person_source`` is dropped."""
    pairs = work.execute(_ADDRESS_PAIRS_SQL).fetch_arrow_table()
    work.register("person_address_pairs_arrow", pairs)
    work.register("person_addresses_arrow", _details_table(pairs.column("address")))
    work.register("person_new_places_arrow", _new_places())
    work.execute(_ADDRESSES_SQL)
    for view in ("person_address_pairs_arrow", "person_addresses_arrow", "person_new_places_arrow"):
        work.unregister(view)
    if not in_order:
        work.execute(_UIDS_SQL)
    records = work.execute(_dates_sql(prefixes, in_order)).fetch_arrow_table(ONE_BATCH)
    work.execute("DROP TABLE person_source")
    return records
