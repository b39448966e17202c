"""Excel .xlsx sheets, streamed with openpyxl's read-only mode; Excel 97–2003 ``.xls`` sheets read by xlrd
(:mod:`hopnhat.io.xls`: the same values, number formats and merges).

Header rows come from the table spec (``header_rows``, ``data_start_row``); a header cell merged over several columns
or rows gives its text to every cell it covers (read-only mode does not expose merges, so they are found in the sheet's
XML). Cells become text: whole numbers without ``.0`` (zero-padded when the cell's format pads them, as Excel shows
``00123``), dates ISO, text as it is. ``_row`` is the sheet's row number.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils.cell import get_column_letter, range_boundaries
from openpyxl.workbook.workbook import Workbook

from hopnhat.ingest.base import Record
from hopnhat.ingest.cells import cell_text, record_json
from hopnhat.ingest.delimited import HeaderError
from hopnhat.ingest.footer import ReportEnd
from hopnhat.ingest.headers import header_names
from hopnhat.io.xls import XLS, read_xls

_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="([A-Za-z]+\d+(?::[A-Za-z]+\d+)?)"')
_PADDED = re.compile(r"^0+$")
Bounds = tuple[int, int, int, int]  # min_col, min_row, max_col, max_row


class SheetError(Exception):
    """The workbook has no such sheet (message lists the sheets it has)."""


def open_book(path: Path) -> Workbook:
    """The workbook in read-only mode, formulas as their last computed values."""
    return load_workbook(path, read_only=True, data_only=True)


def open_sheet(path: Path, sheet: str | None, stack: ExitStack) -> SheetReader:
    """A reader of the sheet named ``sheet`` (default: the first) of the workbook at ``path``, ``.xlsx`` or ``.xls``;
    what must be closed goes on ``stack``. A missing sheet is a :class:`SheetError` naming the workbook's sheets."""
    if path.suffix.lower() == XLS:
        sheets = read_xls(path)
        found = sheets[_index([s.name for s in sheets], sheet)]
        return SheetReader(iter(found.rows), lambda last: [b for b in found.merges if b[1] <= last])
    book = open_book(path)
    stack.callback(book.close)
    ws = book.worksheets[_index(book.sheetnames, sheet)]
    ws.reset_dimensions()  # the <dimension> a writer records may be wrong: read every row there is
    return SheetReader(ws.iter_rows(), lambda last: merged_ranges(path, ws._worksheet_path, last))


def _index(names: list[str], sheet: str | None) -> int:
    if sheet is not None and sheet not in names:
        raise SheetError(f"no sheet {sheet!r}; the workbook has {', '.join(repr(n) for n in names)}")
    return names.index(sheet) if sheet is not None else 0


def merged_ranges(path: Path, member: str, last_row: int) -> list[Bounds]:
    """Merged ranges starting at or above ``last_row``, by scanning the sheet's XML (merges follow the cells)."""
    found: list[Bounds] = []
    tail = b""
    with zipfile.ZipFile(path) as archive, archive.open(member) as fh:
        while chunk := fh.read(1 << 20):
            data = tail + chunk
            for match in _MERGE.finditer(data):
                bounds = range_boundaries(match.group(1).decode("ascii").upper())
                if bounds[1] is not None and bounds[1] <= last_row and bounds not in found:
                    found.append(bounds)
            tail = data[-256:]
    return found


def excel_text(cell: Any) -> str | None:
    """A cell as text: Excel numbers and dates the way a person reads them."""
    value = getattr(cell, "value", None)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        fmt = getattr(cell, "number_format", None) or ""
        if (isinstance(value, int) or value.is_integer()) and _PADDED.match(fmt) and value >= 0:
            return str(int(value)).zfill(len(fmt))
    return cell_text(value, dates_at_midnight=True)


class SheetReader:
    """Header and records of one sheet."""

    def __init__(self, rows: Iterator[Sequence[Any]], merges: Callable[[int], list[Bounds]]) -> None:
        """``rows``: the sheet's rows of cells (``value``, ``number_format``) from row 1; ``merges(last)``: the merged
        ranges starting at or above row ``last``."""
        self._rows = enumerate(rows, start=1)
        self._merges = merges
        self.header: list[str] = []
        self._pending: tuple[int, Sequence[Any]] | None = None
        self.ends = ReportEnd(False)  # the footer total and signature block (`declares`: declared_total: footer)

    def _header_grid(self, last: int) -> dict[int, list[str | None]]:
        grid: dict[int, list[str | None]] = {}
        for number, row in self._rows:
            grid[number] = [excel_text(c) for c in row]
            if number >= last:
                break
        return grid

    def _fill_merges(self, grid: dict[int, list[str | None]], last: int) -> None:
        for min_col, min_row, max_col, max_row in self._merges(last):
            top = grid.get(min_row, [])
            value = top[min_col - 1] if min_col - 1 < len(top) else None
            for r in range(min_row, min(max_row, last) + 1):
                cells = grid.setdefault(r, [])
                cells.extend([None] * (max_col - len(cells)))
                for c in range(min_col, max_col + 1):
                    cells[c - 1] = value if (r, c) != (min_row, min_col) else cells[c - 1]

    def _first_nonblank(self) -> int:
        for number, row in self._rows:
            if any(excel_text(c) is not None for c in row):
                self._pending = (number, row)
                return number
        raise HeaderError("the sheet is empty")

    def first_rows(self, limit: int) -> list[tuple[int, list[str | None]]]:
        """The first ``limit`` non-blank rows as a library reads them (a merged cell's text in its first cell), with
        their sheet row numbers, before any header is read (``hopnhat init --scan``)."""
        rows: list[tuple[int, list[str | None]]] = []
        for number, row in self._rows:
            texts = [excel_text(c) for c in row]
            if any(t is not None for t in texts):
                rows.append((number, texts))
            if len(rows) >= limit:
                break
        return rows

    def read_header(self, header_rows: list[int] | None, data_start: int | None, join: str,
                    wanted: list[str]) -> list[str]:
        """Column names from the header rows (default: the first non-blank row)."""
        if header_rows is None:
            first = self._first_nonblank()
            header_rows = [first]
            grid = {first: [excel_text(c) for c in self._pending[1]]} if self._pending else {}
            self._pending = None
        else:
            grid = self._header_grid(max(header_rows))
        last = max(header_rows)
        self._fill_merges(grid, last)
        rows = [grid.get(r, []) for r in sorted(header_rows)]
        if not any(c for r in rows for c in r):
            raise HeaderError(f"header row(s) {sorted(header_rows)} are empty")
        self.header = header_names(rows, join, wanted)
        self._data_start = data_start or last + 1
        return self.header

    @property
    def footer(self) -> tuple[int, str, int] | None:
        """The first footer total met: row, number as written, count."""
        return self.ends.footer

    def records(self) -> Iterator[Record]:
        """Every non-blank row from the data start on. A report's end (:mod:`hopnhat.ingest.footer`) is no record:
        the last footer total is the table's declared count when it says so (``ends.declares``; one above it, a
        subtotal, a row quarantined as ``footer_total``), else every footer total such a row; the rows of a
        signature block below a footer are quarantined as ``signature_block``."""
        held: tuple[int, list[str | None]] | None = None  # the footer the count is taken from, so far
        for number, row in self._rows:
            if number < self._data_start:
                continue
            texts = [excel_text(c) for c in row]
            if not any(t is not None for t in texts):
                continue
            kind = self.ends.kind(number, texts) if self.ends.may_end(texts) else "record"
            if kind == "declared":
                if held is not None and self.ends.take_subtotal() == held[0]:
                    yield self._report_row(*held, self.ends.subtotal_error())
                held = (number, texts)
            elif kind == "record":
                yield self._record(number, texts)
            else:
                yield self._report_row(number, texts, self.ends.error(kind))

    def _report_row(self, number: int, texts: list[str | None], error: tuple[str, str]) -> Record:
        """A row of the report's own (a footer total, a subtotal, a signature line): quarantined, never a record."""
        cells, extra = self._cells(texts)
        rec = Record(number, None, record_json({**cells, **extra}))
        rec.add_error(*error)
        return rec

    def _cells(self, texts: list[str | None]) -> tuple[dict[str, str | None], dict[str, str]]:
        """The row's cells by column name, and those beyond the header by column letter."""
        width = len(self.header)
        extra = {get_column_letter(i + 1): t for i, t in enumerate(texts) if i >= width and t is not None}
        return dict(zip(self.header, texts[:width])), extra

    def _record(self, number: int, texts: list[str | None]) -> Record:
        cells, extra = self._cells(texts)
        rec = Record(number, cells, record_json({**cells, **extra}))
        if extra:
            rec.add_error("long_row", f"cells beyond the header's {len(self.header)} columns: {', '.join(extra)}")
        return rec
