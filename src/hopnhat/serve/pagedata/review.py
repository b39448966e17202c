"""The review queue as the web app sees it: items from the store (``review_items``, raised by linkage and the units
stage), decisions already applied (``review_decisions``) and decisions taken here but not yet applied.

The web app reads the store read-only — a DuckDB file has one writer, and that is the pipeline — so a decision made
in the browser is recorded (with who, when and why) in the app database's ``review_outbox`` and applied to the store
by the next run: the pipeline calls :func:`hopnhat.load.review_outbox.apply_pending` at its start, which hands each
decision to :func:`hopnhat.link.review.decide`. Decisions are ``same`` / ``different`` (pairs) or
``commune:<new code>`` (split units).
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from hopnhat.errors import InputError
from hopnhat.load.storedb import StoreReader
from hopnhat.serve.app.appdb import AppDB
from hopnhat.serve.pagedata.records import Catalogue
from hopnhat.serve.security.mask import scrub
from hopnhat.serve.security.scope import Scope, predicate

PAIR_DECISIONS = ("same", "different")


@dataclass
class ReviewItem:
    item_key: str
    entity: str
    kind: str
    record_id_l: str | None
    record_id_r: str | None
    field: str | None
    match_probability: float | None
    evidence: dict[str, Any]
    candidates: list[str]
    scope_codes: list[str]
    run_id: str | None
    decision: dict[str, Any] | None = None
    pending: bool = False
    records: list[dict[str, Any]] = dataclasses.field(default_factory=list)  # ``field`` is a column name here


def _item(row: dict[str, Any]) -> ReviewItem:
    try:
        evidence = json.loads(row.get("evidence") or "{}")
    except ValueError:
        evidence = {"raw": row.get("evidence")}
    evidence = scrub(evidence if isinstance(evidence, dict) else {"comparisons": evidence})  # values compared
    return ReviewItem(row["item_key"], row.get("entity") or "", row.get("kind") or "", row.get("record_id_l"),
                      row.get("record_id_r"), row.get("field"), row.get("match_probability"), evidence,
                      [c for c in (row.get("candidates") or "").split(";") if c],
                      [c for c in (row.get("scope_codes") or "").split(";") if c], row.get("run_id"))


class ReviewQueue:
    def __init__(self, reader: StoreReader, catalogue: Catalogue, db: AppDB, row_limit: int) -> None:
        self.reader, self.cat, self.db, self.limit = reader, catalogue, db, row_limit

    @property
    def available(self) -> bool:
        return self.cat.has("review_items")

    def _scope(self, scope: Scope) -> tuple[str, list[Any]]:
        if scope.unrestricted:
            return "TRUE", []
        return self.reader.dialect.codes_overlap(["NULL"], "scope_codes"), [list(scope.codes)]

    def _outbox(self) -> dict[str, dict[str, Any]]:
        rows = self.db.con().execute("SELECT * FROM review_outbox ORDER BY id").fetchall()
        return {r["item_key"]: {**dict(r), "pending": r["applied_at"] is None} for r in rows}

    def _store_decisions(self, keys: list[str]) -> dict[str, dict[str, Any]]:
        if not keys or not self.cat.has("review_decisions"):
            return {}
        marks = ", ".join("?" for _ in keys)
        rows = self.reader.rows(f"SELECT * FROM review_decisions WHERE item_key IN ({marks}) ORDER BY decided_at",
                                keys)
        return {r["item_key"]: r for r in rows}

    def _decided_sql(self) -> str:
        return ("EXISTS (SELECT 1 FROM review_decisions d WHERE d.item_key = i.item_key)"
                if self.cat.has("review_decisions") else "FALSE")

    def items(self, scope: Scope, status: str = "open", kind: str | None = None, offset: int = 0
              ) -> list[ReviewItem]:
        """Items in scope; ``open`` excludes those decided in the store or waiting in the outbox."""
        if not self.available:
            return []
        cond, params = self._scope(scope)
        outbox = self._outbox()
        where = [cond]
        if kind:
            where.append("i.kind = ?")
            params.append(kind)
        if status == "open":
            where.append(f"NOT {self._decided_sql()}")
        elif status == "decided":
            where.append(f"({self._decided_sql()} OR i.item_key IN (SELECT unnest(?::VARCHAR[])))"
                         if self.reader.dialect.name == "duckdb" else
                         f"({self._decided_sql()} OR i.item_key = ANY(?::VARCHAR[]))")
            params.append(list(outbox) or [""])
        sql = (f"SELECT i.* FROM review_items i WHERE {' AND '.join(where)} "
               f"ORDER BY i.kind, i.match_probability, i.item_key")
        rows = self.reader.rows(sql, params, limit=self.limit + offset + (len(outbox) if status == "open" else 0))
        items = [_item(r) for r in rows]
        if status == "open":
            items = [i for i in items if i.item_key not in outbox]
        return self._with_decisions(items[offset:offset + self.limit], outbox)

    def _with_decisions(self, items: list[ReviewItem], outbox: dict[str, dict[str, Any]]) -> list[ReviewItem]:
        stored = self._store_decisions([i.item_key for i in items])
        for i in items:
            mine = outbox.get(i.item_key)
            i.decision = mine or stored.get(i.item_key)
            i.pending = bool(mine and mine["pending"])
        return items

    def get(self, item_key: str, scope: Scope) -> ReviewItem | None:
        if not self.available:
            return None
        cond, params = self._scope(scope)
        rows = self.reader.rows(f"SELECT i.* FROM review_items i WHERE i.item_key = ? AND {cond}",
                                [item_key, *params], limit=1)
        if not rows:
            return None
        item = self._with_decisions([_item(rows[0])], self._outbox())[0]
        item.records = self._records(item, scope)
        return item

    def _records(self, item: ReviewItem, scope: Scope) -> list[dict[str, Any]]:
        """Both records of the item, each through the user's scope: a pair that straddles two communes shows the
        other commune's record only as "outside your scope" (``{"out_of_scope": True}``)."""
        if item.entity not in self.cat.main:
            return []
        cond, sparams = predicate(scope, self.reader.dialect, item.entity, self.cat.columns(item.entity))
        out: list[dict[str, Any]] = []
        for rid in (item.record_id_l, item.record_id_r):
            if rid:
                found = self.reader.rows(f'SELECT * FROM "{item.entity}" WHERE record_id = ? AND {cond}',
                                         [rid, *sparams], limit=1)
                out += found or [{"record_id": rid, "out_of_scope": True}]
        return out

    def counts(self, scope: Scope) -> dict[str, int]:
        if not self.available:
            return {"open": 0, "pending": 0, "decided": 0}
        cond, params = self._scope(scope)
        total = self.reader.rows(f"SELECT count(*) AS n FROM review_items i WHERE {cond}", params)[0]["n"]
        decided = self.reader.rows(f"SELECT count(*) AS n FROM review_items i WHERE {cond} AND {self._decided_sql()}",
                                   params)[0]["n"]
        pending = self._pending_in_scope(cond, params)
        return {"open": max(0, total - decided - pending), "pending": pending, "decided": decided}

    def _pending_in_scope(self, cond: str, params: list[Any]) -> int:
        """Decisions waiting for the next run, counted among the items the user may see (not everyone's)."""
        keys = [k for k, r in self._outbox().items() if r["pending"]]
        if not keys:
            return 0
        marks = ", ".join("?" for _ in keys)
        return int(self.reader.rows(f"SELECT count(*) AS n FROM review_items i WHERE {cond} AND i.item_key IN "
                                    f"({marks}) AND NOT {self._decided_sql()}", [*params, *keys])[0]["n"])

    def decide(self, item: ReviewItem, decision: str, user: str, note: str) -> None:
        """Validate and record a decision (outbox); the item must have been fetched within the user's scope."""
        valid = PAIR_DECISIONS if item.kind == "pair" else tuple(f"commune:{c}" for c in item.candidates)
        if decision not in valid:
            raise InputError("decision not allowed for this item", table="review_items", row=item.item_key,
                             value=decision, reason=f"expected one of {', '.join(valid)}")
        with self.db.write_lock:
            self.db.con().execute("INSERT INTO review_outbox (item_key, decision, decided_by, decided_at, note) "
                                  "VALUES (?, ?, ?, ?, ?)",
                                  [item.item_key, decision, user, _now(), note.strip()[:1000]])


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
