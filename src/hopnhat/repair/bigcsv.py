"""Large delimited files: the cells read, counted, mapped and joined by Arrow (C++) instead of one Python object each.

Same bytes and reports as the csv-module path (:func:`hopnhat.repair.delimited.repair_rows`): the engine still sees
each column's distinct values once, in first-seen order (Arrow's dictionary encoding keeps that order), and each
distinct output is quoted by ``csv.writer`` itself. Used from :data:`hopnhat.repair.files.ARROW_BYTES` up, where
Arrow's import (about a tenth of a CPU second) costs less than it saves; for smaller files the csv module is quicker.
A file Arrow does not parse as a table of one width (blank lines, ragged rows, a header record longer than the
sniffing sample) is returned as None and read by the csv module, which reports what is wrong with it.
"""

from __future__ import annotations

import csv
import io
from array import array
from collections.abc import Callable
from itertools import accumulate
from typing import Any

from hopnhat.i18n import tr
from hopnhat.io.arrowload import load_arrow
from hopnhat.repair.columns import ColumnMap, ColumnReport, column_report, map_column
from hopnhat.repair.delimited import BOM, Layout, quoter

_HEADER_BYTES = 1 << 16


def _call(function: str, *args: Any) -> Any:
    """One of Arrow's compute functions with its default options, on the C library's allocator (what
    ``pyarrow.compute.<function>(*args, memory_pool=...)`` calls)."""
    from pyarrow._compute import call_function

    return call_function(function, list(args), memory_pool=_pool())


def _pool() -> Any:
    """The C library's allocator: Arrow's default (mimalloc) hands pages back and faults them in again, a third more
    CPU time in the kernel on these short-lived buffers."""
    import pyarrow as pa

    return pa.system_memory_pool()


def _width(body: bytes, layout: Layout) -> int:
    """Fields of the header record (0 when it does not end within the first 64 KiB)."""
    sample = body[:_HEADER_BYTES].decode("latin-1")
    rows = csv.reader(io.StringIO(sample, newline=""), delimiter=layout.delimiter)
    first = next(rows, [])
    return len(first) if next(rows, None) is not None else 0


def _table(body: bytes, width: int, layout: Layout) -> Any:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    names = [f"c{i}" for i in range(width)]
    try:
        return pacsv.read_csv(
            pa.py_buffer(body),
            read_options=pacsv.ReadOptions(column_names=names, use_threads=False),
            parse_options=pacsv.ParseOptions(delimiter=layout.delimiter, newlines_in_values=True,
                                             ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(names, pa.binary()), check_utf8=False,
                                                 strings_can_be_null=False, quoted_strings_can_be_null=False),
            memory_pool=_pool())
    except pa.ArrowException:
        return None  # the csv module reads it and names what is wrong


def _encoded(column: Any) -> Any:
    """One column as one dictionary array (values in first-seen order); None when Arrow cannot make it one (a column
    past its 2 GiB offsets) or it has nulls: the csv module reads the file."""
    import pyarrow as pa

    try:
        encoded = _call("dictionary_encode", column.combine_chunks(memory_pool=_pool()))
    except pa.ArrowException:
        return None
    return None if encoded.null_count else encoded


def _column(name: str, encoded: Any, quote: Callable[[str], str], after: str) -> tuple[Any, ColumnReport]:
    """One column (dictionary-encoded): its written cells (an Arrow string array), each followed by ``after`` (the
    line ending, for the last column), and its report."""
    import pyarrow as pa

    distinct = _binary_values(encoded.dictionary)
    mapped = map_column(name, distinct)
    changed = 0
    if mapped.changed:  # each cell's distinct value changed or not (1/0, an array made from its buffer), summed
        flags = bytes(raw in mapped.changed for raw in distinct)
        one = pa.Array.from_buffers(pa.uint8(), len(distinct), [None, pa.py_buffer(flags)])
        changed = _call("sum", _call("take", one, encoded.indices)).as_py() or 0
    written = _strings([(quote(str(mapped.final[raw])) + after).encode("utf-8") for raw in distinct])
    report = _report(name, mapped, encoded, distinct, len(encoded), changed)
    return _call("take", written, encoded.indices), report


def _binary_values(values: Any) -> list[bytes]:
    """The items of an Arrow binary array without nulls (a column's distinct values), cut from its offsets and data
    buffers: ``to_pylist`` makes an Arrow scalar of each item first, about a tenth of a 300,000-cell run."""
    import pyarrow as pa

    if values.type != pa.binary() or values.null_count:
        return list(values.to_pylist())
    _, offsets_buffer, data = values.buffers()
    offsets = memoryview(offsets_buffer).cast("i")[values.offset : values.offset + len(values) + 1]
    raw = data.to_pybytes() if data is not None else b""
    return [raw[start:stop] for start, stop in zip(offsets, offsets[1:])]


def _strings(items: list[bytes]) -> Any:
    """An Arrow (large) string array of UTF-8 items, built from two buffers (``pa.array`` would import pandas)."""
    import pyarrow as pa

    offsets = array("q", accumulate(map(len, items), initial=0))
    return pa.LargeStringArray.from_buffers(len(items), pa.py_buffer(offsets), pa.py_buffer(b"".join(items)))


def _report(name: str, mapped: ColumnMap, encoded: Any, distinct: list[bytes], cells: int,
            changed: int) -> ColumnReport:
    if not mapped.unreadable:
        return column_report(name, mapped, [], [], cells, changed)
    values = [distinct[i] for i in encoded.indices.to_pylist()]
    return column_report(name, mapped, values, range(2, 2 + cells), cells, changed)


def repair_large(data: bytes, layout: Layout, *, alone: bool = False) -> tuple[bytes, list[ColumnReport]] | None:
    """Repair and write a large table of one width (two columns or more, a header and rows); None otherwise.
    ``alone``: the process does nothing else (see :func:`load_arrow`)."""
    load_arrow(without_numpy=alone)

    body = data[len(BOM) :] if layout.bom else data
    width = _width(body, layout)
    table = _table(body, width, layout) if width >= 2 else None
    if table is None or table.num_rows < 2:
        return None
    label = tr("(dòng tiêu đề)", "(header row)")
    raw_head = [table.column(i)[0].as_py() for i in range(width)]
    header = map_column(label, raw_head)
    head = [str(header.final[c]) for c in raw_head]
    reports = [] if header.detection.encoding == "ascii" else \
        [column_report(label, header, raw_head, [1] * width, width, sum(c in header.changed for c in raw_head))]
    quote = quoter(layout)
    body_rows = table.slice(1)
    columns = []
    for col in range(width):
        encoded = _encoded(body_rows.column(col))
        if encoded is None:
            return None
        written, report = _column(head[col] or f"#{col + 1}", encoded, quote,
                                  layout.lineterminator if col == width - 1 else "")
        columns.append(written)
        reports.append(report)
    end = layout.lineterminator.encode()
    delimiter = _strings([layout.delimiter.encode()])[0]  # a scalar (pa.scalar would import pandas)
    lines = _buffer_view(_call("binary_join_element_wise", *columns, delimiter))  # rows, each ended
    if not layout.final_newline:
        lines = lines[: len(lines) - len(end)]
    text = (layout.delimiter.join(map(quote, head))).encode("utf-8") + end
    return b"".join((BOM if layout.bom else b"", text, lines)), reports  # one copy of the rows


def _buffer_view(strings: Any) -> memoryview:
    """The characters of an Arrow large string array without nulls, end to end (no copy)."""
    import pyarrow as pa

    _, offsets_buffer, data = strings.buffers()
    offsets = pa.Array.from_buffers(pa.int64(), len(strings) + 1, [None, offsets_buffer], offset=strings.offset)
    start, stop = offsets[0].as_py(), offsets[len(strings)].as_py()
    return memoryview(data.slice(start, stop - start))
