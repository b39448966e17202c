"""hopnhat's own outputs in a scanned folder: never drafted as a legacy source.

A data engineer scans the folder the merger file lives in, often after a first run: beside the exports it then holds
the unified store, its published versions, the run folders (``quarantine.csv``, ``in_flight.csv``), the cut-over
reports, the content-addressed files, the catalog and the web app's database — accounts, sessions and the audit log.
Drafted as sources, the next run would load the store into itself and the app's password hashes and audit trail
into the unified store. Each is listed as skipped with the merger file it belongs to.

Where they are: every merger file found under the folder says (its ``store``, ``files`` and the folders named after
the store: :func:`outputs`); the draft's own merger file would put them under the project defaults beside it.
"""

from __future__ import annotations

from pathlib import Path

from hopnhat.errors import HopnhatError
from hopnhat.i18n import tr
from hopnhat.project.config import FilesSpec, MergerConfig, Project, StoreSpec, load_project

_MERGER_SUFFIXES = (".yaml", ".yml")
_BESIDE_STORE = ("-versions", "-runs", "-cutovers")  # folders named after the store (load.versions, run, cutover)
_BESIDE_APP = (".audit-key", ".write-lock", "-wal", "-shm", "-journal")  # the web app's database's own files
_MAX_MERGER_BYTES = 2_000_000


def outputs(project: Project) -> dict[Path, str]:
    """The paths (files and folders) a project's runs, web app and catalog write, each with why it is skipped."""
    store = project.store_path
    why = tr(f"đầu ra của hopnhat theo {project.path.name} (kho hợp nhất, lượt chạy, ứng dụng web, danh mục): "
             "không phải dữ liệu cũ", f"hopnhat's own output under {project.path.name} (the unified store, runs, "
             "web app, catalog): not legacy data")
    found = [store, store.with_name(store.name + ".wal"), project.catalog_path,
             project.resolve(project.config.files.path)]
    found += [store.parent / f"{store.stem}{suffix}" for suffix in _BESIDE_STORE]
    app = project.app_db_path  # and its lookup indexes (load.lookup_index: <app stem>-lookup-<store>-<version>)
    found += [app, *app.parent.glob(app.stem + "-lookup-*"), *(Path(f"{app}{s}") for s in _BESIDE_APP)]
    return {Path(p).resolve(): why for p in found}


def own_outputs(root: Path, output: Path) -> dict[Path, str]:
    """hopnhat's outputs under ``root``: those of every merger file found there, and those the draft ``output``
    would have with the project defaults beside it (``hopnhat.duckdb``, ``hopnhat-runs``…)."""
    found: dict[Path, str] = {}
    for path in sorted(p for p in root.rglob("*") if p.suffix.lower() in _MERGER_SUFFIXES and p.is_file()):
        project = _merger(path)
        if project is not None:
            found.update(outputs(project))
            found[path.resolve()] = tr("tệp sáp nhập (merger.yaml) của hopnhat", "a hopnhat merger file")
    found.update(outputs(_defaults(output)))
    return found


def skipped_as_own(path: Path, own: dict[Path, str]) -> str | None:
    """Why ``path`` is skipped as hopnhat's own output (it is one, or lies in a folder that is one), else None."""
    resolved = path.resolve()
    for candidate in (resolved, *resolved.parents):
        if candidate in own:
            return own[candidate]
    return None


def _merger(path: Path) -> Project | None:
    """The merger file at ``path`` loaded, or None where it is none (another YAML file, or one that does not load:
    the scan is of the data, a broken merger file is the user's own to fix)."""
    try:
        if path.stat().st_size > _MAX_MERGER_BYTES or b"sources:" not in path.read_bytes():
            return None
        return load_project(path)
    except (OSError, HopnhatError):
        return None


def _defaults(output: Path) -> Project:
    """A project at ``output`` with every path at its default: where the draft's runs would write."""
    config = MergerConfig.model_construct(store=StoreSpec(), files=FilesSpec())
    return Project(output.resolve(), config, {})
