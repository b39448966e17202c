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
from hopnhat.load.tokens import PREFIX, checksum_hex, is_legacy, legacy_token, sum_sql
from hopnhat.model.schema import LINKED
from hopnhat.project.config import Project
from hopnhat.reconcile.declared import DeclaredCheck, recorded_checks


@dataclass
class LoadBooks:
    """What the table's last load did (a row of ``table_delta``): delta or full (and why), and where its rows went."""

    run_id: str
    mode: str  # delta | full
    # why full: fresh | first_load | no_snapshot | mapping_changed | report_end | key_not_usable | columns_changed
    note: str
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
    declared: DeclaredCheck | None = None  # the export's own count against ``read`` (``declared_total:``)

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
        declared = self.declared.as_dict() if self.declared is not None else None
        return {**asdict(self), "balanced": self.balanced, "declared": declared}


_Key = tuple[str, str]


def _grouped(con: duckdb.DuckDBPyConnection, table: str) -> dict[_Key, tuple[int, int]]:
    """(source, table) → rows and the sum of their (row, key) tokens, for one store table, in one scan by DuckDB."""
    rows = con.execute(f"SELECT src_source, src_table, count(*), {sum_sql()} FROM {quote(table)} "
                       "GROUP BY ALL").fetchall()
    return {(s, t): (int(n), int(x)) for s, t, n, x in rows}


def _link_merged(con: duckdb.DuckDBPyConnection, entity: str) -> dict[_Key, int]:
    """(source, table) → its records that joined another record's golden record (linkage)."""
    if entity not in LINKED:
        return {}
    sql = (f"SELECT src_source, src_table, count(*) FROM (SELECT src_source, src_table, record_id, min(record_id) OVER "
           f"(PARTITION BY golden_id) AS rep FROM {quote(entity)} WHERE golden_id IS NOT NULL) WHERE record_id <> rep "
           f"GROUP BY ALL")
    return {(s, t): int(n) for s, t, n in con.execute(sql).fetchall()}


def _legacy_tokens(con: duckdb.DuckDBPyConnection, entity: str, source: str, name: str) -> int:
    """A table whose source checksum was written with the earlier BLAKE2b tokens: its store rows summed in Python."""
    union = " UNION ALL ".join(f"SELECT src_row, src_key FROM {quote(t)} WHERE src_source = ? AND src_table = ?"
                               for t in (entity, "merged_rows", "quarantine"))
    rows = con.execute(union, [source, name] * 3).fetchall()
    return sum(legacy_token(r, k) for r, k in rows)


def table_balance(con: duckdb.DuckDBPyConnection, source: str, name: str, entity: str) -> Balance:
    return balances(con, [(source, name, entity)])[0]


def balances(con: duckdb.DuckDBPyConnection, tables: list[tuple[str, str, str]]) -> list[Balance]:
    """The balance of each (source, table, entity): every store table scanned once, grouped by source table (the
    counts and the tokens computed by DuckDB), whatever the number of tables."""
    state = {(s, t): (int(r), c) for s, t, r, c in
             con.execute("SELECT src_source, src_table, read, source_checksum FROM table_state").fetchall()}
    merged, quarantine = _grouped(con, "merged_rows"), _grouped(con, "quarantine")
    entities = {e: (_grouped(con, e), _link_merged(con, e)) for e in dict.fromkeys(e for _, _, e in tables)}
    failed, loads = failures(con), last_loads(con)
    out = []
    for source, name, entity in tables:
        key = (source, name)
        read, src_sum = state.get(key, (0, checksum_hex(0)))
        (records, rec_tokens), linked = entities[entity][0].get(key, (0, 0)), entities[entity][1].get(key, 0)
        (dupes, dupe_tokens), (quarantined, q_tokens) = merged.get(key, (0, 0)), quarantine.get(key, (0, 0))
        if is_legacy(src_sum):
            store_sum = checksum_hex(_legacy_tokens(con, entity, source, name)).removeprefix(PREFIX)
        else:
            store_sum = checksum_hex(rec_tokens + dupe_tokens + q_tokens)
        out.append(Balance(source, name, entity, read, records - linked, dupes + linked, quarantined, src_sum,
                           store_sum, failed.get(key), last_load=loads.get(key)))
    return out


def last_loads(con: duckdb.DuckDBPyConnection) -> dict[_Key, LoadBooks]:
    """(source, table) → the books of its last load (``table_delta``), in one query."""
    if not one(con, "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'table_delta'")[0]:
        return {}  # a store written before delta runs
    rows = con.execute("SELECT src_source, src_table, arg_max((run_id, mode, coalesce(note, ''), read, unchanged, "
                       "inserted, updated, merged, quarantined, deleted), finished_at) FROM table_delta "
                       "GROUP BY ALL").fetchall()
    return {(s, t): LoadBooks(*v) for s, t, v in rows}


def failures(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], str]:
    """(source, table) → the error of its last failed load, for tables that have not loaded since."""
    if not one(con, "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'table_failures'")[0]:
        return {}  # a store written before failures were kept
    rows = con.execute("SELECT src_source, src_table, error FROM table_failures").fetchall()
    return {(s, t): e for s, t, e in rows}


def books(con: duckdb.DuckDBPyConnection, project: Project) -> list[Balance]:
    """One balance per source table of the merger file, in file order; a table whose load failed is unbalanced and
    carries its error; a table declaring its count carries the last run's check of it."""
    out = balances(con, [(s.name, t.name, t.maps_to) for s in project.config.sources for t in s.tables])
    checks = recorded_checks(con)
    for b in out:
        b.declared = checks.get((b.source, b.table))
    return out


def record_books(con: duckdb.DuckDBPyConnection, run_id: str, balances: list[Balance]) -> None:
    con.execute("DELETE FROM reconciliation WHERE run_id = ?", [run_id])
    con.executemany("INSERT INTO reconciliation VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [[run_id, b.source, b.table, b.entity, b.read, b.loaded, b.merged, b.quarantined,
                      b.source_checksum, b.store_checksum] for b in balances])
