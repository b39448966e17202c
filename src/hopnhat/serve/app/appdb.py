"""The app database (SQLite by default, ``Project.app_db_path``): users, API tokens, login attempts, the audit log and
the review decisions waiting for the next pipeline run.

It is the only database the web app writes. The audit table is append-only at the engine level (triggers refuse any
UPDATE, and any DELETE of an entry younger than the retention period); its integrity is proven by the hash chain
(:mod:`hopnhat.serve.security.audit`), not by the triggers, which someone with file access could drop.
"""

from __future__ import annotations

import fcntl
import logging
import os
import sqlite3
import threading
from pathlib import Path

from hopnhat.load.audit_chain import CHAIN_TABLES
from hopnhat.serve.app.settings import MIN_RETENTION_DAYS

log = logging.getLogger("hopnhat.serve")

SCHEMA = f"""
CREATE TABLE IF NOT EXISTS users (
  name TEXT PRIMARY KEY,
  password_hash TEXT NOT NULL,
  role TEXT NOT NULL,
  scope TEXT NOT NULL,
  active INTEGER NOT NULL DEFAULT 1,
  session_version INTEGER NOT NULL DEFAULT 1,
  created_at TEXT NOT NULL,
  must_change INTEGER NOT NULL DEFAULT 0,
  created_by TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS api_tokens (
  token_hash TEXT PRIMARY KEY,
  user_name TEXT NOT NULL REFERENCES users(name),
  label TEXT NOT NULL,
  created_at TEXT NOT NULL,
  revoked INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS login_attempts (
  user_name TEXT NOT NULL,
  ip TEXT NOT NULL,
  at REAL NOT NULL,
  ok INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS login_attempts_user_ip ON login_attempts(user_name, ip, at);
CREATE INDEX IF NOT EXISTS login_attempts_ip ON login_attempts(ip, at);
{CHAIN_TABLES}
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_keep_retention BEFORE DELETE ON audit
WHEN old.at > strftime('%Y-%m-%dT%H:%M:%S', 'now', '-{MIN_RETENTION_DAYS} days')
BEGIN SELECT RAISE(ABORT, 'audit entries are kept at least {MIN_RETENTION_DAYS} days'); END;
CREATE TABLE IF NOT EXISTS sessions (
  sid_hash TEXT PRIMARY KEY,
  user_name TEXT NOT NULL REFERENCES users(name),
  created_at REAL NOT NULL,
  last_seen REAL NOT NULL,
  expires_at REAL NOT NULL,
  ended_at REAL,
  ended_why TEXT,
  ip TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_user ON sessions(user_name, ended_at);
CREATE TABLE IF NOT EXISTS review_outbox (
  id INTEGER PRIMARY KEY,
  item_key TEXT NOT NULL,
  decision TEXT NOT NULL,
  decided_by TEXT NOT NULL,
  decided_at TEXT NOT NULL,
  note TEXT NOT NULL,
  applied_at TEXT,
  outcome TEXT
);
CREATE INDEX IF NOT EXISTS review_outbox_item ON review_outbox(item_key, id);
"""


def connect(path: Path, autocheckpoint: bool = True) -> sqlite3.Connection:
    """A connection with WAL (readers never wait for the one writer) and a busy timeout.

    ``autocheckpoint=False``: this connection's commits never run the WAL checkpoint (copying the log into the
    database and syncing it to disk, which can take tens or hundreds of milliseconds on a busy disk); a
    :class:`Checkpointer` thread does it instead."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(str(path), timeout=30, isolation_level=None, check_same_thread=False)
    con.row_factory = sqlite3.Row
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=NORMAL")
    con.execute("PRAGMA foreign_keys=ON")
    if not autocheckpoint:
        con.execute("PRAGMA wal_autocheckpoint=0")
    return con


def init(path: Path) -> None:
    con = connect(path)
    try:
        con.executescript(SCHEMA)
        _add_missing_columns(con)
    finally:
        con.close()


def _add_missing_columns(con: sqlite3.Connection) -> None:
    """App databases made by an earlier version lack columns added since (SQLite has no ADD COLUMN IF NOT EXISTS)."""
    have = {row["name"] for row in con.execute("PRAGMA table_info(review_outbox)")}
    if "outcome" not in have:
        con.execute("ALTER TABLE review_outbox ADD COLUMN outcome TEXT")
    users = {row["name"] for row in con.execute("PRAGMA table_info(users)")}
    if "must_change" not in users:
        con.execute("ALTER TABLE users ADD COLUMN must_change INTEGER NOT NULL DEFAULT 0")
    if "created_by" not in users:
        con.execute("ALTER TABLE users ADD COLUMN created_by TEXT NOT NULL DEFAULT ''")


class WriteLock:
    """One writer at a time, among this process's threads and across processes (``hopnhat serve --workers``).

    SQLite alone would serialise the writers too, but a writer that finds the database locked sleeps and retries
    (1, 2, 5 … 100 ms): two server workers appending audit entries then wait for each other for tens to hundreds
    of milliseconds. An exclusive ``flock`` on a file beside the database wakes the next writer as soon as the
    lock is released."""

    def __init__(self, db_path: Path) -> None:
        self._thread_lock = threading.Lock()
        self._path = Path(f"{db_path}.write-lock")
        self._fd: int | None = None

    def __enter__(self) -> "WriteLock":
        self._thread_lock.acquire()
        try:
            if self._fd is None:
                self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(self._fd, fcntl.LOCK_EX)
        except BaseException:
            self._thread_lock.release()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            if self._fd is not None:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._thread_lock.release()


class AppDB:
    """Thread-local SQLite connections to one app database (created on first use).

    ``audit_key`` keys the audit chain (:mod:`hopnhat.serve.security.audit`); it is kept outside this database (a 0600
    key file or a setting), so someone who can edit the database cannot re-hash the chain. Without it the database can
    be used for accounts (CLI) but no audit entry can be written or verified."""

    def __init__(self, path: Path, audit_key: str | None = None) -> None:
        self.path = Path(path)
        self.audit_key = audit_key.encode("utf-8") if audit_key else None
        init(self.path)
        self._local = threading.local()
        self.write_lock = WriteLock(self.path)
        self._checkpointer: Checkpointer | None = None

    def con(self) -> sqlite3.Connection:
        con = getattr(self._local, "con", None)
        if con is None:
            con = self._local.con = connect(self.path, autocheckpoint=self._checkpointer is None)
        return con

    def checkpoint_in_background(self, interval_s: float = 2.0) -> None:
        """For the web server: requests (each lookup appends an audit entry) no longer wait for a checkpoint; a
        thread checkpoints every ``interval_s`` seconds. Call it before the first :meth:`con`."""
        if self._checkpointer is None:
            self._checkpointer = Checkpointer(self.path, interval_s)
            self._checkpointer.start()

    def close(self) -> None:
        """Stop the checkpoint thread (its last checkpoint runs first)."""
        if self._checkpointer is not None:
            self._checkpointer.stop()


class Checkpointer(threading.Thread):
    """Runs ``PRAGMA wal_checkpoint(PASSIVE)`` on its own connection: it copies what it can without making
    writers or readers wait, and the disk sync happens here, outside any request (and without the GIL)."""

    def __init__(self, path: Path, interval_s: float) -> None:
        super().__init__(name="hopnhat-appdb-checkpoint", daemon=True)
        self.path, self.interval_s = path, interval_s
        self._stop_event = threading.Event()

    def run(self) -> None:
        con = connect(self.path)
        try:
            while not self._stop_event.wait(self.interval_s):
                self.checkpoint(con)
            self.checkpoint(con)
        finally:
            con.close()

    @staticmethod
    def checkpoint(con: sqlite3.Connection) -> None:
        try:
            con.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        except sqlite3.OperationalError as exc:  # another process is checkpointing: its turn, ours next time
            log.debug("app database checkpoint skipped: %s", exc)

    def stop(self) -> None:
        self._stop_event.set()
        self.join(timeout=30)
