"""Delta load of one source table: only the rows that changed since the last load go through repair → map → units →
load; the result is the store a full reload of the same source would give.

In one transaction, like a full load:

1. the source is read and every row hashed (its key as the mapping makes it, a hash of the whole record): cheap next to
   mapping; a batch's rows whose key the snapshot holds once with the same hash are dropped at once, the others kept;
2. the read is compared with the snapshot (``source_rows``) key by key: a key whose rows (their hashes in source
   order) are the same is *unchanged*; a key only in the source is *inserted*; one only in the snapshot is *deleted*;
   any other is *changed*. Rows without a key are always loaded again (they are quarantined rows);
3. the store's rows of changed and deleted keys go (records, quarantine, merged rows, cell issues, repairs, legacy
   archive); deleted keys are recorded in ``deleted_rows`` with their archived row and the run that saw them go;
4. unchanged rows that only moved (a row deleted above them) get their new row number;
5. the kept rows of changed and inserted keys are loaded by :class:`~hopnhat.load.table_load.TableLoad`, whole key
   groups at a time, in source order, so duplicate keys are merged or quarantined exactly as a full load does;
6. the snapshot, the table's state (read and checksum over every row read) and its books are written.

A key group changed although one of its rows was dropped in step 1 (a new duplicate of an unchanged key) is read
again for its rows. A source whose columns changed is loaded whole (``DeltaNotPossible``).
"""

from __future__ import annotations

import gc
from collections.abc import Callable

import duckdb
import pyarrow as pa

from hopnhat.base.timing import stage, timed_iter
from hopnhat.ingest import read_table
from hopnhat.ingest.fingerprint import Known, Prints, read_subset, source_prints, still
from hopnhat.load.counts import TableCounts
from hopnhat.load.cursor import read_by_cursor
from hopnhat.load.delta_pairs import ALL, CANDIDATES, candidates, moves_sql, pair_records, update_prints
from hopnhat.load.delta_read import DeltaNotPossible, DeltaRead
from hopnhat.load.snapshot import (
    LastPrints,
    content_hashes,
    forget_prints,
    last_prints,
    readings_complete,
    record_prints,
    repairer_state,
    restore_repairers,
)
from hopnhat.load.store import LEGACY, legacy_name, one, quote
from hopnhat.load.table_load import TableLoad, young_collection_only
from hopnhat.load.tokens import query_sum, sum_sql, tokens_of
from hopnhat.map.mapper import TableMapper
from hopnhat.project.config import Project, SourceSpec, TableSpec

_RAW = ("_row", "_item", "_error", "_raw")
_WAL_LIMIT = "64GB"  # deltas write little: the run's checkpoint on close does it once


_Read = DeltaRead  # the reading pass's result, shared with the cursor's reading (load/delta_read.py)


class DeltaLoad:
    """One table's delta, inside the caller's transaction (temporary tables ``_d_new``, ``_d_keys``, ``_d_moves``)."""

    def __init__(self, con: duckdb.DuckDBPyConnection, project: Project, source: SourceSpec, table: TableSpec,
                 mapper: TableMapper, run_id: str, batch_rows: int) -> None:
        self.con, self.project, self.source, self.table = con, project, source, table
        self.mapper, self.run_id, self.batch_rows = mapper, run_id, batch_rows
        self.where = [source.name, table.name]
        self.prefix = f"{source.name}/{table.name}/"
        self.entity = quote(table.maps_to)
        self.legacy = legacy_name(source.name, table.name)
        self.legacy_cols = self._legacy_columns()
        state = con.execute("SELECT source_checksum FROM table_state WHERE src_source = ? AND src_table = ?",
                            self.where).fetchone()
        self.last_checksum: str | None = state[0] if state and state[0] else None
        self.paired = False  # ``_d_same`` pairs each unchanged record with its old one (a delta by records)
        self.one_to_one = False  # ... one to one, in order (:mod:`hopnhat.load.delta_pairs`)
        self.ahead: Callable[[], Prints | None] | None = None  # the file's prints, taken ahead (:func:`prints_ahead`)

    def _legacy_columns(self) -> list[str]:
        rows = self.con.execute("SELECT column_name FROM duckdb_columns() WHERE database_name = current_database() "
                                "AND schema_name = ? AND table_name = ? ORDER BY column_index",
                                [LEGACY, f"{self.source.name}__{self.table.name}"]).fetchall()
        if not rows:
            raise DeltaNotPossible("no_snapshot")
        return [r[0] for r in rows if r[0] not in ("record_id", *_RAW)]

    # --- 1. read and hash --------------------------------------------------------------------------------------
    def read(self, on_batch: Callable[[int], None] | None) -> _Read:
        """Every row's (row, key, hash) in ``_d_new`` and the rows that may have changed: by the file's records'
        bytes when the last load kept them (only changed records are parsed; nothing at all when the file is the
        same), else by reading and hashing every row."""
        self.con.execute("CREATE OR REPLACE TEMP TABLE _d_new (src_row BIGINT, src_key VARCHAR, h BIGINT)")
        self.con.execute("CREATE OR REPLACE TEMP TABLE _d_old AS SELECT src_row, src_key, content_hash "
                         "FROM source_rows WHERE src_source = ? AND src_table = ?", self.where)  # scanned once
        with stage("ingest"):
            last = last_prints(self.con, *self.where)
            prints = (self.ahead() if self.ahead is not None else
                      source_prints(self.project, self.source, self.table,
                                    known_lines(self.con, self.source.name, self.table.name, last)))
        out = _Read(prints=prints)
        if (prints is not None and last is not None and last.layout == prints.layout and last.repairers is not None
                and readings_complete(self.mapper, last.repairers)):
            out.repairers = last.repairers
            if prints.sha256 == last.sha256 and self.last_checksum is not None:
                self._same_file(out)
            else:
                restore_repairers(self.mapper, last.repairers)
                self._by_records(prints, out)
            if on_batch:
                on_batch(out.read)
            return out
        self._every_row(out, on_batch)
        out.repairers = repairer_state(self.mapper)
        return out

    def _same_file(self, out: _Read) -> None:
        """The file holds the bytes the last load read: its rows, keys and checksum are the last load's."""
        assert self.last_checksum is not None
        self.con.execute("INSERT INTO _d_new SELECT src_row, src_key, content_hash FROM _d_old")
        out.how, out.read, out.checksum = "same_file", self._count_new(), self._new_checksum()

    def _count_new(self) -> int:
        return int(one(self.con, "SELECT count(*) FROM _d_new")[0])

    def _new_checksum(self) -> int:
        """The source checksum over every row read (their tokens summed by DuckDB)."""
        return query_sum(self.con, f"SELECT {sum_sql()} FROM _d_new")

    def _by_records(self, prints: Prints, out: _Read) -> None:
        """Records whose bytes the last load read take their rows (key, hash) from the snapshot, at their new row
        number; the others — and those whose rows had no key (reloaded every time) — are parsed and hashed."""
        con, w = self.con, self.where
        out.how = "records"
        self.paired = True
        with stage("delta"):
            _hopnhat_prints = prints.records
            con.execute("CREATE OR REPLACE TEMP TABLE _d_fp AS SELECT * FROM _hopnhat_prints")
            con.execute("""
                CREATE OR REPLACE TEMP TABLE _d_same AS
                SELECT f.src_row AS new_row, o.old_row FROM _d_fp f JOIN
                  (SELECT raw_hash, min(src_row) AS old_row FROM source_records WHERE src_source = ? AND
                   src_table = ? GROUP BY raw_hash) o USING (raw_hash)
                WHERE o.old_row NOT IN (SELECT src_row FROM _d_old WHERE src_key IS NULL)""", w)
            con.execute("CREATE OR REPLACE TEMP TABLE _d_new (src_row BIGINT, src_key VARCHAR, h BIGINT, "
                        "old_row BIGINT)")  # old_row: the old record an unchanged record's row was taken from
            con.execute("INSERT INTO _d_new SELECT m.new_row, s.src_key, s.content_hash, m.old_row FROM _d_same m "
                        "JOIN _d_old s ON s.src_row = m.old_row")
            self.one_to_one, wanted = pair_records(con, prints.records.column("src_row").to_numpy())
            _hopnhat_parsed = pa.table({"src_row": pa.array(sorted(wanted), pa.int64())})
            con.execute("CREATE OR REPLACE TEMP TABLE _d_parsed AS SELECT * FROM _hopnhat_parsed")
        first = True
        for batch in timed_iter("ingest", read_subset(self.project, self.source, self.table, prints, wanted,
                                                       self.batch_rows)):
            if first:
                self._check_subset_columns(batch)
                first = False
            with stage("delta"):
                self._keep_batch(batch, out)
        if prints.kind == "sqlite" and not still(self.project, self.source, self.table, prints):
            raise DeltaNotPossible("changed_while_read")  # the rows read again are not those hashed: read whole
        with stage("delta"):
            out.read, out.checksum = self._count_new(), self._new_checksum()

    def _check_subset_columns(self, batch: pa.Table) -> None:
        """The changed records bring no column the archive lacks (a JSON file's columns are named from its first
        records, read whole; a column of later records only, absent here, reads as empty as in a full read)."""
        if any(c not in _RAW and c not in self.legacy_cols for c in batch.column_names):
            raise DeltaNotPossible("columns_changed")

    def _keep_batch(self, batch: pa.Table, out: _Read) -> None:
        """A batch of changed records: its rows into ``_d_new``, all kept for loading."""
        keys = pa.array(self.mapper.keys(batch), pa.string())
        _hopnhat_seen = pa.table({"src_row": batch.column("_row"), "src_key": keys,
                                  "h": content_hashes(self.con, batch)})
        self.con.execute("INSERT INTO _d_new (src_row, src_key, h) SELECT src_row, src_key, h FROM _hopnhat_seen")
        kept = batch.append_column("_d_key", keys)
        out.kept.append(kept)
        out.kept_rows.update(zip(kept.column("_row").to_pylist(), kept.column("_d_key").to_pylist()))

    def _every_row(self, out: _Read, on_batch: Callable[[int], None] | None) -> None:
        con = self.con
        con.execute("CREATE OR REPLACE TEMP TABLE _d_once AS SELECT src_key, any_value(content_hash) AS h "
                    "FROM _d_old WHERE src_key IS NOT NULL GROUP BY src_key HAVING count(*) = 1")
        for batch in timed_iter("ingest", read_table(self.project, self.source, self.table,
                                                      batch_rows=self.batch_rows)):
            if not out.read:
                self._check_columns(batch)
            with stage("delta"):
                self._hash_batch(batch, out)
            if on_batch:
                on_batch(batch.num_rows)

    def _check_columns(self, batch: pa.Table) -> None:
        """The archive's columns are the first batch's (as a full load makes them): they must not have changed."""
        if [c for c in batch.column_names if c not in _RAW] != self.legacy_cols:
            raise DeltaNotPossible("columns_changed")

    def _hash_batch(self, batch: pa.Table, out: _Read) -> None:
        keys = self.mapper.see(batch)
        rows = batch.column("_row")
        _hopnhat_seen = pa.table({"i": pa.array(range(batch.num_rows), pa.int64()), "src_row": rows,
                                  "src_key": pa.array(keys, pa.string()), "h": content_hashes(self.con, batch)})
        self.con.execute("INSERT INTO _d_new (src_row, src_key, h) SELECT src_row, src_key, h FROM _hopnhat_seen")
        maybe = self.con.execute("SELECT s.i FROM _hopnhat_seen s LEFT JOIN _d_once o USING (src_key) "
                                 "WHERE o.h IS DISTINCT FROM s.h ORDER BY s.i").fetch_arrow_table().column("i")
        if len(maybe):
            kept = batch.take(maybe).append_column("_d_key", _hopnhat_seen.column("src_key").take(maybe))
            out.kept.append(kept)
            out.kept_rows.update(zip(kept.column("_row").to_pylist(), kept.column("_d_key").to_pylist()))
        out.read += batch.num_rows
        out.checksum += tokens_of(self.con, rows, _hopnhat_seen.column("src_key"))

    # --- 2. compare --------------------------------------------------------------------------------------------
    def compare(self) -> None:
        """``_d_keys``: each key that is not unchanged and what happened to it (inserted | changed | deleted). When the
        records pair one to one in order (:mod:`hopnhat.load.delta_pairs`), only the candidate keys are compared."""
        new, old = ALL
        if self.one_to_one:
            candidates(self.con, self.where)
            new, old = CANDIDATES
        con = self.con
        con.execute(f"""
            CREATE OR REPLACE TEMP TABLE _d_groups AS
            WITH n AS (SELECT src_key, count(*) AS c, min(h) AS lo, max(h) AS hi FROM {new}
                       WHERE src_key IS NOT NULL GROUP BY src_key),
                 o AS (SELECT src_key, count(*) AS c, min(content_hash) AS lo, max(content_hash) AS hi
                       FROM {old} WHERE src_key IS NOT NULL GROUP BY src_key)
            SELECT coalesce(n.src_key, o.src_key) AS src_key,
                   CASE WHEN o.src_key IS NULL THEN 'inserted' WHEN n.src_key IS NULL THEN 'deleted'
                        WHEN n.c <> o.c OR n.lo <> o.lo OR n.hi <> o.hi THEN 'changed' ELSE 'same' END AS kind,
                   n.c AS c
            FROM n FULL OUTER JOIN o ON n.src_key = o.src_key""")
        # a key with several rows whose counts and extreme hashes agree: its hashes compared in source order
        con.execute("CREATE OR REPLACE TEMP TABLE _d_multi AS SELECT src_key FROM _d_groups WHERE kind = 'same' "
                    "AND c > 1")
        con.execute(f"""
            CREATE OR REPLACE TEMP TABLE _d_keys AS
            SELECT src_key, kind FROM _d_groups WHERE kind <> 'same'
            UNION ALL
            SELECT n.src_key, 'changed' FROM
              (SELECT src_key, list(h ORDER BY src_row) AS hs FROM {new} WHERE src_key IN
                 (SELECT src_key FROM _d_multi) GROUP BY src_key) n
              JOIN (SELECT src_key, list(content_hash ORDER BY src_row) AS hs FROM {old}
                    WHERE src_key IN (SELECT src_key FROM _d_multi) GROUP BY src_key) o
              USING (src_key) WHERE n.hs <> o.hs""")
        con.execute("DELETE FROM _d_multi WHERE src_key IN (SELECT src_key FROM _d_keys)")
        con.execute("DROP TABLE _d_groups")

    def _needed(self) -> set[tuple[int, str | None]]:
        """(row, key) of every row to load: those of inserted and changed keys, and those without a key."""
        return {(r, k) for r, k in self.con.execute(
            "SELECT src_row, src_key FROM _d_new WHERE src_key IS NULL OR "
            "src_key IN (SELECT src_key FROM _d_keys WHERE kind <> 'deleted')").fetchall()}

    def missing_rows(self, kept_rows: set[tuple[int, str | None]]) -> bool:
        """Rows to load that the reading pass did not keep."""
        return not self._needed() <= kept_rows

    # --- 3. and 4. the store's side ----------------------------------------------------------------------------
    def remove_changed(self) -> int:
        """Remove what the store holds for changed and deleted keys (and rows without a key); record the deleted
        ones. Returns how many rows left the source."""
        con, w = self.con, self.where
        deleted = self._record_deleted()
        gone = "(src_key IS NULL OR src_key IN (SELECT src_key FROM _d_keys))"
        for name in (self.entity, "quarantine", "merged_rows"):
            con.execute(f"DELETE FROM {name} WHERE src_source = ? AND src_table = ? AND {gone}", w)
        ids = "(SELECT ? || src_key FROM _d_keys)"
        con.execute(f"DELETE FROM cell_issues WHERE src_source = ? AND src_table = ? AND record_id IN {ids}",
                    [*w, self.prefix])
        con.execute(f"DELETE FROM repairs WHERE starts_with(record_id, ?) AND record_id IN {ids}",
                    [self.prefix, self.prefix])
        con.execute(f"DELETE FROM {self.legacy} WHERE record_id IS NULL OR record_id IN {ids}", [self.prefix])
        return deleted

    def _record_deleted(self) -> int:
        old = CANDIDATES[1] if self.one_to_one else ALL[1]  # a deleted key is a candidate: no record of it paired
        self.con.execute(f"""
            INSERT INTO deleted_rows
            WITH gone AS (SELECT ? AS src_source, ? AS src_table, src_key, src_row, ? || src_key AS record_id
                          FROM {old} WHERE src_key IN (SELECT src_key FROM _d_keys WHERE kind = 'deleted')),
                 archived AS (SELECT l.record_id, l._row, to_json(l)::VARCHAR AS j,
                                     row_number() OVER (PARTITION BY l.record_id, l._row) AS n
                              FROM {self.legacy} l SEMI JOIN gone g ON l._row = g.src_row)
            SELECT g.src_source, g.src_table, g.src_key, g.src_row, g.record_id, a.j, ?, now()::TIMESTAMP
            FROM gone g LEFT JOIN archived a ON a.record_id = g.record_id AND a._row = g.src_row AND a.n = 1""",
                         [*self.where, self.prefix, self.run_id])
        return int(one(self.con, "SELECT count(*) FROM deleted_rows WHERE run_id = ? AND src_source = ? AND "
                                 "src_table = ?", [self.run_id, *self.where])[0])

    def move_unchanged(self) -> None:
        """Unchanged rows whose row number moved get the new one, everywhere they are kept (an UPDATE of one column:
        DuckDB rewrites only that column's changed segments). When the records pair one to one in order, the rows of
        keys that are not candidates move as their records do (:func:`~hopnhat.load.delta_pairs.moves_sql`); else a
        key of one row is paired by the record its row came from when the delta went by records (``_d_same``: new
        record → the old one of the same bytes; an integer join), else by the key; the rows of a key of several rows
        (same hashes in the same order) by their rank."""
        con = self.con
        con.execute(moves_sql() if self.one_to_one else self._moves_sql())
        if not one(con, "SELECT count(*) FROM _d_moves")[0]:
            return
        if self.one_to_one and self.table.explode is None:
            # one row per record, paired one to one: each old row moves to one new row (no rows to merge, no check)
            con.execute("CREATE OR REPLACE TEMP TABLE _d_rows AS SELECT old_row, new_row FROM _d_moves")
            self._move_by_row()
            return
        con.execute("CREATE OR REPLACE TEMP TABLE _d_rows AS SELECT DISTINCT old_row, new_row FROM _d_moves")
        if one(con, "SELECT count(DISTINCT old_row) = count(*) FROM _d_rows")[0]:
            self._move_by_row()
        else:  # a row whose keys moved apart (duplicates paired by rank): by key and row
            self._move_by_key()

    def _moves_sql(self) -> str:
        by_record = (
            "SELECT n.src_key, m.old_row, n.src_row AS new_row FROM single n JOIN _d_same m ON m.new_row = n.src_row "
            "UNION ALL SELECT n.src_key, o.src_row, n.src_row FROM single n ANTI JOIN _d_same m ON m.new_row = "
            "n.src_row JOIN _d_old o USING (src_key)") if self.paired else (
            "SELECT n.src_key, o.src_row AS old_row, n.src_row AS new_row FROM single n JOIN _d_old o USING (src_key)")
        return f"""
            CREATE OR REPLACE TEMP TABLE _d_moves AS
            WITH single AS (SELECT n.src_key, n.src_row FROM _d_new n ANTI JOIN _d_keys k USING (src_key)
                            ANTI JOIN _d_multi u USING (src_key) WHERE n.src_key IS NOT NULL),
                 n AS (SELECT src_key, src_row, row_number() OVER (PARTITION BY src_key ORDER BY src_row) AS r
                       FROM _d_new SEMI JOIN _d_multi USING (src_key)),
                 o AS (SELECT src_key, src_row, row_number() OVER (PARTITION BY src_key ORDER BY src_row) AS r
                       FROM _d_old SEMI JOIN _d_multi USING (src_key))
            SELECT * FROM ({by_record}) WHERE old_row <> new_row
            UNION ALL
            SELECT n.src_key, o.src_row, n.src_row FROM n JOIN o USING (src_key, r) WHERE n.src_row <> o.src_row"""

    def _move_by_row(self) -> None:
        """What the store keeps of this table is now only unchanged keys (the others were removed; the snapshot's rows
        of changed keys are replaced at the end), and a record moves whole: the new row is a function of the old
        one, so the rows are renumbered by an integer join."""
        con = self.con
        con.execute("UPDATE source_rows SET src_row = m.new_row FROM _d_rows m WHERE source_rows.src_source = ? AND "
                    "source_rows.src_table = ? AND source_rows.src_row = m.old_row", self.where)
        for name in (self.entity, "quarantine", "merged_rows", "cell_issues"):
            con.execute(f"UPDATE {name} SET src_row = m.new_row FROM _d_rows m WHERE {name}.src_source = ? AND "
                        f"{name}.src_table = ? AND {name}.src_row = m.old_row", self.where)
        con.execute(f"UPDATE {self.legacy} SET _row = m.new_row FROM _d_rows m WHERE {self.legacy}._row = m.old_row")

    def _move_by_key(self) -> None:
        con = self.con
        con.execute("CREATE OR REPLACE TEMP TABLE _d_moves AS SELECT DISTINCT src_key, old_row, new_row, "
                    "? || src_key AS record_id FROM _d_moves", [self.prefix])
        for name in ("source_rows", self.entity, "quarantine", "merged_rows"):
            con.execute(f"UPDATE {name} SET src_row = m.new_row FROM _d_moves m WHERE {name}.src_source = ? AND "
                        f"{name}.src_table = ? AND {name}.src_key = m.src_key AND {name}.src_row = m.old_row",
                        self.where)
        con.execute("UPDATE cell_issues SET src_row = m.new_row FROM _d_moves m WHERE cell_issues.src_source = ? AND "
                    "cell_issues.src_table = ? AND cell_issues.record_id = m.record_id AND "
                    "cell_issues.src_row = m.old_row", self.where)
        con.execute(f"UPDATE {self.legacy} SET _row = m.new_row FROM _d_moves m WHERE "
                    f"{self.legacy}.record_id = m.record_id AND {self.legacy}._row = m.old_row")

    # --- 5. load what changed ----------------------------------------------------------------------------------
    def changed_rows(self, kept: list[pa.Table]) -> pa.Table | None:
        """The kept rows of inserted and changed keys and those without a key, in source order."""
        if not kept:
            return None
        _hopnhat_kept = pa.concat_tables(kept, promote_options="permissive")
        rows = self.con.execute(
            "SELECT k.* FROM _hopnhat_kept k WHERE k._d_key IS NULL OR k._d_key IN "
            "(SELECT src_key FROM _d_keys WHERE kind <> 'deleted') ORDER BY k._row, k._item").fetch_arrow_table()
        return rows.drop_columns(["_d_key"])

    def reread(self, prints: Prints | None) -> pa.Table | None:
        """The rare second pass: every row of inserted and changed keys (and without a key), read again (only their
        records, from the same bytes, when the delta went by records)."""
        wanted = self._needed()
        rows = {r for r, _ in wanted}
        batches = (read_subset(self.project, self.source, self.table, prints, rows, self.batch_rows)
                   if prints is not None else
                   read_table(self.project, self.source, self.table, batch_rows=self.batch_rows))
        parts = []
        for batch in timed_iter("ingest", batches):
            keys = self.mapper.keys(batch) if prints is not None else self.mapper.see(batch)
            mask = pa.array([(r, k) in wanted for r, k in zip(batch.column("_row").to_pylist(), keys)], pa.bool_())
            parts.append(batch.append_column("_d_key", pa.array(keys, pa.string())).filter(mask))
        return self.changed_rows(parts)

    def load_changed(self, rows: pa.Table | None, load: TableLoad) -> None:
        load.legacy_cols = self.legacy_cols
        load.snapshot = False
        if rows is None:
            return
        for batch in rows.to_batches(max_chunksize=self.batch_rows):
            load.add(pa.Table.from_batches([batch]))
            gc.collect(1)

    def updated(self) -> int:
        """Records loaded under a key the store had before (changed keys)."""
        return int(one(self.con, f"SELECT count(*) FROM {self.entity} WHERE src_source = ? AND src_table = ? AND "
                                 "src_key IN (SELECT src_key FROM _d_keys WHERE kind = 'changed')", self.where)[0])

    # --- 6. the new snapshot -----------------------------------------------------------------------------------
    def replace_snapshot(self) -> None:
        """The new snapshot: unchanged rows stay (renumbered by :meth:`move_unchanged`), those of changed, deleted
        and key-less rows go, those of inserted and changed keys and key-less rows come in. Only what changed is
        written (rewriting the table's whole snapshot made each delta's commit and checkpoint grow with the table)."""
        self.con.execute("DELETE FROM source_rows WHERE src_source = ? AND src_table = ? AND (src_key IS NULL OR "
                         "src_key IN (SELECT src_key FROM _d_keys))", self.where)
        self.con.execute("INSERT INTO source_rows SELECT ?, ?, src_row, src_key, h FROM _d_new WHERE src_key IS NULL "
                         "OR src_key IN (SELECT src_key FROM _d_keys WHERE kind <> 'deleted')", self.where)

    def keep_prints(self, seen: _Read) -> None:
        """The file's record hashes for the next delta: those this delta parsed from, or — when it read every row
        from the file itself — those taken before, if the file did not change meanwhile."""
        prints = seen.prints
        if prints is None or seen.how == "same_file":
            return
        if seen.how == "records":
            self._update_prints(prints, seen.repairers)
        elif still(self.project, self.source, self.table, prints):
            record_prints(self.con, self.source.name, self.table.name, prints, seen.repairers)
        else:
            forget_prints(self.con, *self.where)

    def _update_prints(self, prints: Prints, repairers: str | None) -> None:
        """The record hashes of a delta that went by records (the new ones in ``_d_fp``), written in place: records
        paired by hash (and rank among equal hashes) are renumbered, the others deleted or inserted — rather than the
        table's every record deleted and inserted again."""
        con, w = self.con, self.where
        if self.one_to_one:
            update_prints(con, w)
        else:
            self._pair_prints()
        con.execute("DELETE FROM source_files WHERE src_source = ? AND src_table = ?", w)
        con.execute("INSERT INTO source_files VALUES (?, ?, ?, ?, ?, ?)",
                    [*w, prints.size, prints.sha256, prints.layout, repairers])

    def _pair_prints(self) -> None:
        con, w = self.con, self.where
        con.execute("""
            CREATE OR REPLACE TEMP TABLE _d_rec AS
            WITH o AS (SELECT src_row, raw_hash, row_number() OVER (PARTITION BY raw_hash ORDER BY src_row) AS r
                       FROM source_records WHERE src_source = ? AND src_table = ?),
                 n AS (SELECT src_row, raw_hash, row_number() OVER (PARTITION BY raw_hash ORDER BY src_row) AS r
                       FROM _d_fp)
            SELECT o.src_row AS old_row, n.src_row AS new_row, raw_hash FROM o FULL OUTER JOIN n USING (raw_hash, r)
            WHERE o.src_row IS DISTINCT FROM n.src_row""", w)
        con.execute("DELETE FROM source_records WHERE src_source = ? AND src_table = ? AND src_row IN "
                    "(SELECT old_row FROM _d_rec WHERE new_row IS NULL)", w)
        con.execute("UPDATE source_records SET src_row = p.new_row FROM _d_rec p WHERE source_records.src_source = ? "
                    "AND source_records.src_table = ? AND source_records.src_row = p.old_row AND p.new_row IS NOT NULL",
                    w)
        con.execute("INSERT INTO source_records (src_source, src_table, src_row, raw_hash) SELECT ?, ?, new_row, "
                    "raw_hash FROM _d_rec WHERE old_row IS NULL", w)

    def drop_temporary(self) -> None:
        for name in ("_d_new", "_d_old", "_d_once", "_d_keys", "_d_moves", "_d_fp", "_d_same", "_d_rec", "_d_rows",
                     "_d_multi", "_d_cand", "_d_cn", "_d_co", "_d_parsed", "_d_gone_rows", "_d_gone_rec"):
            self.con.execute(f"DROP TABLE IF EXISTS {name}")


def known_lines(con: duckdb.DuckDBPyConnection, source: str, table: str, last: LastPrints | None) -> Known | None:
    """The record hashes the last load kept of a CSV file (its lines need no second look for quoted line breaks)."""
    if last is None or not last.layout.startswith("csv|"):
        return None
    hashes = con.execute("SELECT raw_hash FROM source_records WHERE src_source = ? AND src_table = ?",
                         [source, table]).fetch_arrow_table().column("raw_hash").combine_chunks()
    return Known(last.layout, hashes)


def prints_ahead(cur: duckdb.DuckDBPyConnection, project: Project, source: SourceSpec,
                 table: TableSpec) -> Prints | None:
    """A table's file read and its records hashed before its delta starts — in another thread, while the run's
    connection loads the table before it (reading, hashing and DuckDB's hashing let go of the GIL). Through a
    connection of its own (``cur``, the store's ``con.cursor()``, closed here): it reads only what the last run
    committed of this table."""
    try:
        return source_prints(project, source, table,
                             known_lines(cur, source.name, table.name, last_prints(cur, source.name, table.name)))
    finally:
        cur.close()


def delta_load_table(con: duckdb.DuckDBPyConnection, project: Project, source: SourceSpec, table: TableSpec,
                     mapper: TableMapper, run_id: str, input_hash: str, mapping_hash: str,
                     on_batch: Callable[[int], None] | None = None, batch_rows: int = 50_000,
                     ahead: Callable[[], Prints | None] | None = None) -> TableCounts:
    """Load only what changed in one source table, in one transaction; returns its counts
    (read = unchanged + inserted + updated + merged + quarantined; deleted apart). Raises ``DeltaNotPossible``
    (nothing written) when the table must be loaded whole.

    The store is checkpointed once, when the run closes it, not at the commit of each delta (DuckDB checkpoints at
    a commit that brings its write-ahead log past 16 MB: the big tables a delta touches were rewritten once per
    table); the log replays after a crash as before."""
    con.execute(f"SET checkpoint_threshold = '{_WAL_LIMIT}'")
    con.execute("BEGIN TRANSACTION")
    try:
        counts = _delta(con, project, source, table, mapper, run_id, input_hash, mapping_hash, on_batch, batch_rows,
                        ahead)
        with stage("delta:commit"):
            con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return counts


def _delta(con: duckdb.DuckDBPyConnection, project: Project, source: SourceSpec, table: TableSpec,
           mapper: TableMapper, run_id: str, input_hash: str, mapping_hash: str,
           on_batch: Callable[[int], None] | None, batch_rows: int,
           ahead: Callable[[], Prints | None] | None) -> TableCounts:
    delta = DeltaLoad(con, project, source, table, mapper, run_id, batch_rows)
    delta.ahead = ahead
    for name in ("table_state", "table_failures"):
        con.execute(f"DELETE FROM {name} WHERE src_source = ? AND src_table = ?", delta.where)
    con.execute("DELETE FROM deleted_rows WHERE run_id = ? AND src_source = ? AND src_table = ?",
                [run_id, *delta.where])
    with young_collection_only():
        seen = read_by_cursor(delta, on_batch) if table.cursor is not None else delta.read(on_batch)
        load = TableLoad(con, project, source, table, mapper, run_id)
        if seen.how == "same_file":
            return _same_file(delta, load, seen, input_hash, mapping_hash)
        by_records = seen.prints if seen.how == "records" else None
        with stage("delta"):
            with stage("delta:compare"):
                delta.compare()
            with stage("delta:rows"):
                rows = delta.reread(by_records) if delta.missing_rows(seen.kept_rows) else delta.changed_rows(seen.kept)
            seen.kept.clear()
            with stage("delta:remove"):
                deleted = delta.remove_changed()
            with stage("delta:move"):
                delta.move_unchanged()
        delta.load_changed(rows, load)
    c = load.counts
    processed = c.read
    c.mode, c.read, c.checksum, c.deleted, c.read_by = "delta", seen.read, seen.checksum, deleted, seen.how
    c.unchanged = seen.read - processed
    with stage("delta:end"):
        c.updated = delta.updated()
        delta.replace_snapshot()
        delta.keep_prints(seen)
        delta.drop_temporary()
        load.finish(input_hash, mapping_hash)
    return c


def _same_file(delta: DeltaLoad, load: TableLoad, seen: _Read, input_hash: str, mapping_hash: str) -> TableCounts:
    """The file is byte for byte the one the last load read (touched, copied): every row unchanged, nothing
    written but the table's state and books."""
    c = load.counts
    c.mode, c.read, c.checksum, c.unchanged, c.read_by = "delta", seen.read, seen.checksum, seen.read, seen.how
    delta.drop_temporary()
    load.finish(input_hash, mapping_hash)
    return c


__all__ = ["DeltaNotPossible", "delta_load_table", "prints_ahead"]
