"""A migration run: every source table loaded (resumable), then linkage, then the books and the reports.

A run has an id and a folder beside the store (``<store>-runs/<run id>/``) holding its manifest, its per-table state,
and its reports. A table whose input (file size and time, or database query) and mapping have not changed since it
was last loaded is skipped; one whose data changed is loaded as a delta (only new, changed and deleted rows:
:mod:`hopnhat.load.delta`) unless ``fresh`` or its mapping changed (then whole, and the books say why); a run killed
at any point is resumed by running it again (the unfinished run keeps its id); a finished store run again changes
nothing.

Entry point for other commands (cutover, live estates): ``migrate(project, fresh=False)`` → :class:`RunResult`, whose
``loaded`` holds each loaded table's counts (``mode`` delta|full, ``note``, ``unchanged``, ``inserted``, ``updated``,
``merged``, ``quarantined``, ``deleted``) and ``balances`` the books.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from hopnhat import __version__
from hopnhat.base import timing
from hopnhat.base.timing import stage
from hopnhat.files.project import FilesOutcome, file_sources, take_manifests
from hopnhat.i18n import language, tr
from hopnhat.ingest.dbf import memo_path
from hopnhat.ingest.footer import REPORT_CODES
from hopnhat.load.cursor import cursor_stamp
from hopnhat.load.lookup_index import default_index_path, ensure_index
from hopnhat.load.lookup_update import ensure_version_index, prune_indexes
from hopnhat.load.review_outbox import apply_pending
from hopnhat.load.snapshot import has_snapshot
from hopnhat.load.store import connect, ensure_schema, error_text, record_failure
from hopnhat.load.storedb import open_store
from hopnhat.load.versions import current_path, prepare_next, publish_next, versions
from hopnhat.project.config import FILE_KINDS, Project, SourceSpec, TableSpec
from hopnhat.reconcile.books import Balance, books, record_books
from hopnhat.reconcile.declared import DeclaredCheck, judge, scan_declared
from hopnhat.run.deltas import load_side_by_side
from hopnhat.run.parallel import Job, run_jobs
from hopnhat.run.priority import Chosen, Priority, choose, lowered
from hopnhat.run.progress import Progress, TableCounts
from hopnhat.run.tables import Lookups, Plan, PrintsAhead, load_source_table, resolver_for, source_lookups

if TYPE_CHECKING:  # Splink is imported only when a run links
    from hopnhat.link import LinkOutcome


@dataclass(frozen=True)
class TableFailure:
    """A source table whose load failed: its rows rolled back, the error kept (``table_failures``, state.json)."""

    source: str
    table: str
    error: str


@dataclass
class RunResult:
    run_id: str
    folder: Path
    loaded: list[TableCounts] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    balances: list[Balance] = field(default_factory=list)
    link: LinkOutcome | None = None
    review_decisions: int = 0  # web-app decisions applied at the start of this run
    failed: list[TableFailure] = field(default_factory=list)
    version: str | None = None  # the store version this run published
    priority: Chosen | None = None  # the priority the run worked at (hopnhat.run.priority)
    files: FilesOutcome | None = None  # the files the sources' manifests reference (hopnhat.files), when any

    @property
    def balanced(self) -> bool:
        files_ok = self.files is None or self.files.balanced
        return not self.failed and all(b.balanced for b in self.balances) and files_ok

    @property
    def short(self) -> list[DeclaredCheck]:
        """Tables whose export declares another count than was read, not acknowledged (``accept_short:``)."""
        return [b.declared for b in self.balances if b.declared is not None and b.declared.finding]


def _file_stamp(project: Project, path: Path) -> str:
    """A data file as the skip decision sees it: where it is in the merger folder (so a copy of the folder, e.g. a
    cut-over rehearsal, still skips what did not change), its size and time."""
    try:
        st = path.stat()
    except OSError:
        return f"{path}:missing"
    return f"{_where(project, path)}:{st.st_size}:{st.st_mtime_ns}"


def _where(project: Project, path: Path) -> str:
    try:
        return str(path.resolve().relative_to(project.path.parent.resolve()))
    except ValueError:
        return str(path)


@lru_cache(maxsize=256)
def _content(path: Path, size: int, mtime_ns: int) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _content_stamp(project: Project, path: Path) -> str:
    """A file the mapping reads (a lookup, the evidence) by its content: a copy or a touch does not change it."""
    try:
        st = path.stat()
    except OSError:
        return f"{_where(project, path)}:missing"
    return f"{_where(project, path)}:{_content(path, st.st_size, st.st_mtime_ns)}"


def input_hash(project: Project, source: SourceSpec, table: TableSpec) -> str:
    """What the table's load depends on: its mapping, its file (size, time) or database query, the evidence."""
    parts = _mapping_parts(project, source, table)
    if source.kind in FILE_KINDS and table.path:
        parts.append(_file_stamp(project, project.resolve(table.path)))
        memo = memo_path(project.resolve(table.path)) if source.kind == "dbf" else None
        if memo is not None:  # a DBF's memos live in the .fpt/.dbt beside it
            parts.append(_file_stamp(project, memo))
    elif source.path:
        parts.append(_file_stamp(project, project.resolve(source.path)))
    elif table.cursor is not None:
        parts.append(cursor_stamp(project, source, table))  # a server's table: by its cursor
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:24]


def has_stamp(source: SourceSpec, table: TableSpec) -> bool:
    """Whether the input hash tells the table's rows changed: a file's size and time, a cursor's stamp. A database
    server's table without a cursor has no such stamp: every run reads it (a delta, every row compared by key and
    content hash), else a live legacy system's changes would never be seen after its first load."""
    return bool((source.kind in FILE_KINDS and table.path) or source.path or table.cursor is not None)


def mapping_hash(project: Project, source: SourceSpec, table: TableSpec) -> str:
    """What the table's load depends on besides its rows: its mapping, the lookups, the evidence, hopnhat's version.
    When it changes, rows that did not change may map differently: the table is loaded whole."""
    return hashlib.sha256("\n".join(_mapping_parts(project, source, table)).encode()).hexdigest()[:24]


def _mapping_parts(project: Project, source: SourceSpec, table: TableSpec) -> list[str]:
    # settings left at their defaults are left out: a field added to the merger file's model in a later version
    # (say, a table's optional cursor) does not make every stored table reload whole
    parts = [table.model_dump_json(exclude_defaults=True, exclude={"accept_short"}),
             source.model_dump_json(exclude={"tables"}, exclude_defaults=True), __version__]
    for lookup in source.lookups.values():
        parts.append(_content_stamp(project, project.resolve(lookup.path)))
    ev = project.config.evidence
    for p in (ev.split_hamlets, ev.split_map_sheets):
        if p:
            parts.append(_content_stamp(project, project.resolve(p)))
    return parts


def _new_run_id() -> str:
    return datetime.now().strftime("%Y%m%dT%H%M%S") + "-" + os.urandom(2).hex()


def start_run(con: duckdb.DuckDBPyConnection, project: Project) -> str:
    """The unfinished run of this merger file if there is one (resume), else a new run."""
    row = con.execute("SELECT run_id FROM runs WHERE status = 'running' ORDER BY started_at DESC LIMIT 1").fetchone()
    if row:
        return row[0]
    run_id = _new_run_id()
    con.execute("INSERT INTO runs VALUES (?, ?, NULL, 'running', ?, ?, ?)",
                [run_id, datetime.now(), str(project.path), project.config_hash(), __version__])
    return run_id


def _done(con: duckdb.DuckDBPyConnection, source: str, table: str, digest: str) -> bool:
    row = con.execute("SELECT input_hash FROM table_state WHERE src_source = ? AND src_table = ? AND stage = 'loaded'",
                      [source, table]).fetchone()
    return row is not None and row[0] == digest


class Manifest:
    """The run folder: manifest.json (what the run is) and state.json (what each table reached)."""

    def __init__(self, folder: Path, run_id: str, project: Project) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.state_path = folder / "state.json"
        self.state: dict[str, dict[str, object]] = (json.loads(self.state_path.read_text())
                                                    if self.state_path.exists() else {})
        manifest = {"run_id": run_id, "merger_file": str(project.path), "config_hash": project.config_hash(),
                    "store": str(project.store_path), "hopnhat_version": __version__,
                    "tables": [f"{s.name}/{t.name}" for s in project.config.sources for t in s.tables]}
        (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1))

    def mark(self, key: str, **info: object) -> None:
        self.state[key] = {**self.state.get(key, {}), **info, "at": datetime.now().isoformat(timespec="seconds")}
        tmp = self.state_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.state, ensure_ascii=False, indent=1, default=str))
        tmp.replace(self.state_path)


def plan_load(con: duckdb.DuckDBPyConnection, project: Project, source: SourceSpec, table: TableSpec, digest: str,
              fresh: bool) -> Plan:
    """Delta when the table was loaded before with the same mapping and its rows' snapshot is kept; else full, and
    why (``fresh``, ``first_load``, ``mapping_changed``, ``no_snapshot``, ``report_end``, ``key_not_usable``)."""
    mapping = mapping_hash(project, source, table)
    if fresh:
        return Plan(digest, mapping, "full", "fresh")
    where = [source.name, table.name]
    prev = con.execute("SELECT mapping_hash FROM table_delta WHERE src_source = ? AND src_table = ? "
                       "ORDER BY finished_at DESC LIMIT 1", where).fetchone()
    state = con.execute("SELECT read FROM table_state WHERE src_source = ? AND src_table = ?", where).fetchone()
    if state is None and prev is None:
        return Plan(digest, mapping, "full", "first_load")
    if prev is None or state is None or has_snapshot(con, source.name, table.name) != state[0]:
        return Plan(digest, mapping, "full", "no_snapshot")
    if prev[0] != mapping:
        return Plan(digest, mapping, "full", "mapping_changed")
    if _report_end(con, table, source.name):
        return Plan(digest, mapping, "full", "report_end")
    if not _key_usable(con, source.name, table.name):
        return Plan(digest, mapping, "full", "key_not_usable")
    return Plan(digest, mapping, "delta")


def _report_end(con: duckdb.DuckDBPyConnection, table: TableSpec, source: str) -> bool:
    """A report's footer total and signature block (:mod:`hopnhat.ingest.footer`) are told by their place in the
    file — below the footer —, which a delta reading only the changed records cannot see: such a table (its count
    in its footer, or such rows quarantined at its last load) is loaded whole."""
    if table.declared_total == "footer":
        return True
    row = con.execute(f"SELECT count(*) FROM quarantine WHERE src_source = ? AND src_table = ? AND reason_code IN "
                      f"({', '.join('?' * len(REPORT_CODES))})", [source, table.name, *REPORT_CODES]).fetchone()
    return bool(row and row[0])


def _key_usable(con: duckdb.DuckDBPyConnection, source: str, table: str) -> bool:
    """A key that tells rows apart: at most half the rows without a key or sharing theirs with another row.

    First from the store's counts, without grouping every key of the snapshot: a row without a key is quarantined,
    and of a key's n rows at most one is loaded — the others merged or quarantined —, so the rows without a key or
    sharing theirs number at most twice the table's merged and quarantined rows; when that is at most half the rows
    read, the key is usable. Else the snapshot's keys are counted."""
    if 4 * _set_apart(con, source, table) <= _read(con, source, table):
        return True
    row = con.execute("SELECT coalesce(sum(n) FILTER (WHERE src_key IS NULL OR n > 1), 0), coalesce(sum(n), 0) FROM "
                      "(SELECT src_key, count(*) AS n FROM source_rows WHERE src_source = ? AND src_table = ? "
                      "GROUP BY src_key)", [source, table]).fetchone()
    return row is None or row[0] * 2 <= row[1]


def _set_apart(con: duckdb.DuckDBPyConnection, source: str, table: str) -> int:
    """The table's merged and quarantined rows in the store."""
    row = con.execute("SELECT (SELECT count(*) FROM merged_rows WHERE src_source = $1 AND src_table = $2) + "
                      "(SELECT count(*) FROM quarantine WHERE src_source = $1 AND src_table = $2)",
                      [source, table]).fetchone()
    return int(row[0]) if row else 0


def _read(con: duckdb.DuckDBPyConnection, source: str, table: str) -> int:
    row = con.execute("SELECT read FROM table_state WHERE src_source = ? AND src_table = ?", [source, table]).fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def _todo(con: duckdb.DuckDBPyConnection, project: Project, manifest: Manifest, progress: Progress, fresh: bool,
          result: RunResult) -> list[tuple[SourceSpec, TableSpec, Plan]]:
    """The tables to load: those whose input or mapping changed since they were last loaded (all with ``fresh``),
    each with its plan (delta or full)."""
    todo = []
    for source in project.config.sources:
        for table in source.tables:
            key = f"{source.name}/{table.name}"
            digest = input_hash(project, source, table)
            if not fresh and has_stamp(source, table) and _done(con, source.name, table.name, digest):
                result.skipped.append(key)
                manifest.mark(key, stage="loaded", skipped=True)
                progress.table_skipped(source.name, table.name)
            else:
                todo.append((source, table, plan_load(con, project, source, table, digest, fresh)))
    return todo


def _finished(manifest: Manifest, progress: Progress, result: RunResult, counts: TableCounts) -> None:
    manifest.mark(f"{counts.source}/{counts.table}", stage="loaded", read=counts.read, loaded=counts.loaded,
                  merged=counts.merged, quarantined=counts.quarantined, mode=counts.mode, note=counts.note,
                  unchanged=counts.unchanged, inserted=counts.inserted, updated=counts.updated,
                  deleted=counts.deleted, read_by=counts.read_by)
    result.loaded.append(counts)
    progress.table_done(counts)


def _failed(con: duckdb.DuckDBPyConnection, run_id: str, manifest: Manifest, progress: Progress, result: RunResult,
            source: str, table: str, exc: Exception) -> None:
    """A table's load failed (its transaction rolled back): keep the failure as state, then go on with the others."""
    failure = TableFailure(source, table, error_text(exc))
    record_failure(con, run_id, source, table, failure.error)
    manifest.mark(f"{source}/{table}", stage="failed", error=failure.error)
    result.failed.append(failure)
    progress.table_failed(source, table, failure.error)


def _sequential(con: duckdb.DuckDBPyConnection, project: Project, run_id: str, manifest: Manifest,
                progress: Progress, result: RunResult, todo: list[tuple[SourceSpec, TableSpec, Plan]]) -> None:
    resolver = resolver_for(project)
    lookups: dict[str, Lookups] = {}
    ahead = PrintsAhead(con, project, todo)
    try:
        for source, table, plan in todo:
            if source.name not in lookups:
                lookups[source.name] = source_lookups(project, source)
            progress.table_started(source.name, table.name)
            manifest.mark(f"{source.name}/{table.name}", stage="loading")
            try:
                counts = load_source_table(con, project, source, table, resolver, lookups[source.name], run_id, plan,
                                           on_batch=progress.rows, ahead=ahead.start(source, table))
            except Exception as exc:  # noqa: BLE001 - any failure of one table is recorded and shown, never swallowed
                _failed(con, run_id, manifest, progress, result, source.name, table.name, exc)
                continue
            _finished(manifest, progress, result, counts)
    finally:
        ahead.close()


def _size(project: Project, source: SourceSpec, table: TableSpec) -> int:
    path = project.resolve(table.path or source.path or "")
    return path.stat().st_size if table.path and path.is_file() else 0


def _parallel(con: duckdb.DuckDBPyConnection, project: Project, run_id: str, manifest: Manifest,
              progress: Progress, result: RunResult, todo: list[tuple[SourceSpec, TableSpec, Plan]],
              workers: int) -> None:
    staging = project.runs_dir / run_id / "staging"
    staging.mkdir(parents=True, exist_ok=True)
    todo = sorted(todo, key=lambda item: -_size(project, item[0], item[1]))
    jobs = [(Job(project.path, s.name, t.name, run_id, plan, staging / f"{s.name}__{t.name}.duckdb", language()),
             t.maps_to) for s, t, plan in todo]
    for s, t, _ in todo:
        progress.table_started(s.name, t.name)
        manifest.mark(f"{s.name}/{t.name}", stage="loading")

    def done(job: Job, counts: TableCounts, timings: dict[str, float]) -> None:
        for name, secs in timings.items():
            timing.totals[name] += secs
        _finished(manifest, progress, result, counts)

    def failed(job: Job, exc: Exception) -> None:
        _failed(con, run_id, manifest, progress, result, job.source, job.table, exc)

    run_jobs(con, jobs, workers, done, failed)


def _side_by_side(con: duckdb.DuckDBPyConnection, project: Project, run_id: str, manifest: Manifest,
                  progress: Progress, result: RunResult, todo: list[tuple[SourceSpec, TableSpec, Plan]],
                  workers: int) -> None:
    """Deltas ``workers`` at a time (the tables of most rows first: a SQLite table has no file size of its own),
    each in a transaction of its own."""
    todo = sorted(todo, key=lambda item: -_read(con, item[0].name, item[1].name))
    for s, t, _ in todo:
        progress.table_started(s.name, t.name)
        manifest.mark(f"{s.name}/{t.name}", stage="loading")

    def failed(source: SourceSpec, table: TableSpec, exc: Exception) -> None:
        _failed(con, run_id, manifest, progress, result, source.name, table.name, exc)

    load_side_by_side(con, project, run_id, todo, workers, lambda c: _finished(manifest, progress, result, c), failed)


def load_all(con: duckdb.DuckDBPyConnection, project: Project, run_id: str, manifest: Manifest,
             progress: Progress, fresh: bool, result: RunResult, workers: int = 1) -> None:
    """Load every table that needs it: in this process, or ``workers`` tables at a time — whole tables in worker
    processes, deltas in threads of this process (they read the store's snapshot as they go:
    :mod:`hopnhat.run.deltas`)."""
    todo = _todo(con, project, manifest, progress, fresh, result)
    whole = [item for item in todo if item[2].mode == "full"]
    if workers > 1 and len(whole) > 1:
        _parallel(con, project, run_id, manifest, progress, result, whole, workers)
        todo = [item for item in todo if item[2].mode != "full"]
    if workers > 1 and len(todo) > 1:
        _side_by_side(con, project, run_id, manifest, progress, result, todo, workers)
    else:
        _sequential(con, project, run_id, manifest, progress, result, todo)


def apply_review_decisions(con: duckdb.DuckDBPyConnection, project: Project) -> int:
    """Decisions made in the web app since the last run (the app database's outbox) go into the store first, so the
    linkage of this run applies them (pairs kept together or apart, split-commune addresses set)."""
    if not project.app_db_path.exists():  # no web app has run on this merger: nothing decided there
        return 0
    return apply_pending(project.app_db_path, con)


def link_all(con: duckdb.DuckDBPyConnection, project: Project, run_id: str, progress: Progress) -> LinkOutcome | None:
    """Linkage, when enabled; in one transaction so a crash leaves the store as it was. Splink is a dependency: a
    broken install fails here, loudly, instead of quietly skipping linkage."""
    if not project.config.linkage.enabled:
        return None
    from hopnhat.link import link_store  # imported when needed: Splink takes a second to import

    progress.stage("link")
    return link_store(con, project.config.linkage, run_id)


def migrate(project: Project, *, fresh: bool = False, progress: Progress | None = None,
            link: bool = True, after_load: Callable[[], None] | None = None, workers: int = 1,
            lookup_index: bool = False, priority: Priority | None = None) -> RunResult:
    """Run (or resume) the migration of a merger file; returns what was loaded and the books.

    With ``lookup_index`` the web app's lookup index is built for the new store right away, so ``hopnhat serve``
    starts at once. ``priority`` (default: the merger file's ``run.priority``): the run, its DuckDB threads and its
    worker processes at background priority, or normal (:mod:`hopnhat.run.priority`)."""
    chosen = choose(priority or project.config.run.priority, current_path(project.store_path))
    progress = progress or Progress()
    progress.stage(tr(f"Mức ưu tiên của lần chạy: {chosen.priority} ({chosen.why})",
                      f"Run priority: {chosen.priority} ({chosen.why})"))
    with lowered(chosen):
        result = _migrate(project, fresh, progress, link, after_load, workers, lookup_index, chosen)
    result.priority = chosen
    return result


def build_lookup_index(project: Project, version: Path | None = None) -> str:
    """The web app's lookup index of the store (or of the store ``version`` about to be published: named for the
    store path, so the app finds it the moment it switches to that version instead of building its own). A new
    version's index is made from the published version's when there is one (only what differs is rebuilt:
    :mod:`hopnhat.load.lookup_update`); returns how (``ready``, ``updated``, ``built``)."""
    base = default_index_path(project, str(project.store_path))
    if version is None:
        reader = open_store(project.store_path, timeout_ms=600_000)
        try:
            ensure_index(reader, project, base)
        finally:
            reader.close()
        return "ready"
    return ensure_version_index(project, version, base, current_path(project.store_path))[1]


def _migrate(project: Project, fresh: bool, progress: Progress, link: bool,
             after_load: Callable[[], None] | None, workers: int, lookup_index: bool = False,
             chosen: Chosen | None = None) -> RunResult:
    """The run writes the next store version beside the served one (or resumes the half-built one), and publishes
    it only once its books are written (and, with ``lookup_index``, its lookup index built): the web app keeps
    reading the published version meanwhile, and switches to the new one as soon as it is published."""
    with stage("version"):  # the published version copied first: its cost grows with the store (bench/delta.py)
        path, _resumed = prepare_next(project.store_path)
    con = connect(path)
    try:
        ensure_schema(con)
        run_id = start_run(con, project)
        folder = project.runs_dir / run_id
        manifest = Manifest(folder, run_id, project)
        if chosen is not None:
            manifest.mark("priority", priority=chosen.priority, why=chosen.why)
        try:
            result = _run(con, project, run_id, manifest, fresh, progress, link, after_load, workers)
        except Exception as exc:
            _run_failed(con, run_id, manifest, exc)
            raise
    finally:
        con.close()
    if lookup_index:
        progress.stage("index")
        with stage("index"):
            how = build_lookup_index(project, path)
        manifest.mark("index", how=how)
    result.version = publish_next(project.store_path, project.config.store.keep_versions)
    manifest.mark("run", version=result.version)
    if lookup_index:  # the indexes of versions no longer kept (rollback keeps those of the kept ones)
        base = default_index_path(project, str(project.store_path))
        pruned = prune_indexes(base, [v.path for v in versions(project.store_path)])
        manifest.mark("index", pruned=[p.name for p in pruned])
    return result


def _judge(con: duckdb.DuckDBPyConnection, project: Project, run_id: str, manifest: Manifest,
           balances: list[Balance]) -> None:
    """Each declaring table's count against its books (:mod:`hopnhat.reconcile.declared`), kept on its balance."""
    checks = judge(con, project, run_id, {(b.source, b.table): b.read for b in balances})
    by_table = {(c.source, c.table): c for c in checks}
    for b in balances:
        b.declared = by_table.get((b.source, b.table))
    for c in checks:
        manifest.mark(f"{c.source}/{c.table}", declared=c.as_dict())


def _run_failed(con: duckdb.DuckDBPyConnection, run_id: str, manifest: Manifest, exc: Exception) -> None:
    """The run itself failed (not one table): the run is marked failed with its error, in the store and the folder.
    The next run starts afresh; tables already loaded are skipped as unchanged."""
    con.execute("UPDATE runs SET status = 'failed', finished_at = ? WHERE run_id = ?", [datetime.now(), run_id])
    manifest.mark("run", stage="failed", error=error_text(exc))


def _run(con: duckdb.DuckDBPyConnection, project: Project, run_id: str, manifest: Manifest, fresh: bool,
         progress: Progress, link: bool, after_load: Callable[[], None] | None, workers: int) -> RunResult:
    result = RunResult(run_id, manifest.folder)
    result.review_decisions = apply_review_decisions(con, project)
    load_all(con, project, run_id, manifest, progress, fresh, result, workers)
    with stage("declared"):
        scan_declared(con, project, run_id, {f"{c.source}/{c.table}": c.declared for c in result.loaded})
    if file_sources(project):
        with stage("files"):
            result.files = take_manifests(project)
        manifest.mark("files", stage="done", balanced=result.files.balanced)
    if after_load:
        after_load()
    if link:
        try:
            with stage("link"):
                result.link = link_all(con, project, run_id, progress)
        except Exception as exc:  # e.g. Spark out of memory: the stage's failure is state, then the run's
            manifest.mark("link", stage="failed", error=error_text(exc))
            raise
        manifest.mark("link", stage="done" if result.link is not None else "skipped")
    progress.stage("reconcile")
    with stage("reconcile"):
        result.balances = books(con, project)
        _judge(con, project, run_id, manifest, result.balances)
        record_books(con, run_id, result.balances)
        from hopnhat.reconcile.report import write_reports
        write_reports(con, project, run_id, manifest.folder, result.balances)
    status = "failed" if result.failed else "done"
    con.execute("UPDATE runs SET status = ?, finished_at = ? WHERE run_id = ?", [status, datetime.now(), run_id])
    manifest.mark("run", stage=status, balanced=result.balanced,
                  failed=[f"{f.source}/{f.table}" for f in result.failed])
    return result
