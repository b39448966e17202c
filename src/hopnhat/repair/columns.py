"""Per-column repair: detect a column's encoding once, then repair each of its cells.

Format-neutral: a column is a list of raw cells (bytes from a delimited file, str from Excel or JSON, anything else
is left alone). The file readers in this package feed it; the pipeline stage can feed it DuckDB columns the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from hopnhat.i18n import tr
from hopnhat.text.cells import as_text
from hopnhat.text.legacy import Detection, LegacyEncodingError, detect, repair_value

Cell = object


@dataclass(frozen=True)
class CellProblem:
    """A cell that could not be repaired and was kept as it was."""

    row: int
    column: str
    value: str
    reason: str


@dataclass
class ColumnReport:
    """What happened to one column: detected encoding, how many cells changed, which cells could not be repaired."""

    column: str
    detection: Detection
    cells: int = 0
    changed: int = 0
    problems: list[CellProblem] = field(default_factory=list)


def _texts(cells: Sequence[Cell]) -> list[bytes | str]:
    return [c for c in cells if isinstance(c, (bytes, str)) and c]


def _repair_text(cell: bytes | str, encoding: str, cache: dict[object, tuple[str, str | None]]) -> tuple[str, str | None]:
    """(text, reason it could not be repaired or None), computed once per distinct value of a column."""
    if cell not in cache:
        try:
            cache[cell] = (repair_value(cell, encoding), None)
        except LegacyEncodingError as exc:
            cache[cell] = (as_text(cell), exc.reason or exc.message)
    return cache[cell]


def repair_column(name: str, cells: Sequence[Cell], rows: Sequence[int]) -> tuple[list[Cell], ColumnReport]:
    """Repair one column. ``rows`` gives each cell's row number for reports. Non-text cells come back untouched;
    text cells come back as ``str`` (NFC); a cell that cannot be repaired comes back as it was, and is reported."""
    detection = detect(_texts(cells))
    report = ColumnReport(name, detection)
    cache: dict[object, tuple[str, str | None]] = {}
    out: list[Cell] = []
    for cell, row in zip(cells, rows, strict=True):
        if not isinstance(cell, (bytes, str)):
            out.append(cell)
            continue
        text, problem = _repair_text(cell, detection.encoding, cache)
        report.cells += 1
        report.changed += problem is None and text != as_text(cell)
        if problem is not None:
            report.problems.append(CellProblem(row, name, text, problem))
        out.append(text)
    return out, report


def describe_problem(problem: CellProblem) -> str:
    """One line naming the row, column and value of a cell that was kept as it was."""
    return tr(
        f"dòng {problem.row}, cột {problem.column!r}: giữ nguyên {problem.value!r} ({problem.reason})",
        f"row {problem.row}, column {problem.column!r}: kept {problem.value!r} ({problem.reason})",
    )


def _column_names(header: Sequence[Cell], width: int) -> list[str]:
    names = [as_text(c) if isinstance(c, (bytes, str)) and c else "" for c in header]
    names += [""] * (width - len(names))
    return [name or f"#{i + 1}" for i, name in enumerate(names)]


def _repair_header(rows: list[list[Cell]], prefix: str) -> list[ColumnReport]:
    label = prefix + tr("(dòng tiêu đề)", "(header row)")
    rows[0], report = repair_column(label, rows[0], [1] * len(rows[0]))
    return [] if report.detection.encoding == "ascii" else [report]


def repair_table(rows: list[list[Cell]], *, header: bool = True, prefix: str = "") -> list[ColumnReport]:
    """Repair a table in place, column by column (ragged rows allowed); the header row is a group of its own.

    Row numbers in reports count from 1 with the header as row 1, as a spreadsheet shows them.
    """
    if not rows:
        return []
    width = max(len(r) for r in rows)
    reports = _repair_header(rows, prefix) if header else []
    names = _column_names(rows[0] if header else [], width)
    for col in range(width):
        index = [r for r in range(1 if header else 0, len(rows)) if col < len(rows[r])]
        cells, report = repair_column(prefix + names[col], [rows[r][col] for r in index], [r + 1 for r in index])
        for r, cell in zip(index, cells, strict=True):
            rows[r][col] = cell
        reports.append(report)
    return reports
