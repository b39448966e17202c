"""``hopnhat reconcile``: the books per source table (read = loaded + merged + quarantined, checksums, failed loads,
the export's declared count against the rows read) and each table's last load (delta: read = unchanged + inserted +
updated + merged + quarantined, deleted apart; or a full reload and why) as tables and optionally JSON; exit code 0
only when every table balances and no declared count differs unacknowledged. The tables are shared with
``migrate``."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from hopnhat.cli.common import MERGER, console, err_console, friendly_errors
from hopnhat.i18n import tr
from hopnhat.io.outputs import check_output, write_bytes
from hopnhat.io.writers import json_bytes
from hopnhat.load.store import connect
from hopnhat.project.config import load_project
from hopnhat.reconcile.books import Balance, books
from hopnhat.reconcile.declared import DeclaredCheck
from hopnhat.reconcile.report import load_mode


def balance_table(balances: list[Balance]) -> Table:
    t = Table(title=tr("Đối soát: đọc = nạp + gộp + cách ly", "Reconciliation: read = loaded + merged + quarantined"))
    declaring = any(b.declared is not None for b in balances)
    heads = [tr("Nguồn", "Source"), tr("Bảng", "Table"), tr("Đọc", "Read"), tr("Nạp", "Loaded"), tr("Gộp", "Merged"),
             tr("Cách ly", "Quarantined"), tr("Cân đối", "Balanced")]
    for h in [*heads, *([tr("Tệp khai báo", "Declared")] if declaring else [])]:
        t.add_column(h, justify="right" if h not in heads[:2] else "left",
                     overflow="fold")  # on a narrow terminal a name wraps, never "…" (four nhan_khau_… looked alike)
    for b in balances:
        cells = [b.source, b.table, f"{b.read:,}", f"{b.loaded:,}", f"{b.merged:,}", f"{b.quarantined:,}",
                 "[green]✔[/]" if b.balanced else f"[red]✘{' ' + tr('lỗi nạp', 'load failed') if b.error else ''}[/]"]
        t.add_row(*cells, *([declared_cell(b.declared)] if declaring else []))
    return t


def declared_cell(check: DeclaredCheck | None) -> str:
    """The declared count as the books table shows it: ✔ when it matches, ✘ and the gap when not (a finding),
    'accepted' when the merger file acknowledges the gap."""
    if check is None:
        return ""
    if check.declared is None:
        return f"[red]✘ {tr('không đọc được', 'not read')}[/]"
    gap = check.read - check.declared
    if check.status == "ok":
        return f"[green]{check.declared:,} ✔[/]"
    mark = f"{gap:+,}"
    if check.status == "paged":
        mark += tr(f" (trang {check.page or '?'}/{check.pages})", f" (page {check.page or '?'} of {check.pages})")
    if check.accepted is not None:
        return f"[yellow]{check.declared:,} ({mark}, {tr('đã chấp nhận', 'accepted')})[/]"
    return f"[red]{check.declared:,} ✘ {escape(mark)}[/]"


def print_declared(balances: list[Balance]) -> None:
    """Each table whose export declares another count than was read: the finding in words (and its
    acknowledgement when the merger file gives one)."""
    for b in balances:
        c = b.declared
        if c is None or c.status == "ok":
            continue
        if c.accepted is not None:
            console.print(f"[yellow]{b.source}/{b.table}:[/] {escape(c.words())} — "
                          f"{tr('đã chấp nhận', 'accepted')}: {escape(c.accepted)}", highlight=False, soft_wrap=True)
        else:
            err_console.print(f"[red]{b.source}/{b.table}:[/] {escape(c.words())}", highlight=False, soft_wrap=True)


def loads_table(balances: list[Balance], run_id: str | None = None) -> Table:
    """Each table's last load (in ``run_id`` when given: the others were unchanged, skipped)."""
    t = Table(title=tr("Lượt nạp: đọc = không đổi + thêm mới + cập nhật + gộp + cách ly (xóa tính riêng)",
                       "Loads: read = unchanged + inserted + updated + merged + quarantined (deleted apart)"))
    t.add_column(tr("Bảng", "Table"), overflow="fold")
    t.add_column(tr("Cách nạp", "Load"), overflow="fold")
    for h in (tr("Đọc", "Read"), tr("Không đổi", "Unchanged"), tr("Thêm mới", "Inserted"), tr("Cập nhật", "Updated"),
              tr("Gộp", "Merged"), tr("Cách ly", "Quarantined"), tr("Đã xóa", "Deleted")):
        t.add_column(h, justify="right")
    for b in balances:
        d = b.last_load
        shown = d is not None and (run_id is None or d.run_id == run_id)
        cells = [f"{n:,}" for n in (d.read, d.unchanged, d.inserted, d.updated, d.merged, d.quarantined, d.deleted)
                 ] if d is not None and shown else [""] * 7
        t.add_row(f"{b.source}/{b.table}", escape(load_mode(d, run_id)), *cells)
    return t


def print_failures(balances: list[Balance]) -> None:
    """Each table whose last load failed, named with its error (kept in the store's ``table_failures``)."""
    for b in balances:
        if b.error:
            err_console.print(f"[red]{b.source}/{b.table}: {tr('nạp thất bại', 'load failed')}:[/] {escape(b.error)}",
                              highlight=False)


@friendly_errors
def reconcile(merger: Path = MERGER,
              json_out: Path | None = typer.Option(None, "--json", help="Ghi kết quả JSON / write JSON here.")) -> None:
    """Đối soát từng bảng nguồn: đọc = nạp + gộp + cách ly; mã thoát 0 chỉ khi mọi bảng cân đối."""
    project = load_project(merger)
    if json_out:
        check_output(json_out, inputs=[merger, project.store_path], suffixes={".json"})
    con = connect(project.store_path, read_only=True)
    try:
        balances = books(con, project)
    finally:
        con.close()
    console.print(balance_table(balances))
    console.print(loads_table(balances))
    print_failures(balances)
    print_declared(balances)
    if json_out:
        payload = [b.as_dict() for b in balances]
        write_bytes(json_out, json_bytes(payload, indent=1, where=str(json_out)), inputs=[merger, project.store_path])
    if not all(b.balanced for b in balances) or any(b.declared and b.declared.finding for b in balances):
        raise typer.Exit(1)
