"""Excel .xlsx workbooks: text cells may hold TCVN3/VNI text as Latin-1 characters (the legacy font drew them)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from hopnhat.errors import InputError
from hopnhat.i18n import tr
from hopnhat.repair.columns import ColumnReport, repair_table


def load(path: Path, data: bytes) -> Workbook:
    """Open a workbook from its bytes; a damaged file is an InputError naming it."""
    try:
        return load_workbook(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise InputError(tr("Không đọc được tệp Excel", "Cannot read the Excel file"), source=str(path),
                         reason=str(exc)) from exc


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
