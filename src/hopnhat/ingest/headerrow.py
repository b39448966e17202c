"""The header row of a sheet that opens with a title block, as administrative lists do.

A list printed from a commune's Excel file opens with the issuing body and the national motto (``UBND XÃ TÂN PHÚ`` …
``CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM``), a title (``DANH SÁCH NHÂN KHẨU``) and a blank line or two. Then come the
column names, often followed by a row numbering the columns (``(1)`` ``(2)`` …), and then the records. Read as it is,
such a sheet's header is the first title line and its columns are ``column2``, ``column3`` ….

:func:`below_title` finds the real header, only when the first row is sparse: fewer than
:data:`DENSE` of the sheet's widest row's cells filled. A sheet whose first row is its header, even with a few blank
names, is read as before. The header is then the first row, among the next :data:`SCAN_ROWS`, that is that full. A
numbering row right below it is dropped as well (right below a first-row header only when it counts 1, 2, 3 … in
column order, in brackets or over five columns or more: a record of small numbers is not dropped).

Forms often have **two header rows**: a merged cell over two or more columns (``Ngày sinh``, ``Giấy tờ tùy thân``)
names its columns in the row below (``Nam`` | ``Nữ``: the birth date written in the column of the person's sex; ``Số``
| ``Ngày cấp`` | ``Nơi cấp``), while the other columns' cells are merged down. Read by a library, the merged cell's
text is in its first column and the rest are blank. The row below is read as a second header row when every cell it
fills lies under a merged cell, at least one under its blank part, and none holds a value (four digits or more); the
columns are then named ``Ngày sinh - Nam``, ``Ngày sinh - Nữ``, and a header row counts the columns its second row
names when its fullness is compared. How many rows were skipped, and the header found, are kept in the
table's schema metadata (:func:`skipped`) so that a command can say so.
"""

from __future__ import annotations

import math
import re
from typing import NamedTuple

import pyarrow as pa

SCAN_ROWS = 30
DENSE = 0.6  # share of the widest row's cells a header row fills
STRICT_WIDTH = 5  # an unbracketed 1, 2, 3 … under a first-row header is column numbers from this many columns
_NUMBERING = re.compile(r"^[(\[]?\s*(?:\d{1,3}|[a-zA-Z])\s*[)\].]?$")  # (1)  1  [2]  3.  (a)
_UNNAMED = re.compile(r"^(?:column|col_)\d+$")
_VALUE = re.compile(r"\d{4}")
SKIPPED_KEY = b"hopnhat.rows_above_header"


def below_title(table: pa.Table) -> pa.Table:
    """``table`` (every column text, its first row read as the column names) with the columns named by the header
    row found below a title block (and by a second header row under its merged cells), and the rows from that header
    down to the first record dropped (see the module doc); the table as it is when its first row is its whole header
    or no row below is dense."""
    if table.num_columns < 2 or table.num_rows == 0:
        return table
    names = [None if _UNNAMED.match(n) else n for n in table.column_names]
    rows = [names, *_rows(table.slice(0, SCAN_ROWS))]
    found = locate(rows)
    if found is None or found.first == 1:
        return table
    body = table.slice(found.first - 1)  # (rows[i] is the table's row i - 1)
    renamed = body.rename_columns(_names(rows[found.header], rows[found.header + 1] if found.two_rows else None))
    meta = {**(renamed.schema.metadata or {}), SKIPPED_KEY: str(found.first - 1).encode()}
    return renamed.replace_schema_metadata(meta)


class Located(NamedTuple):
    """Where a sheet's header is among its first rows (0-based): the header row, whether the row below it is a second
    header row, and the first record's row."""

    header: int
    two_rows: bool
    first: int


def locate(rows: list[list[str | None]]) -> Located | None:
    """The header of a sheet's first rows as read cell by cell (the module doc), or None when no row is dense: what
    :func:`below_title` reads a table by, and what ``hopnhat init --scan`` writes as ``header_rows`` and
    ``data_start_row``."""
    rows = [list(r) for r in rows[: SCAN_ROWS + 1]]
    width = max((len(r) for r in rows), default=0)
    if width < 2:
        return None
    rows = [r + [None] * (width - len(r)) for r in rows]
    subs = [i + 1 < len(rows) and _subheader(rows[i], rows[i + 1]) for i in range(len(rows))]
    filled = [_filled(rows[i]) + (_under_merged(rows[i], rows[i + 1]) if subs[i] else 0) for i in range(len(rows))]
    need = max(2, math.ceil(DENSE * max(filled)))
    header = next((i for i in range(len(rows)) if filled[i] >= need), None)
    if header is None:
        return None
    first = header + 1 + subs[header]  # rows[first] is the first row below the header rows
    if first < len(rows) and _numbering(rows[first], strict=header == 0 and not subs[header]):
        first += 1
    return Located(header, bool(subs[header]), first)


def skipped(table: pa.Table) -> int:
    """Rows :func:`below_title` dropped above the records (the first row read as names not counted), 0 if none."""
    meta = table.schema.metadata or {}
    return int(meta.get(SKIPPED_KEY, b"0"))


def _rows(table: pa.Table) -> list[list[str | None]]:
    columns = [c.to_pylist() for c in table.columns]
    return [list(row) for row in zip(*columns, strict=True)]


def _text(cell: object) -> str:
    return " ".join(str(cell).split()) if cell is not None else ""


def _filled(row: list[str | None]) -> int:
    return sum(1 for cell in row if _text(cell))


def _numbering(row: list[str | None], strict: bool = False) -> bool:
    """A row numbering the columns: every filled cell a small number or letter, in brackets or not, and most filled.
    ``strict`` (right under a first-row header, where a record of small numbers could stand): the numbers are
    1, 2, 3 … in column order, and in brackets or over at least :data:`STRICT_WIDTH` columns (a record ``1,2,3``
    of a three-column table is a record)."""
    cells = [_text(c) for c in row]
    filled = [c for c in cells if c]
    if len(filled) < max(2, math.ceil(DENSE * len(cells))) or not all(_NUMBERING.match(c) for c in filled):
        return False
    if not strict:
        return True
    counts = [c.strip("()[]. ") for c in filled] == [str(n) for n in range(1, len(filled) + 1)]
    return counts and (len(filled) >= STRICT_WIDTH or all(c[0] in "([" for c in filled))


def _groups(head: list[str | None]) -> list[int | None]:
    """For each column, the column where its merged header cell starts (a named cell and the blank cells right of
    it, as a merged cell reads), or None for a column under a header cell of its own or under none."""
    starts: list[int | None] = []
    current: int | None = None
    for j, cell in enumerate(head):
        if _text(cell):
            current = j
        starts.append(current)
    sizes = {s: starts.count(s) for s in set(starts) if s is not None}
    return [s if s is not None and sizes[s] > 1 else None for s in starts]


def _subheader(head: list[str | None], row: list[str | None]) -> bool:
    """``row`` names the columns under ``head``'s merged cells (``Ngày sinh`` over ``Nam`` | ``Nữ``): ``head`` has a
    column of its own too (a title block's lines span the sheet), every filled cell of ``row`` lies under a merged
    cell, at least one under its blank part, and none holds a value (four digits or more: a date, a year, a
    number)."""
    groups = _groups(head)
    if not any(g is None and _text(cell) for g, cell in zip(groups, head, strict=True)):
        return False  # no column with a header cell of its own: a title block's lines, not a header
    cells = [_text(c) for c in row]
    filled = [j for j, c in enumerate(cells) if c]
    return (bool(filled) and all(groups[j] is not None for j in filled)
            and any(not _text(head[j]) for j in filled) and not any(_VALUE.search(cells[j]) for j in filled))


def _under_merged(head: list[str | None], row: list[str | None]) -> int:
    """Columns a second header row names under the blank part of ``head``'s merged cells."""
    return sum(1 for h, c in zip(head, row, strict=True) if _text(c) and not _text(h))


def _names(row: list[str | None], sub: list[str | None] | None = None) -> list[str]:
    """Column names from a header row (and the row naming the columns under its merged cells: ``Ngày sinh - Nam``):
    blank → ``column<n>``, a name repeated → ``<name>_2``."""
    groups = _groups(row) if sub is not None else [None] * len(row)
    out: list[str] = []
    seen: set[str] = set()
    for position, cell in enumerate(row, start=1):
        group = groups[position - 1]
        below = _text(sub[position - 1]) if sub is not None else ""
        base = (f"{_text(row[group])} - {below}" if group is not None and below else
                _text(row[group]) if group is not None else _text(cell)) or f"column{position}"
        name, n = base, 1
        while name in seen:
            n += 1
            name = f"{base}_{n}"
        seen.add(name)
        out.append(name)
    return out
