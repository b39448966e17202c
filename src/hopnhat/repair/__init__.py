"""The repair stage: legacy Vietnamese encodings → NFC Unicode, one engine for files and the pipeline.

:class:`~hopnhat.repair.stage.ColumnRepairer` is the engine (``hopnhat migrate`` feeds it batches);
:func:`repair_column` and :func:`repair_table` feed it the columns of a file; :func:`repair_file` runs the stage alone
on a CSV/TSV, Excel or JSON file (``hopnhat repair IN --output OUT``). Names are loaded on first use, so the pipeline
importing the engine does not load the file readers.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_WHERE = {
    "CellProblem": "hopnhat.repair.columns", "ColumnReport": "hopnhat.repair.columns",
    "repair_column": "hopnhat.repair.columns", "repair_table": "hopnhat.repair.columns",
    "ColumnRepairer": "hopnhat.repair.stage", "CellRepair": "hopnhat.repair.stage",
    "RepairReport": "hopnhat.repair.files", "repair_file": "hopnhat.repair.files",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'hopnhat.repair' has no attribute {name!r}")
    return getattr(import_module(_WHERE[name]), name)
