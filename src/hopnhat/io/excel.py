"""The formula-safe Excel policy, in one place: a text from a source never becomes a live formula.

- Workbooks the writer family writes (:func:`write_sheet`, XlsxWriter, streamed): every text is a text cell
  (``strings_to_formulas`` off), its value unchanged — ``=HYPERLINK(…)`` shows as typed, never runs.
- Workbooks edited in place with openpyxl (``hopnhat repair`` keeps styles and sheets): :func:`keep_text` marks a
  formula-like text cell as text again (openpyxl guesses a formula from a leading ``=``).
- Workbooks built cell by cell with openpyxl elsewhere (the web app's quarantine sheet): :func:`excel_safe` puts an
  apostrophe before text Excel would run (``=``, ``+``, ``-``, ``@`` first).

A text longer than a cell holds (32,767 characters) is refused, never cut; so is a sheet of more rows than Excel has.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from hopnhat.errors import OutputError
from hopnhat.i18n import tr

FORMULA_STARTS = ("=", "+", "-", "@")
EXCEL_MAX_ROWS = 1_048_576  # a worksheet's rows, the header included
EXCEL_MAX_CELL = 32_767  # characters of one cell
EXCEL_OPTIONS = {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                 "strings_to_numbers": False, "default_date_format": "yyyy-mm-dd hh:mm:ss"}


def excel_safe(value: Any) -> Any:
    """A value for a cell written by openpyxl: text Excel would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value[:1] in FORMULA_STARTS:
        return "'" + value
    return value


def keep_text(cell: Any) -> None:
    """After ``cell.value = text`` in openpyxl: a text starting with ``=`` stays a text cell, not a formula."""
    if isinstance(cell.value, str) and cell.data_type == "f":
        cell.data_type = "s"


def too_many_rows(path: Path, rows: int) -> OutputError:
    return OutputError(tr("Quá nhiều dòng cho một trang Excel", "Too many rows for an Excel sheet"), source=str(path),
                       value=rows, reason=tr(f"một trang chứa tối đa {EXCEL_MAX_ROWS - 1:,} dòng dưới tiêu đề",
                                             f"a sheet holds {EXCEL_MAX_ROWS - 1:,} rows below its header"),
                       hint=tr("ghi ra .csv hoặc .parquet", "write .csv or .parquet instead"))


def cell_too_long(path: Path, row: int, column: str, length: int) -> OutputError:
    return OutputError(tr("Một ô dài hơn sức chứa của Excel", "A cell is longer than Excel holds"), source=str(path),
                       row=row, column=column,
                       reason=tr(f"{length:,} ký tự, một ô Excel chứa tối đa {EXCEL_MAX_CELL:,}",
                                 f"{length:,} characters, an Excel cell holds at most {EXCEL_MAX_CELL:,}"),
                       hint=tr("ghi ra .csv hoặc .parquet (không cắt bớt dữ liệu)",
                               "write .csv or .parquet instead (nothing is cut)"))


def cell_value(value: Any) -> Any:
    """A Python value XlsxWriter can write: nested values as JSON text, bytes as text, timezone dropped (Excel has
    none: the time is written as it reads)."""
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(value, ensure_ascii=False, default=str)
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", errors="replace")
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.replace(tzinfo=None)
    if isinstance(value, (dt.time, dt.timedelta)):
        return str(value)
    if isinstance(value, float) and value != value:  # NaN: an empty cell
        return None
    return value


def write_sheet(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]], sheet: str = "hopnhat") -> int:
    """Stream rows into a one-sheet workbook at ``path`` (bold, frozen header); returns the rows written."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), EXCEL_OPTIONS)
    count = 0
    try:
        ws = book.add_worksheet(sheet[:31] or "hopnhat")
        ws.write_row(0, 0, list(header), book.add_format({"bold": True}))
        ws.freeze_panes(1, 0)
        for count, row in enumerate(rows, start=1):
            if count >= EXCEL_MAX_ROWS:
                raise too_many_rows(path, count)
            values = [cell_value(v) for v in row]
            for position, value in enumerate(values):
                if isinstance(value, str) and len(value) > EXCEL_MAX_CELL:
                    raise cell_too_long(path, count + 1, header[position] if position < len(header) else "?",
                                        len(value))
            ws.write_row(count, 0, values)
    finally:
        book.close()
    return count
