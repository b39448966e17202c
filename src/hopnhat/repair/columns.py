"""Per-column repair for files: a column of raw cells through the one repair engine (:mod:`hopnhat.repair.stage`).

Format-neutral: a column is a list of raw cells (bytes from a delimited file, str from Excel or JSON, anything else
is left alone). Bytes are first read as the ingest stage reads them (:func:`as_text`), so ``hopnhat repair`` and
``hopnhat migrate`` give the same cells for the same column.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from hopnhat.i18n import tr
from hopnhat.repair.stage import ColumnRepairer, canonical_encoding
from hopnhat.text.cells import as_text
from hopnhat.text.legacy import Detection

__all__ = ["CellProblem", "ColumnMap", "ColumnReport", "as_text", "column_report", "describe_problem", "map_column",
           "repair_column", "repair_table"]

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


class ColumnMap:
    """The engine's answer for the distinct raw values of one column: each value's output cell, which values changed
    and which could not be repaired (with the reason). A plain class (made once per column, read by its callers in
    this package): a frozen dataclass costs a part of every ``hopnhat repair``'s start-up to make."""

    __slots__ = ("final", "changed", "unreadable", "detection")

    def __init__(self, final: dict[object, Cell], changed: frozenset[object], unreadable: dict[object, str],
                 detection: Detection) -> None:
        self.final, self.changed, self.unreadable, self.detection = final, changed, unreadable, detection


def map_column(name: str, raws: Iterable[object], *, encoding: str | None = None, strict: bool = False,
               latin1: bool = False) -> ColumnMap:
    """Read each distinct raw value of a column once (first-seen order, as the engine samples a column).

    ``latin1``: ``str`` values are the Latin-1 views of raw bytes (a delimited file read as Latin-1), not text."""
    as_read: dict[object, str]
    if latin1:
        as_read = {raw: raw if raw.isascii() else as_text(raw.encode("latin-1")) for raw in raws
                   if isinstance(raw, str)}  # an ASCII view is its own text
    else:  # ASCII bytes are their own text too (as_text would decode them as UTF-8: the same)
        as_read = {raw: (raw.decode("ascii") if raw.isascii() else as_text(raw)) if isinstance(raw, bytes) else raw
                   for raw in raws if isinstance(raw, (bytes, str))}
    engine = ColumnRepairer(name, encoding, strict=strict)
    found = engine.changed(list(dict.fromkeys(as_read.values())))
    final: dict[object, Cell] = dict(as_read)
    if not found:
        return ColumnMap(final, frozenset(), {}, engine.detection)
    changed: list[object] = []
    unreadable: dict[object, str] = {}
    get = found.get
    for raw, text in as_read.items():  # one pass: each raw whose text the engine changed or could not read
        reading = get(text)
        if reading is not None:
            final[raw] = reading.text
            if reading.problem is None:
                changed.append(raw)
            else:
                unreadable[raw] = reading.problem or ""
    return ColumnMap(final, frozenset(changed), unreadable, engine.detection)


def column_report(name: str, mapped: ColumnMap, cells: Sequence[Cell], rows: Sequence[int], text_cells: int,
                  changed: int) -> ColumnReport:
    """The report of one column: ``text_cells`` and ``changed`` counted by the caller, problems found here."""
    report = ColumnReport(name, mapped.detection, cells=text_cells, changed=changed)
    if mapped.unreadable:
        for i, raw in enumerate(cells):
            if isinstance(raw, (bytes, str)) and raw in mapped.unreadable:
                report.problems.append(CellProblem(rows[i], name, as_text(mapped.final[raw]),  # type: ignore[arg-type]
                                                   mapped.unreadable[raw]))
    return report


def repair_column(name: str, cells: Sequence[Cell], rows: Sequence[int], *, encoding: str | None = None,
                  strict: bool = False) -> tuple[list[Cell], ColumnReport]:
    """Repair one column. ``rows`` gives each cell's row number for reports. Non-text cells come back untouched;
    text cells come back as ``str`` (NFC); a cell that cannot be repaired comes back as it was, and is reported.
    ``encoding`` is a declared encoding (else detected), ``strict`` the source's strictness (see the engine).

    Only distinct raw values reach Python code (first-seen order, as the engine samples a column): each is read once
    and mapped to its output, and the cells are mapped by a dictionary lookup each."""
    counts = _counts(cells)
    mapped = map_column(name, counts, encoding=encoding, strict=strict)
    final = mapped.final
    text_cells = sum(counts[raw] for raw in final)
    changed = sum(counts[raw] for raw in mapped.changed)
    out: list[Cell] = [final[c] if isinstance(c, (bytes, str)) else c for c in cells]
    return out, column_report(name, mapped, cells, rows, text_cells, changed)


def _counts(cells: Sequence[Cell]) -> Counter[object]:
    """How often each raw value occurs, in first-seen order (text cells only when some cell cannot be hashed)."""
    try:
        return Counter(cells)
    except TypeError:
        return Counter(c for c in cells if isinstance(c, (bytes, str)))


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


def repair_table(rows: list[list[Cell]], *, header: bool = True, prefix: str = "", strict: bool = False,
                 encodings: dict[str, str] | None = None) -> list[ColumnReport]:
    """Repair a table in place, column by column (ragged rows allowed); the header row is a group of its own.

    Row numbers in reports count from 1 with the header as row 1, as a spreadsheet shows them. ``strict`` and
    ``encodings`` (column name → declared encoding) mean what they mean for a source of ``migrate``.
    """
    if not rows:
        return []
    width = max(len(r) for r in rows)
    reports = _repair_header(rows, prefix) if header else []
    names = _column_names(rows[0] if header else [], width)
    first = 1 if header else 0
    if len(rows) > first and all(len(r) == width for r in rows):  # the usual table: columns by transposing it
        numbers = range(first + 1, len(rows) + 1)
        repaired = []
        for col, column in enumerate(zip(*rows[first:])):
            declared = (encodings or {}).get(names[col])
            out, report = repair_column(prefix + names[col], column, numbers, encoding=canonical_encoding(declared),
                                        strict=strict)
            repaired.append(out)
            reports.append(report)
        rows[first:] = [list(row) for row in zip(*repaired)]
        return reports
    for col in range(width):
        index = [r for r in range(1 if header else 0, len(rows)) if col < len(rows[r])]
        declared = (encodings or {}).get(names[col])
        cells, report = repair_column(prefix + names[col], [rows[r][col] for r in index], [r + 1 for r in index],
                                      encoding=canonical_encoding(declared), strict=strict)
        for r, cell in zip(index, cells, strict=True):
            rows[r][col] = cell
        reports.append(report)
    return reports
