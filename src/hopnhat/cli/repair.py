"""``hopnhat repair IN --output OUT``: repair legacy Vietnamese encodings in one file."""

from __future__ import annotations

import gc
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from hopnhat.cli.common import console, friendly_errors
from hopnhat.i18n import tr
from hopnhat.repair import RepairReport, repair_file
from hopnhat.repair.columns import describe_problem

_MAX_PROBLEMS = 50


def _columns_table(report: RepairReport) -> Table:
    table = Table(title=tr("Sửa mã theo từng cột", "Encoding repair per column"))
    table.add_column(tr("Cột", "Column"))
    table.add_column(tr("Bảng mã phát hiện", "Detected encoding"))
    table.add_column(tr("Độ tin cậy", "Confidence"), justify="right")
    table.add_column(tr("Ô đã sửa", "Cells changed"), justify="right")
    table.add_column(tr("Ô giữ nguyên (lỗi)", "Cells kept (errors)"), justify="right")
    for column in report.columns:
        d = column.detection
        table.add_row(column.column, d.encoding, f"{d.confidence:.2f}", str(column.changed), str(len(column.problems)))
    return table


def _print_problems(console: Console, report: RepairReport) -> None:
    problems = report.problems
    if not problems:
        return
    console.print(tr(f"[yellow]{len(problems)} ô không sửa được, đã giữ nguyên:[/]",
                     f"[yellow]{len(problems)} cells could not be repaired and were kept as they were:[/]"))
    for problem in problems[:_MAX_PROBLEMS]:
        console.print("  " + describe_problem(problem), markup=False)
    if len(problems) > _MAX_PROBLEMS:
        more = len(problems) - _MAX_PROBLEMS
        console.print(tr(f"  … và {more} ô khác", f"  … and {more} more"))


def _print_summary(console: Console, report: RepairReport) -> None:
    if report.copied:
        console.print(tr(f"Tệp đã sạch, chép nguyên vào {report.output}",
                         f"File already clean, copied unchanged to {report.output}"))
    else:
        console.print(tr(f"Đã sửa {report.changed} ô, ghi UTF-8 NFC vào {report.output}",
                         f"Repaired {report.changed} cells, wrote UTF-8 NFC to {report.output}"))


@friendly_errors
def repair(
    source: Path = typer.Argument(..., metavar="IN", help="Tệp vào / input file: .csv .tsv .txt .xlsx .xls (ghi ra / "
                                  "written as .xlsx) .json .ndjson"),
    output: Path = typer.Option(..., "--output", "-o", help="Tệp ra UTF-8 NFC / output file (UTF-8 NFC)"),
    strict: bool = typer.Option(False, "--strict", help="Thoát mã 1 nếu có ô không sửa được / exit 1 if any cell "
                                "could not be repaired"),
) -> None:
    """Sửa văn bản tiếng Việt mã cũ (TCVN3/ABC, VNI, Windows-1258, UTF-8 lỗi) sang UTF-8 NFC, từng cột.

    Repair legacy Vietnamese text (TCVN3/ABC, VNI, Windows-1258, broken UTF-8) into UTF-8 NFC, column by column:
    same rows, columns and order; only the encoding changes. A clean file is copied unchanged.

    Exit codes: 0 done; 1 with --strict, cells could not be repaired; 2 bad input (refused before any work, the
    output left untouched).
    """
    gc.disable()  # the cells make no reference cycles; the collector would walk every row list again and again
    try:
        report = repair_file(source, output, alone=True)  # this process does nothing else
    finally:
        gc.freeze()  # nor are the run's objects garbage later: no collection walks them again (at exit, a tenth of a s)
        gc.enable()
    console.print(_columns_table(report))
    _print_problems(console, report)
    _print_summary(console, report)
    if strict and report.problems:
        raise typer.Exit(1)
