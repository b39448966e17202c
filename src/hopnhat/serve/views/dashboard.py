"""The migration dashboard (runs, stages, balance, quarantine, review left) with its drill-down and Excel export,
and the in-flight dossiers at the cut-over."""

from __future__ import annotations

from collections import Counter
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from markupsafe import Markup

from hopnhat.i18n import tr
from hopnhat.serve.app.deps import client_ip, ctx_of, need, render
from hopnhat.serve.app.openapi import XLSX_RESPONSES
from hopnhat.serve.pagedata.dashboard import reason_label
from hopnhat.serve.search.lookup import unit_label
from hopnhat.serve.security import audit
from hopnhat.serve.security.users import User
from hopnhat.serve.views.charts import GREEN, ORANGE, RED, balance_chart, bar_chart

router = APIRouter()
Filter = Annotated[str, Query(max_length=200)]


def _legend() -> dict[str, str]:
    return {"loaded": tr("Đã nạp", "Loaded"), "merged": tr("Đã gộp", "Merged"),
            "quarantined": tr("Cách ly", "Quarantined"), "missing": tr("Chưa khớp", "Unaccounted")}


@router.get("/dashboard")
def dashboard(request: Request, user: User = Depends(need("migration"))) -> Response:
    ctx = ctx_of(request)
    d, scope = ctx.dashboard, ctx.scope(user)
    balances = d.balances()
    counts = d.quarantine_counts()
    by_reason: Counter[str] = Counter()
    for c in counts:
        by_reason[c["reason_code"]] += int(c["n"])
    inflight = d.in_flight(scope, ctx.project.config.merged_unit.cutover, ctx.settings.day())
    charts = {
        "balance": Markup(balance_chart(balances, tr("Đối soát theo bảng nguồn: đọc = nạp + gộp + cách ly",
                                                     "Balance per source table: read = loaded + merged + quarantined"),
                                        _legend())),
        "quarantine": Markup(bar_chart([(reason_label(r), n) for r, n in by_reason.most_common()],
                                       tr("Dòng cách ly theo lý do", "Quarantined rows by reason"), ORANGE)),
        "inflight": Markup(_inflight_chart(inflight)),
    }
    return render(request, "dashboard.html", runs=d.runs(), stages=d.stages(), balances=balances, counts=counts,
                  charts=charts, review=ctx.review.counts(scope), inflight_total=len(inflight),
                  inflight_overdue=sum(r["overdue"] for r in inflight), reason_label=reason_label,
                  served_version=ctx.version)


def _inflight_chart(rows: list[dict[str, Any]]) -> str:
    buckets: Counter[str] = Counter()
    for r in rows:
        left = r["days_left"]
        key = (tr("Quá hạn", "Overdue") if r["overdue"] else tr("≤ 7 ngày", "≤ 7 days") if left is not None
               and left <= 7 else tr("8–30 ngày", "8–30 days") if left is not None and left <= 30
               else tr("> 30 ngày", "> 30 days"))
        buckets[key] += 1
    order = [tr("Quá hạn", "Overdue"), tr("≤ 7 ngày", "≤ 7 days"), tr("8–30 ngày", "8–30 days"),
             tr("> 30 ngày", "> 30 days")]
    return bar_chart([(k, buckets[k]) for k in order], tr("Hồ sơ đang xử lý theo thời hạn còn lại",
                                                          "In-flight dossiers by time left"),
                     RED if buckets[order[0]] else GREEN)


@router.get("/dashboard/quarantine")
def quarantine(request: Request, reason: Filter = "", source: Filter = "", table: Filter = "",
               user: User = Depends(need("quarantine"))) -> Response:
    """Quarantined rows in the user's scope, masked (:mod:`hopnhat.serve.pagedata.quarantine`)."""
    ctx = ctx_of(request)
    rows = ctx.quarantine.rows(ctx.scope(user), reason or None, source or None, table or None)
    audit.append(ctx.db, user.name, "quarantine_view", client_ip(request),
                 {"reason": reason, "source": source, "table": table, "rows": len(rows)})
    return render(request, "quarantine.html", rows=rows, reason=reason, source=source, table=table,
                  reason_label=reason_label)


@router.get("/dashboard/quarantine.xlsx", responses=XLSX_RESPONSES)
def quarantine_export(request: Request, reason: Filter = "", source: Filter = "", table: Filter = "",
                      user: User = Depends(need("quarantine"))) -> Response:
    ctx = ctx_of(request)
    data = ctx.quarantine.workbook(ctx.scope(user), reason or None, source or None, table or None)
    audit.append(ctx.db, user.name, "quarantine_export", client_ip(request),
                 {"reason": reason, "source": source, "table": table})
    return Response(data, media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": 'attachment; filename="cach-ly.xlsx"',
                             "Cache-Control": "no-store"})


@router.get("/dossiers")
def dossiers(request: Request, user: User = Depends(need("dossiers"))) -> Response:
    ctx = ctx_of(request)
    rows = ctx.dashboard.in_flight(ctx.scope(user), ctx.project.config.merged_unit.cutover, ctx.settings.day())
    audit.append(ctx.db, user.name, "dossier_list", client_ip(request), {"rows": len(rows)})  # applicants' names
    for r in rows:
        r["new_unit"] = unit_label(r.get("receiving_unit_new_commune_code"), "new")
        r["candidates"] = [unit_label(c, "new") for c in (r.get("receiving_unit_candidates") or "").split(";") if c]
    return render(request, "dossiers.html", rows=rows, cutover=ctx.project.config.merged_unit.cutover,
                  today=ctx.settings.day(), chart=Markup(_inflight_chart(rows)),
                  overdue=sum(r["overdue"] for r in rows))

