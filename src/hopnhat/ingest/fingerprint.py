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

import codecs
import csv
import hashlib
import io
import json
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import bindparam, column, func, literal, select
from sqlalchemy.engine import Connection

from hopnhat.ingest import delimited, jsonfile, shape
from hopnhat.ingest.base import Record, needed_columns, unique_names
from hopnhat.ingest.sql import bytes_for_text, make_engine, orderable, reflect, table_select
from hopnhat.project.config import Project, SourceSpec, TableSpec

_ROW_MASK = "9223372036854775807"  # DuckDB's 64-bit hash kept in a BIGINT (63 bits), as the row snapshot keeps it


@dataclass(frozen=True)
class Prints:
    """A source file's bytes as read once, and its records' hashes: ``records`` (``src_row``, ``raw_hash``)."""

    kind: str  # csv | ndjson | sqlite
    data: bytes
    sha256: str
    layout: str
    records: pa.Table
    offsets: np.ndarray | None = None  # start of every line of the body and the end of the last (record r: line r - 1)
    skip: int = 0  # bytes before the body (a CSV's BOM)
    head_lines: int = 0  # lines of the body before the first record (a CSV's header)

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


def _csv_prints(data: bytes, source: SourceSpec, table: TableSpec, known: Known | None) -> Prints | None:
    layout = delimited.layout_of(io.BytesIO(data), table.delimiter, table.encoding, _default_delimiter(source, table))
    body = data[layout.skip:]
    if layout.text_encoding is not None or body.count(b"\r") != body.count(b"\r\n"):
        return None
    reader = delimited.DelimitedReader(io.BytesIO(data), layout)
    try:
        header = reader.read_header(table.header_rows, table.data_start_row, table.header_join, needed_columns(table))
    except delimited.HeaderError:
        return None
    offsets = _line_offsets(body)
    head = body[: int(offsets[min(reader.ordinal, len(offsets) - 1)])]
    sig = f"csv|{layout.delimiter}|{layout.skip}|{hashlib.sha256(head).hexdigest()}|{'|'.join(header)}"
    records = _records(body, offsets, reader.ordinal + 1, reader.ordinal)
    if b'"' in body and not _one_line_each(body, offsets, reader.ordinal, records, layout.delimiter,
                                           known if known is not None and known.layout == sig else None):
        return None
    return Prints("csv", data, hashlib.sha256(data).hexdigest(), sig, records, offsets, layout.skip, reader.ordinal)


@dataclass(frozen=True)
class Known:
    """What the last load read of a file: its layout and its records' hashes. A line whose hash is among them is a
    line that file held, and it was one whole record there."""

    layout: str
    hashes: pa.Array


def _one_line_each(body: bytes, offsets: np.ndarray, first_line: int, records: pa.Table, delimiter: str,
                   known: Known | None) -> bool:
    """Whether the csv module reads every record of the body from exactly one line. With the last load's ``known``
    lines (same layout, so the same header before them): only the other lines are checked, each alone — a line that
    is one whole record read alone is one read among the others too, as every line before it ends a record."""
    if known is None:
        return _single_line_records(body.decode("latin-1"), delimiter)
    new = pc.invert(pc.is_in(records.column("raw_hash"), value_set=known.hashes)).to_numpy(zero_copy_only=False)
    for i in np.flatnonzero(new).tolist():
        line = body[int(offsets[first_line + i]):int(offsets[first_line + i + 1])].decode("latin-1")
        if '"' in line and not _whole_line(line, delimiter):
            return False
    return True


def _whole_line(line: str, delimiter: str) -> bool:
    """One line read alone is one whole record: read twice in a row, the first record ends where the line does (a
    quote left open would take the second copy in: the csv module ends an open quote at the end of the text)."""
    text = line if line.endswith("\n") else line + "\n"
    reader = csv.reader(io.StringIO(text + text, newline=""), delimiter=delimiter)
    try:
        next(reader)
    except (csv.Error, StopIteration):
        return False
    return reader.line_num == 1


def _ndjson_prints(data: bytes) -> Prints:
    offsets = _line_offsets(data)
    return Prints("ndjson", data, hashlib.sha256(data).hexdigest(), "ndjson", _records(data, offsets, 1, 0), offsets)


def _is_ndjson(source: SourceSpec, table: TableSpec) -> bool:
    path = (table.path or "").lower()
    return source.kind == "ndjson" or (source.kind == "json" and table.records is None
                                       and path.endswith((".ndjson", ".jsonl")))


def file_prints(project: Project, source: SourceSpec, table: TableSpec, known: Known | None = None) -> Prints | None:
    """The table's file read once and its records hashed; None when its records cannot be told apart by their bytes
    (then the caller reads the table whole). ``known``: what the last load read (a CSV's lines it held are not checked
    again for records spanning lines)."""
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
    return _csv_prints(data, source, table, known)


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
            statement = table_select(reflected, key, skip=blobs).with_only_columns(row)
            values = [r for (r,) in _fetch_all(conn, statement)]
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


def _fetch_all(conn: Connection, statement: Any, params: dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
    """Every row of a statement, fetched by the driver's cursor at once (SQLAlchemy's row objects, one Python call
    per row, cost more than SQLite's work)."""
    compiled = statement.compile(dialect=conn.dialect)
    bound = compiled.construct_params(params or {})
    args: Any = [bound[name] for name in compiled.positiontup or ()] if compiled.positional else bound
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(str(compiled), args)
        return list(cursor.fetchall())
    finally:
        cursor.close()


def source_prints(project: Project, source: SourceSpec, table: TableSpec,
                  known: Known | None = None) -> Prints | None:
    """:func:`file_prints`, or a SQLite table's (:func:`_sqlite_prints`); None for any other source."""
    if source.kind == "sqlite":
        return _sqlite_prints(project, source, table)
    return file_prints(project, source, table, known)


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


def read_subset(project: Project, source: SourceSpec, table: TableSpec, prints: Prints, wanted: Collection[int],
                batch_rows: int = 50_000) -> Iterator[pa.Table]:
    """The batches a full read gives, but of the records ``wanted`` only (by ``_row``), parsed from ``prints.data``
    (the bytes that were hashed, so a file changing meanwhile cannot mix two versions): only their lines are handed
    to the reader (found by the lines' offsets), after the header — each record renumbered as in the file. A JSON
    file's first records are still read to name the columns as a full read names them. A SQLite table is read again,
    its unwanted rows dropped before they are shaped (the caller checks with :func:`still` that it did not change
    meanwhile)."""
    if prints.kind == "sqlite":
        return _sql_subset(project, source, table, wanted, batch_rows)
    needed = needed_columns(table)
    if prints.kind == "csv":
        layout = delimited.layout_of(io.BytesIO(prints.data), table.delimiter, table.encoding,
                                     _default_delimiter(source, table))
        rows = _rows_after(prints, wanted, prints.head_lines)
        head = prints.skip + int(prints.offsets[prints.head_lines]) if prints.offsets is not None else 0
        reader = delimited.DelimitedReader(io.BytesIO(prints.data[:head] + _lines(prints, rows)), layout)
        header = reader.read_header(table.header_rows, table.data_start_row, table.header_join, needed)
        if reader.ordinal != prints.head_lines:
            raise RuntimeError(f"the header took {reader.ordinal} lines, {prints.head_lines} when hashed")
        records = _renumbered(reader.records(), prints.head_lines, rows)
        if table.explode:
            return shape.exploded(records, table.explode, needed, batch_rows, wanted)
        return shape.tabular(records, header, batch_rows)
    sample = _sample_lines(prints, shape.SAMPLE)
    rows = _rows_after(prints, wanted, sample)
    head = int(prints.offsets[sample]) if prints.offsets is not None else 0
    records = _renumbered(jsonfile.ndjson_records(io.BytesIO(prints.data[:head] + _lines(prints, rows))), sample,
                          rows)
    if table.explode:
        return shape.exploded(records, table.explode, needed, batch_rows, wanted)
    return shape.keyed(records, needed, batch_rows, wanted)


def _rows_after(prints: Prints, wanted: Iterable[int], first: int) -> list[int]:
    """The wanted records after the first ``first`` lines, in file order."""
    lines = len(prints.offsets) - 1 if prints.offsets is not None else 0
    return sorted(r for r in wanted if first < r <= lines)


def _lines(prints: Prints, rows: list[int]) -> bytes:
    """The bytes of the lines of records ``rows`` (record r is the body's line r - 1), one after the other."""
    if not rows or prints.offsets is None:
        return b""
    at = np.asarray(rows, np.int64)
    starts, ends = prints.offsets[at - 1] + prints.skip, prints.offsets[at] + prints.skip
    data = memoryview(prints.data)
    return b"".join(data[s:e] for s, e in zip(starts.tolist(), ends.tolist()))


def _sample_lines(prints: Prints, sample: int) -> int:
    """Lines of an NDJSON file up to its ``sample``-th non-blank one: those the reader reads whatever is wanted
    (they name the columns)."""
    assert prints.offsets is not None
    seen, lines = 0, len(prints.offsets) - 1
    for i in range(lines):
        line = prints.data[int(prints.offsets[i]):int(prints.offsets[i + 1])]
        if i == 0 and line.startswith(codecs.BOM_UTF8):
            line = line[len(codecs.BOM_UTF8):]
        if line.strip():
            seen += 1
            if seen >= sample:
                return i + 1
    return lines


def _renumbered(records: Iterator[Record], first: int, rows: list[int]) -> Iterator[Record]:
    """Records read from the first ``first`` lines and then the lines of ``rows``: each with its number in the file."""
    for rec in records:
        if rec.row > first:
            rec.row = rows[rec.row - first - 1]
        yield rec


__all__ = ["Known", "Prints", "file_prints", "read_subset", "source_prints", "still"]


def _sql_subset(project: Project, source: SourceSpec, table: TableSpec, wanted: Collection[int],
                batch_rows: int) -> Iterator[pa.Table]:
    """A SQLite table's rows ``wanted`` (by ``_row``: their number in the reader's order), chosen by SQLite — each
    row numbered by ``row_number()`` over the reader's very order (the key, then every column: rows that tie are the
    same row) — and shaped as the reader's records are."""
    assert source.path and table.table
    engine = make_engine("sqlite", project.resolve(source.path), None)
    try:
        with engine.connect() as conn:
            reflected = reflect(conn, table.table, source.schema_name)
            blobs = frozenset(project.config.files.blobs.get(source.name, {}).get(table.name, {}))
            key = table.source_key.column if table.source_key is not None else None
            names = [c.name for c in reflected.c if c.name not in blobs]
            header = unique_names(names)
            ordered = table_select(reflected, key, skip=blobs)
            numbered = ordered.add_columns(func.row_number().over(order_by=list(ordered._order_by_clauses))
                                           .label("_hopnhat_row")).order_by(None).subquery()
            chosen: Any = select(column("value")).select_from(func.json_each(bindparam("wanted")))
            statement = select(*[numbered.c[n] for n in names], numbered.c["_hopnhat_row"]) \
                .where(numbered.c["_hopnhat_row"].in_(chosen)).order_by(numbered.c["_hopnhat_row"])
            bytes_for_text(conn)
            rows = _fetch_all(conn, statement, {"wanted": json.dumps(sorted(wanted))})
    finally:
        engine.dispose()
    records = (Record(int(r[-1]), dict(zip(header, r[:-1], strict=True))) for r in rows)
    if table.explode:
        return shape.exploded(records, table.explode, needed_columns(table), batch_rows)
    return shape.tabular(records, header, batch_rows)
