"""``hopnhat files take|books|verify MERGER.yaml``: the files records reference, stored once and verified.

``take`` reads each source's manifest (``files.folders`` / ``files.manifests`` in the merger file) into the
content-addressed store beside the unified store; ``books`` shows per source referenced = stored + duplicate +
quarantined, with bytes; ``verify`` re-hashes every stored content and exits 1 when one changed or vanished.
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from hopnhat.cli.common import EXIT_FAILED, console, friendly_errors
from hopnhat.files.ledger import Ledger
from hopnhat.files.project import open_files, take_manifests
from hopnhat.files.shelf import IdentityRule
from hopnhat.files.verify import verify
from hopnhat.i18n import tr
from hopnhat.project.config import Project, load_project

app = typer.Typer(help="Tệp đính kèm của hồ sơ: lưu một lần theo nội dung, sổ sách, kiểm tra lại "
                       "(files records reference: stored once by content, books, verification).",
                  no_args_is_help=True)
MERGER = typer.Argument(..., help="merger.yaml")


def _mb(size: int) -> str:
    return f"{size / 1e6:,.1f} MB"


def _books(ledger: Ledger) -> bool:
    table = Table(tr("Nguồn", "Source"), tr("Được tham chiếu", "Referenced"), tr("Đã lưu", "Stored"),
                  tr("Trùng", "Duplicate"), tr("Cách ly", "Quarantined"), tr("Khớp", "Balanced"))
    books = ledger.books()
    for b in books:
        table.add_row(b.source, f"{b.referenced} ({_mb(b.referenced_bytes)})", f"{b.stored} ({_mb(b.stored_bytes)})",
                      f"{b.duplicate} ({_mb(b.duplicate_bytes)})", f"{b.quarantined} ({_mb(b.quarantined_bytes)})",
                      "✔" if b.balanced else "✘")
    console.print(table)
    for source, tbl, row, col, path, reason in ledger.quarantine():
        console.print(escape(f"  {tr('cách ly', 'quarantined')}: {source}.{tbl} {tr('dòng', 'row')} {row} "
                             f"{tr('cột', 'column')} {col}: {path} — {reason}"), highlight=False)
    return all(b.balanced for b in books)


def _identity_by_name(project: Project, ledger: Ledger) -> None:
    """Warn of the files taken for identity scans by their names alone (the merger file should declare them)."""
    refs = ledger.db.execute("SELECT source, tbl, col, original_path, name_repaired FROM file_ref "
                             "WHERE outcome <> 'quarantined'")
    for (source, table, column), count in sorted(IdentityRule.of(project.config.files).named_only(refs).items()):
        console.print(escape(tr(f"  cảnh báo: {count} tệp của {source}.{table} cột {column} được coi là ảnh giấy tờ "
                                f"tùy thân chỉ vì tên; hãy khai báo trong files.identity_scans",
                                f"  warning: {count} files of {source}.{table} column {column} are taken for "
                                f"identity scans by their names alone; declare them in files.identity_scans")),
                      highlight=False)


@app.command("take")
@friendly_errors
def take(merger: Path = MERGER) -> None:
    """Đọc tệp của từng nguồn (theo danh mục) vào kho tệp; chạy lại an toàn, làm tiếp chỗ dừng."""
    project = load_project(merger)
    outcome = take_manifests(project)
    for source, done in outcome.done.items():
        console.print(tr(f"{source}: lưu {done['stored']}, trùng {done['duplicate']}, cách ly "
                         f"{done['quarantined']}, đã có từ trước {done['skipped']}",
                         f"{source}: stored {done['stored']}, duplicate {done['duplicate']}, quarantined "
                         f"{done['quarantined']}, already done {done['skipped']}"))
    _, ledger = open_files(project)
    _identity_by_name(project, ledger)
    _books_or_fail(ledger)


def _books_or_fail(ledger: Ledger) -> None:
    """Print the books and close the ledger; exit 1 when a source's books do not balance."""
    try:
        balanced = _books(ledger)
    finally:
        ledger.close()
    if not balanced:
        raise typer.Exit(EXIT_FAILED)


@app.command("books")
@friendly_errors
def books(merger: Path = MERGER) -> None:
    """Sổ sách tệp theo nguồn: được tham chiếu = đã lưu + trùng + cách ly (số tệp và dung lượng)."""
    project = load_project(merger)
    store, ledger = open_files(project)
    _identity_by_name(project, ledger)
    _books_or_fail(ledger)


@app.command("verify")
@friendly_errors
def verify_cmd(merger: Path = MERGER) -> None:
    """Băm lại toàn bộ kho tệp; mã thoát 1 nếu có tệp bị đổi hoặc biến mất."""
    store, ledger = open_files(load_project(merger))
    try:
        result = verify(store, ledger)
    finally:
        ledger.close()
    for sha in result.changed:
        console.print(tr(f"ĐÃ BỊ ĐỔI: {sha} ({store.where(sha)})", f"CHANGED: {sha} ({store.where(sha)})"))
    for sha in result.vanished:
        console.print(tr(f"BIẾN MẤT: {sha} ({store.where(sha)})", f"VANISHED: {sha} ({store.where(sha)})"))
    console.print(tr(f"Đã kiểm {result.checked} tệp ({_mb(result.checked_bytes)}): {len(result.changed)} bị đổi, "
                     f"{len(result.vanished)} biến mất.",
                     f"Checked {result.checked} files ({_mb(result.checked_bytes)}): {len(result.changed)} changed, "
                     f"{len(result.vanished)} vanished."))
    if not result.ok:
        raise typer.Exit(EXIT_FAILED)
