"""``hopnhat catalog``: inventory → evaluate → plan → status → report, stored in a DuckDB file."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Optional, cast

import typer
from rich.table import Table

from hopnhat.catalog import api, store
from hopnhat.catalog.export import write_roadmap_workbook
from hopnhat.catalog.fmt import dec, num_en, num_vi, pct, vnd_en, vnd_vi
from hopnhat.catalog.html import STATE_LABELS
from hopnhat.catalog.kinds import ActionCode, code_of, label
from hopnhat.catalog.model import Override, Task
from hopnhat.catalog.monitor import (
    SEVERITY_LABELS,
    SOURCE_STATE_LABELS,
    MigrationProgress,
    ProgressHook,
    SourceView,
    no_progress,
)
from hopnhat.catalog.resolve import resolve_why
from hopnhat.catalog.roadmap import ordered
from hopnhat.catalog.views import Explanation, decision_page, explanation, inventory_page, monitor_page, roadmap_page
from hopnhat.catalog.workbook import write_inventories_workbook, write_template
from hopnhat.cli.common import console, friendly_errors
from hopnhat.errors import ConfigError
from hopnhat.i18n import tr
from hopnhat.io.outputs import write_bytes

app = typer.Typer(help=tr("Danh mục hệ thống: kiểm kê, đánh giá, lộ trình, theo dõi.",
                          "System catalog: inventory, evaluation, roadmap, monitoring."), no_args_is_help=True)

DB = typer.Option(Path("catalog.duckdb"), "--db", help=tr("Tệp DuckDB lưu danh mục.", "DuckDB file of the catalog."))
CONFIG = typer.Option(None, "--config", "-c", help=tr("merger.yaml (mục catalog:) hoặc tệp YAML cấu hình.",
                                                      "merger.yaml (its catalog: section) or a plain YAML file."))
TODAY = typer.Option(None, "--today", help=tr("Ngày đối chiếu (yyyy-mm-dd), mặc định hôm nay.",
                                              "Reference date (yyyy-mm-dd), default today."))
MERGER = typer.Option(None, "--merger", help=tr(
    "merger.yaml của lượt chuyển dữ liệu: tiến độ các việc chuyển dữ liệu đo từ kho hợp nhất (mặc định: merger.yaml "
    "cạnh tệp --db nếu có).", "The migration's merger.yaml: data-migration progress is measured from its store "
    "(default: merger.yaml beside the --db file, when there is one)."))


def _money(amount: float) -> str:
    return tr(vnd_vi(amount), vnd_en(amount))


def _write_text(path: Path, text: str) -> None:
    write_bytes(path, text.encode("utf-8"))


@app.command("template")
@friendly_errors
def template(out: Path = typer.Argument(..., help=tr("Tệp Excel mẫu cần tạo.", "Template workbook to write."))) -> None:
    """Xuất phiếu khảo sát mẫu (Excel) / export the inventory template workbook."""
    write_template(out)
    console.print(tr(f"Đã tạo mẫu: {out}", f"Template written: {out}"))


@app.command("import")
@friendly_errors
def import_(files: list[Path] = typer.Argument(..., help=tr("Tệp kiểm kê .xlsx, .xls (Excel 97–2003) hoặc .yaml.",
                                                             ".xlsx, .xls (Excel 97–2003) or .yaml files.")),
            db: Path = DB) -> None:
    """Nhập kiểm kê của từng tỉnh (cũ) / import each old province's inventory."""
    for inv in api.import_files(db, files):
        console.print(tr(f"{inv.unit_name} ({inv.unit_code}): {len(inv.systems)} hệ thống",
                         f"{inv.unit_name} ({inv.unit_code}): {len(inv.systems)} systems"), highlight=False)
    state = store.load_state(db)
    repeated = sorted({s.id for s in state.systems.values()
                       if sum(o.id == s.id for o in state.systems.values()) > 1})
    if repeated:
        console.print(tr(f"Mã hệ thống trùng giữa các tỉnh ({len(repeated)}): mỗi hệ thống được phân biệt theo tỉnh, "
                         f"ví dụ {next(iter(state.systems))}",
                         f"Ids repeated across provinces ({len(repeated)}): each system is told apart by its province, "
                         f"e.g. {next(iter(state.systems))}"), highlight=False)


@app.command("export-inventory")
@friendly_errors
def export_inventory(out: Path = typer.Argument(..., help=tr("Tệp Excel cần ghi.", "Workbook to write.")),
                     db: Path = DB) -> None:
    """Xuất kiểm kê mọi tỉnh ra một tệp Excel (nhập lại được) / export every province's inventory to Excel."""
    state = store.load_state(db)
    write_inventories_workbook(out, state.inventories, state.digitisation)
    console.print(tr(f"Đã ghi kiểm kê {len(state.inventories)} tỉnh, {len(state.systems)} hệ thống: {out}",
                     f"Inventory of {len(state.inventories)} provinces, {len(state.systems)} systems: {out}"),
                  highlight=False)


@app.command("pairs")
@friendly_errors
def pairs(db: Path = DB) -> None:
    """Ghép cặp hệ thống cùng loại giữa các tỉnh / pair systems of the same kind across units."""
    page = inventory_page(store.load_state(db))
    table = Table(tr("Nhóm", "Role"), tr("Hệ thống", "Systems"), tr("Ghi chú", "Note"))
    for p in page["pairs"]:
        note = tr("chỉ có ở " + "/".join(p["units"]), "only in " + "/".join(p["units"])) if p["one_sided"] else ""
        table.add_row(p["title"], ", ".join(p["systems"]), note)
    console.print(table)


def _parse_overrides(values: list[str], note: Optional[str], by: str, run_both: bool) -> list[Override]:
    out = []
    for value in values:
        system, _, action = value.rpartition("=")
        code = code_of("action", action)
        if not system or code is None:
            raise ConfigError(tr("điều chỉnh phải có dạng HỆ_THỐNG=keep|migrate|retire|readonly",
                                 "an override must be SYSTEM=keep|migrate|retire|readonly"), value=value)
        if not note or not note.strip():
            raise ConfigError(tr("điều chỉnh cần --note ghi lý do", "an override needs --note explaining it"),
                              value=value)
        out.append(Override(system_id=system.strip(), action=cast(ActionCode, code), note=note.strip(), by=by,
                            at=datetime.now().replace(microsecond=0), run_both=run_both and code == "keep"))
    return out


def explanation_table(ex: Explanation) -> Table:
    """The per-criterion table of one role: criterion, weight and each system's score (narrow enough for a
    terminal); :func:`print_explanation` adds each score's reason and the inventory cells it came from."""
    table = Table(title=tr(f"Giải trình theo tiêu chí — {ex.title}", f"Per-criterion explanation — {ex.title}"))
    table.add_column(tr("Tiêu chí", "Criterion"))
    table.add_column(tr("Trọng số", "Weight"), justify="right")
    for s in ex.systems:
        table.add_column(f"{tr('Điểm', 'Score')} {s.key}", justify="right")
    for r in ex.rows:
        table.add_row(r.label, dec(r.weight), *(dec(c.score) for c in r.cells))
    table.add_row(tr("[bold]Tổng điểm[/]", "[bold]Weighted total[/]"), "", *(f"[bold]{dec(t)}[/]" for t in ex.totals))
    table.add_row(tr("Quyết định", "Decision"), "", *ex.action_labels)
    return table


def print_explanation(ex: Explanation) -> None:
    console.print(explanation_table(ex))
    console.print(tr("[bold]Căn cứ từng điểm (ô trong bảng kiểm kê: tệp › sheet, dòng, cột = giá trị)[/]",
                     "[bold]Evidence of each score (inventory cells: file › sheet, row, column = value)[/]"))
    for r in ex.rows:
        console.print(f"[bold]{r.label}[/] — {tr('trọng số', 'weight')} {dec(r.weight)}", highlight=False)
        for s, c in zip(ex.systems, r.cells, strict=True):
            console.print(f"  {s.key} · {tr('điểm', 'score')} {dec(c.score)}: {c.reason}", highlight=False,
                          soft_wrap=True)
            console.print(f"      {tr('căn cứ', 'evidence')}: {c.evidence or '—'}", highlight=False, soft_wrap=True,
                          markup=False)


def _print_why(db: Path, why: str) -> str:
    state = store.load_state(db)
    pair, system = resolve_why(state, why)
    print_explanation(explanation(state, pair.key))
    for r in decision_page(state, pair.key):
        mark = " ◀" if system is not None and r.system.key == system.key else ""
        console.print(f"[bold]{r.system.key} {r.system.name}: {r.action_label}[/]{mark}", highlight=False)
        for reason in r.reasons:
            console.print(f"  • {reason}", highlight=False)
    return pair.key


@app.command("evaluate")
@friendly_errors
def evaluate(db: Path = DB, config: Optional[Path] = CONFIG,
             override: list[str] = typer.Option([], "--override", help="SYSTEM=keep|migrate|retire|readonly"),
             note: Optional[str] = typer.Option(None, "--note", help=tr("Lý do điều chỉnh.", "Why you override.")),
             by: str = typer.Option("planner", "--by", help=tr("Người điều chỉnh.", "Who overrides.")),
             run_both: bool = typer.Option(False, "--run-both", help=tr(
                 "Giữ hệ thống này song song với hệ thống dùng chung (cùng vai trò), có chủ đích; --note ghi lý do.",
                 "Keep this system beside the shared one of its role, on purpose; --note says why.")),
             why: Optional[str] = typer.Option(None, "--why", help=tr(
                 "Giải trình một vai trò hoặc hệ thống: tên, mã, tỉnh-mã (49-1), tên vai trò (Hộ tịch, tthc).",
                 "Explain one role or system: name, id, province-qualified id (49-1), role (civil status, tthc).")),
             html: Optional[Path] = typer.Option(None, "--html", help=tr(
                 "Ghi giải trình theo tiêu chí ra HTML.", "Write the per-criterion explanation (HTML).")),
             pdf: Optional[Path] = typer.Option(None, "--pdf", help=tr("Ghi giải trình theo tiêu chí ra PDF.",
                                                                       "Write the per-criterion explanation (PDF).")),
             ) -> None:
    """Chấm điểm từng cặp và khuyến nghị / score each pair and recommend, with reasons."""
    if why:
        resolve_why(store.load_state(db), why)  # an unknown name is refused before any work
    api.run_evaluate(db, config, _parse_overrides(override, note, by, run_both))
    rows = decision_page(store.load_state(db))
    table = Table(tr("Hệ thống", "System"), tr("Điểm", "Score"), tr("Quyết định", "Decision"),
                  tr("Chi phí trong kỳ", "Horizon cost"), tr("Điều chỉnh", "Override"))
    for r in rows:
        table.add_row(f"{r.system.key} {r.system.name}", dec(r.decision.total), r.action_label,
                      _money(r.decision.horizon_cost), r.decision.override_note or "")
    console.print(table)
    role = _print_why(db, why) if why else None
    if html or pdf:
        api.write_explanations(db, html, pdf, role)
        console.print(tr(f"Đã ghi giải trình: {html or ''} {pdf or ''}", f"Explanation written: {html or ''} "
                         f"{pdf or ''}"), highlight=False)


@app.command("plan")
@friendly_errors
def plan(db: Path = DB, config: Optional[Path] = CONFIG,
         xlsx: Optional[Path] = typer.Option(None, "--xlsx", help=tr("Xuất lộ trình ra Excel.", "Export to Excel.")),
         svg: Optional[Path] = typer.Option(None, "--svg", help=tr("Xuất biểu đồ Gantt (SVG).", "Gantt chart (SVG).")),
         link: list[str] = typer.Option([], "--link", help=tr("Gắn lượt chạy: TASK=RUN_ID.",
                                                              "Link a run: TASK=RUN_ID.")),
         ) -> None:
    """Lập lộ trình từ các quyết định (việc gấp trước) / build the roadmap from the decisions (urgent first)."""
    api.run_plan(db, config)
    for value in link:
        task_id, _, run_id = value.rpartition("=")
        if not task_id or not run_id:
            raise ConfigError(tr("--link phải có dạng NHIỆM_VỤ=MÃ_LƯỢT_CHẠY", "--link must be TASK=RUN_ID"),
                              value=value)
        api.link_pipeline_run(db, task_id, run_id)
    state = store.load_state(db)
    page = roadmap_page(state)
    table = Table(tr("Gấp", "Urgent"), tr("Mã", "Id"), tr("Công việc", "Task"), tr("Chủ trì", "Owner"),
                  tr("Hạn", "Due"), tr("Kinh phí", "Budget"), tr("Lượt chạy", "Runs"))
    for t in page["tasks"]:
        table.add_row(tr("Gấp", "Urgent") if t.urgent else "", t.id, tr(t.title_vi, t.title_en), t.owner,
                      f"{t.due:%d/%m/%Y}", _money(t.budget), ", ".join(t.run_ids))
    console.print(table)
    console.print(tr(f"Tổng kinh phí: {vnd_vi(page['budget_total'])}", f"Total budget: {vnd_en(page['budget_total'])}"))
    if page["not_ready"]:
        console.print(tr("[red]Hệ thống gấp chưa kịp ngày hợp nhất:[/] ", "[red]Urgent, not ready on day one:[/] ")
                      + ", ".join(t.id for t in page["not_ready"]))
    if xlsx:
        write_roadmap_workbook(state, xlsx)
    if svg:
        _write_text(svg, page["gantt_svg"])


def _is_migration_project(path: Path) -> bool:
    """A merger file with ``sources`` (not only a ``catalog:`` section)."""
    import yaml

    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return True  # let load_project name the problem
    return isinstance(doc, dict) and "sources" in doc


def _progress_hook(db: Path, merger: Optional[Path]) -> tuple[ProgressHook, Path | None]:
    """Progress of data-migration tasks measured from the migration's store, read as the demo and the web app do."""
    if merger is None:
        beside = Path(db).resolve().parent / "merger.yaml"
        merger = beside if beside.is_file() and _is_migration_project(beside) else None
    if merger is None:
        return no_progress, None
    from hopnhat.project.config import load_project
    from hopnhat.reconcile.progress import store_progress_hook

    return store_progress_hook(load_project(merger)), merger


def _runs_table(tasks: list[Task], hook: Callable[[Task], MigrationProgress | None], source: Path | None) -> None:
    """Each data-migration task linked to a pipeline run, with the run's books (or why they are not read)."""
    linked = [t for t in ordered(tasks) if t.run_ids]
    if not linked:
        return
    console.print(tr("[bold]Lượt chạy dữ liệu đã gắn[/]", "[bold]Linked migration runs[/]"))
    for t in linked:
        p = hook(t)
        head = f"  {t.id} ← {', '.join(t.run_ids)}: "
        if p is None:
            reason = tr("chưa đọc được tiến độ: cần --merger", "progress not read: give --merger") if source is None \
                else tr("chưa có lượt chạy xong cho hệ thống này", "no finished run for this system yet")
            console.print(head + reason, highlight=False, markup=False)
            continue
        console.print(head + tr(f"{pct(p.percent / 100)} — đọc {num_vi(p.rows_read)}, lệch đối soát "
                                f"{num_vi(p.unbalanced)}, cách ly còn {num_vi(p.quarantine_left)}, chờ duyệt "
                                f"{num_vi(p.review_left)}",
                                f"{pct(p.percent / 100)} — read {num_en(p.rows_read)}, unbalanced "
                                f"{num_en(p.unbalanced)}, quarantine left {num_en(p.quarantine_left)}, review left "
                                f"{num_en(p.review_left)}"), highlight=False, markup=False)


@app.command("status")
@friendly_errors
def status(db: Path = DB, today: Optional[datetime] = TODAY, merger: Optional[Path] = MERGER,
           set_: list[str] = typer.Option([], "--set", help=tr("Cập nhật: TASK=todo|doing|done|blocked[:PHẦN_TRĂM]",
                                                               "Update: TASK=todo|doing|done|blocked[:PERCENT]")),
           note: str = typer.Option("", "--note", help=tr("Ghi chú cập nhật.", "Note for the update."))) -> None:
    """Tiến độ, trễ hạn theo đơn vị và tỉnh, cảnh báo / progress, late tasks by owner and province, alerts."""
    day = today.date() if today else date.today()
    for value in set_:
        task_id, _, rest = value.rpartition("=")
        state_name, _, share = rest.partition(":")
        try:
            percent = float(share.replace(",", ".") or (100 if state_name == "done" else 0))
        except ValueError as exc:
            raise ConfigError(tr("phần trăm phải là một số", "the percentage must be a number"), value=value) from exc
        api.set_status(db, task_id, state_name, percent, day, note)
    hook, source = _progress_hook(db, merger)
    state = store.load_state(db)
    page = monitor_page(state, day, hook, _sources(source, state))
    c = page.counts
    console.print(tr(f"Hoàn thành {c['done']}/{c['total']} · trễ {c['late']} · nguy cơ {c['risk']}",
                     f"Done {c['done']}/{c['total']} · late {c['late']} · at risk {c['risk']}"))
    if source is not None:
        console.print(tr(f"Tiến độ chuyển dữ liệu đo từ kho của {source}", f"Migration progress measured from the "
                         f"store of {source}"), highlight=False)
    _late_table(page)
    table = Table(tr("Mức", "Level"), tr("Cảnh báo", "Alert"))
    for a in page.alerts:
        if a.severity != "late":
            table.add_row(tr(*SEVERITY_LABELS.get(a.severity, (a.severity, a.severity))), tr(a.vi, a.en))
    console.print(table)
    _runs_table(state.tasks, hook, source)
    _sources_table(page.sources)
    for d in page.digitisation:
        console.print(tr(f"Số hóa hộ tịch {page.unit_names.get(d.unit_code)}: {pct(d.share)}, "
                         f"{len(d.below_threshold)} xã dưới 1 %",
                         f"Civil-status digitisation {page.unit_names.get(d.unit_code)}: {pct(d.share)}, "
                         f"{len(d.below_threshold)} communes below 1%"), highlight=False)


def _sources(merger: Path | None, state: store.CatalogState) -> list[SourceView]:
    """The merger's legacy sources and their cut-over states (none without a merger file)."""
    if merger is None:
        return []
    from hopnhat.project.config import load_project
    from hopnhat.run.cutover import source_overview

    return source_overview(load_project(merger), state)


def _sources_table(sources: list[SourceView]) -> None:
    if not sources:
        return
    table = Table(tr("Nguồn", "Source"), tr("Hệ thống", "System"), tr("Trạng thái", "State"), tr("Lúc", "At"),
                  tr("Người ký", "Signed by"),
                  title=tr("Nguồn dữ liệu cũ: đang hoạt động / đang đồng bộ / đã đóng băng / đã chuyển đổi",
                           "Legacy sources: live / syncing / frozen / cut over"))
    for v in sources:
        table.add_row(v.source, v.system_id or "—", tr(*SOURCE_STATE_LABELS.get(v.state, (v.state, v.state))),
                      f"{v.at:%d/%m/%Y %H:%M}" if v.at else "", v.by)
    console.print(table)


def _late_table(page) -> None:  # type: ignore[no-untyped-def]
    if not page.late_groups:
        return
    table = Table(title=tr("Việc trễ hạn theo đơn vị chủ trì và tỉnh (cũ)", "Late tasks by owner and old province"))
    for head in (tr("Đơn vị chủ trì", "Owner"), tr("Tỉnh (cũ)", "Old province"), tr("Việc trễ", "Late tasks"),
                 tr("Trễ nhất", "Latest")):
        table.add_column(head)
    for g in page.late_groups:
        unit = page.unit_names.get(g.unit_code or "", g.unit_code or "—")
        tasks = "\n".join(f"{v.task.id} ({tr(f'trễ {v.days_late} ngày', f'{v.days_late} days late')}, "
                          f"{tr(*STATE_LABELS.get(v.state, (v.state, v.state)))})" for v in g.views)
        table.add_row(g.owner, unit, tasks, tr(f"{g.worst} ngày", f"{g.worst} days"))
    console.print(table)


@app.command("report")
@friendly_errors
def report(db: Path = DB, today: Optional[datetime] = TODAY, merger: Optional[Path] = MERGER,
           html: Optional[Path] = typer.Option(Path("catalog-report.html"), "--html", help="HTML output."),
           pdf: Optional[Path] = typer.Option(None, "--pdf", help=tr("PDF (một trang).", "PDF output (one page)."))
           ) -> None:
    """Báo cáo một trang cho tổ giám sát (HTML, PDF) / one-page report for the monitoring team."""
    hook, source = _progress_hook(db, merger)
    api.write_report(db, today.date() if today else date.today(), html, pdf, hook=hook,
                     sources=_sources(source, store.load_state(db)))
    linked = [t for t in store.load_state(db).tasks if t.run_ids]
    if linked:
        measured = sum(hook(t) is not None for t in linked)
        console.print(tr(f"{len(linked)} việc chuyển dữ liệu đã gắn lượt chạy, {measured} đo được tiến độ"
                         + ("" if source else " (cần --merger)"),
                         f"{len(linked)} data-migration tasks linked to runs, {measured} measured"
                         + ("" if source else " (give --merger)")), highlight=False)
    console.print(tr(f"Đã ghi báo cáo: {html or ''} {pdf or ''}", f"Report written: {html or ''} {pdf or ''}"),
                  highlight=False)


__all__ = ["app", "explanation_table", "label", "print_explanation"]
