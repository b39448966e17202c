"""The header row of a sheet that opens with a title block, as administrative lists do.

A list printed from a commune's Excel file opens with the issuing body and the national motto (``UBND XÃ TÂN PHÚ`` …
``CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM``), a title (``DANH SÁCH NHÂN KHẨU``) and a blank line or two. Then come the
column names, often followed by a row numbering the columns (``(1)`` ``(2)`` …), and then the records. Read as it is,
such a sheet's header is the first title line and its columns are ``column2``, ``column3`` ….

:func:`below_title` finds the real header, only when the first row is sparse: fewer than
:data:`DENSE` of the sheet's widest row's cells filled. A sheet whose first row is its header, even with a few blank
names, is read as before. The header is then the first row, among the next :data:`SCAN_ROWS`, that is that full. A
numbering row right below it is dropped as well. How many rows were skipped, and the header found, are kept in the
table's schema metadata (:func:`skipped`) so that a command can say so.
"""

from __future__ import annotations

import math
import re

import pyarrow as pa

SCAN_ROWS = 30
DENSE = 0.6  # share of the widest row's cells a header row fills
_NUMBERING = re.compile(r"^[(\[]?\s*(?:\d{1,3}|[a-zA-Z])\s*[)\].]?$")  # (1)  1  [2]  3.  (a)
_UNNAMED = re.compile(r"^(?:column|col_)\d+$")
SKIPPED_KEY = b"hopnhat.rows_above_header"


def below_title(table: pa.Table) -> pa.Table:
    """``table`` (every column text, its first row read as the column names) with the columns named by the header
    row found below a title block, and the rows from that header up dropped (see the module doc); the table as it is
    when its first row is dense or no row below is."""
    if table.num_columns < 2 or table.num_rows == 0:
        return table
    names = [None if _UNNAMED.match(n) else n for n in table.column_names]
    rows = [names, *_rows(table.slice(0, SCAN_ROWS))]
    filled = [sum(1 for cell in row if _text(cell)) for row in rows]
    need = max(2, math.ceil(DENSE * max(filled)))
    if filled[0] >= need:
        return table
    header = next((i for i in range(1, len(rows)) if filled[i] >= need), None)
    if header is None:
        return table
    first = header + 1 if header + 1 < len(rows) and _numbering(rows[header + 1]) else header
    body = table.slice(first)  # (rows[i] is the table's row i - 1: the header row itself is dropped too)
    renamed = body.rename_columns(_names(rows[header]))
    meta = {**(renamed.schema.metadata or {}), SKIPPED_KEY: str(first).encode()}
    return renamed.replace_schema_metadata(meta)


def skipped(table: pa.Table) -> int:
    """Rows :func:`below_title` dropped above the records (the first row read as names not counted), 0 if none."""
    meta = table.schema.metadata or {}
    return int(meta.get(SKIPPED_KEY, b"0"))


def _rows(table: pa.Table) -> list[list[str | None]]:
    columns = [c.to_pylist() for c in table.columns]
    return [list(row) for row in zip(*columns, strict=True)]


def _text(cell: object) -> str:
    return " ".join(str(cell).split()) if cell is not None else ""


def _numbering(row: list[str | None]) -> bool:
    """A row numbering the columns: every filled cell a small number or letter, in brackets or not, and most filled."""
    cells = [_text(c) for c in row]
    filled = [c for c in cells if c]
    return len(filled) >= max(2, math.ceil(DENSE * len(cells))) and all(_NUMBERING.match(c) for c in filled)


def _names(row: list[str | None]) -> list[str]:
    """Column names from a header row: blank → ``column<n>``, a name repeated → ``<name>_2``."""
    out: list[str] = []
    seen: set[str] = set()
    for position, cell in enumerate(row, start=1):
        base = _text(cell) or f"column{position}"
        name, n = base, 1
        while name in seen:
            n += 1
            name = f"{base}_{n}"
        seen.add(name)
        out.append(name)
    return out
