"""What every CLI command shares: the console, the error display, progress bars.

Exit codes (the same for every command, documented in README and ``hopnhat --help``): 0 done; 1 the run failed or
found what it checks for (``--strict`` problems, books that do not balance); 2 bad input — a file, option or merger
file was refused before any work, with what, where, why and what to do.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from hopnhat.errors import HopnhatError
from hopnhat.i18n import tr

if TYPE_CHECKING:
    from rich.progress import Progress

    from hopnhat.project.config import Project

console = Console()
err_console = Console(stderr=True)

F = TypeVar("F", bound=Callable[..., Any])


EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2

MERGER = typer.Argument(..., help="Tệp dự án sáp nhập / merger project file (merger.yaml).", exists=False)


def say_skipped(rows: int, indent: str = "") -> None:
    """Say how many rows of an input were neither its column names nor records (a title block, a second header row,
    column numbers), when there were any."""
    if rows:
        console.print(indent + tr(f"Bỏ qua {rows} dòng không phải tên cột hay dữ liệu (tiêu đề, quốc hiệu, dòng tên "
                                  "cột thứ hai dưới ô gộp, dòng đánh số cột).",
                                  f"Skipped {rows} rows that are neither column names nor records (title, national "
                                  "motto, the second header row under merged cells, column numbers)."))


def show_error(exc: HopnhatError) -> None:
    """One error in the one format: what, where (file, row, column, key), why, what to do."""
    err_console.print(f"[bold red]{tr('Lỗi', 'Error')}:[/] {escape(exc.render())}", highlight=False, soft_wrap=True)


def friendly_errors(func: F) -> F:
    """Show a HopnhatError in the one message format and exit with code 2 (bad input)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except HopnhatError as exc:
            show_error(exc)
            raise typer.Exit(EXIT_BAD_INPUT) from exc

    return wrapper  # type: ignore[return-value]


def check_before_run(project: Project) -> None:
    """Before a run opens the store: every source file, header key and the store's place
    (:func:`hopnhat.ingest.preflight.preflight`), then every ``cursor:`` column against its database (present,
    orderable, the key's columns there) — a misnamed cursor refuses the run before any table is loaded, not when
    its table's turn comes. An export declaring another count than it holds is reported here (the run loads what
    is there, and its books' finding ends it non-zero)."""
    from hopnhat.ingest.preflight import declared_notices, preflight
    from hopnhat.load.cursor import cursor_columns_problems

    preflight(project)
    problems = cursor_columns_problems(project)
    if problems:
        raise problems[0]
    for notice in declared_notices(project):
        err_console.print(f"[yellow]{tr('Trước khi chạy', 'Before the run')}:[/] {escape(notice)}", highlight=False,
                          soft_wrap=True)


def progress_bar() -> Progress:
    """A Rich progress bar for long work (disabled automatically when output is not a terminal); Rich's progress
    module is loaded here, so commands without a bar (``hopnhat repair``) start without it."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err_console,
        transient=False,
    )
