"""Demo step: accounts for the web app (an administrator, a leader, a reviewer and a clerk of one commune); the command
line then serves the app (``hopnhat serve``)."""

from __future__ import annotations

import secrets
from pathlib import Path

from hopnhat.load.store import connect
from hopnhat.project.config import load_project


def _busiest_commune(store: Path) -> str:
    """The new commune with the most citizens: the demo clerk works there."""
    with connect(store, read_only=True) as con:
        row = con.execute("SELECT address_new_commune_code FROM person WHERE address_new_commune_code IS NOT NULL "
                          "GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1").fetchone()
    return row[0] if row else ""


def demo_accounts(estate: Path) -> list[tuple[str, str, str, str]]:
    """Create (or reset) the demo accounts; returns (name, role, password, scope) with fresh random passwords, printed
    once by the demo: each must be changed at the account's first login."""
    from hopnhat.serve.app.appdb import AppDB
    from hopnhat.serve.security.users import add_user, get_user, set_password

    project = load_project(estate / "merger.yaml")
    db = AppDB(project.app_db_path)
    province = project.config.merged_unit.province_code
    wanted = [("admin", "admin", province), ("lanhdao", "leader", province), ("raosoat", "reviewer", province),
              ("motcua", "clerk", _busiest_commune(project.store_path))]
    out = []
    for name, role, scope in wanted:
        password = secrets.token_urlsafe(12)
        if get_user(db, name) is None:
            add_user(db, name, role, password, scope, must_change=True, created_by="demo")
        else:
            set_password(db, name, password, must_change=True)
        out.append((name, role, password, scope))
    return out

