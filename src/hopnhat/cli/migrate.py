"""Pipeline commands: ``migrate``, ``reconcile``, ``store checksum``, ``publish``, ``quarantine list|export``,
``init``."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import typer
from rich.markup import escape
from rich.progress import TaskID
from rich.table import Table

from hopnhat.cli.common import EXIT_FAILED, console, err_console, friendly_errors, progress_bar, show_error
from hopnhat.errors import ConfigError
from hopnhat.i18n import tr
from hopnhat.io.outputs import check_output, write_bytes
from hopnhat.io.writers import ROW_FORMATS, json_bytes
from hopnhat.load.checksum import store_checksums
from hopnhat.load.store import connect
from hopnhat.load.storedb import open_store
from hopnhat.project.config import Project, load_project
from hopnhat.reconcile.books import Balance, books
from hopnhat.run.progress import Progress, TableCounts


def default_workers() -> int:
    """One worker per core, at most four (each holds the admin-unit indexes)."""
    return max(1, min(4, len(os.sched_getaffinity(0))))


MERGER = typer.Argument(..., help="Tệp dự án sáp nhập / merger project file (merger.yaml).", exists=False)


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


def balance_table(balances: list[Balance]) -> Table:
    t = Table(title=tr("Đối soát: đọc = nạp + gộp + cách ly", "Reconciliation: read = loaded + merged + quarantined"))
    for h in (tr("Nguồn", "Source"), tr("Bảng", "Table"), tr("Đọc", "Read"), tr("Nạp", "Loaded"),
              tr("Gộp", "Merged"), tr("Cách ly", "Quarantined"), tr("Cân đối", "Balanced")):
        t.add_column(h, justify="right" if h not in (tr("Nguồn", "Source"), tr("Bảng", "Table")) else "left")
    for b in balances:
        t.add_row(b.source, b.table, f"{b.read:,}", f"{b.loaded:,}", f"{b.merged:,}", f"{b.quarantined:,}",
                  "[green]✔[/]" if b.balanced else f"[red]✘{' ' + tr('lỗi nạp', 'load failed') if b.error else ''}[/]")
    return t


def print_failures(balances: list[Balance]) -> None:
    """Each table whose last load failed, named with its error (kept in the store's ``table_failures``)."""
    for b in balances:
        if b.error:
            err_console.print(f"[red]{b.source}/{b.table}: {tr('nạp thất bại', 'load failed')}:[/] {escape(b.error)}",
                              highlight=False)


@friendly_errors
def migrate(merger: Path = MERGER,
            fresh: bool = typer.Option(False, "--fresh", help="Nạp lại mọi bảng / reload every table."),
            link: bool = typer.Option(True, "--link/--no-link", help="Chạy liên kết bản ghi / run linkage."),
            workers: int = typer.Option(default_workers(), "--workers", min=1,
                                        help="Số bảng nạp song song / tables loaded side by side.")) -> None:
    """Di chuyển dữ liệu: nạp → sửa mã → ánh xạ → quy đổi đơn vị → liên kết → đối soát (resumable)."""
    from hopnhat.ingest.preflight import preflight
    from hopnhat.link.spark_session import SparkFailure
    from hopnhat.run.runner import migrate as run_migrate

    project = load_project(merger)
    preflight(project)  # every source file, header key and the store's place, before any work
    try:
        with RichProgress() as progress:
            result = run_migrate(project, fresh=fresh, progress=progress, link=link, workers=workers,
                                 lookup_index=True)
    except SparkFailure as exc:  # the run failed (recorded in its state), not the input: exit 1
        show_error(exc)
        raise typer.Exit(EXIT_FAILED) from exc
    if result.review_decisions:
        console.print(tr(f"Đã áp dụng {result.review_decisions:,} quyết định rà soát từ ứng dụng web.",
                         f"Applied {result.review_decisions:,} review decisions made in the web app."))
    console.print(balance_table(result.balances))
    print_failures(result.balances)
    console.print(tr(f"Kho hợp nhất: {project.store_path} (phiên bản {result.version})",
                     f"Unified store: {project.store_path} (version {result.version})"))
    console.print(tr(f"Báo cáo: {result.folder / 'reconcile.html'}", f"Report: {result.folder / 'reconcile.html'}"))
    if not result.balanced:
        err_console.print(tr("[red]Sổ sách không cân đối.[/]", "[red]The books do not balance.[/]"))
        raise typer.Exit(1)


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
    print_failures(balances)
    if json_out:
        payload = [b.as_dict() for b in balances]
        write_bytes(json_out, json_bytes(payload, indent=1, where=str(json_out)), inputs=[merger, project.store_path])
    if not all(b.balanced for b in balances):
        raise typer.Exit(1)


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


quarantine_app = typer.Typer(help="Dòng cách ly / quarantined rows.", no_args_is_help=True)


def _quarantine_rows(project: Project, source: str | None,
                     reason: str | None) -> tuple[list[str], list[tuple[Any, ...]]]:
    con = connect(project.store_path, read_only=True)
    try:
        sql = ("SELECT src_source, src_table, src_row, src_key, column_name, raw_value, reason_code, message "
               "FROM quarantine WHERE (? IS NULL OR src_source = ?) AND (? IS NULL OR reason_code = ?) "
               "ORDER BY src_source, src_table, src_row")
        cur = con.execute(sql, [source, source, reason, reason])
        return [d[0] for d in cur.description], cur.fetchall()
    finally:
        con.close()


@quarantine_app.command("list")
@friendly_errors
def quarantine_list(merger: Path = MERGER, source: str | None = typer.Option(None, help="Chỉ nguồn này."),
                    reason: str | None = typer.Option(None, help="Chỉ lý do này (reason code)."),
                    limit: int = typer.Option(50, help="Số dòng tối đa / max rows shown.")) -> None:
    """Liệt kê dòng cách ly (nguồn, bảng, dòng, cột, giá trị, lý do)."""
    header, rows = _quarantine_rows(load_project(merger), source, reason)
    t = Table(title=tr(f"{len(rows):,} dòng cách ly", f"{len(rows):,} quarantined rows"))
    for h in header:
        t.add_column(h, overflow="fold")
    for r in rows[:limit]:
        t.add_row(*("" if v is None else str(v)[:80] for v in r))
    console.print(t)


@quarantine_app.command("export")
@friendly_errors
def quarantine_export(merger: Path = MERGER,
                      output: Path = typer.Option(..., "--output", "-o", help=".csv hoặc .xlsx"),
                      source: str | None = typer.Option(None, help="Chỉ nguồn này.")) -> None:
    """Xuất dòng cách ly ra CSV hoặc Excel để sửa tại nguồn rồi chạy lại."""
    from hopnhat.reconcile.export import write_rows

    project = load_project(merger)
    check_output(output, inputs=[merger, project.store_path], suffixes=ROW_FORMATS)
    header, rows = _quarantine_rows(project, source, None)
    write_rows(output, header, rows, sheet=tr("Cách ly", "Quarantine"))
    console.print(tr(f"Đã ghi {len(rows):,} dòng vào {output}", f"Wrote {len(rows):,} rows to {output}"))


@friendly_errors
def init(output: Path = typer.Argument(Path("merger.yaml"), help="Tệp sẽ tạo / file to write."),
         force: bool = typer.Option(False, "--force", help="Ghi đè / overwrite.")) -> None:
    """Tạo tệp dự án sáp nhập mẫu có chú thích / write a commented starting merger file."""
    from hopnhat.project.template import TEMPLATE

    if output.exists() and not force:
        raise ConfigError("file exists (use --force to overwrite)", source=str(output))
    output.write_text(TEMPLATE, encoding="utf-8")
    console.print(tr(f"Đã tạo {output}. Sửa rồi chạy: hopnhat migrate {output}",
                     f"Wrote {output}. Edit it, then run: hopnhat migrate {output}"))
