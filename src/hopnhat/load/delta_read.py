"""What a delta's reading pass hands on, shared by the delta (:mod:`hopnhat.load.delta`) and the SQL cursor's reading
(:mod:`hopnhat.load.cursor`): the rows kept, the tally, and the signal that a table must be loaded whole. The
cursor's reading sees the delta through :class:`DeltaSide` only, so neither module imports the other both ways."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

import duckdb
import pyarrow as pa

from hopnhat.ingest.fingerprint import Prints
from hopnhat.map.mapper import TableMapper
from hopnhat.project.config import Project, SourceSpec, TableSpec


class DeltaNotPossible(Exception):
    """The table must be loaded whole (its columns changed); the delta's transaction is rolled back first."""

    def __init__(self, note: str) -> None:
        super().__init__(note)
        self.note = note


@dataclass
class DeltaRead:
    """What the reading pass kept: the rows that may have changed, and the tally of every row."""

    kept: list[pa.Table] = field(default_factory=list)  # with their key as ``_d_key``
    kept_rows: set[tuple[int, str | None]] = field(default_factory=set)  # (row, key): items of a record share a row
    read: int = 0
    checksum: int = 0
    prints: Prints | None = None  # the file as read (its records' hashes), kept for the next delta
    # rows: every row read | records: only changed records parsed | same_file: nothing changed | cursor: SQL rows
    # past the last load's mark
    how: str = "rows"
    repairers: str | None = None  # the columns' encoding reading this delta repaired with


class DeltaSide(Protocol):
    """The parts of a table's delta (:class:`hopnhat.load.delta.DeltaLoad`) another way of reading uses."""

    con: duckdb.DuckDBPyConnection
    project: Project
    source: SourceSpec
    table: TableSpec
    mapper: TableMapper
    run_id: str
    batch_rows: int
    where: list[str]
    legacy_cols: list[str]

    def read(self, on_batch: Callable[[int], None] | None) -> DeltaRead: ...

    def _keep_batch(self, batch: pa.Table, out: DeltaRead) -> None: ...


__all__ = ["DeltaNotPossible", "DeltaRead", "DeltaSide"]
