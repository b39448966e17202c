"""What one source table's load counted: the rows read and where each ended (the run's books start from these)."""

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
