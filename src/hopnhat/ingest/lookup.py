"""``read_lookup``: a small code list shipped beside a source (receiving units → admin codes), keyed by its key column.

Unlike source tables, a lookup is read whole and decoded with its declared encoding (it never goes through the repair
stage): UTF-8, or a legacy Vietnamese encoding (TCVN3, VNI, Windows-1258) turned into Unicode.
"""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path

from hopnhat.errors import InputError
from hopnhat.i18n import tr
from hopnhat.ingest import delimited, excel
from hopnhat.ingest.base import Record
from hopnhat.project.config import Lookup, Project, SourceSpec
from hopnhat.text.legacy import LegacyEncodingError, repair_value

_UTF8 = {"utf-8", "utf8", "utf-8-sig", "ascii"}


def _text(value: str | None, encoding: str) -> str:
    """A cell in its declared encoding (cells were read as UTF-8 or their Windows-1252 view)."""
    if not value or encoding.lower() in _UTF8:
        return value or ""
    try:
        return repair_value(value, encoding)
    except LegacyEncodingError:
        return value


def _records(path: Path) -> tuple[list[str], list[Record]]:
    if path.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
        with ExitStack() as stack:
            sheet = excel.open_sheet(path, None, stack)
            return sheet.read_header(None, None, " - ", []), list(sheet.records())
    reader = delimited.open_delimited(path, None, None, "\t" if path.suffix.lower() == ".tsv" else ",")
    with reader.fh:
        return reader.read_header(None, None, " - ", []), list(reader.records())


def _error(message: str, source: SourceSpec, name: str, path: Path, reason: str | None = None,
           row: int | None = None) -> InputError:
    return InputError(message, source=source.name, table=f"lookup:{name}", row=row, value=str(path), reason=reason)


def _load(source: SourceSpec, name: str, spec: Lookup, path: Path) -> tuple[list[str], list[Record]]:
    if not path.is_file():
        raise _error(tr("Không tìm thấy tệp danh mục", "Lookup file not found"), source, name, path)
    try:
        header, records = _records(path)
    except (delimited.HeaderError, OSError, ValueError, KeyError) as exc:
        raise _error(tr("Không đọc được tệp danh mục", "Cannot read the lookup file"), source, name, path,
                     str(exc)) from exc
    if spec.key not in header:
        raise _error(tr("Tệp danh mục thiếu cột khóa", "The lookup file lacks its key column"), source, name, path,
                     f"key {spec.key!r}; columns: {', '.join(header)}")
    return header, records


def read_lookup(project: Project, source: SourceSpec, name: str) -> dict[str, dict[str, str]]:
    """Key → {column: text} for every row of the lookup (all columns, empty cells as ''). A row that cannot be read,
    or a key given two different rows, is an InputError naming the row."""
    spec = source.lookups.get(name)
    if spec is None:
        raise InputError(tr("Nguồn không khai báo danh mục này", "The source declares no such lookup"),
                         source=source.name, table=f"lookup:{name}", reason=f"declared: {sorted(source.lookups)}")
    path = project.resolve(spec.path)
    header, records = _load(source, name, spec, path)
    out: dict[str, dict[str, str]] = {}
    for rec in records:
        if rec.error:
            raise _error(tr("Dòng danh mục lỗi", "A lookup row is broken"), source, name, path, rec.error, rec.row)
        row = {col: _text((rec.values or {}).get(col), spec.encoding) for col in header}
        key = row[spec.key].strip()
        if key in out and out[key] != row:
            raise _error(tr("Khóa danh mục bị trùng", "A lookup key is repeated"), source, name, path,
                         f"key {key!r} has two different rows", rec.row)
        out[key] = row
    return out
