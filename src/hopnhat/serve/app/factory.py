"""The FastAPI application: routers, the edge middleware (language, security headers), error pages.

Every router except the open one (``/health``, ``/login``) and the static files requires a logged-in session (or,
under ``/api``, a bearer token) at the router level, on top of each route's own permission check: a route added
later without a permission still refuses anonymous requests. Every page router also refuses requests another site
made the browser send (:func:`hopnhat.serve.app.deps.same_site_only`). Refusals (403), "not found" (404, which is also
what a record outside the user's scope answers) and cross-site requests are written to the audit log, so someone
walking through ids leaves a trace.
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import parse_qs, quote

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.telemetry import TelemetryConfig
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hopnhat.errors import HopnhatError
from hopnhat.i18n import LANGUAGES, set_language, tr
from hopnhat.load.storedb import QueryTimeout, StoreError
from hopnhat.project.config import Project
from hopnhat.serve.api import routes as api
from hopnhat.serve.app.context import AppContext, build_context
from hopnhat.serve.app.deps import (
    AuthRequired,
    BadCsrf,
    CrossSite,
    Forbidden,
    NotFound,
    PasswordChangeRequired,
    api_user,
    client_ip,
    ctx_of,
    render,
    same_site_only,
    session_user,
)
from hopnhat.serve.app.openapi import API_RESPONSES, PAGE_RESPONSES
from hopnhat.serve.app.settings import ServeSettings, load_settings
from hopnhat.serve.security import audit
from hopnhat.serve.security.mask import Clear, install_log_masking, mask_text
from hopnhat.serve.security.sessions import LANG_COOKIE, SESSION_COOKIE
from hopnhat.serve.views import accounts, auth, catalog, dashboard, files, lookup, review

OPEN_PATHS = ("/health", "/login", "/static")
# What a browser asks for by itself, with no link leading there (Chromium asks for the icon as soon as the login page
# shows): never sent to the login page. That redirect would render the login page again, whose new pre-login cookie
# voids the token of the form the user is typing into, and the login fails. They stay plain 404s.
BROWSER_OWN = ("/favicon.ico", "/robots.txt", "/apple-touch-icon.png", "/apple-touch-icon-precomposed.png")
# FastAPI's OpenTelemetry hooks stay off whatever the environment says: requests carry citizens' identifiers
NO_TELEMETRY: TelemetryConfig = {"tracing": False, "metrics": False, "logs": False, "operation_spans": False,
                                  "auto_configure": False}
SECURITY_HEADERS = {
    "content-security-policy": "default-src 'self'; script-src 'none'; style-src 'self' 'unsafe-inline'; "
                               "img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",  # our own pages tell us where a request came from; other sites learn nothing
}


class EdgeMiddleware:
    """Sets the language for the request (``?lang=`` then the cookie) and adds the security headers, with
    ``Cache-Control: no-store`` on every answer but the static files (a route that forgets it is covered)."""

    def __init__(self, app: ASGIApp, https: bool) -> None:
        self.app, self.https = app, https

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope.get("path", "").startswith("/static/")
        asked = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("lang", [""])[0]
        cookie = _cookie(scope, LANG_COOKIE)
        lang = set_language(asked if asked in LANGUAGES else cookie)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
                if not static:  # every answer but the stylesheet: pages, JSON, errors, redirects, exports
                    headers.setdefault("cache-control", "no-store")
                if self.https:
                    headers.setdefault("strict-transport-security", "max-age=31536000")
                if asked in LANGUAGES:
                    secure = "; Secure" if self.https else ""
                    headers.append("set-cookie", f"{LANG_COOKIE}={lang}; Path=/; Max-Age=31536000; "
                                                 f"SameSite=Lax; HttpOnly{secure}")
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _cookie(scope: Scope, name: str) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == b"cookie":
            for part in value.decode("latin-1").split(";"):
                k, _, v = part.strip().partition("=")
                if k == name:
                    return v
    return None


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/api"


def _error(request: Request, status: int, code: str, vi: str, en: str, **extra: Any) -> Response:
    if _is_api(request):
        return JSONResponse({"error": {"code": code, "message": mask_text(en)}}, status_code=status,
                            headers={"WWW-Authenticate": "Bearer"} if status == 401 else None)
    return render(request, "error.html", http_status=status, code=status, message=tr(vi, en), **extra)


def _who(request: Request) -> str | None:
    """The user of the request if it has one (set by the dependencies; else a valid bearer token on the API, a live
    session cookie on the pages), else None. A request that matched no route (a key with a newline does not match
    ``{key:path}``) or failed validation before the route's own checks ran still has its user found here."""
    user = getattr(request.state, "user", None)
    if user is None and (_is_api(request) or request.cookies.get(SESSION_COOKIE)):
        try:
            api_user(request) if _is_api(request) else session_user(request)
        except Exception:  # noqa: BLE001 - no valid token or live session (a password to change still names one)
            pass
        user = getattr(request.state, "user", None)
    return None if user is None else str(user.name)


def _open(request: Request) -> bool:
    path = request.url.path
    return path in BROWSER_OWN or any(path == p or path.startswith(p.rstrip("/") + "/") for p in OPEN_PATHS)


def _login_required(request: Request) -> Response:
    """What a request without a user gets: 401 on the API, the login page (then back here) for a page."""
    if _is_api(request):
        return _error(request, 401, "unauthorized", "", "a valid bearer token is required")
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(target)}", status_code=303)


def _audit_refusal(request: Request, action: str, status: int, detail: dict[str, Any] | None = None) -> None:
    """A refused or not-found request of a known user (anonymous ones are sent to the login page, not logged:
    anyone on the network could otherwise fill the log)."""
    who = _who(request)
    if who is None:
        return
    path = request.url.path[:300]
    query = request.url.query[:300]
    audit.append(ctx_of(request).db, who, action, client_ip(request),
                 {**(detail or {}), "method": request.method, "path": path, "query": query, "status": status})


def _handlers(app: FastAPI) -> None:
    @app.exception_handler(AuthRequired)
    async def auth_required(request: Request, exc: AuthRequired) -> Response:
        return _login_required(request)

    @app.exception_handler(PasswordChangeRequired)
    async def change_password(request: Request, exc: PasswordChangeRequired) -> Response:
        if _is_api(request):
            return _error(request, 403, "password_change_required", "", "change the password first")
        return RedirectResponse("/account/password", status_code=303)

    @app.exception_handler(Forbidden)
    def forbidden(request: Request, exc: Forbidden) -> Response:
        _audit_refusal(request, exc.action, 403, exc.detail)
        return _error(request, 403, "forbidden", "Vai trò của bạn không được mở trang này.",
                      "Your role does not open this page.")

    @app.exception_handler(CrossSite)
    def cross_site(request: Request, exc: CrossSite) -> Response:
        _audit_refusal(request, "cross_site_refused", 403)
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return _error(request, 403, "cross_site", "Yêu cầu này không xuất phát từ trang của ứng dụng nên không được "
                                                  "thực hiện. Bấm liên kết dưới đây nếu chính bạn muốn mở trang.",
                      "This request did not come from the app's own pages, so it was not carried out. Follow the "
                      "link below if you meant to open the page.", confirm=Clear(target))

    @app.exception_handler(BadCsrf)
    def bad_csrf(request: Request, exc: BadCsrf) -> Response:
        _audit_refusal(request, "access_denied", 403)
        return _error(request, 403, "csrf", "Biểu mẫu đã hết hạn hoặc không hợp lệ, vui lòng thử lại.",
                      "The form expired or is not valid; please try again.")

    @app.exception_handler(NotFound)
    def not_found(request: Request, exc: NotFound) -> Response:
        _audit_refusal(request, "not_found", 404)
        return _error(request, 404, "not_found", "Không tìm thấy (hoặc ngoài phạm vi của bạn).",
                      "Not found (or outside your scope).")

    @app.exception_handler(StarletteHTTPException)
    def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if not _open(request) and _who(request) is None:  # nobody: told to log in first, not what is (not) there
            return _login_required(request)
        if exc.status_code in (403, 404):
            _audit_refusal(request, "not_found" if exc.status_code == 404 else "access_denied", exc.status_code)
        detail = {404: ("Không tìm thấy.", "Not found."), 405: ("Phương thức không được phép.", "Method not allowed.")}
        vi, en = detail.get(exc.status_code, (str(exc.detail), str(exc.detail)))
        return _error(request, exc.status_code, "http", vi, en)

    @app.exception_handler(RequestValidationError)
    def invalid(request: Request, exc: RequestValidationError) -> Response:
        if not _open(request) and _who(request) is None:  # a body that is not JSON fails before the token is read
            return _login_required(request)
        fields = sorted({".".join(str(p) for p in e.get("loc", ())[1:]) or "?" for e in exc.errors()})
        return _error(request, 422, "invalid_request", f"Yêu cầu không hợp lệ: {', '.join(fields)}.",
                      f"Invalid request: {', '.join(fields)}.")

    @app.exception_handler(QueryTimeout)
    async def timeout(request: Request, exc: QueryTimeout) -> Response:
        return _error(request, 503, "timeout", "Truy vấn quá lâu và đã bị hủy.", "The query took too long.")

    @app.exception_handler(HopnhatError)
    async def hopnhat_error(request: Request, exc: HopnhatError) -> Response:
        status = 503 if isinstance(exc, StoreError) else 400
        return _error(request, status, type(exc).__name__, exc.message, exc.message)


def _routes(app: FastAPI) -> None:
    logged_in = [Depends(session_user), Depends(same_site_only)]
    pages: dict[str, Any] = {"responses": PAGE_RESPONSES, "default_response_class": HTMLResponse}  # in the schema
    # the API first: its paths (/api/…) overlap no page's, and a lookup request then matches at once
    app.include_router(api.router, responses=API_RESPONSES)  # each API route requires a bearer token (need_api)
    app.include_router(auth.open_router, **pages)
    app.include_router(auth.router, dependencies=[Depends(same_site_only)], **pages)
    for module in (lookup, files, review, dashboard, catalog, accounts):
        app.include_router(module.router, dependencies=logged_in, **pages)
    app.mount("/static", StaticFiles(packages=[("hopnhat.serve", "static")]), name="static")


def freeze_startup_objects() -> None:
    """Move what start-up built (reference data of every administrative unit, settings, routes: ~240,000 objects)
    out of the garbage collector's sight. A full collection walks every tracked object: 85-90 ms with them, during
    which the server answers nothing; they live as long as the process, so there is nothing to collect among them.
    Garbage that already exists is collected first, so none of it is frozen."""
    gc.collect()
    gc.freeze()


def create_app(project: Project, store_url: str | None = None, settings: ServeSettings | None = None,
               context: AppContext | None = None) -> FastAPI:
    """The web app for a merger project, serving its store read-only (``store_url`` overrides the merger file's)."""
    settings = settings or load_settings(project)
    ctx = context or build_context(project, settings, store_url)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        freeze_startup_objects()
        yield
        if context is None:
            ctx.close()

    app = FastAPI(title="hopnhat", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan,
                  telemetry=NO_TELEMETRY)
    app.state.ctx = ctx
    install_log_masking()
    _handlers(app)
    _routes(app)
    app.add_middleware(EdgeMiddleware, https=settings.https)
    return app


MERGER_ENV, STORE_ENV = "HOPNHAT_SERVE_MERGER", "HOPNHAT_SERVE_STORE"


def app_from_env() -> FastAPI:
    """The app of each worker process when ``hopnhat serve`` runs several (uvicorn imports this factory)."""
    import os

    from hopnhat.project.config import load_project

    return create_app(load_project(os.environ[MERGER_ENV]), os.environ.get(STORE_ENV) or None)


def open_paths() -> tuple[str, ...]:
    return OPEN_PATHS


__all__ = ["create_app", "open_paths"]
