"""The audit log: every lookup, reveal, review decision and login, append-only and hash-chained.

Each entry's ``hash`` is ``sha256(prev_hash + canonical JSON of the entry)`` where the canonical JSON holds ``seq``,
``at``, ``actor``, ``action``, ``ip`` and ``detail`` with sorted keys and no spaces. Editing any entry, deleting one,
or reordering them breaks the chain at that entry; :func:`verify` names the first bad one. ``audit_head`` holds the
last sequence number and hash (written in the same transaction as the entry), so cutting off the newest entries is
detected too. A purge (:func:`purge`) drops only entries older than the retention (≥ 365 days) and leaves an anchor
(the last dropped entry's sequence and hash) from which the rest still verifies.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from hopnhat.serve.appdb import AppDB
from hopnhat.serve.settings import MIN_RETENTION_DAYS

GENESIS = "0" * 64
ACTIONS = ("login_success", "login_failure", "login_blocked", "logout", "lookup", "api_lookup", "record_view",
           "reveal", "review_decision", "quarantine_view", "quarantine_export", "catalog_override", "audit_view")


def canonical(entry: dict[str, Any]) -> str:
    return json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def entry_hash(prev_hash: str, entry: dict[str, Any]) -> str:
    return hashlib.sha256((prev_hash + canonical(entry)).encode("utf-8")).hexdigest()


def _utc(ts: datetime | None = None) -> str:
    return (ts or datetime.now(timezone.utc)).astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")


def _head(con: Any) -> tuple[int, str]:
    row = con.execute("SELECT seq, hash FROM audit_head WHERE id = 1").fetchone()
    if row:
        return int(row[0]), row[1]
    anchor = con.execute("SELECT upto_seq, upto_hash FROM audit_anchor ORDER BY upto_seq DESC LIMIT 1").fetchone()
    return (int(anchor[0]), anchor[1]) if anchor else (0, GENESIS)


def append(db: AppDB, actor: str, action: str, ip: str, detail: dict[str, Any] | None = None,
           at: datetime | None = None) -> int:
    """Add one entry at the end of the chain (serialised: one writer at a time, across processes too)."""
    with db.write_lock:
        con = db.con()
        con.execute("BEGIN IMMEDIATE")
        try:
            seq, prev = _head(con)
            entry = {"seq": seq + 1, "at": _utc(at), "actor": actor, "action": action, "ip": ip or "",
                     "detail": detail or {}}
            digest = entry_hash(prev, entry)
            con.execute("INSERT INTO audit (seq, at, actor, action, ip, detail, prev_hash, hash) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        [entry["seq"], entry["at"], actor, action, entry["ip"], canonical(entry["detail"]), prev,
                         digest])
            con.execute("INSERT INTO audit_head (id, seq, hash) VALUES (1, ?, ?) "
                        "ON CONFLICT(id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash", [seq + 1, digest])
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        return seq + 1


@dataclass(frozen=True)
class Verdict:
    ok: bool
    entries: int
    first_bad: int | None
    problem: str
    head_hash: str

    def message(self) -> str:
        if self.ok:
            return f"OK: {self.entries} entries, head {self.head_hash[:16]}…"
        return f"BROKEN at entry seq={self.first_bad}: {self.problem}"


def _rows(con: Any) -> Iterator[Any]:
    cur = con.execute("SELECT seq, at, actor, action, ip, detail, prev_hash, hash FROM audit ORDER BY seq")
    while batch := cur.fetchmany(5000):
        yield from batch


def _check_row(row: Any, seq: int, prev: str) -> str | None:
    if row["seq"] != seq:
        return f"expected seq {seq}, found {row['seq']} (entries deleted or inserted)"
    if row["prev_hash"] != prev:
        return "prev_hash does not match the previous entry's hash (an entry before it was changed or deleted)"
    try:
        detail = json.loads(row["detail"])
    except ValueError:
        return "detail is not valid JSON"
    entry = {"seq": row["seq"], "at": row["at"], "actor": row["actor"], "action": row["action"], "ip": row["ip"],
             "detail": detail}
    if entry_hash(prev, entry) != row["hash"] or canonical(detail) != row["detail"]:
        return "hash does not match the entry's content (the entry was edited)"
    return None


def verify(db: AppDB) -> Verdict:
    """Walk the chain from the anchor (or genesis) to the head; the first inconsistency is reported."""
    con = db.con()
    anchor = con.execute("SELECT upto_seq, upto_hash FROM audit_anchor ORDER BY upto_seq DESC LIMIT 1").fetchone()
    seq, prev = (int(anchor[0]) + 1, anchor[1]) if anchor else (1, GENESIS)
    count = 0
    for row in _rows(con):
        problem = _check_row(row, seq, prev)
        if problem:
            return Verdict(False, count, int(row["seq"]), problem, prev)
        prev, seq, count = row["hash"], seq + 1, count + 1
    head = con.execute("SELECT seq, hash FROM audit_head WHERE id = 1").fetchone()
    if head is not None and (int(head[0]) != seq - 1 or head[1] != prev):
        return Verdict(False, count, seq, f"the head says seq {head[0]} but the chain ends at {seq - 1} "
                                          "(newest entries deleted)", prev)
    if head is None and count:
        return Verdict(False, count, seq, "the head record is missing", prev)
    return Verdict(True, count, None, "", prev)


def purge(db: AppDB, older_than_days: int, now: datetime | None = None) -> int:
    """Drop entries older than ``older_than_days`` (never fewer than 365) and anchor the chain at the last dropped."""
    days = max(older_than_days, MIN_RETENTION_DAYS)
    cutoff = _utc((now or datetime.now(timezone.utc)) - timedelta(days=days))
    with db.write_lock:
        con = db.con()
        con.execute("BEGIN IMMEDIATE")
        try:
            last = con.execute("SELECT seq, hash FROM audit WHERE seq = (SELECT max(seq) FROM audit WHERE at < ? "
                               "AND seq < (SELECT coalesce(min(seq), 9e18) FROM audit WHERE at >= ?))",
                               [cutoff, cutoff]).fetchone()
            if last is None:
                con.execute("COMMIT")
                return 0
            n = con.execute("DELETE FROM audit WHERE seq <= ?", [last[0]]).rowcount
            con.execute("INSERT INTO audit_anchor VALUES (?, ?, ?, ?)", [last[0], last[1], _utc(), n])
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    return n


def entries(db: AppDB, actor: str | None, action: str | None, limit: int, before: int | None = None
            ) -> list[dict[str, Any]]:
    """Newest first; ``actor`` None means everyone (the caller checks the permission)."""
    sql, params = "SELECT seq, at, actor, action, ip, detail, hash FROM audit WHERE 1=1", []
    for column, value in (("actor", actor), ("action", action)):
        if value:
            sql += f" AND {column} = ?"
            params.append(value)
    if before:
        sql += " AND seq < ?"
        params.append(before)
    rows = db.con().execute(sql + " ORDER BY seq DESC LIMIT ?", [*params, limit]).fetchall()
    return [{**dict(r), "detail": json.loads(r["detail"])} for r in rows]
