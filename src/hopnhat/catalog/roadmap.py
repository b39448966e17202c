"""Turn decisions into a roadmap: tasks per system with dependencies, owners, deadlines and budgets.

Urgent kinds (by default all 12 shared systems, which must run for the merged province from the merger date) are
scheduled backwards from the merger date so they are ready on day one; the others follow after it. Urgent tasks come
first in the roadmap, then the rest by start date. Each task's owner is the owner department the inventory names for
its system, unless the merger file's ``catalog.owners`` names another for that system or its role. Task ids are
stable (``SYSTEM-KEY:kind``) so regenerating the plan keeps the status and the pipeline runs linked to each task.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from hopnhat.catalog.errors import PlanError
from hopnhat.catalog.model import Decision, System, Task
from hopnhat.catalog.pairing import role_key
from hopnhat.catalog.settings import CatalogSettings, Milestone
from hopnhat.i18n import tr

DAY = timedelta(days=1)


@dataclass(frozen=True)
class Window:
    start: date
    due: date


def owner_of(system: System, settings: CatalogSettings) -> str:
    """The merger file's owner for this system or its role, else the inventory's owner department."""
    for key in (system.key, role_key(system)):
        if key in settings.owners:
            return settings.owners[key]
    return system.owner or settings.owner("default")


def _task(system: System, kind: str, vi: str, en: str, owner: str, window: Window, budget: float,
          depends: Sequence[str], urgent: bool) -> Task:
    start = min(window.start, window.due)
    return Task(id=f"{system.key}:{kind}", system_id=system.key, kind=kind, title_vi=vi, title_en=en, owner=owner,
                start=start, due=window.due, budget=int(round(budget, -5)), depends_on=list(depends), urgent=urgent,
                unit_code=system.unit_code)


def _urgent(system: System, settings: CatalogSettings) -> bool:
    return system.kind in settings.urgent_kinds


def _prepare(s: System, d: Decision, others: Sequence[System], settings: CatalogSettings) -> Task:
    urgent = _urgent(s, settings)
    due = settings.merger_date - 15 * DAY if urgent else settings.merger_date + 30 * DAY
    budget = settings.rates.training_per_user * sum(o.users for o in others)
    if not s.security_approved or (d.required_level or 0) > (s.security_level or 0):
        budget += settings.rates.security_dossier
    if others:
        vi, en = f"Chuẩn bị {s.name} làm hệ thống dùng chung", f"Prepare {s.name} as the shared system"
    else:
        vi, en = f"Mở rộng {s.name} cho toàn tỉnh mới", f"Extend {s.name} to the whole new province"
    kind = "prepare" if others else "extend"
    return _task(s, kind, vi + " (tài khoản, năng lực, hồ sơ cấp độ ATTT)",
                 en + " (accounts, capacity, security level dossier)", owner_of(s, settings),
                 Window(settings.plan_start, due), budget, [], urgent)


def _migration_days(records: int) -> int:
    return max(14, min(90, records // 50_000))


def _migrate(s: System, survivor: System, prep: Task, settings: CatalogSettings) -> Task:
    urgent = _urgent(s, settings)
    if urgent:
        window = Window(prep.due + DAY, settings.merger_date - 2 * DAY)
    else:
        start = max(prep.due + DAY, settings.merger_date)
        window = Window(start, start + _migration_days(s.records) * DAY)
    budget = s.records / 1000 * settings.rates.migration_per_1000_records
    return _task(s, "migrate_data", f"Chuyển dữ liệu {s.name} sang {survivor.name}",
                 f"Migrate the data of {s.name} into {survivor.name}", owner_of(s, settings), window, budget,
                 [prep.id], urgent)


def _switch(s: System, before: Task, settings: CatalogSettings) -> Task:
    urgent = _urgent(s, settings)
    due = settings.merger_date if urgent else before.due + 14 * DAY
    start = before.due + DAY if before.kind == "migrate_data" else before.due
    return _task(s, "switch_users", f"Chuyển người dùng {s.name} sang hệ thống dùng chung",
                 f"Switch the users of {s.name} to the shared system", owner_of(s, settings),
                 Window(min(start, due), due), settings.rates.training_per_user * s.users * 0.25, [before.id], urgent)


def _readonly(s: System, switch: Task, settings: CatalogSettings) -> Task:
    window = Window(switch.due + DAY, switch.due + 14 * DAY)
    return _task(s, "readonly", f"Chuyển {s.name} sang chế độ chỉ đọc để tra cứu",
                 f"Make {s.name} read-only for lookup", owner_of(s, settings), window, 0, [switch.id], False)


def _retire(s: System, before: Task, settings: CatalogSettings) -> Task:
    if before.kind == "readonly":
        start = before.due + timedelta(days=round(settings.readonly_months * 30.44))
    else:
        start = before.due + 30 * DAY
    if s.lease_end and s.lease_end > start:
        start = s.lease_end
    return _task(s, "retire", f"Dừng {s.name} (lưu trữ dữ liệu, không xóa)",
                 f"Retire {s.name} (data archived, never deleted)", owner_of(s, settings),
                 Window(start, start + 30 * DAY), 0, [before.id], False)


def _loser_tasks(s: System, d: Decision, survivor: System, prep: Task, settings: CatalogSettings) -> list[Task]:
    if d.action == "retire":
        switch = _switch(s, prep, settings)
        return [switch, _retire(s, switch, settings)]
    migrate = _migrate(s, survivor, prep, settings)
    switch = _switch(s, migrate, settings)
    last = _readonly(s, switch, settings) if d.action == "readonly" else switch
    tail = [last] if last is not switch else []
    return [migrate, switch, *tail, _retire(s, last, settings)]


def _milestone(m: Milestone, settings: CatalogSettings) -> Task:
    return Task(id=f"M:{m.id}", system_id=None, kind="milestone", title_vi=m.title, title_en=m.title, owner=m.owner,
                start=m.start or settings.plan_start, due=m.due, budget=m.budget, depends_on=m.depends_on,
                urgent=False, fixed=True)


def _parallel(s: System, survivor: System, d: Decision, settings: CatalogSettings) -> Task:
    """A system kept beside the shared one on the planner's explicit 'run both' decision."""
    urgent = _urgent(s, settings)
    due = settings.merger_date - 15 * DAY if urgent else settings.merger_date + 30 * DAY
    note = d.override_note or ""
    return _task(s, "prepare", f"Chuẩn bị {s.name} chạy song song với {survivor.name} ({note})",
                 f"Prepare {s.name} to run beside {survivor.name} ({note})", owner_of(s, settings),
                 Window(settings.plan_start, due), 0, [], urgent)


def _pair_tasks(group: Sequence[Decision], systems: dict[str, System], settings: CatalogSettings) -> list[Task]:
    survivor = systems[group[0].survivor_id]
    kept = next(d for d in group if d.system_id == survivor.key)
    losers = [d for d in group if d.system_id != survivor.key and d.action != "keep"]
    prep = _prepare(survivor, kept, [systems[d.system_id] for d in losers], settings)
    tasks = [prep]
    tasks += [_parallel(systems[d.system_id], survivor, d, settings) for d in group
              if d.action == "keep" and d.system_id != survivor.key]
    for d in losers:
        tasks += _loser_tasks(systems[d.system_id], d, survivor, prep, settings)
    return tasks


def ordered(tasks: Sequence[Task]) -> list[Task]:
    """Urgent tasks first (by due date), then the others by start date."""
    return sorted(tasks, key=lambda t: (not t.urgent, t.due if t.urgent else t.start, t.start, t.due, t.id))


def build_roadmap(decisions: Sequence[Decision], systems: dict[str, System], settings: CatalogSettings) -> list[Task]:
    """Tasks for every pair, then the planner's fixed milestones, urgent first; checked for unknown dependencies and
    cycles."""
    groups: dict[str, list[Decision]] = {}
    for d in decisions:
        groups.setdefault(d.pair_key, []).append(d)
    tasks = [t for g in groups.values() for t in _pair_tasks(g, systems, settings)]
    tasks += [_milestone(m, settings) for m in settings.milestones]
    check_roadmap(tasks)
    return ordered(tasks)


def check_roadmap(tasks: Sequence[Task]) -> None:
    ids = {t.id for t in tasks}
    for t in tasks:
        for dep in t.depends_on:
            if dep not in ids:
                raise PlanError(tr("phụ thuộc vào một nhiệm vụ không có", "unknown dependency"), table="roadmap",
                                row=t.id, column="depends_on", value=dep)
    _check_acyclic({t.id: t.depends_on for t in tasks})


def _check_acyclic(graph: dict[str, list[str]]) -> None:
    state: dict[str, int] = {}

    def visit(node: str, path: tuple[str, ...]) -> None:
        if state.get(node) == 2:
            return
        if state.get(node) == 1:
            raise PlanError(tr("phụ thuộc vòng tròn", "cyclic dependency"), table="roadmap", row=node,
                            value=" → ".join(path + (node,)))
        state[node] = 1
        for dep in graph.get(node, []):
            visit(dep, path + (node,))
        state[node] = 2

    for node in sorted(graph):
        visit(node, ())


def link_run(tasks: Sequence[Task], task_id: str, run_id: str) -> list[Task]:
    """Link a pipeline run to a data-migration task (the monitor reads its reconciliation through the hook)."""
    found = [t for t in tasks if t.id == task_id]
    if not found:
        choices = ", ".join(t.id for t in tasks if t.kind == "migrate_data")
        raise PlanError(tr("không có nhiệm vụ này", "no such task"), table="roadmap", row=task_id,
                        reason=tr("các nhiệm vụ chuyển dữ liệu: ", "data-migration tasks: ") + choices)
    if found[0].kind != "migrate_data":
        raise PlanError(tr("chỉ nhiệm vụ chuyển dữ liệu mới gắn được lượt chạy",
                           "only data-migration tasks take pipeline runs"), table="roadmap", row=task_id,
                        value=found[0].kind)
    return [t.model_copy(update={"run_ids": sorted({*t.run_ids, run_id})}) if t.id == task_id else t for t in tasks]


def not_ready_on_day_one(tasks: Sequence[Task], settings: CatalogSettings) -> list[Task]:
    """Urgent tasks whose deadline falls after the merger date (should be empty)."""
    return [t for t in tasks if t.urgent and t.kind != "retire" and t.due > settings.merger_date]


def total_budget(tasks: Sequence[Task]) -> int:
    return sum(t.budget for t in tasks)
