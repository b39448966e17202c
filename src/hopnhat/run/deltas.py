"""Delta tables side by side: ``workers`` tables at a time, each in a thread of the run's own process, through a
connection of its own to the store (``con.cursor()``) and in a transaction of its own.

Why threads of the run and not the worker processes that load whole tables: a delta reads the store's snapshot of its
table as it goes and writes only that table's rows (its records, archive, snapshot, record prints, books), so it
cannot be staged in a file of its own and moved in whole. DuckDB lets the transactions of one process write the same
tables at once as long as they do not update or delete the same row (optimistic concurrency: the second would fail),
and two source tables never do — every row a load writes or renumbers carries its own source and table. A delta
spends its time in DuckDB statements (they let go of the GIL) and in reading its file (the prints thread); two at
a time keep both cores busy where one table's statements left one idle (commits, updates, the Python of its changed
rows). Each table still commits alone, so a kill -9 leaves whole tables or none, and the run resumes as before; the
tables are handed back in the run's order, so its books and state read as a sequential run's.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

import duckdb

from hopnhat.load.counts import TableCounts
from hopnhat.map.admin import AdminResolver
from hopnhat.project.config import Project, SourceSpec, TableSpec
from hopnhat.run.tables import Lookups, Plan, PrintsAhead, load_source_table, resolver_for, source_lookups

Todo = list[tuple[SourceSpec, TableSpec, Plan]]


def load_side_by_side(con: duckdb.DuckDBPyConnection, project: Project, run_id: str, todo: Todo, workers: int,
                      done: Callable[[TableCounts], None],
                      failed: Callable[[SourceSpec, TableSpec, Exception], None]) -> None:
    """Load the tables of ``todo`` (deltas, or a table that turns out to need a whole load) ``workers`` at a time;
    ``done`` and ``failed`` are called in the run's thread, in the order of ``todo``."""
    resolver = resolver_for(project)
    lookups = {s.name: source_lookups(project, s) for s, _, _ in todo}
    ahead = PrintsAhead(con, project, todo, threads=workers)
    cursors = [con.cursor() for _ in todo]  # made here: the run's connection is not shared across threads
    try:
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="delta") as pool:
            futures: list[Future[TableCounts]] = [
                pool.submit(_load, cur, project, s, t, plan, resolver, lookups[s.name], run_id, ahead)
                for cur, (s, t, plan) in zip(cursors, todo)]
            for future, (source, table, _) in zip(futures, todo):
                try:
                    counts = future.result()
                except Exception as exc:  # noqa: BLE001 - recorded as the table's failure by ``failed``, never swallowed
                    failed(source, table, exc)
                    continue
                done(counts)
    finally:
        ahead.close()
        for cur in cursors:
            cur.close()


def _load(cur: duckdb.DuckDBPyConnection, project: Project, source: SourceSpec, table: TableSpec, plan: Plan,
          resolver: AdminResolver, lookups: Lookups, run_id: str, ahead: PrintsAhead) -> TableCounts:
    return load_source_table(cur, project, source, table, resolver, lookups, run_id, plan,
                             ahead=ahead.start(source, table))
