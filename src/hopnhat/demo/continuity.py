"""Demo step: the old systems stay live after the first migration — three days of change in both provinces, a delta
run, then the cut-over of the absorbed province's TTHC system: rehearsed on a copy first, then for real (signed
report, catalog marked read-only)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table

from hopnhat.i18n import tr
from hopnhat.project.config import Project, load_project
from hopnhat.run.cutover import CutoverOptions, CutoverResult, Signer, cutover, rehearse, source_overview
from hopnhat.run.progress import Progress
from hopnhat.run.runner import RunResult, migrate
from hopnhat.synth.evolve import EvolveResult, evolve

DAYS = 3
SIGNED_BY = "Giám đốc Trung tâm CNTT (demo)"


@dataclass
class Continuity:
    evolved: EvolveResult
    delta: RunResult
    rehearsal: CutoverResult
    cutover: CutoverResult
    states: dict[str, str]


def cutover_source(project: Project) -> str:
    """The absorbed province's TTHC source: the urgent system cut over first."""
    absorbed = project.config.merged_unit.old_provinces[0]
    return next(s.name for s in project.config.sources if s.province == absorbed and s.kind == "ndjson")


def audit_signer(project: Project) -> Signer:
    """The project's audit key (created beside the app database on first use, as the web app does)."""
    from hopnhat.serve.app.settings import project_audit_key
    from hopnhat.serve.security.audit import key_id

    key = project_audit_key(project).encode("utf-8")
    return Signer(key, key_id(key))


def run_continuity(estate: Path, progress: Progress, workers: int = 2) -> Continuity:
    """Evolve the estate :data:`DAYS` days, run the delta, rehearse then cut over one source."""
    evolved = evolve(estate, DAYS)
    project = load_project(estate / "merger.yaml")
    delta = migrate(project, progress=progress, workers=workers, lookup_index=True)
    source, signer = cutover_source(project), audit_signer(project)
    rehearsal = rehearse(project, source, signer, CutoverOptions(SIGNED_BY, workers=workers, progress=progress))
    done = cutover(project, source, signer, CutoverOptions(SIGNED_BY, workers=workers, progress=progress))
    states = {v.source: v.state for v in source_overview(project)}
    return Continuity(evolved, delta, rehearsal, done, states)


def show(c: Continuity, console: Console) -> None:
    ops = {op: sum(1 for ch in c.evolved.changes if ch.op == op) for op in ("insert", "update", "delete")}
    console.print(tr(f"  {DAYS} ngày hệ thống cũ vẫn chạy: thêm {ops['insert']:,}, sửa {ops['update']:,}, xóa "
                     f"{ops['delete']:,} dòng (hồ sơ mới, đổi trạng thái, đính chính tên/số giấy tờ, lô khai sinh số "
                     f"hóa muộn) — đáp án: truth/changes.csv",
                     f"  {DAYS} more days of the live legacy systems: {ops['insert']:,} inserted, "
                     f"{ops['update']:,} updated, {ops['delete']:,} deleted rows (new dossiers, status changes, "
                     f"name/ID corrections, a late batch of scanned births) — truth: truth/changes.csv"),
                  highlight=False)
    table = Table(title=tr("Lượt chạy delta: chỉ dòng thay đổi đi qua sửa mã → ánh xạ → đơn vị",
                           "Delta run: only changed rows go through repair → map → units"))
    for head in (tr("Bảng", "Table"), tr("Cách nạp", "Mode"), tr("Đọc", "Read"), tr("Không đổi", "Unchanged"),
                 tr("Thêm", "Inserted"), tr("Sửa", "Updated"), tr("Xóa", "Deleted")):
        left = head in (tr("Bảng", "Table"), tr("Cách nạp", "Mode"))
        table.add_column(head, justify="left" if left else "right", overflow="fold")  # a name wraps, never "…"
    for t in c.delta.loaded:
        mode = f"{t.mode} ({t.read_by})" if t.read_by else t.mode  # delta (cursor): only rows past the mark read
        table.add_row(f"{t.source}/{t.table}", mode, f"{t.read:,}", f"{t.unchanged:,}", f"{t.inserted:,}",
                      f"{t.updated:,}", f"{t.deleted:,}")
    console.print(table)
    report = c.cutover.report
    console.print(tr(f"  Diễn tập chuyển đổi {report['source']} trên bản sao: {c.rehearsal.seconds:.1f} giây, "
                     f"bản sao đã xóa.", f"  Cut-over rehearsal of {report['source']} on a copy: "
                     f"{c.rehearsal.seconds:.1f} s, the copy thrown away."), highlight=False)
    moved = report["moved"]
    console.print(tr(f"  Chuyển đổi thật: đóng băng {report['frozen_at']}, đọc {moved['read']:,} = nạp "
                     f"{moved['loaded']:,} + gộp {moved['merged']:,} + cách ly {moved['quarantined']:,}; ký bởi "
                     f"{report['signed_by']}", f"  The cut-over: frozen {report['frozen_at']}, read {moved['read']:,} "
                     f"= loaded {moved['loaded']:,} + merged {moved['merged']:,} + quarantined "
                     f"{moved['quarantined']:,}; signed by {report['signed_by']}"), highlight=False)
    console.print(f"  {tr('Biên bản đã ký', 'Signed report')}: {c.cutover.folder / 'report.html'}", highlight=False)
    counts: dict[str, int] = {}
    for state in c.states.values():
        counts[state] = counts.get(state, 0) + 1
    console.print("  " + ", ".join(f"{n} {state}" for state, n in sorted(counts.items())), highlight=False)
