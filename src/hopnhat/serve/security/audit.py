"""The audit log: every lookup, reveal, review decision, login, refusal and account change, append-only and
hash-chained with a key. The chain's writer (hashing, appending) is :mod:`hopnhat.load.audit_chain`, shared with the
run (a cut-over appends its own entry); this module reads, verifies, checkpoints and purges the chain.

Each entry's ``hash`` is ``HMAC-SHA256(key, prev_hash + canonical JSON of the entry)`` where the canonical JSON holds
``seq``, ``at``, ``actor``, ``action``, ``ip`` and ``detail`` with sorted keys and no spaces. The key lives outside
the app database (``<app db>.audit-key``, 0600, or the ``audit_key`` setting): someone who can edit the database
but not read the key cannot re-hash the chain after changing an entry. Editing any entry, deleting one, or
reordering them breaks the chain at that entry; :func:`verify` names the first bad one. Entries written before the
chain was keyed (an app database of an earlier version) stay verifiable with the plain SHA-256 of that version:
where they end is recorded in ``audit_meta`` with an HMAC, so it cannot be moved to cover keyed entries.

:func:`checkpoint` exports a signed statement "entry N has hash H"; kept elsewhere (printed, mailed to the
inspector), it lets :func:`verify` detect even a rewrite by someone holding the key. ``audit_head`` holds the
last sequence number and hash (written in the same transaction as the entry), so cutting off the newest entries is
detected too. A purge (:func:`purge`) drops only entries older than the retention (≥ 365 days) and leaves an anchor
(the last dropped entry's sequence and hash) from which the rest still verifies.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from hopnhat.errors import ConfigError
from hopnhat.load.audit_chain import GENESIS, SCHEME, canonical, entry_hash, key_id, legacy_hash, write_entry
from hopnhat.load.audit_chain import head as _head
from hopnhat.load.audit_chain import meta as _meta
from hopnhat.load.audit_chain import sign as _sign
from hopnhat.load.audit_chain import utc as _utc
from hopnhat.serve.app.appdb import AppDB
from hopnhat.serve.app.settings import MIN_RETENTION_DAYS

__all__ = ["ACTIONS", "GENESIS", "SCHEME", "Verdict", "append", "canonical", "checkpoint", "entries", "entry_hash",
           "key_id", "legacy_hash", "purge", "verify"]

ACTIONS = ("login_success", "login_failure", "login_blocked", "logout", "session_expired", "lookup", "api_lookup",
           "record_view", "reveal", "review_decision", "quarantine_view", "quarantine_export", "catalog_override",
           "audit_view", "access_denied", "not_found", "cross_site_refused", "password_change", "user_create",
           "user_disable", "user_enable", "user_reset", "user_scope", "audit_checkpoint", "document_list", "file_view",
           "file_download", "file_refused", "file_changed", "cutover", "cutover_rehearsal", "dossier_list",
           "review_view", "cli_export")


def _key(db: AppDB) -> bytes:
    if not db.audit_key:
        raise ConfigError("the audit key is missing (HOPNHAT_SERVE_AUDIT_KEY or the .audit-key file)",
                          source=str(db.path))
    return db.audit_key


def append(db: AppDB, actor: str, action: str, ip: str, detail: dict[str, Any] | None = None,
           at: datetime | None = None) -> int:
    """Add one entry at the end of the chain (serialised: one writer at a time, across processes too)."""
    key = _key(db)
    with db.write_lock:
        return write_entry(db.con(), key, actor, action, ip, detail, at)


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


def _check_row(row: Any, seq: int, prev: str, key: bytes | None) -> str | None:
    """``key`` None: an entry from before the chain was keyed (plain SHA-256)."""
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
    expected = legacy_hash(prev, entry) if key is None else entry_hash(key, prev, entry)
    if not hmac.compare_digest(expected, row["hash"]) or canonical(detail) != row["detail"]:
        return "hash does not match the entry's content (the entry was edited)"
    return None


def _legacy_upto(con: Any, key: bytes) -> int | str:
    """The last unkeyed entry's sequence number, or a problem (text) when the metadata was tampered with."""
    meta = _meta(con)
    if meta.get("scheme") != SCHEME:
        has_entries = con.execute("SELECT count(*) FROM audit").fetchone()[0] > 0
        return "the chain's key record is missing (audit_meta deleted?)" if has_entries else 0
    if meta.get("key_id") != key_id(key):
        return "the audit key is not the key this chain was started with"
    legacy = meta.get("legacy_upto", "")
    if not hmac.compare_digest(_sign(key, "legacy:" + legacy), meta.get("legacy_sig", "")):
        return "the record of where unkeyed entries end was changed"
    return int(legacy.split(":", 1)[0])


def verify(db: AppDB, checkpoints: list[dict[str, Any]] | None = None) -> Verdict:
    """Walk the chain from the anchor (or genesis) to the head; the first inconsistency is reported. Signed
    ``checkpoints`` (from :func:`checkpoint`) must each match the chain at their entry."""
    key = _key(db)
    con = db.con()
    legacy_upto = _legacy_upto(con, key)
    if isinstance(legacy_upto, str):
        return Verdict(False, 0, None, legacy_upto, "")
    anchor = con.execute("SELECT upto_seq, upto_hash FROM audit_anchor ORDER BY upto_seq DESC LIMIT 1").fetchone()
    seq, prev = (int(anchor[0]) + 1, anchor[1]) if anchor else (1, GENESIS)
    count, wanted = 0, _checkpoint_map(key, checkpoints or [])
    if isinstance(wanted, str):
        return Verdict(False, 0, None, wanted, "")
    for row in _rows(con):
        problem = _check_row(row, seq, prev, None if seq <= legacy_upto else key)
        if problem is None and seq in wanted and wanted.pop(seq) != row["hash"]:
            problem = "the entry's hash differs from the signed checkpoint (the chain was rewritten)"
        if problem:
            return Verdict(False, count, int(row["seq"]), problem, prev)
        prev, seq, count = row["hash"], seq + 1, count + 1
    missing = [s for s in wanted if s >= seq]
    if missing:
        return Verdict(False, count, min(missing), "a signed checkpoint names an entry the chain no longer has", prev)
    head = con.execute("SELECT seq, hash FROM audit_head WHERE id = 1").fetchone()
    if head is not None and (int(head[0]) != seq - 1 or head[1] != prev):
        return Verdict(False, count, seq, f"the head says seq {head[0]} but the chain ends at {seq - 1} "
                                          "(newest entries deleted)", prev)
    if head is None and count:
        return Verdict(False, count, seq, "the head record is missing", prev)
    return Verdict(True, count, None, "", prev)


def checkpoint(db: AppDB) -> dict[str, Any]:
    """A signed statement of the chain's head now (export it; keep it away from the server)."""
    key = _key(db)
    seq, head = _head(db.con())
    at = _utc()
    return {"seq": seq, "hash": head, "at": at, "key_id": key_id(key),
            "signature": _sign(key, f"checkpoint:{seq}:{head}:{at}")}


def _checkpoint_map(key: bytes, checkpoints: list[dict[str, Any]]) -> dict[int, str] | str:
    wanted: dict[int, str] = {}
    for c in checkpoints:
        try:
            text = f"checkpoint:{int(c['seq'])}:{c['hash']}:{c['at']}"
            ok = hmac.compare_digest(_sign(key, text), str(c["signature"]))
        except (KeyError, TypeError, ValueError):
            ok = False
        if not ok:
            return f"checkpoint {c.get('seq') if isinstance(c, dict) else c!r} is not signed by this chain's key"
        if int(c["seq"]) > 0:
            wanted[int(c["seq"])] = str(c["hash"])
    return wanted


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
    sql = "SELECT seq, at, actor, action, ip, detail, hash FROM audit WHERE 1=1"
    params: list[Any] = []
    for column, value in (("actor", actor), ("action", action)):
        if value:
            sql += f" AND {column} = ?"
            params.append(value)
    if before:
        sql += " AND seq < ?"
        params.append(before)
    rows = db.con().execute(sql + " ORDER BY seq DESC LIMIT ?", [*params, limit]).fetchall()
    return [{**dict(r), "detail": json.loads(r["detail"])} for r in rows]
