"""Reading and writing the tables ``hopnhat units convert`` works on: CSV/TSV, Parquet and Excel, through Arrow.

CSV is read with Arrow's reader, every column as text so that leading zeros survive (``007``), empty fields as
missing. A file Arrow cannot take (another delimiter it was not told, a ragged line, a repeated column name) is read
again with DuckDB's sniffing reader, as before; a file neither can read is an :class:`~hopnhat.errors.InputError`
that names it. Writing goes through Arrow too (DuckDB would load pandas, a second of start-up for nothing).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pyarrow as pa

from hopnhat.errors import InputError

_TEXT = (".csv", ".tsv", ".txt")
_DELIMITERS = (",", ";", "\t", "|")


def read_table(path: Path) -> pa.Table:
    """CSV/TSV (all columns as text), Parquet or Excel (.xlsx, first sheet) into Arrow."""
    if not path.is_file():
        raise InputError("input file not found", source=str(path))
    suffix = path.suffix.lower()
    try:
        if suffix in _TEXT:
            return _read_text(path, "\t" if suffix == ".tsv" else None)
        if suffix == ".parquet":
            import pyarrow.parquet as pq

            return pq.read_table(path)
        if suffix in (".xlsx", ".xlsm"):
            return _read_excel(path)
    except (pa.ArrowException, UnicodeDecodeError, OSError, ValueError) as exc:
        raise _unreadable(path, exc) from exc
    raise InputError("unsupported file type (use .csv, .tsv, .parquet or .xlsx)", source=str(path))


def _unreadable(path: Path, exc: Exception) -> InputError:
    return InputError("cannot read input file", source=str(path),
                      reason=f"{exc} (not UTF-8? run `hopnhat repair` first)")


def _read_text(path: Path, delimiter: str | None) -> pa.Table:
    try:
        return _read_text_arrow(path, delimiter)
    except (pa.ArrowException, ValueError, UnicodeDecodeError):
        return _read_text_duckdb(path)


def _header(path: Path, delimiter: str | None) -> tuple[list[str], str]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        first = fh.readline()
    if delimiter is None:  # the delimiter the header line uses most
        delimiter = max(_DELIMITERS, key=lambda d: (first.count(d), d == ","))
    names = next(csv.reader(io.StringIO(first), delimiter=delimiter), [])
    if not names or len(set(names)) != len(names) or not all(names):
        raise ValueError("header needs sniffing")  # duplicates or blanks: DuckDB names them
    return names, delimiter


def _read_text_arrow(path: Path, delimiter: str | None) -> pa.Table:
    import pyarrow.csv as pacsv

    names, delimiter = _header(path, delimiter)
    return pacsv.read_csv(
        path,
        parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in names},
                                             strings_can_be_null=True, null_values=[""]),
    )


def _read_text_duckdb(path: Path) -> pa.Table:
    import duckdb

    try:
        return duckdb.read_csv(str(path), all_varchar=True, header=True).fetch_arrow_table()
    except duckdb.Error as exc:
        raise _unreadable(path, exc) from exc


def _read_excel(path: Path) -> pa.Table:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    rows = book.worksheets[0].iter_rows(values_only=True)
    header = [str(h) if h is not None else f"column{i + 1}" for i, h in enumerate(next(rows, ()))]
    data = [list(r) + [None] * (len(header) - len(r)) for r in rows if any(c is not None for c in r)]
    cols = list(zip(*data)) if data else [()] * len(header)
    return pa.table({h: pa.array([None if v is None else str(v) for v in c], pa.string())
                     for h, c in zip(header, cols)})


def write_table(table: pa.Table, path: Path) -> None:
    """Write in the format the file name asks for (CSV, TSV, Parquet or Excel)."""
    suffix = path.suffix.lower()
    if suffix not in (*_TEXT, ".parquet", ".xlsx"):
        raise InputError("unsupported output type (use .csv, .tsv, .parquet or .xlsx)", source=str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix in _TEXT:
        import pyarrow.csv as pacsv

        options = pacsv.WriteOptions(delimiter="\t" if suffix == ".tsv" else ",", quoting_style="needed")
        pacsv.write_csv(table, path, options)
    elif suffix == ".parquet":
        import pyarrow.parquet as pq

        pq.write_table(table, path)
    else:
        _write_excel(table, path)


def _write_excel(table: pa.Table, path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("hopnhat")
    sheet.append(table.column_names)
    for row in zip(*(c.to_pylist() for c in table.columns)):
        sheet.append(list(row))
    book.save(path)
