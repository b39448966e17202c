"""The review queue: pairs the model is unsure about and addresses in split communes, decided by a person.

Items live in ``review_items`` (rebuilt per entity by every linkage run), decisions in ``review_decisions`` (append
only: who, when, why; never touched by a run). The latest decision of an item wins and is applied on the next run:

- ``same`` / ``different`` on a pair (``pair:<entity>:<record_id>|<record_id>``) forces the two records together or
  keeps them apart, whatever the scores;
- ``commune:<new code>`` on a split-commune address (``unit:<record_id>:<field>``) sets the record's
  ``<field>_new_commune_code``; its status becomes ``decided`` (visible as a person's decision, not a conversion).

This module is the API the CLI (``hopnhat review``) and the web app share.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from hopnhat.errors import InputError
from hopnhat.i18n import tr
from hopnhat.link.tables import columns_of, ensure_tables, one, table_exists

STATUSES = ("open", "decided", "all")
PAIR_DECISIONS = ("same", "different")
Shown = Callable[[Sequence[str], list[list[Any]]], list[list[Any]]]
EXPORT_COLUMNS = ("item_key", "kind", "entity", "decision", "note", "match_probability", "record_id_l", "summary_l",
                  "record_id_r", "summary_r", "field", "candidates", "candidate_names", "current_decision",
                  "decided_by", "evidence")
# admin fields of each linked entity whose split-commune addresses are reviewed
UNIT_FIELDS = {"person": ("address", "commune"), "organization": ("address",), "parcel": ("commune",)}
_SUMMARY = {
    "person": ("full_name", "birth_date", "sex", "id_number", "cccd", "cmnd", "phone", "address"),
    "organization": ("tax_code", "name", "address", "representative_name"),
    "parcel": ("commune_old_commune_code", "map_sheet", "parcel_number", "holder_name", "holder_id", "hamlet"),
}


def pair_key(entity: str, left: str, right: str) -> str:
    a, b = sorted((left, right))
    return f"pair:{entity}:{a}|{b}"


def unit_key(record_id: str, field: str) -> str:
    return f"unit:{record_id}:{field}"


_LATEST = """
SELECT item_key, arg_max(decision, rowid) AS decision, arg_max(decided_by, rowid) AS decided_by,
       arg_max(decided_at, rowid) AS decided_at, arg_max(note, rowid) AS note
FROM review_decisions GROUP BY item_key
"""


def _has_queue(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the store has the queue tables (reads never create them: the web app reads a read-only store)."""
    return table_exists(con, "review_items") and table_exists(con, "review_decisions")


def latest_decisions(con: duckdb.DuckDBPyConnection, prefix: str = "") -> dict[str, str]:
    """item_key → the latest decision, for items whose key starts with ``prefix``."""
    if not table_exists(con, "review_decisions"):
        return {}
    rows = con.execute(f"SELECT item_key, decision FROM ({_LATEST}) WHERE starts_with(item_key, ?)",
                       [prefix]).fetchall()
    return dict(rows)


# --- listing -------------------------------------------------------------------------------------------------------

def _where(status: str, entity: str | None, scope: str | Sequence[str] | None) -> tuple[str, list[Any]]:
    if status not in STATUSES:
        raise InputError("unknown review status", column="status", value=status,
                         reason=f"expected one of {', '.join(STATUSES)}")
    clauses: list[str] = ["1 = 1"]
    params: list[Any] = []
    if status == "open":
        clauses.append("d.decision IS NULL")
    elif status == "decided":
        clauses.append("d.decision IS NOT NULL")
    if entity:
        clauses.append("i.entity = ?")
        params.append(entity)
    if scope:
        codes = [scope] if isinstance(scope, str) else list(scope)
        clauses.append("list_has_any(string_split(coalesce(i.scope_codes, ''), ';'), ?::VARCHAR[])")
        params.append(codes)
    return " AND ".join(clauses), params


def count_items(con: duckdb.DuckDBPyConnection, status: str = "open", entity: str | None = None,
                scope: str | Sequence[str] | None = None) -> int:
    """How many items :func:`list_items` would list without limit."""
    if not _has_queue(con):
        return 0
    where, params = _where(status, entity, scope)
    return int(one(con, f"SELECT count(*) FROM review_items i LEFT JOIN ({_LATEST}) d USING (item_key) "
                        f"WHERE {where}", params)[0])


def list_items(con: duckdb.DuckDBPyConnection, status: str = "open", entity: str | None = None,
               scope: str | Sequence[str] | None = None, limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
    """Review items (dicts) with their latest decision and the records they concern, in a stable order.

    ``status``: open | decided | all. ``scope``: new province/commune code(s) a user may see (an item matches when
    any of its ``scope_codes`` is among them). Each item has ``records``: record_id → the record's main fields, and
    ``evidence`` parsed from JSON.
    """
    if not _has_queue(con):
        _where(status, entity, scope)
        return []
    where, params = _where(status, entity, scope)
    cur = con.execute(f"""
        SELECT i.*, d.decision, d.decided_by, d.decided_at, d.note
        FROM review_items i LEFT JOIN ({_LATEST}) d USING (item_key)
        WHERE {where} ORDER BY i.entity, i.kind, i.item_key LIMIT ? OFFSET ?""", [*params, limit, offset])
    names = [c[0] for c in cur.description]
    items = [dict(zip(names, row)) for row in cur.fetchall()]
    for item in items:
        item["evidence"] = json.loads(item["evidence"]) if item.get("evidence") else None
        item["status"] = "decided" if item["decision"] else "open"
    _attach_records(con, items)
    return items


def _attach_records(con: duckdb.DuckDBPyConnection, items: list[dict[str, Any]]) -> None:
    by_entity: dict[str, set[str]] = {}
    for item in items:
        for side in ("record_id_l", "record_id_r"):
            if item.get(side):
                by_entity.setdefault(item["entity"], set()).add(item[side])
    found: dict[str, dict[str, Any]] = {}
    for entity, ids in by_entity.items():
        if not table_exists(con, entity):
            continue
        cols = [c for c in ("record_id", "src_source", "src_table", *_SUMMARY[entity], "golden_id")
                if c in columns_of(con, entity)]
        cur = con.execute(f'SELECT {", ".join(cols)} FROM "{entity}" WHERE record_id IN (SELECT unnest(?))',
                          [sorted(ids)])
        for row in cur.fetchall():
            found[row[0]] = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in zip(cols, row)}
    for item in items:
        item["records"] = {rid: found.get(rid) for rid in (item.get("record_id_l"), item.get("record_id_r")) if rid}


# --- deciding ------------------------------------------------------------------------------------------------------

def _item(con: duckdb.DuckDBPyConnection, item_key: str) -> tuple[str, str | None] | None:
    if not table_exists(con, "review_items"):
        return None
    row = con.execute("SELECT kind, candidates FROM review_items WHERE item_key = ?", [item_key]).fetchone()
    return (row[0], row[1]) if row else None


def check_decision(kind: str, candidates: str | None, decision: str) -> str | None:
    """Why ``decision`` is not valid for an item of ``kind`` (None when it is)."""
    if kind == "pair":
        return None if decision in PAIR_DECISIONS else tr("phải là same hoặc different", "expected same or different")
    allowed = [c for c in (candidates or "").split(";") if c]
    if not decision.startswith("commune:") or decision[8:] not in allowed:
        return tr("phải là commune:<mã xã mới> trong số ", "expected commune:<new code> among ") + ", ".join(allowed)
    return None


def decide(con: duckdb.DuckDBPyConnection, item_key: str, decision: str, user: str,
           note: str | None = None, at: dt.datetime | None = None) -> dict[str, Any]:
    """Record a decision (applied by the next linkage run); returns it. Errors name the item and the value.

    ``at``: when the person decided (a decision made in the web app earlier is applied by a later run)."""
    ensure_tables(con)
    decision = (decision or "").strip()
    found = _item(con, item_key)
    if found is None:
        raise InputError(tr("không có mục rà soát này", "no such review item"), column="item_key", value=item_key)
    problem = check_decision(found[0], found[1], decision)
    if problem:
        raise InputError(tr("quyết định không hợp lệ", "invalid decision"), row=item_key, column="decision",
                         value=decision, reason=problem)
    if not user:
        raise InputError(tr("thiếu người quyết định", "the deciding user is required"), column="user")
    record = {"item_key": item_key, "decision": decision, "decided_by": user,
              "decided_at": (at or dt.datetime.now()).replace(microsecond=0, tzinfo=None), "note": note or None}
    con.execute("INSERT INTO review_decisions (item_key, decision, decided_by, decided_at, note) "
                "VALUES (?, ?, ?, ?, ?)", list(record.values()))
    return record


# --- export / import -----------------------------------------------------------------------------------------------

def _summary(record: dict[str, Any] | None) -> str:
    if not record:
        return ""
    skip = {"record_id", "golden_id"}
    return " | ".join(str(v) for k, v in record.items() if k not in skip and v not in (None, ""))


def _candidate_names(candidates: str | None) -> str:
    from hopnhat.units.reference import reference

    communes = reference().communes["new"]
    return "; ".join(f"{c} {communes[c].name}" if c in communes else c for c in (candidates or "").split(";") if c)


def _export_rows(con: duckdb.DuckDBPyConnection, status: str, entity: str | None,
                 scope: str | Sequence[str] | None) -> list[list[Any]]:
    rows, offset, page = [], 0, 5000
    while True:
        items = list_items(con, status, entity, scope, limit=page, offset=offset)
        for it in items:
            recs = it["records"]
            rows.append([it["item_key"], it["kind"], it["entity"], "", "", it["match_probability"],
                         it["record_id_l"], _summary(recs.get(it["record_id_l"])), it["record_id_r"] or "",
                         _summary(recs.get(it["record_id_r"])) if it["record_id_r"] else "", it["field"] or "",
                         it["candidates"] or "", _candidate_names(it["candidates"]), it["decision"] or "",
                         it["decided_by"] or "", json.dumps(it["evidence"], ensure_ascii=False)])
        if len(items) < page:
            return rows
        offset += page


def export_items(con: duckdb.DuckDBPyConnection, path: Path | str, status: str = "open", entity: str | None = None,
                 scope: str | Sequence[str] | None = None, shown: Shown | None = None) -> int:
    """Write items to CSV or Excel (.xlsx) with empty ``decision`` / ``note`` columns to fill; returns the count.
    ``shown`` turns the rows into what the file may hold (the CLI masks identifiers with it)."""
    from hopnhat.io.writers import ROW_FORMATS, write_rows

    path = Path(path)
    if path.suffix.lower() not in ROW_FORMATS:
        raise InputError(tr("định dạng tệp không hỗ trợ (.csv hoặc .xlsx)", "unsupported file type (.csv or .xlsx)"),
                         source=str(path))
    rows = _export_rows(con, status, entity, scope)
    if shown is not None:
        rows = shown(EXPORT_COLUMNS, rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_rows(path, EXPORT_COLUMNS, rows, sheet="review")  # checked, atomic; record text stays text in Excel
    return len(rows)


def _read_sheet(path: Path) -> tuple[list[str], list[list[str]]]:
    from hopnhat.ingest.tables import read_rows

    rows = read_rows(path)  # checked first; a damaged file is an InputError with what to do
    if not rows:
        raise InputError(tr("tệp rỗng", "empty file"), source=str(path))
    return [h.strip() for h in rows[0]], rows[1:]


@dataclass(frozen=True)
class ImportResult:
    applied: int  # new decisions recorded
    unchanged: int  # rows repeating the item's current decision
    blank: int  # rows left without a decision


def _cell(row: list[str], col: dict[str, int], name: str) -> str:
    """The stripped text of column ``name`` in a sheet row; "" when the sheet lacks the column or the row is short."""
    return row[col[name]].strip() if name in col and col[name] < len(row) else ""


def import_decisions(con: duckdb.DuckDBPyConnection, path: Path | str, user: str) -> ImportResult:
    """Record the decisions filled in an exported sheet. All rows are checked first: one bad row imports nothing."""
    path = Path(path)
    header, rows = _read_sheet(path)
    for needed in ("item_key", "decision"):
        if needed not in header:
            raise InputError(tr("thiếu cột", "missing column"), source=str(path), column=needed,
                             reason=tr("cột có: ", "columns: ") + ", ".join(header))
    col = {name: header.index(name) for name in header}
    current = latest_decisions(con)
    todo, unchanged, blank = [], 0, 0
    for n, row in enumerate(rows, start=2):
        key, decision = _cell(row, col, "item_key"), _cell(row, col, "decision")
        if not key or not decision:
            blank += 1
            continue
        found = _item(con, key)
        if found is None:
            raise InputError(tr("không có mục rà soát này", "no such review item"), source=str(path), row=n,
                             column="item_key", value=key)
        problem = check_decision(found[0], found[1], decision)
        if problem:
            raise InputError(tr("quyết định không hợp lệ", "invalid decision"), source=str(path), row=n,
                             column="decision", value=decision, reason=problem)
        if current.get(key) == decision:
            unchanged += 1
            continue
        todo.append((key, decision, _cell(row, col, "note") or None))
    for key, decision, note in todo:
        decide(con, key, decision, user, note)
    return ImportResult(len(todo), unchanged, blank)
