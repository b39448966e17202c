"""The file store as the web app reads it: a record's attachments (from the ledger, opened read-only) and their bytes.

An attachment is what the ledger knows of one reference of a record — its column, repaired name, kind, size,
outcome (a quarantined reference is listed with its reason but never served) — plus two judgements the app acts
on: whether it is an identity scan (only roles allowed to see identity papers may open it) and how a browser can
preview it offline (its own PDF viewer, or an ``<img>``). Nothing here writes: a project without files has no
ledger, and then no attachments.
"""

from __future__ import annotations

import sqlite3
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import BinaryIO

from hopnhat.files.store import FileStore, FolderStore
from hopnhat.project.config import Project

# words (unaccented, lower case) that mark a scan of an identity paper in a column, table or file name
IDENTITY_WORDS = ("cccd", "cmnd", "cancuoc", "can_cuoc", "can cuoc", "chungminh", "chung_minh", "chung minh",
                  "hochieu", "ho_chieu", "ho chieu", "passport", "id_card", "idcard", "identity", "dinh danh")
PREVIEW = {"application/pdf": "pdf", "image/jpeg": "image", "image/png": "image", "image/gif": "image",
           "image/webp": "image", "image/bmp": "image"}


def _folded(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def is_identity_scan(table: str, column: str, name: str) -> bool:
    """Whether a file is a scan of an identity paper (CCCD, CMND, passport…), by its column, table or name."""
    text = _folded(f"{table} {column} {name}")
    return any(word in text for word in IDENTITY_WORDS)


@dataclass(frozen=True)
class Attachment:
    """One file a record references, as the app shows it."""

    source: str
    table: str
    row: str
    column: str
    name: str
    sha256: str | None
    kind: str | None
    mime: str | None
    size: int
    outcome: str
    reason: str | None

    @property
    def served(self) -> bool:
        return self.outcome != "quarantined" and self.sha256 is not None

    @property
    def identity(self) -> bool:
        return is_identity_scan(self.table, self.column, self.name)

    @property
    def preview(self) -> str | None:
        """``pdf`` or ``image`` when a browser shows it without any plug-in; else None (downloaded)."""
        return PREVIEW.get(self.mime or "") if self.served else None


class FileShelf:
    """The project's file ledger and store, read-only."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.root = project.resolve(project.config.files.path)
        self.ledger_path = self.root / "files.sqlite"

    def _connect(self) -> sqlite3.Connection | None:
        if not self.ledger_path.is_file():
            return None
        return sqlite3.connect(f"file:{self.ledger_path}?mode=ro", uri=True)

    def attachments(self, records: Iterable[tuple[str, str, Iterable[str]]]) -> list[Attachment]:
        """The attachments of records given as (source, table, keys the ledger may know them by)."""
        con = self._connect()
        if con is None:
            return []
        out: list[Attachment] = []
        try:
            for source, table, keys in records:
                for key in dict.fromkeys(k for k in keys if k):
                    rows = con.execute(
                        "SELECT source, tbl, row, col, name_repaired, sha256, kind, mime, size, outcome, reason "
                        "FROM file_ref WHERE source=? AND tbl=? AND row=? ORDER BY col, original_path",
                        (source, table, key)).fetchall()
                    out.extend(Attachment(*r) for r in rows)
        finally:
            con.close()
        return out

    def store(self) -> FileStore:
        s3 = self.project.config.files.s3
        if s3 is None:
            return FolderStore(self.root)
        from hopnhat.files.s3store import S3Store  # boto3 loaded only by the projects that use a bucket

        return S3Store(s3)

    def open(self, sha256: str) -> BinaryIO:
        return self.store().open(sha256)

