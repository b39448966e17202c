"""Rows to CSV (UTF-8 with BOM, so Excel opens Vietnamese text right) or Excel (.xlsx, bold frozen header): the
quarantine export, written by the one writer family (:mod:`hopnhat.io.writers`: checked, atomic, formula-safe).

``excel_safe`` (the apostrophe before text Excel would run) lives in :mod:`hopnhat.io.excel` with the rest of the
formula-safe policy; it is re-exported here for the web app's quarantine sheet.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from hopnhat.io.excel import excel_safe
from hopnhat.io.writers import write_rows as _write_rows

__all__ = ["excel_safe", "write_rows"]


def write_rows(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]], sheet: str = "Sheet1") -> None:
    """CSV or .xlsx by the file's extension; any other is an OutputError naming the file."""
    _write_rows(path, header, rows, sheet)
