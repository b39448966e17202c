"""Migration progress measured from real runs, for the catalog's monitoring (not typed by hand).

A catalog migration task concerns one system (``49-TTHC``); the merger file's sources say which system they come from
(``catalog_system``, or guessed from the system's name and province). The task's progress is the books of those
sources in the store: rows read, rows accounted for, quarantine left, review items left.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import duckdb

from hopnhat.catalog.model import Task
from hopnhat.catalog.monitor import MigrationProgress
from hopnhat.load.store import connect, one
from hopnhat.project.config import Project, SourceSpec
from hopnhat.text.normalize import fold

KINDS = (("tthc", "TTHC"), ("ho tich", "CSDL-CIVIL_STATUS"), ("dan cu", "CSDL-CIVIL_STATUS"),
         ("dat dai", "CSDL-LAND"), ("doanh nghiep", "CSDL-BUSINESS"), ("kinh doanh", "CSDL-BUSINESS"),
         ("can bo", "CSDL-CIVIL_SERVANT"), ("cong chuc", "CSDL-CIVIL_SERVANT"))


def catalog_system(source: SourceSpec) -> str | None:
    """The catalog system id a source belongs to."""
    if source.catalog_system:
        return source.catalog_system
    name = fold(source.system).lower()
    kind = next((k for word, k in KINDS if word in name), None)
    return f"{source.province}-{kind}" if kind and source.province else None


def sources_of(project: Project, system_id: str) -> list[str]:
    return [s.name for s in project.config.sources if catalog_system(s) == system_id]


def _progress(con: duckdb.DuckDBPyConnection, sources: list[str]) -> MigrationProgress | None:
    if not sources:
        return None
    marks = ", ".join("?" for _ in sources)
    run = con.execute("SELECT run_id FROM runs WHERE status = 'done' ORDER BY finished_at DESC LIMIT 1").fetchone()
    if run is None:
        return None
    read, accounted, quarantined = one(
        con, f"SELECT coalesce(sum(read), 0), coalesce(sum(loaded + merged + quarantined), 0), "
        f"coalesce(sum(quarantined), 0) FROM reconciliation WHERE run_id = ? AND src_source IN ({marks})",
        [run[0], *sources])
    review = one(
        con, f"SELECT count(*) FROM review_items i WHERE NOT EXISTS (SELECT 1 FROM review_decisions d WHERE "
        f"d.item_key = i.item_key) AND split_part(i.record_id_l, '/', 1) IN ({marks})", sources)[0]
    return MigrationProgress(int(read), int(accounted), int(quarantined), int(review))


def store_progress_hook(project: Project) -> Callable[[Task], MigrationProgress | None]:
    """A hook for the catalog monitor reading the merger's store (read-only) for each migration task."""
    path: Path = project.store_path

    def hook(task: Task) -> MigrationProgress | None:
        if task.kind != "migrate_data" or not task.system_id or not path.exists():
            return None
        con = connect(path, read_only=True)
        try:
            return _progress(con, sources_of(project, task.system_id))
        finally:
            con.close()

    return hook
