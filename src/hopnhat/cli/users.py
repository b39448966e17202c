"""``hopnhat users add|list|disable|enable|password|token``: accounts of the web app (app database of the project).

The merger file is found with ``--merger`` (default ``merger.yaml`` in the current folder, or ``HOPNHAT_MERGER``).
Passwords come from standard input when it is not a terminal (one line), else from a hidden prompt asked twice.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import typer
from rich.table import Table

from hopnhat.cli.common import console, friendly_errors
from hopnhat.errors import ConfigError
from hopnhat.i18n import tr

app = typer.Typer(help=tr("Tài khoản ứng dụng web.", "Web-app accounts."), no_args_is_help=True)

MERGER = typer.Option(None, "--merger", "-m", help=tr(
    "Tệp merger.yaml (mặc định ./merger.yaml hoặc biến HOPNHAT_MERGER).",
    "merger.yaml (default ./merger.yaml or HOPNHAT_MERGER)."))
ROLE_HELP = "admin | planner | data_engineer | reviewer | clerk | leader"


def _db(merger: Path | None):  # type: ignore[no-untyped-def]
    from hopnhat.project.config import load_project
    from hopnhat.serve.app.appdb import AppDB

    path = merger or Path(os.environ.get("HOPNHAT_MERGER") or "merger.yaml")
    project = load_project(path)
    return project, AppDB(project.app_db_path)


def _password() -> str:
    if not sys.stdin.isatty():
        line = sys.stdin.readline().rstrip("\r\n")
        if not line:
            raise ConfigError("no password on standard input", column="password")
        return line
    return typer.prompt(tr("Mật khẩu", "Password"), hide_input=True, confirmation_prompt=True)


@app.command("add")
@friendly_errors
def add(name: str = typer.Argument(..., help=tr("Tên đăng nhập.", "User name.")),
        role: str = typer.Option(..., "--role", help=ROLE_HELP),
        scope: str | None = typer.Option(None, "--scope", help=tr(
            "Mã đơn vị mới: tỉnh (48) hoặc các xã (20194,20197); mặc định cả tỉnh.",
            "New-unit codes: the province (48) or communes (20194,20197); default the whole province.")),
        keep: bool = typer.Option(False, "--keep-password", help=tr(
            "Không buộc đổi mật khẩu ở lần đăng nhập đầu (mặc định: buộc đổi, vì mật khẩu do người khác đặt).",
            "Do not force a change at the first login (default: forced, the password was set by someone else).")),
        merger: Path | None = MERGER) -> None:
    """Tạo tài khoản / create an account."""
    from hopnhat.serve.security.users import add_user

    project, db = _db(merger)
    user = add_user(db, name, role, _password(), scope or project.config.merged_unit.province_code,
                    must_change=not keep, created_by="cli")
    console.print(tr(f"Đã tạo {user.name} ({user.role}), phạm vi {','.join(user.scope)}",
                     f"Created {user.name} ({user.role}), scope {','.join(user.scope)}"))


@app.command("list")
@friendly_errors
def list_(merger: Path | None = MERGER) -> None:
    """Liệt kê tài khoản / list accounts."""
    from hopnhat.serve.security.users import list_users

    _, db = _db(merger)
    table = Table(tr("Tên", "Name"), tr("Vai trò", "Role"), tr("Phạm vi", "Scope"), tr("Hoạt động", "Active"),
                  tr("Tạo lúc", "Created"))
    for u in list_users(db):
        table.add_row(u.name, u.role, ",".join(u.scope), "✔" if u.active else "✘", u.created_at)
    console.print(table)


@app.command("disable")
@friendly_errors
def disable(name: str, merger: Path | None = MERGER) -> None:
    """Khóa tài khoản (kết thúc mọi phiên, vô hiệu token) / disable an account (ends sessions, tokens stop)."""
    from hopnhat.serve.security.users import set_active

    _, db = _db(merger)
    set_active(db, name, False)
    console.print(tr(f"Đã khóa {name}", f"Disabled {name}"))


@app.command("enable")
@friendly_errors
def enable(name: str, merger: Path | None = MERGER) -> None:
    """Mở lại tài khoản / enable an account again."""
    from hopnhat.serve.security.users import set_active

    _, db = _db(merger)
    set_active(db, name, True)
    console.print(tr(f"Đã mở {name}", f"Enabled {name}"))


@app.command("password")
@friendly_errors
def password(name: str, merger: Path | None = MERGER) -> None:
    """Đổi mật khẩu (kết thúc mọi phiên; buộc đổi lại khi đăng nhập) / change a password (ends every session; to be
    changed at the next login)."""
    from hopnhat.serve.security.users import set_password

    _, db = _db(merger)
    set_password(db, name, _password(), must_change=True)
    console.print(tr(f"Đã đổi mật khẩu của {name}", f"Password of {name} changed"))


@app.command("token")
@friendly_errors
def token(name: str, label: str = typer.Option("api", "--label", help=tr("Ghi chú cho token.", "A label.")),
          merger: Path | None = MERGER) -> None:
    """Tạo token API cho máy (in ra một lần) / create an API token for a machine (printed once)."""
    from hopnhat.serve.security.users import create_token

    _, db = _db(merger)
    typer.echo(create_token(db, name, label))
