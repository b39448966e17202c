"""The keyed audit chain's writer: how an entry is hashed and appended to the app database's ``audit`` table.

It lives here, below the run and the web app, because both write entries to the same chain (the web app every
lookup, reveal, login…; the run its cut-overs) and neither may import the other. The web app's
:mod:`hopnhat.serve.security.audit` appends through :func:`write_entry` on its own connection and lock, and reads,
verifies, checkpoints and purges the chain; :func:`append` is for a process without the web app's database object
(a cut-over): it opens the app database, takes the same cross-process write lock file, and creates the chain's
tables when the web app has not run yet (the web app adds its other tables and the append-only triggers at its
next start).

Each entry's ``hash`` is ``HMAC-SHA256(key, prev_hash + canonical JSON of the entry)`` where the canonical JSON holds
``seq``, ``at``, ``actor``, ``action``, ``ip`` and ``detail`` with sorted keys and no spaces; the chain's first keyed
write records the scheme, the key's id and where the unkeyed entries of an earlier version end (signed).
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import json
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from hopnhat.errors import ConfigError

GENESIS = "0" * 64
SCHEME = "hmac-sha256"

# The chain's tables: the web app's schema (hopnhat.serve.app.appdb) creates them from this text, with its triggers.
CHAIN_TABLES = """
CREATE TABLE IF NOT EXISTS audit (
  seq INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  ip TEXT NOT NULL,
  detail TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_actor ON audit(actor, seq);
CREATE TABLE IF NOT EXISTS audit_head (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  seq INTEGER NOT NULL,
  hash TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS audit_anchor (
  upto_seq INTEGER PRIMARY KEY,
  upto_hash TEXT NOT NULL,
  purged_at TEXT NOT NULL,
  purged_count INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS audit_meta (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
"""


def canonical(entry: dict[str, Any]) -> str:
    return json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def legacy_hash(prev_hash: str, entry: dict[str, Any]) -> str:
    """The unkeyed hash of entries written before the chain was keyed (and of nothing since)."""
    return hashlib.sha256((prev_hash + canonical(entry)).encode("utf-8")).hexdigest()


def entry_hash(key: bytes, prev_hash: str, entry: dict[str, Any]) -> str:
    return hmac.new(key, (prev_hash + canonical(entry)).encode("utf-8"), hashlib.sha256).hexdigest()


def sign(key: bytes, text: str) -> str:
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()


def key_id(key: bytes) -> str:
    """Names the key without revealing it (to tell "wrong key" from "edited entry")."""
    return sign(key, "hopnhat audit key id")[:16]


def utc(ts: datetime | None = None) -> str:
    return (ts or datetime.now(timezone.utc)).astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")


def meta(con: Any) -> dict[str, str]:
    return {r[0]: r[1] for r in con.execute("SELECT name, value FROM audit_meta").fetchall()}


def head(con: Any) -> tuple[int, str]:
    """The last entry's sequence number and hash (the purge anchor's, or genesis, when there is none)."""
    row = con.execute("SELECT seq, hash FROM audit_head WHERE id = 1").fetchone()
    if row:
        return int(row[0]), row[1]
    anchor = con.execute("SELECT upto_seq, upto_hash FROM audit_anchor ORDER BY upto_seq DESC LIMIT 1").fetchone()
    return (int(anchor[0]), anchor[1]) if anchor else (0, GENESIS)


def _ensure_keyed(con: Any, key: bytes) -> None:
    """On the first keyed write: record the scheme, the key's id and where the unkeyed entries end (signed)."""
    known = meta(con)
    if known.get("scheme") == SCHEME:
        if known.get("key_id") != key_id(key):
            raise ConfigError("the audit key is not the key this audit chain was started with",
                              reason="restore the original .audit-key file or HOPNHAT_SERVE_AUDIT_KEY")
        return
    seq, last = head(con)
    legacy = f"{seq}:{last}"
    con.executemany("INSERT OR REPLACE INTO audit_meta VALUES (?, ?)",
                    [("scheme", SCHEME), ("key_id", key_id(key)), ("legacy_upto", legacy),
                     ("legacy_sig", sign(key, "legacy:" + legacy))])


def _existing(con: Any, action: str, once: tuple[str, str] | None) -> int | None:
    """The entry of ``action`` whose detail has ``once`` = (field, value), if the chain holds one already."""
    if once is None:
        return None
    row = con.execute("SELECT seq FROM audit WHERE action = ? AND json_extract(detail, '$.' || ?) = ? "
                      "ORDER BY seq LIMIT 1", [action, once[0], once[1]]).fetchone()
    return int(row[0]) if row else None


def write_entry(con: Any, key: bytes, actor: str, action: str, ip: str, detail: dict[str, Any] | None = None,
                at: datetime | None = None, once: tuple[str, str] | None = None) -> int:
    """Append one entry on ``con`` in its own transaction (the caller holds the write lock); its sequence number.

    ``once`` = (detail field, value): when an entry of ``action`` with that value is in the chain already (a resumed
    step that appended before it was killed), nothing is written and that entry's number is returned."""
    con.execute("BEGIN IMMEDIATE")
    try:
        _ensure_keyed(con, key)
        found = _existing(con, action, once)
        if found is not None:
            con.execute("COMMIT")
            return found
        seq, prev = head(con)
        entry: dict[str, Any] = {"seq": seq + 1, "at": utc(at), "actor": actor, "action": action, "ip": ip or "",
                                 "detail": detail or {}}
        digest = entry_hash(key, prev, entry)
        con.execute("INSERT INTO audit (seq, at, actor, action, ip, detail, prev_hash, hash) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [entry["seq"], entry["at"], actor, action, entry["ip"], canonical(entry["detail"]), prev, digest])
        con.execute("INSERT INTO audit_head (id, seq, hash) VALUES (1, ?, ?) "
                    "ON CONFLICT(id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash", [seq + 1, digest])
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return seq + 1


@contextmanager
def write_lock(app_db: Path) -> Iterator[None]:
    """The web app's cross-process write lock (an exclusive ``flock`` on ``<app db>.write-lock``)."""
    fd = os.open(f"{app_db}.write-lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def append(app_db: Path, key: bytes, actor: str, action: str, detail: dict[str, Any],
           once: tuple[str, str] | None = None) -> int:
    """Append one entry to the chain of the app database at ``app_db`` (created with the chain's tables when the web
    app has not run yet); its sequence number. A key other than the chain's is refused (:class:`ConfigError`)."""
    Path(app_db).parent.mkdir(parents=True, exist_ok=True)
    with write_lock(app_db):
        con = sqlite3.connect(str(app_db), timeout=30, isolation_level=None)
        try:
            con.execute("PRAGMA journal_mode=WAL")
            con.executescript(CHAIN_TABLES)
            return write_entry(con, key, actor, action, "", detail, once=once)
        finally:
            con.close()
