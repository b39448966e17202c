"""A column of addresses (millions of rows) converted with no Python object per row: what ``hopnhat units
convert`` runs.

Arrow does the per-row work in C++: it finds each address's raw ending (the text from the comma before its last
three comma segments: the rule of :func:`hopnhat.units.bulk.raw_ending`, in Arrow string kernels), groups the rows
by it and, at the end, gathers the result columns by index. Python converts one address per ending (its
*representative*) and each distinct address that has no usable ending, on all cores
(:func:`hopnhat.units.bulk.convert_entries`). When a representative's row was decided by more than its ending (the
parser had to read further left), every distinct address with that ending is converted in a second round.

Every input column is kept as it was read (CSV as text, so leading zeros survive) and the five result columns are
appended.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
from pyarrow._compute import (  # the compute functions' caller (see _call)
    CastOptions,
    ListSliceOptions,
    MatchSubstringOptions,
    SetLookupOptions,
    SplitPatternOptions,
    call_function,
)

from hopnhat.ingest.headerrow import SKIPPED_KEY, skipped
from hopnhat.io.arrowbuild import (
    int32_array,
    int32_scalar,
    python_strings,
    string_array,
    string_scalar,
    uint8_array,
)
from hopnhat.repair.arrowtext import repair_text_column
from hopnhat.units.bulk import (
    EMPTY_ROW,
    ENDING_SEGMENTS,
    LETTER_CLASS,
    RESULT_COLUMNS,
    Row,
    convert_entries,
    row_numbers,
)
from hopnhat.units.convert import MAX_LENGTH, SplitEvidence
from hopnhat.units.files import read_table, require_text_column, write_table
from hopnhat.units.index import preload

READ_BACK = b"hopnhat.read_back"  # result metadata: the addresses typed in a legacy font and read back

# text that may be invalid (too long, control characters, undecodable): converted whole, by the Python checks
_DOUBTFUL = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\x{fffd}]"
_SEPARATORS = "[;|\n]"

Progress = Callable[[int], None]


def _call(function: str, *args: Any, options: Any = None) -> Any:
    """One of Arrow's compute functions (what ``pyarrow.compute.<function>(*args)`` calls). The public module
    ``pyarrow.compute`` writes a Python wrapper and its docstring for each of its hundreds of functions when it is
    imported, a quarter of Arrow's import (about 0.03 CPU-s); this command uses a dozen of them, and no method of an
    array that imports it (``take``, ``filter``, ``unique``). pyarrow is pinned."""
    return call_function(function, list(args), options)


def raw_endings(values: pa.Array) -> pa.Array:
    """Each address's raw ending without its leading comma (:func:`hopnhat.units.bulk.raw_ending`), null where it
    has none (fewer than :data:`~hopnhat.units.bulk.ENDING_SEGMENTS` commas, no letter before them) or it may be
    invalid (then the Python checks read it whole).

    Everything is Arrow compute, no Python per row. Its literal arguments are built from buffers: a Python number or
    string passed to a compute function would import pandas (a fifth of a second).
    """
    parts = _call("split_pattern", values, options=SplitPatternOptions(",", max_splits=ENDING_SEGMENTS, reverse=True))
    ending = _call("binary_join", _call("list_slice", parts, options=ListSliceOptions(1)),
                   string_scalar(",", values.type))
    usable = _call("and_kleene",
                   _call("greater", _call("list_value_length", parts), int32_scalar(ENDING_SEGMENTS)),
                   _call("match_substring_regex", _call("list_element", parts, int32_scalar(0)),
                         options=MatchSubstringOptions(LETTER_CLASS)))
    doubtful = _call("or_kleene", _call("greater", _call("utf8_length", values), int32_scalar(MAX_LENGTH)),
                     _call("match_substring_regex", values,
                           options=MatchSubstringOptions(f"{_SEPARATORS}|{_DOUBTFUL}")))
    return _call("if_else", _call("and_not_kleene", usable, doubtful), ending, pa.nulls(1, values.type)[0])


def _index_in(values: pa.Array, value_set: pa.Array) -> pa.Array:
    """For each value, its index in ``value_set`` (the first, when it is there more than once), else null."""
    return _call("index_in", values, options=SetLookupOptions(value_set))


class _Rows:
    """Distinct result rows, numbered in order of appearance."""

    def __init__(self) -> None:
        self.numbers: dict[Row, int] = {}

    def ids(self, rows: Sequence[Row]) -> pa.Array:
        """Each row's number (:func:`hopnhat.units.bulk.row_numbers`)."""
        return int32_array(row_numbers(list(rows), self.numbers))

    def table(self, ids: pa.Array) -> pa.Table:
        distinct = list(self.numbers) or [EMPTY_ROW]
        return pa.table({name: _call("take", string_array(col), ids)
                         for name, col in zip(RESULT_COLUMNS, zip(*distinct))})


class _Run:
    """One column's conversion: which rows share an ending, what was converted, each row's result id (Arrow arrays
    throughout: no NumPy, whose import would be a tenth of the command's start-up)."""

    def __init__(self, values: pa.Array, evidence: SplitEvidence | None, progress: Progress | None,
                 on_total: Progress | None) -> None:
        self.values, self.evidence, self.progress, self.on_total = values, evidence, progress, on_total
        self.rows = _Rows()
        self.total = 0

    def _convert(self, items: Sequence[object]) -> tuple[pa.Array, bytearray]:
        """The result ids of these values, and for each 1 when its row holds for its whole raw ending."""
        self.total += len(items)
        if self.on_total:
            self.on_total(self.total)
        rows, shared = convert_entries(items, self.evidence, self.progress, endings_repeat=False)
        return self.rows.ids(rows), shared

    def _ids_of(self, distinct: pa.Array, ids: pa.Array) -> pa.Array:
        """Each row's id when its value is one of ``distinct`` (converted to ``ids``), else null."""
        return _call("take", ids, _index_in(self.values, distinct))

    def run(self) -> pa.Table:
        if self.evidence is not None or not len(self.values):  # every distinct value converted whole
            distinct = _call("unique", self.values)
            return self.rows.table(self._ids_of(distinct, self._convert(python_strings(distinct))[0]))
        endings = raw_endings(self.values)
        kinds = _call("unique", _call("drop_null", endings))
        found = _index_in(endings, kinds)  # each row's ending number, null for the rows read whole
        alone = _call("unique", _call("filter", self.values, _call("is_null", found)))
        representatives = _call("take", self.values, _index_in(kinds, endings))  # the first row of each ending
        ids, shared = self._convert(python_strings(representatives) + python_strings(alone))
        count = len(representatives)
        row_ids = _call("coalesce", _call("take", ids.slice(0, count), found), self._ids_of(alone, ids.slice(count)))
        unshared = _call("equal", uint8_array(shared[:count]), uint8_array(b"\0")[0])
        if _call("any", unshared).as_py():
            # the rows of those endings, all but those holding the representative's own text (its row is its own)
            again = _call("and_kleene", _call("take", unshared, found),
                          _call("not_equal", self.values, _call("take", representatives, found)))
            distinct = _call("unique", _call("filter", self.values, again))
            row_ids = _call("coalesce", self._ids_of(distinct, self._convert(python_strings(distinct))[0]), row_ids)
        return self.rows.table(row_ids)


def convert_array(values: pa.Array | pa.ChunkedArray, evidence: SplitEvidence | None = None,
                  progress: Progress | None = None, on_total: Progress | None = None) -> pa.Table:
    """The five result columns for a text column of addresses, in the same order. ``on_total`` hears how many
    conversions are planned (it may grow once, when a second round is needed); ``progress`` how many are done."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks() if values.num_chunks else pa.nulls(0, values.type)
    return _Run(values, evidence, progress, on_total).run()


def _is_text(kind: pa.DataType) -> bool:
    return pa.types.is_string(kind) or pa.types.is_large_string(kind)


def convert_column(values: Sequence[object] | pa.Array | pa.ChunkedArray, evidence: SplitEvidence | None = None,
                   progress: Progress | None = None, on_total: Progress | None = None) -> pa.Table:
    """The five result columns for a column of addresses (Arrow, or Python values), in the same order."""
    if isinstance(values, (pa.Array, pa.ChunkedArray)):
        if _is_text(values.type):
            return convert_array(values, evidence, progress, on_total)
        values = values.to_pylist()  # numbers, dates…: each read as text or rejected by the Python checks
    if all(v is None or isinstance(v, str) for v in values):
        return convert_array(string_array(values), evidence, progress, on_total)  # type: ignore[arg-type]
    return _convert_objects(list(values), evidence, progress, on_total)


def _convert_objects(values: list[object], evidence: SplitEvidence | None, progress: Progress | None,
                     on_total: Progress | None) -> pa.Table:
    keys = [v if v is None or isinstance(v, str) else (type(v).__name__, repr(v)) for v in values]
    distinct = list(dict.fromkeys(keys))
    first = {key: value for key, value in zip(reversed(keys), reversed(values))}
    if on_total:
        on_total(len(distinct))
    rows = _Rows()
    ids = rows.ids(convert_entries([first[k] for k in distinct], evidence, progress)[0])
    position = {key: i for i, key in enumerate(distinct)}
    return rows.table(_call("take", ids, int32_array([position[k] for k in keys])))


def convert_file(src: Path, column: str | Sequence[str], dst: Path, evidence: SplitEvidence | None = None,
                 progress: Progress | None = None, on_total: Progress | None = None) -> pa.Table:
    """Read ``src``, convert ``column``, write ``dst`` with every input column plus the result columns. Several
    columns (an address kept in parts: ``Thôn`` | ``Xã`` | ``Huyện`` | ``Tỉnh``) are read as one address, their
    filled cells joined by ``", "`` in the order given (:func:`address_cells`). Addresses typed in a legacy font
    (TCVN3, VNI, …) are read back before conversion (:mod:`hopnhat.repair.arrowtext`), the output keeping them as
    typed; how many is :func:`read_back` of the result.

    The lookup indexes load in a thread meanwhile (:func:`hopnhat.units.index.preload`): Arrow reads the file and
    finds the endings without holding Python's lock, so the two overlap."""
    preload()
    table = read_table(src)
    above = skipped(table)  # rows above the records (a title block: hopnhat.ingest.headerrow)
    columns = [column] if isinstance(column, str) else list(column)
    for name in columns:
        require_text_column(table, name, src)
    addresses, read_back = repair_text_column(columns[0], address_cells(table, columns))  # legacy-font cells
    result = convert_column(addresses, evidence, progress, on_total)
    clash = [n for n in RESULT_COLUMNS if n in table.column_names]
    table = table.drop_columns(clash) if clash else table
    for name in RESULT_COLUMNS:
        table = table.append_column(name, result.column(name))
    write_table(table, dst)
    meta = {**(result.schema.metadata or {}), READ_BACK: str(read_back).encode(), SKIPPED_KEY: str(above).encode()}
    return result.replace_schema_metadata(meta)


def address_cells(table: pa.Table, columns: Sequence[str]) -> pa.ChunkedArray | pa.Array:
    """The address of each row: ``columns[0]`` as it is, or the filled cells of several columns joined by ``", "``
    (blank cells skipped; no cell filled: null)."""
    if len(columns) == 1:
        return table.column(columns[0])
    parts = [python_strings(_call("cast", table.column(name), options=CastOptions(pa.string())).combine_chunks())
             for name in columns]
    joined = [", ".join(p.strip() for p in row if p and p.strip()) or None for row in zip(*parts, strict=True)]
    return string_array(joined)


def rows_above(result: pa.Table) -> int:
    """How many rows of :func:`convert_file`'s input were neither its column names nor records (a title block, a
    second header row, column numbers: :mod:`hopnhat.ingest.headerrow`)."""
    return skipped(result)


def read_back(result: pa.Table) -> int:
    """How many addresses of :func:`convert_file`'s input were typed in a legacy font and read back."""
    return int((result.schema.metadata or {}).get(READ_BACK, b"0"))


def status_counts(statuses: pa.Array | pa.ChunkedArray) -> Counter[str]:
    """How many rows have each status (the summary ``hopnhat units convert`` prints), counted by Arrow."""
    return Counter({c["values"]: c["counts"] for c in _call("value_counts", statuses).to_pylist()})
