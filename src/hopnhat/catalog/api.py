"""The catalog's use cases over the store, shared by the CLI and the web app.

import → evaluate (with overrides) → plan → status / link runs → report. Each step reads the store, runs the pure
functions of its module and writes its result back.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path

from hopnhat.catalog import store
from hopnhat.catalog.errors import CatalogError, PlanError
from hopnhat.catalog.evaluate import apply_overrides, evaluate, overrides_from_settings
from hopnhat.catalog.html import report_html, write_pdf
from hopnhat.catalog.importer import read_inventory
from hopnhat.catalog.model import Decision, Inventory, Override, Task, TaskStatus
from hopnhat.catalog.monitor import ProgressHook, no_progress
from hopnhat.catalog.roadmap import build_roadmap, link_run
from hopnhat.catalog.settings import CatalogSettings, load_settings
from hopnhat.catalog.state import CatalogState
from hopnhat.catalog.views import monitor_page


def import_files(db: Path, paths: Sequence[Path]) -> list[Inventory]:
    """Validate every file first (all errors at once per file), then store them."""
    loaded = [(p, *read_inventory(p)) for p in paths]
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
    settings = _settings(db, config)
    now = now or datetime.now().replace(microsecond=0)
    state = store.load_state(db)
    if not state.inventories:
        raise CatalogError("no inventory imported yet", source=str(db))
    _check_override_targets([*overrides_from_settings(settings, now), *overrides], state)
    store.add_overrides(db, [*overrides_from_settings(settings, now), *overrides])
    recorded = store.load_state(db).overrides
    decisions = apply_overrides(evaluate(state.pairs, settings), recorded, state.systems, settings)
    store.save_decisions(db, decisions)
    return decisions


def _check_override_targets(overrides: Sequence[Override], state: CatalogState) -> None:
    for o in overrides:
        if o.system_id not in state.systems:
            raise CatalogError("override names an unknown system", table="overrides", value=o.system_id)


def run_plan(db: Path, config: Path | None = None) -> list[Task]:
    settings = _settings(db, config)
    state = store.load_state(db)
    if not state.decisions:
        raise PlanError("no decisions yet: run 'hopnhat catalog evaluate' first", source=str(db))
    tasks = build_roadmap(state.decisions, state.systems, settings)
    kept_runs = {t.id: t.run_ids for t in state.tasks}
    tasks = [t.model_copy(update={"run_ids": kept_runs.get(t.id, [])}) for t in tasks]
    store.save_tasks(db, tasks)
    return tasks


def set_status(db: Path, task_id: str, state_name: str, percent: float, at: date, note: str = "") -> TaskStatus:
    known = {t.id for t in store.load_state(db).tasks}
    if task_id not in known:
        raise PlanError("no such task", table="tasks", row=task_id)
    status = TaskStatus(task_id=task_id, state=state_name, percent=percent, at=at, note=note)
    store.add_status(db, status)
    return status


def link_pipeline_run(db: Path, task_id: str, run_id: str) -> None:
    link_run(store.load_state(db).tasks, task_id, run_id)  # validates the task
    store.add_run_link(db, task_id, run_id)


def write_report(db: Path, today: date, html_path: Path | None, pdf_path: Path | None,
                 hook: ProgressHook = no_progress) -> str:
    html = report_html(monitor_page(store.load_state(db), today, hook))
    if html_path:
        Path(html_path).parent.mkdir(parents=True, exist_ok=True)
        Path(html_path).write_text(html, encoding="utf-8")
    if pdf_path:
        write_pdf(html, Path(pdf_path))
    return html
