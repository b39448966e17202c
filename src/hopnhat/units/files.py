"""Reading and writing the tables ``hopnhat units convert`` works on: CSV/TSV, Parquet and Excel, through Arrow.

CSV is read with Arrow's reader, every column as text so that leading zeros survive (``007``), empty fields as
missing. A file Arrow cannot take (another delimiter it was not told, a ragged line, a repeated column name) is read
again with DuckDB's sniffing reader, as before; a file neither can read is an :class:`~hopnhat.errors.InputError`
that names it. Writing goes through Arrow too (DuckDB would load pandas, a second of start-up for nothing).

Excel workbooks (``.xlsx``, ``.xlsm``, old ``.xls``, ``.xlsb``, and ``.ods``) are read by fastexcel (Rust's calamine)
straight into Arrow, first sheet, every column as text: 100,000 rows in 0.4 s where openpyxl took 6 s. Output
workbooks are streamed by XlsxWriter; a text that looks like a formula (``=1+1``) stays text.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pyarrow as pa

from hopnhat.errors import InputError

_TEXT = (".csv", ".tsv", ".txt")
_EXCEL = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")
_DELIMITERS = (",", ";", "\t", "|")


def read_table(path: Path) -> pa.Table:
    """CSV/TSV (all columns as text), Parquet or Excel (first sheet, all columns as text) into Arrow."""
    if not path.is_file():
        raise InputError("input file not found", source=str(path))
    suffix = path.suffix.lower()
    try:
        if suffix in _TEXT:
            return _read_text(path, "\t" if suffix == ".tsv" else None)
        if suffix == ".parquet":
            import pyarrow.parquet as pq

            return pq.read_table(path)
        if suffix in _EXCEL:
            return _read_excel(path)
    except (pa.ArrowException, UnicodeDecodeError, OSError, ValueError) as exc:
        raise _unreadable(path, exc) from exc
    raise InputError("unsupported file type (use .csv, .tsv, .parquet, .xlsx, .xls or .ods)", source=str(path))


def _unreadable(path: Path, exc: Exception) -> InputError:
    hint = "a damaged workbook?" if path.suffix.lower() in _EXCEL else "not UTF-8? run `hopnhat repair` first"
    return InputError("cannot read input file", source=str(path), reason=f"{exc} ({hint})")


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
    import fastexcel

    try:
        sheet = fastexcel.read_excel(str(path)).load_sheet(0, dtypes="string")
        table = pa.Table.from_batches([sheet.to_arrow()])
    except fastexcel.FastExcelError as exc:
        raise ValueError(str(exc)) from exc
    names = [f"column{i + 1}" if name.startswith(_UNNAMED) else name for i, name in enumerate(table.column_names)]
    return _without_empty_rows(table.rename_columns(names))


_UNNAMED = "__UNNAMED__"  # fastexcel's name for a column whose header cell is empty


def _without_empty_rows(table: pa.Table) -> pa.Table:
    """Rows with no value at all (spacing rows of a planner's sheet) are not records."""
    if not table.num_columns or not table.num_rows:
        return table
    import pyarrow.compute as pc

    filled = pc.is_valid(table.column(0))
    for column in table.columns[1:]:
        filled = pc.or_(filled, pc.is_valid(column))
    return table.filter(filled)


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


EXCEL_MAX_ROWS = 1_048_576  # a worksheet's rows, the header included


def _write_excel(table: pa.Table, path: Path) -> None:
    import xlsxwriter

    if table.num_rows + 1 > EXCEL_MAX_ROWS:
        raise InputError("too many rows for an Excel sheet (write .csv or .parquet instead)", source=str(path),
                         value=str(table.num_rows), reason=f"a sheet holds {EXCEL_MAX_ROWS - 1:,} rows below its header")
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_formulas": False,
                                           "strings_to_urls": False, "strings_to_numbers": False})
    try:
        sheet = book.add_worksheet("hopnhat")
        sheet.write_row(0, 0, table.column_names)
        for start in range(0, table.num_rows, _EXCEL_BATCH):
            batch = table.slice(start, _EXCEL_BATCH)
            for offset, row in enumerate(zip(*(c.to_pylist() for c in batch.columns))):
                sheet.write_row(start + offset + 1, 0, row)
    finally:
        book.close()


_EXCEL_BATCH = 50_000
