"""Pure functions from the catalog state to the data of each page (inventory, decisions, roadmap, monitoring).

The web app calls these and renders the result (``hopnhat.catalog.html`` has a renderer); the CLI and the report use
the same data, so what a planner sees in the terminal, the browser and the PDF agrees.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from hopnhat.catalog.columns import BY_FIELD
from hopnhat.catalog.criteria import CRITERIA, CRITERION_LABELS
from hopnhat.catalog.gantt import gantt_svg
from hopnhat.catalog.kinds import label
from hopnhat.catalog.model import Decision, Evidence, System, Task
from hopnhat.catalog.monitor import (
    Alert,
    CostPicture,
    DigitisationSummary,
    LateGroup,
    ProgressHook,
    SourceView,
    TaskView,
    alerts,
    cost_picture,
    digitisation_summary,
    late_by_owner,
    no_progress,
    task_views,
)
from hopnhat.catalog.roadmap import not_ready_on_day_one
from hopnhat.catalog.state import CatalogState
from hopnhat.i18n import tr


def system_row(s: System) -> dict[str, Any]:
    return {**s.model_dump(), "key": s.key, "kind_label": label("kind", s.kind),
            "hosting_label": label("hosting", s.hosting),
            "domain_label": label("domain", s.domain) if s.domain else "", "yearly_lease": s.yearly_lease}


def inventory_page(state: CatalogState) -> dict[str, Any]:
    """Both provinces' systems, the pairs and what exists on one side only."""
    units = [{"code": i.unit_code, "name": i.unit_name, "surveyed_on": i.surveyed_on,
              "systems": [system_row(s) for s in i.systems]} for i in state.inventories]
    pairs = [{"key": p.key, "title": p.title, "one_sided": p.one_sided, "units": list(p.units),
              "systems": [s.key for s in p.systems]} for p in state.pairs]
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


# ---------------------------------------------------------------- per-criterion explanation

def evidence_text(evidence: list[Evidence]) -> str:
    """``inventory-49.xlsx › HeThong dòng 7: J «Số người dùng» = 3.200; …`` (the cells, grouped by row)."""
    by_row: dict[tuple[str, str, int | None], list[Evidence]] = {}
    seen: set[tuple[str, str, int | None, str]] = set()
    for e in evidence:
        if (e.file, e.sheet, e.row, e.field) not in seen:
            seen.add((e.file, e.sheet, e.row, e.field))
            by_row.setdefault((e.file, e.sheet, e.row), []).append(e)
    parts = []
    for (file, sheet, row), items in by_row.items():
        cells = "; ".join(f"{e.column} «{tr(BY_FIELD[e.field].vi, BY_FIELD[e.field].en)}» = {e.value}"
                          if e.field in BY_FIELD else f"{e.column} = {e.value}" for e in items)
        where = (f"{file} › {sheet} {tr('dòng', 'row')} {row}" if sheet else tr("không đọc từ tệp", "not from a file"))
        parts.append(f"{where}: {cells}")
    return " | ".join(parts)


@dataclass(frozen=True)
class ExplanationCell:
    score: float
    weighted: float
    reason: str
    evidence: str  # the system's own cells this score was computed from


@dataclass(frozen=True)
class ExplanationRow:
    name: str
    label: str
    weight: float
    cells: list[ExplanationCell]


@dataclass(frozen=True)
class Explanation:
    """One role's table for the steering committee: each criterion, its weight, each system's score and evidence."""

    key: str
    title: str
    systems: list[System]
    decisions: list[Decision]
    rows: list[ExplanationRow]

    @property
    def totals(self) -> list[float]:
        return [d.total for d in self.decisions]

    @property
    def action_labels(self) -> list[str]:
        return [label("action", d.action) for d in self.decisions]


def _explanation_row(name: str, decisions: list[Decision]) -> ExplanationRow:
    cells, weight = [], 0.0
    for d in decisions:
        c = next((c for c in d.criteria if c.name == name), None)
        if c is None:
            cells.append(ExplanationCell(0.0, 0.0, "—", ""))
            continue
        weight = c.weight
        own = [e for e in c.evidence if e.system == d.system_id]
        cells.append(ExplanationCell(c.score, round(c.weight * c.score, 4), tr(c.reason_vi, c.reason_en),
                                     evidence_text(own)))
    return ExplanationRow(name, tr(*CRITERION_LABELS[name]), weight, cells)


def explanation(state: CatalogState, pair_key: str) -> Explanation:
    decisions = [d for d in state.decisions if d.pair_key == pair_key]
    systems = state.systems
    pair = next((p for p in state.pairs if p.key == pair_key), None)
    title = pair.title if pair else pair_key
    names = [n for n in CRITERIA if any(c.name == n for d in decisions for c in d.criteria)]
    return Explanation(pair_key, title, [systems[d.system_id] for d in decisions], decisions,
                       [_explanation_row(n, decisions) for n in names])


def explanations(state: CatalogState) -> list[Explanation]:
    """Every role's explanation table, in the order of the pairs."""
    keys = list(dict.fromkeys(d.pair_key for d in state.decisions))
    return [explanation(state, k) for k in keys]


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
    late_groups: list[LateGroup] = field(default_factory=list)
    sources: list[SourceView] = field(default_factory=list)  # legacy sources: live / syncing / frozen / cut over


def _counts(views: list[TaskView]) -> dict[str, int]:
    return {"total": len(views), "done": sum(v.state == "done" for v in views),
            "late": sum(v.overdue for v in views), "risk": sum(v.at_risk for v in views),
            "doing": sum(v.state == "doing" and not v.overdue for v in views)}


def _focus_tasks(views: list[TaskView]) -> list[Task]:
    return [v.task for v in views if (v.task.urgent or v.task.fixed) and v.task.kind != "retire"][:14]


def monitor_page(state: CatalogState, today: date, hook: ProgressHook = no_progress,
                 sources: Sequence[SourceView] = ()) -> MonitorPage:
    """The monitoring dashboard: states, alerts, urgent systems, cost picture and digitisation against ``today``;
    ``sources``: the legacy sources and their cut-over states (:func:`hopnhat.catalog.monitor.source_views`)."""
    views = task_views(state, today, hook)
    states = {v.task.id: "done" if v.state == "done" else "late" if v.overdue else "" for v in views}
    focus = _focus_tasks(views)
    until = max([state.settings.merger_date + timedelta(days=60)] + [t.due for t in focus if t.kind != "retire"])
    svg = gantt_svg(focus, states, today, state.settings.merger_date, until, width=1040)
    return MonitorPage(today, views, alerts(views), _counts(views), cost_picture(state),
                       digitisation_summary(state.digitisation), [v for v in views if v.task.urgent], svg,
                       {i.unit_code: i.unit_name for i in state.inventories},
                       sum(v.task.budget for v in views if v.state == "done"), late_by_owner(views), list(sources))
