"""The lookup index: a file derived from the store (unified tables AND legacy archives) that answers a one-box
search in milliseconds, whichever engine holds the store.

Built in DuckDB (folding names, blocking keys, joins over millions of rows), served from SQLite (B-tree point and
range reads, no planner surprises). Tables, each clustered on its key:

- ``doc``: one row per searchable record — unified records of person, civil servant, organization, dossier,
  parcel, and every legacy archive row — with its result line (a JSON array in :data:`DOC_FIELDS` order, compact so
  the index stays in the page cache) and ``scope``: the new-unit codes that place it
  (``;48;20194;``; a legacy row takes the scope of the record it became; a row that became nothing has none).
- ``key``: exact keys → entry: ``id|<digits>`` (CCCD, CMND, tax codes, applicants', holders' and representatives'
  ids), ``tel|<national number>`` (persons' phones, ``+84``/``84`` written as ``0``), ``dos|<dossier code>``,
  ``par|<commune>|<sheet>|<parcel>`` (old and new commune codes).
- ``names``: name-blocking keys → (entry, folded name, birth year, birth month × 100 + day, scope), so fuzzy
  candidates (and a full birth date) come without a join:
  ``y|<year>|<given>``, ``y|<year>|<family, middle, given initials>``, ``u|<family>|<middle initial>|<given>``
  (records without a birth year), ``n|<family>|<middle initial>|<given>``, ``g|<given>|<family initial>``,
  ``f|<family>|<middle initial><given initial>`` — each also under ``c|<commune>|…`` for commune-scoped users.
- ``orgs``: organisations' folded names (searched by containment, a small table).
- ``addr``: ``o:<old commune>`` / ``n:<new commune>`` → entry and folded address.
- ``meta``: the store fingerprint the index was built from.

Every entry's id (``eid``) is a function of the entry alone (:data:`_EID`: kind, then MD5 of its record / legacy
row), so the index of a new store version can be the previous version's index with only the entries that differ
replaced (:mod:`hopnhat.load.lookup_update`, what ``hopnhat migrate`` does) and still equal a full build.

The index is rebuilt when the store's fingerprint (row counts, last run) changes; the pipeline can also build it
(:func:`ensure_index`) right after a run so the web app starts at once.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sqlite3
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
from duckdb.func import PythonUDFType

from hopnhat.errors import HopnhatError
from hopnhat.load.store import one
from hopnhat.load.storedb import StoreReader
from hopnhat.project.config import ColumnSpec, Project
from hopnhat.text.legacy import detect, repair_value
from hopnhat.text.normalize import fold

INDEX_VERSION = "12"  # 12: entry ids from what the entry is (not its rank)
_WORDS = re.compile(r"\w+")
SAFE_NAME = re.compile(r"^[A-Za-z0-9_.\-]+$")  # legacy table names that may be spliced into SQL


def fold_name(text: str | None) -> str:
    """Lower-case, diacritic-free, words joined by one space: the form names are compared in (query and index)."""
    return " ".join(_WORDS.findall(fold(text).lower())) if text else ""


def _fold_arrow(values: pa.Array) -> pa.Array:
    cache: dict[str, str] = {}
    out: list[str | None] = []
    for v in values.to_pylist():
        if v is None:
            out.append(None)
            continue
        f = cache.get(v)
        if f is None:
            f = cache[v] = fold_name(v)
        out.append(f)
    return pa.array(out, type=pa.string())


def _repair_arrow(values: pa.Array, encodings: pa.Array) -> pa.Array:
    """Legacy archives keep the old systems' bytes (TCVN3, VNI …): decode names/addresses for the index."""
    encoding = encodings[0].as_py() if len(encodings) else "ascii"
    cache: dict[str, str | None] = {}
    out = []
    for v in values.to_pylist():
        if v is None or encoding in ("ascii", "utf-8"):
            out.append(v)
            continue
        if v not in cache:
            try:
                cache[v] = repair_value(v, encoding)
            except HopnhatError:
                cache[v] = v
        out.append(cache[v])
    return pa.array(out, type=pa.string())


def _encoding(values: list[str | None]) -> str:
    return detect([v for v in values if v]).encoding


# ------------------------------------------------------------------------------------------------ store side

@dataclass(frozen=True)
class EntitySpec:
    """Which store columns of an entity feed the index (missing ones become NULL)."""

    title: str
    birth: str | None
    ids: tuple[str, ...]
    place: str
    place2: str | None = None
    code: str | None = None
    parcel: bool = False
    detail: str | None = None
    names: bool = False
    phone: str | None = None


SPECS: dict[str, EntitySpec] = {
    "person": EntitySpec("full_name", "birth_date", ("id_number", "cccd", "cmnd"), "address", names=True,
                         detail="birth_place", phone="phone"),
    "civil_servant": EntitySpec("full_name", "birth_date", ("id_number",), "hometown", names=True, detail="workplace"),
    "organization": EntitySpec("name", "registered_date", ("tax_code", "tax_code_parent", "representative_id"),
                               "address", detail="representative_name"),
    "dossier": EntitySpec("applicant_name", "received_at", ("applicant_id",), "applicant_address", "receiving_unit",
                          code="code", detail="procedure_name"),
    "parcel": EntitySpec("holder_name", None, ("holder_id",), "commune", parcel=True, detail="land_use"),
}


def quote(name: str) -> str:
    """A SQL identifier, quoted (column names come from the store's catalogue, never from a request)."""
    return '"' + name.replace('"', '""') + '"'


def _col(cols: list[str], name: str | None, cast: str = "VARCHAR") -> str:
    return f"CAST({quote(name)} AS {cast})" if name and name in cols else f"CAST(NULL AS {cast})"


def _entity_select(entity: str, cols: list[str], relation: str | None = None) -> str:
    """The index's columns of an entity's rows, read from ``relation`` (default: the store's table)."""
    s = SPECS[entity]
    ids = [_col(cols, c) for c in s.ids] + ["CAST(NULL AS VARCHAR)"] * (4 - len(s.ids))
    p2 = s.place2 or "-"
    parts = {
        "record_id": _col(cols, "record_id"), "golden_id": _col(cols, "golden_id"), "title": _col(cols, s.title),
        "birth": _col(cols, s.birth), "id1": ids[0], "id2": ids[1], "id3": ids[2], "id4": ids[3],
        "code": _col(cols, s.code), "sheet": _col(cols, "map_sheet" if s.parcel else None),
        "parcel": _col(cols, "parcel_number" if s.parcel else None),
        "address": _col(cols, s.place), "old_commune": _col(cols, f"{s.place}_old_commune_code"),
        "new_province": _col(cols, f"{s.place}_new_province_code"),
        "new_commune": _col(cols, f"{s.place}_new_commune_code"), "candidates": _col(cols, f"{s.place}_candidates"),
        "x_province": _col(cols, f"{p2}_new_province_code"), "x_commune": _col(cols, f"{p2}_new_commune_code"),
        "x_candidates": _col(cols, f"{p2}_candidates"), "src_system": _col(cols, "src_system"),
        "src_table": _col(cols, "src_table"), "src_province": _col(cols, "src_province"),
        "detail": _col(cols, s.detail), "phone": _col(cols, s.phone),
    }
    return "SELECT " + ", ".join(f"{v} AS {k}" for k, v in parts.items()) + f" FROM {relation or quote(entity)}"


def _spec_sql(spec: ColumnSpec | None, cols: list[str]) -> str:
    """A legacy column expression for a mapped field (column, JSON path or coalesce), NULL when unknown."""
    if spec is None:
        return "CAST(NULL AS VARCHAR)"
    if spec.column is not None and spec.column in cols:
        return f"CAST({quote(spec.column)} AS VARCHAR)"
    if spec.json_path is not None:
        top, _, rest = spec.json_path.partition(".")
        if top in cols:
            path = rest.replace("'", "")
            return f"json_extract_string(TRY_CAST({quote(top)} AS JSON), '$.{path}')" if rest else quote(top)
    if spec.coalesce:
        present = [quote(c) for c in spec.coalesce if c in cols]
        if present:
            return f"coalesce({', '.join(present)})"
    return "CAST(NULL AS VARCHAR)"


_LEGACY_FIELDS = {
    "title": ("full_name", "person_name", "applicant_name", "holder_name", "name"),
    "birth": ("birth_date", "event_date", "registered_date", "received_at"),
    "code": ("code",),
    "address": ("address", "applicant_address", "place", "hometown", "commune"),
    "sheet": ("map_sheet",),
    "parcel": ("parcel_number",),
    "commune": ("commune",),
    "phone": ("phone",),
}


def legacy_mapping(project: Project) -> dict[str, tuple[str, str, dict[str, ColumnSpec]]]:
    """``<source>__<table>`` → (entity, system, mapped columns), from the merger file."""
    out = {}
    for source in project.config.sources:
        for table in source.tables:
            out[f"{source.name}__{table.name}"] = (table.maps_to, source.system, dict(table.columns))
    return out


def _legacy_select(name: str, cols: list[str], mapping: tuple[str, str, dict[str, ColumnSpec]] | None,
                   relation: str = "src") -> str:
    entity, system, columns = mapping or ("", name.split("__")[0], {})

    def pick(kind: str) -> str:
        return next((_spec_sql(columns[f], cols) for f in _LEGACY_FIELDS[kind] if f in columns),
                    "CAST(NULL AS VARCHAR)")

    raw = [c for c in cols if c not in ("record_id", "_row")]
    blob = "concat_ws(' ', " + ", ".join(f"CAST({quote(c)} AS VARCHAR)" for c in raw) + ")" if raw else "''"
    table = name.split("__", 1)[1] if "__" in name else name
    return (f"SELECT {_col(cols, 'record_id')} AS record_id, CAST(\"_row\" AS BIGINT) AS legacy_row, "
            f"'{name}' AS legacy_table, '{entity}' AS entity, {pick('title')} AS title, {pick('birth')} AS birth, "
            f"{pick('code')} AS code, {pick('address')} AS address, {pick('sheet')} AS sheet, "
            f"{pick('parcel')} AS parcel, {pick('commune')} AS commune, {pick('phone')} AS phone, {blob} AS blob, "
            f"'{system.replace(chr(39), chr(39) * 2)}' AS src_system, '{table}' AS src_table FROM {relation}")


def mapping_digest(project: Project) -> str:
    """The merger file's mapping as the legacy entries read it: an index updated in place needs the same one."""
    mapping = {k: (e, sysname, {f: c.model_dump(mode="json") for f, c in sorted(cols.items())})
               for k, (e, sysname, cols) in sorted(legacy_mapping(project).items())}
    return hashlib.sha256(json.dumps(mapping, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:24]


# ------------------------------------------------------------------------------------------------ fingerprint

def store_tables(reader: StoreReader) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    legacy = {k: v for k, v in reader.tables("legacy").items() if SAFE_NAME.match(k)}
    return reader.tables("main"), legacy


def fingerprint(reader: StoreReader) -> str:
    """Row counts of every table the index reads, and the last run: changes whenever the pipeline writes."""
    main, legacy = store_tables(reader)
    parts: dict[str, Any] = {"v": INDEX_VERSION}
    for name in sorted(set(main) & set(SPECS)):
        parts[name] = reader.rows(f'SELECT count(*) AS n FROM "{name}"')[0]["n"]
    for name in sorted(legacy):
        parts["legacy." + name] = reader.rows(f"SELECT count(*) AS n FROM {reader.dialect.legacy(name)}")[0]["n"]
    if "runs" in main:
        parts["runs"] = reader.rows("SELECT max(run_id) AS r, count(*) AS n FROM runs")[0]
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:24]


# ------------------------------------------------------------------------------------------------ build

_ENTRY_DDL = """
CREATE TABLE entry_raw (kind VARCHAR, entity VARCHAR, record_id VARCHAR, golden_id VARCHAR, legacy_table VARCHAR,
  legacy_row BIGINT, title VARCHAR, birth VARCHAR, ids VARCHAR[], code VARCHAR, sheet VARCHAR, parcel VARCHAR,
  address VARCHAR, old_commune VARCHAR, new_commune VARCHAR, candidates VARCHAR, scope VARCHAR[],
  src_system VARCHAR, src_table VARCHAR, src_province VARCHAR, detail VARCHAR, names BOOLEAN, phone VARCHAR)
"""

_SCOPE = ("list_distinct(list_filter([new_province, new_commune, x_province, x_commune] "
          "|| string_split(coalesce(candidates, ''), ';') || string_split(coalesce(x_candidates, ''), ';'), "
          "lambda c: c IS NOT NULL AND c <> ''))")


def _insert_entity(con: duckdb.DuckDBPyConnection, entity: str, relation: str, target: str = "entry_raw") -> None:
    """An entity's entries from ``relation`` (rows of :func:`_entity_select`'s columns) into ``target``."""
    con.execute(f"""INSERT INTO {target} SELECT '{entity}', '{entity}', record_id, golden_id, NULL, NULL, title,
        birth, list_filter([id1, id2, id3, id4], lambda x: x IS NOT NULL), code, sheet, parcel, address, old_commune,
        new_commune, candidates, {_SCOPE}, src_system, src_table, src_province, detail, {SPECS[entity].names},
        phone FROM {relation}""")


def _insert_entities(con: duckdb.DuckDBPyConnection, reader: StoreReader, main: dict[str, list[str]]) -> None:
    for entity in SPECS:
        if entity not in main:
            continue
        con.register("src", reader.arrow(_entity_select(entity, main[entity])))
        _insert_entity(con, entity, "src")
        con.unregister("src")


def _encodings(con: duckdb.DuckDBPyConnection, select: str) -> tuple[str, str]:
    """The legacy encodings of a legacy table's names and addresses, read from its first 3,000 rows."""
    sample = con.execute(f"SELECT title, address FROM ({select}) LIMIT 3000").fetchall()
    return _encoding([r[0] for r in sample]), _encoding([r[1] for r in sample])


def _insert_legacy_rows(con: duckdb.DuckDBPyConnection, select: str, entity: str, encodings: tuple[str, str]) -> None:
    """A legacy table's entries (rows of :func:`_legacy_select`) into ``entry_raw``, names and addresses decoded."""
    con.execute(f"""INSERT INTO entry_raw SELECT 'legacy', l.entity, l.record_id, NULL, l.legacy_table,
        l.legacy_row, hn_repair(l.title, ?), l.birth,
        list_filter(regexp_extract_all(regexp_replace(l.blob, '(\\d{{10}})-(\\d{{3}})', '\\1\\2', 'g'), '\\d+'),
                    lambda x: length(x) IN (9, 10, 12, 13)),
        l.code, l.sheet, l.parcel, hn_repair(l.address, ?), l.commune, NULL, NULL, NULL, l.src_system,
        l.src_table, NULL, NULL, {entity in ('person', 'civil_servant')}, l.phone
        FROM ({select}) l""", list(encodings))


def _insert_legacy(con: duckdb.DuckDBPyConnection, reader: StoreReader, legacy: dict[str, list[str]],
                   project: Project) -> dict[str, tuple[str, str]]:
    """Every legacy archive's entries; returns each table's encodings (kept in the index's meta)."""
    mapping = legacy_mapping(project)
    encodings = {}
    for name, cols in sorted(legacy.items()):
        if "_row" not in cols or not SAFE_NAME.match(name):
            continue
        con.register("src", reader.arrow(f"SELECT * FROM {reader.dialect.legacy(name)}"))
        select = _legacy_select(name, cols, mapping.get(name))
        encodings[name] = _encodings(con, select)
        _insert_legacy_rows(con, select, (mapping.get(name) or ("",))[0], encodings[name])
        con.unregister("src")
    return encodings

_BIRTH_DAY = ("coalesce(TRY_CAST(regexp_extract(e.birth, '^\\d{4}-(\\d\\d)-(\\d\\d)', ['m', 'd']).m || "
              "regexp_extract(e.birth, '^\\d{4}-(\\d\\d)-(\\d\\d)', ['m', 'd']).d AS INTEGER), "
              "TRY_CAST(lpad(regexp_extract(e.birth, '^(\\d{1,2})[/.-](\\d{1,2})[/.-]\\d{4}', ['d', 'm']).m, "
              "2, '0') || "
              "lpad(regexp_extract(e.birth, '^(\\d{1,2})[/.-](\\d{1,2})[/.-]\\d{4}', ['d', 'm']).d, 2, '0') "
              "AS INTEGER))")
# phone numbers of a cell (separators inside a number removed), each in the national form: +84 / 84 / 0084 → 0
_PHONES = ("list_transform(regexp_extract_all(regexp_replace(phone, '[\\s.()\\-]', '', 'g'), '\\d{9,13}'), "
           "lambda d: CASE WHEN d LIKE '0084%' THEN '0' || substr(d, 5) WHEN d LIKE '84%' AND length(d) IN (11, 12) "
           "THEN '0' || substr(d, 3) WHEN d NOT LIKE '0%' AND length(d) = 9 THEN '0' || d ELSE d END)")


KINDS = ("civil_servant", "dossier", "legacy", "organization", "parcel", "person")
# An entry's id: its kind in the top 3 bits (entries of a kind together, kinds in this order), then 1 bit set for a
# legacy row whose record is not in the store (after those whose record is), then 59 bits of the MD5 of what the
# entry is (kind, record, legacy table and row) — ties are broken by id, and a LIMIT reads the lowest ids first. A
# function of the entry alone, so an index updated in place (:mod:`hopnhat.load.lookup_update`) numbers entries as
# a full build does.
_EID = ("((list_position(['" + "', '".join(KINDS) + "'], e.kind) - 1)::BIGINT << 60) | "
        "((e.kind = 'legacy' AND p.record_id IS NULL)::BIGINT << 59) | "
        "(md5_number_lower(concat_ws(chr(31), e.kind, coalesce(e.record_id, ''), coalesce(e.legacy_table, ''), "
        "coalesce(CAST(e.legacy_row AS VARCHAR), ''))) >> 5)::BIGINT")


def record_eid(kind: str, record_id: str) -> int:
    """:data:`_EID` of a store record's entry (not a legacy row), computed in Python: the lookup reaches the record
    an archive row became (an old CMND → the citizen's record now) by one point read."""
    lower = int.from_bytes(hashlib.md5(f"{kind}\x1f{record_id}\x1f\x1f".encode()).digest()[8:16], "little")
    return ((KINDS.index(kind)) << 60) | (lower >> 5)


def _finish_entries(con: duckdb.DuckDBPyConnection, placed_from: str = "entry_raw") -> None:
    """Number the entries (:data:`_EID`), fold names and addresses, give legacy rows the scope of the record they
    became (found among the non-legacy entries of ``placed_from``)."""
    con.execute(f"""CREATE TABLE entry AS
        WITH placed AS (SELECT record_id, any_value(scope) AS scope, any_value(golden_id) AS golden_id,
                               any_value(new_commune) AS new_commune, any_value(candidates) AS candidates
                        FROM {placed_from} WHERE kind <> 'legacy' AND record_id IS NOT NULL GROUP BY record_id)
        SELECT {_EID} AS eid, e.kind, e.entity, e.record_id,
          coalesce(e.golden_id, p.golden_id) AS golden_id, e.legacy_table, e.legacy_row, e.title,
          hn_fold(e.title) AS title_fold, e.birth,
          TRY_CAST(regexp_extract(e.birth, '(1[89]\\d\\d|20\\d\\d)', 1) AS INTEGER) AS birth_year,
          {_BIRTH_DAY} AS birth_day, e.ids, e.phone,
          e.code, e.sheet, e.parcel, e.address, hn_fold(e.address) AS address_fold, e.old_commune,
          coalesce(e.new_commune, p.new_commune) AS new_commune, coalesce(e.candidates, p.candidates) AS candidates,
          coalesce(e.scope, p.scope, []) AS scope, e.src_system, e.src_table, e.src_province, e.detail, e.names,
          e.kind <> 'legacy' OR p.record_id IS NOT NULL AS in_store
        FROM entry_raw e LEFT JOIN placed p ON p.record_id = e.record_id""")
    con.execute("DROP TABLE entry_raw")
    twice = one(con, "SELECT count(*) - count(DISTINCT eid) FROM entry")[0]
    if twice:
        raise HopnhatError("lookup index: two entries got the same id", value=int(twice),
                           reason="the same record id (or legacy table and row) twice in the store, or an MD5 clash")
    con.execute(f"""CREATE TABLE doc AS SELECT eid, scope, json_array({', '.join(DOC_FIELDS)})::VARCHAR AS doc
                    FROM entry""")


DOC_FIELDS = ("eid", "kind", "entity", "record_id", "golden_id", "legacy_table", "legacy_row", "title", "birth",
              "ids", "code", "address", "old_commune", "new_commune", "candidates", "src_system", "src_table",
              "src_province", "detail", "in_store")


def read_doc(text: str) -> dict[str, Any]:
    """A ``doc`` row's result line as a dict."""
    return dict(zip(DOC_FIELDS, json.loads(text), strict=True))


def _build_keys(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"""CREATE TABLE key AS SELECT DISTINCT k, eid FROM (
        SELECT eid, 'id|' || unnest(list_transform(ids, lambda x: regexp_replace(x, '\\D', '', 'g'))) AS k FROM entry
        UNION ALL SELECT eid, 'tel|' || unnest({_PHONES}) FROM entry WHERE phone IS NOT NULL
        UNION ALL SELECT eid, 'dos|' || upper(trim(code)) FROM entry WHERE code IS NOT NULL
        UNION ALL SELECT eid, 'par|' || c || '|' || coalesce(nullif(ltrim(trim(sheet), '0'), ''), '0') || '|'
                   || coalesce(nullif(ltrim(trim(parcel), '0'), ''), '0')
          FROM (SELECT eid, sheet, parcel, unnest(list_distinct(list_filter([old_commune, new_commune]
                || string_split(coalesce(candidates, ''), ';'), lambda x: x IS NOT NULL AND x <> ''))) AS c
                FROM entry WHERE sheet IS NOT NULL AND parcel IS NOT NULL)
        ) WHERE length(k) > 4""")


def _build_names(con: duckdb.DuckDBPyConnection) -> None:
    """Each blocking key twice: as it is (province-wide users) and prefixed by each new commune of the record's
    scope (``c|<commune>|<key>``), so a commune clerk's candidates are their commune's, not a truncated province's."""
    con.execute("""CREATE TABLE names AS
        WITH w AS (SELECT eid, title_fold, birth_year, birth_day, scope, string_split(title_fold, ' ') AS p
                   FROM entry WHERE names AND title_fold <> ''),
        parts AS (SELECT eid, title_fold, birth_year, birth_day, scope, p[1] AS fam, p[-1] AS giv,
                         CASE WHEN len(p) >= 3 THEN p[2][1] ELSE '' END AS mid FROM w WHERE len(p) >= 2),
        k AS (SELECT eid, title_fold, birth_year, birth_day, scope, unnest(list_filter([
                CASE WHEN birth_year IS NOT NULL THEN 'y|' || birth_year || '|' || giv END,
                CASE WHEN birth_year IS NOT NULL THEN 'y|' || birth_year || '|' || fam[1] || mid || giv[1] END,
                CASE WHEN birth_year IS NULL THEN 'u|' || fam || '|' || mid || '|' || giv END,
                'n|' || fam || '|' || mid || '|' || giv, 'g|' || giv || '|' || fam[1],
                'f|' || fam || '|' || mid || giv[1]],
                lambda x: x IS NOT NULL)) AS k FROM parts),
        scoped AS (SELECT eid, title_fold, birth_year, birth_day, scope, k FROM k
                   UNION ALL
                   SELECT eid, title_fold, birth_year, birth_day, scope,
                          'c|' || unnest(list_filter(scope, lambda c: length(c) = 5)) || '|' || k FROM k)
        SELECT DISTINCT k, eid, title_fold, birth_year, birth_day, scope FROM scoped""")


def _build_orgs(con: duckdb.DuckDBPyConnection) -> None:
    """Organisations (unified and archived) apart: searched by words of their name, a small table to scan."""
    con.execute("""CREATE TABLE orgs AS SELECT eid, title_fold, scope FROM entry
        WHERE (kind = 'organization' OR (kind = 'legacy' AND entity = 'organization')) AND title_fold <> ''""")


def _build_addr(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("""CREATE TABLE addr AS SELECT k, eid, address_fold, scope FROM (
        SELECT 'o:' || old_commune AS k, eid, address_fold, scope FROM entry WHERE old_commune IS NOT NULL
        UNION ALL SELECT 'n:' || new_commune, eid, address_fold, scope FROM entry WHERE new_commune IS NOT NULL
        UNION ALL SELECT 'n:' || unnest(string_split(candidates, ';')), eid, address_fold, scope FROM entry
          WHERE coalesce(candidates, '') <> '') WHERE k <> 'n:'""")


SQLITE_TABLES = {
    "key": ("k TEXT, eid INTEGER, PRIMARY KEY (k, eid)", "k, eid", "k, eid"),
    "names": ("k TEXT, eid INTEGER, title_fold TEXT, birth_year INTEGER, birth_day INTEGER, scope TEXT, "
              "PRIMARY KEY (k, eid)",
              "k, eid, title_fold, birth_year, birth_day, ';' || array_to_string(scope, ';') || ';'", "k, eid"),
    "doc": ("eid INTEGER PRIMARY KEY, scope TEXT, doc TEXT", "eid, ';' || array_to_string(scope, ';') || ';', doc",
            "eid"),
    "orgs": ("eid INTEGER PRIMARY KEY, title_fold TEXT, scope TEXT",
             "eid, title_fold, ';' || array_to_string(scope, ';') || ';'", "eid"),
    "addr": ("k TEXT, eid INTEGER, address_fold TEXT, scope TEXT, PRIMARY KEY (k, eid)",
             "k, eid, address_fold, ';' || array_to_string(scope, ';') || ';'", "k, eid"),
}


EXPORT_BATCH = 50_000  # rows per SQLite insert batch: bounds the Python memory of the copy
MEMORY_LIMIT = os.environ.get("HOPNHAT_INDEX_MEMORY", "2GB")  # DuckDB's working memory; the rest spills to disk


def _dump(con: duckdb.DuckDBPyConnection, folder: Path) -> dict[str, Path]:
    """Each serving table, sorted on its key, written by DuckDB's own Parquet writer (no rows cross into Python)."""
    out = {}
    for table, (_ddl, select, order) in SQLITE_TABLES.items():
        out[table] = folder / f"{table}.parquet"
        con.execute(f"COPY (SELECT {select} FROM {table} ORDER BY {order}) TO '{out[table]}' "
                    "(FORMAT parquet, ROW_GROUP_SIZE 100000)")
    return out


def _export(parts: dict[str, Path], target: Path, meta: dict[str, str]) -> None:
    """Copy the Parquet dumps into SQLite, each table clustered on its key (B-tree point and range reads), a batch
    of :data:`EXPORT_BATCH` rows at a time: memory stays bounded whatever the size of the store. DuckDB is closed
    by then (reading its result cursor into SQLite crashed inside DuckDB at 3 M persons)."""
    out = sqlite3.connect(str(target))
    try:
        out.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA page_size=8192; "
                          "PRAGMA cache_size=-262144;")
        for table, (ddl, _select, _order) in SQLITE_TABLES.items():
            rowid = " WITHOUT ROWID" if "PRIMARY KEY (" in ddl else ""
            out.execute(f"CREATE TABLE {table} ({ddl}){rowid}")
            source = pq.ParquetFile(parts[table])
            marks = ", ".join("?" for _ in source.schema_arrow)
            for batch in source.iter_batches(batch_size=EXPORT_BATCH):
                columns = [c.to_pylist() for c in batch.columns]
                out.executemany(f"INSERT OR IGNORE INTO {table} VALUES ({marks})", zip(*columns, strict=True))
            source.close()
            parts[table].unlink()
        out.execute("CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT)")
        out.executemany("INSERT INTO meta VALUES (?, ?)", list(meta.items()))
        out.commit()
        out.execute("ANALYZE")
    finally:
        out.close()


def build_index(reader: StoreReader, project: Project, path: Path,
                progress: Callable[[str], None] | None = None) -> Path:
    """Build the lookup index of the store into the SQLite file ``path`` (written beside it, then moved into place).

    The work is done in DuckDB (a temporary folder beside ``path``: joins, folding, blocking keys over millions of
    rows in seconds, memory capped by ``HOPNHAT_INDEX_MEMORY``), dumped to Parquet, then copied into SQLite in
    batches; the result is served from SQLite, whose B-trees answer the point reads of a lookup in microseconds."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    say = progress or (lambda _m: None)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix=f"{path.name}.", suffix=".work", dir=path.parent) as folder:
        work = Path(folder)
        parts, entries, encodings = _build_in_duckdb(reader, project, work, say)
        say("sqlite")
        _export(parts, tmp, {"fingerprint": fingerprint(reader), "store": reader.location, "entries": str(entries),
                             "version": INDEX_VERSION, "seconds": f"{time.perf_counter() - started:.1f}",
                             "built": "full", "mapping": mapping_digest(project),
                             "encodings": json.dumps(encodings, sort_keys=True)})
    settle(tmp)
    os.replace(tmp, path)
    return path


FLUSH_CHUNK = 64 << 20  # bytes written back at a time while an index file is copied


def flushed_copy(source: Path, target: Path, chunk: int = FLUSH_CHUNK) -> None:
    """Copy ``source`` to ``target`` (new), writing it back to disk chunk by chunk as it goes: a 4 GB copy left to
    the kernel's writeback floods the disk queue after the run has published, just when the web app starts reading
    the new version and fsyncs its audit entries."""
    with open(source, "rb") as src, open(target, "xb") as dst:
        size = os.fstat(src.fileno()).st_size
        done = 0
        while done < size:
            sent = os.copy_file_range(src.fileno(), dst.fileno(), min(chunk, size - done))
            if sent == 0:
                break
            done += sent
            os.fdatasync(dst.fileno())
        if done != size:
            raise HopnhatError("lookup index copy ended short", value=str(source), reason=f"{done} of {size} bytes")


def settle(path: Path) -> None:
    """An index file on disk before it is renamed into place (written with SQLite's synchronous=OFF): a version is
    published with an index a power cut cannot leave half-written, and no writeback is left for after the switch."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def work_connection(work: Path) -> duckdb.DuckDBPyConnection:
    """The DuckDB file an index is built in (memory capped, spilling beside it), with the fold/repair functions."""
    con = duckdb.connect(str(work / "work.duckdb"), config={
        "memory_limit": MEMORY_LIMIT, "temp_directory": str(work / "spill")})
    varchar = duckdb.sqltypes.VARCHAR
    con.create_function("hn_fold", _fold_arrow, [varchar], varchar, type=PythonUDFType.ARROW)
    con.create_function("hn_repair", _repair_arrow, [varchar, varchar], varchar, type=PythonUDFType.ARROW)
    return con


def derive_tables(con: duckdb.DuckDBPyConnection, say: Callable[[str], None] = lambda _m: None) -> None:
    """From ``entry``: the serving tables ``key``, ``names``, ``orgs``, ``addr`` (and ``doc``, made with it)."""
    for step, build in (("keys", _build_keys), ("names", _build_names), ("organisations", _build_orgs),
                        ("addresses", _build_addr)):
        say(step)
        build(con)


def _build_in_duckdb(reader: StoreReader, project: Project, work: Path,
                     say: Callable[[str], None]) -> tuple[dict[str, Path], int, dict[str, tuple[str, str]]]:
    """The serving tables, built in a DuckDB file in ``work`` and dumped to Parquet there; returns the dumps, the
    number of entries and each legacy table's encodings. The DuckDB file is closed and deleted on return."""
    main, legacy = store_tables(reader)
    con = work_connection(work)
    try:
        con.execute(_ENTRY_DDL)
        say("entities")
        _insert_entities(con, reader, main)
        say("legacy")
        encodings = _insert_legacy(con, reader, legacy, project)
        say("entries")
        _finish_entries(con)
        derive_tables(con, say)
        say("dump")
        entries = int(one(con, "SELECT count(*) FROM entry")[0])
        con.execute("DROP TABLE entry")
        return _dump(con, work), entries, encodings
    finally:
        con.close()


def index_meta(path: Path) -> dict[str, str] | None:
    """The ``meta`` table of an index file (None when absent or unreadable)."""
    if not Path(path).is_file():
        return None
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return dict(con.execute("SELECT name, value FROM meta").fetchall())
        finally:
            con.close()
    except sqlite3.Error:
        return None


def index_fingerprint(path: Path) -> str | None:
    """The fingerprint an index file was built from (None when absent or unreadable)."""
    return (index_meta(path) or {}).get("fingerprint")


def default_index_path(project: Project, store_location: str) -> Path:
    """Beside the app database, one name per store (the fingerprint is added by :func:`index_file`)."""
    tag = hashlib.sha256(store_location.encode()).hexdigest()[:10]
    return project.app_db_path.with_name(f"{project.app_db_path.stem}-lookup-{tag}.sqlite")


def index_file(base: Path, fp: str) -> Path:
    """One file per store fingerprint: a rebuilt index never replaces a file an open connection reads."""
    return base.with_name(f"{base.stem}-{fp}.sqlite")


def ensure_index(reader: StoreReader, project: Project, base: Path | None = None,
                 progress: Callable[[str], None] | None = None) -> tuple[Path, str]:
    """The index file matching the store now (built when missing); returns (path, fingerprint).

    The pipeline may call this right after a run (``open_store`` on the store, then ``ensure_index``) so that the
    web app finds the index ready and starts at once."""
    fp = fingerprint(reader)
    path = index_file(base or default_index_path(project, reader.location), fp)
    if index_fingerprint(path) != fp:
        build_index(reader, project, path, progress)
    return path, fp


__all__ = ["build_index", "default_index_path", "ensure_index", "fingerprint", "fold_name", "index_file",
           "record_eid"]
