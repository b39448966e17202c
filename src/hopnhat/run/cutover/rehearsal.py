"""``--rehearse``: the whole cut-over on a copy of the project in a temporary folder, thrown away afterwards, timed.

The copy holds the merger file and everything beside it that a run reads or writes: the legacy files, the published
store version (as a plain file: the copy's first version), the catalog and the app database; not the other store
versions, the run and cut-over folders or the lookup indexes (the rehearsal builds its own). Database sources named
by a DSN are read in place, read-only (a freeze and a run never write a source). Nothing of the real project is
written: the catalog, the store and the cut-over folder of the real project are left as they were. The one thing
recorded in the real project is the rehearsal's entry in its audit chain (``cutover_rehearsal``, :mod:`.audit`), when
the project has an app database and the rehearsal is signed with its audit key (never with a throw-away key).
"""

from __future__ import annotations

import fnmatch
import os
import shutil
import tempfile
import time
from pathlib import Path

from hopnhat.errors import ConfigError
from hopnhat.i18n import tr
from hopnhat.project.config import Project, load_project
from hopnhat.run.cutover.audit import record_rehearsal
from hopnhat.run.cutover.procedure import CutoverOptions, CutoverResult, cutover
from hopnhat.run.cutover.report import Signer


def _inside(project: Project, path: Path) -> bool:
    return Path(os.path.abspath(path)).is_relative_to(Path(os.path.abspath(project.base)))


def _ignored(project: Project) -> list[str]:
    stem = project.store_path.stem
    return [f"{stem}-versions", f"{stem}-runs", f"{stem}-cutovers", "*-lookup-*", "*.wal", "*.part", "*.tmp",
            ".~hopnhat-*"]


def rehearsal_copy(project: Project, into: Path) -> Project:
    """A copy of the project under ``into`` (see the module docstring); the copy's merger file, loaded."""
    for what, path in (("store", project.store_path), ("catalog", project.catalog_path)):
        if not _inside(project, path):
            raise ConfigError(tr(f"diễn tập cần {what} nằm trong thư mục của tệp sáp nhập",
                                 f"a rehearsal needs the {what} inside the merger file's folder"), source=str(path))
    patterns = _ignored(project)

    def ignore(folder: str, names: list[str]) -> set[str]:
        return {n for n in names if any(fnmatch.fnmatch(n, p) for p in patterns)}

    target = into / "project"
    shutil.copytree(project.base, target, ignore=ignore, symlinks=False)
    return load_project(target / project.path.name)


def rehearse(project: Project, source_name: str, signer: Signer, opts: CutoverOptions) -> CutoverResult:
    """The cut-over on a throw-away copy; ``seconds`` is the whole rehearsal (copy included)."""
    start = time.perf_counter()
    opts.rehearsal = True
    with tempfile.TemporaryDirectory(prefix="hopnhat-rehearsal-") as tmp:
        copy = rehearsal_copy(project, Path(tmp))
        result = cutover(copy, source_name, signer, opts)
        result.audit_seq = record_rehearsal(project, signer, result.document, result.folder / "report.json")
    result.seconds = time.perf_counter() - start
    return result
