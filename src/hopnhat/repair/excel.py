"""Excel .xlsx workbooks: text cells may hold TCVN3/VNI text as Latin-1 characters (the legacy font drew them).

A repaired text cell stays a text cell (:func:`hopnhat.io.excel.keep_text`: ``=1+1`` typed as text never becomes a
live formula). A workbook openpyxl cannot open — not a ZIP, a member missing, a sheet's XML broken — is an
InputError saying so; the library raises many exception types for damaged files, all chained as the cause.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from hopnhat.errors import InputError
from hopnhat.i18n import tr
from hopnhat.io.excel import keep_text
from hopnhat.repair.columns import ColumnReport, repair_table


def load(path: Path, data: bytes) -> Workbook:
    """Open a workbook from its bytes; a damaged file is an InputError naming it."""
    try:
        return load_workbook(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise _damaged(path, tr("tệp không phải bảng tính .xlsx (không đọc được dạng nén ZIP) hoặc bị cắt cụt",
                                "the file is not an .xlsx workbook (not a readable ZIP) or is truncated")) from exc
    except Exception as exc:
        raise _damaged(path, tr("bảng tính hỏng: thiếu phần hoặc XML của một trang tính bị lỗi",
                                "the workbook is damaged: a part is missing or a sheet's XML is broken")) from exc


def _damaged(path: Path, why: str) -> InputError:
    return InputError(tr("Không đọc được tệp Excel", "Cannot read the Excel file"), source=str(path), reason=why,
                      hint=tr("mở tệp bằng Excel hoặc LibreOffice rồi lưu lại dạng .xlsx",
                              "open it in Excel or LibreOffice and save it again as .xlsx"))


def _text_value(cell: object) -> object:
    value = getattr(cell, "value", None)
    if isinstance(value, str) and getattr(cell, "data_type", "s") == "f":
        return None  # a formula, not text
    return value


def _repair_sheet(sheet: Worksheet, prefix: str) -> list[ColumnReport]:
    cells = [list(row) for row in sheet.iter_rows()]
    values = [[_text_value(c) for c in row] for row in cells]
    reports = repair_table(values, prefix=prefix)
    for row, new_row in zip(cells, values, strict=True):
        for cell, new in zip(row, new_row, strict=True):
            if isinstance(new, str) and new != cell.value:
                cell.value = new
                keep_text(cell)
    return reports


def repair_workbook(book: Workbook) -> list[ColumnReport]:
    """Repair every sheet in place; columns of several sheets are reported as ``Sheet!column``."""
    many = len(book.worksheets) > 1
    reports: list[ColumnReport] = []
    for sheet in book.worksheets:
        reports += _repair_sheet(sheet, f"{sheet.title}!" if many else "")
    return reports


def save(book: Workbook) -> bytes:
    """The workbook as .xlsx bytes."""
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
