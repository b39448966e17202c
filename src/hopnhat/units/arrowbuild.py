"""Arrow arrays built from Python values through their buffers.

``pyarrow.array`` on a Python list asks whether the list is a pandas object, and that question imports pandas: half a
second of CPU (more from a cold disk) in a command whose whole budget for 100,000 addresses is about two seconds.
Result columns of ``hopnhat units convert`` are built here instead, straight from the bytes and the offsets.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from itertools import accumulate

import numpy as np
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


def int32_scalar(value: int) -> pa.Scalar:
    """An int32 scalar (``pa.scalar`` and Python numbers passed to compute functions import pandas too)."""
    return int32_array([value])[0]


def from_numpy(values: np.ndarray) -> pa.Array:
    """A contiguous 1-D NumPy integer array as an Arrow array, sharing its memory."""
    values = np.ascontiguousarray(values)
    kind = {np.dtype(np.int32): pa.int32(), np.dtype(np.int64): pa.int64()}[values.dtype]
    return pa.Array.from_buffers(kind, len(values), [None, pa.py_buffer(values)])


def to_numpy(values: pa.Array, dtype: type[np.generic]) -> np.ndarray:
    """The data of an Arrow integer array as NumPy (zero copy; slots under nulls hold whatever the buffer holds)."""
    width = np.dtype(dtype).itemsize
    buffer = values.buffers()[1]
    if buffer is None or not len(values):
        return np.zeros(0, dtype)
    return np.frombuffer(buffer, dtype=dtype, count=len(values), offset=values.offset * width)
