"""The catalog pages (inventory, decisions with reasons and the override form, roadmap with its Gantt, monitoring),
built on ``hopnhat.catalog``'s page data and renderers; migration progress measured from the store the app serves.

The catalog lives in its own DuckDB file (``--catalog``, default ``<merger dir>/catalog.duckdb``). Reads open it
read-only per request; a planner's override is the one write (recorded in the catalog's append-only ``overrides``
history, then the roadmap is re-planned) — one lock keeps the two from overlapping in this process.
"""

from __future__ import annotations

import threading
from datetime import date, datetime
from pathlib import Path
from typing import Any, cast

from hopnhat.catalog import api, store
from hopnhat.catalog.html import render_decisions, render_inventory, render_roadmap
from hopnhat.catalog.kinds import ACTIONS, ActionCode, label
from hopnhat.catalog.model import Override, Task
from hopnhat.catalog.monitor import MigrationProgress, SourceView, source_views
from hopnhat.catalog.state import CatalogState
from hopnhat.catalog.views import decision_page, explanations, inventory_page, monitor_page, roadmap_page
from hopnhat.load.storedb import StoreReader
from hopnhat.project.config import Project
from hopnhat.reconcile.progress import catalog_system, sources_of


class CatalogPages:
    def __init__(self, path: Path, project: Project, reader: StoreReader) -> None:
        self.path, self.project, self.reader = Path(path), project, reader
        self._lock = threading.Lock()

    @property
    def available(self) -> bool:
        return self.path.is_file()

    def state(self) -> CatalogState:
        with self._lock:
            return store.load_state(self.path)

    def progress(self, task: Task) -> MigrationProgress | None:
        """Books of the sources of the task's system in the latest finished run (as ``reconcile.progress``)."""
        if task.kind != "migrate_data" or not task.system_id:
            return None
        sources = sources_of(self.project, task.system_id)
        if not sources:
            return None
        runs = self.reader.rows("SELECT run_id FROM runs WHERE status = 'done' ORDER BY finished_at DESC", limit=1)
        if not runs:
            return None
        marks = ", ".join("?" for _ in sources)
        books = self.reader.rows(
            f"SELECT coalesce(sum(read), 0) AS r, coalesce(sum(loaded + merged + quarantined), 0) AS a, "
            f"coalesce(sum(quarantined), 0) AS q FROM reconciliation WHERE run_id = ? AND src_source IN ({marks})",
            [runs[0]["run_id"], *sources])[0]
        review = self.reader.rows(
            f"SELECT count(*) AS n FROM review_items i WHERE NOT EXISTS (SELECT 1 FROM review_decisions d "
            f"WHERE d.item_key = i.item_key) AND split_part(i.record_id_l, '/', 1) IN ({marks})", sources)[0]["n"]
        return MigrationProgress(int(books["r"]), int(books["a"]), int(books["q"]), int(review))

    def inventory_html(self) -> str:
        return render_inventory(inventory_page(self.state()))

    def decisions(self) -> tuple[str, list[dict[str, Any]]]:
        """Per role: the per-criterion table (criterion, weight, each system's score, the inventory cells), then each
        system's decision and reasons; the systems for the override form, by their province-qualified key."""
        state = self.state()
        rows = decision_page(state)
        systems = [{"id": r.system.key, "name": r.system.name, "action": r.decision.action,
                    "action_label": r.action_label, "overridden": r.overridden} for r in rows]
        return render_decisions(rows, explanations(state)), systems

    def roadmap_html(self, today: date) -> str:
        return render_roadmap(roadmap_page(self.state(), today))

    def sources(self, state: CatalogState) -> list[SourceView]:
        """The merger's legacy sources: live / syncing / frozen / cut over (recorded by ``hopnhat cutover``; else
        syncing once a run in the served store moved the source's data)."""
        moved: set[str] = set()
        if "reconciliation" in self.reader.tables("main"):
            moved = {r["s"] for r in self.reader.rows("SELECT DISTINCT src_source AS s FROM reconciliation "
                                                      "WHERE read > 0")}
        return source_views(state, {s.name: (catalog_system(s), s.name in moved) for s in self.project.config.sources})

    def monitor(self, today: date) -> Any:
        state = self.state()
        return monitor_page(state, today, self.progress, self.sources(state))

    def override(self, system_id: str, action: str, note: str, user: str, run_both: bool = False) -> None:
        """Record a planner's override (with the note), re-evaluate and re-plan. Keeping a second system of a role is
        refused (a clear error) unless ``run_both`` says it is on purpose."""
        ov = Override(system_id=system_id, action=cast(ActionCode, action), note=note.strip(), by=user,
                      at=datetime.now().replace(microsecond=0), run_both=run_both and action == "keep")
        with self._lock:
            api.run_evaluate(self.path, overrides=[ov])
            api.run_plan(self.path)


def action_choices() -> list[tuple[str, str]]:
    return [(t.code, label("action", t.code)) for t in ACTIONS]
