"""Conversion of a whole column (millions of rows): each distinct string is converted once, on all cores, and the
results are joined back through Arrow.

Files are read and written by :mod:`hopnhat.units.files` (``read_table``/``write_table`` are re-exported here);
every input column is kept as it was read (CSV as text, so leading zeros survive) and the five result columns are
appended.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import threading
from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pyarrow as pa

from hopnhat.errors import InputError
from hopnhat.units.arrowbuild import int32_array, string_array
from hopnhat.units.convert import Conversion, SplitEvidence, convert_address, decide, invalid_reason
from hopnhat.units.files import read_table, write_table  # noqa: F401 - re-exported (link CLI, demo)
from hopnhat.units.index import indexes
from hopnhat.units.parse import parse
from hopnhat.units.tokens import prepare
from hopnhat.units.tokens import segments as split_segments

RESULT_COLUMNS = ("status", "new_province_code", "new_commune_code", "candidates", "reason")
_PARALLEL_MIN = 20_000
_CHUNK = 2_000

Row = tuple[str, str | None, str | None, str, str]


def _as_row(r: Conversion) -> Row:
    return r.status, r.new_province_code, r.new_commune_code, ";".join(r.candidates), r.reason


_WHOLE = "\x00"  # marks a cache key that was a whole address (no segment before it)
_TAIL = 3  # segments parsed at first


class _Suffixes:
    """Rows cached by the part of the address their conversion depended on.

    The parser reads right to left, one segment (between commas, or dashes before a type word) per unit, and reports
    the first segment it looked at
    (:attr:`hopnhat.units.parse.Parsed.first_segment`): the result is a function of the text from that segment on.
    Any other address ending with the same segments converts to the same row, whatever house, street or hamlet comes
    before, so ``12 Lê Lợi, Tổ 3, Phường Phước Ninh, Quận Hải Châu, Đà Nẵng`` and ``40 Trần Phú, Tổ 9, Phường Phước
    Ninh, Quận Hải Châu, Đà Nẵng`` are parsed once. A key that was a whole address is marked: with nothing before
    it, a lone province name is read differently. Only the last :data:`_TAIL` segments are parsed at first (a
    commune, a district and a province); the whole address only when the parser ran out of text.
    """

    def __init__(self) -> None:
        self.rows: dict[str, Row] = {}
        self.raw: dict[str, Row] = {}
        self.idx = indexes()

    def row(self, value: object) -> Row:
        if not isinstance(value, str) or invalid_reason(value) is not None:
            return _as_row(convert_address(value))
        raw_key = _raw_tail(value)
        if raw_key is not None:
            row = self.raw.get(raw_key)
            if row is None:
                row, used = self._row(value)
                if used <= _TAIL:
                    self.raw[raw_key] = row
            return row
        return self._row(value)[0]

    def _row(self, value: str) -> tuple[Row, int]:
        """The row, and how many segments from the end decided it (more than any address has when it was whole)."""
        segments = split_segments(prepare(value))
        rows, count, suffix = self.rows, len(segments), ""
        for k in range(1, count + 1):
            segment = segments[count - k]
            tail = "," + suffix if k > 1 else ""
            row = rows.get(segment.lstrip() + tail if k < count else _WHOLE + segment.lstrip() + tail)
            if row is not None:
                return row, k if k < count else _WHOLE_USED
            suffix = segment + tail
        first = max(count - _TAIL, 0)
        parsed = parse(",".join(segments[first:]), self.idx)
        if parsed.exhausted and first > 0:
            first, parsed = 0, parse(value, self.idx)
        row = _as_row(decide(parsed, self.idx, None))
        first += parsed.first_segment
        key = ",".join(segments[first:]).lstrip()
        rows[_WHOLE + key if first == 0 else key] = row
        return row, count - first if first else _WHOLE_USED


_WHOLE_USED = 1 << 30
_RAW_SEPARATORS = ";|\n"


def _raw_tail(value: str) -> str | None:
    """The raw text from the separator before the last :data:`_TAIL` comma segments on, separator included; None
    when there are not that many separators.

    Preparing only composes characters and glues ``T.P`` within a segment, and dashes only add segment breaks, so
    the last :data:`_TAIL` prepared segments lie inside this text: an address whose row was decided by them converts
    like any other address ending with the same raw text (the leading separator says that something comes before).
    Looking it up costs a few ``rfind`` instead of preparing and splitting the whole address.
    """
    if any(sep in value for sep in _RAW_SEPARATORS):
        return None  # rare: the general path
    pos = len(value)
    for _ in range(_TAIL):
        pos = value.rfind(",", 0, pos)
        if pos < 0:
            return None
    return value[pos:]


def _rows(values: Sequence[object], evidence: SplitEvidence | None = None,
          progress: Callable[[int], None] | None = None) -> list[Row]:
    """Convert values in order, reporting progress every :data:`_CHUNK`; with split evidence every address is read
    whole (its hamlet may decide)."""
    convert: Callable[[object], Row]
    if evidence is not None:
        convert = lambda value: _as_row(convert_address(value, evidence))  # noqa: E731
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


def _last_piece(value: object) -> str:
    """What ends the address after its last comma or dash (the province, usually): two addresses with the same
    cached ending end with the same piece."""
    if not isinstance(value, str):
        return ""
    return value[max(value.rfind(","), value.rfind(";"), value.rfind("-")) + 1 :].strip()


def _shares(values: list[object], shares: int) -> list[list[object]]:
    """Values split into ``shares`` groups of about the same size, never splitting a last piece between two, so that
    each process's cache of endings serves all the addresses it could serve."""
    by_piece: dict[str, list[object]] = defaultdict(list)
    for value in values:
        by_piece[_last_piece(value)].append(value)
    groups: list[list[object]] = [[] for _ in range(shares)]
    for piece in sorted(by_piece, key=lambda k: -len(by_piece[k])):
        min(groups, key=len).extend(by_piece[piece])
    return groups


# set before forking: the children read their group (and the split evidence) from here, not from a pipe
_groups: list[list[object]] = []
_group_evidence: SplitEvidence | None = None
_FORKING = threading.Lock()


def _convert_group(i: int) -> list[Row]:
    return _rows(_groups[i], _group_evidence)


def convert_distinct(values: Sequence[object], evidence: SplitEvidence | None = None,
                     progress: Callable[[int], None] | None = None) -> dict[object, Row]:
    """Convert each distinct value once; returns value → result row.

    With many distinct values and more than one core, the values are shared out by their ending: this process
    converts one share while forked children convert the others.
    """
    distinct = list(dict.fromkeys(values))
    indexes()  # load before forking so that children share it
    shares = _workers() if len(distinct) >= _PARALLEL_MIN else 1
    if shares == 1:
        return dict(zip(distinct, _rows(distinct, evidence, progress)))
    with _FORKING:  # one forked conversion at a time: the children read the module's globals
        return _convert_shared(distinct, shares, evidence, progress)


def _convert_shared(distinct: list[object], shares: int, evidence: SplitEvidence | None,
                    progress: Callable[[int], None] | None) -> dict[object, Row]:
    global _groups, _group_evidence
    _groups, _group_evidence = _shares(distinct, shares), evidence
    try:
        with ProcessPoolExecutor(shares - 1, mp_context=mp.get_context("fork")) as pool:
            futures = [pool.submit(_convert_group, i) for i in range(1, shares)]
            out = dict(zip(_groups[0], _rows(_groups[0], evidence, progress)))
            for i, future in enumerate(futures, start=1):
                try:
                    rows = future.result()
                except (BrokenProcessPool, OSError):  # a child died (memory, signal): do its share here
                    rows = _rows(_groups[i], evidence)
                out.update(zip(_groups[i], rows))
                if progress:
                    progress(len(_groups[i]))
    finally:
        _groups, _group_evidence = [], None
    return out


def convert_column(values: Sequence[object], evidence: SplitEvidence | None = None,
                   progress: Callable[[int], None] | None = None) -> pa.Table:
    """The five result columns for a column of addresses, in the same order.

    Many addresses share a result row, so each distinct row becomes one Arrow value and the column is gathered by
    index (``take``) rather than built from a Python string per row.
    """
    by_value = convert_distinct(values, evidence, progress)
    numbers: dict[Row, int] = {}
    index = int32_array([numbers.setdefault(by_value[v], len(numbers)) for v in values])
    distinct = list(numbers) or [("",) * len(RESULT_COLUMNS)]
    columns = list(zip(*distinct))
    return pa.table({name: string_array(col).take(index) for name, col in zip(RESULT_COLUMNS, columns)})


def convert_many(values: Sequence[object], evidence: SplitEvidence | None = None) -> list[Conversion]:
    """Python objects for a (small) list of addresses, repeated strings converted once."""
    cache: dict[object, Conversion] = {}
    return [cache.setdefault(v, convert_address(v, evidence)) if isinstance(v, str) else convert_address(v, evidence)
            for v in values]


# --- files ---------------------------------------------------------------------------------------------------------

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
