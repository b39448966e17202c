"""The BLOB columns of SQL sources (``files.blobs`` in the merger file), read for the files stage.

Each configured BLOB column is read once, in its own read-only streaming query that selects only the record's key,
the name column and the BLOB, in the same order as the rows stage reads the table (so a key-less table's ``_row``
is the same number in both); the rows stage leaves these columns out (:class:`hopnhat.ingest.sql.SqlReader`'s
``skip``). A few rows are fetched at a time, so memory is bounded by the largest BLOBs, not by the table. A name
column holding legacy bytes (TCVN3, VNI…) is handed to the repair engine like a name on disk.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import Table
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Connection

from hopnhat.errors import InputError
from hopnhat.files.names import name_text
from hopnhat.i18n import tr
from hopnhat.ingest.sql import begin_read_only, bytes_for_text, make_engine, mask, reflect, table_select
from hopnhat.project.config import SQL_KINDS, Project, SourceSpec, TableSpec

FETCH_ROWS = 16  # BLOB rows fetched at a time


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, (bytes, bytearray, memoryview)):
        return name_text(bytes(value))
    return str(value)


def _data(value: object) -> bytes | None:
    if value is None or isinstance(value, bytes):
        return value
    if isinstance(value, (bytearray, memoryview)):
        return bytes(value)
    return str(value).encode("utf-8")  # a TEXT column named as a BLOB: its bytes as stored


def _check(source: SourceSpec, table: TableSpec) -> str:
    if source.kind not in SQL_KINDS or table.table is None:
        raise InputError(tr("files.blobs chỉ dùng cho bảng của cơ sở dữ liệu SQL",
                            "files.blobs is for the tables of SQL databases"), source=source.name, table=table.name,
                         hint=tr("nêu bảng bằng table:, không bằng query:", "name the table with table:, not query:"))
    return table.table


def blob_cells(project: Project, source: SourceSpec, table: TableSpec, column: str,
               name_column: str | None) -> Iterator[tuple[str, str, bytes | None]]:
    """(record key, file name, bytes) of every row of a BLOB column; the key as the rows stage keys the record."""
    name = _check(source, table)
    path = project.resolve(source.path) if source.kind == "sqlite" and source.path else None
    key = table.source_key.column if table.source_key is not None and table.source_key.column else None
    engine = make_engine(source.kind, path, source.dsn, source.password_env)
    try:
        with engine.connect() as conn:
            begin_read_only(conn)
            reflected = reflect(conn, name, source.schema_name)
            bytes_for_text(conn)  # after reflecting (SQLAlchemy reads the schema as text)
            wanted = [c for c in (key, name_column, column) if c is not None]
            absent = [c for c in wanted if c not in reflected.c]
            if absent:
                raise InputError(tr("Không có cột trong bảng", "Column not found in the table"), source=source.name,
                                 table=table.name, column=", ".join(absent),
                                 hint=tr("sửa files.blobs trong tệp hợp nhất", "fix files.blobs in the merger file"))
            yield from _rows(conn, reflected, key, name_column, column, table.name)
    except sa_exc.SQLAlchemyError as exc:
        raise InputError(tr("Không đọc được cột BLOB", "Cannot read the BLOB column"), source=source.name,
                         table=table.name, column=column, value=mask(source.dsn or str(path)),
                         reason=str(getattr(exc, "orig", exc)).splitlines()[0]) from exc
    finally:
        engine.dispose()


def _rows(conn: Connection, reflected: Table, key: str | None, name_column: str | None, column: str,
          table: str) -> Iterator[tuple[str, str, bytes | None]]:
    only = [c for c in (key, name_column) if c is not None] + [column]
    statement = table_select(reflected, key, only=only)
    result = conn.execution_options(stream_results=True, yield_per=FETCH_ROWS).execute(statement)
    try:
        for row_no, values in enumerate(result, start=1):
            cells = dict(zip(only, values, strict=True))
            record = _text(cells[key]) if key is not None else None
            record = record if record else str(row_no)
            file_name = _text(cells[name_column]) if name_column is not None else None
            yield record, file_name or f"{table}-{record}-{column}", _data(cells[column])
    finally:
        result.close()
