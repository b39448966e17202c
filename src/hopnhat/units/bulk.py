"""Conversion of a whole column (millions of rows): each distinct string is converted once, on all cores, and the
results are joined back through Arrow.

File reading and writing go through DuckDB (CSV, Parquet) and openpyxl (Excel); every input column is kept as it was
read (CSV as text, so leading zeros survive) and the five result columns are appended.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import re
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import duckdb
import pyarrow as pa

from hopnhat.errors import InputError
from hopnhat.units.convert import Conversion, SplitEvidence, convert_address, decide, invalid_reason
from hopnhat.units.index import indexes
from hopnhat.units.parse import parse

RESULT_COLUMNS = ("status", "new_province_code", "new_commune_code", "candidates", "reason")
_PARALLEL_MIN = 20_000
_CHUNK = 2_000
_evidence: SplitEvidence | None = None

Row = tuple[str, str | None, str | None, str, str]


def _as_row(r: Conversion) -> Row:
    return r.status, r.new_province_code, r.new_commune_code, ";".join(r.candidates), r.reason


_SEPARATOR = re.compile(r"[,;|\n]")  # the tokenizer's segment separators
_WHOLE = "\x00"  # marks a cache key that was a whole address (no segment before it)
_TAIL = 3  # segments parsed at first


class _Suffixes:
    """Rows cached by the part of the address their conversion depended on.

    The parser reads right to left, one comma segment per unit, and reports the first segment it looked at
    (:attr:`hopnhat.units.parse.Parsed.first_segment`): the result is a function of the text from that segment on.
    Any other address ending with the same segments converts to the same row, whatever house, street or hamlet comes
    before, so ``12 Lê Lợi, Tổ 3, Phường Phước Ninh, Quận Hải Châu, Đà Nẵng`` and ``40 Trần Phú, Tổ 9, Phường Phước
    Ninh, Quận Hải Châu, Đà Nẵng`` are parsed once. A key that was a whole address is marked: with nothing before
    it, a lone province name is read differently. Only the last :data:`_TAIL` segments are parsed at first (a
    commune, a district and a province); the whole address only when the parser ran out of text.
    """

    def __init__(self) -> None:
        self.rows: dict[str, Row] = {}
        self.idx = indexes()

    def row(self, value: object) -> Row:
        if not isinstance(value, str) or invalid_reason(value) is not None:
            return _as_row(convert_address(value))
        segments = _SEPARATOR.split(value)
        rows, count, suffix = self.rows, len(segments), ""
        for k in range(1, count + 1):
            segment = segments[count - k]
            tail = "," + suffix if k > 1 else ""
            row = rows.get(segment.lstrip() + tail if k < count else _WHOLE + segment.lstrip() + tail)
            if row is not None:
                return row
            suffix = segment + tail
        first = max(count - _TAIL, 0)
        parsed = parse(",".join(segments[first:]), self.idx)
        if parsed.exhausted and first > 0:
            first, parsed = 0, parse(value, self.idx)
        row = _as_row(decide(parsed, self.idx, None))
        first += parsed.first_segment
        key = ",".join(segments[first:]).lstrip()
        rows[_WHOLE + key if first == 0 else key] = row
        return row


def _rows(values: Sequence[object], progress: Callable[[int], None] | None = None) -> list[Row]:
    """Convert values in order, reporting progress every :data:`_CHUNK`; with split evidence every address is read
    whole (its hamlet may decide)."""
    convert: Callable[[object], Row]
    if _evidence is not None:
        convert = lambda value: _as_row(convert_address(value, _evidence))  # noqa: E731
    else:
        convert = _Suffixes().row
    out: list[Row] = []
    for i in range(0, len(values), _CHUNK):
        chunk = values[i : i + _CHUNK]
        out.extend(convert(value) for value in chunk)
        if progress:
            progress(len(chunk))
    return out


def _workers() -> int:
    return max(1, min(len(os.sched_getaffinity(0)), 8))


def _share(value: object, shares: int) -> int:
    """Which process converts ``value``: addresses ending alike (same district and province) go together, so that
    each process's cache of endings serves them all."""
    if not isinstance(value, str):
        return 0
    return hash(tuple(value.rsplit(",", 2)[-2:])) % shares


_groups: list[list[object]] = []  # set before forking: the children read their group from here, not from a pipe


def _convert_group(i: int) -> list[Row]:
    return _rows(_groups[i])


def convert_distinct(values: Sequence[object], evidence: SplitEvidence | None = None,
                     progress: Callable[[int], None] | None = None) -> dict[object, Row]:
    """Convert each distinct value once; returns value → result row.

    With many distinct values and more than one core, the values are shared out by their ending: this process
    converts one share while forked children convert the others.
    """
    global _evidence, _groups
    _evidence = evidence
    distinct = list(dict.fromkeys(values))
    indexes()  # load before forking so that children share it
    shares = _workers() if len(distinct) >= _PARALLEL_MIN else 1
    if shares == 1:
        return dict(zip(distinct, _rows(distinct, progress)))
    _groups = [[] for _ in range(shares)]
    for value in distinct:
        _groups[_share(value, shares)].append(value)
    try:
        with ProcessPoolExecutor(shares - 1, mp_context=mp.get_context("fork")) as pool:
            futures = [pool.submit(_convert_group, i) for i in range(1, shares)]
            out = dict(zip(_groups[0], _rows(_groups[0], progress)))
            for i, future in enumerate(futures, start=1):
                try:
                    rows = future.result()
                except (BrokenProcessPool, OSError):  # a child died (memory, signal): do its share here
                    rows = _rows(_groups[i])
                out.update(zip(_groups[i], rows))
                if progress:
                    progress(len(_groups[i]))
    finally:
        _groups = []
    return out


def convert_column(values: Sequence[object], evidence: SplitEvidence | None = None,
                   progress: Callable[[int], None] | None = None) -> pa.Table:
    """The five result columns for a column of addresses, in the same order."""
    by_value = convert_distinct(values, evidence, progress)
    rows = [by_value[v] for v in values]
    columns = list(zip(*rows)) if rows else [()] * len(RESULT_COLUMNS)
    return pa.table({name: pa.array(col, pa.string()) for name, col in zip(RESULT_COLUMNS, columns)})


def convert_many(values: Sequence[object], evidence: SplitEvidence | None = None) -> list[Conversion]:
    """Python objects for a (small) list of addresses, repeated strings converted once."""
    cache: dict[object, Conversion] = {}
    return [cache.setdefault(v, convert_address(v, evidence)) if isinstance(v, str) else convert_address(v, evidence)
            for v in values]


# --- files ---------------------------------------------------------------------------------------------------------

def read_table(path: Path) -> pa.Table:
    """CSV/TSV (all columns as text), Parquet or Excel (.xlsx, first sheet) into Arrow."""
    if not path.is_file():
        raise InputError("input file not found", source=str(path))
    suffix = path.suffix.lower()
    try:
        if suffix in (".csv", ".tsv", ".txt"):
            return duckdb.read_csv(str(path), all_varchar=True, header=True).fetch_arrow_table()
        if suffix == ".parquet":
            return duckdb.read_parquet(str(path)).fetch_arrow_table()
        if suffix in (".xlsx", ".xlsm"):
            return _read_excel(path)
    except (duckdb.Error, UnicodeDecodeError, OSError, ValueError) as exc:
        raise InputError("cannot read input file", source=str(path),
                         reason=f"{exc} (not UTF-8? run `hopnhat repair` first)") from exc
    raise InputError("unsupported file type (use .csv, .tsv, .parquet or .xlsx)", source=str(path))


def _read_excel(path: Path) -> pa.Table:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    rows = book.worksheets[0].iter_rows(values_only=True)
    header = [str(h) if h is not None else f"column{i + 1}" for i, h in enumerate(next(rows, ()))]
    data = [list(r) + [None] * (len(header) - len(r)) for r in rows if any(c is not None for c in r)]
    cols = list(zip(*data)) if data else [()] * len(header)
    return pa.table({h: pa.array([None if v is None else str(v) for v in c], pa.string())
                     for h, c in zip(header, cols)})


def write_table(table: pa.Table, path: Path) -> None:
    """Write in the format the file name asks for (CSV, Parquet or Excel)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    suffix = path.suffix.lower()
    con = duckdb.connect()
    con.register("result_table", table)
    if suffix in (".csv", ".tsv", ".txt"):
        sep = "\t" if suffix == ".tsv" else ","
        con.execute(f"COPY result_table TO '{_quote(path)}' (HEADER, DELIMITER '{sep}')")
    elif suffix == ".parquet":
        con.execute(f"COPY result_table TO '{_quote(path)}' (FORMAT parquet)")
    elif suffix == ".xlsx":
        _write_excel(table, path)
    else:
        raise InputError("unsupported output type (use .csv, .tsv, .parquet or .xlsx)", source=str(path))


def _quote(path: Path) -> str:
    return str(path).replace("'", "''")


def _write_excel(table: pa.Table, path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("hopnhat")
    sheet.append(table.column_names)
    for row in zip(*(c.to_pylist() for c in table.columns)):
        sheet.append(list(row))
    book.save(path)


def convert_file(src: Path, column: str, dst: Path, evidence: SplitEvidence | None = None,
                 progress: Callable[[int], None] | None = None,
                 on_total: Callable[[int], None] | None = None) -> pa.Table:
    """Read ``src``, convert ``column``, write ``dst`` with every input column plus the result columns."""
    table = read_table(src)
    if column not in table.column_names:
        raise InputError("column not found", source=str(src), column=column,
                         reason=f"available columns: {', '.join(table.column_names)}")
    values = table.column(column).to_pylist()
    if on_total:
        on_total(len(set(values)))
    result = convert_column(values, evidence, progress)
    clash = [n for n in RESULT_COLUMNS if n in table.column_names]
    table = table.drop_columns(clash) if clash else table
    for name in RESULT_COLUMNS:
        table = table.append_column(name, result.column(name))
    write_table(table, dst)
    return result
