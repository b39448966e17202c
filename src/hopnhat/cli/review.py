"""``hopnhat review``: the linkage review queue of a merger's store — list, export to fill in, import decisions.

The store is opened through the pipeline's seam (:func:`hopnhat.load.store.connect`); ``import`` writes the store's
next version and publishes it atomically (:func:`hopnhat.load.versions.next_version`), so it never meets the lock of a
running ``hopnhat serve`` and the app switches to the decisions between requests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Optional

import duckdb
import typer
from rich.table import Table

from hopnhat.cli.common import console, friendly_errors
from hopnhat.cli.personal import MASK, MASK_PRINT, masked_rows, masked_tree, record_export, record_print, say_recorded
from hopnhat.errors import InputError
from hopnhat.i18n import tr
from hopnhat.load.store import connect
from hopnhat.load.versions import DEFAULT_KEEP, next_version
from hopnhat.serve.security.mask import mask_text

app = typer.Typer(help=tr("Hàng đợi rà soát liên kết: cặp bản ghi chưa chắc chắn, địa chỉ ở xã bị chia tách.",
                          "Linkage review queue: uncertain record pairs, addresses in split communes."),
                  no_args_is_help=True)

_PROJECT = typer.Option(Path("merger.yaml"), "--project", "-p", help=tr("Tệp merger.yaml của dự án.",
                                                                         "The project's merger.yaml."))
_STORE = typer.Option(None, "--store", help=tr("Tệp kho DuckDB (thay cho --project).",
                                               "The DuckDB store file (instead of --project)."))
_STATUS = typer.Option("open", "--status", help="open | decided | all")
_ENTITY = typer.Option(None, "--entity", help="person | organization | parcel")
_SCOPE = typer.Option([], "--scope", help=tr("Mã tỉnh/xã mới được xem (lặp lại được).",
                                             "New province/commune code in scope (repeatable)."))


def _store_of(project: Path, store: Optional[Path]) -> tuple[Path, int]:
    """The store path and how many versions to keep."""
    if store is not None:
        return store, DEFAULT_KEEP
    from hopnhat.project.config import load_project

    loaded = load_project(project)
    return loaded.store_path, loaded.config.store.keep_versions


def _existing(project: Path, store: Optional[Path]) -> tuple[Path, int]:
    path, keep = _store_of(project, store)
    if not path.is_file():
        raise InputError(tr("chưa có kho dữ liệu (chạy hopnhat migrate trước)", "no store yet (run hopnhat migrate)"),
                         source=str(path))
    return path, keep


def _open(path: Path, read_only: bool) -> duckdb.DuckDBPyConnection:
    try:
        return connect(path, read_only=read_only)
    except InputError as exc:
        raise InputError(tr("Không mở được kho dữ liệu", "Cannot open the store"), source=str(path),
                         reason=tr("tệp không phải kho DuckDB, bị hỏng, hoặc đang được một tiến trình khác ghi",
                                   "the file is not a DuckDB store, is damaged, or another process is writing it"),
                         hint=tr("kiểm tra đường dẫn kho (--store hoặc store.path); chờ lệnh migrate đang chạy xong",
                                 "check the store's path (--store or store.path); wait for a running migrate")) from exc


def _connect(project: Path, store: Optional[Path], read_only: bool) -> duckdb.DuckDBPyConnection:
    return _open(_existing(project, store)[0], read_only)


def _describe(item: dict[str, Any]) -> str:
    if item["kind"] == "split_unit":
        names = [f"{c['code']} {c['name']}" for c in (item["evidence"] or {}).get("candidates") or []]
        return f"{(item['evidence'] or {}).get('value') or ''} → " + " / ".join(names)
    recs = item["records"]
    names = [str((recs.get(r) or {}).get("full_name") or (recs.get(r) or {}).get("name") or r)
             for r in (item["record_id_l"], item["record_id_r"])]
    return f"{names[0]} ↔ {names[1]} (p={item['match_probability']:.3f})"


@app.command("list")
@friendly_errors
def list_(project: Path = _PROJECT, store: Optional[Path] = _STORE, status: str = _STATUS,
          entity: Optional[str] = _ENTITY, scope: list[str] = _SCOPE,
          limit: int = typer.Option(50, "--limit", min=1), offset: int = typer.Option(0, "--offset", min=0),
          as_json: bool = typer.Option(False, "--json", help=tr("In JSON.", "Print JSON.")),
          mask: bool = MASK_PRINT) -> None:
    """Liệt kê mục cần rà soát / list review items (số giấy tờ bị che trừ khi --no-mask, khi đó việc in được ghi
    vào nhật ký kiểm toán / identifiers masked unless --no-mask, which is recorded in the audit log)."""
    from hopnhat.link.review import count_items, list_items

    con = _connect(project, store, read_only=True)
    items = list_items(con, status, entity, scope or None, limit, offset)
    total = count_items(con, status, entity, scope or None)
    con.close()
    if as_json:
        shown = items if not mask else masked_tree(json.loads(json.dumps(items, default=str)))
        typer.echo(json.dumps({"total": total, "items": shown}, ensure_ascii=False, default=str, indent=1))
    else:
        _print_items(items, status, total, mask)
    if not mask:
        from hopnhat.project.config import load_project

        seq = None if store is not None else record_print(load_project(project), "review list", len(items))
        typer.echo(say_recorded(seq), err=True)  # on stderr: the JSON on stdout stays whole


def _print_items(items: list[dict[str, Any]], status: str, total: int, mask: bool) -> None:
    table = Table(title=tr(f"Mục rà soát ({status}): {total:,}", f"Review items ({status}): {total:,}"))
    for col in ("item_key", tr("Loại", "Kind"), tr("Nội dung", "Content"), tr("Quyết định", "Decision")):
        table.add_column(col, overflow="fold")
    for it in items:
        content = mask_text(_describe(it)) if mask else _describe(it)
        table.add_row(it["item_key"], it["kind"], content, it["decision"] or "")
    console.print(table)


@app.command("export")
@friendly_errors
def export(out: Path = typer.Argument(..., help=tr("Tệp ra .csv hoặc .xlsx.", "Output .csv or .xlsx file.")),
           project: Path = _PROJECT, store: Optional[Path] = _STORE, status: str = _STATUS,
           entity: Optional[str] = _ENTITY, scope: list[str] = _SCOPE, mask: bool = MASK) -> None:
    """Xuất mục rà soát để điền quyết định / export items to fill in decisions (số giấy tờ bị che trừ khi
    --no-mask; mỗi lần xuất được ghi vào nhật ký kiểm toán / identifiers masked unless --no-mask; every export is
    recorded in the audit log)."""
    from hopnhat.io.outputs import check_output
    from hopnhat.io.writers import ROW_FORMATS
    from hopnhat.link.review import export_items
    from hopnhat.project.config import load_project

    con = _connect(project, store, read_only=True)
    check_output(out, [project, *([store] if store else []), _store_of(project, store)[0]], ROW_FORMATS)
    count = export_items(con, out, status, entity, scope or None, masked_rows if mask else None)
    con.close()
    seq = None if store is not None else record_export(load_project(project), "review export", out, count, mask)
    console.print(tr(f"{count:,} mục → {out} (điền cột decision: same | different | commune:<mã xã mới>)",
                     f"{count:,} items → {out} (fill in decision: same | different | commune:<new code>)"))
    console.print(say_recorded(seq))


@app.command("import")
@friendly_errors
def import_(src: Path = typer.Argument(..., help=tr("Tệp đã điền (.csv hoặc .xlsx).", "The filled file.")),
            user: str = typer.Option(..., "--user", "-u", help=tr("Người quyết định.", "Who decides.")),
            project: Path = _PROJECT, store: Optional[Path] = _STORE) -> None:
    """Nhập quyết định (áp dụng ở lần chạy sau) / import decisions (applied by the next run)."""
    from hopnhat.io.inputs import check_input
    from hopnhat.link.review import import_decisions

    check_input(src, (".csv", ".txt", ".xlsx"))
    path, keep = _existing(project, store)
    with next_version(path, keep) as nxt:
        con = _open(nxt, read_only=False)
        try:
            result = import_decisions(con, src, user)
        finally:
            con.close()
    console.print(tr(f"Đã ghi {result.applied:,} quyết định; {result.unchanged:,} không đổi; {result.blank:,} dòng "
                     "để trống. Quyết định được áp dụng ở lần chạy sau.",
                     f"Recorded {result.applied:,} decisions; {result.unchanged:,} unchanged; {result.blank:,} blank "
                     "rows. Decisions apply on the next run."))
