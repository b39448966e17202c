"""Change detection without reading rows: a source file's records as raw bytes, one 64-bit hash each, found and
hashed vectorised (NumPy finds the line ends, DuckDB hashes the Arrow array of lines); then, for a delta run, only
the records that changed are parsed, from the very bytes that were hashed (:func:`read_subset`).

Which files: CSV/TSV whose records are one line each (checked: no quoted line break, no lone CR; not UTF-16/32) and
NDJSON (a record is a line). A record's ``_row`` is its line number, as the readers number it. Anything else (Excel,
Parquet, a JSON array, a CSV with multi-line records, SQL databases) gives ``None``: the caller reads it whole.

``layout`` names what every record's reading depends on besides its own bytes — the delimiter, the BOM, the header
lines: when it differs from the last load's, the records cannot be compared by their bytes.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Container, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
from sqlalchemy import column, func, literal

from hopnhat.ingest import delimited, jsonfile, shape
from hopnhat.ingest.api import open_table
from hopnhat.ingest.base import needed_columns
from hopnhat.ingest.sql import bytes_for_text, make_engine, orderable, reflect, table_select
from hopnhat.project.config import Project, SourceSpec, TableSpec

_ROW_MASK = "9223372036854775807"  # DuckDB's 64-bit hash kept in a BIGINT (63 bits), as the row snapshot keeps it


@dataclass(frozen=True)
class Prints:
    """A source file's bytes as read once, and its records' hashes: ``records`` (``src_row``, ``raw_hash``)."""

    kind: str  # csv | ndjson
    data: bytes
    sha256: str
    layout: str
    records: pa.Table

    @property
    def size(self) -> int:
        return len(self.data)


def _line_offsets(body: bytes) -> np.ndarray:
    """Start of every line and the end of the last (n + 1 offsets); a line keeps its ``\\n``."""
    ends = np.flatnonzero(np.frombuffer(body, np.uint8) == 10) + 1
    offsets = np.concatenate(([0], ends)).astype(np.int64)
    if offsets[-1] != len(body):
        offsets = np.append(offsets, np.int64(len(body)))
    return offsets


def _hashes(body: bytes, offsets: np.ndarray) -> pa.Array:
    """DuckDB's hash of each line ``offsets[i]:offsets[i+1]`` of ``body`` (an Arrow view of the bytes, no copy)."""
    n = len(offsets) - 1
    _hopnhat_lines = pa.table({"b": pa.LargeBinaryArray.from_buffers(
        pa.large_binary(), n, [None, pa.py_buffer(offsets), pa.py_buffer(body)])})
    con = _engine().cursor()
    try:
        out = con.execute(f"SELECT CAST(hash(b) & {_ROW_MASK} AS BIGINT) AS h FROM _hopnhat_lines").fetch_arrow_table()
    finally:
        con.close()
    return out.column("h").combine_chunks()


@lru_cache(maxsize=1)
def _engine() -> duckdb.DuckDBPyConnection:
    """One in-memory DuckDB for the process (opening and closing one per file cost more than the hashing)."""
    return duckdb.connect()


def _records(body: bytes, offsets: np.ndarray, first_row: int, skip_lines: int) -> pa.Table:
    """Lines after the first ``skip_lines`` as records numbered from ``first_row``."""
    part = offsets[skip_lines:]
    n = max(0, len(part) - 1)
    rows = pa.array(np.arange(first_row, first_row + n, dtype=np.int64))
    return pa.table({"src_row": rows, "raw_hash": _hashes(body, part) if n else pa.array([], pa.int64())})


def _single_line_records(text: str, delimiter: str) -> bool:
    """Whether the csv module reads every record from exactly one line (no quoted line break, no CSV error)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    expected = 0
    try:
        for _ in reader:
            expected += 1
            if reader.line_num != expected:
                return False
    except csv.Error:
        return False
    return True


def _default_delimiter(source: SourceSpec, table: TableSpec) -> str:
    """As the reader chooses it (``api._open_delimited``)."""
    return "\t" if source.kind == "tsv" or (table.path or "").lower().endswith((".tsv", ".tab")) else ","


def _csv_prints(data: bytes, source: SourceSpec, table: TableSpec) -> Prints | None:
    layout = delimited.layout_of(io.BytesIO(data), table.delimiter, table.encoding, _default_delimiter(source, table))
    body = data[layout.skip:]
    if layout.text_encoding is not None or body.count(b"\r") != body.count(b"\r\n"):
        return None
    if b'"' in body and not _single_line_records(body.decode("latin-1"), layout.delimiter):
        return None
    reader = delimited.DelimitedReader(io.BytesIO(data), layout)
    try:
        header = reader.read_header(table.header_rows, table.data_start_row, table.header_join, needed_columns(table))
    except delimited.HeaderError:
        return None
    offsets = _line_offsets(body)
    head = body[: int(offsets[min(reader.ordinal, len(offsets) - 1)])]
    sig = f"csv|{layout.delimiter}|{layout.skip}|{hashlib.sha256(head).hexdigest()}|{'|'.join(header)}"
    return Prints("csv", data, hashlib.sha256(data).hexdigest(), sig,
                  _records(body, offsets, reader.ordinal + 1, reader.ordinal))


def _ndjson_prints(data: bytes) -> Prints:
    offsets = _line_offsets(data)
    return Prints("ndjson", data, hashlib.sha256(data).hexdigest(), "ndjson", _records(data, offsets, 1, 0))


def _is_ndjson(source: SourceSpec, table: TableSpec) -> bool:
    path = (table.path or "").lower()
    return source.kind == "ndjson" or (source.kind == "json" and path.endswith((".ndjson", ".jsonl")))


def file_prints(project: Project, source: SourceSpec, table: TableSpec) -> Prints | None:
    """The table's file read once and its records hashed; None when its records cannot be told apart by their bytes
    (then the caller reads the table whole)."""
    if not table.path or source.kind not in ("csv", "tsv", "ndjson", "json"):
        return None
    if source.kind == "json" and not _is_ndjson(source, table):
        return None
    path = project.resolve(table.path)
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if _is_ndjson(source, table):
        return _ndjson_prints(data)
    return _csv_prints(data, source, table)


def _sqlite_prints(project: Project, source: SourceSpec, table: TableSpec) -> Prints | None:
    """A SQLite table's rows in the reader's order (``_row``), each as SQLite's ``quote()`` of its cells joined:
    one text per row, hashed by DuckDB. None for a query, or a column the reader cannot order by (rows could then
    come in another order than the reader's)."""
    if not source.path or not table.table or table.query:
        return None
    engine = make_engine("sqlite", project.resolve(source.path), None)
    try:
        with engine.connect() as conn:
            reflected = reflect(conn, table.table, source.schema_name)
            if not all(orderable(c) for c in reflected.c):
                return None
            blobs = frozenset(project.config.files.blobs.get(source.name, {}).get(table.name, {}))
            key = table.source_key.column if table.source_key is not None else None
            cells = [func.quote(column(c.name)) for c in reflected.c if c.name not in blobs]
            row: Any = cells[0]
            for cell in cells[1:]:
                row = row.op("||")(literal("\x1f")).op("||")(cell)
            bytes_for_text(conn)
            values = [r[0] for r in conn.execute(table_select(reflected, key, skip=blobs).with_only_columns(row))]
    finally:
        engine.dispose()
    data = pa.array(values, pa.large_binary())
    _hopnhat_rows = pa.table({"b": data})
    con = _engine().cursor()
    try:
        hashes = con.execute(f"SELECT CAST(hash(b) & {_ROW_MASK} AS BIGINT) AS h FROM _hopnhat_rows") \
            .fetch_arrow_table().column("h").combine_chunks()
    finally:
        con.close()
    records = pa.table({"src_row": pa.array(np.arange(1, len(values) + 1, dtype=np.int64)), "raw_hash": hashes})
    digest = hashlib.sha256(np.asarray(hashes.to_numpy(zero_copy_only=False)).tobytes()).hexdigest()
    return Prints("sqlite", b"", digest, f"sqlite|{'|'.join(c.name for c in reflected.c)}", records)


def source_prints(project: Project, source: SourceSpec, table: TableSpec) -> Prints | None:
    """:func:`file_prints`, or a SQLite table's (:func:`_sqlite_prints`); None for any other source."""
    if source.kind == "sqlite":
        return _sqlite_prints(project, source, table)
    return file_prints(project, source, table)


def still(project: Project, source: SourceSpec, table: TableSpec, prints: Prints) -> bool:
    """The table still holds what ``prints`` hashed (checked after a read that went to the source again)."""
    if prints.kind == "sqlite":
        again = _sqlite_prints(project, source, table)
        return again is not None and again.sha256 == prints.sha256
    try:
        data = project.resolve(table.path or "").read_bytes()
    except OSError:
        return False
    return hashlib.sha256(data).hexdigest() == prints.sha256


def read_subset(project: Project, source: SourceSpec, table: TableSpec, prints: Prints, wanted: Container[int],
                batch_rows: int = 50_000) -> Iterator[pa.Table]:
    """The batches a full read gives, but of the records ``wanted`` only (by ``_row``), parsed from ``prints.data``
    (the bytes that were hashed, so a file changing meanwhile cannot mix two versions). A JSON file's first records
    are still read to name the columns as a full read names them. A SQLite table is read again, its unwanted rows
    dropped before they are shaped (the caller checks with :func:`still` that it did not change meanwhile)."""
    if prints.kind == "sqlite":
        return _sql_subset(project, source, table, wanted, batch_rows)
    needed = needed_columns(table)
    fh = io.BytesIO(prints.data)
    if prints.kind == "csv":
        layout = delimited.layout_of(fh, table.delimiter, table.encoding, _default_delimiter(source, table))
        reader = delimited.DelimitedReader(fh, layout)
        header = reader.read_header(table.header_rows, table.data_start_row, table.header_join, needed)
        records = reader.records(wanted)
        if table.explode:
            return shape.exploded(records, table.explode, needed, batch_rows, wanted)
        return shape.tabular(records, header, batch_rows)
    records = jsonfile.ndjson_records(fh, wanted, shape.SAMPLE)
    if table.explode:
        return shape.exploded(records, table.explode, needed, batch_rows, wanted)
    return shape.keyed(records, needed, batch_rows, wanted)


__all__ = ["Prints", "file_prints", "read_subset", "source_prints", "still"]


def _sql_subset(project: Project, source: SourceSpec, table: TableSpec, wanted: Container[int],
                batch_rows: int) -> Iterator[pa.Table]:
    opened = open_table(project, source, table, batch_rows)
    with opened.stack:
        records = (rec for rec in opened.records if rec.row in wanted)
        if table.explode:
            yield from shape.exploded(records, table.explode, needed_columns(table), batch_rows)
        else:
            assert opened.header is not None
            yield from shape.tabular(records, opened.header, batch_rows)
