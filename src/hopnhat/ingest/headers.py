"""Column names from one or more header rows.

Several header rows (a group title over sub-titles, as Vietnamese forms are drawn) are joined top-down with the table's
``header_join``: "Ngày sinh" over "Nam" gives "Ngày sinh - Nam". A part equal to the one above it (a cell merged down
over two header rows) counts once. When the mapping names a column by its lower parts only ("Mã ngạch" under
"Ngạch công chức"), that shorter name is used: a column is known by the name the merger file gives it.
"""

from __future__ import annotations

from collections.abc import Sequence

from hopnhat.ingest.base import unique_names


def column_parts(rows: Sequence[Sequence[str | None]]) -> list[list[str]]:
    """For each column, its non-blank header parts from top to bottom, without a part repeating the one above."""
    width = max((len(r) for r in rows), default=0)
    columns: list[list[str]] = []
    for i in range(width):
        parts: list[str] = []
        for row in rows:
            text = (row[i] if i < len(row) else None) or ""
            text = " ".join(text.split())
            if text and (not parts or parts[-1] != text):
                parts.append(text)
        columns.append(parts)
    return columns


def _name(parts: list[str], join: str, wanted: set[str]) -> str:
    full = join.join(parts)
    if full in wanted:
        return full
    for start in range(1, len(parts)):
        shorter = join.join(parts[start:])
        if shorter in wanted:
            return shorter
    return full


def header_names(rows: Sequence[Sequence[str | None]], join: str, wanted: Sequence[str] = ()) -> list[str]:
    """Unique column names from header rows (blank → ``col_<n>``, repeats → ``_2``)."""
    wanted_set = set(wanted)
    return unique_names(_name(parts, join, wanted_set) for parts in column_parts(rows))
