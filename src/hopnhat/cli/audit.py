"""``hopnhat audit verify|purge MERGER.yaml``: check the web app's hash-chained audit log; drop entries past the
retention (never younger than 365 days)."""

from __future__ import annotations

from pathlib import Path

import typer

from hopnhat.cli.common import console, err_console, friendly_errors
from hopnhat.i18n import tr
from hopnhat.project.config import load_project

app = typer.Typer(help=tr("Nhật ký truy cập (chuỗi băm).", "The audit log (hash chain)."), no_args_is_help=True)
MERGER = typer.Argument(..., help=tr("Tệp dự án sáp nhập (merger.yaml).", "Merger project file (merger.yaml)."))


def _db(merger: Path):  # type: ignore[no-untyped-def]
    from hopnhat.errors import InputError
    from hopnhat.serve.appdb import AppDB

    project = load_project(merger)
    if not project.app_db_path.exists():
        raise InputError("no app database yet (the web app has not run)", source=str(project.app_db_path))
    return AppDB(project.app_db_path)


@app.command("verify")
@friendly_errors
def verify(merger: Path = MERGER) -> None:
    """Kiểm tra toàn vẹn nhật ký; mã thoát 1 và mục hỏng đầu tiên khi chuỗi bị sửa/xóa."""
    from hopnhat.serve.audit import verify as check

    verdict = check(_db(merger))
    if verdict.ok:
        console.print(tr(f"Nhật ký toàn vẹn: {verdict.entries} mục, đầu chuỗi {verdict.head_hash}",
                         f"Audit log intact: {verdict.entries} entries, head {verdict.head_hash}"))
        return
    err_console.print(tr(f"[red]Nhật ký bị thay đổi tại mục seq={verdict.first_bad}[/]: {verdict.problem}",
                         f"[red]Audit log broken at entry seq={verdict.first_bad}[/]: {verdict.problem}"))
    raise typer.Exit(1)


@app.command("purge")
@friendly_errors
def purge(merger: Path = MERGER,
          older_than_days: int = typer.Option(365, "--older-than-days", min=365, help=tr(
              "Xóa mục cũ hơn số ngày này (tối thiểu 365).", "Drop entries older than this (at least 365)."))) -> None:
    """Xóa mục quá thời hạn lưu (≥ 12 tháng), giữ mốc để chuỗi vẫn kiểm tra được."""
    from hopnhat.serve.audit import purge as drop

    n = drop(_db(merger), older_than_days)
    console.print(tr(f"Đã xóa {n} mục cũ hơn {older_than_days} ngày", f"Dropped {n} entries older than "
                                                                       f"{older_than_days} days"))
