"""The lookup index of a new store version made from the previous version's index: only the entries of records and
legacy rows that differ between the two versions are rebuilt; the others are kept as they are.

A run that changed 1 % of a 3 M-person store used to rebuild all 3 M entries (names folded in Python, blocking
keys, a 4 GB SQLite file: ten minutes and more of both cores, while the web app served from the same machine).
Here, in a DuckDB work file that attaches both store versions read-only:

1. **What differs.** Every entity row is read as the index reads it (:func:`~hopnhat.load.lookup_index
   ._entity_select`) and hashed (MD5 of the row as JSON); a record whose (record id, hash) multiset differs between
   the versions is *dirty* (inserted, deleted, changed — a new golden id after linkage included). A legacy row is
   dirty when its row as the index reads it differs, when the record it became is dirty (its scope comes from
   there), or when its table's detected encodings changed (then the whole table).
2. **Old and new entries of what differs** are built exactly as a full build builds them (same SQL, the scope of a
   legacy row taken from its record in the same version), with the same entry ids (:data:`~hopnhat.load
   .lookup_index._EID`: a function of the entry, not of its rank), and turned into the serving tables' rows.
3. **The previous index file is copied** and the rows only the old entries have are deleted, those only the new
   ones have inserted (by primary key; a clash is an error, never ignored); ``meta`` says the new fingerprint.

The result holds the same rows as a full build of the new version (tested table by table); its SQLite statistics
are the previous file's (they steer no lookup: every read is by primary key). Not applicable — the caller then
builds in full — when the previous index is missing, of another index version, built from another store or another
mapping of the legacy tables, or when either store is not a DuckDB file.
"""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import duckdb

from hopnhat.errors import HopnhatError
from hopnhat.load.lookup_index import (
    _ENTRY_DDL,
    INDEX_VERSION,
    SAFE_NAME,
    SPECS,
    SQLITE_TABLES,
    _encodings,
    _entity_select,
    _finish_entries,
    _insert_entity,
    _insert_legacy_rows,
    _legacy_select,
    build_index,
    derive_tables,
    fingerprint,
    flushed_copy,
    index_file,
    index_fingerprint,
    index_meta,
    legacy_mapping,
    mapping_digest,
    quote,
    settle,
    work_connection,
)
from hopnhat.load.store import one
from hopnhat.load.storedb import open_store
from hopnhat.project.config import Project

SIDES = ("o", "n")  # the previous version, the new one (as attached in the work file)
Columns = dict[str, dict[str, list[str]]]  # schema → table → columns


def _columns(con: duckdb.DuckDBPyConnection, side: str) -> Columns:
    out: Columns = {"main": {}, "legacy": {}}
    for schema, table, column in con.execute(
            "SELECT schema_name, table_name, column_name FROM duckdb_columns() WHERE database_name = ? AND "
            "schema_name IN ('main', 'legacy') ORDER BY schema_name, table_name, column_index", [side]).fetchall():
        out[schema].setdefault(table, []).append(column)
    out["legacy"] = {k: v for k, v in out["legacy"].items() if SAFE_NAME.match(k) and "_row" in v}
    return out


def _entity_sql(side: str, cols: Columns, entity: str) -> str | None:
    if entity not in cols["main"]:
        return None
    return _entity_select(entity, cols["main"][entity], f"{side}.main.{quote(entity)}")


def _legacy_sql(side: str, cols: Columns, name: str, project: Project) -> str | None:
    if name not in cols["legacy"]:
        return None
    return _legacy_select(name, cols["legacy"][name], legacy_mapping(project).get(name),
                          f"{side}.legacy.{quote(name)}")


def _hashed(select: str | None, key: str) -> str:
    """(key, MD5 of the whole row as JSON) of a select, or no rows."""
    if select is None:
        return f"SELECT NULL::VARCHAR AS {key}, NULL::UHUGEINT AS h WHERE false"
    return f"SELECT CAST({key} AS VARCHAR) AS {key}, md5_number(to_json(x)::VARCHAR) AS h FROM ({select}) x"


def _differ(con: duckdb.DuckDBPyConnection, old: str | None, new: str | None, key: str) -> str:
    """A select of the keys whose rows differ (as multisets) between the two selects (each read once, into the
    temporary tables ``h_o``, ``h_n``)."""
    for side, select in zip(SIDES, (old, new), strict=True):
        con.execute(f"CREATE OR REPLACE TEMP TABLE h_{side} AS {_hashed(select, key)}")
    return (f"SELECT DISTINCT {key} FROM ((FROM h_o EXCEPT ALL FROM h_n) UNION ALL (FROM h_n EXCEPT ALL FROM h_o)) d "
            f"WHERE {key} IS NOT NULL")


def _dirty_records(con: duckdb.DuckDBPyConnection, cols: dict[str, Columns]) -> int:
    """``dirty_entity`` (entity, record_id): records that differ between the versions; returns how many."""
    con.execute("CREATE TEMP TABLE dirty_entity (entity VARCHAR, record_id VARCHAR)")
    for entity in SPECS:
        old, new = (_entity_sql(side, cols[side], entity) for side in SIDES)
        if old is None and new is None:
            continue
        differ = _differ(con, old, new, "record_id")
        con.execute(f"INSERT INTO dirty_entity SELECT '{entity}', record_id FROM ({differ})")
    return int(one(con, "SELECT count(*) FROM dirty_entity")[0])


def _dirty_legacy(con: duckdb.DuckDBPyConnection, cols: dict[str, Columns], project: Project,
                  old_encodings: dict[str, list[str]]) -> dict[str, tuple[str, str]] | None:
    """``dirty_legacy`` (legacy_table, legacy_row): legacy rows that differ, whose record is dirty, or of a table whose
    encodings changed. Returns the new version's encodings per table (None: the previous index lacks a table's)."""
    con.execute("CREATE TEMP TABLE dirty_legacy (legacy_table VARCHAR, legacy_row BIGINT)")
    encodings: dict[str, tuple[str, str]] = {}
    for name in sorted(set(cols["o"]["legacy"]) | set(cols["n"]["legacy"])):
        old, new = (_legacy_sql(side, cols[side], name, project) for side in SIDES)
        if old is not None and name not in old_encodings:
            return None
        if new is not None:
            encodings[name] = _encodings(con, new)
        whole = old is None or new is None or tuple(old_encodings[name]) != encodings[name]
        parts = [] if whole else [_differ(con, old, new, "legacy_row")]
        for select in (old, new):
            if select is None:
                continue
            where = "" if whole else " WHERE record_id IN (SELECT record_id FROM dirty_entity)"
            parts.append(f"SELECT CAST(legacy_row AS VARCHAR) AS legacy_row FROM ({select}) x{where}")
        con.execute(f"INSERT INTO dirty_legacy SELECT DISTINCT '{name}', CAST(legacy_row AS BIGINT) FROM "
                    f"({' UNION ALL '.join(parts)}) d")
    return encodings


def _side_rows(con: duckdb.DuckDBPyConnection, side: str, cols: Columns, project: Project,
               encodings: dict[str, tuple[str, str]]) -> None:
    """The serving tables' rows of the dirty entries of one version, as ``<side>_<table>``."""
    con.execute(_ENTRY_DDL)
    for entity in SPECS:
        select = _entity_sql(side, cols, entity)
        if select is not None:
            _insert_entity(con, entity, f"(SELECT * FROM ({select}) x WHERE x.record_id IN "
                                        f"(SELECT record_id FROM dirty_entity WHERE entity = '{entity}'))")
    mapping = legacy_mapping(project)
    for name in cols["legacy"]:
        select = _legacy_sql(side, cols, name, project)
        assert select is not None
        rows = (f"SELECT * FROM ({select}) y WHERE y.legacy_row IN "
                f"(SELECT legacy_row FROM dirty_legacy WHERE legacy_table = '{name}')")
        _insert_legacy_rows(con, rows, (mapping.get(name) or ("",))[0], encodings[name])
    con.execute(_ENTRY_DDL.replace("entry_raw", "place_raw"))
    for entity in SPECS:  # the records the dirty legacy rows became, wherever they are: their scope
        select = _entity_sql(side, cols, entity)
        if select is not None:
            _insert_entity(con, entity, f"(SELECT * FROM ({select}) x WHERE x.record_id IN "
                                        "(SELECT record_id FROM entry_raw WHERE kind = 'legacy'))", "place_raw")
    _finish_entries(con, "place_raw")
    con.execute("DROP TABLE place_raw")
    derive_tables(con)
    for table, (_ddl, select, _order) in SQLITE_TABLES.items():
        con.execute(f"CREATE TABLE {side}_{table} AS SELECT DISTINCT {select} FROM {table}")
        con.execute(f"DROP TABLE {table}")
    con.execute("DROP TABLE entry")


def _primary_key(ddl: str) -> list[str]:
    if "PRIMARY KEY (" in ddl:
        return [c.strip() for c in ddl.split("PRIMARY KEY (", 1)[1].split(")", 1)[0].split(",")]
    return [part.split()[0] for part in ddl.split(",") if "PRIMARY KEY" in part]


def _apply(con: duckdb.DuckDBPyConnection, target: Path) -> tuple[int, int]:
    """Delete the rows only the old entries have, insert those only the new ones have; (deleted, inserted)."""
    out = sqlite3.connect(str(target))
    deleted = inserted = 0
    try:
        out.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-262144;")
        for table, (ddl, _select, _order) in SQLITE_TABLES.items():
            key = _primary_key(ddl)
            gone = con.execute(f"SELECT {', '.join(key)} FROM (SELECT * FROM o_{table} EXCEPT "
                               f"SELECT * FROM n_{table})").fetchall()
            came = con.execute(f"SELECT * FROM n_{table} EXCEPT SELECT * FROM o_{table}").fetchall()
            if gone:
                out.executemany(f"DELETE FROM {table} WHERE {' AND '.join(f'{c} = ?' for c in key)}", gone)
            try:
                if came:
                    out.executemany(f"INSERT INTO {table} VALUES ({', '.join('?' for _ in came[0])})", came)
            except sqlite3.IntegrityError as exc:
                raise HopnhatError("lookup index update: a new entry's row is already in the index", table=table,
                                   reason=str(exc), hint="build it in full (delete the index file)") from exc
            deleted, inserted = deleted + len(gone), inserted + len(came)
        out.commit()
    finally:
        out.close()
    return deleted, inserted


def update_index(project: Project, store: Path, fp: str, previous_store: Path, previous_index: Path, previous_fp: str,
                 path: Path, progress: Callable[[str], None] | None = None) -> bool:
    """Write the index of ``store`` (fingerprint ``fp``) to ``path`` from ``previous_index`` (the index of
    ``previous_store``, fingerprint ``previous_fp``); False, with nothing written, when that index cannot be used
    (see the module's docstring). Neither store may be open in this process (DuckDB attaches a file once)."""
    meta = index_meta(previous_index)
    if (meta is None or meta.get("fingerprint") != previous_fp or meta.get("version") != INDEX_VERSION
            or meta.get("mapping") != mapping_digest(project) or "encodings" not in meta):
        return False
    say = progress or (lambda _m: None)
    started = time.perf_counter()
    path = Path(path)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix=f"{path.name}.", suffix=".work", dir=path.parent) as folder:
        con = work_connection(Path(folder))
        try:
            con.execute(f"ATTACH '{previous_store}' AS o (READ_ONLY)")
            con.execute(f"ATTACH '{store}' AS n (READ_ONLY)")
            cols = {side: _columns(con, side) for side in SIDES}
            say("what differs")
            records = _dirty_records(con, cols)
            encodings = _dirty_legacy(con, cols, project, json.loads(meta["encodings"]))
            if encodings is None:
                return False
            old_encodings = {k: (v[0], v[1]) for k, v in json.loads(meta["encodings"]).items()}
            say("entries")
            _side_rows(con, "o", cols["o"], project, old_encodings)
            _side_rows(con, "n", cols["n"], project, encodings)
            entries = (int(meta["entries"]) - int(one(con, "SELECT count(*) FROM o_doc")[0])
                       + int(one(con, "SELECT count(*) FROM n_doc")[0]))
            legacy_rows = int(one(con, "SELECT count(*) FROM dirty_legacy")[0])
            say("copy")
            flushed_copy(previous_index, tmp)
            say("sqlite")
            deleted, inserted = _apply(con, tmp)
        finally:
            con.close()
    _set_meta(tmp, {"fingerprint": fp, "store": str(store), "entries": str(entries),
                    "seconds": f"{time.perf_counter() - started:.1f}",
                    "built": f"update of {previous_fp}: {records} records and {legacy_rows} legacy rows differed, "
                             f"{deleted} rows deleted, {inserted} inserted",
                    "encodings": json.dumps(encodings, sort_keys=True)})
    settle(tmp)
    os.replace(tmp, path)
    return True


def store_fingerprint(store: Path) -> str:
    reader = open_store(store, timeout_ms=600_000)
    try:
        return fingerprint(reader)
    finally:
        reader.close()


def ensure_version_index(project: Project, store: Path, base: Path, previous: Path | None = None,
                         progress: Callable[[str], None] | None = None) -> tuple[Path, str]:
    """The index of the DuckDB store version ``store`` (named from ``base`` and its fingerprint): kept when there,
    else updated from the index of the ``previous`` version (:func:`update_index`), else built in full. Returns the
    file and how it came: ``ready``, ``updated`` or ``built``."""
    fp = store_fingerprint(store)
    path = index_file(base, fp)
    if index_fingerprint(path) == fp:
        return path, "ready"
    if previous is not None and previous.resolve() != store.resolve():
        previous_fp = store_fingerprint(previous)
        if update_index(project, store, fp, previous, index_file(base, previous_fp), previous_fp, path, progress):
            return path, "updated"
    reader = open_store(store, timeout_ms=600_000)
    try:
        build_index(reader, project, path, progress)
    finally:
        reader.close()
    return path, "built"


def prune_indexes(base: Path, stores: list[Path]) -> list[Path]:
    """Delete the index files named from ``base`` that belong to none of ``stores`` (the store versions kept): each
    is as large as the store's entries (4 GB at 3 M persons) and a run makes one per version. A web app still
    reading a deleted file keeps reading it (POSIX); a version rolled back to has its index kept. Returns the
    files deleted."""
    keep = {index_file(base, store_fingerprint(store)).name for store in stores}
    gone = []
    for path in base.parent.glob(f"{base.stem}-*.sqlite"):
        if path.name not in keep and index_fingerprint(path) is not None:
            path.unlink()
            gone.append(path)
    return gone


def _set_meta(target: Path, values: dict[str, str]) -> None:
    out = sqlite3.connect(str(target))
    try:
        out.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", list(values.items()))
        out.commit()
    finally:
        out.close()


__all__ = ["ensure_version_index", "prune_indexes", "store_fingerprint", "update_index"]
