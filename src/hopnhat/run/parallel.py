"""Source tables loaded side by side, one worker process per table at a time.

A worker loads its table into a staging DuckDB file of its own (like a load package: nothing in the store changes
while it works). The runner then moves the staged rows into the store in ONE transaction together with the table's
state, so a crash anywhere leaves either the whole table or none of it; a staging file left by a crash is simply
recomputed. Tables are independent (different rows, different keys), so the order they finish in does not matter.
"""

from __future__ import annotations

import ctypes
import multiprocessing as mp
import os
import signal
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from hopnhat.base import timing
from hopnhat.i18n import set_language
from hopnhat.load.snapshot import record_gone, set_aside
from hopnhat.load.store import connect, ensure_schema, legacy_name, purge_table, quote
from hopnhat.project.config import load_project
from hopnhat.run.priority import BACKGROUND_NICE, lower_thread
from hopnhat.run.progress import TableCounts
from hopnhat.run.tables import Plan, load_source_table, resolver_for, source_lookups

MOVED = ("quarantine", "cell_issues", "merged_rows", "repairs", "table_state", "source_rows", "table_delta",
         "source_records", "source_files", "source_cursors")
# In a worker process (it lives for one run's pool): the project and the admin-unit resolver, kept from job to job
# like the sequential run keeps them from table to table (the resolver's caches stay warm; YAML parsed once).
_WORKER_STATE: dict[tuple[Path, str, str, int], tuple[Any, Any]] = {}


@dataclass(frozen=True)
class Job:
    merger: Path
    source: str
    table: str
    run_id: str
    plan: Plan  # always a full load: deltas run in the run's own process
    staging: Path
    language: str


def stage_table(job: Job) -> tuple[TableCounts, dict[str, float]]:
    """In a worker: load one source table into its staging file; returns its counts and stage timings."""
    set_language(job.language)
    timing.reset()
    key = (job.merger, job.language, job.run_id, job.merger.stat().st_mtime_ns)
    if key not in _WORKER_STATE:  # the first job of this worker: read the merger file and the evidence once
        loaded = load_project(job.merger)
        _WORKER_STATE[key] = (loaded, resolver_for(loaded))
    project, resolver = _WORKER_STATE[key]
    source = project.source(job.source)
    table = next(t for t in source.tables if t.name == job.table)
    lookups = source_lookups(project, source)
    job.staging.unlink(missing_ok=True)
    con = connect(job.staging)
    try:
        ensure_schema(con)
        counts = load_source_table(con, project, source, table, resolver, lookups, job.run_id, job.plan)
    finally:
        con.close()
    return counts, dict(timing.totals)


def move_into_store(con: duckdb.DuckDBPyConnection, job: Job, entity: str) -> int:
    """Replace the table's rows in the store by the staged ones, in one transaction; returns how many rows left the
    source since its last load (recorded in ``deleted_rows``)."""
    con.execute(f"ATTACH '{job.staging}' AS staged (READ_ONLY)")
    try:
        con.execute("BEGIN TRANSACTION")
        try:
            set_aside(con, job.source, job.table)
            purge_table(con, entity, job.source, job.table)
            where = [job.run_id, job.source, job.table]
            con.execute("DELETE FROM table_delta WHERE run_id = ? AND src_source = ? AND src_table = ?", where)
            for name in (entity, *MOVED):
                con.execute(f"INSERT INTO {quote(name)} BY NAME SELECT * FROM staged.{quote(name)}")
            legacy = legacy_name(job.source, job.table)
            con.execute(f"CREATE TABLE {legacy} AS SELECT * FROM staged.{legacy}")
            gone = record_gone(con, job.source, job.table, job.run_id)
            con.execute("UPDATE table_delta SET deleted = ? WHERE run_id = ? AND src_source = ? AND src_table = ?",
                        [gone, *where])
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    finally:
        con.execute("DETACH staged")
    job.staging.unlink(missing_ok=True)
    Path(str(job.staging) + ".wal").unlink(missing_ok=True)
    return gone


_PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int) -> None:
    """In a worker, first thing: be killed when the migrating process dies, however it dies (kill -9 included).

    Otherwise a killed ``hopnhat migrate`` leaves its workers running on: each finishes its table into a staging file
    nobody will read, then waits forever on a pipe to a process that is gone, holding its memory. (Linux's
    ``PR_SET_PDEATHSIG``; elsewhere nothing is done.) The parent may have died before the call: then exit at once.
    """
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:
        os._exit(1)


def start_worker(parent: int, background: bool) -> None:
    """A worker's first steps: die with the run (:func:`die_with_parent`) and, when the run works in the background
    (:mod:`hopnhat.run.priority`), lower itself before it opens any DuckDB database (its threads inherit that)."""
    die_with_parent(parent)
    if background:
        lower_thread()


def worker_pool(workers: int) -> ProcessPoolExecutor:
    """``workers`` fresh interpreters (spawn: no inherited DuckDB handles or threads), at the calling thread's
    priority: lowered when the run's thread is."""
    background = os.getpriority(os.PRIO_PROCESS, 0) >= BACKGROUND_NICE  # the calling thread (Linux)
    return ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("spawn"), initializer=start_worker,
                               initargs=(os.getpid(), background))


def run_jobs(con: duckdb.DuckDBPyConnection, jobs: list[tuple[Job, str]], workers: int,
             done: Callable[[Job, TableCounts, dict[str, float]], None],
             failed: Callable[[Job, Exception], None]) -> None:
    """Stage the jobs in ``workers`` processes, biggest files first; move each into the store as it finishes. A job
    that fails (in its worker, or moving in) is handed to ``failed`` and the others go on."""
    with worker_pool(workers) as pool:
        futures: dict[Future[tuple[TableCounts, dict[str, float]]], tuple[Job, str]] = {
            pool.submit(stage_table, job): (job, entity) for job, entity in jobs}
        for future in _completed(futures):
            job, entity = futures[future]
            try:
                counts, timings = future.result()
                counts.deleted = move_into_store(con, job, entity)
            except Exception as exc:  # noqa: BLE001 - recorded as the table's failure by ``failed``, never swallowed
                job.staging.unlink(missing_ok=True)
                failed(job, exc)
                continue
            done(job, counts, timings)


def _completed(futures: dict[Future[Any], Any]) -> Iterator[Future[Any]]:
    yield from as_completed(futures)
