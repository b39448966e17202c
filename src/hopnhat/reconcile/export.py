"""Rows to CSV (UTF-8 with BOM, so Excel opens Vietnamese text right) or Excel (.xlsx, bold frozen header)."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from hopnhat.errors import InputError


def excel_safe(value: Any) -> Any:
    """A value for an Excel cell written by openpyxl: text that Excel would run as a formula (``=``, ``+``, ``-``,
    ``@`` first) gets a leading apostrophe, so that a source value never becomes a formula in the planner's Excel."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def write_rows(path: Path, header: Sequence[str], rows: Sequence[Sequence[Any]], sheet: str = "Sheet1") -> None:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        with path.open("w", encoding="utf-8-sig", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(header)
            w.writerows(rows)
        return
    if suffix != ".xlsx":
        raise InputError("export must be .csv or .xlsx", source=str(path))
    wb = Workbook()
    ws = wb.active
    ws.title = sheet[:31]
    ws.append(list(header))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append([excel_safe(v) for v in row])
    ws.freeze_panes = "A2"
    wb.save(path)
