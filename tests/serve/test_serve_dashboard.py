"""Migration dashboard (runs, balance, quarantine with drill-down and Excel export, charts), in-flight dossiers, and
the catalog pages (inventory, decisions with reasons and the recorded override, roadmap Gantt, monitoring)."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import load_workbook
from tests.serve.conftest import csrf_of

from hopnhat.catalog.store import load_state
from hopnhat.serve.app.appdb import AppDB
from hopnhat.serve.security import audit


def test_dashboard_has_balance_runs_and_charts(ctx, client_as) -> None:
    page = client_as("leader").get("/dashboard")
    assert page.status_code == 200
    for chart in ("balance-chart", "quarantine-chart", "inflight-chart"):
        assert "<svg" in page.text.split(f'id="{chart}"')[1].split("</section>")[0], chart
    balances = ctx.dashboard.balances()
    assert balances and all(b.balanced for b in balances)  # read = loaded + merged + quarantined, per table
    assert page.text.count("✔") >= len(balances)
    assert ctx.dashboard.runs()[0]["run_id"] in page.text
    assert "/dashboard/quarantine?" not in page.text  # a leader sees counts, not the quarantined rows


def test_quarantine_drill_down_and_excel_export(ctx, client_as, db: AppDB) -> None:
    client = client_as("engineer")
    counts = ctx.dashboard.quarantine_counts()
    first = counts[0]
    page = client.get("/dashboard/quarantine", params={"reason": first["reason_code"], "source": first["src_source"],
                                                       "table": first["src_table"]})
    assert page.status_code == 200
    assert page.text.count("<tr>") - 1 == first["n"]
    export = client.get("/dashboard/quarantine.xlsx")
    assert export.headers["content-type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(export.content)).active
    assert sheet.max_row - 1 == sum(c["n"] for c in counts)
    assert sheet.cell(1, 1).value == "Nguồn"
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)  # raw values never run
    assert audit.entries(db, "engineer", "quarantine_export", 1)


def test_excel_safe_keeps_source_text_from_becoming_a_formula() -> None:
    from hopnhat.reconcile.export import excel_safe

    assert [excel_safe(v) for v in ("=HYPERLINK(\"x\")", "+84 905", "-1", "@SUM(A1)", "Số 1", 7, None)] == [
        "'=HYPERLINK(\"x\")", "'+84 905", "'-1", "'@SUM(A1)", "Số 1", 7, None]


def test_in_flight_dossiers_overdue_first(ctx, client_as) -> None:
    rows = ctx.dashboard.in_flight(ctx.scope(type("U", (), {"scope": ("48",)})()), date(2025, 7, 1),
                                   date(2025, 7, 10))
    assert rows, "the estate has dossiers open at the cut-over"
    assert all(r["received_at"].date() < date(2025, 7, 1) for r in rows)
    assert all(r["status"] not in (3, 7, 9, 10) for r in rows)
    flags = [r["overdue"] for r in rows]
    assert flags == sorted(flags, reverse=True), "overdue first"
    for r in rows:
        if r["due_at"]:
            assert r["days_left"] == (r["due_at"].date() - date(2025, 7, 10)).days
    page = client_as("clerk").get("/dossiers")
    assert page.status_code == 200 and "<svg" in page.text and rows[0]["code"] in page.text


def test_catalog_pages(client_as) -> None:
    client = client_as("planner")
    inventory = client.get("/catalog/inventory")
    assert "Kiểm kê hệ thống" in inventory.text and "Quảng Nam" in inventory.text
    decisions = client.get("/catalog/decisions")
    assert "Đánh giá và lựa chọn" in decisions.text and "<li>" in decisions.text  # reasons in words
    roadmap = client.get("/catalog/roadmap")
    assert "<svg" in roadmap.text and "Lộ trình" in roadmap.text
    monitor = client.get("/catalog/monitor")
    assert "<svg" in monitor.text.split('id="monitor-gantt"')[1] and "Hoàn thành" in monitor.text


def test_override_is_recorded(client_as, settings, db: AppDB) -> None:
    client = client_as("planner")
    page = client.get("/catalog/decisions")
    system = load_state(settings.catalog_db).decisions[0].system_id
    response = client.post("/catalog/override", data={"system_id": system, "action": "readonly",
                                                      "note": "Ban chỉ đạo giữ để tra cứu", "csrf_token":
                                                      csrf_of(page.text)}, follow_redirects=False)
    assert response.status_code == 303
    state = load_state(settings.catalog_db)
    assert any(o.system_id == system and o.by == "planner" and o.note == "Ban chỉ đạo giữ để tra cứu"
               for o in state.overrides)
    assert next(d for d in state.decisions if d.system_id == system).action == "readonly"
    assert audit.entries(db, "planner", "catalog_override", 1)
    no_note = client.post("/catalog/override", data={"system_id": system, "action": "keep", "note": " ",
                                                     "csrf_token": csrf_of(page.text)})
    assert no_note.status_code == 400
    assert client_as("leader").post("/catalog/override", data={
        "system_id": system, "action": "keep", "note": "x", "csrf_token": csrf_of(client_as("leader").get(
            "/catalog/monitor").text)}).status_code == 403


def test_dashboard_names_an_export_declaring_more_than_it_holds(ctx, client_as) -> None:
    """The Quảng Nam exchange file declares 13 documents (``TongSo``) and holds 12 — one withdrawn, never exported,
    acknowledged in merger.yaml —; the Đà Nẵng API dump's ``data.total`` matches its items, as the Quảng Nam
    marriage register's footer total matches its records (its signature block aside)."""
    checks = ctx.dashboard.declared()
    xml, api = checks[("quangnam_van_ban", "van_ban")], checks[("danang_van_ban", "van_ban")]
    assert (xml.found_at, xml.declared, xml.read, xml.status) == ("DanhSachVanBan/@TongSo", 13, 12, "short")
    assert xml.accepted and not xml.finding
    assert (api.found_at, api.declared, api.read, api.status, api.pages) == ("data.total", 12, 12, "ok", 1)
    report = checks[("quangnam_dancu", "ket_hon")]  # the marriage register's CSV report: its footer total
    assert report.status == "ok" and report.declared == report.read and report.found_at.startswith(("dòng", "row"))
    page = client_as("leader").get("/dashboard")
    findings = page.text.split('id="declared-findings"')[1].split("</ul>")[0]
    assert 'data-status="short"' in findings and "quangnam_van_ban/van_ban" in findings
    assert "13" in findings and xml.accepted in findings and "danang_van_ban" not in findings
    assert "<b>3/3</b>" in page.text.split('id="kpi-declared"')[1].split("</span>")[0]  # none unacknowledged
    english = client_as("leader").get("/dashboard?lang=en").text
    assert "the file declares 13 records (DanhSachVanBan/@TongSo = 13), 12 read: 1 missing" in english
