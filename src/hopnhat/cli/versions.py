"""``hopnhat store versions|rollback``: the published store versions a merger keeps, and switching back to one.

The web app follows the switch within ``version_check_s`` seconds (it opens the version, then swaps between
queries); the commands are added to the ``store`` group of :mod:`hopnhat.cli.migrate`."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from hopnhat.cli.common import console, friendly_errors
from hopnhat.cli.migrate import MERGER, store_app
from hopnhat.i18n import tr
from hopnhat.load.versions import next_path, rollback, versions
from hopnhat.project.config import load_project


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
