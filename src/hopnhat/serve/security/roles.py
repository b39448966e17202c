"""Roles and what each may do. A route names the permission it needs; the role table below is the one place that
grants them (leaders see dashboards only; clerks look citizens up; reviewers decide the queue …)."""

from __future__ import annotations

from typing import Literal

from hopnhat.i18n import tr

Role = Literal["admin", "planner", "data_engineer", "reviewer", "clerk", "leader"]
ROLES: tuple[Role, ...] = ("admin", "planner", "data_engineer", "reviewer", "clerk", "leader")

Permission = Literal["lookup", "reveal", "review", "migration", "quarantine", "dossiers", "catalog",
                     "catalog_override", "audit_all", "accounts", "identity_scans"]

GRANTS: dict[Role, frozenset[str]] = {
    "admin": frozenset({"lookup", "reveal", "review", "migration", "quarantine", "dossiers", "catalog",
                        "catalog_override", "audit_all", "accounts", "identity_scans"}),
    "planner": frozenset({"migration", "catalog", "catalog_override", "dossiers"}),
    "data_engineer": frozenset({"lookup", "review", "migration", "quarantine", "dossiers", "catalog"}),
    "reviewer": frozenset({"lookup", "reveal", "review", "identity_scans"}),
    "clerk": frozenset({"lookup", "reveal", "dossiers", "identity_scans"}),
    "leader": frozenset({"migration", "dossiers", "catalog"}),
}


def can(role: str, permission: str) -> bool:
    return permission in GRANTS.get(role, frozenset())  # type: ignore[call-overload]


def role_label(role: str) -> str:
    labels = {"admin": ("Quản trị", "Administrator"), "planner": ("Lập kế hoạch", "Planner"),
              "data_engineer": ("Kỹ sư dữ liệu", "Data engineer"), "reviewer": ("Người thẩm định", "Reviewer"),
              "clerk": ("Cán bộ một cửa", "One-stop clerk"), "leader": ("Lãnh đạo", "Leader")}
    vi, en = labels.get(role, (role, role))
    return tr(vi, en)


def home_for(role: str) -> str:
    """Where a user lands after login: the first page their role opens."""
    for permission, path in (("lookup", "/lookup"), ("migration", "/dashboard"), ("catalog", "/catalog/monitor"),
                             ("dossiers", "/dossiers")):
        if can(role, permission):
            return path
    return "/audit"
