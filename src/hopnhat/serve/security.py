"""Sessions, CSRF tokens and login throttling.

- The session cookie is signed and time-stamped (itsdangerous) and holds only the user name, a random session id and
  the account's ``session_version`` (bumped when the account is disabled or its password changes, which ends every
  session). It is HttpOnly, SameSite=Lax, and Secure when the app is served over https.
- A CSRF token is an HMAC of the session id (or, before login, of a random nonce kept in its own signed cookie); every
  POST form carries it and the server recomputes it. The nonce is replaced at login (no session fixation).
- Login throttling counts failures per (user, address) and per address in a sliding window, in the app database, so
  it holds across restarts and worker processes.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from hopnhat.serve.appdb import AppDB
from hopnhat.serve.settings import ServeSettings

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
