"""Accounts and API tokens in the app database: argon2 password hashes, roles, scopes, disable, tokens (hashed)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timezone

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from hopnhat.errors import ConfigError
from hopnhat.serve.appdb import AppDB
from hopnhat.serve.roles import ROLES
from hopnhat.serve.scope import parse_codes

_HASHER = PasswordHasher()
MIN_PASSWORD = 10
NAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789._-@")
# verified against when the user does not exist, so an unknown name costs as much time as a wrong password
_DUMMY_HASH = _HASHER.hash("not-a-password-" + secrets.token_hex(8))


@dataclass(frozen=True)
class User:
    name: str
    role: str
    scope: tuple[str, ...]
    active: bool
    session_version: int
    created_at: str


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")


def _user(row: object) -> User:
    r = dict(row)  # type: ignore[call-overload]
    return User(r["name"], r["role"], tuple(c for c in r["scope"].split(",") if c), bool(r["active"]),
                int(r["session_version"]), r["created_at"])


def _check(name: str, role: str, password: str, scope: tuple[str, ...]) -> None:
    if not name or not set(name) <= NAME_CHARS or len(name) > 64:
        raise ConfigError("user name: lower-case letters, digits and . _ - @ only (≤ 64)", value=name)
    if role not in ROLES:
        raise ConfigError(f"unknown role (one of {', '.join(ROLES)})", value=role)
    if len(password) < MIN_PASSWORD:
        raise ConfigError(f"password too short (at least {MIN_PASSWORD} characters)", column="password")
    if not scope:
        raise ConfigError("a user needs a scope: the province code or commune codes", column="scope")


def add_user(db: AppDB, name: str, role: str, password: str, scope: str) -> User:
    """Create an account (argon2 hash); the scope is province/commune codes, comma-separated."""
    try:
        codes = parse_codes(scope)
    except ValueError as exc:
        raise ConfigError("invalid scope", column="scope", value=scope, reason=str(exc)) from exc
    _check(name, role, password, codes)
    with db.write_lock:
        if db.con().execute("SELECT 1 FROM users WHERE name = ?", [name]).fetchone():
            raise ConfigError("user already exists", value=name)
        db.con().execute("INSERT INTO users (name, password_hash, role, scope, created_at) VALUES (?, ?, ?, ?, ?)",
                         [name, _HASHER.hash(password), role, ",".join(codes), _now()])
    return get_user(db, name)  # type: ignore[return-value]


def get_user(db: AppDB, name: str) -> User | None:
    row = db.con().execute("SELECT * FROM users WHERE name = ?", [name]).fetchone()
    return _user(row) if row else None


def list_users(db: AppDB) -> list[User]:
    return [_user(r) for r in db.con().execute("SELECT * FROM users ORDER BY name").fetchall()]


def set_active(db: AppDB, name: str, active: bool) -> User:
    """Disable (or enable) an account; disabling also ends its sessions and its API tokens stop working."""
    with db.write_lock:
        cur = db.con().execute("UPDATE users SET active = ?, session_version = session_version + 1 WHERE name = ?",
                               [int(active), name])
    if cur.rowcount == 0:
        raise ConfigError("no such user", value=name)
    return get_user(db, name)  # type: ignore[return-value]


def set_password(db: AppDB, name: str, password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise ConfigError(f"password too short (at least {MIN_PASSWORD} characters)", column="password")
    with db.write_lock:
        cur = db.con().execute("UPDATE users SET password_hash = ?, session_version = session_version + 1 "
                               "WHERE name = ?", [_HASHER.hash(password), name])
    if cur.rowcount == 0:
        raise ConfigError("no such user", value=name)


def check_password(db: AppDB, name: str, password: str) -> User | None:
    """The active user whose password this is, else None (same cost whether or not the user exists)."""
    row = db.con().execute("SELECT * FROM users WHERE name = ?", [name]).fetchone()
    try:
        _HASHER.verify(row["password_hash"] if row else _DUMMY_HASH, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    if row is None or not row["active"]:
        return None
    if _HASHER.check_needs_rehash(row["password_hash"]):
        with db.write_lock:
            db.con().execute("UPDATE users SET password_hash = ? WHERE name = ?", [_HASHER.hash(password), name])
    return _user(row)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(db: AppDB, name: str, label: str) -> str:
    """A new API token for a user (shown once; only its SHA-256 is stored)."""
    if get_user(db, name) is None:
        raise ConfigError("no such user", value=name)
    token = "hn_" + secrets.token_urlsafe(32)
    with db.write_lock:
        db.con().execute("INSERT INTO api_tokens VALUES (?, ?, ?, ?, 0)", [_token_hash(token), name, label, _now()])
    return token


def revoke_tokens(db: AppDB, name: str) -> int:
    with db.write_lock:
        return db.con().execute("UPDATE api_tokens SET revoked = 1 WHERE user_name = ?", [name]).rowcount


def token_user(db: AppDB, token: str) -> User | None:
    """The active user behind a bearer token, or None."""
    row = db.con().execute(
        "SELECT u.* FROM api_tokens t JOIN users u ON u.name = t.user_name "
        "WHERE t.token_hash = ? AND t.revoked = 0 AND u.active = 1", [_token_hash(token)]).fetchone()
    return _user(row) if row else None
