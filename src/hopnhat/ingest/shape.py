"""Records → output rows: one row per record, or one row per list item for a table with ``explode``.

Tabular readers (CSV, Excel, SQL, Parquet) know their columns from the header. JSON records bring their own keys: the
columns are the keys of the first records (``SAMPLE``) plus the columns the mapping needs (so batches keep a stable
schema for the mapper), and keys seen later are added as trailing columns.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Container, Iterable, Iterator
from typing import Any

import pyarrow as pa

from hopnhat.ingest.base import Record
from hopnhat.ingest.batches import Batcher, ColumnNames
from hopnhat.ingest.cells import cell_text, json_text, record_json
from hopnhat.text.cells import as_text

SAMPLE = 1000  # records read ahead to fix the column order of a JSON source


def tabular(records: Iterable[Record], header: list[str], batch_rows: int) -> Iterator[pa.Table]:
    """Batches of a source with a header: every record has (at most) the header's columns."""
    batcher = Batcher(header, batch_rows)
    for rec in records:
        cells = {name: value if type(value) is str and value else cell_text(value)
                 for name, value in (rec.values or {}).items()}
        full = batcher.add(rec.row, None, rec.error, rec.raw if rec.raw is not None else record_json(cells), cells)
        if full is not None:
            yield full
    last = batcher.flush(force_empty=batcher.emitted == 0)
    if last is not None:
        yield last


def _scalar(value: Any) -> bool:
    return not isinstance(value, (dict, list))


def _cells(values: dict[str, Any], names: ColumnNames) -> dict[str, str | None]:
    """A record's cells by column name (text kept as is: the common case skips two calls per cell)."""
    known = names.known
    return {known.get(key) or names.name(key): value if type(value) is str and value else cell_text(value)
            for key, value in values.items()}


def _emitted(sample: list[Record], records: Iterator[Record], emit: Container[int] | None) -> Iterator[Record]:
    """The records to turn into rows: all, or (``emit``) the sample's records of those numbers, then the rest (a
    delta run's reader already skipped the records it does not want; the sample was read whole to name columns)."""
    if emit is None:
        return itertools.chain(sample, records)
    return itertools.chain((rec for rec in sample if rec.row in emit), records)


def keyed(records: Iterable[Record], needed: list[str], batch_rows: int,
          emit: Container[int] | None = None) -> Iterator[pa.Table]:
    """Batches of JSON records: one row per record, top-level keys as columns."""
    records = iter(records)
    sample = list(itertools.islice(records, SAMPLE))
    names = ColumnNames(key for rec in sample for key in (rec.values or {}))
    for key in needed:
        names.name(key)
    batcher = Batcher(names.names, batch_rows)
    for rec in _emitted(sample, records, emit):
        full = batcher.add(rec.row, None, rec.error, rec.raw, _cells(rec.values or {}, names))
        if full is not None:
            yield full
    last = batcher.flush(force_empty=batcher.emitted == 0)
    if last is not None:
        yield last


class Exploder:
    """One row per element of a record's list field; the element's keys win over the parent's."""

    def __init__(self, field: str, needed: list[str]) -> None:
        self.field = field
        self.needed = set(needed)

    def parent(self, values: dict[str, Any]) -> dict[str, Any]:
        """The parent's columns every item row carries: its scalars, and the nested values the mapping needs."""
        return {k: v for k, v in values.items() if k != self.field and (_scalar(v) or k in self.needed)}

    def items(self, rec: Record) -> list[Any] | str:
        """The list to explode, or why there is none."""
        if rec.values is None:
            return rec.error or "bad_record: nothing could be read"
        value = rec.values.get(self.field)
        if isinstance(value, (bytes, bytearray, memoryview)):  # a JSON text column of a database
            value = as_text(bytes(value))
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except json.JSONDecodeError:
                pass
        if isinstance(value, list):
            return value
        what = "missing" if value is None else f"a {type(value).__name__}, not a list"
        return f"not_a_list: field {self.field!r} is {what}"

    def rows(self, rec: Record) -> Iterator[tuple[int | None, str | None, str | None, dict[str, Any],
                                                   dict[str, Any] | None]]:
        """(item, error, raw, parent values, item values or None) for each row this record gives; the item's keys
        win over the parent's."""
        items = self.items(rec)
        parent = self.parent(rec.values or {})
        if isinstance(items, str):
            error = rec.error if rec.error and items == rec.error else _join(rec.error, items)
            yield None, error, rec.raw, parent, None
            return
        for position, item in enumerate(items):
            if isinstance(item, dict):
                yield position, rec.error, json_text(item), parent, item
            else:
                problem = f"not_an_object: item {position} of {self.field!r} is a {type(item).__name__}"
                yield position, _join(rec.error, problem), json_text(item), parent, None


def _join(first: str | None, second: str) -> str:
    return second if not first else f"{first}; {second}"


def _item_keys(exploder: Exploder, sample: list[Record]) -> Iterator[str]:
    for rec in sample:
        items = exploder.items(rec)
        for item in items if isinstance(items, list) else ():
            if isinstance(item, dict):
                yield from item


def exploded(records: Iterable[Record], field: str, needed: list[str], batch_rows: int,
             emit: Container[int] | None = None) -> Iterator[pa.Table]:
    """Batches of list items: item keys, then the parent's columns."""
    exploder = Exploder(field, needed)
    records = iter(records)
    sample = list(itertools.islice(records, SAMPLE))
    names = ColumnNames(_item_keys(exploder, sample))
    for key in itertools.chain((k for rec in sample for k in exploder.parent(rec.values or {})), needed):
        names.name(key)
    batcher = Batcher(names.names, batch_rows)
    for rec in _emitted(sample, records, emit):
        parent_cells: dict[str, str | None] | None = None  # the parent's cells, converted once per record
        for item, error, raw, parent, values in exploder.rows(rec):
            if parent_cells is None:
                parent_cells = _cells(parent, names)
            cells = {**parent_cells, **_cells(values, names)} if values else parent_cells
            full = batcher.add(rec.row, item, error, raw, cells)
            if full is not None:
                yield full
    last = batcher.flush(force_empty=batcher.emitted == 0)
    if last is not None:
        yield last
