"""Arrow arrays built from Python values through their buffers.

``pyarrow.array`` on a Python list asks whether the list is a pandas object, and that question imports pandas: half a
second of CPU (more from a cold disk) in a command whose whole budget for 100,000 addresses is about two seconds.
Result columns of ``hopnhat units convert`` (and the cells it reads back: :mod:`hopnhat.repair.arrowtext`) are built
here instead, straight from the bytes and the offsets.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from itertools import accumulate

import pyarrow as pa

_INT32_MAX = 2**31 - 1


def int32_array(values: Sequence[int]) -> pa.Array:
    """Non-null 32-bit integers."""
    data = array("i", values)
    return pa.Array.from_buffers(pa.int32(), len(data), [None, pa.py_buffer(data)])


def _validity(values: Sequence[str | None]) -> tuple[pa.Buffer | None, int]:
    """The null bitmap (least significant bit first) and the null count; no bitmap when nothing is null."""
    nulls = sum(v is None for v in values)
    if not nulls:
        return None, 0
    bits = bytearray((len(values) + 7) // 8)
    for i, value in enumerate(values):
        if value is not None:
            bits[i >> 3] |= 1 << (i & 7)
    return pa.py_buffer(bytes(bits)), nulls


def string_array(values: Sequence[str | None]) -> pa.Array:
    """UTF-8 strings, None as null; ``large_string`` when the text passes 2 GiB."""
    encoded = [b"" if v is None else v.encode("utf-8") for v in values]
    ends = list(accumulate((len(e) for e in encoded), initial=0))
    large = ends[-1] > _INT32_MAX
    offsets = array("q" if large else "i", ends)
    validity, nulls = _validity(values)
    return pa.Array.from_buffers(pa.large_string() if large else pa.string(), len(values),
                                 [validity, pa.py_buffer(offsets), pa.py_buffer(b"".join(encoded))], null_count=nulls)


def python_strings(values: pa.Array) -> list[str | None]:
    """``values.to_pylist()`` for a string array, in half the time: its text decoded at once and cut at each value's
    length in characters (Arrow's ``utf8_length``), instead of a scalar object made and decoded per value. With
    nulls, or bytes that are not UTF-8, ``to_pylist`` itself."""
    from pyarrow._compute import call_function

    n = len(values)
    if not n or values.null_count:
        return values.to_pylist()
    large = values.type == pa.large_string()
    width = 8 if large else 4
    ends = array("q" if large else "i")
    ends.frombytes(memoryview(values.buffers()[1])[values.offset * width : (values.offset + n + 1) * width])
    try:
        text = bytes(memoryview(values.buffers()[2])[ends[0] : ends[n]]).decode("utf-8")
    except UnicodeDecodeError:
        return values.to_pylist()
    lengths = call_function("utf8_length", [values])
    counts = array("q" if large else "i")
    counts.frombytes(memoryview(lengths.buffers()[1])[lengths.offset * width : (lengths.offset + n) * width])
    cuts = list(accumulate(counts, initial=0))
    return [text[a:b] for a, b in zip(cuts, cuts[1:])]


def uint8_array(values: bytes | bytearray) -> pa.Array:
    """Non-null bytes as unsigned 8-bit integers."""
    return pa.Array.from_buffers(pa.uint8(), len(values), [None, pa.py_buffer(bytes(values))])


def string_scalar(value: str, kind: pa.DataType) -> pa.Scalar:
    """A ``string`` or ``large_string`` scalar (``kind``; casting one imports ``pyarrow.compute``)."""
    data = value.encode("utf-8")
    offsets = array("q" if kind == pa.large_string() else "i", [0, len(data)])
    return pa.Array.from_buffers(kind, 1, [None, pa.py_buffer(offsets), pa.py_buffer(data)])[0]


def int32_scalar(value: int) -> pa.Scalar:
    """An int32 scalar (``pa.scalar`` and Python numbers passed to compute functions import pandas too)."""
    return int32_array([value])[0]
