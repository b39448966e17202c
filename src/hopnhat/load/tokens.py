"""Order-independent checksums of the rows of a source table: each row is its number and key, hashed to 64 bits,
and a table's checksum is the sum of its rows' hashes modulo 2^64 (the order and the batching do not matter)."""

from __future__ import annotations

import hashlib

_MASK = (1 << 64) - 1


def row_token(src_row: int | None, key: str | None) -> int:
    """One row's contribution to an order-independent checksum (row number + key)."""
    digest = hashlib.blake2b(f"{src_row}|{key or ''}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def checksum_hex(total: int) -> str:
    return f"{total & _MASK:016x}"
