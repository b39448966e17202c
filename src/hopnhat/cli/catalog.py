"""``hopnhat catalog``: inventory → evaluate → plan → status → report, stored in a DuckDB file."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from hopnhat.catalog import api, store
from hopnhat.catalog.export import write_roadmap_workbook
from hopnhat.catalog.fmt import vnd_en, vnd_vi
from hopnhat.catalog.kinds import code_of
from hopnhat.catalog.model import Override
from hopnhat.catalog.views import decision_page, inventory_page, monitor_page, roadmap_page
from hopnhat.catalog.workbook import write_template
from hopnhat.cli.common import console, friendly_errors
from hopnhat.errors import ConfigError
from hopnhat.i18n import tr

app = typer.Typer(help=tr("Danh mục hệ thống: kiểm kê, đánh giá, lộ trình, theo dõi.",
                          "System catalog: inventory, evaluation, roadmap, monitoring."), no_args_is_help=True)

DB = typer.Option(Path("catalog.duckdb"), "--db", help=tr("Tệp DuckDB lưu danh mục.", "DuckDB file of the catalog."))
CONFIG = typer.Option(None, "--config", "-c", help=tr("merger.yaml (mục catalog:) hoặc tệp YAML cấu hình.",
                                                      "merger.yaml (its catalog: section) or a plain YAML file."))
TODAY = typer.Option(None, "--today", help=tr("Ngày đối chiếu (yyyy-mm-dd), mặc định hôm nay.",
                                              "Reference date (yyyy-mm-dd), default today."))


def _money(amount: float) -> str:
    return tr(vnd_vi(amount), vnd_en(amount))


@app.command("template")
@friendly_errors
def template(out: Path = typer.Argument(..., help=tr("Tệp Excel mẫu cần tạo.", "Template workbook to write."))) -> None:
    """Xuất phiếu khảo sát mẫu (Excel) / export the inventory template workbook."""
    write_template(out)
    console.print(tr(f"Đã tạo mẫu: {out}", f"Template written: {out}"))


@app.command("import")
@friendly_errors
def import_(files: list[Path] = typer.Argument(..., help=tr("Tệp kiểm kê .xlsx hoặc .yaml.", ".xlsx or .yaml files.")),
            db: Path = DB) -> None:
    """Nhập kiểm kê của từng tỉnh (cũ) / import each old province's inventory."""
    for inv in api.import_files(db, files):
        console.print(tr(f"{inv.unit_name} ({inv.unit_code}): {len(inv.systems)} hệ thống",
                         f"{inv.unit_name} ({inv.unit_code}): {len(inv.systems)} systems"))


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


def _parse_overrides(values: list[str], note: str | None, by: str) -> list[Override]:
    out = []
    for value in values:
        system, _, action = value.partition("=")
        code = code_of("action", action)
        if not system or code is None:
            raise ConfigError("override must be SYSTEM=ACTION (keep|migrate|retire|readonly)", value=value)
        if not note:
            raise ConfigError("an override needs --note explaining it", value=value)
        out.append(Override(system_id=system, action=code, note=note, by=by, at=datetime.now().replace(microsecond=0)))
    return out


@app.command("evaluate")
@friendly_errors
def evaluate(db: Path = DB, config: Optional[Path] = CONFIG,
             override: list[str] = typer.Option([], "--override", help="SYSTEM=keep|migrate|retire|readonly"),
             note: Optional[str] = typer.Option(None, "--note", help=tr("Lý do điều chỉnh.", "Why you override.")),
             by: str = typer.Option("planner", "--by", help=tr("Người điều chỉnh.", "Who overrides.")),
             why: Optional[str] = typer.Option(None, "--why", help=tr("In lý do của một nhóm (vd. tthc).",
                                                                       "Print the reasons for one role (e.g. tthc)."))
             ) -> None:
    """Chấm điểm từng cặp và khuyến nghị / score each pair and recommend, with reasons."""
    api.run_evaluate(db, config, _parse_overrides(override, note, by))
    rows = decision_page(store.load_state(db))
    table = Table(tr("Hệ thống", "System"), tr("Điểm", "Score"), tr("Quyết định", "Decision"),
                  tr("Chi phí trong kỳ", "Horizon cost"), tr("Điều chỉnh", "Override"))
    for r in rows:
        table.add_row(f"{r.system.id} {r.system.name}", f"{r.decision.total:.2f}", r.action_label,
                      _money(r.decision.horizon_cost), r.decision.override_note or "")
    console.print(table)
    for r in rows if why else []:
        if r.decision.pair_key == why:
            console.print(f"[bold]{r.system.id}: {r.action_label}[/]")
            for reason in r.reasons:
                console.print(f"  • {reason}", highlight=False)


@app.command("plan")
@friendly_errors
def plan(db: Path = DB, config: Optional[Path] = CONFIG,
         xlsx: Optional[Path] = typer.Option(None, "--xlsx", help=tr("Xuất lộ trình ra Excel.", "Export to Excel.")),
         svg: Optional[Path] = typer.Option(None, "--svg", help=tr("Xuất biểu đồ Gantt (SVG).", "Gantt chart (SVG).")),
         link: list[str] = typer.Option([], "--link", help=tr("Gắn lượt chạy: TASK=RUN_ID.", "Link a run: TASK=RUN_ID.")),
         ) -> None:
    """Lập lộ trình từ các quyết định / build the roadmap from the decisions."""
    api.run_plan(db, config)
    for value in link:
        task_id, _, run_id = value.partition("=")
        api.link_pipeline_run(db, task_id, run_id)
    state = store.load_state(db)
    page = roadmap_page(state)
    table = Table(tr("Mã", "Id"), tr("Công việc", "Task"), tr("Chủ trì", "Owner"), tr("Hạn", "Due"),
                  tr("Kinh phí", "Budget"), tr("Lượt chạy", "Runs"))
    for t in page["tasks"]:
        table.add_row(t.id, tr(t.title_vi, t.title_en), t.owner, f"{t.due:%d/%m/%Y}" + (" !" if t.urgent else ""),
                      _money(t.budget), ", ".join(t.run_ids))
    console.print(table)
    console.print(tr(f"Tổng kinh phí: {vnd_vi(page['budget_total'])}", f"Total budget: {vnd_en(page['budget_total'])}"))
    if page["not_ready"]:
        console.print(tr("[red]Hệ thống gấp chưa kịp ngày hợp nhất:[/] ", "[red]Urgent, not ready on day one:[/] ")
                      + ", ".join(t.id for t in page["not_ready"]))
    if xlsx:
        write_roadmap_workbook(state, xlsx)
    if svg:
        svg.write_text(page["gantt_svg"], encoding="utf-8")


@app.command("status")
@friendly_errors
def status(db: Path = DB, today: Optional[datetime] = TODAY,
           set_: list[str] = typer.Option([], "--set", help=tr("Cập nhật: TASK=todo|doing|done|blocked[:PHẦN_TRĂM]",
                                                               "Update: TASK=todo|doing|done|blocked[:PERCENT]")),
           note: str = typer.Option("", "--note", help=tr("Ghi chú cập nhật.", "Note for the update."))) -> None:
    """Tiến độ, trễ hạn, cảnh báo / task status, progress and overdue alerts."""
    day = today.date() if today else date.today()
    for value in set_:
        task_id, _, rest = value.partition("=")
        state_name, _, pct = rest.partition(":")
        api.set_status(db, task_id, state_name, float(pct or (100 if state_name == "done" else 0)), day, note)
    page = monitor_page(store.load_state(db), day)
    c = page.counts
    console.print(tr(f"Hoàn thành {c['done']}/{c['total']} · trễ {c['late']} · nguy cơ {c['risk']}",
                     f"Done {c['done']}/{c['total']} · late {c['late']} · at risk {c['risk']}"))
    table = Table(tr("Mức", "Level"), tr("Cảnh báo", "Alert"))
    for a in page.alerts:
        table.add_row(a.severity, tr(a.vi, a.en))
    console.print(table)
    for d in page.digitisation:
        console.print(tr(f"Số hóa hộ tịch {page.unit_names.get(d.unit_code)}: {d.share:.0%}, "
                         f"{len(d.below_threshold)} xã dưới 1%",
                         f"Civil-status digitisation {page.unit_names.get(d.unit_code)}: {d.share:.0%}, "
                         f"{len(d.below_threshold)} communes below 1%"))


@app.command("report")
@friendly_errors
def report(db: Path = DB, today: Optional[datetime] = TODAY,
           html: Optional[Path] = typer.Option(Path("catalog-report.html"), "--html", help="HTML output."),
           pdf: Optional[Path] = typer.Option(None, "--pdf", help=tr("PDF (một trang).", "PDF output (one page)."))
           ) -> None:
    """Báo cáo một trang cho tổ giám sát (HTML, PDF) / one-page report for the monitoring team."""
    api.write_report(db, today.date() if today else date.today(), html, pdf)
    console.print(tr(f"Đã ghi báo cáo: {html or ''} {pdf or ''}", f"Report written: {html or ''} {pdf or ''}"))
