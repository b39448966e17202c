"""The review queue: uncertain pairs with their match-weight chart, split-commune addresses with their candidates;
decisions (accept / reject / choose a commune) recorded with a note and applied by the next run."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup

from hopnhat.i18n import tr
from hopnhat.serve.app.deps import NotFound, check_csrf, client_ip, ctx_of, need, render
from hopnhat.serve.search.lookup import unit_label
from hopnhat.serve.security import audit
from hopnhat.serve.security.mask import is_identifier, mask
from hopnhat.serve.security.users import User
from hopnhat.serve.views.charts import waterfall

router = APIRouter()
MAX_OFFSET = 10_000_000  # far past any queue; bigger numbers are refused (422) before they reach the store
Key = Annotated[str, Query(min_length=1, max_length=500)]
COMPARE = ("full_name", "birth_date", "sex", "id_number", "cccd", "cmnd", "phone", "address",
           "address_new_commune_code", "src_system", "src_table", "src_key")


@router.get("/review")
def review_list(request: Request, status: Annotated[str, Query(max_length=20)] = "open",
                kind: Annotated[str, Query(max_length=40)] = "",
                offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
                user: User = Depends(need("review"))) -> Response:
    ctx = ctx_of(request)
    status = status if status in ("open", "decided", "all") else "open"
    items = ctx.review.items(ctx.scope(user), status, kind or None, max(0, offset))
    return render(request, "review_list.html", items=items, status=status, kind=kind, offset=max(0, offset),
                  counts=ctx.review.counts(ctx.scope(user)), page_size=ctx.settings.row_limit)


@router.get("/review/item")
def review_item(request: Request, key: Key, user: User = Depends(need("review"))) -> Response:
    ctx = ctx_of(request)
    item = ctx.review.get(key, ctx.scope(user))
    if item is None:
        raise NotFound()
    audit.append(ctx.db, user.name, "review_view", client_ip(request),
                 {"item_key": key, "records": [r.get("record_id") for r in item.records if not r.get("out_of_scope")]})
    chart = Markup(waterfall(item.evidence, tr("Trọng số khớp (log2)", "Match weight (log2)"))) \
        if item.kind == "pair" and item.evidence.get("comparisons") else None
    outside = tr("ngoài phạm vi của bạn", "outside your scope")
    rows = [(c, [outside if r.get("out_of_scope") and c == "full_name" else
                 mask(r.get(c)) if is_identifier(c) and r.get(c) else r.get(c) for r in item.records])
            for c in ("full_name", *COMPARE[1:]) if any(r.get(c) or r.get("out_of_scope") for r in item.records)]
    return render(request, "review_item.html", item=item, chart=chart, rows=rows,
                  candidates=[(c, unit_label(c, "new")) for c in item.candidates])


@router.post("/review/decide", dependencies=[Depends(check_csrf)])
def review_decide(request: Request, item_key: Annotated[str, Form(min_length=1, max_length=500)],
                  decision: Annotated[str, Form(min_length=1, max_length=60)],
                  note: Annotated[str, Form(max_length=1000)] = "",
                  user: User = Depends(need("review"))) -> Response:
    ctx = ctx_of(request)
    item = ctx.review.get(item_key, ctx.scope(user))
    if item is None:
        raise NotFound()
    ctx.review.decide(item, decision, user.name, note)
    audit.append(ctx.db, user.name, "review_decision", client_ip(request),
                 {"item_key": item_key, "decision": decision, "note": note[:200]})
    following = ctx.review.items(ctx.scope(user), "open", item.kind)
    target = f"/review/item?key={quote(following[0].item_key)}" if following else "/review?status=decided"
    return RedirectResponse(target, status_code=303)
