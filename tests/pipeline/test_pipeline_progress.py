"""The catalog's migration tasks measure their progress from the store (reconciliation, quarantine, review queue)."""

from __future__ import annotations

from datetime import date

from hopnhat.catalog.model import Task
from hopnhat.catalog.monitor import no_progress, task_view
from hopnhat.project.config import Project
from hopnhat.reconcile.progress import catalog_system, store_progress_hook
from hopnhat.run.runner import RunResult


def _task(system_id: str) -> Task:
    return Task(id=f"{system_id}:migrate_data", system_id=system_id, kind="migrate_data", title_vi="Chuyển dữ liệu",
                title_en="Migrate data", owner="Sở KH&CN", start=date(2025, 6, 1), due=date(2025, 8, 31))


def test_sources_are_matched_to_catalog_systems(migrated: tuple[Project, RunResult]) -> None:
    project, _ = migrated
    systems = {s.name: catalog_system(s) for s in project.config.sources}
    assert systems["quangnam_tthc"] == "49-TTHC" and systems["danang_dancu"] == "48-CSDL-CIVIL_STATUS"
    assert systems["quangnam_dat_dai"] == "49-CSDL-LAND" and systems["danang_can_bo"] == "48-CSDL-CIVIL_SERVANT"


def test_task_progress_comes_from_the_run(migrated: tuple[Project, RunResult]) -> None:
    project, result = migrated
    hook = store_progress_hook(project)
    progress = hook(_task("49-TTHC"))
    read = sum(b.read for b in result.balances if b.source == "quangnam_tthc")
    quarantined = sum(b.quarantined for b in result.balances if b.source == "quangnam_tthc")
    assert progress is not None
    assert progress.rows_read == read and progress.rows_accounted == read
    assert progress.quarantine_left == quarantined > 0
    view = task_view(_task("49-TTHC"), None, date(2025, 7, 10), hook)
    assert view.source == "pipeline" and view.state == "doing"  # quarantine left: not done yet
    assert task_view(_task("49-TTHC"), None, date(2025, 7, 10), no_progress).source == "none"
    assert hook(_task("48-EMAIL")) is None  # no source of the merger file comes from that system
