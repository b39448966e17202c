"""The files ledger: every file reference with its lineage and outcome, every stored content, and the books.

One SQLite database beside the file store (``files.sqlite``). A reference is one file a record points to — source,
table, row, column, the original path and name (and the name repaired) — with its outcome: ``stored`` (the first
accepted reference of a content), ``duplicate`` (a content already stored, from this source or another) or
``quarantined`` (with its reason). A reference is recorded once: a run that meets it again skips it, so a run is
resumable and idempotent. The books per source: referenced = stored + duplicate + quarantined, in files and bytes.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS file_ref (
    source TEXT NOT NULL, tbl TEXT NOT NULL, row TEXT NOT NULL, col TEXT NOT NULL, original_path TEXT NOT NULL,
    name TEXT NOT NULL, name_repaired TEXT NOT NULL, sha256 TEXT, size INTEGER NOT NULL DEFAULT 0,
    kind TEXT, mime TEXT, outcome TEXT NOT NULL CHECK (outcome IN ('stored', 'duplicate', 'quarantined')),
    reason TEXT, at TEXT NOT NULL DEFAULT (datetime('now')),
    PRIMARY KEY (source, tbl, row, col, original_path)
);
CREATE INDEX IF NOT EXISTS file_ref_sha ON file_ref (sha256);
CREATE TABLE IF NOT EXISTS file_object (
    sha256 TEXT PRIMARY KEY, size INTEGER NOT NULL, kind TEXT, mime TEXT
);
"""


@dataclass(frozen=True)
class Ref:
    """Where a file reference comes from (its lineage)."""

    source: str
    table: str
    row: str
    column: str
    original_path: str


@dataclass(frozen=True)
class Books:
    """One source's file books (counts and bytes); ``balanced`` when referenced = stored + duplicate + quarantined."""

    source: str
    referenced: int
    stored: int
    duplicate: int
    quarantined: int
    referenced_bytes: int
    stored_bytes: int
    duplicate_bytes: int
    quarantined_bytes: int

    @property
    def balanced(self) -> bool:
        return (self.referenced == self.stored + self.duplicate + self.quarantined
                and self.referenced_bytes == self.stored_bytes + self.duplicate_bytes + self.quarantined_bytes)


class Ledger:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(SCHEMA)

    def close(self) -> None:
        self.db.close()

    def known(self, ref: Ref) -> bool:
        row = self.db.execute("SELECT 1 FROM file_ref WHERE source=? AND tbl=? AND row=? AND col=? AND original_path=?",
                              (ref.source, ref.table, ref.row, ref.column, ref.original_path)).fetchone()
        return row is not None

    def accepted(self, sha256: str) -> bool:
        """Whether an accepted reference already holds this content (the next one is a duplicate)."""
        return self.db.execute("SELECT 1 FROM file_ref WHERE sha256=? AND outcome<>'quarantined' LIMIT 1",
                               (sha256,)).fetchone() is not None

    def record(self, ref: Ref, *, name: str, repaired: str, sha256: str | None, size: int, kind: str | None,
               mime: str | None, outcome: str, reason: str | None = None) -> None:
        """Record one reference (in the open transaction: :meth:`commit` ends it, once its files are on disk)."""
        if sha256 is not None and outcome != "quarantined":
            self.db.execute("INSERT OR IGNORE INTO file_object VALUES (?, ?, ?, ?)", (sha256, size, kind, mime))
        self.db.execute("INSERT INTO file_ref (source, tbl, row, col, original_path, name, name_repaired, sha256, "
                        "size, kind, mime, outcome, reason) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                        (ref.source, ref.table, ref.row, ref.column, ref.original_path, name, repaired, sha256,
                         size, kind, mime, outcome, reason))

    def commit(self) -> None:
        self.db.commit()

    def books(self) -> list[Books]:
        rows = self.db.execute(
            "SELECT source, count(*), sum(outcome='stored'), sum(outcome='duplicate'), sum(outcome='quarantined'), "
            "sum(size), sum(CASE WHEN outcome='stored' THEN size ELSE 0 END), "
            "sum(CASE WHEN outcome='duplicate' THEN size ELSE 0 END), "
            "sum(CASE WHEN outcome='quarantined' THEN size ELSE 0 END) FROM file_ref GROUP BY source ORDER BY source")
        return [Books(*row) for row in rows]

    def objects(self) -> list[tuple[str, int]]:
        return list(self.db.execute("SELECT sha256, size FROM file_object ORDER BY sha256"))

    def quarantine(self) -> list[tuple[str, str, str, str, str, str]]:
        """(source, table, row, column, original path, reason) of every refused reference."""
        return list(self.db.execute("SELECT source, tbl, row, col, original_path, reason FROM file_ref "
                                    "WHERE outcome='quarantined' ORDER BY source, tbl, row, col"))

    def links(self, source: str, table: str, row: str) -> list[tuple[str, str, str | None, str | None]]:
        """(column, repaired name, sha256, kind) of the files one record references (its attachments)."""
        return list(self.db.execute("SELECT col, name_repaired, sha256, kind FROM file_ref WHERE source=? AND tbl=? "
                                    "AND row=? ORDER BY col, original_path", (source, table, row)))
