"""``hopnhat synth SCENARIO``: write a realistic legacy estate of a merged province pair, with its truth."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from hopnhat.errors import HopnhatError
from hopnhat.i18n import tr
from hopnhat.synth import DEFAULT_SCENARIO, SCENARIOS, SynthSettings, generate

console = Console(stderr=True)


def _progress_callback(progress: Progress) -> Callable[[str, int, int], None]:
    tasks: dict[str, TaskID] = {}

    def advance(task: str, total: int, step: int) -> None:
        if task not in tasks:
            tasks[task] = progress.add_task(task, total=total)
        progress.advance(tasks[task], step)

    return advance


def synth(
    scenario: str = typer.Argument(DEFAULT_SCENARIO, help=f"Cặp tỉnh sáp nhập / merged pair: {', '.join(SCENARIOS)}."),
    scale: float = typer.Option(0.001, "--scale", help="1.0 ≈ 1 triệu nhân khẩu, 850.000 hồ sơ TTHC / ~1 M persons."),
    seed: int = typer.Option(1, "--seed", help="Hạt giống ngẫu nhiên / random seed (same seed → same bytes)."),
    out: Path = typer.Option(Path("estate-out"), "--out", help="Thư mục kết quả / output folder."),
    dsn: str | None = typer.Option(None, "--dsn", help="PostgreSQL DSN cho CSDL dân cư / register database."),
) -> None:
    """Sinh hệ thống dữ liệu cũ có đáp án (generate a legacy estate with known truth)."""
    if scenario not in SCENARIOS:
        raise typer.BadParameter(tr(f"kịch bản không có: {scenario}", f"unknown scenario: {scenario}"))
    start = time.perf_counter()
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    try:
        with Progress(*columns, console=console, transient=False) as progress:
            result = generate(SynthSettings(scenario, scale, seed, out, dsn), _progress_callback(progress))
    except HopnhatError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc
    seconds = time.perf_counter() - start
    console.print(tr(f"Đã ghi {result.rows:,} dòng vào {out} trong {seconds:.1f} giây",
                     f"Wrote {result.rows:,} rows to {out} in {seconds:.1f} s"))
    console.print(tr(f"Tệp cấu hình: {out / 'merger.yaml'}", f"Merger file: {out / 'merger.yaml'}"))
