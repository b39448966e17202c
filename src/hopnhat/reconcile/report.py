"""The run's reports: ``reconcile.json`` for machines, ``reconcile.html`` for a leader (with charts), the quarantine
as CSV and the in-flight dossiers as CSV, all in the run folder."""

from __future__ import annotations

import csv
import html
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb

from hopnhat.i18n import tr
from hopnhat.project.config import Project
from hopnhat.reconcile.books import Balance, LoadBooks
from hopnhat.reconcile.inflight import COLUMNS as INFLIGHT_COLUMNS
from hopnhat.reconcile.inflight import in_flight, in_flight_summary
from hopnhat.reconcile.samples import field_samples

COLOURS = {"loaded": "#2e7d32", "merged": "#1565c0", "quarantined": "#c62828"}


def quarantine_by_reason(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str, int]]:
    return con.execute("SELECT src_source, src_table, reason_code, count(*) FROM quarantine GROUP BY ALL "
                       "ORDER BY 1, 2, 4 DESC").fetchall()


def report_data(con: duckdb.DuckDBPyConnection, project: Project, run_id: str,
                balances: list[Balance]) -> dict[str, object]:
    cut = project.config.merged_unit.cutover
    return {
        "run_id": run_id, "merger_file": str(project.path), "store": str(project.store_path),
        "generated_at": datetime.now().isoformat(timespec="seconds"),
        "balanced": all(b.balanced for b in balances),
        "declared_findings": [b.declared.as_dict() for b in balances if b.declared is not None and b.declared.finding],
        "tables": [b.as_dict() for b in balances],
        "totals": {k: sum(getattr(b, k) for b in balances) for k in ("read", "loaded", "merged", "quarantined")},
        "quarantine_by_reason": [{"source": s, "table": t, "reason": r, "rows": n}
                                 for s, t, r, n in quarantine_by_reason(con)],
        "in_flight": in_flight_summary(con, cut),
        "samples": field_samples(con, project),
    }


def bar_chart(balances: list[Balance], width: int = 760) -> str:
    """Stacked horizontal bars, one per source table: loaded / merged / quarantined (server-side SVG)."""
    row_h, label_w = 22, 250
    top = max([b.read for b in balances] + [1])
    parts = [f"<svg xmlns='http://www.w3.org/2000/svg' role='img' width='{width}' "
             f"height='{row_h * len(balances) + 30}' font-family='sans-serif' font-size='12'>"]
    for i, b in enumerate(balances):
        y, x = i * row_h, label_w
        parts.append(f"<text x='0' y='{y + 15}'>{html.escape(b.source + '/' + b.table)}</text>")
        for key in ("loaded", "merged", "quarantined"):
            w = (width - label_w - 60) * getattr(b, key) / top
            parts.append(f"<rect x='{x:.1f}' y='{y + 3}' width='{w:.1f}' height='{row_h - 6}' fill='{COLOURS[key]}'>"
                         f"<title>{key}: {getattr(b, key)}</title></rect>")
            x += w
        parts.append(f"<text x='{x + 4:.1f}' y='{y + 15}'>{b.read:,}</text>")
    y = row_h * len(balances) + 20
    for j, key in enumerate(COLOURS):
        parts.append(f"<rect x='{label_w + j * 130}' y='{y - 10}' width='12' height='12' fill='{COLOURS[key]}'/>"
                     f"<text x='{label_w + j * 130 + 16}' y='{y}'>{_label(key)}</text>")
    return "".join(parts) + "</svg>"


def _label(key: str) -> str:
    return {"loaded": tr("đã nạp", "loaded"), "merged": tr("đã gộp", "merged"),
            "quarantined": tr("cách ly", "quarantined"), "read": tr("đã đọc", "read")}[key]


def _table_html(balances: list[Balance]) -> str:
    head = "".join(f"<th>{h}</th>" for h in (tr("Nguồn", "Source"), tr("Bảng", "Table"), tr("Bảng hợp nhất", "Entity"),
                                              _label("read"), _label("loaded"), _label("merged"), _label("quarantined"),
                                              tr("Cân đối", "Balanced")))
    rows = "".join(
        f"<tr><td>{html.escape(b.source)}</td><td>{html.escape(b.table)}</td><td>{b.entity}</td><td>{b.read:,}</td>"
        f"<td>{b.loaded:,}</td><td>{b.merged:,}</td><td>{b.quarantined:,}</td>"
        f"<td class='{'ok' if b.balanced else 'bad'}'>{'✔' if b.balanced else '✘'}</td></tr>" for b in balances)
    return f"<table><tr>{head}</tr>{rows}</table>"


def load_mode(load: LoadBooks | None, run_id: str | None = None) -> str:
    """``delta``, ``full (why)``, or ``unchanged`` when the table was not loaded in ``run_id`` (skipped)."""
    if load is None:
        return "—"
    if run_id is not None and load.run_id != run_id:
        return tr("không đổi (bỏ qua)", "unchanged (skipped)")
    if load.mode == "delta":
        return tr("gia tăng", "delta")
    return tr("toàn bộ", "full") + (f" ({load.note})" if load.note else "")


def _loads_html(balances: list[Balance], run_id: str) -> str:
    """Each table's load in this run: read = unchanged + inserted + updated + merged + quarantined; deleted apart."""
    labels = (tr("Bảng", "Table"), tr("Cách nạp", "Load"), _label("read"), tr("không đổi", "unchanged"),
              tr("thêm mới", "inserted"), tr("cập nhật", "updated"), _label("merged"), _label("quarantined"),
              tr("đã xóa ở nguồn", "deleted at source"))
    rows = []
    for b in balances:
        d = b.last_load
        here = d is not None and d.run_id == run_id
        cells = [f"{n:,}" for n in (d.read, d.unchanged, d.inserted, d.updated, d.merged, d.quarantined, d.deleted)
                 ] if d is not None and here else [""] * 7
        rows.append(f"<tr><td>{html.escape(b.source + '/' + b.table)}</td><td>{html.escape(load_mode(d, run_id))}"
                    f"</td>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    head = "".join(f"<th>{h}</th>" for h in labels)
    title = tr("Lượt nạp này: đọc = không đổi + thêm mới + cập nhật + gộp + cách ly (xóa tính riêng)",
               "This run: read = unchanged + inserted + updated + merged + quarantined (deleted apart)")
    return f"<h2>{title}</h2><table><tr>{head}</tr>{''.join(rows)}</table>"


def _declared_html(balances: list[Balance]) -> str:
    """Each table's declared count against the rows read: a difference nobody acknowledged in red, an acknowledged
    one with its reason (:mod:`hopnhat.reconcile.declared`)."""
    checks = [b.declared for b in balances if b.declared is not None]
    if not checks:
        return ""
    rows = []
    for c in checks:
        state = "ok" if not c.finding else "bad"
        said = c.words() + (f" — {tr('đã chấp nhận', 'accepted')}: {c.accepted}" if c.accepted else "")
        rows.append(f"<tr id='declared-{html.escape(c.source)}-{html.escape(c.table)}'><td>"
                    f"{html.escape(c.source + '/' + c.table)}</td><td>{html.escape(c.found_at)}</td>"
                    f"<td>{'' if c.declared is None else f'{c.declared:,}'}</td><td>{c.read:,}</td>"
                    f"<td class='{state}'>{html.escape(said)}</td></tr>")
    head = "".join(f"<th>{h}</th>" for h in (tr("Bảng", "Table"), tr("Khai báo ở", "Declared at"),
                                              tr("Tệp khai báo", "Declared"), _label("read"),
                                              tr("Kết luận", "Finding")))
    title = tr("Số bản ghi tệp xuất tự khai báo", "Records the exports declare")
    return f"<h2 id='declared'>{title}</h2><table><tr>{head}</tr>{''.join(rows)}</table>"


def _reasons_html(data: dict[str, Any]) -> str:
    rows = "".join(f"<tr><td>{html.escape(r['source'])}/{html.escape(r['table'])}</td><td>{html.escape(r['reason'])}"
                   f"</td><td>{r['rows']:,}</td></tr>" for r in data["quarantine_by_reason"])
    return (f"<h2>{tr('Dòng cách ly theo lý do', 'Quarantined rows by reason')}</h2>"
            f"<table><tr><th>{tr('Bảng', 'Table')}</th><th>{tr('Lý do', 'Reason')}</th><th>{tr('Số dòng', 'Rows')}"
            f"</th></tr>{rows}</table>")


def _samples_html(data: dict[str, Any]) -> str:
    rows = "".join(f"<tr><td>{html.escape(s['record_id'])}</td><td>{html.escape(s['field'])}</td>"
                   f"<td>{html.escape(str(s['source_value']))}</td><td>{html.escape(str(s['store_value']))}</td></tr>"
                   for s in data["samples"])
    return (f"<h2>{tr('Đối chiếu mẫu từng trường', 'Sampled field-level comparison')}</h2><table><tr><th>Record</th>"
            f"<th>{tr('Trường', 'Field')}</th><th>{tr('Giá trị nguồn', 'Source value')}</th>"
            f"<th>{tr('Giá trị đã nạp', 'Stored value')}</th></tr>{rows}</table>")


CSS = ("body{font-family:sans-serif;margin:2em;max-width:1100px}table{border-collapse:collapse;margin:1em 0}"
       "td,th{border:1px solid #ccc;padding:3px 8px;font-size:13px}.ok{color:#2e7d32}.bad{color:#c62828;"
       "font-weight:bold}.big{font-size:20px}")


def render_html(data: dict[str, Any], balances: list[Balance]) -> str:
    totals = data["totals"]
    flight = data["in_flight"]
    verdict = (tr("Sổ sách cân đối: không mất dòng nào.", "The books balance: no row lost.") if data["balanced"]
               else tr("SỔ SÁCH KHÔNG CÂN ĐỐI — xem các dòng ✘.", "THE BOOKS DO NOT BALANCE — see the ✘ rows."))
    short = len(data["declared_findings"])
    if short:
        verdict += " " + tr(f"{short} TỆP XUẤT KHAI BÁO NHIỀU/ÍT BẢN GHI HƠN SỐ ĐÃ ĐỌC — xem bên dưới.",
                            f"{short} EXPORT(S) DECLARE ANOTHER NUMBER OF RECORDS THAN WERE READ — see below.")
    return (f"<!doctype html><html lang='vi'><meta charset='utf-8'><title>hopnhat — {tr('Đối soát', 'Reconciliation')}"
            f"</title><style>{CSS}</style><body><h1>"
            f"{tr('Báo cáo đối soát di chuyển dữ liệu', 'Migration reconciliation report')}"
            f"</h1><p>Run {html.escape(str(data['run_id']))} · {html.escape(str(data['generated_at']))}</p>"
            f"<p class='big {'ok' if data['balanced'] and not short else 'bad'}'>{verdict}</p>"
            f"<p>{_label('read')}: {totals['read']:,} · {_label('loaded')}: {totals['loaded']:,} · "
            f"{_label('merged')}: {totals['merged']:,} · {_label('quarantined')}: {totals['quarantined']:,}</p>"
            f"{bar_chart(balances)}{_table_html(balances)}{_declared_html(balances)}"
            f"{_loads_html(balances, str(data['run_id']))}"
            f"<h2>{tr('Hồ sơ TTHC đang giải quyết tại thời điểm sáp nhập', 'Dossiers in flight at the cut-over')}</h2>"
            f"<p>{flight['in_flight']:,} {tr('hồ sơ', 'dossiers')}; {flight['overdue']:,} {tr('quá hạn', 'overdue')}; "
            f"{flight['needs_unit']:,} {tr('cần chọn đơn vị tiếp nhận mới', 'need a new receiving unit chosen')}</p>"
            f"{_reasons_html(data)}{_samples_html(data)}</body></html>")


def _write_csv(path: Path, header: list[str], rows: list[tuple[object, ...]] | list[list[object]]) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)


def write_reports(con: duckdb.DuckDBPyConnection, project: Project, run_id: str, folder: Path,
                  balances: list[Balance]) -> dict[str, Path]:
    data = report_data(con, project, run_id, balances)
    paths = {"json": folder / "reconcile.json", "html": folder / "reconcile.html",
             "quarantine": folder / "quarantine.csv", "in_flight": folder / "in_flight.csv"}
    paths["json"].write_text(json.dumps(data, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    paths["html"].write_text(render_html(data, balances), encoding="utf-8")
    q = con.execute("SELECT * FROM quarantine ORDER BY src_source, src_table, src_row")
    _write_csv(paths["quarantine"], [d[0] for d in q.description], q.fetchall())
    flight = in_flight(con, project.config.merged_unit.cutover)
    _write_csv(paths["in_flight"], list(INFLIGHT_COLUMNS), [[r[c] for c in INFLIGHT_COLUMNS] for r in flight])
    return paths
