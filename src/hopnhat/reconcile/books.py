"""The books: for every source table, read = loaded + merged + quarantined, exactly, with checksums.

- ``read`` and the source checksum are recorded while the table streams in (every row: its number and key);
- ``quarantined`` are rows in the quarantine table; ``merged`` are exact copies of a loaded row plus, after linkage,
  records that joined another record's golden record (the first record of a cluster by record id stands for it);
- ``loaded`` are the records left;
- the store checksum is recomputed from the store over the same (row, key) tokens of records, merged and quarantined
  rows: equal to the source checksum when no row was lost or counted twice;
- and the books of the table's last load (``table_delta``, :class:`LoadBooks`): a delta load's
  read = unchanged + inserted + updated + merged + quarantined with the deleted rows apart, or a full reload and why.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

import duckdb

from hopnhat.load.store import one, quote
from hopnhat.load.tokens import checksum_hex, row_token
from hopnhat.model.schema import LINKED
from hopnhat.project.config import Project


@dataclass
class LoadBooks:
    """What the table's last load did (a row of ``table_delta``): delta or full (and why), and where its rows went."""

    run_id: str
    mode: str  # delta | full
    note: str  # why full: fresh | first_load | no_snapshot | mapping_changed | key_not_usable | columns_changed
    read: int
    unchanged: int
    inserted: int
    updated: int
    merged: int
    quarantined: int
    deleted: int

    @property
    def balanced(self) -> bool:
        return self.read == self.unchanged + self.inserted + self.updated + self.merged + self.quarantined


@dataclass
class Balance:
    source: str
    table: str
    entity: str
    read: int
    loaded: int
    merged: int
    quarantined: int
    source_checksum: str
    store_checksum: str
    error: str | None = None  # the table's last load failed (``table_failures``): never balanced until it loads
    run_id: str | None = None  # the run whose books these are, when read back from ``reconciliation``
    last_load: LoadBooks | None = None  # the table's last load (None: loaded before loads kept their books)

    @property
    def accounted(self) -> int:
        return self.loaded + self.merged + self.quarantined

    @property
    def balanced(self) -> bool:
        """Every row read is accounted for, the checksums agree (no row lost AND none counted twice), no failure."""
        return (self.error is None and self.read == self.accounted
                and self.source_checksum == self.store_checksum
                and (self.last_load is None or self.last_load.balanced))

    @classmethod
    def recorded(cls, row: Mapping[str, Any], error: str | None = None) -> Balance:
        """A balance as a run recorded it (a row of ``reconciliation``), with the table's failure if it has one."""
        return cls(row["src_source"], row["src_table"], row.get("entity") or "", int(row["read"] or 0),
                   int(row["loaded"] or 0), int(row["merged"] or 0), int(row["quarantined"] or 0),
                   row.get("source_checksum") or "", row.get("store_checksum") or "", error, row.get("run_id"))

    def as_dict(self) -> dict[str, object]:
        return {**asdict(self), "balanced": self.balanced}


def _tokens(con: duckdb.DuckDBPyConnection, table: str, source: str, name: str) -> int:
    rows = con.execute(f"SELECT src_row, src_key FROM {quote(table)} WHERE src_source = ? AND src_table = ?",
                       [source, name]).fetchall()
    return sum(row_token(r, k) for r, k in rows)


def _count(con: duckdb.DuckDBPyConnection, table: str, source: str, name: str) -> int:
    return int(one(con, f"SELECT count(*) FROM {quote(table)} WHERE src_source = ? AND src_table = ?",
                   [source, name])[0])


def _link_merged(con: duckdb.DuckDBPyConnection, entity: str, source: str, name: str) -> int:
    if entity not in LINKED:
        return 0
    sql = (f"SELECT count(*) FROM (SELECT src_source, src_table, record_id, min(record_id) OVER (PARTITION BY "
           f"golden_id) AS rep FROM {quote(entity)} WHERE golden_id IS NOT NULL) WHERE src_source = ? AND "
           f"src_table = ? AND record_id <> rep")
    return int(one(con, sql, [source, name])[0])


def table_balance(con: duckdb.DuckDBPyConnection, source: str, name: str, entity: str) -> Balance:
    state = con.execute("SELECT read, source_checksum FROM table_state WHERE src_source = ? AND src_table = ?",
                        [source, name]).fetchone()
    read, src_sum = state if state else (0, checksum_hex(0))
    records = _count(con, entity, source, name)
    dupes = _count(con, "merged_rows", source, name)
    quarantined = _count(con, "quarantine", source, name)
    linked = _link_merged(con, entity, source, name)
    tokens = sum(_tokens(con, t, source, name) for t in (entity, "merged_rows", "quarantine"))
    return Balance(source, name, entity, read, records - linked, dupes + linked, quarantined, src_sum,
                   checksum_hex(tokens), failures(con).get((source, name)), last_load=last_load(con, source, name))


def last_load(con: duckdb.DuckDBPyConnection, source: str, name: str) -> LoadBooks | None:
    if not one(con, "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'table_delta'")[0]:
        return None  # a store written before delta runs
    row = con.execute("SELECT run_id, mode, coalesce(note, ''), read, unchanged, inserted, updated, merged, "
                      "quarantined, deleted FROM table_delta WHERE src_source = ? AND src_table = ? "
                      "ORDER BY finished_at DESC LIMIT 1", [source, name]).fetchone()
    return None if row is None else LoadBooks(*row)


def failures(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], str]:
    """(source, table) → the error of its last failed load, for tables that have not loaded since."""
    if not one(con, "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'table_failures'")[0]:
        return {}  # a store written before failures were kept
    rows = con.execute("SELECT src_source, src_table, error FROM table_failures").fetchall()
    return {(s, t): e for s, t, e in rows}


def books(con: duckdb.DuckDBPyConnection, project: Project) -> list[Balance]:
    """One balance per source table of the merger file, in file order; a table whose load failed is unbalanced and
    carries its error."""
    return [table_balance(con, s.name, t.name, t.maps_to) for s in project.config.sources for t in s.tables]


def record_books(con: duckdb.DuckDBPyConnection, run_id: str, balances: list[Balance]) -> None:
    con.execute("DELETE FROM reconciliation WHERE run_id = ?", [run_id])
    con.executemany("INSERT INTO reconciliation VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [[run_id, b.source, b.table, b.entity, b.read, b.loaded, b.merged, b.quarantined,
                      b.source_checksum, b.store_checksum] for b in balances])
