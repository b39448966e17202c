"""Each legacy source of a merger and where it stands — live, syncing, frozen, cut over — for the monitoring (the
catalog's monitor, ``hopnhat catalog status``, the web app's catalog page).

Recorded states come from the catalog (a cut-over writes them); a source with none is *syncing* once a run has
moved its data into the store, else *live*.
"""

from __future__ import annotations

from hopnhat.catalog import store as catalog_store
from hopnhat.catalog.monitor import SourceView, source_views
from hopnhat.catalog.state import CatalogState
from hopnhat.load.store import connect
from hopnhat.project.config import Project
from hopnhat.reconcile.progress import catalog_system


def _moved(project: Project) -> set[str]:
    """Sources with rows read by a finished run (none when there is no store yet)."""
    if not project.store_path.exists():
        return set()
    con = connect(project.store_path, read_only=True)
    try:
        found = con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'reconciliation'").fetchone()
        if not found or not found[0]:
            return set()
        return {r[0] for r in con.execute("SELECT DISTINCT src_source FROM reconciliation WHERE read > 0").fetchall()}
    finally:
        con.close()


def source_overview(project: Project, state: CatalogState | None = None) -> list[SourceView]:
    """Every source of the merger file with its state (``state``: the catalog, read here when not given)."""
    if state is None:
        path = project.catalog_path
        state = catalog_store.load_state(path) if path.is_file() else CatalogState()
    moved = _moved(project)
    return source_views(state, {s.name: (catalog_system(s), s.name in moved) for s in project.config.sources})
