"""Demo steps: the legacy estate of the merger (synth) and the catalog (inventory → decisions → roadmap → report)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from hopnhat.catalog import api
from hopnhat.catalog.export import write_roadmap_workbook
from hopnhat.catalog.kinds import label
from hopnhat.catalog.store import load_state
from hopnhat.catalog.views import Explanation, explanation, roadmap_page
from hopnhat.i18n import tr
from hopnhat.project.config import Project
from hopnhat.synth import SynthSettings, generate
from hopnhat.synth.generate import SynthResult

DEMO_TODAY = date(2025, 7, 10)  # ten days after the merger took effect


@dataclass
class CatalogSummary:
    systems: int
    actions: Counter[str]
    tthc_reasons: list[str]
    tasks: int
    report_html: Path
    report_pdf: Path
    gantt_svg: Path
    tthc_explanation: Explanation | None = None  # the per-criterion table of the TTHC role
    roadmap_xlsx: Path | None = None  # LoTrinh (urgent first), QuyetDinh, GiaiTrinh (criteria and cells), KinhPhi
    explanation_html: Path | None = None  # every role's per-criterion table


def build_estate(scenario: str, scale: float, seed: int, out: Path) -> SynthResult:
    """The legacy systems of both old provinces, with their known truth and merger.yaml (the register's events read
    by their cursor column in delta runs)."""
    return generate(SynthSettings(scenario, scale, seed, out, cursor=True))


def run_catalog(estate_dir: Path, out: Path) -> CatalogSummary:
    """Import both provinces' inventories, evaluate every pair, plan the roadmap and write the one-page report."""
    db = estate_dir / "catalog.duckdb"  # beside merger.yaml, where the web app looks for it
    db.unlink(missing_ok=True)
    inventories = sorted(estate_dir.rglob("inventory-*.xlsx"))
    api.import_files(db, inventories)
    decisions = api.run_evaluate(db)
    tasks = api.run_plan(db)
    html, pdf = out / "catalog-report.html", out / "catalog-report.pdf"
    api.write_report(db, DEMO_TODAY, html, pdf)
    gantt = out / "roadmap-gantt.svg"
    state = load_state(db)
    gantt.write_text(roadmap_page(state, DEMO_TODAY)["gantt_svg"], encoding="utf-8")
    xlsx, explained = out / "catalog-roadmap.xlsx", out / "catalog-explanation.html"
    write_roadmap_workbook(state, xlsx)
    api.write_explanations(db, explained, None)
    tthc = [d for d in decisions if d.pair_key == "tthc"]
    reasons = [f"{d.system_id}: {label('action', d.action)} — {tr(d.reasons_vi[0], d.reasons_en[0])}"
               for d in tthc if d.reasons_vi and d.reasons_en]
    table = explanation(state, "tthc") if tthc else None
    return CatalogSummary(len(decisions), Counter(d.action for d in decisions), reasons, len(tasks), html, pdf, gantt,
                          table, xlsx, explained)


def link_runs_to_catalog(project: Project, out: Path, run_id: str) -> Path:
    """Link the run to the catalog's data-migration tasks of the systems it moved, and rewrite the monitoring report
    with progress measured from the store."""
    from hopnhat.reconcile.progress import catalog_system, store_progress_hook

    db = project.catalog_path
    systems = {catalog_system(s) for s in project.config.sources}
    for task in load_state(db).tasks:
        if task.kind == "migrate_data" and task.system_id in systems:
            api.link_pipeline_run(db, task.id, run_id)
    html, pdf = out / "catalog-report.html", out / "catalog-report.pdf"
    api.write_report(db, DEMO_TODAY, html, pdf, hook=store_progress_hook(project))
    return html
