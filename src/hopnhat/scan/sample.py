"""Each table of a data file read as ``hopnhat migrate`` reads it, its first rows kept as a sample.

The header is placed by :func:`hopnhat.ingest.headerrow.locate` on the first rows as they are (a title block above
it, a second header row under merged cells, a row numbering the columns): the ``header_rows`` and
``data_start_row`` found are then given to the ingest reader itself, so the column names sampled are those a run
will see. Every text column's encoding is detected by the repair engine (:func:`hopnhat.repair.columns.map_column`)
on the sample, the header row's too (a header in TCVN3 is recognised by its repaired reading; merger.yaml names the
column as the reader reads it).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

from hopnhat.errors import InputError
from hopnhat.i18n import tr
from hopnhat.ingest.base import Record
from hopnhat.ingest.cells import cell_text
from hopnhat.ingest.declared import find_json_count, find_xml_count
from hopnhat.ingest.delimited import HeaderError, open_delimited
from hopnhat.ingest.excel import open_book, open_sheet
from hopnhat.ingest.headerrow import SCAN_ROWS, locate
from hopnhat.ingest.jsonfile import find_records, json_records, ndjson_records
from hopnhat.repair.columns import map_column
from hopnhat.text.cells import as_text
from hopnhat.text.legacy import Detection
from hopnhat.text.normalize import fold

JOIN = " - "  # the header_join the draft writes (the config's default)


@dataclass
class Sampled:
    """One table found in a file and the first rows read from it."""

    file: Path
    kind: str
    name: str
    table: str | None = None  # a database's table
    sheet: str | None = None
    delimiter: str | None = None
    header_rows: list[int] | None = None
    data_start_row: int | None = None
    columns: list[str] = field(default_factory=list)
    values: dict[str, list[str]] = field(default_factory=dict)  # column → its non-empty sample values, as text
    rows: int = 0
    explode: str | None = None  # the list of records this table is made of (a JSON key)
    records: str | None = None  # where the records sit: a JSON document's keys (data.items), an XML element path
    records_sure: bool = True  # False: the path was a guess among several (the draft says to check it)
    declared_total: str | None = None  # where the export says how many records it holds (data.total, a/@TongSo)
    parent: str | None = None  # the table whose records hold that list
    primary_key: list[str] = field(default_factory=list)
    encodings: dict[str, Detection] = field(default_factory=dict)  # column → detection (columns with legacy text)
    readable: dict[str, str] = field(default_factory=dict)  # column → its name repaired (a legacy header)


def slug(text: str) -> str:
    """A name for merger.yaml: folded, words joined by ``_`` (``Nhân khẩu 2020`` → ``nhan_khau_2020``)."""
    return re.sub(r"[^0-9a-z]+", "_", fold(text).lower()).strip("_") or "bang"


def text_of(value: Any) -> str | None:
    """A sampled cell as text (bytes as the readers read them: UTF-8 when they are, else Windows-1252)."""
    if isinstance(value, (bytes, bytearray)):
        return as_text(bytes(value)) or None
    if isinstance(value, str):
        return value if value.strip() else None
    return cell_text(value, dates_at_midnight=True)


def _fill(sampled: Sampled, records: Iterable[Record]) -> Sampled:
    """The sample's values by column, and the encodings of its text columns and its header."""
    values: dict[str, list[str]] = {c: [] for c in sampled.columns}
    for record in records:
        sampled.rows += 1
        for name, value in (record.values or {}).items():
            text = text_of(value)
            if text is not None and name in values:
                values[name].append(text)
    sampled.values = values
    _encodings(sampled)
    return sampled


def _encodings(sampled: Sampled) -> None:
    for name, cells in sampled.values.items():
        if any(not c.isascii() for c in cells):
            mapped = map_column(name, cells)
            sampled.encodings[name] = mapped.detection
            sampled.values[name] = [str(mapped.final.get(c, c)) for c in cells]  # the values judged repaired
    legacy = [c for c in sampled.columns if not c.isascii()]
    if legacy:
        mapped = map_column("(header)", legacy)
        sampled.readable = {c: str(mapped.final[c]) for c in legacy if mapped.final.get(c, c) != c}


def _placement(first: list[tuple[int, list[Any]]]) -> tuple[list[int] | None, int | None]:
    """``header_rows`` and ``data_start_row`` for the first rows (numbered as the reader numbers them), or
    (None, None) when the first row is the whole header and the records follow it."""
    found = locate([list(cells) for _, cells in first])
    if found is None or (found.header == 0 and not found.two_rows and found.first == 1):
        return None, None
    numbers = [n for n, _ in first]
    header = [numbers[found.header]] + ([numbers[found.header + 1]] if found.two_rows else [])
    start = numbers[found.first] if found.first < len(numbers) else max(header) + 1
    return header, start


# --- delimited -----------------------------------------------------------------------------------------------------

FOOTER_ROWS = 100_000  # rows read past the sample to find a report's footer total ("Tổng cộng: 1.234 hồ sơ")


def sample_csv(path: Path, limit: int) -> list[Sampled]:
    reader = open_delimited(path, None, None, "\t" if path.suffix.lower() in (".tsv", ".tab") else ",")
    with reader.fh:
        header_rows, start = _placement(reader.first_rows(SCAN_ROWS + 1))
    reader = open_delimited(path, reader.layout.delimiter, None, ",")
    with reader.fh:
        sampled = Sampled(path, "csv", slug(path.stem), delimiter=reader.layout.delimiter, header_rows=header_rows,
                          data_start_row=start)
        sampled.columns = reader.read_header(header_rows, start, JOIN, [])
        records = reader.records()
        _fill(sampled, islice(records, limit))
        for _ in islice(records, FOOTER_ROWS):  # on to the end, for a footer stating the total
            pass
        sampled.declared_total = "footer" if reader.footer is not None else None
        return [sampled]


# --- Excel ---------------------------------------------------------------------------------------------------------

def sheet_names(path: Path) -> list[str]:
    with path.open("rb") as fh:
        zipped = fh.read(4) == b"PK\x03\x04"
    if path.suffix.lower() == ".xls" or not zipped:
        from hopnhat.io.xls import read_xls

        return [s.name for s in read_xls(path)]
    book = open_book(path)
    try:
        return list(book.sheetnames)
    finally:
        book.close()


def sample_sheet(path: Path, sheet: str, name: str, limit: int) -> Sampled:
    with ExitStack() as stack:
        header_rows, start = _placement(open_sheet(path, sheet, stack).first_rows(SCAN_ROWS + 1))
    with ExitStack() as stack:
        reader = open_sheet(path, sheet, stack)
        sampled = Sampled(path, "excel", name, sheet=sheet, header_rows=header_rows, data_start_row=start)
        sampled.columns = reader.read_header(header_rows, start, JOIN, [])
        records = reader.records()
        _fill(sampled, islice(records, limit))
        for _ in islice(records, FOOTER_ROWS):  # on to the end, for a footer stating the total
            pass
        sampled.declared_total = "footer" if reader.footer is not None else None
        return sampled


def _sheet_or_none(path: Path, sheet: str, name: str, limit: int) -> Sampled | None:
    """A sheet's sample, or None for an empty sheet (a workbook's unused Sheet2)."""
    try:
        return sample_sheet(path, sheet, name, limit)
    except HeaderError:
        return None


# --- JSON ----------------------------------------------------------------------------------------------------------

NESTING = 4  # levels of nested objects read as paths; deeper ones are one column (their JSON text)


def _flat(value: dict[str, Any], prefix: str = "", depth: int = 1) -> Iterator[tuple[str, Any]]:
    """A record's values by column: nested objects by their path (``ChuHoSo.HoTen``), lists of objects apart."""
    for key, item in value.items():
        if isinstance(item, dict) and depth < NESTING:
            yield from _flat(item, f"{prefix}{key}.", depth + 1)
        else:
            yield f"{prefix}{key}", item


def _lists(records: list[Record]) -> dict[str, list[Record]]:
    """Top-level keys holding lists of objects → their items as records (an exploded table's rows)."""
    out: dict[str, list[Record]] = {}
    for record in records:
        for key, item in (record.values or {}).items():
            if isinstance(item, list) and item and all(isinstance(i, dict) for i in item):
                out.setdefault(key, []).extend(Record(record.row, dict(_flat(i))) for i in item)
    return out


def _flat_table(path: Path, kind: str, name: str, records: list[Record]) -> Sampled:
    lists = {k for r in records for k, v in (r.values or {}).items()
             if isinstance(v, list) and v and all(isinstance(i, dict) for i in v)}
    flat = [Record(r.row, {k: v for k, v in _flat(r.values or {}) if k not in lists}) for r in records]
    sampled = Sampled(path, kind, name)
    sampled.columns = list(dict.fromkeys(k for r in flat for k in (r.values or {})))
    return _fill(sampled, flat)


# the last key of a REST API dump's records, as portals name it (another name is drafted with a check)
RECORD_KEYS = frozenset({"items", "data", "records", "rows", "results", "result", "content", "list", "danhsach",
                         "danh_sach", "hoso", "ho_so", "value", "docs", "hits"})


def sample_json(path: Path, kind: str, limit: int) -> list[Sampled]:
    steps = None
    if kind == "json":
        with path.open("rb") as fh:
            steps = find_records(fh)
    with path.open("rb") as fh:
        read = ndjson_records(fh) if kind == "ndjson" else json_records(fh, steps)
        records = [r for r in islice(read, limit) if r.values is not None]
    if not steps:
        return _tables(path, kind, records, None, True)
    tables = _tables(path, kind, records, ".".join(steps), steps[-1].casefold() in RECORD_KEYS)
    with path.open("rb") as fh:
        tables[0].declared_total = find_json_count(fh, steps)
    return tables


def sample_xml(path: Path, limit: int) -> list[Sampled]:
    """An XML export: its repeating element found, its records read as ``hopnhat migrate`` reads them."""
    from hopnhat.ingest.xmlfile import XmlError, XmlReader, find_repeating

    try:
        with path.open("rb") as fh:
            found = find_repeating(fh)
        if found is None:
            raise InputError(tr("Tệp XML không phải một danh sách bản ghi", "The XML file is no list of records"),
                             reason=tr("không có phần tử nào lặp lại dưới phần tử gốc",
                                       "no element repeats below the root"))
        steps, sure = found
        with path.open("rb") as fh:
            records = [r for r in islice(XmlReader(fh, steps).records(), limit) if r.values is not None]
        with path.open("rb") as fh:
            count = find_xml_count(fh, steps)
    except XmlError as exc:
        raise InputError(tr("Không đọc được tệp XML", "Cannot read the XML file"), reason=exc.reason) from exc
    tables = _tables(path, "xml", records, "/".join(steps), sure)
    tables[0].declared_total = count
    return tables


def _tables(path: Path, kind: str, records: list[Record], where: str | None, sure: bool) -> list[Sampled]:
    """A JSON or XML document's table, and a table per list of objects its records hold (``explode``)."""
    name = slug(path.stem)
    tables = [_flat_table(path, kind, name, records)]
    for key, items in _lists(records).items():
        child = _flat_table(path, kind, f"{name}_{slug(key)}", items)
        child.explode, child.parent = key, name
        tables.append(child)
    for table in tables:
        table.records, table.records_sure = where, sure
    return tables


# --- databases and Parquet -----------------------------------------------------------------------------------------

def sample_sqlite(path: Path, limit: int) -> list[Sampled]:
    from sqlalchemy import inspect

    from hopnhat.ingest.sql import SqlReader, make_engine

    engine = make_engine("sqlite", path, None)
    try:
        with engine.connect() as conn:
            found = inspect(conn)
            keys = {t: list(found.get_pk_constraint(t).get("constrained_columns") or [])
                    for t in found.get_table_names()}
        tables = []
        for table, key in keys.items():
            with engine.connect() as conn:  # one connection a table: reading switches its text to bytes
                first = f"SELECT * FROM {conn.dialect.identifier_preparer.quote(table)} LIMIT {int(limit)}"
                reader = SqlReader(conn, None, first, None, key[0] if len(key) == 1 else None, limit)  # no sort
                sampled = Sampled(path, "sqlite", slug(table), table=table, columns=reader.header, primary_key=key)
                tables.append(_fill(sampled, islice(reader.records(), limit)))
        return tables
    finally:
        engine.dispose()


def sample_parquet(path: Path, limit: int) -> list[Sampled]:
    from hopnhat.ingest.parquet import ParquetReader

    reader = ParquetReader(path, limit)
    try:
        sampled = Sampled(path, "parquet", slug(path.stem), columns=reader.header)
        return [_fill(sampled, islice(reader.records(), limit))]
    finally:
        reader.file.close()


def sample_dbf(path: Path, limit: int) -> list[Sampled]:
    """A dBase/FoxPro table (its memo file beside it read too), text as the reader gives it: the Windows-1252 view
    of TCVN3/VNI bytes, read back by the repair engine."""
    from hopnhat.ingest.dbf import DbfReader

    reader = DbfReader(path)
    try:
        sampled = Sampled(path, "dbf", slug(path.stem), columns=reader.header)
        return [_fill(sampled, islice(reader.records(), limit))]
    finally:
        reader.close()


def sample_file(path: Path, kind: str, limit: int) -> list[Sampled]:
    """Every table of one data file (a workbook: its non-empty sheets; a database: its tables)."""
    if kind == "csv":
        return sample_csv(path, limit)
    if kind == "excel":
        sheets = [s for s in (_sheet_or_none(path, sheet, f"{slug(path.stem)}_{slug(sheet)}", limit)
                              for sheet in sheet_names(path)) if s is not None]
        if len(sheets) == 1:
            sheets[0].name = slug(path.stem)  # a workbook of one sheet (Sheet2, Sheet3 empty) is named by its file
        return sheets
    if kind in ("ndjson", "json"):
        return sample_json(path, kind, limit)
    if kind == "xml":
        return sample_xml(path, limit)
    if kind == "sqlite":
        return sample_sqlite(path, limit)
    if kind == "dbf":
        return sample_dbf(path, limit)
    return sample_parquet(path, limit)
