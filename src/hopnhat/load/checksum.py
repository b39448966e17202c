"""Order-independent checksums of the unified tables, comparable across stores (DuckDB file, PostgreSQL).

Each row is written canonically (NULL, ISO dates, floats rounded to 6 places), hashed (BLAKE2b, 64 bits), and the
hashes are summed modulo 2^64 with the row count beside: the order of rows does not matter, a lost, added or changed
row does. Run ids, timestamps and explanations in words (whose language is the user's) are left out, so a clean
run and a crashed-then-resumed one compare equal.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from hopnhat.load.store import quote
from hopnhat.load.storedb import StoreReader
from hopnhat.model.schema import ENTITIES

SKIP_COLUMNS = {"run_id", "loaded_at", "finished_at", "started_at", "decided_at", "generated_at", "created_at"}


def skipped(column: str) -> bool:
    """Run ids, timestamps and the explanations written in the user's language (vi/en) are not data."""
    return column in SKIP_COLUMNS or column in ("message", "reason") or column.endswith("_reason")
EXTRA_TABLES = ("quarantine", "merged_rows", "repairs", "cell_issues", "review_items", "golden_person",
                "golden_organization", "golden_parcel", "golden_ids")
_MASK = (1 << 64) - 1


def canonical(value: Any) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, float):
        return repr(round(value, 6))
    if isinstance(value, datetime):
        return value.replace(tzinfo=None).isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def row_digest(row: Sequence[Any]) -> int:
    blob = "\x1f".join(canonical(v) for v in row).encode("utf-8", "surrogatepass")
    return int.from_bytes(hashlib.blake2b(blob, digest_size=8).digest(), "big")


def table_checksum(rows: Iterable[Sequence[Any]]) -> tuple[int, str]:
    count, total = 0, 0
    for row in rows:
        count += 1
        total = (total + row_digest(row)) & _MASK
    return count, f"{total:016x}"


def checksum_tables(existing: Iterable[str]) -> list[str]:
    have = set(existing)
    return [t for t in (*ENTITIES, *EXTRA_TABLES) if t in have]


def store_checksums(reader: StoreReader) -> dict[str, tuple[int, str]]:
    """Row count and checksum of each unified table of a store (DuckDB or PostgreSQL: same tables, same figures)."""
    tables = reader.tables("main")
    out = {}
    for table in checksum_tables(tables):
        cols = sorted(c for c in tables[table] if not skipped(c))
        out[table] = table_checksum(reader.iterate(f"SELECT {', '.join(quote(c) for c in cols)} FROM {quote(table)}"))
    return out
