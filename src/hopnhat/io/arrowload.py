"""Loading Arrow for a process that does one job and exits (``hopnhat repair``, ``hopnhat units convert``)."""

from __future__ import annotations

import os
import sys


def one_blas_thread() -> None:
    """pyarrow imports numpy, whose OpenBLAS starts a thread per core that spins at import (about 0.04 CPU-s on two
    cores, a twentieth of a 540,000-cell run); this process does no linear algebra. Unless the user chose a number,
    one thread — only when numpy is not loaded yet (then it would change nothing)."""
    if "numpy" not in sys.modules:
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def load_arrow(*, without_numpy: bool) -> None:
    """Import what this path uses of pyarrow: its core, its CSV reader and its compute functions' caller
    (``pyarrow._compute``: the public ``pyarrow.compute`` also writes a Python wrapper and its docstring for each of
    its hundreds of functions at import, a quarter of Arrow's import; pyarrow is pinned). ``without_numpy``: for a
    process that runs one job alone (``hopnhat repair``), pyarrow is imported as if numpy and cloudpickle were
    not installed — nothing there uses them, and pyarrow imports them when it can (half of its import; ``hopnhat units
    convert`` likewise). Not for a process that goes on to other work: that pyarrow would convert nothing to numpy.
    Only when none of them is loaded yet (else it would change nothing)."""
    blocked = ("numpy", "cloudpickle")
    if not without_numpy or any(name in sys.modules for name in ("pyarrow", *blocked)):
        one_blas_thread()
        import pyarrow._compute
        return
    for name in blocked:
        sys.modules[name] = None  # type: ignore[assignment]  # an import of it fails: pyarrow goes without
    try:
        import pyarrow._compute
        import pyarrow.csv  # noqa: F401
    finally:
        for name in blocked:
            del sys.modules[name]
