"""Sessions, CSRF tokens, login throttling and the client's address.

- Sessions live on the server (``sessions`` in the app database, keyed by the SHA-256 of a random id): logout, a
  password change, a reset or disabling the account ends them there, so a cookie copied before stops working at
  once. A session also ends after ``session_idle_s`` without use and ``session_max_age_s`` after login.
- The session cookie is signed and time-stamped (itsdangerous) and holds only the user name, the random session id
  and the account's ``session_version``. It is HttpOnly, SameSite=Lax, and Secure when the app is served over https.
- A CSRF token is an HMAC of the session id (or, before login, of a random nonce kept in its own signed cookie); every
  POST form carries it and the server recomputes it. The nonce is replaced at login (no session fixation).
- Login throttling counts failures per (user, address) and per address in a sliding window, in the app database, so
  it holds across restarts and worker processes.
- The client's address is the TCP peer's; ``X-Forwarded-For`` is believed only when the peer is one of the
  configured ``trusted_proxies`` (none by default), so a client cannot pick its own address to dodge the throttle.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from hopnhat.serve.app.appdb import AppDB
from hopnhat.serve.app.settings import ServeSettings

SESSION_COOKIE = "hopnhat_session"
PRELOGIN_COOKIE = "hopnhat_prelogin"
LANG_COOKIE = "hopnhat_lang"


@dataclass(frozen=True)
class Session:
    user: str
    sid: str
    version: int


class Signer:
    def __init__(self, settings: ServeSettings) -> None:
        self._settings = settings
        self._sessions = URLSafeTimedSerializer(settings.secret_key, salt="hopnhat.session")
        self._prelogin = URLSafeTimedSerializer(settings.secret_key, salt="hopnhat.prelogin")
        self._key = hashlib.sha256(("csrf:" + settings.secret_key).encode()).digest()

    # sessions ------------------------------------------------------------------------------------------------
    def session_cookie(self, user: str, version: int) -> tuple[str, Session]:
        session = Session(user, secrets.token_urlsafe(18), version)
        return self._sessions.dumps({"u": user, "s": session.sid, "v": version}), session

    def read_session(self, cookie: str | None) -> Session | None:
        if not cookie:
            return None
        try:
            data = self._sessions.loads(cookie, max_age=self._settings.session_max_age_s)
        except (BadSignature, SignatureExpired):
            return None
        if not isinstance(data, dict) or not {"u", "s", "v"} <= set(data):
            return None
        return Session(str(data["u"]), str(data["s"]), int(data["v"]))

    # CSRF ----------------------------------------------------------------------------------------------------
    def new_prelogin(self) -> tuple[str, str]:
        nonce = secrets.token_urlsafe(18)
        return self._prelogin.dumps(nonce), nonce

    def read_prelogin(self, cookie: str | None) -> str | None:
        if not cookie:
            return None
        try:
            return str(self._prelogin.loads(cookie, max_age=3600))
        except (BadSignature, SignatureExpired):
            return None

    def csrf_token(self, nonce: str) -> str:
        return hmac.new(self._key, nonce.encode(), hashlib.sha256).hexdigest()

    def csrf_ok(self, nonce: str | None, token: str | None) -> bool:
        return bool(nonce and token) and hmac.compare_digest(self.csrf_token(nonce or ""), token or "")

    def cookie_args(self) -> dict[str, object]:
        return {"httponly": True, "samesite": "lax", "secure": self._settings.https, "path": "/"}


class LoginThrottle:
    """Failures per (user, address) and per address in the window, counted since that pair's last success."""

    def __init__(self, db: AppDB, settings: ServeSettings) -> None:
        self._db, self._s = db, settings

    def blocked(self, user: str, ip: str, now: float | None = None) -> bool:
        since = (now or time.time()) - self._s.login_window_s
        con = self._db.con()
        last_ok = con.execute("SELECT max(at) FROM login_attempts WHERE user_name = ? AND ip = ? AND ok = 1",
                              [user, ip]).fetchone()[0] or 0
        pair = con.execute("SELECT count(*) FROM login_attempts WHERE user_name = ? AND ip = ? AND ok = 0 "
                           "AND at > ?", [user, ip, max(since, last_ok)]).fetchone()[0]
        per_ip = con.execute("SELECT count(*) FROM login_attempts WHERE ip = ? AND ok = 0 AND at > ?",
                             [ip, since]).fetchone()[0]
        return pair >= self._s.login_max_failures or per_ip >= self._s.ip_max_failures

    def record(self, user: str, ip: str, ok: bool, now: float | None = None) -> None:
        with self._db.write_lock:
            con = self._db.con()
            con.execute("INSERT INTO login_attempts VALUES (?, ?, ?, ?)", [user, ip, now or time.time(), int(ok)])
            con.execute("DELETE FROM login_attempts WHERE at < ?", [(now or time.time()) - 86400])


def _sid_hash(sid: str) -> str:
    return hashlib.sha256(sid.encode("utf-8")).hexdigest()


TOUCH_EVERY_S = 30  # last use is written at most this often per session (a write per request would serialise them)


class SessionStore:
    """Server-side sessions: created at login, checked on every request, ended by logout, password change, reset,
    disable, idle time or age."""

    def __init__(self, db: AppDB, settings: ServeSettings) -> None:
        self._db, self._s = db, settings

    def start(self, session: Session, ip: str, now: float | None = None) -> None:
        at = now or time.time()
        with self._db.write_lock:
            self._db.con().execute("INSERT INTO sessions (sid_hash, user_name, created_at, last_seen, expires_at, ip) "
                                   "VALUES (?, ?, ?, ?, ?, ?)", [_sid_hash(session.sid), session.user, at, at,
                                                                 at + self._s.session_max_age_s, ip])

    def check(self, session: Session, now: float | None = None) -> str | None:
        """None when the session is live (its last use is recorded), else why not: ``ended``, ``idle``, ``age``
        (the session is then ended, so the reason is given once)."""
        at = now or time.time()
        row = self._db.con().execute("SELECT * FROM sessions WHERE sid_hash = ?", [_sid_hash(session.sid)]).fetchone()
        if row is None or row["user_name"] != session.user or row["ended_at"] is not None:
            return "ended"
        why = "age" if at >= row["expires_at"] else "idle" if at - row["last_seen"] > self._s.session_idle_s else None
        if why:
            self.end(session.sid, why, at)
            return why
        if at - row["last_seen"] >= TOUCH_EVERY_S:
            with self._db.write_lock:
                self._db.con().execute("UPDATE sessions SET last_seen = ? WHERE sid_hash = ?",
                                       [at, _sid_hash(session.sid)])
        return None

    def end(self, sid: str, why: str, now: float | None = None) -> None:
        with self._db.write_lock:
            self._db.con().execute("UPDATE sessions SET ended_at = ?, ended_why = ? WHERE sid_hash = ? AND "
                                   "ended_at IS NULL", [now or time.time(), why, _sid_hash(sid)])

    def end_all(self, user: str, why: str, keep_sid: str | None = None) -> int:
        """End every live session of ``user`` (but ``keep_sid``, the one changing its own password)."""
        keep = _sid_hash(keep_sid) if keep_sid else ""
        with self._db.write_lock:
            cur = self._db.con().execute("UPDATE sessions SET ended_at = ?, ended_why = ? WHERE user_name = ? AND "
                                         "ended_at IS NULL AND sid_hash <> ?", [time.time(), why, user, keep])
            self._db.con().execute("DELETE FROM sessions WHERE expires_at < ?", [time.time() - 7 * 86400])
        return cur.rowcount

    def live(self, user: str, now: float | None = None) -> int:
        at = now or time.time()
        return int(self._db.con().execute(
            "SELECT count(*) FROM sessions WHERE user_name = ? AND ended_at IS NULL AND expires_at > ? "
            "AND last_seen > ?", [user, at, at - self._s.session_idle_s]).fetchone()[0])


class ProxyPolicy:
    """Which peers may tell us the client's address through ``X-Forwarded-For`` (none unless configured)."""

    def __init__(self, trusted: str) -> None:
        self._nets = [ipaddress.ip_network(p.strip(), strict=False) for p in trusted.split(",") if p.strip()]

    def trusted(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in net for net in self._nets)

    def client(self, peer: str, headers: Mapping[str, str]) -> str:
        """The peer, or — when the peer is a trusted proxy — the right-most address of X-Forwarded-For that is not
        itself a trusted proxy (the left part of the header is whatever the client wrote)."""
        if not self._nets or not self.trusted(peer):
            return peer
        hops = [h.strip() for h in headers.get("x-forwarded-for", "").split(",") if h.strip()]
        for hop in reversed(hops):
            if not self.trusted(hop):
                try:
                    return str(ipaddress.ip_address(hop))
                except ValueError:
                    return peer
        return peer
