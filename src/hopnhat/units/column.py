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

from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from hopnhat.units.arrowbuild import from_numpy, int32_scalar, string_array, to_numpy
from hopnhat.units.bulk import EMPTY_ROW, ENDING_SEGMENTS, LETTER_CLASS, RESULT_COLUMNS, Row, convert_entries
from hopnhat.units.convert import MAX_LENGTH, SplitEvidence
from hopnhat.units.files import read_table, require_text_column, write_table
from hopnhat.units.index import preload

# text that may be invalid (too long, control characters, undecodable): converted whole, by the Python checks
_DOUBTFUL = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\x{fffd}]"
_SEPARATORS = "[;|\n]"

Progress = Callable[[int], None]


def raw_endings(values: pa.Array) -> pa.Array:
    """Each address's raw ending without its leading comma (:func:`hopnhat.units.bulk.raw_ending`), null where it
    has none (fewer than :data:`~hopnhat.units.bulk.ENDING_SEGMENTS` commas, no letter before them) or it may be
    invalid (then the Python checks read it whole).

    Everything is Arrow compute, no Python per row. Its literal arguments are built from buffers: a Python number or
    string passed to a compute function would import pandas (a fifth of a second).
    """
    parts = pc.split_pattern(values, ",", max_splits=ENDING_SEGMENTS, reverse=True)
    ending = pc.binary_join(pc.list_slice(parts, 1), string_array([","]).cast(values.type)[0])
    usable = pc.and_kleene(pc.greater(pc.list_value_length(parts), int32_scalar(ENDING_SEGMENTS)),
                           pc.match_substring_regex(pc.list_element(parts, int32_scalar(0)), LETTER_CLASS))
    doubtful = pc.or_kleene(pc.greater(pc.utf8_length(values), int32_scalar(MAX_LENGTH)),
                            pc.match_substring_regex(values, f"{_SEPARATORS}|{_DOUBTFUL}"))
    return pc.if_else(pc.and_not_kleene(usable, doubtful), ending, pa.nulls(1, values.type)[0])


class _Rows:
    """Distinct result rows, numbered in order of appearance."""

    def __init__(self) -> None:
        self.numbers: dict[Row, int] = {}

    def ids(self, rows: Sequence[Row]) -> np.ndarray:
        number = self.numbers.setdefault
        return np.fromiter((number(row, len(self.numbers)) for row in rows), np.int32, len(rows))

    def table(self, ids: np.ndarray) -> pa.Table:
        distinct = list(self.numbers) or [EMPTY_ROW]
        index = from_numpy(ids)
        return pa.table({name: string_array(col).take(index)
                         for name, col in zip(RESULT_COLUMNS, zip(*distinct))})


class _Run:
    """One column's conversion: which rows share an ending, what was converted, each row's result id."""

    def __init__(self, values: pa.Array, evidence: SplitEvidence | None, progress: Progress | None,
                 on_total: Progress | None) -> None:
        self.values, self.evidence, self.progress, self.on_total = values, evidence, progress, on_total
        self.rows = _Rows()
        self.ids = np.zeros(len(values), np.int32)
        self.total = 0

    def _convert(self, items: list[object]) -> tuple[np.ndarray, bytearray]:
        self.total += len(items)
        if self.on_total:
            self.on_total(self.total)
        rows, shared = convert_entries(items, self.evidence, self.progress)
        return self.rows.ids(rows), shared

    def _distinct(self, positions: np.ndarray) -> tuple[list[object], np.ndarray]:
        """The distinct values at these positions, and for each position the index of its value among them."""
        taken = self.values.take(from_numpy(positions))
        distinct = pc.unique(taken)
        return distinct.to_pylist(), to_numpy(pc.index_in(taken, value_set=distinct), np.int32)

    def run(self) -> pa.Table:
        n = len(self.values)
        keyed, kinds, codes = self._endings() if self.evidence is None and n else (np.zeros(0, np.int64), None, None)
        alone = np.ones(n, bool)
        alone[keyed] = False
        alone_at = np.flatnonzero(alone)
        alone_values, alone_index = self._distinct(alone_at)
        if kinds is None or codes is None:
            ids, _ = self._convert(alone_values)
            self.ids[alone_at] = ids[alone_index]
            return self.rows.table(self.ids)
        kind_ids, first = np.unique(codes[keyed], return_index=True)
        representatives = self.values.take(from_numpy(keyed[first])).to_pylist()
        ids, shared = self._convert(representatives + alone_values)
        kind_row = np.zeros(len(kinds), np.int32)
        kind_row[kind_ids] = ids[: len(representatives)]
        self.ids[keyed] = kind_row[codes[keyed]]
        self.ids[alone_at] = ids[len(representatives) :][alone_index]
        unshared = kind_ids[np.frombuffer(shared, np.uint8, len(representatives)) == 0]
        if len(unshared):
            again = keyed[np.isin(codes[keyed], unshared)]
            again = again[~self._representative(again, codes, keyed[first])]  # their own rows are right already
            again_values, again_index = self._distinct(again)
            self.ids[again] = self._convert(again_values)[0][again_index]
        return self.rows.table(self.ids)

    def _representative(self, positions: np.ndarray, codes: np.ndarray, representatives: np.ndarray) -> np.ndarray:
        """Which of these rows (with an ending, ``codes``: each row's ending number) hold the same text as the
        representative of their ending: that one's row is its own whatever its ending decided."""
        if not len(positions):
            return np.zeros(0, bool)
        ending_rep = np.zeros(int(codes[representatives].max()) + 1, np.int64)
        ending_rep[codes[representatives]] = representatives
        same = pc.equal(self.values.take(from_numpy(positions)),
                        self.values.take(from_numpy(ending_rep[codes[positions]])))
        return to_numpy(pc.cast(same, pa.uint8()), np.uint8).astype(bool)  # a boolean array's to_numpy imports pandas

    def _endings(self) -> tuple[np.ndarray, pa.Array, np.ndarray]:
        """Positions of the rows with a trusted ending, the distinct endings, and each row's ending number."""
        endings = raw_endings(self.values)
        kinds = pc.unique(endings.drop_null())
        found = pc.index_in(endings, value_set=kinds)
        keyed = to_numpy(pc.indices_nonzero(pc.is_valid(found)), np.uint64).astype(np.int64)
        return keyed, kinds, to_numpy(found, np.int32)


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
    return rows.table(ids[np.fromiter((position[k] for k in keys), np.int64, len(keys))])


def convert_file(src: Path, column: str, dst: Path, evidence: SplitEvidence | None = None,
                 progress: Progress | None = None, on_total: Progress | None = None) -> pa.Table:
    """Read ``src``, convert ``column``, write ``dst`` with every input column plus the result columns.

    The lookup indexes load in a thread meanwhile (:func:`hopnhat.units.index.preload`): Arrow reads the file and
    finds the endings without holding Python's lock, so the two overlap."""
    preload()
    table = read_table(src)
    require_text_column(table, column, src)
    result = convert_column(table.column(column), evidence, progress, on_total)
    clash = [n for n in RESULT_COLUMNS if n in table.column_names]
    table = table.drop_columns(clash) if clash else table
    for name in RESULT_COLUMNS:
        table = table.append_column(name, result.column(name))
    write_table(table, dst)
    return result
