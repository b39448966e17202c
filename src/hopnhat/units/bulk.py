"""Conversion of a whole column (millions of rows): each distinct string is converted once, on all cores, and the
results are joined back through Arrow.

File reading and writing go through DuckDB (CSV, Parquet) and openpyxl (Excel); every input column is kept as it was
read (CSV as text, so leading zeros survive) and the five result columns are appended.
"""

from __future__ import annotations

import multiprocessing as mp
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import duckdb
import pyarrow as pa

from hopnhat.errors import InputError
from hopnhat.units.convert import Conversion, SplitEvidence, convert_address, decide, invalid_reason
from hopnhat.units.index import indexes
from hopnhat.units.parse import parse

RESULT_COLUMNS = ("status", "new_province_code", "new_commune_code", "candidates", "reason")
_PARALLEL_MIN = 20_000
_CHUNK = 5_000
_evidence: SplitEvidence | None = None

Row = tuple[str, str | None, str | None, str, str]


def _as_row(r: Conversion) -> Row:
    return r.status, r.new_province_code, r.new_commune_code, ";".join(r.candidates), r.reason


def _tail(value: object) -> str | None:
    """The last three comma segments (commune, district, province), lower-cased: the part that decides."""
    if not isinstance(value, str) or value.count(",") < 3 or invalid_reason(value):
        return None
    return ",".join(value.rsplit(",", 3)[1:]).lower()


def _tail_row(tail: str) -> Row | None:
    """Result decided by the tail alone, or None when the tail does not name a commune.

    Matching is anchored at the end of the text and never crosses a comma, so when the last three segments name a
    commune, whatever precedes them (house number, street, hamlet) cannot change the result.
    """
    idx = indexes()
    parsed = parse(tail, idx)
    if not (parsed.old_communes or parsed.new_communes):
        return None
    return _as_row(decide(parsed, idx, None))


def _rows(values: list[object]) -> list[Row]:
    """Convert values; many addresses differ only by street, so results are cached by their tail."""
    tails: dict[str, Row | None] = {}
    out = []
    for value in values:
        tail = _tail(value) if _evidence is None else None
        if tail is not None:
            if tail not in tails:
                tails[tail] = _tail_row(tail)
            if tails[tail] is not None:
                out.append(tails[tail])  # type: ignore[arg-type]
                continue
        out.append(_as_row(convert_address(value, _evidence)))
    return out


def _workers() -> int:
    return max(1, min(len(os.sched_getaffinity(0)), 8))


def convert_distinct(values: Sequence[object], evidence: SplitEvidence | None = None,
                     progress: Callable[[int], None] | None = None) -> dict[object, Row]:
    """Convert each distinct value once (in parallel when there are many); returns value → result row."""
    global _evidence
    _evidence = evidence
    distinct = list(dict.fromkeys(values))
    indexes()  # build before forking so that workers share it
    chunks = [distinct[i : i + _CHUNK] for i in range(0, len(distinct), _CHUNK)]
    results: list[Row] = []
    if len(distinct) >= _PARALLEL_MIN and _workers() > 1:
        with ProcessPoolExecutor(_workers(), mp_context=mp.get_context("fork")) as pool:
            for part in pool.map(_rows, chunks):
                results.extend(part)
                if progress:
                    progress(len(part))
    else:
        for chunk in chunks:
            results.extend(_rows(chunk))
            if progress:
                progress(len(chunk))
    return dict(zip(distinct, results))


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
