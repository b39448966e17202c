"""The one writer family: Arrow tables or rows to CSV/TSV, Excel (.xlsx), Parquet or JSON/NDJSON.

Every writer checks its output first (:func:`hopnhat.io.outputs.check_output`: never an input, folder there and
writable, room on the disk), writes a temporary file beside it and renames it at the end — a failure never leaves
half a file. Excel follows the formula-safe policy of :mod:`hopnhat.io.excel`. JSON never holds ``Infinity`` or
``NaN`` (not JSON): a table's NaN or infinite floats are written ``null``, as JavaScript's ``JSON.stringify`` does;
a document holding one is refused by :func:`json_bytes`.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hopnhat.errors import OutputError
from hopnhat.i18n import tr
from hopnhat.io.excel import EXCEL_MAX_CELL, EXCEL_MAX_ROWS, EXCEL_OPTIONS, cell_too_long, too_many_rows, write_sheet
from hopnhat.io.outputs import atomic_output, check_output

if TYPE_CHECKING:
    import pyarrow as pa

TABLE_FORMATS = {".csv": "csv", ".txt": "csv", ".tsv": "tsv", ".parquet": "parquet", ".xlsx": "xlsx",
                 ".json": "json", ".ndjson": "ndjson", ".jsonl": "ndjson"}
ROW_FORMATS = {".csv": "csv", ".txt": "csv", ".xlsx": "xlsx"}
_EXCEL_BATCH = 50_000


def _estimate(table: pa.Table) -> int:
    return int(table.nbytes * 1.2)


# --- Arrow tables --------------------------------------------------------------------------------------------------

def _as_text(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """A nested or binary column as text (JSON for lists, structs and maps) for CSV and Excel."""
    import pyarrow as pa

    kind = column.type
    if pa.types.is_dictionary(kind):
        return _as_text(column.cast(kind.value_type))
    if pa.types.is_nested(kind):
        return pa.chunked_array([pa.array([None if v is None else json.dumps(v, ensure_ascii=False, default=str)
                                           for v in column.to_pylist()], pa.string())])
    if pa.types.is_binary(kind) or pa.types.is_large_binary(kind) or pa.types.is_fixed_size_binary(kind):
        return pa.chunked_array([pa.array([None if v is None else v.decode("utf-8", errors="replace")
                                           for v in column.to_pylist()], pa.string())])
    return column


def flat_for_text(table: pa.Table) -> pa.Table:
    """Every column writable as a cell: nested and binary columns become text."""
    import pyarrow as pa

    columns = [_as_text(c) for c in table.columns]
    if all(a is b for a, b in zip(columns, table.columns)):
        return table
    return pa.table(columns, names=table.column_names)


def _write_csv(table: pa.Table, path: Path, delimiter: str) -> None:
    import pyarrow.csv as pacsv

    options = pacsv.WriteOptions(delimiter=delimiter, quoting_style="needed")
    pacsv.write_csv(flat_for_text(table), path, options)


def _write_parquet(table: pa.Table, path: Path) -> None:
    import pyarrow.parquet as pq

    pq.write_table(table, path)


def _check_cells(table: pa.Table, target: Path) -> None:
    import pyarrow as pa
    import pyarrow.compute as pc

    for name, column in zip(table.column_names, table.columns):
        if not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)) or not len(column):
            continue
        lengths = pc.utf8_length(column)
        longest = pc.max(lengths).as_py()
        if longest is not None and longest > EXCEL_MAX_CELL:
            row = pc.index(lengths, longest).as_py()
            raise cell_too_long(target, row + 2, name, longest)


def check_excel_fit(table: pa.Table, target: Path) -> pa.Table:
    """The table as Excel will get it (nested columns as text), refused if a sheet cannot hold it: more rows than a
    sheet has, or a cell longer than a cell holds. Call it before long work whose result goes to an .xlsx."""
    if table.num_rows + 1 > EXCEL_MAX_ROWS:
        raise too_many_rows(target, table.num_rows)
    table = flat_for_text(table)
    _check_cells(table, target)
    return table


def _write_xlsx(table: pa.Table, path: Path, target: Path) -> None:
    import xlsxwriter

    table = check_excel_fit(table, target)
    book = xlsxwriter.Workbook(str(path), EXCEL_OPTIONS)
    try:
        sheet = book.add_worksheet("hopnhat")
        sheet.write_row(0, 0, table.column_names, book.add_format({"bold": True}))
        sheet.freeze_panes(1, 0)
        for start in range(0, table.num_rows, _EXCEL_BATCH):
            batch = table.slice(start, _EXCEL_BATCH)
            for offset, row in enumerate(zip(*(c.to_pylist() for c in batch.columns))):
                sheet.write_row(start + offset + 1, 0, [_excel_value(v) for v in row] if _odd(row) else row)
    finally:
        book.close()


def _odd(row: tuple[Any, ...]) -> bool:
    """A row holding a value XlsxWriter cannot take as it is (NaN, timezone-aware time)."""
    return any(isinstance(v, float) and not math.isfinite(v) or getattr(v, "tzinfo", None) is not None for v in row)


def _excel_value(value: Any) -> Any:
    from hopnhat.io.excel import cell_value

    if isinstance(value, float) and math.isinf(value):
        return str(value)
    return cell_value(value)


def _finite(value: Any) -> Any:
    return None if isinstance(value, float) and not math.isfinite(value) else value


def _write_json(table: pa.Table, path: Path, lines: bool) -> None:
    with path.open("w", encoding="utf-8") as fh:
        if lines:
            for batch in table.to_batches(_EXCEL_BATCH):
                for record in batch.to_pylist():
                    fh.write(_dumps({k: _finite(v) for k, v in record.items()}) + "\n")
            return
        fh.write("[")
        first = True
        for batch in table.to_batches(_EXCEL_BATCH):
            for record in batch.to_pylist():
                fh.write(("\n" if first else ",\n") + _dumps({k: _finite(v) for k, v in record.items()}))
                first = False
        fh.write("\n]\n")


def _dumps(value: Any, indent: int | None = None) -> str:
    return json.dumps(value, ensure_ascii=False, allow_nan=False, default=str, indent=indent)


def write_table(table: pa.Table, path: Path | str, inputs: Sequence[Path | str] = (), checked: bool = False) -> None:
    """Write ``table`` in the format its extension asks for (.csv .txt .tsv .parquet .xlsx .json .ndjson .jsonl).
    ``checked``: the caller already ran :func:`check_output` before its work (it still is atomic)."""
    path = Path(path)
    fmt = TABLE_FORMATS.get(path.suffix.lower())
    if not checked or fmt is None:
        check_output(path, inputs, TABLE_FORMATS, _estimate(table))
    with atomic_output(path) as temporary:
        if fmt in ("csv", "tsv"):
            _write_csv(table, temporary, "\t" if fmt == "tsv" else ",")
        elif fmt == "parquet":
            _write_parquet(table, temporary)
        elif fmt == "xlsx":
            _write_xlsx(table, temporary, path)
        else:
            _write_json(table, temporary, lines=fmt == "ndjson")


# --- rows ----------------------------------------------------------------------------------------------------------

def write_rows(path: Path | str, header: Sequence[str], rows: Iterable[Sequence[Any]], sheet: str = "Sheet1",
               inputs: Sequence[Path | str] = ()) -> int:
    """Python rows to CSV (UTF-8 with BOM, so Excel opens Vietnamese text right) or Excel (.xlsx); returns the rows
    written. Used by the quarantine and review exports."""
    path = check_output(path, inputs, ROW_FORMATS)
    with atomic_output(path) as temporary:
        if ROW_FORMATS[path.suffix.lower()] == "xlsx":
            return write_sheet(temporary, header, rows, sheet)
        count = 0
        with temporary.open("w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(header)
            for count, row in enumerate(rows, start=1):  # noqa: B007 - count is the result
                writer.writerow(row)
        return count


# --- JSON documents ------------------------------------------------------------------------------------------------

def json_bytes(value: Any, indent: int | None = None, where: str | None = None) -> bytes:
    """UTF-8 JSON text of ``value``; a value JSON cannot hold (``Infinity``, ``NaN``, a lone surrogate) is refused
    with an OutputError naming ``where``."""
    try:
        return _dumps(value, indent).encode("utf-8")
    except ValueError as exc:
        if isinstance(exc, UnicodeEncodeError):
            reason = tr("một chuỗi chứa ký tự thay thế lẻ (\\ud800…)", "a string holds a lone surrogate (\\ud800…)")
        else:
            reason = tr("có số vô hạn hoặc NaN, JSON không biểu diễn được",
                        "it holds an infinite number or NaN, which JSON cannot express")
        raise OutputError(tr("Không ghi được JSON hợp lệ", "Cannot write valid JSON"), source=where,
                          reason=reason) from exc
