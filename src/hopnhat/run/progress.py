"""What a run reports while it works: per-table counts and stage changes (the CLI draws Rich bars from them)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class TableCounts:
    source: str
    table: str
    entity: str
    read: int = 0
    loaded: int = 0
    merged: int = 0
    quarantined: int = 0
    checksum: int = 0


class Progress:
    """Silent by default; the CLI subclasses it."""

    def table_started(self, source: str, table: str) -> None: ...
    def rows(self, n: int) -> None: ...
    def table_done(self, counts: TableCounts) -> None: ...
    def table_skipped(self, source: str, table: str) -> None: ...
    def table_failed(self, source: str, table: str, error: str) -> None: ...
    def stage(self, name: str) -> None: ...
