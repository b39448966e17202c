"""The catalog's use cases over the store, shared by the CLI and the web app.

import → evaluate (with overrides) → plan → status / link runs → report. Each step reads the store, runs the pure
functions of its module and writes its result back.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path

from hopnhat.catalog import store
from hopnhat.catalog.errors import CatalogError, InventoryError, PlanError
from hopnhat.catalog.evaluate import apply_overrides, evaluate, overrides_from_settings
from hopnhat.catalog.html import explanations_html, report_html, write_pdf, write_report_pdf
from hopnhat.catalog.importer import read_inventories
from hopnhat.catalog.model import Decision, Inventory, Override, Task, TaskStatus
from hopnhat.catalog.monitor import ProgressHook, SourceView, no_progress
from hopnhat.catalog.resolve import resolve_settings, resolve_system
from hopnhat.catalog.roadmap import build_roadmap, link_run
from hopnhat.catalog.settings import CatalogSettings, load_settings
from hopnhat.catalog.views import explanation, explanations, monitor_page
from hopnhat.i18n import tr
from hopnhat.io.outputs import write_bytes


def import_files(db: Path, paths: Sequence[Path]) -> list[Inventory]:
    """Validate every file first (all errors at once per file), then store them; one province given twice in one
    import is refused (neither would silently replace the other). Importing a province again later replaces it."""
    loaded = [(p, inv, digit) for p in paths for inv, digit in read_inventories(p)]
    seen: dict[str, Path] = {}
    for path, inventory, _ in loaded:
        if inventory.unit_code in seen:
            raise InventoryError(tr(f"tỉnh {inventory.unit_code} có hai tệp kiểm kê trong cùng một lần nhập",
                                    f"province {inventory.unit_code} is given twice in one import"),
                                 source=str(path), value=inventory.unit_code,
                                 reason=tr(f"đã có trong {seen[inventory.unit_code]}; gộp thành một tệp hoặc sửa "
                                           "mã tỉnh ở ô B2", f"also in {seen[inventory.unit_code]}; merge them or fix "
                                           "the province code in B2"))
        seen[inventory.unit_code] = Path(path)
    for path, inventory, digitisation in loaded:
        store.save_inventory(db, inventory, digitisation, source=Path(path).name)
    return [inv for _, inv, _ in loaded]


def _settings(db: Path, config: Path | None) -> CatalogSettings:
    if config is not None:
        settings = load_settings(config)
        store.save_settings(db, settings)
        return settings
    return store.load_state(db).settings


def run_evaluate(db: Path, config: Path | None = None, overrides: Sequence[Override] = (),
                 now: datetime | None = None) -> list[Decision]:
    """Score every pair, record the overrides (from the merger file and given here) and store the decisions."""
    raw = _settings(db, config)
    now = now or datetime.now().replace(microsecond=0)
    state = store.load_state(db)
    if not state.inventories:
        raise CatalogError(tr("chưa nhập kiểm kê nào: chạy 'hopnhat catalog import' trước",
                              "no inventory imported yet: run 'hopnhat catalog import' first"), source=str(db))
    settings = resolve_settings(raw, state, str(config) if config else None)
    new = [o.model_copy(update={"system_id": resolve_system(state, o.system_id).key}) for o in overrides]
    new = [*overrides_from_settings(settings, now), *new]
    known = {(o.system_id, o.action, o.note) for o in state.overrides}
    history = [*state.overrides, *(o for o in new if (o.system_id, o.action, o.note) not in known)]
    decisions = apply_overrides(evaluate(state.pairs, settings), history, state.systems, settings)  # may refuse
    store.add_overrides(db, new)
    store.save_decisions(db, decisions)
    return decisions


def run_plan(db: Path, config: Path | None = None) -> list[Task]:
    state = store.load_state(db)
    settings = resolve_settings(_settings(db, config), state, str(config) if config else None)
    if not state.decisions:
        raise PlanError(tr("chưa có quyết định: chạy 'hopnhat catalog evaluate' trước",
                           "no decisions yet: run 'hopnhat catalog evaluate' first"), source=str(db))
    tasks = build_roadmap(state.decisions, state.systems, settings)
    kept_runs = {t.id: t.run_ids for t in state.tasks}
    tasks = [t.model_copy(update={"run_ids": kept_runs.get(t.id, [])}) for t in tasks]
    store.save_tasks(db, tasks)
    return tasks


def set_status(db: Path, task_id: str, state_name: str, percent: float, at: date, note: str = "") -> TaskStatus:
    known = [t.id for t in store.load_state(db).tasks]
    if task_id not in known:
        raise PlanError(tr("không có nhiệm vụ này", "no such task"), table="tasks", row=task_id,
                        reason=tr("các mã nhiệm vụ: ", "task ids: ") + ", ".join(known))
    status = TaskStatus(task_id=task_id, state=state_name, percent=percent, at=at, note=note)
    store.add_status(db, status)
    return status


def link_pipeline_run(db: Path, task_id: str, run_id: str) -> None:
    link_run(store.load_state(db).tasks, task_id, run_id)  # validates the task
    store.add_run_link(db, task_id, run_id)


def write_report(db: Path, today: date, html_path: Path | None, pdf_path: Path | None,
                 hook: ProgressHook = no_progress, sources: Sequence[SourceView] = ()) -> str:
    """The one-page monitoring report; with a PDF, the lists are shortened until it is one page (HTML alike)."""
    page = monitor_page(store.load_state(db), today, hook, sources)
    if pdf_path:
        return write_report_pdf(page, html_path, Path(pdf_path))
    html = report_html(page)
    if html_path:
        write_bytes(html_path, html.encode("utf-8"))
    return html


def write_explanations(db: Path, html_path: Path | None, pdf_path: Path | None, role: str | None = None) -> str:
    """The committee's per-criterion explanation of every role (or one), as HTML and/or PDF."""
    state = store.load_state(db)
    tables = [explanation(state, role)] if role else explanations(state)
    html = explanations_html(tables)
    if html_path:
        write_bytes(html_path, html.encode("utf-8"))
    if pdf_path:
        write_pdf(html, Path(pdf_path))
    return html
