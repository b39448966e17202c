"""The web app's settings: one validated model, read once at start (defaults ← ``HOPNHAT_SERVE_*`` env ← arguments).

Limits on rows and time, login throttling, cookie security and the audit retention are named settings here, never
constants in the code. The secret key that signs session cookies comes from ``HOPNHAT_SERVE_SECRET_KEY`` or, failing
that, from a file beside the app database created on first start with mode 0600 (so restarts keep sessions valid and
the secret never sits in the merger file).
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from hopnhat.errors import ConfigError
from hopnhat.project.config import Project

ENV_PREFIX = "HOPNHAT_SERVE_"
MIN_RETENTION_DAYS = 365  # Decree 53/2022: system logs kept at least 12 months


class ServeSettings(BaseModel):
    """Every knob of ``hopnhat serve``; each can be set by ``HOPNHAT_SERVE_<NAME>`` (upper case)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    secret_key: str = Field(default="", repr=False, description="signs session cookies and CSRF tokens")
    https: bool = Field(default=False, description="served over https: cookies get the Secure flag")
    session_max_age_s: int = Field(default=8 * 3600, ge=60, description="a session ends this long after login, "
                                                                       "whatever its use (absolute expiry)")
    session_idle_s: int = Field(default=30 * 60, ge=60, description="a session unused this long ends (idle expiry)")
    trusted_proxies: str = Field(default="", description="addresses or networks (comma-separated) of the reverse "
                                                         "proxies whose X-Forwarded-For is believed; none by default")
    audit_key: str = Field(default="", repr=False, description="keys the audit chain (HMAC); default: the key file")
    audit_key_file: Path | None = Field(default=None, description="file holding the audit key (default beside "
                                                                  "the app database, created 0600)")
    password_min_length: int = Field(default=12, ge=10, le=128, description="shortest password accepted")
    row_limit: int = Field(default=200, ge=1, le=10_000, description="rows per page and per store query")
    export_row_limit: int = Field(default=50_000, ge=1, description="rows in one Excel export")
    statement_timeout_ms: int = Field(default=5_000, ge=10, description="a store query is cancelled after this")
    login_max_failures: int = Field(default=5, ge=1, description="failed logins per user and address in the window")
    login_window_s: int = Field(default=900, ge=1, description="the login-failure window (15 minutes)")
    ip_max_failures: int = Field(default=30, ge=1, description="failed logins per address (any user) in the window")
    lookup_results: int = Field(default=20, ge=1, le=200, description="results one lookup shows (best first)")
    lookup_candidates: int = Field(default=3_000, ge=10, description="name candidates scored per lookup")
    fuzzy_min_score: float = Field(default=82.0, ge=0, le=100, description="lowest name similarity shown (0–100)")
    audit_retention_days: int = Field(default=MIN_RETENTION_DAYS, description="audit entries kept at least this long")
    index_path: Path | None = Field(default=None, description="lookup index file (default beside the app database)")
    index_check_s: int = Field(default=0, ge=0, description="re-check the store for changes every N s (0: at start)")
    version_check_s: float = Field(default=1.0, ge=0, description="switch to a newly published store version "
                                   "within N s (0: never)")
    catalog_db: Path | None = Field(default=None,
                                    description="catalog DuckDB file (default <merger dir>/catalog.duckdb)")
    today: date | None = Field(default=None, description="reference date for days left (default: the real today)")
    workers: int = Field(default=1, ge=1, le=32, description="server processes (each reads the same files; the "
                                                            "audit chain and login throttle are shared in SQLite)")
    pool_size: int = Field(default=8, ge=1, le=64, description="PostgreSQL connections kept open")

    @field_validator("trusted_proxies")
    @classmethod
    def _proxies(cls, v: str) -> str:
        for part in (p.strip() for p in v.split(",")):
            if part:
                ipaddress.ip_network(part, strict=False)  # ValueError names the bad entry
        return v

    @field_validator("audit_retention_days")
    @classmethod
    def _retention(cls, v: int) -> int:
        if v < MIN_RETENTION_DAYS:
            raise ValueError(f"must be at least {MIN_RETENTION_DAYS} days (Decree 53/2022)")
        return v

    def day(self) -> date:
        return self.today or date.today()


def _from_env() -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in ServeSettings.model_fields:
        raw = os.environ.get(ENV_PREFIX + name.upper())
        if raw is not None and raw != "":
            values[name] = raw
    return values


def secret_file(project: Project) -> Path:
    return project.app_db_path.with_name(project.app_db_path.name + ".secret")


def audit_key_file(project: Project) -> Path:
    return project.app_db_path.with_name(project.app_db_path.name + ".audit-key")


def read_or_create_secret(path: Path) -> str:
    """The secret in ``path``, created (0600, exclusive) on first use; a file others can read is refused."""
    if path.exists():
        if path.stat().st_mode & 0o077:
            raise ConfigError("a secret file must be readable by its owner only (chmod 600)", source=str(path))
        return path.read_text(encoding="ascii").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(value)
    return value


def project_audit_key(project: Project, create: bool = True) -> str:
    """The audit key of a project as the server would use it (``HOPNHAT_SERVE_AUDIT_KEY``, else the key file of
    ``HOPNHAT_SERVE_AUDIT_KEY_FILE`` or beside the app database); ``create=False`` for the checks (a missing key
    is then an error, not a new key)."""
    if os.environ.get(ENV_PREFIX + "AUDIT_KEY"):
        return os.environ[ENV_PREFIX + "AUDIT_KEY"]
    path = Path(os.environ.get(ENV_PREFIX + "AUDIT_KEY_FILE") or audit_key_file(project))
    if not create and not path.exists():
        raise ConfigError("the audit key file is missing", source=str(path),
                          reason="the chain cannot be checked without the key it was written with")
    return read_or_create_secret(path)


def _stored_secret(project: Project) -> str:
    """The secret kept beside the app database, created (0600) on first use."""
    path = secret_file(project)
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(value)
    return value


def default_catalog(project: Project) -> Path:
    """``catalog.duckdb`` beside the merger file, or one folder up (the demo keeps the estate in a sub-folder)."""
    near = [project.base / "catalog.duckdb", project.base.parent / "catalog.duckdb"]
    return next((p for p in near if p.is_file()), near[0])


def load_settings(project: Project, **overrides: Any) -> ServeSettings:
    """Defaults, then the environment, then explicit arguments; validated once, errors name the setting."""
    values = {**_from_env(), **{k: v for k, v in overrides.items() if v is not None}}
    try:
        settings = ServeSettings.model_validate(values)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ConfigError("invalid web-app setting", column=ENV_PREFIX + str(first["loc"][0]).upper(),
                          value=first.get("input"), reason=first["msg"]) from exc
    updates: dict[str, Any] = {}
    if not settings.secret_key:
        updates["secret_key"] = _stored_secret(project)
    if settings.catalog_db is None:
        updates["catalog_db"] = default_catalog(project)
    if not settings.audit_key:
        updates["audit_key"] = read_or_create_secret(settings.audit_key_file or audit_key_file(project))
    return settings.model_copy(update=updates) if updates else settings
