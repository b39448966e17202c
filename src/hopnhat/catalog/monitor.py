"""Follow the roadmap: task state and progress, overdue and at-risk alerts, digitisation, the cost picture.

Data-migration progress is measured, not typed: a :data:`ProgressHook` is called for each ``migrate_data`` task and
returns the pipeline's figures for the runs linked to it (reconciliation balance, quarantine left, review queue left),
or None when nothing has run. The default hook returns None; the pipeline provides a real one later.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from hopnhat.catalog.fmt import num_en, num_vi, pct_en, pct_vi
from hopnhat.catalog.model import Digitisation, Task, TaskStatus
from hopnhat.catalog.state import CatalogState


@dataclass(frozen=True)
class MigrationProgress:
    """What the pipeline runs linked to one migration task report (summed over the runs)."""

    rows_read: int
    rows_accounted: int  # loaded + merged + quarantined, per the reconciliation
    quarantine_left: int  # quarantined rows not yet repaired or accepted
    review_left: int  # linkage pairs still in the review queue

    @property
    def unbalanced(self) -> int:
        return self.rows_read - self.rows_accounted

    @property
    def done(self) -> bool:
        return self.rows_read > 0 and self.unbalanced == 0 and not self.quarantine_left and not self.review_left

    @property
    def percent(self) -> float:
        if not self.rows_read:
            return 0.0
        clean = self.rows_accounted - self.quarantine_left - self.review_left
        return round(max(0.0, min(100.0, 100.0 * clean / self.rows_read)), 1)


ProgressHook = Callable[[Task], "MigrationProgress | None"]


def no_progress(task: Task) -> MigrationProgress | None:
    """The default hook: no pipeline run is known."""
    return None


@dataclass(frozen=True)
class TaskView:
    task: Task
    state: str
    percent: float
    source: str  # pipeline | manual | none
    expected: float
    overdue: bool
    at_risk: bool
    days_late: int
    progress: MigrationProgress | None = None
    note: str = ""


def _expected(task: Task, today: date) -> float:
    if today <= task.start:
        return 0.0
    if today >= task.due:
        return 100.0
    return round(100.0 * (today - task.start).days / max(1, (task.due - task.start).days), 1)


def _measured(task: Task, status: TaskStatus | None,
              hook: ProgressHook) -> tuple[str, float, str, MigrationProgress | None]:
    progress = hook(task) if task.kind == "migrate_data" else None
    if progress is not None:
        state = "done" if progress.done else "doing" if progress.rows_accounted else "todo"
        return state, 100.0 if progress.done else progress.percent, "pipeline", progress
    if status is not None:
        return status.state, 100.0 if status.state == "done" else status.percent, "manual", None
    return "todo", 0.0, "none", None


def task_view(task: Task, status: TaskStatus | None, today: date, hook: ProgressHook) -> TaskView:
    state, percent, source, progress = _measured(task, status, hook)
    done = state == "done"
    expected = _expected(task, today)
    overdue = not done and task.due < today
    at_risk = not done and not overdue and (state == "blocked" or (today > task.start and percent < expected - 25))
    return TaskView(task, state, percent, source, expected, overdue, at_risk,
                    (today - task.due).days if overdue else 0, progress, status.note if status else "")


def task_views(state: CatalogState, today: date, hook: ProgressHook = no_progress) -> list[TaskView]:
    latest = state.latest_status()
    views = [task_view(t, latest.get(t.id), today, hook) for t in state.tasks]
    return _propagate_risk(views, today)


def _propagate_risk(views: list[TaskView], today: date) -> list[TaskView]:
    """A task whose predecessor is overdue is at risk too."""
    late = {v.task.id for v in views if v.overdue}
    out = []
    for v in views:
        blocked_by_late = any(d in late for d in v.task.depends_on)
        if blocked_by_late and v.state != "done" and not v.overdue and not v.at_risk:
            v = TaskView(**{**v.__dict__, "at_risk": True})
        out.append(v)
    return out


# ---------------------------------------------------------------- alerts

@dataclass(frozen=True)
class Alert:
    severity: str  # late | risk | info
    task_id: str | None
    vi: str
    en: str


SEVERITY_LABELS = {"late": ("Trễ hạn", "Late"), "risk": ("Có nguy cơ", "At risk"), "info": ("Số liệu", "Figures")}


def _task_alerts(views: Sequence[TaskView]) -> list[Alert]:
    out = []
    for v in views:
        if v.overdue:
            t = v.task
            out.append(Alert("late", t.id, f"Trễ {v.days_late} ngày: {t.title_vi} (hạn {t.due:%d/%m/%Y}, {t.owner})",
                             f"{v.days_late} days late: {t.title_en} (due {t.due.isoformat()}, {t.owner})"))
        elif v.at_risk:
            out.append(Alert("risk", v.task.id, f"Có nguy cơ trễ: {v.task.title_vi} ({pct_vi(v.percent / 100, 0)} so "
                                                f"với kế hoạch {pct_vi(v.expected / 100, 0)})",
                             f"At risk: {v.task.title_en} ({pct_en(v.percent / 100, 0)} against "
                             f"{pct_en(v.expected / 100, 0)} planned)"))
    return out


def _migration_alerts(views: Sequence[TaskView]) -> list[Alert]:
    out = []
    for v in views:
        p = v.progress
        if p and (p.unbalanced or p.quarantine_left or p.review_left):
            out.append(Alert("info", v.task.id,
                             f"{v.task.title_vi}: lệch đối soát {num_vi(p.unbalanced)}, cách ly còn "
                             f"{num_vi(p.quarantine_left)}, chờ duyệt {num_vi(p.review_left)}",
                             f"{v.task.title_en}: unbalanced {num_en(p.unbalanced)}, quarantine left "
                             f"{num_en(p.quarantine_left)}, review left {num_en(p.review_left)}"))
    return out


@dataclass(frozen=True)
class LateGroup:
    """The late tasks of one owner department in one old province (who has to act)."""

    owner: str
    unit_code: str | None
    views: list[TaskView]

    @property
    def worst(self) -> int:
        return max(v.days_late for v in self.views)


def late_by_owner(views: Sequence[TaskView]) -> list[LateGroup]:
    """Late tasks grouped by owner department and old province, the group with the latest task first."""
    groups: dict[tuple[str, str | None], list[TaskView]] = {}
    for v in sorted((v for v in views if v.overdue), key=lambda v: (-v.days_late, v.task.id)):
        groups.setdefault((v.task.owner, v.task.unit_code), []).append(v)
    out = [LateGroup(owner, unit, items) for (owner, unit), items in groups.items()]
    return sorted(out, key=lambda g: (-g.worst, g.owner, g.unit_code or ""))


def alerts(views: Sequence[TaskView]) -> list[Alert]:
    """Late first (most days late first), then at risk, then migration figures that do not balance yet."""
    late = sorted((v for v in views if v.overdue), key=lambda v: (-v.days_late, v.task.id))
    rest = [v for v in views if not v.overdue]
    return _task_alerts(late) + _task_alerts(rest) + _migration_alerts(views)


# ---------------------------------------------------------------- digitisation

@dataclass(frozen=True)
class DigitisationSummary:
    unit_code: str
    communes: int
    books_total: int
    books_digitised: int
    below_threshold: list[Digitisation]

    @property
    def share(self) -> float:
        return self.books_digitised / self.books_total if self.books_total else 0.0


def latest_digitisation(rows: Sequence[Digitisation]) -> list[Digitisation]:
    """The most recent figure per commune (figures are tracked over time)."""
    latest: dict[str, Digitisation] = {}
    for r in sorted(rows, key=lambda r: r.as_of):
        latest[r.commune_code] = r
    return sorted(latest.values(), key=lambda r: (r.unit_code, r.commune_code))


def digitisation_summary(rows: Sequence[Digitisation], threshold: float = 0.01) -> list[DigitisationSummary]:
    current = latest_digitisation(rows)
    out = []
    for unit in sorted({r.unit_code for r in current}):
        mine = [r for r in current if r.unit_code == unit]
        low = sorted((r for r in mine if r.share < threshold), key=lambda r: (r.share, r.commune_code))
        out.append(DigitisationSummary(unit, len(mine), sum(r.books_total for r in mine),
                                       sum(r.books_digitised for r in mine), low))
    return out


# ---------------------------------------------------------------- cost picture

@dataclass(frozen=True)
class CostPicture:
    yearly_before: int  # operations + leases of every system today
    yearly_after: int  # of the systems kept
    roadmap_budget: int
    stranded_leases: int  # leases still owed on systems that are dropped

    @property
    def yearly_saving(self) -> int:
        return self.yearly_before - self.yearly_after


def cost_picture(state: CatalogState) -> CostPicture:
    systems = state.systems
    kept = {d.system_id for d in state.decisions if d.action == "keep"}
    yearly = {sid: s.yearly_cost + s.yearly_lease for sid, s in systems.items()}
    merger = state.settings.merger_date
    stranded = sum(max(0.0, (s.lease_end - merger).days / 365.25) * s.yearly_lease
                   for sid, s in systems.items() if sid not in kept and s.lease_end)
    return CostPicture(int(sum(yearly.values())), int(sum(v for k, v in yearly.items() if k in kept)),
                       sum(t.budget for t in state.tasks), int(round(stranded, -6)))


# ---------------------------------------------------------------- legacy sources: live → syncing → frozen → cut over

SOURCE_STATE_LABELS = {"live": ("đang hoạt động", "live"), "syncing": ("đang đồng bộ", "syncing"),
                       "frozen": ("đã đóng băng", "frozen"), "cut_over": ("đã chuyển đổi xong, chỉ đọc",
                                                                         "cut over, read-only")}


@dataclass(frozen=True)
class SourceView:
    """One legacy source of the merger as the monitoring team sees it."""

    source: str
    system_id: str | None
    state: str  # live | syncing | frozen | cut_over
    at: datetime | None = None
    by: str = ""
    note: str = ""
    report: str = ""


def source_views(state: CatalogState, sources: Mapping[str, tuple[str | None, bool]]) -> list[SourceView]:
    """Each source of the merger (name → its catalog system, whether runs have moved its data yet): the state
    recorded by a cut-over, else ``syncing`` once runs move its data, else ``live``; sources recorded but no longer
    in the merger file are listed too (their history is not forgotten)."""
    recorded = state.latest_source_states()
    out = []
    for name in [*sources, *sorted(set(recorded) - set(sources))]:
        system, moved = sources.get(name, (None, False))
        r = recorded.get(name)
        if r is not None:
            out.append(SourceView(name, r.system_id or system, r.state, r.at, r.by, r.note, r.report))
        else:
            out.append(SourceView(name, system, "syncing" if moved else "live"))
    return out
