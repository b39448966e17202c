"""``read_table``: any source table as a stream of ``pyarrow`` batches of text, raw record kept beside its cells.

Each batch has ``_row`` (where a person finds the record in the source), ``_item`` (position in an exploded list),
``_error`` (why a record could not be read properly — it is still there, to be quarantined), ``_raw`` (the record as
read, at most 4,000 characters), then one string column per source column. See the package docstring.
"""

from __future__ import annotations

import itertools
import zipfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
from openpyxl.utils.exceptions import InvalidFileException
from sqlalchemy import exc as sa_exc

from hopnhat.errors import InputError
from hopnhat.i18n import tr
from hopnhat.ingest import delimited, excel, jsonfile, shape, xmlfile
from hopnhat.ingest.base import Record, RecordsPathError, input_error, needed_columns
from hopnhat.ingest.count import Declared, XmlCount, footer_declared
from hopnhat.ingest.dbf import DbfError, DbfReader
from hopnhat.ingest.footer import ReportEnd
from hopnhat.ingest.parquet import ParquetReader
from hopnhat.ingest.sql import SqlReader, make_engine, mask
from hopnhat.io.inputs import os_reason
from hopnhat.project.config import Project, SourceSpec, TableSpec, record_steps

_FILE_ERRORS = (OSError, zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, EOFError)


@dataclass
class Opened:
    """A source table ready to stream: its header (None: keys come with the records), its records, its resources."""

    header: list[str] | None
    records: Iterator[Record]
    stack: ExitStack
    where: str
    ends: ReportEnd | None = None  # a sheet's or CSV's footer total and signature block, as far as read
    # the count the file declares as this read found it, given the rows read (None: this read cannot say)
    declared: Callable[[int], Declared] | None = None


def _str_attr(spec: object, name: str) -> str | None:
    value = getattr(spec, name, None)
    return value if isinstance(value, str) else None


def _file(project: Project, source: SourceSpec, table: TableSpec) -> Path:
    path = project.resolve(table.path or source.path or "")
    if not path.is_file():
        raise input_error(tr("Không tìm thấy tệp", "File not found"), source, table, path)
    return path


def _open_delimited(path: Path, source: SourceSpec, table: TableSpec, stack: ExitStack) -> Opened:
    default = "\t" if source.kind == "tsv" or path.suffix.lower() in (".tsv", ".tab") else ","
    reader = delimited.open_delimited(path, table.delimiter, table.encoding, default)
    stack.callback(reader.fh.close)
    return _report(reader, table, stack, path)


def _report(reader: delimited.DelimitedReader | excel.SheetReader, table: TableSpec, stack: ExitStack,
            path: Path) -> Opened:
    """A CSV's or sheet's header read; its footer total is its count with ``declared_total: footer``."""
    ends = reader.ends
    ends.declares = table.declared_total == "footer"
    header = reader.read_header(table.header_rows, table.data_start_row, table.header_join, needed_columns(table))
    declared = (lambda rows: footer_declared(ends.footer, rows - ends.rows)) if ends.declares else None
    return Opened(header, reader.records(), stack, str(path), ends, declared)


def _open_excel(path: Path, source: SourceSpec, table: TableSpec, stack: ExitStack) -> Opened:
    return _report(excel.open_sheet(path, table.sheet, stack), table, stack, path)


def _open_json(path: Path, source: SourceSpec, table: TableSpec, stack: ExitStack) -> Opened:
    fh = stack.enter_context(path.open("rb"))
    lines = source.kind == "ndjson" or (path.suffix.lower() in (".ndjson", ".jsonl") and table.records is None)
    if lines:
        return Opened(None, jsonfile.ndjson_records(fh), stack, str(path))
    steps = record_steps(table.records) if table.records else None
    try:
        return Opened(None, jsonfile.json_records(fh, steps), stack, str(path))
    except RecordsPathError as exc:
        raise _path_error(exc.reached, exc.found, source, table, path) from exc


def _open_xml(path: Path, source: SourceSpec, table: TableSpec, stack: ExitStack) -> Opened:
    fh = stack.enter_context(path.open("rb"))
    steps = record_steps(table.records or "")
    count = XmlCount(table.declared_total) if table.declared_total else None
    seen = count if count is not None and len(count.holder) <= len(steps) else None  # deeper: not read with them
    try:
        reader = xmlfile.XmlReader(fh, steps, seen)
        records = reader.records()
        first = next(records, None)  # a refused document (entities, malformed, no such path) is refused here
        declared = (lambda rows: seen.declared(rows, reader.broken)) if seen is not None else None
        return Opened(None, itertools.chain([first] if first else [], records), stack, str(path), None, declared)
    except RecordsPathError as exc:
        raise _path_error(exc.reached, exc.found, source, table, path) from exc
    except xmlfile.XmlError as exc:
        raise _xml_error(exc, source, table, path) from exc


def _path_error(reached: list[str], found: str, source: SourceSpec, table: TableSpec, where: str | Path
                ) -> InputError:
    """The `records:` path leads to no array (JSON) or no element (XML): where it stopped and what is there."""
    at = ".".join(reached) if source.kind == "json" else "/".join(reached)
    error = input_error(tr("Không tìm thấy các bản ghi theo đường dẫn 'records'",
                           "No records where 'records' points"), source, table, where,
                        tr(f"records = {table.records}: tại {at or 'gốc tài liệu'}: {found}",
                           f"records = {table.records}: at {at or 'the top of the document'}: {found}"),
                        key=f"sources[{source.name}].tables[{table.name}].records")
    error.hint = tr("mở tệp xem các bản ghi nằm dưới khóa/phần tử nào và ghi đường dẫn đó vào 'records'",
                    "open the file, see under which keys/elements the records sit and write that path in 'records'")
    return error


def _xml_error(exc: xmlfile.XmlError, source: SourceSpec, table: TableSpec, where: str | Path) -> InputError:
    error = input_error(tr("Không đọc được tệp XML", "Cannot read the XML file"), source, table, where, exc.reason)
    error.hint = exc.hint
    return error


def _open_parquet(path: Path, source: SourceSpec, table: TableSpec, batch_rows: int, stack: ExitStack) -> Opened:
    reader = ParquetReader(path, batch_rows)
    stack.callback(reader.file.close)
    return Opened(reader.header, reader.records(), stack, str(path))


def _open_dbf(path: Path, source: SourceSpec, table: TableSpec, stack: ExitStack) -> Opened:
    reader = DbfReader(path, table.encoding)
    stack.callback(reader.close)
    return Opened(reader.header, reader.records(), stack, str(path))


def _dbf_error(exc: DbfError, source: SourceSpec, table: TableSpec, where: str | Path) -> InputError:
    error = input_error(tr("Không đọc được bảng dBase/FoxPro (.dbf)", "Cannot read the dBase/FoxPro table (.dbf)"),
                        source, table, where, exc.reason)
    error.hint = exc.hint
    return error


def _open_file(project: Project, source: SourceSpec, table: TableSpec, batch_rows: int, stack: ExitStack) -> Opened:
    path = _file(project, source, table)
    try:
        if source.kind in ("csv", "tsv"):
            return _open_delimited(path, source, table, stack)
        if source.kind == "excel":
            return _open_excel(path, source, table, stack)
        if source.kind in ("ndjson", "json"):
            return _open_json(path, source, table, stack)
        if source.kind == "xml":
            return _open_xml(path, source, table, stack)
        if source.kind == "dbf":
            return _open_dbf(path, source, table, stack)
        return _open_parquet(path, source, table, batch_rows, stack)
    except DbfError as exc:
        raise _dbf_error(exc, source, table, path) from exc
    except (delimited.HeaderError, excel.SheetError) as exc:
        raise input_error(tr("Không đọc được dòng tiêu đề hoặc trang tính", "Cannot read the header or sheet"),
                          source, table, path, str(exc)) from exc
    except (*_FILE_ERRORS, pa.ArrowException) as exc:
        error = input_error(tr("Không đọc được tệp", "Cannot read the file"), source, table, path, _file_reason(exc))
        error.hint = tr("mở tệp bằng chương trình đã tạo ra nó và lưu lại, hoặc xuất lại từ hệ thống nguồn",
                        "open it in the program that made it and save it again, or export it again from its system")
        raise error from exc


def _file_reason(exc: BaseException) -> str:
    """Why a source file could not be opened, in the user's language (the library's text stays in the cause)."""
    if isinstance(exc, zipfile.BadZipFile):
        return tr("không phải bảng tính .xlsx (không đọc được dạng nén ZIP) hoặc bị cắt cụt",
                  "not an .xlsx workbook (not a readable ZIP) or truncated")
    if isinstance(exc, OSError) and exc.errno is not None:
        return os_reason(exc)
    if isinstance(exc, pa.ArrowException):
        return tr("tệp Parquet hỏng hoặc bị cắt cụt", "the Parquet file is damaged or truncated")
    return tr("tệp hỏng hoặc không đúng định dạng", "the file is damaged or not in its format")


def _where_db(project: Project, source: SourceSpec) -> tuple[Path | None, str]:
    if source.kind == "sqlite" and source.path:
        path = project.resolve(source.path)
        return path, str(path)
    return None, mask(source.dsn or "")


def _open_sql(project: Project, source: SourceSpec, table: TableSpec, batch_rows: int, stack: ExitStack) -> Opened:
    path, where = _where_db(project, source)
    if path is not None and not path.is_file():
        raise input_error(tr("Không tìm thấy tệp cơ sở dữ liệu", "Database file not found"), source, table, where)
    try:
        engine = make_engine(source.kind, path, source.dsn, source.password_env)
        stack.callback(engine.dispose)
        conn = stack.enter_context(engine.connect())
        key = table.source_key.column if table.source_key is not None else None
        blobs = frozenset(project.config.files.blobs.get(source.name, {}).get(table.name, {}))
        reader = SqlReader(conn, table.table, table.query, source.schema_name, key, batch_rows, blobs)
    except sa_exc.NoSuchTableError as exc:
        raise input_error(tr("Không có bảng trong cơ sở dữ liệu", "No such table in the database"), source, table,
                          where, f"table {table.table!r}") from exc
    except (sa_exc.ArgumentError, sa_exc.NoSuchModuleError) as exc:
        raise input_error(tr("Chuỗi kết nối (DSN) không hợp lệ", "Invalid connection string (DSN)"), source, table,
                          where, str(exc)) from exc
    except sa_exc.SQLAlchemyError as exc:
        raise input_error(tr("Không đọc được cơ sở dữ liệu", "Cannot read the database"), source, table, where,
                          _db_reason(exc)) from exc
    return Opened(reader.header, reader.records(), stack, where)


def _db_reason(exc: Exception) -> str:
    """The driver's message, first line, without the SQL text SQLAlchemy appends."""
    original = getattr(exc, "orig", None) or exc
    return str(original).strip().splitlines()[0] if str(original).strip() else type(original).__name__


def open_table(project: Project, source: SourceSpec, table: TableSpec, batch_rows: int) -> Opened:
    """Open a source table: file or database found, header read. Raises InputError naming source, table, place."""
    stack = ExitStack()
    try:
        if source.kind in ("sqlite", "postgresql", "mysql", "mariadb"):
            return _open_sql(project, source, table, batch_rows, stack)
        return _open_file(project, source, table, batch_rows, stack)
    except BaseException:
        stack.close()
        raise


def _stream(opened: Opened, source: SourceSpec, table: TableSpec, batch_rows: int) -> Iterator[pa.Table]:
    needed = needed_columns(table)
    if table.explode:
        return shape.exploded(opened.records, table.explode, needed, batch_rows)
    if opened.header is None:
        return shape.keyed(opened.records, needed, batch_rows)
    return shape.tabular(opened.records, opened.header, batch_rows)


def _guarded(opened: Opened, source: SourceSpec, table: TableSpec, batch_rows: int) -> Iterator[pa.Table]:
    """Stream, closing the source at the end; a read failing midway is an InputError naming the place."""
    with opened.stack:
        try:
            yield from _stream(opened, source, table, batch_rows)
        except InputError:
            raise
        except DbfError as exc:
            raise _dbf_error(exc, source, table, opened.where) from exc
        except xmlfile.XmlError as exc:
            raise _xml_error(exc, source, table, opened.where) from exc
        except (sa_exc.SQLAlchemyError, *_FILE_ERRORS, pa.ArrowException) as exc:
            reason = _db_reason(exc) if isinstance(exc, sa_exc.SQLAlchemyError) else _file_reason(exc)
            raise input_error(tr("Lỗi khi đọc nguồn dữ liệu", "Reading the source failed"), source, table,
                              opened.where, reason) from exc


class TableRead:
    """A source table's batches, streamed as they are asked for, and what its file declares as this very read found
    it (:meth:`declared`): a run takes a report's footer total from its own read instead of reading it again."""

    def __init__(self, opened: Opened, source: SourceSpec, table: TableSpec, batch_rows: int) -> None:
        self._batches = _guarded(opened, source, table, batch_rows)
        self._opened = opened
        self.rows = 0
        self.done = False

    def __iter__(self) -> TableRead:
        return self

    def __next__(self) -> pa.Table:
        try:
            batch = next(self._batches)
        except StopIteration:
            self.done = True
            raise
        self.rows += batch.num_rows
        return batch

    def declared(self) -> Declared | None:
        """The count the file declares and the records against it, once every batch is read; None when the table
        declares none or this read cannot say (:func:`hopnhat.ingest.declared.table_declared` reads the file)."""
        if not self.done or self._opened.declared is None:
            return None
        return self._opened.declared(self.rows)


def read_table(project: Project, source: SourceSpec, table: TableSpec, batch_rows: int = 50_000) -> TableRead:
    """Batches of one source table (see the module docstring); the source is opened now, read as batches are
    asked for. Nothing is dropped: a record that cannot be read is a row with ``_error`` set."""
    opened = open_table(project, source, table, batch_rows)
    return TableRead(opened, source, table, batch_rows)
