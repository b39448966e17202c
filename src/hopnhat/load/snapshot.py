"""The source as last read, row by row: (row, key, content hash) in ``source_rows``. A full load writes it as its
batches stream in; a delta run compares the next read with it to find what changed (:mod:`hopnhat.load.delta`).

A table loaded whole also records the keys that left the source since its last load (``deleted_rows``, with their
archived row): :func:`set_aside` before the load keeps the old snapshot's keys and archive aside, :func:`record_gone`
after it records those the new snapshot lacks."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import duckdb
import pyarrow as pa

from hopnhat.ingest.fingerprint import Prints
from hopnhat.load.store import LEGACY, insert, legacy_name, one, quote
from hopnhat.map.mapper import TableMapper
from hopnhat.text.legacy import Detection
from hopnhat.values.dates import Habitual

HABITUAL_KEY = "_habitual_0101"  # the date fields' 01/01 readings in a kept state (no field has this name)
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


def _exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    """A table of the store's legacy archive (not of a database attached beside it: a worker's staging file)."""
    return bool(one(con, "SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() AND "
                         "schema_name = ? AND table_name = ?", [LEGACY, name])[0])


def _aside(source: str, table: str) -> str:
    return f"{source}__{table}__before"


def set_aside(con: duckdb.DuckDBPyConnection, source: str, table: str) -> None:
    """Before the table is loaded whole (in its transaction): the old snapshot's keys (temp ``_before``) and the
    legacy archive (renamed ``<source>__<table>__before``) kept aside for :func:`record_gone`."""
    con.execute(f"DROP TABLE IF EXISTS {LEGACY}.{quote(_aside(source, table))}")
    if _exists(con, f"{source}__{table}"):
        con.execute(f"ALTER TABLE {legacy_name(source, table)} RENAME TO {quote(_aside(source, table))}")
    con.execute("CREATE OR REPLACE TEMP TABLE _before AS SELECT src_key, src_row FROM source_rows "
                "WHERE src_source = ? AND src_table = ? AND src_key IS NOT NULL", [source, table])


def record_gone(con: duckdb.DuckDBPyConnection, source: str, table: str, run_id: str) -> int:
    """After the whole load: the keys of the old snapshot missing from the new one go to ``deleted_rows`` with their
    archived row and this run; what was set aside is dropped. Returns how many rows left the source."""
    aside = f"{LEGACY}.{quote(_aside(source, table))}"
    prefix = f"{source}/{table}/"
    has_aside = _exists(con, _aside(source, table))
    archived = (f"(SELECT to_json(l) FROM {aside} l WHERE l.record_id = ? || b.src_key AND l._row = b.src_row "
                f"LIMIT 1)::VARCHAR" if has_aside else "CAST(? AS VARCHAR)")
    con.execute("DELETE FROM deleted_rows WHERE run_id = ? AND src_source = ? AND src_table = ?",
                [run_id, source, table])
    con.execute(f"""
        INSERT INTO deleted_rows
        SELECT ?, ?, b.src_key, b.src_row, ? || b.src_key, {archived}, ?, now()::TIMESTAMP FROM _before b
        WHERE b.src_key NOT IN (SELECT src_key FROM source_rows WHERE src_source = ? AND src_table = ?
                                AND src_key IS NOT NULL)""",
                [source, table, prefix, prefix if has_aside else None, run_id, source, table])
    con.execute(f"DROP TABLE IF EXISTS {aside}")
    con.execute("DROP TABLE IF EXISTS _before")
    return int(one(con, "SELECT count(*) FROM deleted_rows WHERE run_id = ? AND src_source = ? AND src_table = ?",
                   [run_id, source, table])[0])


# --- the source file's records by their bytes (delta runs that read only what changed) --------------------------

@dataclass(frozen=True)
class LastPrints:
    """What the table's last load kept of its file: its SHA-256, layout, the columns' encoding reading."""

    sha256: str
    layout: str
    repairers: str | None


def record_prints(con: duckdb.DuckDBPyConnection, source: str, table: str, prints: Prints,
                  repairers: str | None) -> None:
    """Keep the file's record hashes and stamp for the next delta run (in the load's transaction)."""
    forget_prints(con, source, table)
    n = prints.records.num_rows
    _hopnhat_prints = prints.records.append_column("src_source", pa.array([source] * n, pa.string())) \
        .append_column("src_table", pa.array([table] * n, pa.string()))
    con.execute("INSERT INTO source_records BY NAME SELECT * FROM _hopnhat_prints")
    con.execute("INSERT INTO source_files VALUES (?, ?, ?, ?, ?, ?)",
                [source, table, prints.size, prints.sha256, prints.layout, repairers])


def forget_prints(con: duckdb.DuckDBPyConnection, source: str, table: str) -> None:
    for name in ("source_records", "source_files"):
        con.execute(f"DELETE FROM {name} WHERE src_source = ? AND src_table = ?", [source, table])


def last_prints(con: duckdb.DuckDBPyConnection, source: str, table: str) -> LastPrints | None:
    row = con.execute("SELECT sha256, layout, repairers FROM source_files WHERE src_source = ? AND src_table = ?",
                      [source, table]).fetchone()
    return None if row is None else LastPrints(*row)


def repairer_state(mapper: TableMapper) -> str:
    """Each column's encoding reading (what a delta run must repair its changed rows with), as JSON."""
    state: dict[str, object] = {}
    for name, rep in mapper.column_repairers().items():
        det = rep._detection
        state[name] = {"encoding": rep.encoding, "detection": None if det is None else asdict(det),
                       "present": sorted(rep._present), "viqr_seen": rep._viqr_seen}
    state[HABITUAL_KEY] = {name: [h.active, h.share] for name, h in sorted(mapper.habitual.items())}
    return json.dumps(state, ensure_ascii=False, sort_keys=True)


def readings_complete(mapper: TableMapper, text: str) -> bool:
    """Whether a kept state holds every reading a delta needs (states written before the date fields' 01/01
    reading was kept lack it: such a table is read row by row once, which decides it again)."""
    return not mapper.date_fields() or HABITUAL_KEY in json.loads(text)


def restore_repairers(mapper: TableMapper, text: str) -> None:
    """The columns' encoding reading of the last load, kept by :func:`repairer_state`."""
    state = json.loads(text)
    mapper.habitual = {name: Habitual(bool(active), str(share))
                       for name, (active, share) in state.get(HABITUAL_KEY, {}).items()}
    for name, rep in mapper.column_repairers().items():
        saved = state.get(name)
        if saved is None:
            continue
        rep.encoding = saved["encoding"]
        rep._detection = None if saved["detection"] is None else Detection(**saved["detection"])
        rep._present = frozenset(saved["present"])
        rep._viqr_seen = bool(saved["viqr_seen"])
