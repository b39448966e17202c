"""Review decisions taken in the web app, applied to the store by the next run.

The web app reads the store read-only (a DuckDB file has one writer: the pipeline), so a decision made in the
browser waits in the app database's ``review_outbox`` (SQLite) until a run starts: :func:`apply_pending` hands each
to :func:`hopnhat.link.review.decide` on the run's writable connection and marks it applied (or refused, with the
reason). It lives here, below the web app and the run, because both need it and neither may import the other.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from hopnhat.errors import HopnhatError
from hopnhat.link.review import decide


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")


def _open(app_db: Path) -> sqlite3.Connection:
    """The app database as the web app opens it (WAL: the running web app's readers never wait for this writer)."""
    con = sqlite3.connect(str(app_db), timeout=30, isolation_level=None)
    con.row_factory = sqlite3.Row
    con.execute("PRAGMA journal_mode=WAL")
    return con


def apply_pending(app_db: Path, con: Any) -> int:
    """At the start of a run: write the web app's pending review decisions into the store (``con`` is the run's
    writable connection) and mark them applied. Returns how many were applied.

    A decision the store refuses (its item gone, a candidate no longer offered) is marked with the reason in
    ``outcome`` and not applied: the run goes on and the item shows as open again in the queue."""
    if not Path(app_db).exists():
        return 0
    db = _open(Path(app_db))
    applied = 0
    try:
        try:
            rows = db.execute("SELECT * FROM review_outbox WHERE applied_at IS NULL ORDER BY id").fetchall()
        except sqlite3.OperationalError:  # an app database from before the review queue: nothing decided there
            return 0
        for r in rows:
            try:
                decide(con, r["item_key"], r["decision"], r["decided_by"], r["note"],
                       at=datetime.fromisoformat(r["decided_at"]))
                outcome, applied = "applied", applied + 1
            except HopnhatError as exc:
                outcome = f"refused: {exc}"
            db.execute("UPDATE review_outbox SET applied_at = ?, outcome = ? WHERE id = ?", [_now(), outcome, r["id"]])
        return applied
    finally:
        db.close()
