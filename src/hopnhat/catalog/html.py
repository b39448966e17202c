"""Server-side HTML for the catalog pages and the one-page monitoring report (inline CSS, no JS, no CDN).

``render_*`` return HTML fragments (a ``<section>``) the web app can put in its layout; :func:`report_html` returns a
whole document sized for one A4 landscape page, and :func:`write_report_pdf` turns it into a PDF offline with
WeasyPrint, compacting the lists until the page count is one (the promise is checked, not hoped for).
:func:`explanations_html` is the committee's document: per role, each criterion, its weight, each system's score and
the inventory cells it came from (several pages, on purpose).
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Sequence
from html import escape
from pathlib import Path
from typing import Any

from hopnhat.catalog.errors import CatalogError
from hopnhat.catalog.fmt import dec, num_en, num_vi, pct, vnd_en, vnd_vi
from hopnhat.catalog.monitor import SOURCE_STATE_LABELS
from hopnhat.catalog.views import DecisionRow, Explanation, MonitorPage
from hopnhat.i18n import tr
from hopnhat.io.outputs import write_bytes

CSS = """
@page { size: A4 landscape; margin: 9mm; }
body { font-family: 'DejaVu Sans', Arial, sans-serif; font-size: 8.5pt; color: #222; margin: 0; }
h1 { font-size: 14pt; margin: 0 0 2mm 0; color: #1f4e79; }
h2 { font-size: 10pt; margin: 3mm 0 1mm 0; color: #1f4e79; }
table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 0.5pt solid #ccc; padding: 1px 3px; text-align: left; vertical-align: top; }
th { background: #ddebf7; }
td.num { text-align: right; white-space: nowrap; }
tr.total td { font-weight: bold; border-top: 0.8pt solid #1f4e79; }
.kpis { display: flex; gap: 3mm; margin: 2mm 0; }
.kpi { border: 0.6pt solid #9bb7d4; border-radius: 2mm; padding: 1.5mm 3mm; min-width: 28mm; }
.kpi b { display: block; font-size: 13pt; }
.late b { color: #c62828; } .risk b { color: #e65100; } .done b { color: #2e7d32; }
.cols { display: flex; gap: 5mm; } .cols > div { flex: 1; min-width: 0; }
.muted { color: #666; } .svg svg { width: 100%; height: auto; }
.evidence { font-size: 7pt; color: #555; }
.report img.gantt { width: 100%; max-height: 62mm; object-fit: contain; object-position: left top; }
.report ul { margin: 0; padding-left: 4mm; }
.report.c1 { font-size: 7.5pt; } .report.c1 img.gantt { max-height: 52mm; }
.report.c2 { font-size: 7pt; } .report.c2 img.gantt { max-height: 44mm; } .report.c2 .kpi b { font-size: 11pt; }
.report.c3 { font-size: 6.5pt; } .report.c3 img.gantt { max-height: 36mm; } .report.c3 .kpi b { font-size: 10pt; }
.explain section { break-inside: avoid; }
"""
#: how much of each list the one-page report shows at each compaction level (the last one always fits)
REPORT_LIMITS = ({"groups": 5, "per_group": 3, "risk": 5, "urgent": 12, "lowest": 4},
                 {"groups": 4, "per_group": 2, "risk": 4, "urgent": 9, "lowest": 3},
                 {"groups": 3, "per_group": 2, "risk": 3, "urgent": 6, "lowest": 2},
                 {"groups": 3, "per_group": 1, "risk": 2, "urgent": 4, "lowest": 1})


def _t(vi: str, en: str) -> str:
    return escape(tr(vi, en))


def _money(amount: float) -> str:
    return escape(tr(vnd_vi(amount), vnd_en(amount)))


def _num(n: float) -> str:
    return tr(num_vi(n), num_en(n))


def _table(headers: Sequence[str], rows: Iterable[Sequence[Any]], extra: str = "") -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table{extra}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


# ---------------------------------------------------------------- pages

def render_inventory(page: dict[str, Any]) -> str:
    parts = [f"<section><h1>{_t('Kiểm kê hệ thống', 'System inventory')}</h1>"]
    for unit in page["units"]:
        rows = [(escape(s["key"]), escape(s["name"]), escape(s["kind_label"]), escape(s["owner"]),
                 escape(s["hosting_label"]), _num(s["users"]), _num(s["records"]), _num(s["monthly_volume"]),
                 _money(s["yearly_cost"])) for s in unit["systems"]]
        parts.append(f"<h2>{escape(unit['name'])} ({escape(unit['code'])})</h2>")
        parts.append(_table([tr("Mã", "Id"), tr("Tên", "Name"), tr("Loại", "Kind"), tr("Đơn vị chủ quản", "Owner"),
                             tr("Triển khai", "Hosting"), tr("Người dùng", "Users"), tr("Bản ghi", "Records"),
                             tr("GD/tháng", "Per month"), tr("Vận hành/năm", "Operations/year")], rows))
    one = ", ".join(escape(p["title"]) + " (" + escape("/".join(p["units"])) + ")" for p in page["one_sided"])
    parts.append(f"<h2>{_t('Chỉ có ở một bên', 'On one side only')}</h2><p>{one or '—'}</p></section>")
    return "".join(parts)


def render_explanation(ex: Explanation) -> str:
    """The per-criterion table of one role: criterion, weight, each system's score and the cells it came from."""
    heads = [tr("Tiêu chí", "Criterion"), tr("Trọng số", "Weight")]
    for s in ex.systems:
        heads += [f"{tr('Điểm', 'Score')} {s.key}", f"{tr('Căn cứ', 'Evidence')} {s.key}"]
    rows = []
    for r in ex.rows:
        row = [escape(r.label), f"<span class='num'>{dec(r.weight)}</span>"]
        for c in r.cells:
            row += [dec(c.score), f"{escape(c.reason)}<div class='evidence'>{escape(c.evidence)}</div>"]
        rows.append(row)
    total = [f"<b>{_t('Tổng điểm có trọng số', 'Weighted total')}</b>", ""]
    for t, a in zip(ex.totals, ex.action_labels, strict=True):
        total += [f"<b>{dec(t)}</b>", f"<b>{escape(a)}</b>"]
    rows.append(total)
    names = "; ".join(f"{escape(s.key)}: {escape(s.name)}" for s in ex.systems)
    return (f"<section class='explain-role' id='role-{escape(ex.key)}'><h2>{escape(ex.title)}</h2>"
            f"<p class='muted'>{names}</p>{_table(heads, rows)}</section>")


def _decision_article(r: DecisionRow) -> str:
    note = (f"<p><b>{_t('Điều chỉnh của người lập kế hoạch', 'Planner override')}:</b> "
            f"{escape(r.decision.override_note or '')} ({_t('khuyến nghị', 'recommended')}: "
            f"{escape(r.recommended_label)})</p>") if r.overridden else ""
    reasons = "".join(f"<li>{escape(x)}</li>" for x in r.reasons)
    return (f"<article id='sys-{escape(r.system.key)}'><h3>{escape(r.system.name)} ({escape(r.system.key)}): "
            f"{escape(r.action_label)} — {dec(r.decision.total)}</h3>{note}<ul>{reasons}</ul></article>")


def render_decisions(rows: Sequence[DecisionRow], tables: Sequence[Explanation] = ()) -> str:
    """Per role: the per-criterion table (when given), then each system's decision and reasons in words."""
    parts = [f"<section><h1>{_t('Đánh giá và lựa chọn', 'Evaluation and choice')}</h1>"]
    by_role = {ex.key: ex for ex in tables}
    done: set[str] = set()
    for r in rows:
        key = r.decision.pair_key
        if key in by_role and key not in done:
            parts.append(render_explanation(by_role[key]))
            done.add(key)
        parts.append(_decision_article(r))
    return "".join(parts) + "</section>"


def explanations_html(tables: Sequence[Explanation], title: str | None = None) -> str:
    """A whole document (HTML, then PDF) of every role's per-criterion table, for the steering committee."""
    title = title or tr("Giải trình lựa chọn hệ thống theo từng tiêu chí", "Per-criterion explanation of the choices")
    body = "".join(render_explanation(ex) for ex in tables)
    lang = tr("vi", "en")
    return (f"<!DOCTYPE html><html lang='{lang}'><head><meta charset='utf-8'><title>{escape(title)}</title>"
            f"<style>{CSS}</style></head><body class='explain'><h1>{escape(title)}</h1>{body}</body></html>")


def render_roadmap(page: dict[str, Any]) -> str:
    rows = [(escape(t.id), escape(tr(t.title_vi, t.title_en)), escape(t.owner), f"{t.start:%d/%m/%Y}",
             f"{t.due:%d/%m/%Y}", escape(", ".join(t.depends_on)), _money(t.budget),
             _t("Gấp", "Urgent") if t.urgent else "", escape(", ".join(t.run_ids))) for t in page["tasks"]]
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
             ("", tr("Kinh phí lộ trình", "Roadmap budget"),
              tr(vnd_vi(cost.roadmap_budget), vnd_en(cost.roadmap_budget))),
             ("", tr("Chi phí/năm trước → sau", "Yearly cost before → after"),
              tr(f"{vnd_vi(cost.yearly_before)} → {vnd_vi(cost.yearly_after)}",
                 f"{vnd_en(cost.yearly_before)} → {vnd_en(cost.yearly_after)}")),
             ("", tr("Tiền thuê còn phải trả", "Leases still owed"),
              tr(vnd_vi(cost.stranded_leases), vnd_en(cost.stranded_leases)))]
    return "<div class='kpis'>" + "".join(f"<div class='kpi {k}'>{escape(n)}<b>{escape(v)}</b></div>"
                                          for k, n, v in items) + "</div>"


def _late_groups(page: MonitorPage, limits: dict[str, int]) -> str:
    """Late tasks by owner department and old province: who has to act, the latest first."""
    groups = page.late_groups
    if not groups:
        return f"<p class='muted'>{_t('Không có', 'None')}</p>"
    items = []
    for g in groups[: limits["groups"]]:
        unit = page.unit_names.get(g.unit_code or "", g.unit_code or "—")
        tasks = "; ".join(f"{escape(tr(v.task.title_vi, v.task.title_en))} "
                          f"({_t(f'trễ {v.days_late} ngày', f'{v.days_late} days late')})"
                          for v in g.views[: limits["per_group"]])
        more = _t(f"; … và {len(g.views) - limits['per_group']} việc khác",
                  f"; … and {len(g.views) - limits['per_group']} more") if len(g.views) > limits["per_group"] else ""
        items.append(f"<li><b>{escape(g.owner)} — {escape(unit)}</b> ({len(g.views)}): {tasks}{more}</li>")
    rest = sum(len(g.views) for g in groups[limits["groups"]:])
    others = len(groups) - limits["groups"]
    note = _t(f"… và {rest} việc trễ của {others} đơn vị khác", f"… and {rest} late tasks of {others} more owners")
    more = f"<li class='muted'>{note}</li>" if rest else ""
    return f"<ul>{''.join(items)}{more}</ul>"


def _alert_list(page: MonitorPage, severity: str, limit: int) -> str:
    items = [a for a in page.alerts if a.severity == severity]
    lis = "".join(f"<li>{escape(tr(a.vi, a.en))}</li>" for a in items[:limit])
    more = f"<li class='muted'>{_t(f'… và {len(items) - limit} việc khác', f'… and {len(items) - limit} more')}</li>" \
        if len(items) > limit else ""
    return f"<ul>{lis}{more}</ul>" if items else f"<p class='muted'>{_t('Không có', 'None')}</p>"


STATE_LABELS = {"done": ("xong", "done"), "doing": ("đang làm", "doing"), "todo": ("chưa làm", "to do"),
                "blocked": ("vướng", "blocked")}


def _urgent_table(page: MonitorPage, limit: int) -> str:
    """Urgent tasks not done yet, the earliest deadline first (the done ones are counted, not listed)."""
    open_views = sorted((v for v in page.urgent if v.state != "done"), key=lambda v: (v.task.due, v.task.id))
    rows = [(escape(tr(v.task.title_vi, v.task.title_en)), f"{v.task.due:%d/%m/%Y}", pct(v.percent / 100),
             escape(tr(*STATE_LABELS.get(v.state, (v.state, v.state))))) for v in open_views[:limit]]
    done = len(page.urgent) - len(open_views)
    note = _t(f"{done}/{len(page.urgent)} việc gấp đã xong", f"{done}/{len(page.urgent)} urgent tasks done")
    if len(open_views) > limit:
        note += _t(f"; … và {len(open_views) - limit} việc gấp chưa xong khác",
                   f"; … and {len(open_views) - limit} more open urgent tasks")
    table = _table([tr("Việc gấp chưa xong (phải sẵn sàng ngày hợp nhất)", "Open urgent tasks (ready on merger day)"),
                    tr("Hạn", "Due"), tr("Tiến độ", "Progress"), tr("Trạng thái", "State")], rows)
    return f"{table}<p class='muted'>{note}</p>"


def _digitisation(page: MonitorPage, lowest: int) -> str:
    rows = [(escape(page.unit_names.get(d.unit_code, d.unit_code)), str(d.communes), pct(d.share),
             str(len(d.below_threshold)),
             escape(", ".join(f"{r.commune_name} {pct(r.share)}" for r in d.below_threshold[:lowest])))
            for d in page.digitisation]
    return _table([tr("Tỉnh (cũ)", "Old province"), tr("Số xã", "Communes"), tr("Đã số hóa", "Digitised"),
                   tr("Xã < 1 %", "Communes < 1%"), tr("Thấp nhất", "Lowest")], rows)


def _svg_img(svg: str) -> str:
    """The chart as an embedded image so it scales to a fixed height on the printed page."""
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return f"<img class='gantt' alt='Gantt' src='data:image/svg+xml;base64,{data}'>"


def _runs(page: MonitorPage) -> str:
    """Data-migration tasks measured from linked pipeline runs (books of the latest finished run)."""
    measured = [v for v in page.views if v.progress is not None]
    if not measured:
        return ""
    items = "".join(f"<li>{escape(tr(v.task.title_vi, v.task.title_en))}: {pct(v.percent / 100)} — "
                    f"{_t('đọc', 'read')} {_num(v.progress.rows_read)}, {_t('cách ly', 'quarantined')} "
                    f"{_num(v.progress.quarantine_left)}, {_t('chờ duyệt', 'to review')} {_num(v.progress.review_left)}"
                    f"</li>" for v in measured[:3] if v.progress)
    return f"<h2>{_t('Chuyển dữ liệu (đo từ lượt chạy)', 'Data migration (measured from runs)')}</h2><ul>{items}</ul>"


def sources_table(page: MonitorPage) -> str:
    """Each legacy source of the merger: live, syncing, frozen or cut over (with when, who signed, the report)."""
    if not page.sources:
        return ""
    rows = [(escape(v.source), escape(v.system_id or "—"),
             escape(tr(*SOURCE_STATE_LABELS.get(v.state, (v.state, v.state)))),
             f"{v.at:%d/%m/%Y %H:%M}" if v.at else "", escape(v.by), escape(v.note)) for v in page.sources]
    table = _table([tr("Nguồn", "Source"), tr("Hệ thống", "System"), tr("Trạng thái", "State"), tr("Lúc", "At"),
                    tr("Người ký", "Signed by"), tr("Ghi chú", "Note")], rows)
    return f"<h2>{_t('Nguồn dữ liệu cũ: chuyển đổi', 'Legacy sources: cut-over')}</h2>{table}"


def report_html(page: MonitorPage, title: str | None = None, level: int = 0) -> str:
    """The one-page report for the monitoring team: done, late (by owner and province), at risk, urgent systems,
    migration runs, cost, digitisation. ``level`` 0–3 shows shorter lists, for a page that must stay one page."""
    limits = REPORT_LIMITS[max(0, min(level, len(REPORT_LIMITS) - 1))]
    title = title or tr("Báo cáo tiến độ hợp nhất hệ thống thông tin", "Information-system consolidation progress")
    body = (f"<h1>{escape(title)}</h1><div class='muted'>{_t('Số liệu đến ngày', 'As of')} {page.today:%d/%m/%Y}"
            f"</div>{_kpis(page)}<div class='cols'><div>"
            f"<h2>{_t('Trễ hạn theo đơn vị chủ trì và tỉnh', 'Late, by owner and province')}</h2>"
            f"{_late_groups(page, limits)}<h2>{_t('Có nguy cơ trễ', 'At risk')}</h2>"
            f"{_alert_list(page, 'risk', limits['risk'])}{_runs(page)}{sources_table(page)}"
            f"</div><div>{_urgent_table(page, limits['urgent'])}"
            f"<h2>{_t('Số hóa hộ tịch theo xã', 'Civil-status digitisation')}</h2>"
            f"{_digitisation(page, limits['lowest'])}</div></div>"
            f"<h2>{_t('Lộ trình các hệ thống gấp', 'Urgent systems roadmap')}</h2>"
            f"<div class='svg'>{_svg_img(page.gantt_svg)}</div>")
    lang = tr("vi", "en")
    return (f"<!DOCTYPE html><html lang='{lang}'><head><meta charset='utf-8'><title>{escape(title)}</title>"
            f"<style>{CSS}</style></head><body class='report c{level}'>{body}</body></html>")


def _weasyprint() -> Any:
    try:
        import weasyprint
    except (ImportError, OSError) as exc:
        raise CatalogError(tr("không tạo được PDF: cần weasyprint và gói Debian libpango-1.0-0",
                              "PDF rendering unavailable: install weasyprint and Debian libpango-1.0-0"),
                           reason=type(exc).__name__) from exc
    return weasyprint


def write_pdf(html: str, path: Path) -> Path:
    """Render the HTML to PDF offline (WeasyPrint; needs Debian's pango libraries); as many pages as it takes."""
    path = Path(path)
    write_bytes(path, _weasyprint().HTML(string=html).write_pdf())
    return path


def fit_one_page(page: MonitorPage) -> tuple[str, Any]:
    """The report HTML at the first compaction level whose rendering is one page, with the rendered document."""
    weasyprint = _weasyprint()
    pages = 0
    for level in range(len(REPORT_LIMITS)):
        html = report_html(page, level=level)
        document = weasyprint.HTML(string=html).render()
        pages = len(document.pages)
        if pages == 1:
            return html, document
    raise CatalogError(tr("báo cáo không vừa một trang kể cả khi rút gọn", "the report does not fit one page, "
                          "even compacted"), value=pages)


def write_report_pdf(page: MonitorPage, html_path: Path | None, pdf_path: Path) -> str:
    """The one-page report as PDF (and the same HTML beside it): exactly one page, checked."""
    html, document = fit_one_page(page)
    write_bytes(pdf_path, document.write_pdf())
    if html_path:
        write_bytes(html_path, html.encode("utf-8"))
    return html
