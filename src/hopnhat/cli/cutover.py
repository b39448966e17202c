"""``hopnhat cutover MERGER.yaml --source NAME [--at TIME] [--rehearse] [--signed-by NAME]``: cut one legacy source
over (freeze, last run, reconcile at the freeze point, signed report, catalog marked), or rehearse it on a copy.

The report is signed with the project's audit key (the key of the web app's audit chain and checkpoints, read as
``hopnhat audit`` reads it). Exit codes: 0 cut over (or rehearsed); 1 refused (the source changed after its freeze,
the books do not balance) or the run failed; 2 bad input (an unknown source, no catalog, a time in the future).
"""

from __future__ import annotations

import getpass
from datetime import datetime
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from hopnhat.cli.common import EXIT_FAILED, check_before_run, console, err_console, friendly_errors, show_error
from hopnhat.errors import ConfigError
from hopnhat.i18n import tr
from hopnhat.project.config import Project, load_project

MERGER = typer.Argument(..., help=tr("Tệp dự án sáp nhập (merger.yaml).", "Merger project file (merger.yaml)."))


def _at(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        at = datetime.fromisoformat(value)
    except ValueError as exc:
        raise ConfigError(tr("--at phải là thời điểm dạng yyyy-mm-ddTHH:MM", "--at must be a time like "
                             "yyyy-mm-ddTHH:MM"), value=value) from exc
    if at.tzinfo is not None:
        at = at.astimezone().replace(tzinfo=None)
    if at > datetime.now():
        raise ConfigError(tr("--at ở tương lai: chỉ đóng băng được tại thời điểm đã qua",
                             "--at is in the future: a freeze can only be recorded at a time that has passed"),
                          value=value)
    return at


def _signer(project: Project, rehearse: bool) -> Any:
    """The audit key's signer; a rehearsal never creates the key file (it leaves nothing behind): without one it
    signs its throw-away report with a throw-away key."""
    import os

    from hopnhat.run.cutover import Signer
    from hopnhat.serve.app.settings import project_audit_key
    from hopnhat.serve.security.audit import key_id

    try:
        key = project_audit_key(project, create=not rehearse).encode("utf-8")
    except ConfigError:
        key = os.urandom(32)
        return Signer(key, "rehearsal-" + key_id(key))
    return Signer(key, key_id(key))


def _books_table(report: dict[str, Any]) -> Table:
    t = Table(title=tr(f"Sổ sách của {report['source']} tại điểm đóng băng",
                       f"Books of {report['source']} at the freeze point"))
    for head in (tr("Bảng", "Table"), tr("Đọc", "Read"), tr("Nạp", "Loaded"), tr("Gộp", "Merged"),
                 tr("Cách ly", "Quarantined"), tr("Cân đối", "Balanced")):
        t.add_column(head)
    for b in report["books"]:
        t.add_row(b["table"], f"{b['read']:,}", f"{b['loaded']:,}", f"{b['merged']:,}", f"{b['quarantined']:,}",
                  "[green]✔[/]" if b["balanced"] else "[red]✘[/]")
    return t


def _print(result: Any, rehearse: bool) -> None:
    report = result.report
    console.print(_books_table(report))
    if rehearse:
        steps = ", ".join(f"{k} {v:.1f}" for k, v in result.steps.items())
        console.print(tr(f"Diễn tập xong trong {result.seconds:.1f} giây ({steps}); bản sao đã xóa, dự án thật "
                         f"không đổi.", f"Rehearsal done in {result.seconds:.1f} s ({steps}); the copy was thrown "
                         f"away, the real project is unchanged."), highlight=False)
        return
    if result.already:
        console.print(tr(f"Nguồn {report['source']} đã chuyển đổi lúc {report['cut_over_at']}.",
                         f"Source {report['source']} was cut over at {report['cut_over_at']}."), highlight=False)
    else:
        console.print(tr(f"Đã chuyển đổi {report['source']} trong {result.seconds:.1f} giây; hệ thống cũ chỉ đọc"
                         + (" (cả hệ thống)." if report["system_read_only"] else " (còn nguồn khác của hệ thống)."),
                         f"Cut over {report['source']} in {result.seconds:.1f} s; the legacy source is read-only"
                         + (" (the whole system)." if report["system_read_only"] else
                            " (other sources of its system remain).")), highlight=False)
    console.print(tr(f"Biên bản đã ký: {result.folder / 'report.json'} ({result.folder / 'report.html'})",
                     f"Signed report: {result.folder / 'report.json'} ({result.folder / 'report.html'})"),
                  highlight=False)


def _verify(project: Project, path: Path) -> None:
    import json

    from hopnhat.errors import InputError
    from hopnhat.run.cutover import verify_report

    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise InputError(tr("không đọc được biên bản (JSON)", "cannot read the report (JSON)"), source=str(path),
                         reason=str(exc)) from exc
    from hopnhat.run.cutover import Signer
    from hopnhat.serve.app.settings import project_audit_key
    from hopnhat.serve.security.audit import key_id

    key = project_audit_key(project, create=False).encode("utf-8")  # a missing key is an error, never a new one
    if not isinstance(document, dict) or not verify_report(document, Signer(key, key_id(key))):
        err_console.print(tr(f"[red]Chữ ký KHÔNG hợp lệ: {path} đã bị sửa hoặc ký bằng khóa khác.[/]",
                             f"[red]Signature NOT valid: {path} was changed or signed with another key.[/]"))
        raise typer.Exit(EXIT_FAILED)
    report = document["report"]
    console.print(tr(f"Chữ ký hợp lệ: biên bản chuyển đổi {report['source']} ký bởi {report['signed_by']} lúc "
                     f"{report['cut_over_at']}.", f"Signature valid: cut-over report of {report['source']} signed by "
                     f"{report['signed_by']} at {report['cut_over_at']}."), highlight=False)


@friendly_errors
def cutover(
    merger: Path = MERGER,
    source: str | None = typer.Option(None, "--source", help=tr("Nguồn cần chuyển đổi (tên trong merger.yaml).",
                                                                "The source to cut over (its name in merger.yaml).")),
    at: str | None = typer.Option(None, "--at", help=tr(
        "Thời điểm đóng băng ghi vào biên bản (yyyy-mm-ddTHH:MM, đã qua); mặc định: lúc chạy.",
        "The freeze time recorded in the report (yyyy-mm-ddTHH:MM, past); default: now.")),
    rehearse: bool = typer.Option(False, "--rehearse", help=tr(
        "Diễn tập toàn bộ trên một bản sao tạm rồi xóa; báo thời gian.",
        "Do it all on a temporary copy, throw it away, report the time it took.")),
    signed_by: str | None = typer.Option(None, "--signed-by", help=tr(
        "Người ký xác nhận (mặc định: tài khoản hệ điều hành).", "Who signs off (default: the OS account).")),
    workers: int = typer.Option(1, "--workers", min=1, help=tr("Số bảng nạp song song.",
                                                               "Tables loaded side by side.")),
    link: bool = typer.Option(True, "--link/--no-link", help=tr("Chạy liên kết bản ghi.", "Run linkage.")),
    verify: Path | None = typer.Option(None, "--verify", help=tr(
        "Chỉ kiểm tra chữ ký của một biên bản (report.json) bằng khóa nhật ký của dự án; mã thoát 1 nếu sai.",
        "Only check the signature of a report (report.json) with the project's audit key; exit 1 when wrong.")),
) -> None:
    """Chuyển đổi một nguồn cũ: đóng băng, chạy lần cuối, đối soát tại điểm đóng băng, biên bản ký, đánh dấu chỉ
    đọc (cut a legacy source over; --rehearse on a copy)."""
    from hopnhat.run.cutover import CutoverOptions, CutoverRefused
    from hopnhat.run.cutover import cutover as do_cutover
    from hopnhat.run.cutover import rehearse as do_rehearse

    project = load_project(merger)
    if verify is not None:
        _verify(project, verify)
        return
    if not source:
        raise ConfigError(tr("thiếu --source: nguồn cần chuyển đổi", "--source is missing: the source to cut over"),
                          source=str(merger))
    check_before_run(project)
    opts = CutoverOptions(signed_by=signed_by or getpass.getuser(), at=_at(at), workers=workers, link=link,
                          on_step=lambda step: console.print(f"• {step}", highlight=False))
    signer = _signer(project, rehearse)
    from hopnhat.cli.migrate import RichProgress

    try:
        with RichProgress() as progress:
            opts.progress = progress
            result = (do_rehearse if rehearse else do_cutover)(project, source, signer, opts)
    except CutoverRefused as exc:
        show_error(exc)
        err_console.print(tr("[red]Chuyển đổi bị từ chối.[/]", "[red]Cut-over refused.[/]"))
        raise typer.Exit(EXIT_FAILED) from exc
    _print(result, rehearse)
