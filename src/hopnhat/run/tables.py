"""Loading one source table, set up the same way in the run's own process and in a worker process: the admin-unit
resolver (once per run: its caches stay warm from table to table), the source's lookups, the table's mapper; and
whether it is loaded whole or as a delta (:class:`Plan`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import duckdb

from hopnhat.ingest import read_lookup
from hopnhat.load.counts import TableCounts
from hopnhat.load.delta import DeltaNotPossible, delta_load_table
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


def load_source_table(con: duckdb.DuckDBPyConnection, project: Project, source: SourceSpec, table: TableSpec,
                      resolver: AdminResolver, lookups: Lookups, run_id: str, plan: Plan,
                      on_batch: Callable[[int], None] | None = None) -> TableCounts:
    """Map and load one table into ``con`` (the store, or a worker's staging file), whole or as a delta; a delta
    that turns out impossible (the source's columns changed) is rolled back and the table loaded whole."""
    note = plan.note
    if plan.mode == "delta":
        mapper = TableMapper(source, table, resolver, lookups)
        try:
            return delta_load_table(con, project, source, table, mapper, run_id, plan.digest, plan.mapping,
                                    on_batch=on_batch)
        except DeltaNotPossible as exc:
            note = exc.note
    mapper = TableMapper(source, table, resolver, lookups)
    return load_table(con, project, source, table, mapper, run_id, plan.digest, on_batch=on_batch,
                      mapping_hash=plan.mapping, note=note)
