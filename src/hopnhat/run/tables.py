"""Loading one source table, set up the same way in the run's own process and in a worker process: the admin-unit
resolver (once per run: its caches stay warm from table to table), the source's lookups, the table's mapper; and
whether it is loaded whole or as a delta (:class:`Plan`)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import duckdb

from hopnhat.ingest import read_lookup
from hopnhat.ingest.fingerprint import Prints
from hopnhat.load.counts import TableCounts
from hopnhat.load.delta import DeltaNotPossible, delta_load_table, prints_ahead
from hopnhat.load.table_load import load_table
from hopnhat.map.admin import AdminResolver, load_map_sheets
from hopnhat.map.mapper import TableMapper
from hopnhat.project.config import Project, SourceSpec, TableSpec
from hopnhat.units.convert import SplitEvidence

Lookups = dict[str, dict[str, dict[str, str]]]


@dataclass(frozen=True)
class Plan:
    """How a table is loaded this run: ``delta`` (only what changed) or ``full``, and why full (``note``)."""

    digest: str  # the input hash: mapping + data stamps (unchanged: the table is skipped)
    mapping: str  # the mapping hash: what the load depends on besides the data (changed: a full reload)
    mode: str = "full"
    note: str = ""


def resolver_for(project: Project) -> AdminResolver:
    """The admin-unit resolver with the merger file's evidence (hamlets of split communes, map sheets)."""
    ev = project.config.evidence
    hamlets = SplitEvidence.from_csv(project.resolve(ev.split_hamlets)) if ev.split_hamlets else None
    sheets = load_map_sheets(project.resolve(ev.split_map_sheets)) if ev.split_map_sheets else None
    return AdminResolver(hamlets, sheets)


def source_lookups(project: Project, source: SourceSpec) -> Lookups:
    return {name: read_lookup(project, source, name) for name in source.lookups}


class PrintsAhead:
    """The next delta table's file read and hashed in a thread while the run loads the table before it (a delta of
    a big file spent a third of its time reading and hashing every byte, one core idle): one table ahead at most.
    ``start`` may be called from several threads (deltas side by side: :mod:`hopnhat.run.deltas`), and the prints
    taken by as many ``threads``."""

    def __init__(self, con: duckdb.DuckDBPyConnection, project: Project,
                 todo: list[tuple[SourceSpec, TableSpec, Plan]], threads: int = 1) -> None:
        self.project = project
        self.base = con.cursor()  # the prints' own connection: their cursors are made from it, under the lock
        self.queue = [(s, t) for s, t, plan in todo if plan.mode == "delta" and t.cursor is None]
        self.keys = [(s.name, t.name) for s, t in self.queue]
        self.pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="prints-ahead")
        self.taken: dict[tuple[str, str], Future[Prints | None]] = {}
        self.files: dict[Path, Future[Prints | None]] = {}  # an NDJSON file's prints, by the file
        self.lock = threading.Lock()

    def start(self, source: SourceSpec, table: TableSpec) -> Callable[[], Prints | None] | None:
        """The table's prints (taken ahead, or now) as a call for its delta; the next table's set going."""
        key = (source.name, table.name)
        if key not in self.keys:
            return None
        at = self.keys.index(key)
        with self.lock:
            self._submit(at)
            self._submit(at + 1)
            return self.taken.pop(key).result

    def _submit(self, at: int) -> None:
        """A connection made here, used and closed by the pool's thread. Tables read from one NDJSON file (dossiers
        and their exploded history steps) share its prints: a record is a line whatever the table takes from it."""
        if at < len(self.queue) and self.keys[at] not in self.taken:
            source, table = self.queue[at]
            file = _ndjson_file(self.project, source, table)
            if file is not None and file in self.files:  # (then forgotten: the run keeps no file's bytes longer)
                self.taken[self.keys[at]] = self.files.pop(file)
                return
            future = self.pool.submit(prints_ahead, self.base.cursor(), self.project, source, table)
            self.taken[self.keys[at]] = future
            if file is not None:
                self.files[file] = future

    def close(self) -> None:
        with self.lock:
            for future in self.taken.values():
                future.cancel()
        self.pool.shutdown(wait=True)
        self.base.close()


def _ndjson_file(project: Project, source: SourceSpec, table: TableSpec) -> Path | None:
    """The NDJSON file a table reads (as :mod:`hopnhat.ingest.fingerprint` tells NDJSON), else None."""
    path = (table.path or "").lower()
    lines = source.kind == "json" and table.records is None and path.endswith((".ndjson", ".jsonl"))
    if table.path and (source.kind == "ndjson" or lines):
        return project.resolve(table.path).resolve()
    return None


def load_source_table(con: duckdb.DuckDBPyConnection, project: Project, source: SourceSpec, table: TableSpec,
                      resolver: AdminResolver, lookups: Lookups, run_id: str, plan: Plan,
                      on_batch: Callable[[int], None] | None = None,
                      ahead: Callable[[], Prints | None] | None = None) -> TableCounts:
    """Map and load one table into ``con`` (the store, or a worker's staging file), whole or as a delta; a delta
    that turns out impossible (the source's columns changed) is rolled back and the table loaded whole. ``ahead``:
    the delta's file prints, taken ahead (:class:`PrintsAhead`)."""
    note = plan.note
    if plan.mode == "delta":
        mapper = TableMapper(source, table, resolver, lookups)
        try:
            return delta_load_table(con, project, source, table, mapper, run_id, plan.digest, plan.mapping,
                                    on_batch=on_batch, ahead=ahead)
        except DeltaNotPossible as exc:
            note = exc.note
    mapper = TableMapper(source, table, resolver, lookups)
    return load_table(con, project, source, table, mapper, run_id, plan.digest, on_batch=on_batch,
                      mapping_hash=plan.mapping, note=note)
