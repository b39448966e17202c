"""The data files of a folder and their kind, from their first bytes (never the extension alone)."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from hopnhat.i18n import tr
from hopnhat.io.inputs import HEAD_BYTES, os_reason, sniff

SQLITE_MAGIC = b"SQLite format 3\x00"
_DOCUMENTS = (b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"II*\x00", b"MM\x00*", b"{\\rtf")
_MEMOS = (".fpt", ".dbt")  # a FoxPro / dBase table's memo fields, beside it
_NOT_DATA = (".yaml", ".yml", ".md", ".py", ".html", ".htm", ".xhtml", ".svg", ".log")


@dataclass(frozen=True)
class Found:
    """A file of the folder: its kind (csv, excel, ndjson, json, xml, parquet, dbf, sqlite) or why it is
    skipped."""

    path: Path
    kind: str | None
    reason: str | None = None
    document: bool = False  # a PDF, an image…: a record's attachment, not a table


def data_files(root: Path, skip: frozenset[Path] = frozenset(), own: Mapping[Path, str] | None = None
               ) -> Iterator[Found]:
    """Every file under ``root`` (hidden ones and ``skip`` aside), in path order, with its kind or the reason it is
    skipped. ``own``: hopnhat's own outputs (resolved path → why; :mod:`hopnhat.scan.own`), each listed once as
    skipped — a folder of them as one entry, never walked."""
    own = own or {}
    for path in _walk(root, own):
        if path.resolve() in skip:
            continue
        reason = own.get(path.resolve())
        yield Found(path, None, reason) if reason else kind_of(path)


def _walk(folder: Path, own: Mapping[Path, str]) -> Iterator[Path]:
    """The files under ``folder`` in path order, hidden ones aside; a folder in ``own`` is given as itself."""
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_dir() and not entry.is_symlink() and entry.resolve() not in own:
            yield from _walk(entry, own)
        elif entry.is_file() or entry.is_symlink() or entry.resolve() in own:
            yield entry


def kind_of(path: Path) -> Found:
    """The file's kind from its first bytes (:func:`hopnhat.io.inputs.sniff`), or why it is no table."""
    try:
        with path.open("rb") as fh:
            head = fh.read(HEAD_BYTES)
    except OSError as exc:
        return Found(path, None, os_reason(exc))
    if not head.strip(b" \t\r\n\xef\xbb\xbf"):
        return Found(path, None, tr("tệp rỗng", "an empty file"))
    return _by_content(path, head)


def _by_content(path: Path, head: bytes) -> Found:
    if head.startswith(SQLITE_MAGIC):
        return Found(path, "sqlite")
    if head[8:12] == b"DUCK":
        return Found(path, None, tr("tệp DuckDB: chưa là một loại nguồn của merger.yaml (xuất ra Parquet/CSV)",
                                    "a DuckDB file: not a merger.yaml source kind yet (export it to Parquet/CSV)"))
    if head.startswith(_DOCUMENTS):
        return Found(path, None, tr("tài liệu hoặc ảnh, không phải bảng", "a document or image, not a table"),
                     document=True)
    found = sniff(head)
    if found == "zip":
        return _zip(path)
    if found in ("ole", "parquet", "dbf"):
        return Found(path, {"ole": "excel"}.get(found, found))
    if path.suffix.lower() in _MEMOS and any(path.with_suffix(s).is_file() for s in (".dbf", ".DBF")):
        return Found(path, None, tr("tệp memo của bảng .dbf cùng tên (đọc cùng bảng)",
                                    "the memo file of the .dbf of the same name (read with it)"))
    if found == "binary":
        return Found(path, None, tr("dữ liệu nhị phân không rõ loại", "binary data of no known kind"))
    if path.suffix.lower() in _NOT_DATA:
        return Found(path, None, tr("tệp văn bản không phải dữ liệu", "a text file that is not data"))
    if found == "xml":
        return Found(path, "xml")
    return Found(path, _json_kind(head) if found == "json" else "csv")


def _zip(path: Path) -> Found:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError):
        return Found(path, None, tr("tệp ZIP hỏng", "a damaged ZIP file"))
    if "xl/workbook.xml" in names:
        return Found(path, "excel")
    return Found(path, None, tr("tệp nén ZIP, không phải bảng tính .xlsx", "a ZIP archive, not an .xlsx workbook"),
                 document=any(n.startswith(("word/", "ppt/")) for n in names))


def _json_kind(head: bytes) -> str:
    """``ndjson`` when the first line is a whole JSON object (one record a line), else ``json``."""
    first = head.lstrip(b"\xef\xbb\xbf \t\r\n").split(b"\n", 1)[0]
    try:
        return "ndjson" if isinstance(json.loads(first), dict) else "json"
    except (ValueError, RecursionError):  # not one whole object, or nested too deep to tell: the reader will say
        return "json"
