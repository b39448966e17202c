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
from functools import lru_cache

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from hopnhat.errors import HopnhatError
from hopnhat.link.address_detail import address_facts, commune_place
from hopnhat.link.ids import SHARED_LIMIT, _old_province_prefixes
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
KEY_CODES = {"fam": "k_fam", "mid": "k_mid", "giv": "k_giv", "name_sorted": "k_ns", "substr(giv, 1, 1)": "k_ini",
             "addr": "k_addr", "addr_detail": "k_det", **{f"substr(cccd, {a}, {n})": f"k_cc{a}_{n}" for a, n in
                                                           ((1, 9), (1, 6), (10, 3), (7, 6))}}
# Each text the scoring first pass (link/firstpass.py) tests only for equality, and its exact integer code (as
# :data:`KEY_CODES`; addr_detail's is the join key's): the pass reads the codes, not the texts (coding 1.45 M texts
# there cost ~1.3 CPU-s of the first pass at 1 M people; here they are coded among the distinct names and addresses).
EQUALITY_CODES = {"fg": "k_fg", "giv_acc": "k_gacc", "addr_detail": "k_det", "addr_old": "k_old"}
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
        "name_sorted": pa.array(sorted_key, pa.string()),
        "ns_bits": pa.array(list(map(_words_bits, sorted_key)), pa.int32()),
    })


def letter_bits(text: str | None) -> int | None:
    """The set of letters a–z in ``text`` as bits: two names one or two slips apart differ in at most four of them
    (a slip adds, drops or changes one letter), a cheap exact test before ``damerau_levenshtein``."""
    if text is None:
        return None
    return sum(1 << (ord(c) - 97) for c in set(text) if "a" <= c <= "z")


@lru_cache(maxsize=100_000)
def _word_bits(word: str) -> int:
    return letter_bits(word)  # type: ignore[return-value]


def _words_bits(text: str | None) -> int | None:
    """:func:`letter_bits` of ``text``, word by word (a set of letters is the union of its words' sets; words repeat
    across names)."""
    if text is None:
        return None
    bits = 0
    for word in text.split(" "):
        bits |= _word_bits(word)
    return bits


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
    return f"nullif(regexp_replace(coalesce({col}, ''), '[^0-9]', '', 'g'), '')"


def _id_parts(col: str) -> str:
    """SQL: the numbers of an ID cell — one number, or several ("CMND 201234567 / CCCD 049085001234", "201234567 -
    049085001234"), separators and words dropped; a spreadsheet's float ending dropped (``49085001234.0``: a number of
    six digits or more, then ``.0``); a number Excel turned into scientific notation (4.90850E+11) lost its digits and
    gives none. A dash between spaces separates two numbers; one inside a number (``049-085-001-234``) groups digits."""
    unfloated = f"regexp_replace(coalesce({col}, ''), '([0-9]{{6,}})[.]0([^0-9]|$)', '\\1\\2', 'g')"
    return (f"CASE WHEN regexp_matches(coalesce({col}, ''), '[0-9][.,][0-9]+ *[eE][+]?[0-9]') THEN []::VARCHAR[] "
            f"ELSE list_filter(list_transform(string_split_regex({unfloated}, '[/;,|]|\\s+[-–]\\s+|[A-Za-zĐđ:]+'), "
            f"lambda x: regexp_replace(x, '[^0-9]', '', 'g')), lambda x: x <> '') END")


def _placeholder(col: str) -> str:
    """SQL: a number made of one repeated digit or a run like 123456789 (see :func:`ids.is_placeholder`)."""
    return (f"(length(replace({col}, substr({col}, 1, 1), '')) = 0 OR strpos('01234567890123', {col}) > 0 "
            f"OR strpos('98765432109876', {col}) > 0)")


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
CREATE OR REPLACE TEMP TABLE person_names AS
WITH j AS (SELECT * FROM person_names_arrow JOIN person_name_ids USING (nid)),
g AS (SELECT giv, sum(n) >= {real} AS giv_real FROM j WHERE giv IS NOT NULL GROUP BY giv),
a AS (SELECT giv_acc, sum(n) >= {real} AS giv_acc_real FROM j WHERE giv_acc IS NOT NULL GROUP BY giv_acc),
s AS (SELECT name_sorted, CAST(sum(n) AS BIGINT) AS name_n FROM j WHERE name_sorted IS NOT NULL GROUP BY name_sorted)
SELECT j.nid, j.fam, j.mid, j.giv, j.giv_acc, j.name_sorted, j.ns_bits, g.giv_real, a.giv_acc_real, s.name_n,
       CASE WHEN j.giv IS NOT NULL THEN coalesce(j.fam, '') || ' ' || j.giv END AS fg,
       j.k_fam, j.k_mid, j.k_giv, j.k_ns, unicode(substr(j.giv, 1, 1)) AS k_ini, j.k_fg, j.k_gacc
FROM j LEFT JOIN g USING (giv) LEFT JOIN a USING (giv_acc) LEFT JOIN s USING (name_sorted)
"""

# The hamlet / street key and the old commune of each distinct address and new commune (the key and the old commune
# matter only where the new commune is known: the features drop them elsewhere).
_ADDRESSES_SQL = """
CREATE OR REPLACE TEMP TABLE person_addresses AS
SELECT k.address, k.addr, a.addr_detail, a.k_det,
       CASE WHEN a.addr_dated OR a.addr_place <> np.place THEN a.addr_place END AS addr_old,
       CASE WHEN a.addr_dated OR a.addr_place <> np.place THEN a.k_place END AS k_old
FROM (SELECT DISTINCT address, coalesce(address_new_commune_code, commune_new_commune_code) AS addr
      FROM person_source WHERE address IS NOT NULL AND coalesce(address_new_commune_code, commune_new_commune_code)
                                                       IS NOT NULL) k
JOIN person_addresses_arrow a USING (address) LEFT JOIN person_new_places_arrow np ON np.code = k.addr
"""

# The uid: the records numbered in record_id order, on the row numbers alone (a sort of two columns, not of every
# feature: the features join it on ``rid``); records already in record_id order (a standalone list: its record ids
# are its zero-padded row numbers) are numbered by their rows, no sort.
_UIDS_SQL = """
CREATE OR REPLACE TEMP TABLE person_uids AS
SELECT rid, row_number() OVER (ORDER BY record_id) - 1 AS uid FROM person_source
"""
_UIDS_IN_ORDER_SQL = "CREATE OR REPLACE TEMP TABLE person_uids AS SELECT rid, rid AS uid FROM person_source"

# One pass over the records: the name's number, dates, IDs and phone, address (while the names table is made).
_DATES_SQL = """
CREATE OR REPLACE TEMP TABLE person_dates AS
WITH b AS (
  SELECT s.rid, s.record_id, s.src_source, s.src_table, n.nid,
         CAST(s.birth_date AS DATE) AS birth_date, s.birth_date_quality AS quality,
         CASE WHEN upper(s.sex) IN ('M', 'F') THEN upper(s.sex) END AS sex,
         {id_parts} AS id_parts, s.id_number_kind AS id_kind, {cccd_col} AS cccd_col, {cmnd_col} AS cmnd_col,
         {phone} AS phone_raw,
         coalesce(s.address_new_commune_code, s.commune_new_commune_code) AS addr,
         CASE WHEN s.address_status IN ('split', 'ambiguous') AND s.address_candidates IS NOT NULL
                THEN ';' || s.address_candidates || ';'
              WHEN s.commune_status IN ('split', 'ambiguous') AND s.commune_candidates IS NOT NULL
                THEN ';' || s.commune_candidates || ';' END AS addr_cands,
         a.addr_detail, a.k_det, a.addr_old, a.k_old
  FROM person_source s LEFT JOIN person_name_ids n USING (full_name)
  LEFT JOIN person_addresses a ON a.address = s.address
                              AND a.addr = coalesce(s.address_new_commune_code, s.commune_new_commune_code)
), p AS (
  SELECT *, CASE WHEN phone_raw LIKE '84%' AND length(phone_raw) = 11 THEN '0' || phone_raw[3:]
                 WHEN length(phone_raw) = 9 AND phone_raw[1] <> '0' THEN '0' || phone_raw
                 ELSE phone_raw END AS phone_n
  FROM b
)
SELECT * EXCLUDE (phone_raw, phone_n, id_parts),
       CASE WHEN length(phone_n) = 10 AND phone_n[1] = '0' AND NOT {phone_ph} THEN phone_n END AS phone_d,
       year(birth_date) AS byear,
       coalesce(quality IN ('year_only', 'placeholder'), false)
         OR (month(birth_date) = 1 AND day(birth_date) = 1) AS vague,
       coalesce(cccd_col, CASE WHEN id_kind IS DISTINCT FROM 'cmnd' THEN
         list_filter(list_transform(id_parts, lambda x: CASE
           WHEN length(x) = 12 THEN x
           WHEN length(x) = 11 AND '0' || x[1:2] IN ({prefixes}) THEN '0' || x
           WHEN length(x) = 10 AND '00' || x[1:1] IN ({prefixes}) THEN '00' || x END), lambda x: x IS NOT NULL)[1]
       END) AS cccd_all,
       coalesce(cmnd_col, CASE WHEN id_kind = 'cmnd' THEN id_parts[1] ELSE
         list_filter(list_transform(id_parts,
                                    lambda x: CASE WHEN length(x) = 9 THEN x WHEN length(x) = 8 THEN '0' || x END),
                     lambda x: x IS NOT NULL)[1] END) AS cmnd_all
FROM p
"""

_SHARED_SQL = """
CREATE OR REPLACE TEMP TABLE person_shared AS
WITH keyed AS (
  SELECT d.cccd_all, d.cmnd_all, d.phone_d, d.byear, n.fg
  FROM person_dates d LEFT JOIN person_names n USING (nid)
  WHERE d.cccd_all IS NOT NULL OR d.cmnd_all IS NOT NULL OR d.phone_d IS NOT NULL
)
SELECT kind, number FROM (
  SELECT 'cccd' AS kind, cccd_all AS number,
         count(DISTINCT coalesce(fg, '') || coalesce(CAST(byear AS VARCHAR), '')) AS n
    FROM keyed WHERE cccd_all IS NOT NULL GROUP BY ALL
  UNION ALL
  SELECT 'cmnd', cmnd_all, count(DISTINCT coalesce(fg, '') || coalesce(CAST(byear AS VARCHAR), ''))
    FROM keyed WHERE cmnd_all IS NOT NULL GROUP BY ALL
  UNION ALL
  SELECT 'phone', phone_d, count(DISTINCT coalesce(fg, '') || coalesce(CAST(byear AS VARCHAR), ''))
    FROM keyed WHERE phone_d IS NOT NULL GROUP BY ALL
) WHERE n > {limit}
"""

_FEATURES_SQL = """
CREATE OR REPLACE TABLE person_features AS
WITH ids AS (
  SELECT d.*, u.uid, n.fam, n.mid, n.giv, n.giv_acc, n.fg, n.name_sorted, n.ns_bits, n.giv_real, n.giv_acc_real,
         n.name_n, n.k_fam, n.k_mid, n.k_giv, n.k_ns, n.k_ini, n.k_fg, n.k_gacc, ka.k_addr,
         CASE WHEN d.cccd_all IS NULL OR {cccd_ph} OR sc.number IS NOT NULL THEN NULL ELSE d.cccd_all END AS cccd,
         CASE WHEN d.cmnd_all IS NULL OR {cmnd_ph} OR sm.number IS NOT NULL THEN NULL ELSE d.cmnd_all END AS cmnd,
         CASE WHEN d.phone_d IS NULL OR sp.number IS NOT NULL THEN NULL ELSE d.phone_d END AS phone
  FROM person_dates d JOIN person_uids u USING (rid) LEFT JOIN person_names n USING (nid)
  LEFT JOIN person_shared sc ON sc.kind = 'cccd' AND sc.number = d.cccd_all
  LEFT JOIN person_shared sm ON sm.kind = 'cmnd' AND sm.number = d.cmnd_all
  LEFT JOIN person_shared sp ON sp.kind = 'phone' AND sp.number = d.phone_d
  LEFT JOIN (SELECT addr, CAST(row_number() OVER (ORDER BY addr) AS INTEGER) AS k_addr
             FROM (SELECT DISTINCT addr FROM person_dates WHERE addr IS NOT NULL)) ka ON ka.addr = d.addr
), valid AS (
  SELECT *, length(cccd) = 12 AND substr(cccd, 1, 3) IN ({prefixes}) AS cc_valid FROM ids
), cc AS (
  SELECT *,
         CASE WHEN cc_valid
              THEN 1900 + 100 * (CAST(substr(cccd, 4, 1) AS INTEGER) // 2) + CAST(substr(cccd, 5, 2) AS INTEGER)
         END AS cc_year,
         CASE WHEN cc_valid THEN CAST(substr(cccd, 4, 1) AS INTEGER) % 2 = 1 END AS cc_female
  FROM valid
)
SELECT uid, record_id, src_source, src_table, fam, mid, giv, giv_acc, fg, name_sorted, ns_bits,
       CASE WHEN NOT vague THEN birth_date END AS dob,
       coalesce(byear, cc_year) AS byear,
       CASE WHEN NOT vague THEN month(birth_date) END AS bmonth,
       CASE WHEN NOT vague THEN day(birth_date) END AS bday,
       CASE WHEN NOT vague THEN least(month(birth_date), day(birth_date)) * 100
                                + greatest(month(birth_date), day(birth_date)) END AS dm,
       vague OR (byear IS NULL AND cc_year IS NOT NULL) AS vague, sex, sex = 'F' AS female, cccd, cmnd,
       cc_year IS NOT NULL AND (byear IS NULL OR cc_year = byear)
         AND (sex IS NULL OR cc_female = (sex = 'F')) AS cccd_ok,
       cc_year, cc_female, phone, addr, addr_cands, CASE WHEN addr IS NOT NULL THEN addr_detail END AS addr_detail,
       CASE WHEN addr IS NOT NULL THEN addr_old END AS addr_old, giv_real, giv_acc_real, name_n,
       name_n <= {rare_limit} AS name_rare, k_fam, k_mid, k_giv, k_ns, k_ini, k_addr,
       CASE WHEN addr IS NOT NULL THEN k_det END AS k_det, {cccd_codes}, k_fg, k_gacc,
       CASE WHEN addr IS NOT NULL THEN k_old END AS k_old
FROM cc
ORDER BY uid
"""


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
    records on the other (its statements let go of the interpreter): the same table, sooner.
    """
    if source is not None:
        stage_source(work, source)
    total = int(one(work, "SELECT count(*) FROM person_source")[0])
    work.execute(_NAME_IDS_SQL)
    name_ids = work.execute("SELECT nid, full_name FROM person_name_ids WHERE full_name <> ''").fetch_arrow_table()
    with ThreadPoolExecutor(max_workers=1) as pool:
        names = pool.submit(_numbered_names, name_ids)
        prefixes = ", ".join(f"'{p}'" for p in sorted(_old_province_prefixes()))
        _records(work, prefixes)
        work.register("person_names_arrow", names.result())
    work.execute(_NAMES_SQL.format(real=max(COMMON_GIVEN, total // FREQUENT_GIVEN)))
    work.unregister("person_names_arrow")
    work.execute(_SHARED_SQL.format(limit=SHARED_LIMIT))
    work.execute(_FEATURES_SQL.format(cccd_ph=_placeholder("d.cccd_all"), cmnd_ph=_placeholder("d.cmnd_all"),
                                      prefixes=prefixes, rare_limit=max(RARE_NAME, total // RARE_SHARE),
                                      cccd_codes=", ".join(f"CAST('1' || {key} AS BIGINT) AS {KEY_CODES[key]}"
                                                           for key in _CCCD_SLICES)))
    for temp in ("person_name_ids", "person_names", "person_addresses", "person_uids", "person_dates",
                 "person_shared"):
        work.execute(f"DROP TABLE IF EXISTS {temp}")
    return int(one(work, "SELECT count(*) FROM person_features")[0])


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


def _records(work: duckdb.DuckDBPyConnection, prefixes: str) -> None:
    """``person_dates``: each record's name number, dates, numbers, phone and address features (and the tables they
    need); ``person_source`` is dropped."""
    addresses = work.execute("SELECT DISTINCT address FROM person_source WHERE address IS NOT NULL"
                             ).fetch_arrow_table().column(0)
    work.register("person_addresses_arrow", _details_table(addresses))
    work.register("person_new_places_arrow", _new_places())
    work.execute(_ADDRESSES_SQL)
    work.unregister("person_addresses_arrow")
    work.unregister("person_new_places_arrow")
    in_order = bool(one(work, "SELECT getvariable('person_source_in_order')")[0])
    work.execute(_UIDS_IN_ORDER_SQL if in_order else _UIDS_SQL)
    work.execute(_DATES_SQL.format(id_parts=_id_parts("s.id_number"), cccd_col=_digits("s.cccd"),
                                   cmnd_col=_digits("s.cmnd"), phone=_digits("s.phone"),
                                   phone_ph=_placeholder("phone_n[2:]"), prefixes=prefixes))
    work.execute("DROP TABLE person_source")
    work.execute("RESET VARIABLE person_source_in_order")
