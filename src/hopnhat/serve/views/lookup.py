"""Lookup, record pages, archive rows and the logged reveal of an identifier."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import Response

from hopnhat.serve.app.deps import NotFound, check_csrf, client_ip, ctx_of, need, render
from hopnhat.serve.pagedata.records import PAGE_ENTITIES, RecordPage, view_detail
from hopnhat.serve.search.lookup import MAX_QUERY
from hopnhat.serve.security import audit
from hopnhat.serve.security.users import User
from hopnhat.serve.views.files import documents_of

router = APIRouter()


@router.get("/lookup")
def lookup_page(request: Request, q: str = "", as_reading: str = Query("", alias="as", max_length=40),
                user: User = Depends(need("lookup"))) -> Response:
    """The search box; ``as`` is the reading the clerk chose with a one-click switch (else every plausible one)."""
    ctx = ctx_of(request)
    q = q[:MAX_QUERY]
    found = None
    if q.strip():
        found = ctx.lookup.find(q, ctx.scope(user), as_reading or None)
        audit.append(ctx.db, user.name, "lookup", client_ip(request),
                     {"q": q, "kind": found.query.kind, "reading": found.query.slug, "forced": found.forced,
                      "results": len(found.groups)})
    return render(request, "lookup.html", q=q, found=found, query=found.query if found else None,
                  results=[g.view() for g in found.groups] if found else [])


def _record(request: Request, user: User, entity: str, key: str, revealed: set[str]) -> tuple[Response, RecordPage]:
    ctx = ctx_of(request)
    page = ctx.records.page(entity, key, ctx.scope(user), revealed) if entity in PAGE_ENTITIES else None
    if page is None:
        raise NotFound()
    return render(request, "record.html", page=page, attachments=documents_of(request).attachments(page.members)), page


@router.get("/record/{entity}/{key:path}")
def record_page(request: Request, entity: str, key: str, user: User = Depends(need("lookup"))) -> Response:
    response, page = _record(request, user, entity, key, set())
    audit.append(ctx_of(request).db, user.name, "record_view", client_ip(request),
                 view_detail({"entity": entity, "key": key}, page))
    return response


@router.post("/reveal", dependencies=[Depends(check_csrf)])
def reveal(request: Request, entity: str = Form(...), key: str = Form(...), field: str = Form(...),
           user: User = Depends(need("reveal"))) -> Response:
    """Show one identifier of a record in scope in full; the reveal is written to the audit log first."""
    ctx = ctx_of(request)
    value = ctx.records.identifier(entity, key, field, ctx.scope(user))
    if value is None:
        raise NotFound()
    audit.append(ctx.db, user.name, "reveal", client_ip(request), {"entity": entity, "key": key, "field": field})
    return _record(request, user, entity, key, {field})[0]


@router.get("/archive/{table}/{row}")
def archive_page(request: Request, table: str, row: int, user: User = Depends(need("lookup"))) -> Response:
    ctx = ctx_of(request)
    found = ctx.records.archive_row(table, row, ctx.scope(user))
    if found is None:
        raise NotFound()
    audit.append(ctx.db, user.name, "record_view", client_ip(request), {"archive": table, "row": row})
    return render(request, "archive.html", row=found)
