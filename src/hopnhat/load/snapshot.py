"""The source as last read, row by row: (row, key, content hash) in ``source_rows``. A full load writes it as its
batches stream in; a delta run compares the next read with it to find what changed (:mod:`hopnhat.load.delta`)."""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import pyarrow as pa

from hopnhat.load.store import insert, quote

_ROW_MASK = "9223372036854775807"  # DuckDB's 64-bit hash kept in a BIGINT (63 bits)


def content_hashes(con: duckdb.DuckDBPyConnection, batch: pa.Table) -> pa.Array:
    """One hash per row of the whole record as read: every cell, the raw text and the read error (not its row number,
    so a row that only moved keeps its hash). Computed by DuckDB over the Arrow batch."""
    cols = [c for c in batch.column_names if c != "_row"]
    _hopnhat_rows = batch.select(cols)
    args = ", ".join(quote(c) for c in cols) or "NULL"
    out = con.execute(f"SELECT CAST(hash({args}) & {_ROW_MASK} AS BIGINT) AS h FROM _hopnhat_rows").fetch_arrow_table()
    return out.column("h").combine_chunks()


def record(con: duckdb.DuckDBPyConnection, source: str, table: str, batch: pa.Table,
           keys: Sequence[str | None]) -> None:
    """Keep a loaded batch's rows in ``source_rows``."""
    n = batch.num_rows
    insert(con, "source_rows", pa.table({
        "src_source": pa.array([source] * n, pa.string()), "src_table": pa.array([table] * n, pa.string()),
        "src_row": batch.column("_row"), "src_key": pa.array(keys, pa.string()),
        "content_hash": content_hashes(con, batch)}))


def has_snapshot(con: duckdb.DuckDBPyConnection, source: str, table: str) -> int:
    """Rows of the table's snapshot (0: none kept, e.g. a store loaded before delta runs)."""
    row = con.execute("SELECT count(*) FROM source_rows WHERE src_source = ? AND src_table = ?",
                      [source, table]).fetchone()
    return int(row[0]) if row else 0
