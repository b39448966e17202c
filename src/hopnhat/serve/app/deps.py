"""Request plumbing shared by every page: who is asking (server-side session or bearer token), may they, is the
form's CSRF token right, does the request come from the app's own pages, and rendering a template with the layout's
context. Failures raise the exceptions below, which the app turns into a redirect to the login page (pages), 401/403
JSON (API) or an error page — each refusal written to the audit log.

Rendering masks identifiers in every value a template prints (``finalize``:
:func:`hopnhat.serve.security.mask.mask_text`), so no template can forget to."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from hopnhat.i18n import language, tr
from hopnhat.serve.app.context import AppContext
from hopnhat.serve.security import audit
from hopnhat.serve.security.mask import Clear, mask, mask_text
from hopnhat.serve.security.roles import can, role_label
from hopnhat.serve.security.sessions import PRELOGIN_COOKIE, SESSION_COOKIE, Session
from hopnhat.serve.security.users import User, get_user, token_user


class AuthRequired(Exception):
    """No valid session (pages) or token (API)."""


class Forbidden(Exception):
    """Logged in, but the role does not grant this. Written to the audit log once, as ``action`` (a view may name
    a more telling action than ``access_denied`` and add what was refused to the entry's ``detail``)."""

    def __init__(self, action: str = "access_denied", detail: dict[str, Any] | None = None) -> None:
        super().__init__(action)
        self.action = action
        self.detail = detail or {}


class BadCsrf(Exception):
    """A POST without the right CSRF token."""


class NotFound(Exception):
    """Nothing there — or nothing there within the user's scope (the two are not told apart)."""


class PasswordChangeRequired(Exception):
    """The account's password was given by someone else (first login, reset): change it before anything else."""


class CrossSite(Exception):
    """A request another site made the browser send (Fetch Metadata, Origin or Referer say so), or a lookup that
    carries no proof of coming from the app's own form."""


# paths a user who must change their password may still open
PASSWORD_CHANGE_PATHS = ("/account/password", "/logout")


def ctx_of(request: Request) -> AppContext:
    return request.app.state.ctx


def client_ip(request: Request) -> str:
    """The TCP peer, or the address a configured trusted proxy forwarded (never what the client itself claims)."""
    peer = request.client.host if request.client else ""
    return ctx_of(request).proxies.client(peer, request.headers)


def session_user(request: Request) -> User:
    """The user of a live server-side session (cookie signed, session neither ended nor idle nor too old, account
    active), else AuthRequired; a user who must change their password is sent to do so first."""
    cached: User | None = getattr(request.state, "user", None)
    if cached is not None and getattr(request.state, "session", None) is not None:
        return cached
    ctx = ctx_of(request)
    session = ctx.signer.read_session(request.cookies.get(SESSION_COOKIE))
    if session is None:
        raise AuthRequired()
    why = ctx.sessions.check(session)
    if why is not None:
        if why in ("idle", "age"):
            audit.append(ctx.db, session.user, "session_expired", client_ip(request), {"why": why})
        raise AuthRequired()
    user = get_user(ctx.db, session.user)
    if user is None or not user.active or user.session_version != session.version:
        raise AuthRequired()
    request.state.session = session
    request.state.user = user
    if user.must_change and request.url.path not in PASSWORD_CHANGE_PATHS:
        raise PasswordChangeRequired()
    return user


def _host_of(url: str) -> str:
    from urllib.parse import urlsplit

    try:
        return urlsplit(url).netloc.lower()
    except ValueError:
        return "?"


def own_host(request: Request) -> str:
    """The host the browser addressed: ``Host``, or ``X-Forwarded-Host`` when a configured trusted proxy sent the
    request (a proxy that rewrites ``Host`` would otherwise make every same-origin form look foreign)."""
    peer = request.client.host if request.client else ""
    forwarded = request.headers.get("x-forwarded-host", "").split(",")[0].strip()
    if forwarded and ctx_of(request).proxies.trusted(peer):
        return forwarded.lower()
    return (request.headers.get("host") or request.url.netloc).lower()


def cross_site(request: Request) -> bool:
    """Does the browser say another site started this request? Fetch Metadata first (``Sec-Fetch-Site``; ``none``
    is a typed address or a bookmark), then ``Origin``, then ``Referer``."""
    site = request.headers.get("sec-fetch-site")
    if site is not None:
        return site not in ("same-origin", "none")
    own = own_host(request)
    for header in ("origin", "referer"):
        value = request.headers.get(header)
        if value and value != "null":
            return _host_of(value) != own
        if value == "null":
            return True
    return False


def same_origin_proof(request: Request) -> bool:
    """Positive evidence the request came from one of the app's pages: Fetch Metadata or a same-host Referer."""
    if request.headers.get("sec-fetch-site") in ("same-origin", "none"):
        return True
    referer = request.headers.get("referer")
    return bool(referer) and _host_of(referer or "") == own_host(request)


def same_site_only(request: Request) -> None:
    """Router dependency for every logged-in page: a request another site made the browser send is refused (and
    audited), so a page of another site cannot run a lookup, open records or fill the audit log under the user's
    name. A lookup with a query must moreover prove it came from the app (Fetch Metadata, a same-host Referer, or
    the lookup token of the search form, :func:`lookup_token`) — the check for browsers that send none of these."""
    if cross_site(request):
        raise CrossSite()
    if request.url.path == "/lookup" and request.query_params.get("q", "").strip():
        token = request.query_params.get("t", "")
        nonce = csrf_nonce(request)
        ok_token = bool(nonce) and ctx_of(request).signer.csrf_ok("lookup:" + (nonce or ""), token)
        if not (ok_token or same_origin_proof(request)):
            raise CrossSite()


def lookup_token(request: Request) -> str:
    """The token the search form carries (``t``): an HMAC of the session, distinct from the POST forms' token, so a
    search URL that leaks (history) cannot forge a POST."""
    nonce = csrf_nonce(request)
    return ctx_of(request).signer.csrf_token("lookup:" + nonce) if nonce else ""


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
    """Every POST form carries ``csrf_token``; it must be the HMAC of this session's (or pre-login) nonce. A POST
    another site's page sent is refused before its form is even read."""
    if cross_site(request):
        raise BadCsrf()
    form = await request.form()
    if not ctx_of(request).signer.csrf_ok(csrf_nonce(request), str(form.get("csrf_token") or "")):
        raise BadCsrf()


_ENV = Environment(loader=PackageLoader("hopnhat.serve", "templates"), autoescape=select_autoescape(["html"]),
                   trim_blocks=True, lstrip_blocks=True, finalize=mask_text)
_ENV.globals.update(tr=tr, mask=mask, role_label=role_label, quote=quote, Markup=Markup)
# values a page echoes back to the user who typed them (the search box): theirs to see
ECHOED = ("q", "next")


def _nav(user: User | None) -> list[tuple[str, str]]:
    if user is None:
        return []
    items = [("lookup", "/lookup", tr("Tra cứu", "Lookup")), ("lookup", "/documents", tr("Văn bản", "Documents")),
             ("review", "/review", tr("Thẩm định", "Review")),
             ("migration", "/dashboard", tr("Di chuyển dữ liệu", "Migration")),
             ("dossiers", "/dossiers", tr("Hồ sơ đang xử lý", "In-flight dossiers")),
             ("catalog", "/catalog/monitor", tr("Danh mục & lộ trình", "Catalog & roadmap"))]
    extra = [("/admin/users", tr("Tài khoản", "Accounts"))] if can(user.role, "accounts") else []
    return [(path, text) for perm, path, text in items if can(user.role, perm)] + extra + \
        [("/audit", tr("Nhật ký", "Audit")), ("/account/password", tr("Đổi mật khẩu", "Password"))]


def render(request: Request, template: str, http_status: int = 200, **data: Any) -> HTMLResponse:
    user: User | None = getattr(request.state, "user", None)
    data = {k: Clear(v) if k in ECHOED and isinstance(v, str) else v for k, v in data.items()}
    page = _ENV.get_template(template).render(
        request=request, user=user, csrf=Clear(csrf_token(request)), lookup_token=Clear(lookup_token(request)),
        lang=language(), nav=_nav(user), path=request.url.path, query_string=str(request.url.query),
        can=lambda p: bool(user and can(user.role, p)), **data)
    return HTMLResponse(page, status_code=http_status, headers={"Cache-Control": "no-store"})
