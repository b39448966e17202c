"""Rows into ``pyarrow`` batches: the raw columns first, then one string column per source column.

A batch's columns never change order. A source whose records bring new keys later (JSON) adds them as new trailing
columns: a later batch may have more columns than an earlier one, never fewer.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyarrow as pa

from hopnhat.ingest.base import MAX_RAW, RAW_COLUMNS, column_name


class ColumnNames:
    """Source keys → unique column names, in first-seen order (blank → ``col_<n>``, repeats → ``_2``)."""

    def __init__(self, keys: Iterable[str] = ()) -> None:
        self.names: list[str] = []
        self._by_key: dict[str, str] = {}
        self.known = self._by_key  # key → column, read directly on the hot path
        self._used = {c.casefold() for c in RAW_COLUMNS}
        for key in keys:
            self.name(key)

    def name(self, key: str) -> str:
        """The column of a key, made on first sight."""
        found = self._by_key.get(key)
        if found is not None:
            return found
        base = column_name(key) or f"col_{len(self.names) + 1}"
        candidate, n = base, 1
        while candidate.casefold() in self._used:
            n += 1
            candidate = f"{base}_{n}"
        self._used.add(candidate.casefold())
        self._by_key[key] = candidate
        self.names.append(candidate)
        return candidate


class Batcher:
    """Collects rows column by column and hands out a ``pa.Table`` every ``batch_rows`` rows."""

    def __init__(self, columns: list[str], batch_rows: int) -> None:
        self.columns = columns  # shared with the shaper: it may grow
        self.batch_rows = max(1, batch_rows)
        self.emitted = 0
        self._reset()

    def _reset(self) -> None:
        self._meta: tuple[list[int], list[int | None], list[str | None], list[str | None]] = ([], [], [], [])
        self._rows: list[dict[str, str | None]] = []

    def add(self, row: int, item: int | None, error: str | None, raw: str | None,
            cells: dict[str, str | None]) -> pa.Table | None:
        """Add one row; returns a full batch when one is ready. The row's cells are kept as they come (a dict) and
        turned into columns at :meth:`flush`, one list comprehension per column (a column added later reads as
        empty in the rows before it)."""
        meta = self._meta
        meta[0].append(row)
        meta[1].append(item)
        meta[2].append(error)
        meta[3].append(raw if raw is None or len(raw) <= MAX_RAW else raw[:MAX_RAW])
        self._rows.append(cells)
        return self.flush() if len(self._rows) >= self.batch_rows else None

    def flush(self, force_empty: bool = False) -> pa.Table | None:
        """The rows collected so far as a table (None when there are none, unless an empty table is wanted)."""
        rows = self._rows
        if not rows and not force_empty:
            return None
        arrays = [pa.array(self._meta[0], pa.int64()), pa.array(self._meta[1], pa.int64()),
                  pa.array(self._meta[2], pa.string()), pa.array(self._meta[3], pa.string())]
        arrays += [pa.array([cells.get(name) for cells in rows], pa.string()) for name in self.columns]
        table = pa.Table.from_arrays(arrays, names=[*RAW_COLUMNS, *self.columns])
        self.emitted += len(rows)
        self._reset()
        return table
