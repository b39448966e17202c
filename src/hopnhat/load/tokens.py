"""Order-independent checksums of the rows of a source table: each row is its number and key, hashed to 64 bits,
and a table's checksum is the sum of its rows' hashes modulo 2^64 (the order and the batching do not matter).

A row's token is the first 8 bytes (little-endian) of the MD5 of ``"<row>|<key>"``, computed by DuckDB over whole
columns (``md5_number``'s low 64 bits; no Python per row) — the same figure :func:`row_token` gives in Python. A
checksum is written ``m5:<16 hex>``. Stores written before kept BLAKE2b tokens, written as bare hex:
:func:`legacy_token` still reads them, so a table loaded then balances until its next load (which writes the new
kind).
"""

from __future__ import annotations

import hashlib
from typing import Any

import duckdb
import pyarrow as pa

_MASK = (1 << 64) - 1
PREFIX = "m5:"


_LOW64 = (1 << 64) - 1


def token_sql(row: str = "src_row", key: str = "src_key") -> str:
    """The SQL of one row's token (an UBIGINT) from its row number and key columns: the low 64 bits of DuckDB's
    ``md5_number`` — the figure ``md5_number_upper`` gives, at a third of its cost (DuckDB 1.4: 0.14 against 0.44 µs
    a row; the books and a delta's source checksum take it over every row of a table)."""
    return f"CAST(md5_number(coalesce(CAST({row} AS VARCHAR), 'None') || '|' || coalesce({key}, '')) & {_LOW64} " \
           "AS UBIGINT)"


def sum_sql(row: str = "src_row", key: str = "src_key") -> str:
    """The SQL of the sum of the tokens of a query's rows (a HUGEINT, 0 without rows)."""
    return f"coalesce(sum({token_sql(row, key)}), 0)"


def row_token(src_row: int | None, key: str | None) -> int:
    """One row's token in Python (what :func:`token_sql` gives)."""
    return int.from_bytes(hashlib.md5(f"{src_row}|{key or ''}".encode()).digest()[:8], "little")


def legacy_token(src_row: int | None, key: str | None) -> int:
    """A row's token as stores written before ``m5`` kept it (BLAKE2b)."""
    digest = hashlib.blake2b(f"{src_row}|{key or ''}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def tokens_of(con: duckdb.DuckDBPyConnection, rows: pa.Array | pa.ChunkedArray, keys: pa.Array) -> int:
    """The sum of the tokens of rows given as Arrow columns (row numbers, keys), computed by DuckDB."""
    _hopnhat_tokens = pa.table({"src_row": rows, "src_key": keys})  # read by DuckDB's scan of this frame's locals
    row = con.execute(f"SELECT {sum_sql()} FROM _hopnhat_tokens").fetchone()
    return int(row[0] if row else 0) & _MASK


def query_sum(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> int:
    """The one number a token-sum query gives, modulo 2^64."""
    row = con.execute(sql, params or []).fetchone()
    return int(row[0] if row and row[0] is not None else 0) & _MASK


def checksum_hex(total: int) -> str:
    return f"{PREFIX}{total & _MASK:016x}"


def is_legacy(checksum: str | None) -> bool:
    """A checksum written with BLAKE2b tokens (before ``m5``)."""
    return bool(checksum) and not str(checksum).startswith(PREFIX)


def checksum_value(checksum: str) -> int:
    return int(checksum.removeprefix(PREFIX), 16)
