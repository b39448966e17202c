"""The unified store: a DuckDB file (embedded, nothing to install). Schema creation and Arrow batch inserts.

One source table is loaded inside one transaction (its old rows deleted, its new rows inserted, its state recorded),
so a crash at any point leaves the store as it was before that table: a rerun redoes it and never duplicates.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from hopnhat.errors import InputError
from hopnhat.model.schema import ENTITIES, HOUSEKEEPING, LINEAGE, Column, ddl, entity_columns

ARROW = {"VARCHAR": pa.string(), "BIGINT": pa.int64(), "INTEGER": pa.int32(), "DOUBLE": pa.float64(),
         "DATE": pa.date32(), "TIMESTAMP": pa.timestamp("us"), "BOOLEAN": pa.bool_()}
KEEP_ACROSS_RUNS = ("review_decisions", "golden_ids", "deleted_rows", "table_delta")
# What delta runs keep (hopnhat.load.delta): the source as last read, the rows that left it, each table's books per run.
DELTA_TABLES: dict[str, tuple[Column, ...]] = {
    "source_rows": (
        Column("src_source", "VARCHAR", "source"),
        Column("src_table", "VARCHAR", "table"),
        Column("src_row", "BIGINT", "row in the source when last read"),
        Column("src_key", "VARCHAR", "its key (NULL: none)"),
        Column("content_hash", "BIGINT", "hash of the whole record as read (every cell, the raw text, read errors)"),
    ),
    "source_records": (
        Column("src_source", "VARCHAR", "source"),
        Column("src_table", "VARCHAR", "table"),
        Column("src_row", "BIGINT", "record (line) in the source file when last read"),
        Column("raw_hash", "BIGINT", "hash of the record's bytes (hopnhat.ingest.fingerprint)"),
    ),
    "source_files": (
        Column("src_source", "VARCHAR", "source"),
        Column("src_table", "VARCHAR", "table"),
        Column("size", "BIGINT", "bytes of the file when last read"),
        Column("sha256", "VARCHAR", "SHA-256 of the file when last read"),
        Column("layout", "VARCHAR", "what reading a record depends on besides its bytes (delimiter, header)"),
        Column("repairers", "VARCHAR", "each column's encoding reading after the last load (JSON)"),
    ),
    "source_cursors": (  # hopnhat.load.cursor
        Column("src_source", "VARCHAR", "source"),
        Column("src_table", "VARCHAR", "table"),
        Column("cursor_column", "VARCHAR", "the table's cursor column (merger.yaml: cursor)"),
        Column("mark", "VARCHAR", "its highest value when the last load began reading, as typed JSON"),
        Column("repairers", "VARCHAR", "each column's encoding reading after the last load (JSON)"),
        Column("run_id", "VARCHAR", "the run whose load kept it"),
        Column("kept_at", "TIMESTAMP", "when"),
    ),
    "deleted_rows": (
        Column("src_source", "VARCHAR", "source"),
        Column("src_table", "VARCHAR", "table"),
        Column("src_key", "VARCHAR", "the key that left the source"),
        Column("src_row", "BIGINT", "its row when last read"),
        Column("record_id", "VARCHAR", "the record it was (or would have been) loaded as"),
        Column("archived_row", "VARCHAR", "its row of the legacy archive, as JSON (the archive keeps every row)"),
        Column("run_id", "VARCHAR", "the run that saw it go"),
        Column("deleted_at", "TIMESTAMP", "when"),
    ),
    "table_delta": (
        Column("run_id", "VARCHAR", "run"),
        Column("src_source", "VARCHAR", "source"),
        Column("src_table", "VARCHAR", "table"),
        Column("mode", "VARCHAR", "delta | full"),
        Column("note", "VARCHAR", "why a full reload: fresh | first_load | no_snapshot | mapping_changed | no_key | "
                                  "columns_changed"),
        Column("read", "BIGINT", "rows read: unchanged + inserted + updated + merged + quarantined"),
        Column("unchanged", "BIGINT", "rows whose key and content the store had: left as they were"),
        Column("inserted", "BIGINT", "records loaded under a key the store did not have"),
        Column("updated", "BIGINT", "records loaded again under a key whose row changed"),
        Column("merged", "BIGINT", "rows of this load merged into a record (exact duplicates)"),
        Column("quarantined", "BIGINT", "rows of this load quarantined"),
        Column("deleted", "BIGINT", "rows whose key left the source (deleted_rows), counted apart from read"),
        Column("mapping_hash", "VARCHAR", "hash of the mapping and what it depends on, without the data"),
        Column("finished_at", "TIMESTAMP", "when"),
    ),
}
LEGACY = "legacy"


def connect(path: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """The one place the pipeline opens the store's DuckDB file: writable for the run (a DuckDB file has one
    writer), read-only for the books and the command line. Everything else reads through
    :func:`hopnhat.load.storedb.open_store`."""
    if read_only and not path.exists():
        raise InputError("the store does not exist yet: run `hopnhat migrate` first", source=str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        return duckdb.connect(str(path), read_only=read_only)
    except duckdb.Error as exc:
        raise InputError("cannot open the store", source=str(path), reason=str(exc)) from exc


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    for entity in ENTITIES:
        con.execute(ddl(entity, entity_columns(entity)))
    for table, cols in (*HOUSEKEEPING.items(), *DELTA_TABLES.items()):
        con.execute(ddl(table, cols))
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {LEGACY}")


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def legacy_name(source: str, table: str) -> str:
    return f"{LEGACY}.{quote(source + '__' + table)}"


def one(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...]:
    """The one row of a query that always returns one (an aggregate): never None."""
    row = con.execute(sql, list(params)).fetchone()
    if row is None:
        raise RuntimeError(f"no row from a query that always returns one: {sql[:80]}")
    return row


def arrow_table(columns: Sequence[Column], data: Mapping[str, Sequence[Any] | Any], rows: int) -> pa.Table:
    """An Arrow table with exactly ``columns`` (missing ones null), typed as the store says."""
    arrays = []
    for col in columns:
        values = data.get(col.name)
        typ = ARROW[col.sql_type]
        arrays.append(pa.nulls(rows, typ) if values is None else pa.array(values, typ))
    return pa.Table.from_arrays(arrays, names=[c.name for c in columns])


def insert(con: duckdb.DuckDBPyConnection, table: str, batch: pa.Table) -> None:
    if batch.num_rows == 0:
        return
    # Read through DuckDB's replacement scan of this local name, not a registered view: a view registered inside a
    # transaction keeps its Arrow table alive until the commit, and a table's whole load is one transaction (3.4 M
    # history rows held 2.3 GB of batches that way).
    _hopnhat_batch = batch
    con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _hopnhat_batch")


def purge_table(con: duckdb.DuckDBPyConnection, entity: str, source: str, table: str) -> None:
    """Remove what an earlier (possibly crashed) load of this source table left, before loading it again."""
    where = "src_source = ? AND src_table = ?"
    for name in (entity, "quarantine", "cell_issues", "merged_rows", "table_state", "table_failures", "source_rows",
                 "source_records", "source_files", "source_cursors"):
        con.execute(f"DELETE FROM {quote(name)} WHERE {where}", [source, table])
    prefix = f"{source}/{table}/"
    con.execute("DELETE FROM repairs WHERE starts_with(record_id, ?)", [prefix])
    con.execute(f"DROP TABLE IF EXISTS {legacy_name(source, table)}")


def error_text(exc: BaseException) -> str:
    """An error as kept in the store and shown to people: its type, then its message (a hopnhat error's message
    names the source, table, row, column and value)."""
    return f"{type(exc).__name__}: {exc}"


def record_failure(con: duckdb.DuckDBPyConnection, run_id: str, source: str, table: str, error: str) -> None:
    """Keep a table's failed load as state (its rows were rolled back); the table's next successful load clears it."""
    con.execute("DELETE FROM table_failures WHERE src_source = ? AND src_table = ?", [source, table])
    con.execute("INSERT INTO table_failures VALUES (?, ?, ?, ?, ?)", [source, table, run_id, datetime.now(), error])


def create_legacy(con: duckdb.DuckDBPyConnection, source: str, table: str, columns: list[str]) -> None:
    cols = ", ".join(f"{quote(c)} VARCHAR" for c in columns)
    con.execute(f"CREATE TABLE {legacy_name(source, table)} (record_id VARCHAR, _row BIGINT, _item BIGINT, "
                f"_error VARCHAR, {cols})")


LINEAGE_NAMES = [c.name for c in LINEAGE]
