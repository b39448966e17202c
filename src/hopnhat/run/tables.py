"""Loading one source table, set up the same way in the run's own process and in a worker process: the admin-unit
resolver (once per run: its caches stay warm from table to table), the source's lookups, the table's mapper."""

from __future__ import annotations

from collections.abc import Callable

import duckdb

from hopnhat.ingest import read_lookup
from hopnhat.load.counts import TableCounts
from hopnhat.load.table_load import load_table
from hopnhat.map.admin import AdminResolver, load_map_sheets
from hopnhat.map.mapper import TableMapper
from hopnhat.project.config import Project, SourceSpec, TableSpec
from hopnhat.units.convert import SplitEvidence

Lookups = dict[str, dict[str, dict[str, str]]]


def resolver_for(project: Project) -> AdminResolver:
    """The admin-unit resolver with the merger file's evidence (hamlets of split communes, map sheets)."""
    ev = project.config.evidence
    hamlets = SplitEvidence.from_csv(project.resolve(ev.split_hamlets)) if ev.split_hamlets else None
    sheets = load_map_sheets(project.resolve(ev.split_map_sheets)) if ev.split_map_sheets else None
    return AdminResolver(hamlets, sheets)


def source_lookups(project: Project, source: SourceSpec) -> Lookups:
    return {name: read_lookup(project, source, name) for name in source.lookups}


def load_source_table(con: duckdb.DuckDBPyConnection, project: Project, source: SourceSpec, table: TableSpec,
                      resolver: AdminResolver, lookups: Lookups, run_id: str, digest: str,
                      on_batch: Callable[[int], None] | None = None) -> TableCounts:
    """Map and load one table into ``con`` (the store, or a worker's staging file)."""
    mapper = TableMapper(source, table, resolver, lookups)
    return load_table(con, project, source, table, mapper, run_id, digest, on_batch=on_batch)
