"""``hopnhat audit verify|checkpoint|purge MERGER.yaml``: check the project's keyed hash chain (the web app's entries
and the cut-overs', ``cutover`` and ``cutover_rehearsal``, in one chain) and signed checkpoints kept elsewhere; export
a signed checkpoint of the chain's head; drop entries past the retention (never younger than 365 days). The audit
key is read as the server reads it (``HOPNHAT_SERVE_AUDIT_KEY`` or the key file beside the app database)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from hopnhat.cli.common import console, err_console, friendly_errors
from hopnhat.i18n import tr
from hopnhat.project.config import load_project

app = typer.Typer(help=tr("Nhật ký truy cập (chuỗi băm).", "The audit log (hash chain)."), no_args_is_help=True)
MERGER = typer.Argument(..., help=tr("Tệp dự án sáp nhập (merger.yaml).", "Merger project file (merger.yaml)."))


def _db(merger: Path):  # type: ignore[no-untyped-def]
    from hopnhat.errors import InputError
    from hopnhat.serve.app.appdb import AppDB
    from hopnhat.serve.app.settings import project_audit_key

    project = load_project(merger)
    if not project.app_db_path.exists():
        raise InputError("no app database yet (the web app has not run)", source=str(project.app_db_path))
    return AppDB(project.app_db_path, project_audit_key(project, create=False))


def _checkpoints(path: Path | None) -> list[dict[str, Any]]:
    from hopnhat.errors import InputError

    if path is None:
        return []
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                out.append(json.loads(line))
            except ValueError as exc:
                raise InputError("not a checkpoint (one JSON object per line)", source=str(path), row=n,
                                 reason=str(exc)) from exc
    return out


@app.command("verify")
@friendly_errors
def verify(merger: Path = MERGER, checkpoints: Path | None = typer.Option(None, "--checkpoints", help=tr(
        "Tệp các mốc đã ký (xuất bằng 'hopnhat audit checkpoint'), mỗi dòng một mốc.",
        "File of signed checkpoints (from 'hopnhat audit checkpoint'), one per line."))) -> None:
    """Kiểm tra toàn vẹn nhật ký; mã thoát 1 và mục hỏng đầu tiên khi chuỗi bị sửa/xóa."""
    from hopnhat.serve.security.audit import verify as check

    verdict = check(_db(merger), _checkpoints(checkpoints))
    if verdict.ok:
        console.print(tr(f"Nhật ký toàn vẹn: {verdict.entries} mục, đầu chuỗi {verdict.head_hash}",
                         f"Audit log intact: {verdict.entries} entries, head {verdict.head_hash}"))
        return
    err_console.print(tr(f"[red]Nhật ký bị thay đổi tại mục seq={verdict.first_bad}[/]: {verdict.problem}",
                         f"[red]Audit log broken at entry seq={verdict.first_bad}[/]: {verdict.problem}"))
    raise typer.Exit(1)


@app.command("checkpoint")
@friendly_errors
def checkpoint(merger: Path = MERGER, out: Path | None = typer.Option(None, "--out", help=tr(
        "Ghi thêm mốc vào tệp này (giữ ở nơi khác máy chủ); mặc định in ra màn hình.",
        "Append the checkpoint to this file (keep it away from the server); default: print it."))) -> None:
    """Xuất mốc đã ký của đầu chuỗi nhật ký / export a signed checkpoint of the chain's head."""
    from hopnhat.serve.security import audit

    db = _db(merger)
    point = audit.checkpoint(db)
    audit.append(db, "cli", "audit_checkpoint", "", {"seq": point["seq"], "hash": point["hash"]})
    line = json.dumps(point, sort_keys=True)
    if out is None:
        typer.echo(line)
        return
    with out.open("a", encoding="utf-8") as fh:
        fh.write(line + "\n")
    console.print(tr(f"Đã ghi mốc seq={point['seq']} vào {out}", f"Checkpoint seq={point['seq']} written to {out}"))


@app.command("purge")
@friendly_errors
def purge(merger: Path = MERGER,
          older_than_days: int = typer.Option(365, "--older-than-days", min=365, help=tr(
              "Xóa mục cũ hơn số ngày này (tối thiểu 365).", "Drop entries older than this (at least 365)."))) -> None:
    """Xóa mục quá thời hạn lưu (≥ 12 tháng), giữ mốc để chuỗi vẫn kiểm tra được."""
    from hopnhat.serve.security.audit import purge as drop

    n = drop(_db(merger), older_than_days)
    console.print(tr(f"Đã xóa {n} mục cũ hơn {older_than_days} ngày", f"Dropped {n} entries older than "
                                                                       f"{older_than_days} days"))
