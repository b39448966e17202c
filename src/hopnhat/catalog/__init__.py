"""Catalog: inventory → evaluate → plan → roadmap → monitor, beside the migration flow.

Modules, in flow order: ``kinds`` (vocabularies), ``model`` (Pydantic models), ``columns``/``workbook``/``importer``
(Excel template and import, YAML import), ``pairing``, ``settings`` (the ``catalog:`` section of merger.yaml — its
keys are documented there), ``security`` (Decree 85), ``criteria``/``evaluate`` (scores, decisions, overrides),
``roadmap``/``gantt``/``export``, ``monitor`` (progress hook, alerts, digitisation, cost), ``store`` (DuckDB),
``views`` (page data) and ``html`` (renderer, report, PDF), ``api`` (use cases shared by CLI and web app).

For the web app: open the store with :func:`load_state` (read-only), then
``inventory_page(state)``, ``decision_page(state, pair_key=None)``, ``roadmap_page(state, today)``,
``monitor_page(state, today, hook)``; render with ``render_inventory``, ``render_decisions``, ``render_roadmap``
and ``report_html`` (or your own templates over the same data).
"""

from hopnhat.catalog.api import import_files, link_pipeline_run, run_evaluate, run_plan, set_status, write_report
from hopnhat.catalog.html import render_decisions, render_inventory, render_roadmap, report_html, write_pdf
from hopnhat.catalog.monitor import MigrationProgress, ProgressHook, no_progress
from hopnhat.catalog.settings import CatalogSettings, load_settings
from hopnhat.catalog.state import CatalogState
from hopnhat.catalog.store import load_state
from hopnhat.catalog.views import decision_page, inventory_page, monitor_page, roadmap_page

__all__ = [
    "CatalogSettings", "CatalogState", "MigrationProgress", "ProgressHook", "decision_page", "import_files",
    "inventory_page", "link_pipeline_run", "load_settings", "load_state", "monitor_page", "no_progress",
    "render_decisions", "render_inventory", "render_roadmap", "report_html", "roadmap_page", "run_evaluate",
    "run_plan", "set_status", "write_pdf", "write_report",
]
