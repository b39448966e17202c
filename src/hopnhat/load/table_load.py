"""Load one source table: ingest → repair → map (+ units) → store, in one transaction, with exact accounting.

Every row read ends in exactly one place: a record of the entity table (loaded), ``merged_rows`` (an exact copy of a
row already loaded under the same key) or ``quarantine`` (with its reason). The legacy archive keeps every raw row.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import duckdb
import pyarrow as pa

from hopnhat.base.timing import stage, timed_iter
from hopnhat.i18n import tr
from hopnhat.ingest import read_table
from hopnhat.ingest.fingerprint import source_prints, still
from hopnhat.load.counts import TableCounts
from hopnhat.load.cursor import keep_mark, take_mark
from hopnhat.load.snapshot import record, record_gone, record_prints, repairer_state, set_aside
from hopnhat.load.store import LINEAGE_NAMES, arrow_table, create_legacy, insert, legacy_name, purge_table, quote
from hopnhat.load.tokens import checksum_hex, tokens_of
from hopnhat.map.mapper import Issue, MappedBatch, TableMapper
from hopnhat.model.schema import HOUSEKEEPING, entity_columns
from hopnhat.project.config import Project, SourceSpec, TableSpec


class TableLoad:
    """The state of one table's load while its batches stream through."""

    def __init__(self, con: duckdb.DuckDBPyConnection, project: Project, source: SourceSpec, table: TableSpec,
                 mapper: TableMapper, run_id: str) -> None:
        self.con, self.project, self.source, self.table = con, project, source, table
        self.mapper, self.run_id = mapper, run_id
        self.counts = TableCounts(source.name, table.name, table.maps_to)
        # key → row hash of the first row with it (its record id is made from the key again: millions of keys in one
        # table, so nothing more is kept per key)
        self.seen: dict[str, str] = {}
        self.columns = entity_columns(table.maps_to)
        self.legacy_cols: list[str] | None = None
        self._ids: list[str | None] = []  # record id of each row of the batch being stored
        self.snapshot = True  # keep each row's (row, key, content hash) for the next delta run (a delta keeps its own)

    def record_id(self, key: str) -> str:
        return f"{self.source.name}/{self.table.name}/{key}"

    # --- one batch ----------------------------------------------------------------------------------------------
    def add(self, batch: pa.Table) -> None:
        mapped = self.mapper.map_batch(batch)
        with stage("load"):
            self._store(batch, mapped)

    def _store(self, batch: pa.Table, mapped: MappedBatch) -> None:
        prefix = self.record_id("")
        self._ids = [None if k is None else prefix + k for k in mapped.keys]  # record ids of the batch, made once
        merged = self._duplicates(mapped)
        self.counts.read += batch.num_rows
        self.counts.checksum += tokens_of(self.con, pa.array(mapped.src_rows, pa.int64()),
                                          pa.array(mapped.keys, pa.string()))
        out = mapped.quarantine.keys() | merged.keys()
        loaded = [i for i in range(batch.num_rows) if i not in out] if out else list(range(batch.num_rows))
        self._insert_records(mapped, loaded)
        self._insert_quarantine(mapped)
        self._insert_merged(mapped, merged)
        self._insert_repairs(mapped, set(loaded))
        self._archive(batch, mapped)
        if self.snapshot:
            record(self.con, self.source.name, self.table.name, batch, mapped.keys)
        self.counts.loaded += len(loaded)
        self.counts.merged += len(merged)
        self.counts.quarantined += len(mapped.quarantine)

    def _duplicates(self, m: MappedBatch) -> dict[int, str]:
        """Rows whose key was already loaded: an exact copy is merged, a different row is quarantined."""
        merged: dict[int, str] = {}
        for i, key in enumerate(m.keys):
            if key is None or i in m.quarantine:
                continue
            if key not in self.seen:
                self.seen[key] = m.row_hashes[i]
            elif self._same_content(m, i):
                merged[i] = self.record_id(key)
            else:
                m.quarantine[i] = Issue(i, None, None, key, "duplicate_key", tr(
                    f"khóa {key!r} đã có ở một dòng khác với nội dung khác",
                    f"key {key!r} already used by another row with different content"))
        return merged

    def _same_content(self, m: MappedBatch, i: int) -> bool:
        return self.seen[m.keys[i]] == m.row_hashes[i]  # type: ignore[index]

    def _lineage(self, m: MappedBatch, rows: list[int]) -> dict[str, list[Any]]:
        s, t = self.source, self.table
        return {"record_id": [self._ids[i] for i in rows],
                "src_source": [s.name] * len(rows), "src_system": [s.system] * len(rows),
                "src_province": [s.province] * len(rows), "src_table": [t.name] * len(rows),
                "src_key": [m.keys[i] for i in rows], "src_row": [m.src_rows[i] for i in rows],
                "row_hash": [m.row_hashes[i] for i in rows], "run_id": [self.run_id] * len(rows)}

    def _insert_records(self, m: MappedBatch, rows: list[int]) -> None:
        data = self._lineage(m, rows)
        every = len(rows) == len(m.keys)  # the usual batch: every row loaded, columns taken as they are
        for name, values in m.columns.items():
            data[name] = values if every else [values[i] for i in rows]
        insert(self.con, quote(self.table.maps_to), arrow_table(self.columns, data, len(rows)))
        keep = set(rows)
        issues = [x for x in m.issues if x.row in keep and x.field is not None]
        self._insert_issues(m, issues)

    def _insert_issues(self, m: MappedBatch, issues: list[Issue]) -> None:
        data = {"record_id": [self._ids[x.row] for x in issues],
                "src_source": [self.source.name] * len(issues), "src_table": [self.table.name] * len(issues),
                "src_row": [m.src_rows[x.row] for x in issues], "field": [x.field for x in issues],
                "source_column": [x.column for x in issues], "raw_value": [_short(x.value) for x in issues],
                "code": [x.code for x in issues], "severity": [x.severity for x in issues],
                "message": [x.message for x in issues]}
        insert(self.con, "cell_issues", arrow_table(HOUSEKEEPING["cell_issues"], data, len(issues)))

    def _insert_quarantine(self, m: MappedBatch) -> None:
        rows = sorted(m.quarantine)
        q = [m.quarantine[i] for i in rows]
        data = {"src_source": [self.source.name] * len(rows), "src_table": [self.table.name] * len(rows),
                "src_row": [m.src_rows[i] for i in rows], "src_key": [m.keys[i] for i in rows],
                "column_name": [x.column or x.field for x in q], "raw_value": [_short(x.value) for x in q],
                "reason_code": [x.code for x in q], "message": [x.message for x in q],
                "raw_row": [_short(m.raw[i], 4000) for i in rows], "run_id": [self.run_id] * len(rows)}
        insert(self.con, "quarantine", arrow_table(HOUSEKEEPING["quarantine"], data, len(rows)))

    def _insert_merged(self, m: MappedBatch, merged: dict[int, str]) -> None:
        rows = sorted(merged)
        data = {"src_source": [self.source.name] * len(rows), "src_table": [self.table.name] * len(rows),
                "src_row": [m.src_rows[i] for i in rows], "src_key": [m.keys[i] for i in rows],
                "into_record_id": [merged[i] for i in rows], "reason": ["exact_duplicate"] * len(rows)}
        insert(self.con, "merged_rows", arrow_table(HOUSEKEEPING["merged_rows"], data, len(rows)))

    def _insert_repairs(self, m: MappedBatch, loaded: set[int]) -> None:
        reps = [r for r in m.repairs if r[0] in loaded]
        data = {"record_id": [self._ids[r[0]] for r in reps],
                "field": [r[1] for r in reps], "source_column": [r[2] for r in reps],
                "original": [r[3] for r in reps], "repaired": [r[4] for r in reps], "kind": [r[5] for r in reps]}
        insert(self.con, "repairs", arrow_table(HOUSEKEEPING["repairs"], data, len(reps)))

    def _archive(self, batch: pa.Table, m: MappedBatch) -> None:
        cols = [c for c in batch.column_names if c not in ("_row", "_item", "_error", "_raw")]
        if self.legacy_cols is None:
            self.legacy_cols = cols
            create_legacy(self.con, self.source.name, self.table.name, cols)
        ids = self._ids
        arch = batch.select([c for c in ("_row", "_item", "_error") if c in batch.column_names] +
                            [c for c in cols if c in self.legacy_cols])
        arch = arch.append_column("record_id", pa.array(ids, pa.string()))
        insert(self.con, legacy_name(self.source.name, self.table.name), arch)

    # --- the end ------------------------------------------------------------------------------------------------
    def finish(self, input_hash: str, mapping_hash: str) -> None:
        """The table's state and its books of this run, in the load's transaction."""
        c, now = self.counts, datetime.now()
        data = {"src_source": [self.source.name], "src_table": [self.table.name], "stage": ["loaded"],
                "read": [c.read], "source_checksum": [checksum_hex(c.checksum)],
                "run_id": [self.run_id], "input_hash": [input_hash], "finished_at": [now]}
        insert(self.con, "table_state", arrow_table(HOUSEKEEPING["table_state"], data, 1))
        where = [self.run_id, self.source.name, self.table.name]
        self.con.execute("DELETE FROM table_delta WHERE run_id = ? AND src_source = ? AND src_table = ?", where)
        self.con.execute("INSERT INTO table_delta VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                         [*where, c.mode, c.note or None, c.read, c.unchanged, c.inserted, c.updated, c.merged,
                          c.quarantined, c.deleted, mapping_hash, now])


def _short(value: Any, limit: int = 1000) -> str | None:
    if value is None:
        return None
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


@contextmanager
def young_collection_only() -> Iterator[None]:
    """The cyclic garbage collector paused while a table streams through; young objects are collected after each batch.

    Why: a batch holds hundreds of thousands of live containers (row dicts, parsed values); the automatic collector
    kept walking them (a quarter of the ingest time) although batches make no reference cycles worth finding."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def load_table(con: duckdb.DuckDBPyConnection, project: Project, source: SourceSpec, table: TableSpec,
               mapper: TableMapper, run_id: str, input_hash: str,
               on_batch: Callable[[int], None] | None = None, batch_rows: int = 50_000, *,
               mapping_hash: str = "", note: str = "") -> TableCounts:
    """Load one source table in one transaction; returns its counts (read = loaded + merged + quarantined). ``note``
    says why the whole table is loaded when a delta run could not (kept in ``table_delta``)."""
    con.execute("BEGIN TRANSACTION")
    try:
        set_aside(con, source.name, table.name)
        purge_table(con, table.maps_to, source.name, table.name)
        prints = source_prints(project, source, table)  # before the read: the next delta compares records by bytes
        taken = take_mark(project, source, table)  # before the read too: the next delta reads past it
        load = TableLoad(con, project, source, table, mapper, run_id)
        load.counts.note = note
        reading = read_table(project, source, table, batch_rows=batch_rows)
        with young_collection_only():
            for batch in timed_iter("ingest", reading):
                load.add(batch)
                gc.collect(1)  # the batch's young survivors (cycles among them freed); older objects are caches
                if on_batch:
                    on_batch(batch.num_rows)
        load.counts.declared = reading.declared()  # a report's footer, from this read (never read again for it)
        if load.legacy_cols is None:
            create_legacy(con, source.name, table.name, [])
        load.counts.deleted = record_gone(con, source.name, table.name, run_id)
        if prints is not None and still(project, source, table, prints):  # else the next delta reads it all
            record_prints(con, source.name, table.name, prints, repairer_state(mapper))
        keep_mark(con, source, table, taken.high if taken else None, repairer_state(mapper), run_id)
        load.finish(input_hash, mapping_hash)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return load.counts


__all__ = ["LINEAGE_NAMES", "TableCounts", "load_table"]
