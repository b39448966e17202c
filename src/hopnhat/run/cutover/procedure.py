"""The cut-over of one legacy source: freeze → last run → reconcile at the freeze point → signed report → catalog.

1. **freeze**: the source's final snapshot (:mod:`.snapshot`) is recorded with its time (``at``, default now); the
   catalog shows the source *frozen*.
2. **run**: the source must still be as frozen; the last migration run (the runner's public ``migrate``: a delta run
   where the runner does deltas) moves what changed since the previous run; the source must still be as frozen after
   it — so the store holds exactly the frozen snapshot.
3. **reconcile**: the source's books in the published store (read = loaded + merged + quarantined, checksums) must
   balance for every table; the quarantine is counted by table and reason.
4. **report**: signed (:mod:`.report`), written beside (``report.json``, ``report.html``).
5. **mark**: the cut-over's entry is appended to the project's keyed audit chain (:mod:`.audit`; not for a
   rehearsal's copy: :mod:`.rehearsal` writes its entry to the real project's chain); the catalog records the
   source *cut over* (read-only); when every source of its catalog system is cut over, the system's data-migration
   task (linked to the run) and its read-only task are marked done.

Each step is recorded in the cut-over's folder (:mod:`.folder`): a cut-over killed at any point is resumed by
running it again (the runner resumes its own run). Refusals are loud (:class:`CutoverRefused`) and kept as state:
a source changed after its freeze (the freeze is set aside, the source goes back to *syncing*), books that do not
balance (the source stays *frozen* until a cut-over balances).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from hopnhat.catalog import api as catalog_api
from hopnhat.catalog import store as catalog_store
from hopnhat.catalog.model import SourceState
from hopnhat.errors import ConfigError, HopnhatError
from hopnhat.i18n import tr
from hopnhat.load.store import connect
from hopnhat.project.config import Project, SourceSpec
from hopnhat.reconcile.books import Balance, books
from hopnhat.reconcile.progress import catalog_system, sources_of
from hopnhat.run.cutover.audit import record_cutover
from hopnhat.run.cutover.folder import Folder, cutover_dir
from hopnhat.run.cutover.report import Signer, report_html, signed
from hopnhat.run.cutover.snapshot import differences, snapshot
from hopnhat.run.progress import Progress
from hopnhat.run.runner import migrate

STEPS = ("freeze", "run", "reconcile", "report", "mark")


class CutoverRefused(HopnhatError):
    """The cut-over was refused (the source changed after its freeze, or the books do not balance)."""


@dataclass
class CutoverOptions:
    signed_by: str
    at: datetime | None = None  # the freeze point (default: when the freeze is taken)
    workers: int = 1
    link: bool = True
    rehearsal: bool = False
    on_step: Callable[[str], None] = lambda step: None
    progress: Progress = field(default_factory=Progress)


@dataclass
class CutoverResult:
    source: str
    folder: Path
    document: dict[str, Any]  # the signed report
    seconds: float = 0.0
    steps: dict[str, float] = field(default_factory=dict)  # seconds per step (this call)
    already: bool = False  # the source was cut over before: nothing done, its report returned
    audit_seq: int | None = None  # the cut-over's entry in the audit chain (None: a rehearsal that wrote none)

    @property
    def report(self) -> dict[str, Any]:
        return dict(self.document["report"])


def find_source(project: Project, name: str) -> SourceSpec:
    source = next((s for s in project.config.sources if s.name == name), None)
    if source is None:
        raise ConfigError(tr("không có nguồn này trong tệp sáp nhập", "no such source in the merger file"),
                          source=str(project.path), value=name,
                          reason=tr("các nguồn: ", "sources: ") + ", ".join(s.name for s in project.config.sources))
    return source


def check_catalog(project: Project) -> None:
    """The cut-over records its state in the catalog: there must be one (``hopnhat catalog import``)."""
    if not project.catalog_path.is_file():
        raise ConfigError(tr("chưa có kho danh mục: chạy 'hopnhat catalog import' (kiểm kê) trước khi chuyển đổi",
                             "no catalog store: run 'hopnhat catalog import' (the inventory) before a cut-over"),
                          source=str(project.catalog_path))


def _state(project: Project, source: SourceSpec, state: str, by: str, note: str = "", report: str = "") -> None:
    catalog_store.add_source_state(project.catalog_path, SourceState(
        source=source.name, system_id=catalog_system(source), state=state, at=datetime.now().replace(microsecond=0),
        by=by, note=note, report=report))


# ---------------------------------------------------------------------------------------------- steps

def _freeze(project: Project, source: SourceSpec, folder: Folder, opts: CutoverOptions) -> dict[str, Any]:
    frozen = folder.read("freeze.json")
    if frozen is not None and folder.done("freeze"):
        return frozen
    at = opts.at or datetime.now().replace(microsecond=0)
    frozen = folder.read("freeze.json") or {"source": source.name, "frozen_at": at.isoformat(timespec="seconds"),
                                            "by": opts.signed_by, "snapshot": snapshot(project, source)}
    folder.write("freeze.json", frozen)
    _state(project, source, "frozen", opts.signed_by, tr(f"đóng băng lúc {frozen['frozen_at']}",
                                                         f"frozen at {frozen['frozen_at']}"))
    folder.mark("freeze")
    return frozen


def _still_frozen(project: Project, source: SourceSpec, folder: Folder, frozen: dict[str, Any], by: str,
                  when: str) -> None:
    changed = differences(frozen["snapshot"], snapshot(project, source))
    if not changed:
        return
    folder.refused(changed, unfreeze=True)
    note = tr(f"từ chối: nguồn đã thay đổi sau khi đóng băng ({when})", f"refused: changed after the freeze ({when})")
    _state(project, source, "syncing", by, note)
    raise CutoverRefused(tr("nguồn đã thay đổi sau khi đóng băng: chuyển đổi bị từ chối; đóng băng lại rồi chạy lại",
                            "the source changed after its freeze: cut-over refused; freeze again and rerun"),
                         source=source.name, value="; ".join(changed[:5]),
                         reason=tr(f"{len(changed)} mục khác ảnh chụp lúc đóng băng",
                                   f"{len(changed)} items differ from the freeze snapshot"))


def _run(project: Project, source: SourceSpec, folder: Folder, frozen: dict[str, Any],
         opts: CutoverOptions) -> dict[str, Any]:
    if folder.done("run"):
        return folder.steps["run"]
    _still_frozen(project, source, folder, frozen, opts.signed_by, tr("trước lượt chạy cuối", "before the last run"))
    result = migrate(project, progress=opts.progress, link=opts.link, workers=opts.workers, lookup_index=True)
    _still_frozen(project, source, folder, frozen, opts.signed_by, tr("trong lượt chạy cuối", "during the last run"))
    moved = [{"table": c.table, "mode": c.mode, "note": c.note, "read": c.read, "unchanged": c.unchanged,
              "inserted": c.inserted, "updated": c.updated, "deleted": c.deleted, "merged": c.merged,
              "quarantined": c.quarantined} for c in result.loaded if c.source == source.name]
    folder.mark("run", run_id=result.run_id, version=result.version, tables=moved)
    return folder.steps["run"]


def _quarantine(project: Project, source: SourceSpec) -> list[dict[str, Any]]:
    con = connect(project.store_path, read_only=True)
    try:
        rows = con.execute("SELECT src_table, reason_code, count(*) FROM quarantine WHERE src_source = ? "
                           "GROUP BY 1, 2 ORDER BY 1, 2", [source.name]).fetchall()
    finally:
        con.close()
    return [{"table": t, "reason": r, "rows": int(n)} for t, r, n in rows]


def _books(project: Project, source: SourceSpec) -> list[Balance]:
    con = connect(project.store_path, read_only=True)
    try:
        return [b for b in books(con, project) if b.source == source.name]
    finally:
        con.close()


def _reconcile(project: Project, source: SourceSpec, folder: Folder, opts: CutoverOptions) -> list[Balance]:
    balances = _books(project, source)
    wrong = [b for b in balances if not b.balanced]
    if wrong or not balances:
        reasons = [f"{b.table}: read {b.read} ≠ {b.accounted}" + (f" ({b.error})" if b.error else "") for b in wrong]
        folder.refused(reasons or ["no books"], unfreeze=False)
        _state(project, source, "frozen", opts.signed_by, tr("từ chối: sổ sách không cân đối",
                                                             "refused: the books do not balance"))
        raise CutoverRefused(tr("sổ sách của nguồn không cân đối tại điểm đóng băng: chuyển đổi bị từ chối",
                                "the source's books do not balance at the freeze point: cut-over refused"),
                             source=source.name, value="; ".join(reasons[:5]) or tr("không có sổ sách", "no books"),
                             reason=tr("sửa ánh xạ/nguồn rồi chạy lại 'hopnhat cutover' (nguồn vẫn đóng băng)",
                                       "fix the mapping and rerun 'hopnhat cutover' (the source stays frozen)"))
    folder.mark("reconcile", tables=len(balances))
    return balances


def _system_done(project: Project, source: SourceSpec) -> bool:
    """Every source of this source's catalog system cut over (this one counted as done)."""
    system = catalog_system(source)
    latest = catalog_store.load_state(project.catalog_path).latest_source_states()
    others = [s for s in sources_of(project, system) if s != source.name] if system else []
    return all(latest.get(s) is not None and latest[s].state == "cut_over" for s in others)


def _document(project: Project, source: SourceSpec, frozen: dict[str, Any], run: dict[str, Any],
              balances: list[Balance], opts: CutoverOptions, signer: Signer) -> dict[str, Any]:
    report = {"merger": str(project.path), "source": source.name, "system": source.system,
              "system_id": catalog_system(source), "frozen_at": frozen["frozen_at"],
              "cut_over_at": datetime.now().isoformat(timespec="seconds"), "signed_by": opts.signed_by,
              "rehearsal": opts.rehearsal, "run_id": run.get("run_id"), "store_version": run.get("version"),
              "snapshot": frozen["snapshot"], "last_run": run.get("tables", []),
              "books": [{**b.as_dict(), "balanced": b.balanced} for b in balances],
              "moved": {"read": sum(b.read for b in balances), "loaded": sum(b.loaded for b in balances),
                        "merged": sum(b.merged for b in balances),
                        "quarantined": sum(b.quarantined for b in balances)},
              "quarantine": _quarantine(project, source),
              "system_read_only": _system_done(project, source)}
    return signed(report, signer)


def _report(project: Project, source: SourceSpec, folder: Folder, frozen: dict[str, Any], run: dict[str, Any],
            balances: list[Balance], opts: CutoverOptions, signer: Signer) -> dict[str, Any]:
    if folder.done("report"):
        return folder.read("report.json") or {}
    document = _document(project, source, frozen, run, balances, opts, signer)
    folder.write("report.json", document)
    folder.write_text("report.html", report_html(document))
    folder.mark("report")
    return document


def _mark(project: Project, source: SourceSpec, folder: Folder, document: dict[str, Any],
          opts: CutoverOptions, signer: Signer) -> int | None:
    report = document["report"]
    seq = None if opts.rehearsal else record_cutover(project, signer, document, folder.path / "report.json")
    _state(project, source, "cut_over", opts.signed_by, tr("đã chuyển đổi; hệ thống cũ chỉ đọc",
                                                           "cut over; the legacy system is read-only"),
           str(folder.path / "report.json"))
    system = report["system_id"]
    if report["system_read_only"] and system:
        tasks = {t.id for t in catalog_store.load_state(project.catalog_path).tasks}
        day = datetime.fromisoformat(report["cut_over_at"]).date()
        note = tr(f"chuyển đổi xong, ký bởi {opts.signed_by}", f"cut over, signed by {opts.signed_by}")
        for kind in ("migrate_data", "readonly"):
            if f"{system}:{kind}" in tasks:
                catalog_api.set_status(project.catalog_path, f"{system}:{kind}", "done", 100, day, note)
        if f"{system}:migrate_data" in tasks and report["run_id"]:
            catalog_api.link_pipeline_run(project.catalog_path, f"{system}:migrate_data", report["run_id"])
    folder.mark("mark", audit_seq=seq)
    return seq


# ---------------------------------------------------------------------------------------------- the whole

@contextmanager
def _timed(steps: dict[str, float], name: str, opts: CutoverOptions) -> Iterator[None]:
    opts.on_step(name)
    start = time.perf_counter()
    yield
    steps[name] = round(time.perf_counter() - start, 3)


def cutover(project: Project, source_name: str, signer: Signer, opts: CutoverOptions) -> CutoverResult:
    """Cut one source over (or resume its cut-over); :class:`CutoverRefused` when it must not be."""
    source = find_source(project, source_name)
    check_catalog(project)
    folder = Folder(cutover_dir(project, source.name))
    if folder.done("mark"):
        return CutoverResult(source.name, folder.path, folder.read("report.json") or {}, already=True,
                             audit_seq=folder.steps["mark"].get("audit_seq"))
    start, steps = time.perf_counter(), dict[str, float]()
    with _timed(steps, "freeze", opts):
        frozen = _freeze(project, source, folder, opts)
    with _timed(steps, "run", opts):
        run = _run(project, source, folder, frozen, opts)
    with _timed(steps, "reconcile", opts):
        balances = _reconcile(project, source, folder, opts)
    with _timed(steps, "report", opts):
        document = _report(project, source, folder, frozen, run, balances, opts, signer)
    with _timed(steps, "mark", opts):
        seq = _mark(project, source, folder, document, opts, signer)
    return CutoverResult(source.name, folder.path, document, time.perf_counter() - start, steps, audit_seq=seq)
