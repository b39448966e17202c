"""What one source table's load counted: the rows read and where each ended (the run's books start from these).

A full load maps every row: ``read = loaded + merged + quarantined``. A delta load maps only the rows whose key is new
or whose content changed: ``read = unchanged + inserted + updated + merged + quarantined`` (``loaded`` = inserted +
updated), and the rows whose key left the source are counted apart (``deleted``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hopnhat.ingest.declared import Declared


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
    mode: str = "full"  # full | delta
    note: str = ""  # why a full reload (fresh, first_load, no_snapshot, mapping_changed, no_key, columns_changed)
    unchanged: int = 0
    updated: int = 0  # of ``loaded``: records loaded again under a key whose row changed (the rest were inserted)
    deleted: int = 0
    read_by: str = ""  # a delta's reading: records (only changed records parsed) | same_file | rows (every row)
    declared: Declared | None = None  # what the file declares, taken from this load's own read (a report's footer)

    @property
    def inserted(self) -> int:
        return self.loaded - self.updated

    @property
    def delta_balanced(self) -> bool:
        return self.read == self.unchanged + self.inserted + self.updated + self.merged + self.quarantined
