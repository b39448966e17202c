"""``hopnhat repair IN --output OUT``: repair legacy Vietnamese encodings in one file.

Two ways in, one body (:func:`_run`): the Typer command :func:`repair` (help, errors of the command line, ``--lang``,
tests through ``CliRunner``), and :func:`direct`, which the console script may call first for a plain command line
(``repair IN -o OUT [--strict]``) so a run does not import Typer and Click (a tenth of a small file's run): anything
else — ``--help``, an unknown or missing option — it leaves to Typer.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from hopnhat.i18n import tr
from hopnhat.repair import RepairReport, repair_file
from hopnhat.repair.columns import describe_problem

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

_MAX_PROBLEMS = 50


def _columns_table(report: RepairReport) -> Table:
    from rich.table import Table

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


def _run(source: Path, output: Path, strict: bool, console: Console) -> int:
    """Repair one file and print the report: the exit code (0, or 1 with ``strict`` and cells kept)."""
    gc.disable()  # the cells make no reference cycles; the collector would walk every row list again and again
    try:
        report = repair_file(source, output, alone=True)  # this process does nothing else
    finally:
        gc.freeze()  # nor are the run's objects garbage later: no collection walks them again (at exit, a tenth of a s)
        gc.enable()
    console.print(_columns_table(report))
    _print_problems(console, report)
    _print_summary(console, report)
    return 1 if strict and report.problems else 0


def _command_line(argv: Sequence[str]) -> tuple[Path, Path, bool] | None:
    """``IN (--output|-o) OUT [--strict]`` in any order (``--output=OUT`` too); None for anything else."""
    paths: list[str] = []
    output: str | None = None
    strict = False
    words = iter(argv)
    for word in words:
        if word in ("--output", "-o") and output is None:
            output = next(words, None)
            if output is None:
                return None
        elif word.startswith("--output=") and output is None:
            output = word[len("--output="):]
        elif word == "--strict":
            strict = True
        elif word.startswith("-") or paths:
            return None  # --help, an unknown option, a second input, a value that looks like an option: Typer's
        else:
            paths.append(word)
    if not paths or not output or output.startswith("-"):
        return None
    return Path(paths[0]), Path(output), strict


def direct(argv: Sequence[str]) -> int | None:
    """Run ``hopnhat repair`` from the words after the noun without Typer: the exit code, or None when the command
    line is not a plain one (then Typer parses it, with its help and its errors). The output, the report and the
    exit codes are the Typer command's (``tests/repair/test_repair_cli.py`` runs both)."""
    parsed = _command_line(argv)
    if parsed is None:
        return None
    from rich.console import Console

    from hopnhat.errors import HopnhatError
    from hopnhat.i18n import set_language

    set_language(None)  # HOPNHAT_LANG, as the Typer app's callback sets it without --lang
    try:
        return _run(*parsed, Console())
    except KeyboardInterrupt:  # as Typer ends a command stopped with Ctrl-C: nothing shown, 130
        return 130
    except BrokenPipeError:  # the report piped into a reader that stopped (``| head``): quietly 1, as Typer does
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # the flush at exit writes nowhere
        return 1
    except HopnhatError as exc:
        from hopnhat.cli.common import EXIT_BAD_INPUT, show_error  # only on an error: it loads Typer

        show_error(exc)
        sys.stdout.flush()
        return EXIT_BAD_INPUT


def _typer_command() -> Callable[..., None]:
    import typer

    from hopnhat.cli.common import console, friendly_errors

    @friendly_errors
    def repair(
        source: Path = typer.Argument(..., metavar="IN",
                                      help="Tệp vào / input file: .csv .tsv .txt .xlsx .json .ndjson"),
        output: Path = typer.Option(..., "--output", "-o", help="Tệp ra UTF-8 NFC / output file (UTF-8 NFC)"),
        strict: bool = typer.Option(False, "--strict", help="Thoát mã 1 nếu có ô không sửa được / exit 1 if any "
                                    "cell could not be repaired"),
    ) -> None:
        """Sửa văn bản tiếng Việt mã cũ (TCVN3/ABC, VNI, Windows-1258, UTF-8 lỗi) sang UTF-8 NFC, từng cột.

        Repair legacy Vietnamese text (TCVN3/ABC, VNI, Windows-1258, broken UTF-8) into UTF-8 NFC, column by column:
        same rows, columns and order; only the encoding changes. A clean file is copied unchanged.

        Exit codes: 0 done; 1 with --strict, cells could not be repaired; 2 bad input (refused before any work, the
        output left untouched).
        """
        if _run(source, output, strict, console):
            raise typer.Exit(1)

    return repair


_COMMAND: list[Callable[..., None]] = []  # the Typer command, made on first use


def __getattr__(name: str) -> Callable[..., None]:
    """``repair``: the Typer command (what ``hopnhat.cli.main`` registers), made when first asked for, so that
    :func:`direct` runs without importing Typer."""
    if name != "repair":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    if not _COMMAND:
        _COMMAND.append(_typer_command())
    return _COMMAND[0]
