"""The file store as the web app reads it: a record's attachments (from the ledger, opened read-only) and their bytes.

An attachment is what the ledger knows of one reference of a record — its column, repaired name, kind, size,
outcome (a quarantined reference is listed with its reason but never served) — plus two judgements the app acts
on: whether it is an identity scan (only roles allowed to see identity papers may open it) and how a browser can
preview it offline (its own PDF viewer, or an ``<img>``). Nothing here writes: a project without files has no
ledger, and then no attachments.

Which files are identity scans is declared in the merger file (``files.identity_scans``: a source, a table, a column
or a folder). The older rule — a word such as CCCD, CMND, căn cước, hộ chiếu in the column, table or file name — stays
on by default (``files.identity_by_name``) because a scan nobody declared would otherwise be served to every role:
refusing a file too many is undone by a declaration, serving one too many cannot be undone. A file caught by the
words alone is logged as a warning naming the declaration that would cover it. A content is an identity scan when
any reference to it is one (the same scan held by both provinces, declared in one of them only).
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from hopnhat.errors import OutputError
from hopnhat.files.store import CHUNK, FileStore, FolderStore
from hopnhat.i18n import tr
from hopnhat.project.config import FilesSpec, IdentityScans, Project

log = logging.getLogger(__name__)


class ContentChanged(OutputError):
    """A stored content's bytes no longer hash to its address (changed or damaged in the store since it was taken)."""

# words (unaccented, lower case) that mark a scan of an identity paper in a column, table or file name
IDENTITY_WORDS = ("cccd", "cmnd", "cancuoc", "can_cuoc", "can cuoc", "chungminh", "chung_minh", "chung minh",
                  "hochieu", "ho_chieu", "ho chieu", "passport", "id_card", "idcard", "identity", "dinh danh")
PREVIEW = {"application/pdf": "pdf", "image/jpeg": "image", "image/png": "image", "image/gif": "image",
           "image/webp": "image", "image/bmp": "image"}


def _folded(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def is_identity_scan(table: str, column: str, name: str) -> bool:
    """Whether a file's column, table or name says it is a scan of an identity paper (CCCD, CMND, passport…)."""
    text = _folded(f"{table} {column} {name}")
    return any(word in text for word in IDENTITY_WORDS)


def _folder_of(path: str) -> str:
    """A path as a folder prefix is compared: forward slashes, no leading ``./`` or ``/``, case folded."""
    text = path.replace("\\", "/").strip()
    while text.startswith(("./", "/")):
        text = text[2:] if text.startswith("./") else text[1:]
    return text.rstrip("/").casefold()


def _declares(entry: IdentityScans, source: str, table: str, column: str, path: str) -> bool:
    if entry.source != source or (entry.table is not None and entry.table != table):
        return False
    if entry.column is not None and entry.column != column:
        return False
    if entry.folder is None:
        return True
    folder = _folder_of(entry.folder)
    return _folder_of(path).startswith(folder + "/")


@dataclass(frozen=True)
class IdentityRule:
    """Which references are identity scans: declared in ``files.identity_scans``, or (when ``by_name``) named so."""

    declared: tuple[IdentityScans, ...] = ()
    by_name: bool = True

    @classmethod
    def of(cls, files: FilesSpec) -> IdentityRule:
        return cls(tuple(files.identity_scans), files.identity_by_name)

    def why(self, source: str, table: str, column: str, path: str, name: str) -> str | None:
        """``declared``, ``named`` (by the words alone) or None (not an identity scan)."""
        if any(_declares(e, source, table, column, path) for e in self.declared):
            return "declared"
        if self.by_name and is_identity_scan(table, column, name):
            return "named"
        return None

    def named_only(self, refs: Iterable[tuple[str, str, str, str, str]]) -> Counter[tuple[str, str, str]]:
        """(source, table, column) → how many of ``refs`` (source, table, column, path, name) are identity scans by
        their name alone: what ``files.identity_scans`` should declare."""
        return Counter((s, t, c) for s, t, c, p, n in refs if self.why(s, t, c, p, n) == "named")


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
    original_path: str = ""
    identity: bool = field(default=False, compare=False)  # this content is an identity scan (by any reference)

    @property
    def served(self) -> bool:
        return self.outcome != "quarantined" and self.sha256 is not None

    @property
    def preview(self) -> str | None:
        """``pdf`` or ``image`` when a browser shows it without any plug-in; else None (downloaded)."""
        return PREVIEW.get(self.mime or "") if self.served else None


def _attachment(row: tuple[Any, ...], identity: bool) -> Attachment:
    source, table, key, column, name, sha256, kind, mime, size, outcome, reason, path = row
    return Attachment(source, table, key, column, name, sha256, kind, mime, size, outcome, reason, path, identity)


class FileShelf:
    """The project's file ledger and store, read-only."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.root = project.resolve(project.config.files.path)
        self.ledger_path = self.root / "files.sqlite"
        self.rule = IdentityRule.of(project.config.files)

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
                        "SELECT source, tbl, row, col, name_repaired, sha256, kind, mime, size, outcome, reason, "
                        "original_path FROM file_ref WHERE source=? AND tbl=? AND row=? ORDER BY col, original_path",
                        (source, table, key)).fetchall()
                    out.extend(_attachment(r, self._identity(con, r[5])) for r in rows)
        finally:
            con.close()
        return out

    def _identity(self, con: sqlite3.Connection, sha256: str | None) -> bool:
        """Whether any reference to this content is an identity scan (a content without a hash is never served)."""
        if sha256 is None:
            return False
        refs = con.execute("SELECT source, tbl, col, original_path, name_repaired FROM file_ref WHERE sha256=?",
                           (sha256,)).fetchall()
        whys = [self.rule.why(*ref) for ref in refs]
        if "named" in whys and "declared" not in whys:
            log.warning("identity scan recognised by its name only (declare it in files.identity_scans): %s",
                        "; ".join(f"source={r[0]} table={r[1]} column={r[2]} path={r[3]}"
                                  for r, why in zip(refs, whys, strict=True) if why == "named"))
        return any(why is not None for why in whys)

    def store(self) -> FileStore:
        s3 = self.project.config.files.s3
        if s3 is None:
            return FolderStore(self.root)
        from hopnhat.files.s3store import S3Store  # boto3 loaded only by the projects that use a bucket

        return S3Store(s3)

    def open(self, sha256: str) -> BinaryIO:
        return self.store().open(sha256)


    def read_verified(self, sha256: str) -> Iterator[bytes]:
        """The bytes of a stored content, re-hashed on the way out. The last chunk read is held back until the whole
        content hashed to its address, so a content that changed in the store is never delivered whole — and one
        of a single chunk (1 MiB: most scans) not at all, the error coming before the first byte. Raises
        :class:`ContentChanged` (and ``FileNotFoundError`` when the content vanished)."""
        digest, held = hashlib.sha256(), b""
        with self.open(sha256) as stream:
            while data := stream.read(CHUNK):
                digest.update(data)
                if held:
                    yield held
                held = data
        if digest.hexdigest() != sha256:
            raise ContentChanged(tr("Tệp trong kho đã bị thay đổi, không gửi đi",
                                    "A stored file changed; it is not sent"), value=sha256,
                                 reason=f"SHA-256 {digest.hexdigest()}",
                                 hint=tr("chạy hopnhat files verify", "run hopnhat files verify"))
        if held:
            yield held
