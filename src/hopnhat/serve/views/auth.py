"""Open routes (health, login) and the account routes every user has (home, logout, own password, own audit
trail). A login starts a server-side session; logout ends it there (a copy of the cookie stops working)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from hopnhat.i18n import tr
from hopnhat.serve.app.deps import check_csrf, client_ip, ctx_of, render, session_user
from hopnhat.serve.security import audit
from hopnhat.serve.security.mask import mask_request
from hopnhat.serve.security.roles import can, home_for
from hopnhat.serve.security.sessions import PRELOGIN_COOKIE, SESSION_COOKIE
from hopnhat.serve.security.users import User, check_password, password_problem, set_password

MAX_SEQ = 2**62  # audit sequence numbers fit SQLite's 64-bit integers with room to spare
Text = Annotated[str, Query(max_length=100)]

open_router = APIRouter()
router = APIRouter(dependencies=[Depends(session_user)])


@open_router.get("/health", response_class=JSONResponse)
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
def login_form(request: Request, next: Annotated[str, Query(max_length=2000)] = "/") -> Response:
    ctx = ctx_of(request)
    cookie, nonce = ctx.signer.new_prelogin()
    request.state.prelogin = nonce  # this page's form carries the token of the cookie it sets
    response = render(request, "login.html", next=_safe_next(next), error=None)
    response.set_cookie(PRELOGIN_COOKIE, cookie, max_age=3600, **ctx.signer.cookie_args())  # type: ignore[arg-type]
    return response


@open_router.post("/login", dependencies=[Depends(check_csrf)])
def login(request: Request, username: Annotated[str, Form(max_length=200)] = "",
          password: Annotated[str, Form(max_length=1000)] = "",
          next: Annotated[str, Form(max_length=2000)] = "/") -> Response:
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
    audit.append(ctx.db, user.name, "login_success", ip, {"must_change": user.must_change})
    target = _safe_next(next)
    if user.must_change:
        target = "/account/password"
    response = RedirectResponse(home_for(user.role) if target == "/" else target, status_code=303)
    _start_session(request, response, user)
    response.delete_cookie(PRELOGIN_COOKIE, path="/")
    return response


def _start_session(request: Request, response: Response, user: User) -> None:
    ctx = ctx_of(request)
    cookie, session = ctx.signer.session_cookie(user.name, user.session_version)
    ctx.sessions.start(session, client_ip(request))
    response.set_cookie(SESSION_COOKIE, cookie, max_age=ctx.settings.session_max_age_s,
                        **ctx.signer.cookie_args())  # type: ignore[arg-type]


@router.post("/logout", dependencies=[Depends(check_csrf)])
def logout(request: Request) -> Response:
    ctx = ctx_of(request)
    ctx.sessions.end(request.state.session.sid, "logout")
    audit.append(ctx.db, request.state.user.name, "logout", client_ip(request), {})
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/account/password")
def password_form(request: Request) -> Response:
    return render(request, "password.html", error=None, forced=request.state.user.must_change)


@router.post("/account/password", dependencies=[Depends(check_csrf)])
def password_change(request: Request, current: Annotated[str, Form(max_length=1000)] = "",
                    new: Annotated[str, Form(max_length=1000)] = "",
                    again: Annotated[str, Form(max_length=1000)] = "") -> Response:
    """The user's own new password: the current one is asked again; every other session of the account ends and
    this one is replaced by a fresh session."""
    ctx, user = ctx_of(request), request.state.user
    ip = client_ip(request)
    error = None
    if ctx.throttle.blocked(user.name, ip):
        error = tr("Sai mật khẩu quá nhiều lần. Vui lòng thử lại sau 15 phút.", "Too many failures; try later.")
    elif check_password(ctx.db, user.name, current) is None:
        ctx.throttle.record(user.name, ip, False)
        error = tr("Mật khẩu hiện tại không đúng.", "The current password is wrong.")
    elif new != again:
        error = tr("Hai lần nhập mật khẩu mới không giống nhau.", "The two new passwords differ.")
    elif new == current:
        error = tr("Mật khẩu mới phải khác mật khẩu hiện tại.", "The new password must differ from the current one.")
    else:
        error = password_problem(new, user.name, ctx.settings.password_min_length)
    if error:
        return render(request, "password.html", http_status=400, error=error, forced=user.must_change)
    set_password(ctx.db, user.name, new, min_length=ctx.settings.password_min_length)
    audit.append(ctx.db, user.name, "password_change", ip, {"forced": user.must_change})
    fresh = check_password(ctx.db, user.name, new)
    response = RedirectResponse(home_for(user.role), status_code=303)
    if fresh is not None:
        _start_session(request, response, fresh)
    return response


@router.get("/")
def home(request: Request) -> Response:
    return RedirectResponse(home_for(request.state.user.role), status_code=303)


def _shown(entry: dict[str, Any]) -> dict[str, Any]:
    """An entry as the page shows it: the path and query of a refused request masked like any text (the log keeps
    them as they were asked)."""
    detail = dict(entry["detail"])
    if isinstance(detail.get("path"), str):
        detail["path"] = mask_request(detail["path"])
    if isinstance(detail.get("query"), str) and detail["query"]:
        detail["query"] = mask_request("", detail["query"]).removeprefix("?")
    return {**entry, "detail": detail}


@router.get("/audit")
def audit_page(request: Request, action: Text = "", actor: Text = "",
               before: Annotated[int, Query(ge=0, le=MAX_SEQ)] = 0) -> Response:
    """A user's own trail; with ``audit_all`` (admin), everyone's (viewing it is itself logged)."""
    ctx = ctx_of(request)
    user = request.state.user
    everyone = can(user.role, "audit_all")
    who = (actor or None) if everyone else user.name
    rows = [_shown(e) for e in audit.entries(ctx.db, who, action or None, ctx.settings.row_limit, before or None)]
    if everyone:
        audit.append(ctx.db, user.name, "audit_view", client_ip(request), {"actor": actor, "action": action})
    return render(request, "audit.html", rows=rows, everyone=everyone, action=action, actor=actor,
                  actions=audit.ACTIONS)
