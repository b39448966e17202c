"""Accounts and API tokens in the app database: argon2 password hashes, the password policy, roles, scopes,
disable, forced change of a first (printed) password, tokens (hashed).

Changing a password, resetting it or disabling the account ends every server-side session of the account (and
bumps ``session_version``, which the cookie carries too)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timezone

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from hopnhat.errors import ConfigError
from hopnhat.i18n import tr
from hopnhat.serve.app.appdb import AppDB
from hopnhat.serve.security.roles import ROLES
from hopnhat.serve.security.scope import parse_codes

_HASHER = PasswordHasher()
MIN_PASSWORD = 12
MAX_PASSWORD = 256
# the most common passwords and their Vietnamese favourites: refused whatever their length
COMMON = frozenset({"123456789012", "1234567890123", "password1234", "matkhau12345", "matkhau123456",
                    "qwertyuiop12", "abc123456789", "admin1234567", "administrator", "iloveyou1234",
                    "anhyeuem1234", "123456789abc", "passwordpassword", "vietnam12345", "hopnhat12345"})
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
    must_change: bool = False
    created_by: str = ""


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")


def _user(row: object) -> User:
    r = dict(row)  # type: ignore[call-overload]
    return User(r["name"], r["role"], tuple(c for c in r["scope"].split(",") if c), bool(r["active"]),
                int(r["session_version"]), r["created_at"], bool(r.get("must_change")), r.get("created_by") or "")


def password_problem(password: str, name: str = "", min_length: int = MIN_PASSWORD) -> str | None:
    """Why a password is refused (Vietnamese / English by the request's language), or None. Length and a list of
    common passwords, no composition rules (NIST SP 800-63B): a long phrase is better than ``P@ssw0rd!``."""
    if len(password) < min_length:
        return tr(f"Mật khẩu quá ngắn (ít nhất {min_length} ký tự).",
                  f"Password too short (at least {min_length} characters).")
    if len(password) > MAX_PASSWORD:
        return tr(f"Mật khẩu quá dài (tối đa {MAX_PASSWORD} ký tự).", f"Password too long (at most {MAX_PASSWORD}).")
    lowered = password.lower()
    if lowered in COMMON or len(set(password)) < 5:
        return tr("Mật khẩu quá dễ đoán.", "Password too easy to guess.")
    if len(name) >= 3 and name.lower() in lowered:
        return tr("Mật khẩu không được chứa tên đăng nhập.", "The password must not contain the user name.")
    return None


def check_policy(password: str, name: str = "", min_length: int = MIN_PASSWORD) -> None:
    problem = password_problem(password, name, min_length)
    if problem:
        raise ConfigError("password refused by the password policy", column="password", reason=problem)


def check_name(name: str) -> None:
    if not name or not set(name) <= NAME_CHARS or len(name) > 64:
        raise ConfigError("user name: lower-case letters, digits and . _ - @ only (≤ 64)", value=name,
                          reason=tr("tên đăng nhập chỉ gồm chữ thường, số và . _ - @ (tối đa 64)",
                                    "lower-case letters, digits and . _ - @ only (at most 64)"))


def check_role(role: str) -> None:
    if role not in ROLES:
        raise ConfigError(f"unknown role (one of {', '.join(ROLES)})", value=role,
                          reason=tr(f"vai trò không có (một trong {', '.join(ROLES)})",
                                    f"no such role (one of {', '.join(ROLES)})"))


def scope_codes(scope: str) -> tuple[str, ...]:
    try:
        codes = parse_codes(scope)
    except ValueError as exc:
        raise ConfigError("invalid scope", column="scope", value=scope,
                          reason=tr("phạm vi là mã tỉnh (2 chữ số) hoặc mã xã mới (5 chữ số), cách nhau bởi dấu phẩy",
                                    str(exc))) from exc
    if not codes:
        raise ConfigError("a user needs a scope: the province code or commune codes", column="scope",
                          reason=tr("cần phạm vi: mã tỉnh hoặc các mã xã", "a scope is needed"))
    return codes


def add_user(db: AppDB, name: str, role: str, password: str, scope: str, must_change: bool = False,
             created_by: str = "", min_length: int = MIN_PASSWORD) -> User:
    """Create an account (argon2 hash); the scope is province/commune codes, comma-separated. ``must_change``: the
    password was given to the user by someone else (printed once) and must be changed at the first login."""
    codes = scope_codes(scope)
    check_name(name)
    check_role(role)
    check_policy(password, name, min_length)
    with db.write_lock:
        if db.con().execute("SELECT 1 FROM users WHERE name = ?", [name]).fetchone():
            raise ConfigError("user already exists", value=name,
                              reason=tr("tên đăng nhập đã có", "the user name is taken"))
        db.con().execute("INSERT INTO users (name, password_hash, role, scope, created_at, must_change, created_by) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?)",
                         [name, _HASHER.hash(password), role, ",".join(codes), _now(), int(must_change), created_by])
    return get_user(db, name)  # type: ignore[return-value]


def get_user(db: AppDB, name: str) -> User | None:
    row = db.con().execute("SELECT * FROM users WHERE name = ?", [name]).fetchone()
    return _user(row) if row else None


def list_users(db: AppDB) -> list[User]:
    return [_user(r) for r in db.con().execute("SELECT * FROM users ORDER BY name").fetchall()]


def _end_sessions(db: AppDB, name: str, why: str) -> None:
    db.con().execute("UPDATE sessions SET ended_at = strftime('%s', 'now'), ended_why = ? WHERE user_name = ? "
                     "AND ended_at IS NULL", [why, name])


def set_active(db: AppDB, name: str, active: bool) -> User:
    """Disable (or enable) an account; disabling also ends its sessions and its API tokens stop working."""
    with db.write_lock:
        cur = db.con().execute("UPDATE users SET active = ?, session_version = session_version + 1 WHERE name = ?",
                               [int(active), name])
        if cur.rowcount and not active:
            _end_sessions(db, name, "disabled")
    if cur.rowcount == 0:
        raise ConfigError("no such user", value=name)
    return get_user(db, name)  # type: ignore[return-value]


def set_password(db: AppDB, name: str, password: str, must_change: bool = False,
                 min_length: int = MIN_PASSWORD) -> None:
    """A new password; every session of the account ends. ``must_change``: a reset (printed for the user), to be
    changed at the next login."""
    check_policy(password, name, min_length)
    with db.write_lock:
        cur = db.con().execute("UPDATE users SET password_hash = ?, session_version = session_version + 1, "
                               "must_change = ? WHERE name = ?", [_HASHER.hash(password), int(must_change), name])
        if cur.rowcount:
            _end_sessions(db, name, "password")
    if cur.rowcount == 0:
        raise ConfigError("no such user", value=name)


def set_scope(db: AppDB, name: str, scope: str) -> User:
    """A new scope; the account's sessions end (their pages were built for the old scope)."""
    codes = scope_codes(scope)
    with db.write_lock:
        cur = db.con().execute("UPDATE users SET scope = ?, session_version = session_version + 1 WHERE name = ?",
                               [",".join(codes), name])
        if cur.rowcount:
            _end_sessions(db, name, "scope")
    if cur.rowcount == 0:
        raise ConfigError("no such user", value=name)
    return get_user(db, name)  # type: ignore[return-value]


def first_password() -> str:
    """A password to print once for a new or reset account (16 characters, ~95 bits)."""
    return secrets.token_urlsafe(12)


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
