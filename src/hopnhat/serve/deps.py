"""Request plumbing shared by every page: who is asking (session or bearer token), may they, is the form's CSRF
token right, and rendering a template with the layout's context. Failures raise the exceptions below, which the
app turns into a redirect to the login page (pages), 401/403 JSON (API) or an error page."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from hopnhat.i18n import language, tr
from hopnhat.serve.context import AppContext
from hopnhat.serve.mask import mask
from hopnhat.serve.roles import can, role_label
from hopnhat.serve.security import PRELOGIN_COOKIE, SESSION_COOKIE, Session
from hopnhat.serve.users import User, get_user, token_user


class AuthRequired(Exception):
    """No valid session (pages) or token (API)."""


class Forbidden(Exception):
    """Logged in, but the role does not grant this."""


class BadCsrf(Exception):
    """A POST without the right CSRF token."""


class NotFound(Exception):
    """Nothing there — or nothing there within the user's scope (the two are not told apart)."""


def ctx_of(request: Request) -> AppContext:
    return request.app.state.ctx  # type: ignore[no-any-return]


def client_ip(request: Request) -> str:
    return request.client.host if request.client else ""


def session_user(request: Request) -> User:
    """The user of a valid session cookie (account active, session not revoked), else AuthRequired."""
    ctx = ctx_of(request)
    session = ctx.signer.read_session(request.cookies.get(SESSION_COOKIE))
    if session is None:
        raise AuthRequired()
    user = get_user(ctx.db, session.user)
    if user is None or not user.active or user.session_version != session.version:
        raise AuthRequired()
    request.state.session = session
    request.state.user = user
    return user


def api_user(request: Request) -> User:
    """The user behind ``Authorization: Bearer <token>``; cookies are not accepted on the API (no CSRF there)."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthRequired()
    user = token_user(ctx_of(request).db, token.strip())
    if user is None:
        raise AuthRequired()
    request.state.user = user
    return user


def need(permission: str) -> Callable[[Request], User]:
    """A dependency: a logged-in user whose role grants ``permission``."""

    def dependency(request: Request) -> User:
        user = getattr(request.state, "user", None) or session_user(request)
        if not can(user.role, permission):
            raise Forbidden()
        return user

    return dependency


def need_api(permission: str) -> Callable[[Request], Awaitable[User]]:
    """A dependency: the bearer token's user, whose role grants ``permission``.

    ``async`` on purpose: the check is one primary-key read in SQLite (tens of µs), cheaper than handing it to the
    thread pool, which costs a thread switch and a wait for the GIL on every API request."""

    async def dependency(request: Request) -> User:
        user = api_user(request)
        if not can(user.role, permission):
            raise Forbidden()
        return user

    return dependency


def csrf_nonce(request: Request) -> str | None:
    session: Session | None = getattr(request.state, "session", None)
    if session is not None:
        return "s:" + session.sid
    nonce = getattr(request.state, "prelogin", None) or ctx_of(request).signer.read_prelogin(
        request.cookies.get(PRELOGIN_COOKIE))
    return "p:" + nonce if nonce else None


def csrf_token(request: Request) -> str:
    nonce = csrf_nonce(request)
    return ctx_of(request).signer.csrf_token(nonce) if nonce else ""


async def check_csrf(request: Request) -> None:
    """Every POST form carries ``csrf_token``; it must be the HMAC of this session's (or pre-login) nonce."""
    form = await request.form()
    if not ctx_of(request).signer.csrf_ok(csrf_nonce(request), str(form.get("csrf_token") or "")):
        raise BadCsrf()


_ENV = Environment(loader=PackageLoader("hopnhat.serve", "templates"), autoescape=select_autoescape(["html"]),
                   trim_blocks=True, lstrip_blocks=True)
_ENV.globals.update(tr=tr, mask=mask, role_label=role_label, quote=quote, Markup=Markup)


def _nav(user: User | None) -> list[tuple[str, str]]:
    if user is None:
        return []
    items = [("lookup", "/lookup", tr("Tra cứu", "Lookup")), ("review", "/review", tr("Thẩm định", "Review")),
             ("migration", "/dashboard", tr("Di chuyển dữ liệu", "Migration")),
             ("dossiers", "/dossiers", tr("Hồ sơ đang xử lý", "In-flight dossiers")),
             ("catalog", "/catalog/monitor", tr("Danh mục & lộ trình", "Catalog & roadmap"))]
    return [(path, text) for perm, path, text in items if can(user.role, perm)] + [("/audit", tr("Nhật ký", "Audit"))]


def render(request: Request, template: str, http_status: int = 200, **data: Any) -> HTMLResponse:
    user: User | None = getattr(request.state, "user", None)
    page = _ENV.get_template(template).render(
        request=request, user=user, csrf=csrf_token(request), lang=language(), nav=_nav(user), path=request.url.path,
        query_string=str(request.url.query), can=lambda p: bool(user and can(user.role, p)), **data)
    return HTMLResponse(page, status_code=http_status, headers={"Cache-Control": "no-store"})
