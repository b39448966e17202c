"""``hopnhat synth SCENARIO``: write a realistic legacy estate of a merged province pair, with its truth;
``--days N`` then keeps its legacy systems live for N more days (:mod:`hopnhat.synth.evolve`).

Why an option and not an ``evolve`` command: the estate is one thing, named by its folder; ``--days`` continues the
estate in ``--out`` from the day it reached (or generates it first when the folder has none), so the same command
line, run again, moves the same estate on — and one noun keeps one ``--help``."""

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
    days: int = typer.Option(0, "--days", min=0, help=tr(
        "Cho hệ thống cũ chạy tiếp N ngày (hồ sơ mới, đổi trạng thái, đính chính tên/số giấy tờ, xóa, lô hộ tịch "
        "số hóa muộn), ghi vào chính các nguồn cũ và ghi đáp án thay đổi vào truth/; tiếp tục dữ liệu có sẵn trong "
        "--out.", "Keep the legacy systems live for N more days (new dossiers, status changes, name/ID "
        "corrections, deletions, a late batch of scanned civil-status records), written into the same sources, "
        "the truth of the changes in truth/; continues the estate already in --out.")),
    cursor: bool = typer.Option(False, "--cursor", help=tr(
        "Ghi merger.yaml để lần chạy delta chỉ đọc các sự kiện hộ tịch có ngay_cap_nhat mới hơn lần nạp trước "
        "(cột con trỏ); không có tác dụng khi --days tiếp tục dữ liệu có sẵn.",
        "Write merger.yaml so that a delta run reads only the civil-status events whose ngay_cap_nhat is past the "
        "last load (a cursor column); no effect when --days continues an existing estate.")),
) -> None:
    """Sinh hệ thống dữ liệu cũ có đáp án (generate a legacy estate with known truth)."""
    if scenario not in SCENARIOS:
        raise typer.BadParameter(tr(f"kịch bản không có: {scenario}", f"unknown scenario: {scenario}"))
    start = time.perf_counter()
    if days and (out / "truth" / "summary.json").exists():
        _evolve(out, days, start)
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    try:
        with Progress(*columns, console=console, transient=False) as progress:
            result = generate(SynthSettings(scenario, scale, seed, out, dsn, cursor), _progress_callback(progress))
    except HopnhatError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc
    seconds = time.perf_counter() - start
    console.print(tr(f"Đã ghi {result.rows:,} dòng vào {out} trong {seconds:.1f} giây",
                     f"Wrote {result.rows:,} rows to {out} in {seconds:.1f} s"))
    console.print(tr(f"Tệp cấu hình: {out / 'merger.yaml'}", f"Merger file: {out / 'merger.yaml'}"))
    if days:
        _evolve(out, days, time.perf_counter())


def _evolve(out: Path, days: int, start: float) -> None:
    from hopnhat.synth.evolve import evolve

    try:
        result = evolve(out, days)
    except HopnhatError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc
    counts: dict[str, int] = {}
    for c in result.changes:
        counts[c.op] = counts.get(c.op, 0) + 1
    seconds = time.perf_counter() - start
    console.print(tr(f"Ngày {result.first_day}–{result.last_day}: thêm {counts.get('insert', 0):,}, sửa "
                     f"{counts.get('update', 0):,}, xóa {counts.get('delete', 0):,} dòng nguồn ({seconds:.1f} giây)",
                     f"Days {result.first_day}–{result.last_day}: {counts.get('insert', 0):,} inserted, "
                     f"{counts.get('update', 0):,} updated, {counts.get('delete', 0):,} deleted source rows "
                     f"({seconds:.1f} s)"))
    console.print(tr(f"Đáp án thay đổi: {out / 'truth' / 'changes.csv'}",
                     f"Truth of the changes: {out / 'truth' / 'changes.csv'}"))
