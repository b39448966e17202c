"""Row tokens of the books: DuckDB's MD5 over (row, key) gives the same figure as Python's, so a table's source
checksum (summed while it loads) and its store checksum (summed by the books in SQL) agree; a store whose checksums
were written with the earlier BLAKE2b tokens still balances, and one lost row still shows."""

from __future__ import annotations

import duckdb
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from hopnhat.load.store import ensure_schema
from hopnhat.load.tokens import checksum_hex, legacy_token, row_token, token_sql, tokens_of
from hopnhat.reconcile.books import balances

ROWS = [(1, "QUA00000002"), (2, None), (3, "Nguyễn Thị Mai#0"), (40_000_000_000, " spaced "), (5, "")]


def test_duckdb_tokens_equal_python_tokens() -> None:
    con = duckdb.connect()
    got = tokens_of(con, pa.array([r for r, _ in ROWS], pa.int64()), pa.array([k for _, k in ROWS], pa.string()))
    assert got == sum(row_token(r, k) for r, k in ROWS) % (1 << 64)
    assert tokens_of(con, pa.array([], pa.int64()), pa.array([], pa.string())) == 0


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 2 ** 62), st.none() | st.text(max_size=80)), max_size=40))
def test_each_token_is_pythons_md5_and_md5_number_uppers(rows: list[tuple[int, str | None]]) -> None:
    """Row by row (not only summed): any key text (NUL, surrogate-free Unicode, long keys past one MD5 block), the
    token is the first 8 bytes of Python's MD5 and what DuckDB's ``md5_number_upper`` gives."""
    con = duckdb.connect()
    _rows = pa.table({"src_row": pa.array([r for r, _ in rows], pa.int64()),
                      "src_key": pa.array([k for _, k in rows], pa.string())})
    got = con.execute(f"SELECT {token_sql()}, md5_number_upper(coalesce(CAST(src_row AS VARCHAR), 'None') || '|' || "
                      "coalesce(src_key, '')) FROM _rows").fetchall()
    assert [a for a, _ in got] == [b for _, b in got] == [row_token(r, k) for r, k in rows]


def _store(checksum: str) -> duckdb.DuckDBPyConnection:
    """One source table of three rows: two records and a quarantined row, with the given source checksum."""
    con = duckdb.connect()
    ensure_schema(con)
    con.execute("INSERT INTO person (record_id, src_source, src_table, src_key, src_row) VALUES "
                "('s/t/a', 's', 't', 'a', 1), ('s/t/b', 's', 't', 'b', 2)")
    con.execute("INSERT INTO quarantine (src_source, src_table, src_row, src_key, reason_code) VALUES "
                "('s', 't', 3, NULL, 'missing_key')")
    con.execute("INSERT INTO table_state (src_source, src_table, stage, read, source_checksum) VALUES "
                "('s', 't', 'loaded', 3, ?)", [checksum])
    return con


def test_books_balance_with_new_and_legacy_checksums() -> None:
    rows = [(1, "a"), (2, "b"), (3, None)]
    new = checksum_hex(sum(row_token(r, k) for r, k in rows))
    legacy = f"{sum(legacy_token(r, k) for r, k in rows) & ((1 << 64) - 1):016x}"
    assert new.startswith("m5:") and new != "m5:" + legacy
    for checksum in (new, legacy):
        con = _store(checksum)
        [b] = balances(con, [("s", "t", "person")])
        assert b.balanced and b.store_checksum == checksum, b
        con.execute("DELETE FROM person WHERE src_key = 'b'")  # a row lost: the counts and the checksum show it
        [b] = balances(con, [("s", "t", "person")])
        assert not b.balanced and b.store_checksum != checksum
