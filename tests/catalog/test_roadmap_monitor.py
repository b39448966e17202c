from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from hopnhat.catalog import api, store
from hopnhat.catalog.errors import PlanError
from hopnhat.catalog.evaluate import evaluate
from hopnhat.catalog.export import write_roadmap_workbook
from hopnhat.catalog.model import Inventory, Task
from hopnhat.catalog.monitor import MigrationProgress, digitisation_summary
from hopnhat.catalog.pairing import pair_systems
from hopnhat.catalog.roadmap import build_roadmap, check_roadmap, not_ready_on_day_one
from hopnhat.catalog.settings import CatalogSettings
from hopnhat.catalog.views import decision_page, inventory_page, monitor_page, roadmap_page
from hopnhat.synth.inventory import SCENARIOS


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_roadmap_urgent_systems_ready_on_merger_day(scenario: str,
                                                    synth_inventories: dict[str, list[Inventory]]) -> None:
    invs = synth_inventories[scenario]
    settings = CatalogSettings(survivor_unit=SCENARIOS[scenario][1].code)
    decisions = evaluate(pair_systems(invs), settings)
    tasks = build_roadmap(decisions, {s.id: s for i in invs for s in i.systems}, settings)
    by_id = {t.id: t for t in tasks}
    assert not not_ready_on_day_one(tasks, settings)
    for t in tasks:
        assert t.start <= t.due and t.owner
        for dep in t.depends_on:
            assert by_id[dep].due <= t.start or by_id[dep].kind == "prepare" and t.kind == "switch_users"
    urgent_switch = [t for t in tasks if t.urgent and t.kind == "switch_users"]
    assert urgent_switch and all(t.due == settings.merger_date for t in urgent_switch)
    assert {t.kind for t in tasks} >= {"prepare", "migrate_data", "switch_users", "readonly", "retire"}
    readonly = [t for t in tasks if t.kind == "retire" and by_id[t.depends_on[0]].kind == "readonly"]
    assert all(t.start.year >= 2030 for t in readonly), "read-only archives stay for lookup for years"


def test_cycles_and_unknown_dependencies_are_refused() -> None:
    a = Task(id="a", system_id=None, kind="milestone", title_vi="a", title_en="a", owner="x", start=date(2025, 1, 1),
             due=date(2025, 1, 2), depends_on=["b"])
    b = a.model_copy(update={"id": "b", "depends_on": ["a"]})
    with pytest.raises(PlanError, match="vòng tròn"):
        check_roadmap([a, b])
    with pytest.raises(PlanError, match="nhiệm vụ không có"):
        check_roadmap([a])


def test_plan_has_milestone_links_runs_and_exports(danang_db: Path, tmp_path: Path) -> None:
    api.link_pipeline_run(danang_db, "49-TTHC:migrate_data", "run-20250620-1")
    with pytest.raises(PlanError):
        api.link_pipeline_run(danang_db, "M:IOC", "run-x")
    api.run_plan(danang_db)  # regenerating keeps the link
    state = store.load_state(danang_db)
    tasks = {t.id: t for t in state.tasks}
    assert tasks["M:IOC"].fixed and tasks["M:IOC"].due == date(2025, 7, 31)
    assert tasks["49-TTHC:migrate_data"].run_ids == ["run-20250620-1"]
    path = write_roadmap_workbook(state, tmp_path / "lotrinh.xlsx")
    wb = load_workbook(path)
    assert wb.sheetnames == ["LoTrinh", "QuyetDinh", "GiaiTrinh", "KinhPhi"]
    rows = list(wb["LoTrinh"].iter_rows(values_only=True))
    assert rows[0][1] == "Mã nhiệm vụ" and len(rows) == len(state.tasks) + 1
    urgent = [r[0] == "Gấp" for r in rows[1:]]
    assert any(urgent) and urgent == sorted(urgent, reverse=True)  # every urgent task before the others
    assert path.read_bytes() == write_roadmap_workbook(state, tmp_path / "again.xlsx").read_bytes()


def test_gantt_is_plain_svg(danang_db: Path) -> None:
    page = roadmap_page(store.load_state(danang_db), today=date(2025, 6, 20))
    svg = page["gantt_svg"]
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg") and "<script" not in svg and "http" not in svg.replace(
        "http://www.w3.org/2000/svg", "")
    assert "Ngày hợp nhất" in svg and "Hôm nay" in svg


def _progress(task: Task) -> MigrationProgress | None:
    if task.id == "49-TTHC:migrate_data":
        return MigrationProgress(rows_read=850_000, rows_accounted=850_000, quarantine_left=0, review_left=0)
    if task.id == "48-DOCUMENT:migrate_data" or task.id == "49-DOCUMENT:migrate_data":
        return MigrationProgress(rows_read=1000, rows_accounted=990, quarantine_left=20, review_left=5)
    return None


def test_monitor_measures_migration_from_the_hook_and_flags_overdue(danang_db: Path) -> None:
    api.set_status(danang_db, "48-TTHC:prepare", "done", 100, date(2025, 6, 10))
    api.set_status(danang_db, "M:IOC", "doing", 40, date(2025, 6, 15), "đang lắp đặt")
    page = monitor_page(store.load_state(danang_db), date(2025, 7, 10), _progress)
    views = {v.task.id: v for v in page.views}
    assert views["49-TTHC:migrate_data"].state == "done" and views["49-TTHC:migrate_data"].source == "pipeline"
    doc = next(v for k, v in views.items() if k.endswith("DOCUMENT:migrate_data"))
    assert doc.source == "pipeline" and doc.percent == 96.5 and doc.overdue
    assert views["48-TTHC:prepare"].state == "done" and not views["48-TTHC:prepare"].overdue
    assert views["M:IOC"].at_risk and not views["M:IOC"].overdue
    kinds = {a.severity for a in page.alerts}
    assert kinds == {"late", "risk", "info"}
    assert any("cách ly còn 20" in a.vi for a in page.alerts)
    assert page.counts["done"] == 2


def test_digitisation_is_tracked_per_commune(danang_db: Path) -> None:
    state = store.load_state(danang_db)
    summary = {d.unit_code: d for d in digitisation_summary(state.digitisation)}
    qn = summary["49"]
    assert qn.communes == 233 and qn.below_threshold and all(r.share < 0.01 for r in qn.below_threshold)
    newer = qn.below_threshold[0].model_copy(update={"books_digitised": qn.below_threshold[0].books_total,
                                                     "as_of": date(2025, 6, 30)})
    again = {d.unit_code: d for d in digitisation_summary([*state.digitisation, newer])}["49"]
    assert len(again.below_threshold) == len(qn.below_threshold) - 1


def test_page_data_for_the_web_app(danang_db: Path) -> None:
    state = store.load_state(danang_db)
    inv = inventory_page(state)
    assert [u["code"] for u in inv["units"]] == ["48", "49"] and inv["one_sided"]
    rows = decision_page(state, "tthc")
    assert {r.system.id for r in rows} == {"48-TTHC", "49-TTHC"}
    assert rows[0].criteria[0]["label"] and rows[0].reasons
