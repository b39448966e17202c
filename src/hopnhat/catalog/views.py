"""Pure functions from the catalog state to the data of each page (inventory, decisions, roadmap, monitoring).

The web app calls these and renders the result (``hopnhat.catalog.html`` has a renderer); the CLI and the report use
the same data, so what a planner sees in the terminal, the browser and the PDF agrees.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from hopnhat.catalog.criteria import CRITERION_LABELS
from hopnhat.catalog.gantt import gantt_svg
from hopnhat.catalog.kinds import label
from hopnhat.catalog.model import Decision, System, Task
from hopnhat.catalog.monitor import (
    Alert, CostPicture, DigitisationSummary, ProgressHook, TaskView, alerts, cost_picture, digitisation_summary,
    no_progress, task_views,
)
from hopnhat.catalog.roadmap import not_ready_on_day_one
from hopnhat.catalog.state import CatalogState
from hopnhat.i18n import tr


def system_row(s: System) -> dict[str, Any]:
    return {**s.model_dump(), "kind_label": label("kind", s.kind), "hosting_label": label("hosting", s.hosting),
            "domain_label": label("domain", s.domain) if s.domain else "", "yearly_lease": s.yearly_lease}


def inventory_page(state: CatalogState) -> dict[str, Any]:
    """Both provinces' systems, the pairs and what exists on one side only."""
    units = [{"code": i.unit_code, "name": i.unit_name, "surveyed_on": i.surveyed_on,
              "systems": [system_row(s) for s in i.systems]} for i in state.inventories]
    pairs = [{"key": p.key, "title": p.title, "one_sided": p.one_sided, "units": list(p.units),
              "systems": [s.id for s in p.systems]} for p in state.pairs]
    return {"units": units, "pairs": pairs, "one_sided": [p for p in pairs if p["one_sided"]]}


@dataclass(frozen=True)
class DecisionRow:
    decision: Decision
    system: System
    action_label: str
    recommended_label: str
    reasons: list[str]
    criteria: list[dict[str, Any]] = field(default_factory=list)

    @property
    def overridden(self) -> bool:
        return self.decision.override_note is not None


def _decision_row(d: Decision, s: System) -> DecisionRow:
    reasons = d.reasons_vi if tr("vi", "en") == "vi" else d.reasons_en
    crit = [{"name": c.name, "label": tr(*CRITERION_LABELS[c.name]), "weight": c.weight, "score": c.score,
             "weighted": round(c.weight * c.score, 4), "reason": tr(c.reason_vi, c.reason_en)} for c in d.criteria]
    return DecisionRow(d, s, label("action", d.action), label("action", d.recommended), reasons, crit)


def decision_page(state: CatalogState, pair_key: str | None = None) -> list[DecisionRow]:
    """Every decision (or one pair's) with the system, the labels, the weighted criteria and the reasons."""
    systems = state.systems
    return [_decision_row(d, systems[d.system_id]) for d in state.decisions
            if pair_key is None or d.pair_key == pair_key]


def roadmap_page(state: CatalogState, today: date | None = None, months: int = 9) -> dict[str, Any]:
    """Tasks, budgets per owner, urgent readiness and the Gantt chart (cut ``months`` after the merger)."""
    budget_by_owner: dict[str, int] = defaultdict(int)
    for t in state.tasks:
        budget_by_owner[t.owner] += t.budget
    until = state.settings.merger_date + timedelta(days=round(months * 30.44))
    return {"tasks": state.tasks, "budget_total": sum(t.budget for t in state.tasks),
            "budget_by_owner": dict(sorted(budget_by_owner.items())),
            "not_ready": not_ready_on_day_one(state.tasks, state.settings),
            "gantt_svg": gantt_svg(state.tasks, today=today, merger_date=state.settings.merger_date, until=until),
            "merger_date": state.settings.merger_date}


@dataclass(frozen=True)
class MonitorPage:
    today: date
    views: list[TaskView]
    alerts: list[Alert]
    counts: dict[str, int]
    cost: CostPicture
    digitisation: list[DigitisationSummary]
    urgent: list[TaskView]
    gantt_svg: str
    unit_names: dict[str, str]
    budget_done: int = 0


def _counts(views: list[TaskView]) -> dict[str, int]:
    return {"total": len(views), "done": sum(v.state == "done" for v in views),
            "late": sum(v.overdue for v in views), "risk": sum(v.at_risk for v in views),
            "doing": sum(v.state == "doing" and not v.overdue for v in views)}


def _focus_tasks(views: list[TaskView]) -> list[Task]:
    return [v.task for v in views if (v.task.urgent or v.task.fixed) and v.task.kind != "retire"][:14]


def monitor_page(state: CatalogState, today: date, hook: ProgressHook = no_progress) -> MonitorPage:
    """The monitoring dashboard: states, alerts, urgent systems, cost picture and digitisation against ``today``."""
    views = task_views(state, today, hook)
    states = {v.task.id: "done" if v.state == "done" else "late" if v.overdue else "" for v in views}
    focus = _focus_tasks(views)
    until = max([state.settings.merger_date + timedelta(days=60)] + [t.due for t in focus if t.kind != "retire"])
    svg = gantt_svg(focus, states, today, state.settings.merger_date, until, width=1040)
    return MonitorPage(today, views, alerts(views), _counts(views), cost_picture(state),
                       digitisation_summary(state.digitisation), [v for v in views if v.task.urgent], svg,
                       {i.unit_code: i.unit_name for i in state.inventories},
                       sum(v.task.budget for v in views if v.state == "done"))
