"""The books: for every source table, read = loaded + merged + quarantined, exactly, with checksums.

- ``read`` and the source checksum are recorded while the table streams in (every row: its number and key);
- ``quarantined`` are rows in the quarantine table; ``merged`` are exact copies of a loaded row plus, after linkage,
  records that joined another record's golden record (the first record of a cluster by record id stands for it);
- ``loaded`` are the records left;
- the store checksum is recomputed from the store over the same (row, key) tokens of records, merged and quarantined
  rows: equal to the source checksum when no row was lost or counted twice.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import duckdb

from hopnhat.load.store import one, quote
from hopnhat.model.schema import LINKED
from hopnhat.project.config import Project
from hopnhat.reconcile.tokens import checksum_hex, row_token


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

    @property
    def balanced(self) -> bool:
        return (self.read == self.loaded + self.merged + self.quarantined
                and self.source_checksum == self.store_checksum)

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
                   checksum_hex(tokens))


def books(con: duckdb.DuckDBPyConnection, project: Project) -> list[Balance]:
    """One balance per source table of the merger file, in file order."""
    return [table_balance(con, s.name, t.name, t.maps_to) for s in project.config.sources for t in s.tables]


def record_books(con: duckdb.DuckDBPyConnection, run_id: str, balances: list[Balance]) -> None:
    con.execute("DELETE FROM reconciliation WHERE run_id = ?", [run_id])
    con.executemany("INSERT INTO reconciliation VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [[run_id, b.source, b.table, b.entity, b.read, b.loaded, b.merged, b.quarantined,
                      b.source_checksum, b.store_checksum] for b in balances])
