"""``hopnhat migrate``: a resumable run of the pipeline (ingest → repair → map → units → link → load → reconcile) with
a progress bar per table and the books at the end."""

from __future__ import annotations

import os
from pathlib import Path

import typer
from rich.markup import escape
from rich.progress import TaskID

from hopnhat.cli.common import (
    EXIT_FAILED,
    MERGER,
    check_before_run,
    console,
    err_console,
    friendly_errors,
    progress_bar,
    show_error,
)
from hopnhat.cli.declared import record_acknowledgement
from hopnhat.cli.reconcile import balance_table, loads_table, print_declared, print_failures
from hopnhat.i18n import tr
from hopnhat.project.config import load_project
from hopnhat.run.progress import Progress, TableCounts


def default_workers() -> int:
    """One worker per core, at most four (each holds the admin-unit indexes)."""
    return max(1, min(4, len(os.sched_getaffinity(0))))


class RichProgress(Progress):
    """Per-table progress bars (rows read) and a line per stage."""

    def __init__(self) -> None:
        self.bar = progress_bar()
        self.task: TaskID | None = None

    def __enter__(self) -> RichProgress:
        self.bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.bar.stop()

    def table_started(self, source: str, table: str) -> None:
        self.task = self.bar.add_task(f"{source}/{table}", total=None)

    def rows(self, n: int) -> None:
        if self.task is not None:
            self.bar.advance(self.task, n)

    def table_done(self, counts: TableCounts) -> None:
        if self.task is not None:
            self.bar.update(self.task, total=counts.read, completed=counts.read,
                            description=f"{counts.source}/{counts.table} ✔")

    def table_failed(self, source: str, table: str, error: str) -> None:
        if self.task is not None:
            self.bar.update(self.task, description=f"{source}/{table} ✘")
        self.bar.console.print(f"[red]  {source}/{table}: {tr('nạp thất bại', 'load failed')}: {escape(error)}[/]")

    def table_skipped(self, source: str, table: str) -> None:
        self.bar.console.print(tr(f"  {source}/{table}: không đổi từ lần chạy trước, bỏ qua",
                                  f"  {source}/{table}: unchanged since the last run, skipped"))

    def stage(self, name: str) -> None:
        labels = {"link": tr("Liên kết bản ghi (Splink)…", "Linking records (Splink)…"),
                  "reconcile": tr("Đối soát…", "Reconciling…"),
                  "index": tr("Lập chỉ mục tra cứu cho ứng dụng web…", "Building the web app's lookup index…")}
        self.bar.console.print(labels.get(name, name))


@friendly_errors
def migrate(merger: Path = MERGER,
            fresh: bool = typer.Option(False, "--fresh", help="Nạp lại toàn bộ mọi bảng, đọc mọi dòng (mặc định: chỉ "
                                       "phần thay đổi; bảng có 'cursor:' chỉ đọc dòng từ mốc lần nạp trước — dòng "
                                       "sửa mà không đổi cột con trỏ chỉ --fresh mới thấy) / reload every table whole, "
                                       "reading every row (default: only what changed, a delta; a table with "
                                       "'cursor:' reads only rows at or past the last load's mark — a row changed "
                                       "without its cursor moving is seen only with --fresh)."),
            link: bool = typer.Option(True, "--link/--no-link", help="Chạy liên kết bản ghi / run linkage."),
            workers: int = typer.Option(default_workers(), "--workers", min=1,
                                        help="Số bảng nạp song song / tables loaded side by side."),
            priority: str | None = typer.Option(None, "--priority", help="auto | background | normal (mặc định "
                                                "run.priority / default run.priority): background = SCHED_IDLE + I/O "
                                                "idle: ứng dụng web vẫn nhanh / the web app stays fast.")) -> None:
    """Di chuyển dữ liệu: nạp → sửa mã → ánh xạ → quy đổi đơn vị → liên kết → đối soát (resumable)."""
    from hopnhat.link.spark_session import SparkFailure
    from hopnhat.run.priority import PRIORITIES
    from hopnhat.run.runner import migrate as run_migrate

    if priority is not None and priority not in PRIORITIES:
        raise typer.BadParameter(f"{priority!r}: auto, background or normal", param_hint="--priority")
    project = load_project(merger)
    check_before_run(project)  # every source file, header key, cursor column and the store's place, before any work
    try:
        with RichProgress() as progress:
            result = run_migrate(project, fresh=fresh, progress=progress, link=link, workers=workers,
                                 lookup_index=True, priority=priority)
    except SparkFailure as exc:  # the run failed (recorded in its state), not the input: exit 1
        show_error(exc)
        raise typer.Exit(EXIT_FAILED) from exc
    if result.review_decisions:
        console.print(tr(f"Đã áp dụng {result.review_decisions:,} quyết định rà soát từ ứng dụng web.",
                         f"Applied {result.review_decisions:,} review decisions made in the web app."))
    console.print(balance_table(result.balances))
    console.print(loads_table(result.balances, result.run_id))
    print_failures(result.balances)
    print_declared(result.balances)
    for b in result.balances:
        if b.declared is not None and b.declared.status != "ok" and b.declared.accepted is not None:
            seq = record_acknowledgement(project, b.declared, result.run_id)
            console.print(tr(f"  {b.source}/{b.table}: chấp nhận đã ghi vào nhật ký kiểm toán (mục #{seq})",
                             f"  {b.source}/{b.table}: acknowledgement recorded in the audit log (entry #{seq})"))
    console.print(tr(f"Kho hợp nhất: {project.store_path} (phiên bản {result.version})",
                     f"Unified store: {project.store_path} (version {result.version})"))
    console.print(tr(f"Báo cáo: {result.folder / 'reconcile.html'}", f"Report: {result.folder / 'reconcile.html'}"))
    if not result.balanced:
        err_console.print(tr("[red]Sổ sách không cân đối.[/]", "[red]The books do not balance.[/]"))
        raise typer.Exit(1)
    if result.short:
        err_console.print(tr(
            f"[red]{len(result.short)} bảng có số bản ghi khác với số tệp xuất khai báo.[/] Xin bản xuất đầy đủ, "
            "hoặc nếu chênh lệch là đúng, ghi 'accept_short: {declared: …, read: …, reason: …}' cho bảng đó "
            "trong merger.yaml.",
            f"[red]{len(result.short)} table(s) hold another number of records than their export declares.[/] Get "
            "the full export, or if the difference is right, write 'accept_short: {declared: …, read: …, reason: "
            "…}' for that table in merger.yaml."))
        raise typer.Exit(1)
