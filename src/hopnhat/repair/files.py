"""``repair_file``: the repair stage alone on one file (CSV/TSV, Excel .xlsx, JSON/NDJSON; an Excel 97–2003 ``.xls``
is written as ``.xlsx``: :mod:`hopnhat.io.xls`).

The input is checked before any work (:func:`hopnhat.io.inputs.check_input`: a regular, non-empty file whose content
is what its extension says, at most :data:`MAX_BYTES`: the whole file is held in memory) and so is the output
(:func:`hopnhat.io.outputs.check_output`: never the input, folder there and writable, room on the disk); the output
is written through a temporary file renamed at the end.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from hopnhat.errors import InputError, OutputError
from hopnhat.i18n import tr
from hopnhat.io.inputs import check_input
from hopnhat.io.outputs import check_output, write_bytes
from hopnhat.repair import delimited
from hopnhat.repair.columns import CellProblem, ColumnReport, repair_table

MAX_BYTES = 2 << 30  # the file and its cells are held in memory
ARROW_BYTES = 2 << 20  # delimited files from this size are read by Arrow (hopnhat.repair.bigcsv): from here on
# Arrow's import pays for itself (measured by bench/repair.py --sizes); below it neither Arrow nor bigcsv is loaded
FORMATS = {".csv": "csv", ".tsv": "csv", ".tab": "csv", ".txt": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx",
           ".xls": "xls", ".json": "json", ".ndjson": "json", ".jsonl": "json"}
WRITTEN_AS = {"xls": "xlsx"}  # an input format no library here writes: the output's format


@dataclass
class RepairReport:
    """What ``repair_file`` did: per-column reports and whether the output is a byte copy of the input."""

    source: Path
    output: Path
    format: str
    columns: list[ColumnReport] = field(default_factory=list)
    copied: bool = False

    @property
    def changed(self) -> int:
        """Cells whose text changed."""
        return sum(c.changed for c in self.columns)

    @property
    def problems(self) -> list[CellProblem]:
        """Cells kept as they were because they could not be repaired."""
        return [p for c in self.columns for p in c.problems]


def file_format(path: Path) -> str:
    """``csv``, ``xlsx`` or ``json`` from the file name; an InputError names unsupported files."""
    suffix = path.suffix.lower()
    if suffix in FORMATS:
        return FORMATS[suffix]
    raise InputError(tr("Định dạng tệp không hỗ trợ", "Unsupported file format"), source=str(path),
                     reason=tr("hỗ trợ ", "supported: ") + ", ".join(sorted(FORMATS)),
                     hint=tr("lưu tệp dưới một trong các dạng trên", "save the file in one of these formats"))


def read_input(path: Path) -> bytes:
    """The bytes of an input file, checked first; a missing or unreadable file is an InputError naming it."""
    check_input(path, FORMATS, MAX_BYTES)
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(tr("Không đọc được tệp", "Cannot read the file"), source=str(path),
                         reason=exc.strerror or str(exc)) from exc


def _repair_csv(path: Path, data: bytes, *, alone: bool = False) -> tuple[bytes, list[ColumnReport]]:
    data = delimited.from_wide(data, path)  # UTF-16 ("Unicode Text") read as UTF-8, written back as UTF-8
    layout = delimited.layout_of(data, path.suffix.lower())
    if len(data) >= ARROW_BYTES:
        from hopnhat.repair import bigcsv  # Arrow's path only for large files

        large = bigcsv.repair_large(data, layout, alone=alone)
        if large is not None:
            return large
    text_rows = delimited.read_latin1(data, layout, path)
    usual = delimited.repair_rows(text_rows, layout)
    if usual is not None:
        return usual
    rows: list[list[object]] = [[cell.encode("latin-1") for cell in row] for row in text_rows]
    reports = repair_table(rows)
    return delimited.write_rows(rows, layout), reports


def _repair_xlsx(path: Path, data: bytes) -> tuple[bytes, list[ColumnReport]]:
    from hopnhat.repair import excel  # openpyxl only for Excel files (a CSV run starts without it)

    book = excel.load(path, data)
    reports = excel.repair_workbook(book)
    return excel.save(book), reports


def _repair_xls(path: Path, data: bytes) -> tuple[bytes, list[ColumnReport]]:
    """An Excel 97–2003 workbook repaired sheet by sheet (its cells as xlrd reads them: TCVN3's capitals on control
    characters too) and written as ``.xlsx`` (:func:`hopnhat.io.xls.to_workbook`)."""
    from hopnhat.io.xls import XlsCell, read_xls, to_workbook  # xlrd only for .xls files
    from hopnhat.repair import excel

    sheets = read_xls(path, data)
    reports: list[ColumnReport] = []
    for sheet in sheets:
        values: list[list[object]] = [[cell.value for cell in row] for row in sheet.rows]
        reports += repair_table(values, prefix=f"{sheet.name}!" if len(sheets) > 1 else "")
        sheet.rows = [[XlsCell(v, c.number_format) for v, c in zip(new, row, strict=True)]
                      for new, row in zip(values, sheet.rows, strict=True)]
    return excel.save(to_workbook(sheets)), reports


def _repair_json(path: Path, data: bytes) -> tuple[bytes, list[ColumnReport]]:
    from hopnhat.repair import jsonfile  # the JSON writers only for JSON files

    doc = jsonfile.parse(path, data)
    reports = jsonfile.repair_doc(doc)
    return jsonfile.dump(doc), reports


_REPAIRERS = {"csv": _repair_csv, "xlsx": _repair_xlsx, "xls": _repair_xls, "json": _repair_json}


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def repair_file(source: Path, output: Path, *, alone: bool = False) -> RepairReport:
    """Detect each column's encoding in ``source`` and write it as UTF-8 NFC to ``output``.

    Same rows, columns and order; only the encoding changes. A file with nothing to repair is copied byte for byte.
    ``alone``: the process does nothing else (``hopnhat repair``): a large CSV's Arrow is loaded without numpy
    (:func:`hopnhat.io.arrowload.load_arrow`).
    """
    fmt = file_format(source)
    written = WRITTEN_AS.get(fmt, fmt)
    if FORMATS.get(output.suffix.lower()) != written:
        suffix = ".xlsx" if written == "xlsx" and fmt != written else source.suffix
        raise OutputError(tr("Tệp ra phải cùng định dạng với tệp vào", "The output must have the input's format"),
                          source=str(output), reason=tr(f"tệp vào là {fmt}", f"the input is {fmt}") + (
                              tr(", được ghi ra dạng xlsx", ", written as xlsx") if written != fmt else ""),
                          hint=tr(f"đặt đuôi tệp ra là {suffix}", f"give the output the extension {suffix}"))
    data = read_input(source)
    check_output(output, [source], needed_bytes=2 * len(data))
    repaired, columns = _repair_csv(source, data, alone=alone) if fmt == "csv" else _REPAIRERS[fmt](source, data)
    report = RepairReport(source, output, fmt, columns)
    report.copied = report.changed == 0 and fmt != "xls" and (fmt == "xlsx" or _is_utf8(data))
    write_bytes(output, data if report.copied else repaired, [source])
    return report
