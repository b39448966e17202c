"""Account administration in the web app (role ``admin``, permission ``accounts``): list, create, disable / enable,
reset a password, change a scope. Every change is a CSRF-protected POST, written to the audit log.

An administrator manages only accounts whose scope lies within their own, never their own account's scope or
state (they change their own password on ``/account/password``), and never grants a scope wider than theirs: an
administrator of one commune cannot create a province-wide account, nor reset the password of one (which would
let them log in as it). A new or reset account gets a generated password shown once, which must be changed at its
first login.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from hopnhat.errors import ConfigError
from hopnhat.i18n import tr
from hopnhat.serve.app.deps import Forbidden, NotFound, check_csrf, client_ip, ctx_of, need, render
from hopnhat.serve.security import audit
from hopnhat.serve.security.mask import Clear
from hopnhat.serve.security.roles import ROLES
from hopnhat.serve.security.scope import Scope
from hopnhat.serve.security.users import (
    User,
    add_user,
    first_password,
    get_user,
    list_users,
    scope_codes,
    set_active,
    set_password,
    set_scope,
)

router = APIRouter()
Name = Annotated[str, Form(min_length=1, max_length=64)]
ScopeText = Annotated[str, Form(min_length=2, max_length=2000)]


def covers(admin: Scope, codes: tuple[str, ...]) -> bool:
    """Does the administrator's scope contain every code of ``codes``? (a province code only within a
    province-wide scope; a commune code when it is in the administrator's scope)"""
    return admin.unrestricted or all(c in admin.codes for c in codes)


def _manageable(request: Request, admin: User, name: str) -> User:
    """The target account, if this administrator may change it (another account, within their scope)."""
    target = get_user(ctx_of(request).db, name.strip().lower())
    if target is None:
        raise NotFound()
    if target.name == admin.name or not covers(ctx_of(request).scope(admin), target.scope):
        raise Forbidden()
    return target


def _page(request: Request, admin: User, message: str | None = None, error: str | None = None,
          shown_password: tuple[str, str] | None = None, status: int = 200) -> Response:
    ctx = ctx_of(request)
    mine = ctx.scope(admin)
    rows = [{"user": u, "sessions": ctx.sessions.live(u.name), "manageable": u.name != admin.name and
             covers(mine, u.scope)} for u in list_users(ctx.db) if covers(mine, u.scope) or u.name == admin.name]
    return render(request, "accounts.html", http_status=status, rows=rows, roles=ROLES, message=message,
                  error=error, shown=(shown_password[0], Clear(shown_password[1])) if shown_password else None,
                  min_length=ctx.settings.password_min_length)


@router.get("/admin/users")
def accounts(request: Request, admin: User = Depends(need("accounts"))) -> Response:
    return _page(request, admin)


def _why(exc: ConfigError) -> str:
    """The refusal in the user's language (the reason), with the value refused."""
    return (exc.reason or exc.message) + (f": {exc.value}" if exc.value else "")


def _log(request: Request, admin: User, action: str, detail: dict[str, object]) -> None:
    audit.append(ctx_of(request).db, admin.name, action, client_ip(request), detail)


@router.post("/admin/users/create", dependencies=[Depends(check_csrf)])
def create(request: Request, name: Name, role: Annotated[str, Form(max_length=40)], scope: ScopeText,
           admin: User = Depends(need("accounts"))) -> Response:
    ctx = ctx_of(request)
    try:
        codes = scope_codes(scope)
        if not covers(ctx.scope(admin), codes):
            raise Forbidden()
        password = first_password()
        user = add_user(ctx.db, name.strip().lower(), role, password, ",".join(codes), must_change=True,
                        created_by=admin.name, min_length=ctx.settings.password_min_length)
    except ConfigError as exc:
        return _page(request, admin, error=_why(exc), status=400)
    _log(request, admin, "user_create", {"user": user.name, "role": user.role, "scope": ",".join(user.scope)})
    return _page(request, admin, message=tr(f"Đã tạo tài khoản {user.name}.", f"Account {user.name} created."),
                 shown_password=(user.name, password))


@router.post("/admin/users/active", dependencies=[Depends(check_csrf)])
def active(request: Request, name: Name, enable: Annotated[bool, Form()] = False,
           admin: User = Depends(need("accounts"))) -> Response:
    target = _manageable(request, admin, name)
    set_active(ctx_of(request).db, target.name, enable)
    if not enable:
        ctx_of(request).sessions.end_all(target.name, "disabled")
    _log(request, admin, "user_enable" if enable else "user_disable", {"user": target.name})
    return _page(request, admin, message=tr(f"Đã {'mở' if enable else 'khóa'} tài khoản {target.name}.",
                                            f"Account {target.name} {'enabled' if enable else 'disabled'}."))


@router.post("/admin/users/reset", dependencies=[Depends(check_csrf)])
def reset(request: Request, name: Name, admin: User = Depends(need("accounts"))) -> Response:
    ctx = ctx_of(request)
    target = _manageable(request, admin, name)
    password = first_password()
    set_password(ctx.db, target.name, password, must_change=True, min_length=ctx.settings.password_min_length)
    ctx.sessions.end_all(target.name, "reset")
    _log(request, admin, "user_reset", {"user": target.name})
    return _page(request, admin, message=tr(f"Đã cấp lại mật khẩu cho {target.name}.",
                                            f"Password of {target.name} reset."),
                 shown_password=(target.name, password))


@router.post("/admin/users/scope", dependencies=[Depends(check_csrf)])
def rescope(request: Request, name: Name, scope: ScopeText, admin: User = Depends(need("accounts"))) -> Response:
    ctx = ctx_of(request)
    target = _manageable(request, admin, name)
    try:
        codes = scope_codes(scope)
    except ConfigError as exc:
        return _page(request, admin, error=_why(exc), status=400)
    if not covers(ctx.scope(admin), codes):
        raise Forbidden()
    set_scope(ctx.db, target.name, ",".join(codes))
    ctx.sessions.end_all(target.name, "scope")
    _log(request, admin, "user_scope", {"user": target.name, "old": ",".join(target.scope), "new": ",".join(codes)})
    return _page(request, admin, message=tr(f"Đã đổi phạm vi của {target.name}.", f"Scope of {target.name} changed."))
