"""The freeze: a legacy source's final snapshot, as checksums, and what changed since.

A file source (CSV, Excel, NDJSON, …) is frozen as the SHA-256 and size of every file its tables and lookups read.
A database source (SQLite, PostgreSQL, MySQL/MariaDB) is frozen per table: the number of rows and an
order-independent checksum of their raw text, read through the ingest readers exactly as a run reads them (so a
database file rewritten without a change of content — a vacuum — is not a change, and a row changed is).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from hopnhat.ingest.api import read_table
from hopnhat.ingest.dbf import memo_path
from hopnhat.project.config import FILE_KINDS, Project, SourceSpec

_SKIP = ("_row", "_item")  # positions, not content: a database read may number rows in another order
_MASK = (1 << 64) - 1


def file_digest(path: Path) -> dict[str, Any]:
    """SHA-256 and size of one file (streamed)."""
    h = hashlib.sha256()
    size = 0
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
            size += len(chunk)
    return {"sha256": h.hexdigest(), "size": size}


def _source_files(project: Project, source: SourceSpec) -> list[Path]:
    paths = [project.resolve(t.path) for t in source.tables if t.path]
    if source.kind == "dbf":  # a DBF's memos live in the .fpt/.dbt beside it
        paths += [m for m in (memo_path(p) for p in paths) if m is not None]
    paths += [project.resolve(lookup.path) for lookup in source.lookups.values()]
    return sorted(set(paths))


def _table_digest(project: Project, source: SourceSpec, table_name: str) -> dict[str, Any]:
    table = next(t for t in source.tables if t.name == table_name)
    total, rows = 0, 0
    for batch in read_table(project, source, table):
        names = [n for n in batch.column_names if n not in _SKIP]
        columns = [batch.column(n).to_pylist() for n in names]
        for values in zip(*columns, strict=True):
            blob = "\x1f".join("\x00" if v is None else str(v) for v in values).encode("utf-8", "surrogatepass")
            total = (total + int.from_bytes(hashlib.blake2b(blob, digest_size=8).digest(), "big")) & _MASK
            rows += 1
    return {"rows": rows, "checksum": f"{total:016x}"}


def snapshot(project: Project, source: SourceSpec) -> dict[str, dict[str, Any]]:
    """What the source holds now: ``file:<path>`` → digest, or ``table:<name>`` → rows and checksum."""
    if source.kind in FILE_KINDS:
        return {f"file:{_relative(project, p)}": file_digest(p) for p in _source_files(project, source)}
    return {f"table:{t.name}": _table_digest(project, source, t.name) for t in source.tables}


def _relative(project: Project, path: Path) -> str:
    try:
        return str(path.relative_to(project.base))
    except ValueError:
        return str(path)


def differences(frozen: dict[str, dict[str, Any]], now: dict[str, dict[str, Any]]) -> list[str]:
    """Each item that is not as frozen: ``name: frozen → now`` (empty: the source has not changed)."""
    out = []
    for name in sorted(set(frozen) | set(now)):
        before, after = frozen.get(name), now.get(name)
        if before != after:
            out.append(f"{name}: {_short(before)} → {_short(after)}")
    return out


def _short(item: dict[str, Any] | None) -> str:
    if item is None:
        return "missing"
    if "sha256" in item:
        return f"{item['size']} bytes, sha256 {item['sha256'][:12]}"
    return f"{item['rows']} rows, checksum {item['checksum']}"
