"""The tables ``hopnhat units convert`` works on: read by the ingest whole-file reader, written by the writer family.

Reading (:func:`hopnhat.ingest.tables.read_whole`): CSV/TSV by Arrow (all text, fields of any length; DuckDB's
sniffing reader when Arrow cannot), Excel (``.xlsx``, ``.xlsm``, ``.xls``, ``.xlsb``, ``.ods``) by fastexcel straight
into Arrow, Parquet as typed; the file checked first. Writing (:func:`hopnhat.io.writers.write_table`): CSV/TSV,
Parquet, Excel (streamed by XlsxWriter, formula-like text stays text) or JSON, through a temporary file renamed at the
end. :func:`check_hints` checks a ``--hints`` file before any work.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pyarrow as pa

from hopnhat.errors import InputError
from hopnhat.i18n import tr
from hopnhat.ingest.tables import read_whole, require_text_column
from hopnhat.io.excel import EXCEL_MAX_ROWS
from hopnhat.io.inputs import check_input, require_utf8
from hopnhat.io.writers import TABLE_FORMATS
from hopnhat.io.writers import write_table as _write

HINT_COLUMNS = ("old_commune_code", "hamlet", "new_commune_code")

__all__ = ["EXCEL_MAX_ROWS", "TABLE_FORMATS", "check_hints", "read_table", "require_text_column", "write_table"]


def read_table(path: Path) -> pa.Table:
    """CSV/TSV (all columns as text), Parquet or Excel (first sheet, all columns as text) into Arrow."""
    return read_whole(path)


def write_table(table: pa.Table, path: Path) -> None:
    """Write in the format the file name asks for (CSV, TSV, Parquet, Excel or JSON); the folder is made when
    missing (API callers such as the demo); the command line refuses a missing folder before any work."""
    parent = Path(path).parent
    if not parent.exists():
        try:
            parent.mkdir(parents=True, exist_ok=True)
        except OSError:
            pass  # the writer's check names the problem
    _write(table, path)


def check_hints(path: Path) -> Path:
    """A ``--hints`` file: UTF-8 CSV with ``old_commune_code, hamlet, new_commune_code``, every row complete."""
    path = check_input(path, (".csv", ".txt"))
    require_utf8(path, tr("tệp thôn/ấp phải là CSV UTF-8", "the hamlet list must be a UTF-8 CSV"))
    with path.open(encoding="utf-8-sig", newline="") as fh:
        try:
            rows = csv.reader(fh)
            header = [h.strip() for h in next(rows, [])]
            missing = [c for c in HINT_COLUMNS if c not in header]
            if missing:
                raise _bad_hints(path, 1, ", ".join(missing), tr("thiếu cột", "missing column(s)"))
            where = [header.index(c) for c in HINT_COLUMNS]
            for number, row in enumerate(rows, start=2):
                if row and any(i >= len(row) or not row[i].strip() for i in where):
                    raise _bad_hints(path, number, None, tr("dòng thiếu giá trị", "a row lacks a value"))
        except csv.Error as exc:
            raise _bad_hints(path, rows.line_num, None, tr("CSV sai cấu trúc", "malformed CSV")) from exc
    return path


def _bad_hints(path: Path, row: int, column: str | None, why: str) -> InputError:
    return InputError(tr("Tệp thôn/ấp (--hints) không hợp lệ", "The hamlet list (--hints) is not valid"),
                      source=str(path), row=row, column=column, reason=why,
                      hint=tr("tệp CSV có các cột " + ", ".join(HINT_COLUMNS) + ", mỗi dòng đủ ba giá trị",
                              "a CSV with columns " + ", ".join(HINT_COLUMNS) + ", three values on every row"))
