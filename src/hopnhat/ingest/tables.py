"""Whole files into one Arrow table: what the single-file commands read (``units convert``, ``link persons``).

The file is checked first (:func:`hopnhat.io.inputs.check_input`: there, a regular file, not empty, its content what
its extension says). CSV/TSV must be UTF-8 (else the way out is ``hopnhat repair``); it is read with Arrow's reader,
every column as text so that leading zeros survive (``007``), empty fields as missing, fields of any length. A file
Arrow cannot take (another delimiter, a ragged line, a repeated column name) is read again with DuckDB's sniffing
reader. Excel workbooks (``.xlsx``, ``.xlsm``, ``.xls``, ``.xlsb``, ``.ods``) are read by fastexcel (calamine) straight
into Arrow, first sheet, every column as text: 100,000 rows in 0.4 s. Parquet is read as it is typed. A CSV or a
sheet that opens with a title block (the issuing body, the national motto, the list's title) is read from its real
header row (:mod:`hopnhat.ingest.headerrow`).

Every failure is an :class:`~hopnhat.errors.InputError` saying what, where, why and what to do in the user's
language — never a library's message.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import sys
from pathlib import Path

import pyarrow as pa

from hopnhat.errors import InputError
from hopnhat.i18n import tr
from hopnhat.ingest.headerrow import below_title
from hopnhat.io.inputs import check_input, require_utf8

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))  # a 10 MB field (a scanned file pasted as text) is still a field

TEXT = (".csv", ".tsv", ".txt")
EXCEL = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")
PARQUET = (".parquet",)
DBF = (".dbf",)
SUFFIXES = (*TEXT, *EXCEL, *PARQUET, *DBF)
_DELIMITERS = (",", ";", "\t", "|")
_UNNAMED = "__UNNAMED__"  # fastexcel's name for a column whose header cell is empty
_LINE = re.compile(r"\bline:?\s*(\d+)", re.IGNORECASE)
_UTF16 = "utf-16"  # by its byte-order mark


def read_whole(path: Path) -> pa.Table:
    """CSV/TSV (all columns as text), Parquet, Excel (first sheet) or DBF (all columns as text) into Arrow."""
    path = check_input(path, SUFFIXES)
    suffix = path.suffix.lower()
    if suffix in PARQUET:
        return _read_parquet(path)
    if suffix in DBF:
        return _read_dbf(path)
    if suffix in TEXT:
        return below_title(_read_text(path, "\t" if suffix == ".tsv" else None))
    return below_title(_read_excel(path))


def _damaged(path: Path, what: str, hint: str, row: int | None = None) -> InputError:
    return InputError(tr("Không đọc được tệp vào", "Cannot read the input file"), source=str(path), row=row,
                      reason=what, hint=hint)


def _read_parquet(path: Path) -> pa.Table:
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise _damaged(path, tr("tệp Parquet hỏng hoặc bị cắt cụt", "the Parquet file is damaged or truncated"),
                       tr("xuất lại tệp từ hệ thống nguồn", "export the file again from its system")) from exc
    for name, column in zip(table.column_names, table.columns):
        try:
            column.validate(full=True)  # Parquet does not check that text is UTF-8; a damaged page may not be
        except pa.ArrowInvalid as exc:
            raise InputError(tr("Tệp Parquet hỏng", "The Parquet file is damaged"), source=str(path), column=name,
                             reason=tr("cột văn bản có byte không phải UTF-8",
                                       "a text column holds bytes that are not UTF-8"),
                             hint=tr("xuất lại tệp từ hệ thống nguồn",
                                     "export the file again from its system")) from exc
    return table


def _read_dbf(path: Path) -> pa.Table:
    from hopnhat.ingest.dbf import DbfError, DbfReader

    try:
        reader = DbfReader(path)
        try:
            records = list(reader.records())
        finally:
            reader.close()
    except DbfError as exc:
        raise _damaged(path, exc.reason, exc.hint) from exc
    columns = {name: [(r.values or {}).get(name) for r in records] for name in reader.header}
    errors = [r.error for r in records]
    if any(errors):
        columns = {"_error": errors, **columns}
    return pa.table({name: pa.array(values, pa.string()) for name, values in columns.items()})


# --- CSV -----------------------------------------------------------------------------------------------------------

def _read_text(path: Path, delimiter: str | None) -> pa.Table:
    """Arrow checks that every field is UTF-8 as it reads (every column is read as text), and the header is decoded
    as UTF-8: a file it reads is UTF-8. When it cannot read the file, the file is checked before DuckDB reads it, so
    that one that is not UTF-8 is refused as before, naming its line. (Checked first, the whole file was decoded once
    more in Python: 0.01-0.02 CPU-s for 100,000 addresses.) A file that opens with a UTF-16 byte-order mark (Excel's
    "Unicode Text", tab-separated) is read as UTF-16 by both readers; one whose bytes are not is refused, naming the
    line."""
    with path.open("rb") as fh:
        wide = _UTF16 if fh.read(2) in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE) else None
    try:
        return _read_text_arrow(path, delimiter, wide)
    except (pa.ArrowException, ValueError, csv.Error):
        if wide:
            _require_utf16(path)
        else:
            require_utf8(path)
        return _read_text_duckdb(path, wide)


def _require_utf16(path: Path) -> None:
    text = path.read_bytes()
    try:
        text.decode(_UTF16)
    except UnicodeDecodeError as exc:
        raise InputError(tr("Tệp văn bản UTF-16 hỏng", "The UTF-16 text file is damaged"), source=str(path),
                         row=text[: exc.start].decode(_UTF16, errors="replace").count("\n") + 1,
                         reason=tr("tệp mở đầu bằng dấu UTF-16 nhưng có byte không đọc được theo UTF-16",
                                   "the file opens with a UTF-16 mark but holds bytes that are not UTF-16"),
                         hint=tr("xuất lại tệp từ Excel (Unicode Text hoặc CSV UTF-8)",
                                 "export the file again from Excel (Unicode Text or CSV UTF-8)")) from exc


def _header(path: Path, delimiter: str | None, wide: str | None = None) -> tuple[list[str], str]:
    with path.open(encoding=wide or "utf-8-sig", newline="") as fh:
        first = fh.readline().lstrip("\ufeff")
    if delimiter is None:  # the delimiter the header line uses most
        delimiter = max(_DELIMITERS, key=lambda d: (first.count(d), d == ","))
    names = next(csv.reader(io.StringIO(first), delimiter=delimiter), [])
    if not names or len(set(names)) != len(names) or not all(names):
        raise ValueError("header needs sniffing")  # duplicates or blanks: DuckDB names them
    return names, delimiter


def _read_text_arrow(path: Path, delimiter: str | None, wide: str | None = None) -> pa.Table:
    import pyarrow.csv as pacsv

    names, delimiter = _header(path, delimiter, wide)
    return pacsv.read_csv(
        path,
        read_options=pacsv.ReadOptions(encoding=wide) if wide else None,
        parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in names},
                                             strings_can_be_null=True, null_values=[""]),
    )


def _read_text_duckdb(path: Path, wide: str | None = None) -> pa.Table:
    import duckdb

    try:
        if wide:  # (the relational read_csv refuses an encoding in DuckDB 1.4; the table function takes it)
            return duckdb.execute("SELECT * FROM read_csv(?, all_varchar = true, header = true, "
                                  "max_line_size = 1073741824, encoding = 'utf-16')", [str(path)]).fetch_arrow_table()
        return duckdb.read_csv(str(path), all_varchar=True, header=True, max_line_size=1 << 30).fetch_arrow_table()
    except duckdb.Error as exc:
        ragged = _first_ragged(path, wide)
        if ragged is not None:
            line, count, width = ragged
            raise _damaged(path, tr(f"dòng này có {count} ô, dòng tiêu đề có {width}: một dấu phân cách (dấu phẩy?) "
                                    "nằm trong giá trị mà không có ngoặc kép, hoặc thiếu ô",
                                    f"this line has {count} fields, the header has {width}: a delimiter (a comma?) "
                                    "inside a value without quotes, or fields missing"),
                           tr("đặt giá trị có dấu phân cách trong ngoặc kép, hoặc xuất lại tệp",
                              "put values holding the delimiter in double quotes, or export the file again"),
                           line) from exc
        found = _LINE.search(str(exc))
        raise _damaged(path, tr("không tách được tệp thành các cột: các dòng không cùng số cột, có dấu ngoặc kép chưa "
                                "đóng, hoặc dòng đầu không phải dòng tiêu đề",
                                "the file cannot be split into columns: lines of different widths, a quote never "
                                "closed, or a first line that is no header"),
                       tr("mở tệp bằng trình soạn thảo, sửa dòng được chỉ ra (hoặc xuất lại tệp)",
                          "open the file in an editor and fix the line named (or export the file again)"),
                       int(found.group(1)) if found else None) from exc


def _first_ragged(path: Path, wide: str | None = None) -> tuple[int, int, int] | None:
    """(line, fields, header's fields) of the first record whose width differs from the header's, or None."""
    try:
        _, delimiter = _header(path, "\t" if path.suffix.lower() == ".tsv" else None, wide)
    except (ValueError, csv.Error):
        return None
    with path.open(encoding=wide or "utf-8-sig", newline="") as fh:
        reader = csv.reader(fh, delimiter=delimiter)
        try:
            width = len(next(reader, []))
            for row in reader:
                if row and len(row) != width:
                    return reader.line_num, len(row), width
        except csv.Error:
            return None
    return None


# --- Excel ---------------------------------------------------------------------------------------------------------

def _read_excel(path: Path) -> pa.Table:
    import fastexcel

    try:
        sheet = fastexcel.read_excel(str(path)).load_sheet(0, dtypes="string")
        table = pa.Table.from_batches([sheet.to_arrow()])
    except (fastexcel.FastExcelError, pa.ArrowException, ValueError, OSError, IndexError) as exc:
        raise _damaged(path, tr("bảng tính hỏng, bị cắt cụt hoặc không có trang tính nào đọc được",
                                "the workbook is damaged, truncated or has no readable sheet"),
                       tr("mở tệp bằng Excel hoặc LibreOffice rồi lưu lại dạng .xlsx",
                          "open it in Excel or LibreOffice and save it again as .xlsx")) from exc
    names = [f"column{i + 1}" if name.startswith(_UNNAMED) else name for i, name in enumerate(table.column_names)]
    return _without_empty_rows(table.rename_columns(names))


def _without_empty_rows(table: pa.Table) -> pa.Table:
    """Rows with no value at all (spacing rows of a planner's sheet) are not records."""
    if not table.num_columns or not table.num_rows:
        return table
    import pyarrow.compute as pc

    filled = pc.is_valid(table.column(0))
    for column in table.columns[1:]:
        filled = pc.or_(filled, pc.is_valid(column))
    return table.filter(filled)


# --- columns -------------------------------------------------------------------------------------------------------

def require_text_column(table: pa.Table, column: str, path: Path) -> None:
    """The column is there and holds text (or numbers read as text): a clear refusal otherwise, guessing why."""
    if column not in table.column_names:
        merged = [n for n in table.column_names if any(d in n for d in _DELIMITERS if d != ",") or "," in n]
        why = (tr(f"dòng tiêu đề có vẻ bị tách sai: cột {merged[0]!r} chứa dấu phân cách",
                  f"the header line looks mis-split: column {merged[0]!r} holds a delimiter") if merged else
               tr("các cột có trong tệp: ", "the file's columns: ") + ", ".join(table.column_names[:30]))
        raise InputError(tr("Không có cột này trong tệp", "No such column in the file"), source=str(path),
                         column=column, reason=why,
                         hint=tr("ghi đúng tên cột (phân biệt hoa thường) hoặc lưu tệp với dấu phẩy phân cách",
                                 "give the exact column name (case matters) or save the file comma-separated"))
    kind = table.schema.field(column).type
    if pa.types.is_nested(kind) or pa.types.is_binary(kind) or pa.types.is_large_binary(kind):
        raise InputError(tr("Cột không chứa văn bản", "The column does not hold text"), source=str(path),
                         column=column, reason=tr(f"kiểu dữ liệu {kind}", f"its type is {kind}"),
                         hint=tr("chọn cột chứa địa chỉ dạng văn bản", "choose the column holding the text"))


# --- small sheets as rows of text ----------------------------------------------------------------------------------

def read_rows(path: Path, suffixes: tuple[str, ...] = (".csv", ".txt", ".xlsx")) -> list[list[str]]:
    """A small CSV (UTF-8) or the first sheet of an .xlsx as rows of text (blank cells ``""``): a filled review
    sheet, a hamlet list. The file is checked first; a damaged one is an InputError with what to do."""
    path = check_input(path, suffixes)
    if path.suffix.lower() == ".xlsx":
        return _sheet_rows(path)
    require_utf8(path)
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        try:
            return list(reader)
        except csv.Error as exc:
            raise _damaged(path, tr("một dòng không tách được thành các ô", "a line cannot be split into fields"),
                           tr("sửa dòng được chỉ ra hoặc xuất lại tệp", "fix the line named or export the file again"),
                           reader.line_num) from exc


def _sheet_rows(path: Path) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
        try:
            return [["" if v is None else str(v) for v in r] for r in book.worksheets[0].iter_rows(values_only=True)]
        finally:
            book.close()
    except Exception as exc:  # openpyxl raises many types for a damaged workbook; chained as the cause
        raise _damaged(path, tr("bảng tính hỏng, bị cắt cụt hoặc không có trang tính nào đọc được",
                                "the workbook is damaged, truncated or has no readable sheet"),
                       tr("mở tệp bằng Excel hoặc LibreOffice rồi lưu lại dạng .xlsx",
                          "open it in Excel or LibreOffice and save it again as .xlsx")) from exc
