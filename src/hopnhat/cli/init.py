"""``hopnhat init``: write a commented starting merger file (merger.yaml), or draft one from a folder of legacy
exports (``--scan FOLDER``)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.markup import escape
from rich.table import Table

from hopnhat.cli.common import console, friendly_errors
from hopnhat.errors import ConfigError, InputError
from hopnhat.i18n import tr

if TYPE_CHECKING:
    from hopnhat.scan.api import Draft, FileScan
    from hopnhat.scan.guess import Guess


@friendly_errors
def init(output: Path = typer.Argument(Path("merger.yaml"), help="Tệp sẽ tạo / file to write."),
         force: bool = typer.Option(False, "--force", help="Ghi đè / overwrite."),
         scan: Path | None = typer.Option(None, "--scan", help="Thư mục các tệp xuất từ hệ thống cũ: soạn nháp "
                                          "merger.yaml từ chúng / a folder of legacy exports: draft merger.yaml "
                                          "from them."),
         rows: int = typer.Option(2000, "--rows", min=10, help="Số dòng mẫu mỗi bảng khi quét / rows sampled a "
                                  "table when scanning.")) -> None:
    """Tạo merger.yaml mẫu, hoặc soạn nháp từ thư mục dữ liệu (--scan) / a starting merger file, or a draft (--scan).

    --scan FOLDER: one source per system folder, kind from the content, header rows, encodings, maps_to and columns
    guessed from Vietnamese headers; every unsure guess marked '# kiểm tra:' / '# check:'."""
    if output.exists() and not force:
        raise ConfigError(tr("tệp đã có (dùng --force để ghi đè)", "file exists (use --force to overwrite)"),
                          source=str(output))
    if scan is not None:
        _scan(scan, output, rows)
        return
    from hopnhat.project.template import TEMPLATE

    output.write_text(TEMPLATE, encoding="utf-8")
    console.print(tr(f"Đã tạo {output}. Sửa rồi chạy: hopnhat migrate {output}",
                     f"Wrote {output}. Edit it, then run: hopnhat migrate {output}"))


def _scan(folder: Path, output: Path, rows: int) -> None:
    from hopnhat.cli.common import check_before_run
    from hopnhat.project.config import load_project
    from hopnhat.scan.api import scan

    if not folder.is_dir():
        raise InputError(tr("Không có thư mục để quét", "No folder to scan"), source=str(folder),
                         hint=tr("ghi đường dẫn thư mục chứa các tệp xuất", "name the folder holding the exports"))
    with console.status(tr(f"Đang quét {folder}…", f"Scanning {folder}…")):
        draft = scan(folder, output, rows)
    console.print(scan_table(draft))
    if not draft.sources:  # a merger file needs a source: nothing is written
        raise InputError(tr("Không nhận ra bảng dữ liệu nào trong thư mục", "No data table recognised in the folder"),
                         source=str(folder), reason=tr(f"{len(draft.files)} tệp, không bảng nào khớp một đối tượng",
                                                       f"{len(draft.files)} files, no table fits an entity"),
                         hint=tr("viết merger.yaml từ mẫu: hopnhat init", "write merger.yaml from the example: "
                                 "hopnhat init"))
    output.write_text(draft.text, encoding="utf-8")
    check_before_run(load_project(output))  # the draft loads and its files pass the run's checks
    _summary(draft, output)


def printable(text: str) -> str:
    from hopnhat.scan.render import printable as escaped

    return escaped(text)


def _encoding(guess: Guess) -> str:
    from hopnhat.scan.guess import encodings

    found = encodings(guess.sampled)
    if found.columns:
        return f"{found.encoding or '?'} + " + ", ".join(f"{c}: {e}" for c, e in found.columns.items())
    confidence = max((conf for e, conf in found.evidence.values() if e == found.encoding), default=None)
    return f"{found.encoding} ({confidence:.2f})" if found.encoding and confidence is not None else \
        (found.encoding or "—")


def _table_row(table: Table, draft: Draft, guess: Guess) -> None:
    sampled = guess.sampled
    source = next((s.name for s in draft.sources if guess in s.tables), None)
    where = f"{source}/{sampled.name}" if source and guess.maps_to else tr("(chưa ánh xạ)", "(not mapped)")
    mapped = len({c for m in guess.fields.values() for c in m.columns} | ({guess.source_key} - {None})
                 | set(guess.attachments))
    checks = guess.checks
    if sampled.file.resolve() in draft.lookups:
        where = f"{draft.lookups[sampled.file.resolve()]}: lookups.{sampled.name}"
    if guess.evidence:
        where, checks = f"evidence.{guess.evidence}", []
    table.add_row(escape(_short(draft, sampled.file) + (f" [{sampled.sheet or sampled.table or sampled.explode}]"
                                                        if sampled.sheet or sampled.table or sampled.explode else "")),
                  escape(where), sampled.kind, f"{sampled.rows:,}", guess.maps_to or "—",
                  f"{mapped} / {len(guess.unmapped)}", escape(printable(_encoding(guess))),
                  escape(printable("; ".join(checks))))


def _short(draft: Draft, path: Path) -> str:
    return path.resolve().relative_to(draft.root).as_posix()


def _skipped_rows(table: Table, draft: Draft, files: list[FileScan]) -> None:
    documents = Counter(_short(draft, f.found.path.parent) for f in files if f.found.document)
    for folder, count in documents.items():
        table.add_row(escape(f"{folder}/ ({count})"), tr("bỏ qua", "skipped"), "—", "—", "—", "—", "—",
                      tr("tài liệu hoặc ảnh, không phải bảng", "documents or images, not tables"))
    for scanned in (f for f in files if f.skipped and not f.found.document):
        table.add_row(escape(_short(draft, scanned.found.path)), tr("bỏ qua", "skipped"), scanned.found.kind or "—",
                      "—", "—", "—", "—", escape(scanned.reason or scanned.found.reason or ""))


def scan_table(draft: Draft) -> Table:
    """File → source/table, kind, rows sampled, maps_to, columns mapped / not mapped, encoding, what to check."""
    table = Table(title=tr(f"Quét {draft.root}", f"Scan of {draft.root}"), show_lines=False)
    for head in (tr("Tệp", "File"), tr("Nguồn/bảng", "Source/table"), tr("Loại", "Kind"), tr("Dòng mẫu", "Rows"),
                 "maps_to", tr("Cột ánh xạ / chưa", "Columns mapped / not"), tr("Bảng mã", "Encoding"),
                 tr("Cần kiểm tra", "To check")):
        table.add_column(head, overflow="fold")
    for scanned in draft.files:
        for guess in scanned.tables:
            _table_row(table, draft, guess)
    _skipped_rows(table, draft, draft.files)
    return table


def _summary(draft: Draft, output: Path) -> None:
    tables = sum(len(s.tables) for s in draft.sources)
    checks = draft.text.count("# " + tr("kiểm tra:", "check:"))
    skipped = sum(f.skipped for f in draft.files)
    console.print(tr(f"Đã viết {output}: {len(draft.sources)} nguồn, {tables} bảng; {checks} chỗ cần kiểm tra "
                     f"(# kiểm tra:), {skipped} tệp bỏ qua. Tệp hợp lệ và qua kiểm tra trước khi chạy. Xem lại rồi "
                     f"chạy: hopnhat migrate {output}",
                     f"Wrote {output}: {len(draft.sources)} sources, {tables} tables; {checks} things to check "
                     f"(# check:), {skipped} files skipped. It is valid and passes the run's checks. Review it, "
                     f"then run: hopnhat migrate {output}"))
