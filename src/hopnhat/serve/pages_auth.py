"""Open routes (health, login) and the account routes every user has (home, logout, own audit trail)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from hopnhat.i18n import tr
from hopnhat.serve import audit
from hopnhat.serve.deps import check_csrf, client_ip, ctx_of, render, session_user
from hopnhat.serve.roles import can, home_for
from hopnhat.serve.security import PRELOGIN_COOKIE, SESSION_COOKIE
from hopnhat.serve.users import check_password

open_router = APIRouter()
router = APIRouter(dependencies=[Depends(session_user)])


@open_router.get("/health")
def health(request: Request) -> JSONResponse:
    """Liveness for load balancers and monitoring: says nothing about the data."""
    ctx = ctx_of(request)
    return JSONResponse({"status": "ok", "store": ctx.reader.dialect.name})


def _safe_next(value: str | None) -> str:
    """Only a local path (never ``//host`` or a URL) may follow a login."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/"


@open_router.get("/login")
def login_form(request: Request, next: str = "/") -> Response:
    ctx = ctx_of(request)
    cookie, nonce = ctx.signer.new_prelogin()
    request.state.prelogin = nonce  # this page's form carries the token of the cookie it sets
    response = render(request, "login.html", next=_safe_next(next), error=None)
    response.set_cookie(PRELOGIN_COOKIE, cookie, max_age=3600, **ctx.signer.cookie_args())  # type: ignore[arg-type]
    return response


@open_router.post("/login", dependencies=[Depends(check_csrf)])
def login(request: Request, username: str = Form(""), password: str = Form(""), next: str = Form("/")) -> Response:
    ctx = ctx_of(request)
    ip, name = client_ip(request), username.strip().lower()[:64]
    if ctx.throttle.blocked(name, ip):
        audit.append(ctx.db, name or "-", "login_blocked", ip, {})
        return render(request, "login.html", http_status=429, next=_safe_next(next),
                      error=tr("Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau 15 phút.",
                               "Too many failed logins. Try again in 15 minutes."))
    user = check_password(ctx.db, name, password)
    ctx.throttle.record(name, ip, user is not None)
    if user is None:
        audit.append(ctx.db, name or "-", "login_failure", ip, {})
        return render(request, "login.html", http_status=401, next=_safe_next(next),
                      error=tr("Tên đăng nhập hoặc mật khẩu không đúng.", "Wrong user name or password."))
    audit.append(ctx.db, user.name, "login_success", ip, {})
    cookie, _ = ctx.signer.session_cookie(user.name, user.session_version)
    target = _safe_next(next)
    response = RedirectResponse(home_for(user.role) if target == "/" else target, status_code=303)
    response.set_cookie(SESSION_COOKIE, cookie, max_age=ctx.settings.session_max_age_s,
                        **ctx.signer.cookie_args())  # type: ignore[arg-type]
    response.delete_cookie(PRELOGIN_COOKIE, path="/")
    return response


@router.post("/logout", dependencies=[Depends(check_csrf)])
def logout(request: Request) -> Response:
    ctx = ctx_of(request)
    audit.append(ctx.db, request.state.user.name, "logout", client_ip(request), {})
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/")
def home(request: Request) -> Response:
    return RedirectResponse(home_for(request.state.user.role), status_code=303)


@router.get("/audit")
def audit_page(request: Request, action: str = "", actor: str = "", before: int = 0) -> Response:
    """A user's own trail; with ``audit_all`` (admin), everyone's (viewing it is itself logged)."""
    ctx = ctx_of(request)
    user = request.state.user
    everyone = can(user.role, "audit_all")
    who = (actor or None) if everyone else user.name
    rows: list[dict[str, Any]] = audit.entries(ctx.db, who, action or None, ctx.settings.row_limit, before or None)
    if everyone:
        audit.append(ctx.db, user.name, "audit_view", client_ip(request), {"actor": actor, "action": action})
    return render(request, "audit.html", rows=rows, everyone=everyone, action=action, actor=actor,
                  actions=audit.ACTIONS)
