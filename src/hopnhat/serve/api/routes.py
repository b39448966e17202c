"""The JSON API for machines (``Authorization: Bearer <token>``; cookies are not accepted, so no CSRF applies).

``GET /api/lookup?q=…`` — the same search as the page, same scope, identifiers masked;
``GET /api/record/{entity}/{key}`` — a record page's data, masked;
``POST /api/reveal`` ``{"entity", "key", "field"}`` — one identifier in full (logged).
Errors have one shape: ``{"error": {"code": …, "message": …}}``. Every answer passes through
:func:`hopnhat.serve.security.mask.scrub` (identifiers inside any text masked) — only the revealed value and the
caller's own query are sent as they are.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from hopnhat.serve.app.deps import NotFound, client_ip, ctx_of, need_api
from hopnhat.serve.app.openapi import LookupAnswer, RecordAnswer, RevealAnswer
from hopnhat.serve.pagedata.records import view_detail
from hopnhat.serve.search.lookup import MAX_QUERY
from hopnhat.serve.security import audit
from hopnhat.serve.security.mask import Clear, scrub
from hopnhat.serve.security.users import User

router = APIRouter(prefix="/api")
Entity = Annotated[str, Path(max_length=40)]
Key = Annotated[str, Path(max_length=300)]


def _json(data: Any) -> JSONResponse:
    return JSONResponse(scrub(data), headers={"Cache-Control": "no-store"})


@router.get("/lookup", responses={200: {"model": LookupAnswer}})
async def api_lookup(request: Request, q: Annotated[str, Query(max_length=10_000)] = "",
                     as_reading: Annotated[str, Query(alias="as", max_length=40)] = "",
                     user: User = Depends(need_api("lookup"))) -> JSONResponse:
    """Runs on the event loop, not in the thread pool: a lookup is bounded by design (point reads in the SQLite
    index, at most ``lookup_candidates`` names scored, about a millisecond) and all of it holds the GIL, so a thread
    hand-off only added a thread switch and a wait for the GIL to every request (0.6 ms of CPU each, measured).
    ``reading`` is how the query was read, ``readings`` every other way it can be (``as=<reading>`` searches one)."""
    ctx = ctx_of(request)
    found = ctx.lookup.find(q[:MAX_QUERY], ctx.scope(user), as_reading or None)
    audit.append(ctx.db, user.name, "api_lookup", client_ip(request),
                 {"q": q[:MAX_QUERY], "kind": found.query.kind, "reading": found.query.slug, "forced": found.forced,
                  "results": len(found.groups)})
    return _json({"query": Clear(q), "kind": found.query.kind, "reading": found.query.slug,
                  "readings": [r.query.slug for r in found.others()], "results": [g.view() for g in found.groups]})


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


@router.get("/record/{entity}/{key:path}", responses={200: {"model": RecordAnswer}})
def api_record(request: Request, entity: Entity, key: Key, user: User = Depends(need_api("lookup"))) -> JSONResponse:
    ctx = ctx_of(request)
    page = ctx.records.page(entity, key, ctx.scope(user))
    if page is None:
        raise NotFound()
    audit.append(ctx.db, user.name, "record_view", client_ip(request),
                 view_detail({"entity": entity, "key": key, "api": True}, page))
    return _json(_plain(asdict(page)))


class RevealRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    entity: str = Field(max_length=40)
    key: str = Field(max_length=300)
    field: str = Field(max_length=40)


@router.post("/reveal", responses={200: {"model": RevealAnswer}})
def api_reveal(request: Request, body: RevealRequest, user: User = Depends(need_api("reveal"))) -> JSONResponse:
    ctx = ctx_of(request)
    value = ctx.records.identifier(body.entity, body.key, body.field, ctx.scope(user))
    if value is None:
        raise NotFound()
    audit.append(ctx.db, user.name, "reveal", client_ip(request),
                 {"entity": body.entity, "key": body.key, "field": body.field, "api": True})
    return _json({"entity": body.entity, "key": body.key, "field": body.field, "value": Clear(value)})
