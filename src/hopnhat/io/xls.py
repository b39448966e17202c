"""Old Excel workbooks (``.xls``, Excel 97–2003, BIFF8): their sheets as rows of cells the ``.xlsx`` readers read.

Provincial registers of the 2000s are ``.xls`` files, often typed with a ``.VnTime`` or ``VNI-Times`` font: their
text cells hold the legacy bytes as the Windows-1252 characters the font drew, which the repair stage reads back —
TCVN3's capitals included, which sit on control characters (U+0001–U+0017) that an ``.xlsx`` cannot hold. So the
sheets are not converted to ``.xlsx``: xlrd (the library made for the format) reads each cell with its type into an
:class:`XlsCell` (what the readers read of an openpyxl cell: ``value``, ``number_format``):

- text as it is, whole numbers as ``int`` (a float otherwise), booleans, dates as ``datetime`` (the workbook's 1900
  or 1904 date system) and a time of day alone as ``time``, an error cell as its Excel text (``#N/A``), a blank
  cell as None;
- each numeric cell's number format (``00000`` pads an ID the way Excel shows it);
- merged cells (a two-row header's merged cell) as openpyxl's bounds, and the sheet names and order.

Formulas are read as their last computed values (``.xls`` keeps them). :func:`to_workbook` writes sheets into an
openpyxl workbook (``hopnhat repair`` writes a repaired ``.xls`` as ``.xlsx``). A file xlrd cannot read — not an
Excel 97–2003 workbook, truncated, encrypted — is an :class:`~hopnhat.errors.InputError` naming it, never xlrd's
message alone.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from hopnhat.errors import InputError
from hopnhat.i18n import tr

XLS = ".xls"
Bounds = tuple[int, int, int, int]  # min_col, min_row, max_col, max_row (1-based, inclusive: openpyxl's)
_NOT_IN_XLSX = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # control characters XML (so .xlsx) cannot hold


class XlsCell(NamedTuple):
    value: object
    number_format: str = "General"


@dataclass
class XlsSheet:
    name: str
    rows: list[list[XlsCell]] = field(default_factory=list)
    merges: list[Bounds] = field(default_factory=list)


def read_xls(path: Path, data: bytes | None = None) -> list[XlsSheet]:
    """The sheets of the ``.xls`` workbook at ``path`` (or of its bytes ``data``), in order (see the module doc)."""
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=data if data is not None else path.read_bytes(),
                                  formatting_info=True)
        return [_sheet(book, sheet, xlrd) for sheet in book.sheets()]
    except (xlrd.XLRDError, xlrd.compdoc.CompDocError, AssertionError, IndexError, ValueError, KeyError,
            UnicodeDecodeError, EOFError) as exc:  # xlrd raises several types for a damaged file; chained as cause
        raise InputError(tr("Không đọc được tệp Excel 97–2003 (.xls)", "Cannot read the Excel 97–2003 (.xls) file"),
                         source=str(path), reason=_reason(exc),
                         hint=tr("mở tệp bằng Excel hoặc LibreOffice rồi lưu lại dạng .xlsx",
                                 "open it in Excel or LibreOffice and save it again as .xlsx")) from exc


def to_workbook(sheets: list[XlsSheet]) -> Any:
    """The sheets as an openpyxl workbook: values, number formats, merges. A text cell is text (``=1+1`` too); a
    control character an ``.xlsx`` cannot hold is written as Excel's escape ``_x0001_`` (which Excel reads back as
    the character), never dropped."""
    from openpyxl import Workbook

    from hopnhat.io.excel import keep_text

    book = Workbook()
    book.remove(book.active)
    for sheet in sheets:
        out = book.create_sheet(sheet.name[:31] or "Sheet")
        for r, row in enumerate(sheet.rows, start=1):
            for c, cell in enumerate(row, start=1):
                if cell.value is None:
                    continue
                value = cell.value
                if isinstance(value, str):
                    value = _NOT_IN_XLSX.sub(lambda m: f"_x{ord(m.group()):04X}_", value)
                target = out.cell(row=r, column=c, value=value)
                keep_text(target)
                if cell.number_format != "General":
                    target.number_format = cell.number_format
        for min_col, min_row, max_col, max_row in sheet.merges:
            out.merge_cells(start_row=min_row, end_row=max_row, start_column=min_col, end_column=max_col)
    if not book.worksheets:
        book.create_sheet("Sheet")
    return book


def _reason(exc: BaseException) -> str:
    text = str(exc).lower()
    if "encrypt" in text or "password" in text:
        return tr("tệp có mật khẩu", "the file is password-protected")
    if "expected bof" in text or "unsupported format" in text or "not supported" in text:
        return tr("không phải bảng tính Excel 97–2003", "not an Excel 97–2003 workbook")
    return tr("bảng tính hỏng hoặc bị cắt cụt", "the workbook is damaged or truncated")


def _sheet(book: Any, sheet: Any, xlrd: Any) -> XlsSheet:
    out = XlsSheet(sheet.name)
    for r in range(sheet.nrows):
        row = [_cell(book, cell, xlrd) for cell in sheet.row(r)]
        while row and row[-1].value is None:  # a row as long as its last value (xlrd pads to the sheet's width)
            row.pop()
        out.rows.append(row)
    for rlo, rhi, clo, chi in sheet.merged_cells:  # (first row, last row + 1, first column, last column + 1)
        if rhi - rlo > 1 or chi - clo > 1:
            out.merges.append((clo + 1, rlo + 1, chi, rhi))
    return out


def _cell(book: Any, cell: Any, xlrd: Any) -> XlsCell:
    kind = cell.ctype
    if kind in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return XlsCell(None)
    if kind == xlrd.XL_CELL_TEXT:
        return XlsCell(cell.value if cell.value != "" else None)
    if kind == xlrd.XL_CELL_BOOLEAN:
        return XlsCell(bool(cell.value))
    if kind == xlrd.XL_CELL_ERROR:
        return XlsCell(xlrd.error_text_from_code.get(cell.value, "#ERR"))
    fmt = _number_format(book, cell)
    if kind == xlrd.XL_CELL_DATE:
        return XlsCell(_date(cell.value, book.datemode, xlrd), fmt)
    number = float(cell.value)
    return XlsCell(int(number) if number.is_integer() and abs(number) < 2**53 else number, fmt)


def _date(serial: float, datemode: int, xlrd: Any) -> object:
    try:
        moment: dt.datetime = xlrd.xldate.xldate_as_datetime(serial, datemode)
    except (xlrd.xldate.XLDateError, ValueError, OverflowError):
        return float(serial)  # a serial number outside Excel's dates: kept as the number it is
    return moment.time() if 0 <= serial < 1 else moment  # a time of day alone has no date


def _number_format(book: Any, cell: Any) -> str:
    try:
        xf = book.xf_list[cell.xf_index]
        return str(book.format_map[xf.format_key].format_str) or "General"
    except (IndexError, KeyError, AttributeError):
        return "General"
