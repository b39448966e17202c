"""``hopnhat store checksum|versions|rollback`` and ``hopnhat publish``: the unified store — an order-free checksum
per table (to compare two stores), the published versions a merger keeps and switching back to one, and copying the
DuckDB store to PostgreSQL.

The web app follows a rollback within ``version_check_s`` seconds (it opens the version, then swaps between
queries)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from hopnhat.cli.common import MERGER, console, friendly_errors, progress_bar
from hopnhat.i18n import tr
from hopnhat.load.checksum import store_checksums
from hopnhat.load.storedb import open_store
from hopnhat.load.versions import next_path, rollback, versions
from hopnhat.project.config import load_project

store_app = typer.Typer(help="Kho hợp nhất / the unified store.", no_args_is_help=True)


@store_app.command("checksum")
@friendly_errors
def store_checksum(merger: Path = MERGER,
                   store: str | None = typer.Option(None, "--store", help="postgresql://… or a DuckDB path.")) -> None:
    """Một checksum không phụ thuộc thứ tự cho mỗi bảng hợp nhất (so sánh hai kho)."""
    project = load_project(merger)
    reader = open_store(store or project.store_path, timeout_ms=None)
    try:
        for table, (count, digest) in store_checksums(reader).items():
            typer.echo(f"{table}\t{count}\t{digest}")
    finally:
        reader.close()


@friendly_errors
def publish(merger: Path = MERGER,
            to: str = typer.Option(..., "--to", help="postgresql://user:pass@host:port/db")) -> None:
    """Sao chép kho DuckDB sang PostgreSQL (tạo lược đồ, COPY, chạy lại không nhân đôi)."""
    from hopnhat.load.publish import publish as do_publish

    project = load_project(merger)
    with progress_bar() as bar:
        task = bar.add_task(tr("Xuất bản", "Publishing"), total=None)
        done = do_publish(project.store_path, to, lambda name, rows: bar.advance(task, 1))
    console.print(tr(f"Đã sao chép {len(done)} bảng, {sum(p.rows for p in done):,} dòng.",
                     f"Copied {len(done)} tables, {sum(p.rows for p in done):,} rows."))


@store_app.command("versions")
@friendly_errors
def store_versions(merger: Path = MERGER) -> None:
    """Các phiên bản kho được giữ lại (để quay lui) và phiên bản đang phục vụ."""
    project = load_project(merger)
    table = Table(tr("Phiên bản", "Version"), tr("Ghi lúc", "Written"), tr("Dung lượng", "Size"),
                  tr("Đang phục vụ", "Served"))
    for v in versions(project.store_path):
        table.add_row(v.name, v.written.isoformat(timespec="seconds"), f"{v.size / 1e6:.1f} MB",
                      "✔" if v.current else "")
    console.print(table)
    if next_path(project.store_path).exists():
        console.print(tr("Có một phiên bản kế tiếp đang dựng dở (chạy lại hopnhat migrate để làm tiếp).",
                         "A next version is half-built (run hopnhat migrate again to finish it)."))


@store_app.command("rollback")
@friendly_errors
def store_rollback(merger: Path = MERGER,
                   to: str | None = typer.Option(None, "--to", help=tr("Phiên bản (v000003 hoặc 3); mặc định: bản "
                                                                      "trước bản đang phục vụ.",
                                                                      "Version (v000003 or 3); default: the one "
                                                                      "before the served one."))) -> None:
    """Quay kho về một phiên bản đã giữ lại; ứng dụng web chuyển theo ngay giữa hai yêu cầu."""
    project = load_project(merger)
    name = rollback(project.store_path, to)
    console.print(tr(f"Kho đang phục vụ phiên bản {name}.", f"The store now serves version {name}."))
