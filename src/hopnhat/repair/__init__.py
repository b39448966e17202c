"""The repair stage: legacy Vietnamese encodings → NFC Unicode, column by column.

:func:`repair_column` and :func:`repair_table` are format-neutral; :func:`repair_file` runs the stage alone on a
CSV/TSV, Excel or JSON file (``hopnhat repair IN --output OUT``).
"""

from hopnhat.repair.columns import CellProblem, ColumnReport, repair_column, repair_table
from hopnhat.repair.files import RepairReport, repair_file

__all__ = ["CellProblem", "ColumnReport", "RepairReport", "repair_column", "repair_file", "repair_table"]
