"""Catalog pages: inventory, decisions with their reasons (and the planner's override form), roadmap with its
Gantt chart, and the monitoring dashboard."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup

from hopnhat.errors import InputError
from hopnhat.serve.app.deps import check_csrf, client_ip, ctx_of, need, render
from hopnhat.serve.pagedata.catalog import action_choices
from hopnhat.serve.security import audit
from hopnhat.serve.security.users import User

router = APIRouter()


def _missing(request: Request) -> Response | None:
    if ctx_of(request).catalog.available:
        return None
    return render(request, "catalog_missing.html", path_db=str(ctx_of(request).catalog.path))


@router.get("/catalog/inventory")
def inventory(request: Request, user: User = Depends(need("catalog"))) -> Response:
    if (missing := _missing(request)) is not None:
        return missing
    html = ctx_of(request).catalog.inventory_html()
    return render(request, "catalog_page.html", section="inventory", body=Markup(html))


@router.get("/catalog/decisions")
def decisions(request: Request, user: User = Depends(need("catalog"))) -> Response:
    if (missing := _missing(request)) is not None:
        return missing
    html, systems = ctx_of(request).catalog.decisions()
    return render(request, "catalog_decisions.html", section="decisions", body=Markup(html), systems=systems,
                  actions=action_choices())


@router.post("/catalog/override", dependencies=[Depends(check_csrf)])
def override(request: Request, system_id: str = Form(...), action: str = Form(...), note: str = Form(""),
             run_both: bool = Form(False), user: User = Depends(need("catalog_override"))) -> Response:
    ctx = ctx_of(request)
    if not note.strip():
        raise InputError("an override needs a note explaining it", table="overrides", value=system_id)
    if action not in dict(action_choices()):
        raise InputError("unknown action", table="overrides", value=action)
    ctx.catalog.override(system_id, action, note, user.name, run_both=run_both)
    audit.append(ctx.db, user.name, "catalog_override", client_ip(request),
                 {"system": system_id, "action": action, "note": note[:200], "run_both": run_both})
    return RedirectResponse(f"/catalog/decisions#sys-{system_id}", status_code=303)


@router.get("/catalog/roadmap")
def roadmap(request: Request, user: User = Depends(need("catalog"))) -> Response:
    if (missing := _missing(request)) is not None:
        return missing
    ctx = ctx_of(request)
    return render(request, "catalog_page.html", section="roadmap",
                  body=Markup(ctx.catalog.roadmap_html(ctx.settings.day())))


@router.get("/catalog/monitor")
def monitor(request: Request, user: User = Depends(need("catalog"))) -> Response:
    if (missing := _missing(request)) is not None:
        return missing
    ctx = ctx_of(request)
    page = ctx.catalog.monitor(ctx.settings.day())
    return render(request, "catalog_monitor.html", section="monitor", page=page, gantt=Markup(page.gantt_svg))
