"""Server-side HTML for the catalog pages and the one-page monitoring report (inline CSS, no JS, no CDN).

``render_*`` return HTML fragments (a ``<section>``) the web app can put in its layout; :func:`report_html` returns a
whole document sized for one A4 landscape page, and :func:`write_pdf` turns it into a PDF offline with WeasyPrint.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Sequence
from html import escape
from pathlib import Path
from typing import Any

from hopnhat.catalog.errors import CatalogError
from hopnhat.catalog.fmt import num_vi, pct, vnd_en, vnd_vi
from hopnhat.catalog.views import DecisionRow, MonitorPage
from hopnhat.i18n import tr

CSS = """
@page { size: A4 landscape; margin: 9mm; }
body { font-family: 'DejaVu Sans', Arial, sans-serif; font-size: 8.5pt; color: #222; margin: 0; }
h1 { font-size: 14pt; margin: 0 0 2mm 0; color: #1f4e79; }
h2 { font-size: 10pt; margin: 3mm 0 1mm 0; color: #1f4e79; }
table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 0.5pt solid #ccc; padding: 1px 3px; text-align: left; vertical-align: top; }
th { background: #ddebf7; }
.kpis { display: flex; gap: 3mm; margin: 2mm 0; }
.kpi { border: 0.6pt solid #9bb7d4; border-radius: 2mm; padding: 1.5mm 3mm; min-width: 28mm; }
.kpi b { display: block; font-size: 13pt; }
.late b { color: #c62828; } .risk b { color: #e65100; } .done b { color: #2e7d32; }
.cols { display: flex; gap: 5mm; } .cols > div { flex: 1; }
.muted { color: #666; } .svg svg { width: 100%; height: auto; }
.report img.gantt { width: 100%; max-height: 62mm; object-fit: contain; object-position: left top; }
.report ul { margin: 0; padding-left: 4mm; }
"""


def _t(vi: str, en: str) -> str:
    return escape(tr(vi, en))


def _money(amount: float) -> str:
    return escape(tr(vnd_vi(amount), vnd_en(amount)))


def _table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


# ---------------------------------------------------------------- pages

def render_inventory(page: dict[str, Any]) -> str:
    parts = [f"<section><h1>{_t('Kiểm kê hệ thống', 'System inventory')}</h1>"]
    for unit in page["units"]:
        rows = [(escape(s["id"]), escape(s["name"]), escape(s["kind_label"]), escape(s["hosting_label"]),
                 num_vi(s["users"]), num_vi(s["records"]), num_vi(s["monthly_volume"]), _money(s["yearly_cost"]))
                for s in unit["systems"]]
        parts.append(f"<h2>{escape(unit['name'])} ({escape(unit['code'])})</h2>")
        parts.append(_table([tr("Mã", "Id"), tr("Tên", "Name"), tr("Loại", "Kind"), tr("Triển khai", "Hosting"),
                             tr("Người dùng", "Users"), tr("Bản ghi", "Records"), tr("GD/tháng", "Per month"),
                             tr("Vận hành/năm", "Operations/year")], rows))
    one = ", ".join(escape(p["title"]) + " (" + escape("/".join(p["units"])) + ")" for p in page["one_sided"])
    parts.append(f"<h2>{_t('Chỉ có ở một bên', 'On one side only')}</h2><p>{one or '—'}</p></section>")
    return "".join(parts)


def render_decisions(rows: Sequence[DecisionRow]) -> str:
    parts = [f"<section><h1>{_t('Đánh giá và lựa chọn', 'Evaluation and choice')}</h1>"]
    for r in rows:
        note = (f"<p><b>{_t('Điều chỉnh của người lập kế hoạch', 'Planner override')}:</b> "
                f"{escape(r.decision.override_note or '')} ({_t('khuyến nghị', 'recommended')}: "
                f"{escape(r.recommended_label)})</p>") if r.overridden else ""
        crit = _table([tr("Tiêu chí", "Criterion"), tr("Trọng số", "Weight"), tr("Điểm", "Score"), tr("Lý do", "Why")],
                      [(escape(c["label"]), f"{c['weight']:.2f}", f"{c['score']:.2f}", escape(c["reason"]))
                       for c in r.criteria])
        reasons = "".join(f"<li>{escape(x)}</li>" for x in r.reasons)
        parts.append(f"<article><h2>{escape(r.system.name)} ({escape(r.system.id)}): {escape(r.action_label)} — "
                     f"{r.decision.total:.2f}</h2>{note}<ul>{reasons}</ul>{crit}</article>")
    return "".join(parts) + "</section>"


def render_roadmap(page: dict[str, Any]) -> str:
    rows = [(escape(t.id), escape(tr(t.title_vi, t.title_en)), escape(t.owner), f"{t.start:%d/%m/%Y}",
             f"{t.due:%d/%m/%Y}", escape(", ".join(t.depends_on)), _money(t.budget), "!" if t.urgent else "",
             escape(", ".join(t.run_ids))) for t in page["tasks"]]
    table = _table([tr("Mã", "Id"), tr("Công việc", "Task"), tr("Chủ trì", "Owner"), tr("Bắt đầu", "Start"),
                    tr("Hạn", "Due"), tr("Phụ thuộc", "Depends on"), tr("Kinh phí", "Budget"), tr("Gấp", "Urgent"),
                    tr("Lượt chạy", "Runs")], rows)
    return (f"<section><h1>{_t('Lộ trình', 'Roadmap')}</h1><p>{_t('Tổng kinh phí', 'Total budget')}: "
            f"{_money(page['budget_total'])}</p><div class='svg'>{page['gantt_svg']}</div>{table}</section>")


# ---------------------------------------------------------------- monitoring report

def _kpis(page: MonitorPage) -> str:
    c, cost = page.counts, page.cost
    items = [("done", tr("Hoàn thành", "Done"), f"{c['done']}/{c['total']}"),
             ("late", tr("Trễ hạn", "Late"), str(c["late"])), ("risk", tr("Có nguy cơ", "At risk"), str(c["risk"])),
             ("", tr("Kinh phí lộ trình", "Roadmap budget"), tr(vnd_vi(cost.roadmap_budget), vnd_en(cost.roadmap_budget))),
             ("", tr("Chi phí/năm trước → sau", "Yearly cost before → after"),
              tr(f"{vnd_vi(cost.yearly_before)} → {vnd_vi(cost.yearly_after)}",
                 f"{vnd_en(cost.yearly_before)} → {vnd_en(cost.yearly_after)}")),
             ("", tr("Tiền thuê còn phải trả", "Leases still owed"),
              tr(vnd_vi(cost.stranded_leases), vnd_en(cost.stranded_leases)))]
    return "<div class='kpis'>" + "".join(f"<div class='kpi {k}'>{escape(n)}<b>{escape(v)}</b></div>"
                                          for k, n, v in items) + "</div>"


def _alert_list(page: MonitorPage, severity: str, limit: int) -> str:
    items = [a for a in page.alerts if a.severity == severity]
    lis = "".join(f"<li>{escape(tr(a.vi, a.en))}</li>" for a in items[:limit])
    more = f"<li class='muted'>… +{len(items) - limit}</li>" if len(items) > limit else ""
    return f"<ul>{lis}{more}</ul>" if items else f"<p class='muted'>{_t('Không có', 'None')}</p>"


def _urgent_table(page: MonitorPage) -> str:
    rows = [(escape(tr(v.task.title_vi, v.task.title_en)), f"{v.task.due:%d/%m/%Y}", f"{v.percent:.0f}%",
             escape({"done": tr("xong", "done"), "doing": tr("đang làm", "doing"), "todo": tr("chưa", "to do"),
                     "blocked": tr("vướng", "blocked")}.get(v.state, v.state))) for v in page.urgent]
    return _table([tr("Hệ thống gấp (sẵn sàng ngày hợp nhất)", "Urgent (ready on merger day)"), tr("Hạn", "Due"),
                   tr("Tiến độ", "Progress"), tr("Trạng thái", "State")], rows)


def _digitisation(page: MonitorPage) -> str:
    rows = [(escape(page.unit_names.get(d.unit_code, d.unit_code)), str(d.communes), pct(d.share),
             str(len(d.below_threshold)),
             escape(", ".join(f"{r.commune_name} {r.share * 100:.1f}%" for r in d.below_threshold[:4])))
            for d in page.digitisation]
    return _table([tr("Tỉnh (cũ)", "Old province"), tr("Số xã", "Communes"), tr("Đã số hóa", "Digitised"),
                   tr("Xã < 1%", "Communes < 1%"), tr("Thấp nhất", "Lowest")], rows)


def _svg_img(svg: str) -> str:
    """The chart as an embedded image so it scales to a fixed height on the printed page."""
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return f"<img class='gantt' alt='Gantt' src='data:image/svg+xml;base64,{data}'>"


def report_html(page: MonitorPage, title: str | None = None) -> str:
    """The one-page report for the monitoring team: done, late, at risk, urgent systems, cost, digitisation."""
    title = title or tr("Báo cáo tiến độ hợp nhất hệ thống thông tin", "Information-system consolidation progress")
    body = (f"<h1>{escape(title)}</h1><div class='muted'>{_t('Số liệu đến ngày', 'As of')} {page.today:%d/%m/%Y}"
            f"</div>{_kpis(page)}<div class='cols'><div><h2>{_t('Trễ hạn', 'Late')}</h2>"
            f"{_alert_list(page, 'late', 6)}<h2>{_t('Có nguy cơ trễ', 'At risk')}</h2>{_alert_list(page, 'risk', 5)}"
            f"</div><div>{_urgent_table(page)}<h2>{_t('Số hóa hộ tịch theo xã', 'Civil-status digitisation')}</h2>"
            f"{_digitisation(page)}</div></div><h2>{_t('Lộ trình các hệ thống gấp', 'Urgent systems roadmap')}</h2>"
            f"<div class='svg'>{_svg_img(page.gantt_svg)}</div>")
    lang = tr("vi", "en")
    return (f"<!DOCTYPE html><html lang='{lang}'><head><meta charset='utf-8'><title>{escape(title)}</title>"
            f"<style>{CSS}</style></head><body class='report'>{body}</body></html>")


def write_pdf(html: str, path: Path) -> Path:
    """Render the HTML to PDF offline (WeasyPrint; needs Debian's pango libraries)."""
    try:
        import weasyprint
    except (ImportError, OSError) as exc:
        raise CatalogError("PDF rendering unavailable: install weasyprint and Debian libpango-1.0-0",
                           source=str(path), reason=str(exc)) from exc
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    weasyprint.HTML(string=html).write_pdf(str(path))
    return path
