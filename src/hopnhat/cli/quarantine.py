"""``hopnhat quarantine list|export``: the rows the pipeline quarantined (source, table, row, column, value, reason),
shown or written to CSV/Excel to be fixed at the source before the next run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from hopnhat.cli.common import MERGER, console, friendly_errors
from hopnhat.cli.personal import MASK, MASK_PRINT, masked_rows, record_export, record_print, say_recorded
from hopnhat.i18n import tr
from hopnhat.io.outputs import check_output
from hopnhat.io.writers import ROW_FORMATS
from hopnhat.load.storedb import open_store
from hopnhat.project.config import Project, load_project

quarantine_app = typer.Typer(help="Dòng cách ly / quarantined rows.", no_args_is_help=True)


COLUMNS = ("src_source", "src_table", "src_row", "src_key", "column_name", "raw_value", "reason_code", "message")


def _quarantine_rows(project: Project, source: str | None,
                     reason: str | None) -> tuple[list[str], list[tuple[Any, ...]]]:
    """The quarantined rows, optionally of one source and one reason, read through the store's one read interface."""
    reader = open_store(project.store_path, timeout_ms=None)
    try:
        sql = (f"SELECT {', '.join(COLUMNS)} FROM quarantine "
               "WHERE (? IS NULL OR src_source = ?) AND (? IS NULL OR reason_code = ?) "
               "ORDER BY src_source, src_table, src_row")
        rows = reader.rows(sql, [source, source, reason, reason])
    finally:
        reader.close()
    return list(COLUMNS), [tuple(row[c] for c in COLUMNS) for row in rows]


@quarantine_app.command("list")
@friendly_errors
def quarantine_list(merger: Path = MERGER, source: str | None = typer.Option(None, help="Chỉ nguồn này."),
                    reason: str | None = typer.Option(None, help="Chỉ lý do này (reason code)."),
                    limit: int = typer.Option(50, help="Số dòng tối đa / max rows shown."),
                    mask: bool = MASK_PRINT) -> None:
    """Liệt kê dòng cách ly (nguồn, bảng, dòng, cột, giá trị, lý do; số giấy tờ bị che trừ khi --no-mask, khi đó
    việc in được ghi vào nhật ký kiểm toán)."""
    project = load_project(merger)
    header, rows = _quarantine_rows(project, source, reason)
    shown = rows[:limit]
    t = Table(title=tr(f"{len(rows):,} dòng cách ly", f"{len(rows):,} quarantined rows"))
    for h in header:
        t.add_column(h, overflow="fold")
    for r in masked_rows(header, shown) if mask else shown:
        t.add_row(*("" if v is None else str(v)[:80] for v in r))
    console.print(t)
    if not mask:
        console.print(say_recorded(record_print(project, "quarantine list", len(shown))))


@quarantine_app.command("export")
@friendly_errors
def quarantine_export(merger: Path = MERGER,
                      output: Path = typer.Option(..., "--output", "-o", help=".csv hoặc .xlsx"),
                      source: str | None = typer.Option(None, help="Chỉ nguồn này."), mask: bool = MASK) -> None:
    """Xuất dòng cách ly ra CSV hoặc Excel để sửa tại nguồn rồi chạy lại (số giấy tờ bị che trừ khi --no-mask; mỗi
    lần xuất được ghi vào nhật ký kiểm toán)."""
    from hopnhat.reconcile.export import write_rows

    project = load_project(merger)
    check_output(output, inputs=[merger, project.store_path], suffixes=ROW_FORMATS)
    header, rows = _quarantine_rows(project, source, None)
    write_rows(output, header, masked_rows(header, rows) if mask else rows, sheet=tr("Cách ly", "Quarantine"))
    seq = record_export(project, "quarantine export", output, len(rows), mask)
    console.print(tr(f"Đã ghi {len(rows):,} dòng vào {output}", f"Wrote {len(rows):,} rows to {output}"))
    console.print(say_recorded(seq))
