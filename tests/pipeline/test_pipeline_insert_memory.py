"""A table's load is one transaction of many batches: the batches must not stay alive until the commit (a view
registered inside a transaction kept every Arrow batch of a 3.4 M-row table, 2.3 GB, until then)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa

from hopnhat.load.store import insert


def _batch(i: int, rows: int = 20_000) -> pa.Table:
    return pa.table({"n": pa.array(range(i * rows, (i + 1) * rows), pa.int64()),
                     "text": pa.array([f"hồ sơ {i}-{j} đã tiếp nhận" for j in range(rows)])})


def test_batches_are_released_inside_a_long_transaction(tmp_path: Path) -> None:
    con = duckdb.connect(str(tmp_path / "store.duckdb"))
    con.execute("CREATE TABLE t (text VARCHAR, n BIGINT)")
    one = _batch(0).nbytes
    con.execute("BEGIN TRANSACTION")
    before = pa.total_allocated_bytes()
    for i in range(30):
        insert(con, "t", _batch(i))
    held = pa.total_allocated_bytes() - before
    con.execute("COMMIT")
    assert held < 2 * one, f"{held:,} bytes of Arrow batches still held (one batch is {one:,})"
    assert con.execute("SELECT count(*), count(DISTINCT n), min(text) FROM t").fetchone() == (
        600_000, 600_000, "hồ sơ 0-0 đã tiếp nhận")
    con.close()
