"""A record page's data: the golden record with per-field provenance, every source row behind it (system, table,
key, run, and the archived legacy row), its dossiers, parcels and civil-status events, and its old → new address.

Every query carries the user's scope (the golden record is visible only through member records in scope), so a
record of another commune is "not found" even when its URL is typed by hand. For a user whose scope is not the whole
province, the golden record's values come from the members in scope only (:mod:`.golden_scope`); the page says how
many linked records are outside the scope, never which. What the page links to — the person's
dossiers, parcels, civil-status events (and the related persons named in them) — is fetched through the same scope:
a citizen of commune A with a parcel in commune B shows commune B's parcel only to a user whose scope covers B.
"""

from __future__ import annotations

import json
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import Any

from hopnhat.load.storedb import StoreReader
from hopnhat.model.schema import FIELDS, LINKED
from hopnhat.project.config import LinkageSpec
from hopnhat.serve.pagedata.golden_scope import restrict
from hopnhat.serve.search.lookup import unit_label
from hopnhat.serve.security.mask import Clear, is_identifier, mask, mask_digits_in
from hopnhat.serve.security.scope import Scope, predicate
from hopnhat.units.convert import convert_address

GOLDEN_TABLE = {e: f"golden_{e}" for e in LINKED}
PAGE_ENTITIES = ("person", "organization", "parcel", "dossier", "civil_servant", "person_event", "document")
ID_FIELDS = {"person": ("id_number", "cccd", "cmnd"), "organization": ("representative_id",),
             "parcel": ("holder_id",), "dossier": ("applicant_id",), "civil_servant": ("id_number",),
             "person_event": (), "document": ()}
ADDRESS_FIELD = {"person": "address", "organization": "address", "parcel": "commune", "dossier": "applicant_address",
                 "civil_servant": "hometown", "person_event": "place", "document": "issuing_commune"}


class Catalogue:
    """The store's tables and columns, read once at start (queries only name columns that exist)."""

    def __init__(self, reader: StoreReader) -> None:
        self.main = reader.tables("main")
        self.legacy = reader.tables("legacy")

    def has(self, table: str) -> bool:
        return table in self.main

    def columns(self, table: str) -> set[str]:
        return set(self.main.get(table, ()))


@dataclass
class RecordPage:
    entity: str
    key: str
    golden: dict[str, Any] | None
    fields: list[dict[str, Any]]
    members: list[dict[str, Any]]
    sources: list[dict[str, Any]]
    address: dict[str, Any]
    dossiers: list[dict[str, Any]] = field(default_factory=list)
    parcels: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    history: list[dict[str, Any]] = field(default_factory=list)
    identifiers: list[str] = field(default_factory=list)
    withheld: int = 0  # members of the golden record outside the user's scope (their values are not on the page)

    @property
    def title(self) -> str:
        g = self.golden or (self.members[0] if self.members else {})
        names = ("full_name", "name", "code", "holder_name", "number_symbol")
        return str(next((g[n] for n in names if g.get(n)), self.key))


def view_detail(detail: dict[str, Any], page: RecordPage) -> dict[str, Any]:
    """A record view's audit detail: ``withheld`` added (a count) when members outside the scope were left out."""
    return {**detail, "withheld": page.withheld} if page.withheld else detail


class Records:
    def __init__(self, reader: StoreReader, catalogue: Catalogue, row_limit: int,
                 linkage: LinkageSpec | None = None) -> None:
        self.reader, self.cat, self.limit = reader, catalogue, row_limit
        spec = linkage or LinkageSpec()
        self.survivorship, self.trust = dict(spec.survivorship), list(spec.source_trust)

    def _scoped(self, entity: str, where: str, params: list[Any], scope: Scope,
                limit: int | None = None) -> list[dict[str, Any]]:
        if not self.cat.has(entity):
            return []
        cond, sparams = predicate(scope, self.reader.dialect, entity, self.cat.columns(entity))
        order = "src_source, src_row" if "src_row" in self.cat.columns(entity) else "1"
        return self.reader.rows(f'SELECT * FROM "{entity}" WHERE ({where}) AND {cond} ORDER BY {order}',
                                [*params, *sparams], limit=limit or self.limit)

    def members(self, entity: str, key: str, scope: Scope) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
        """The golden row (if any, as the scope may see it) and the member records in scope; (None, []) when
        nothing is visible."""
        golden, members, _ = self.visible(entity, key, scope)
        return golden, members

    def visible(self, entity: str, key: str,
                scope: Scope) -> tuple[dict[str, Any] | None, list[dict[str, Any]], int]:
        """:meth:`members` and how many members of the golden record are outside the scope (withheld)."""
        golden_table = GOLDEN_TABLE.get(entity, "")
        if self.cat.has(golden_table) and "golden_id" in self.cat.columns(entity):
            members = self._scoped(entity, "golden_id = ?", [key], scope)
            if members:
                rows = self.reader.rows(f'SELECT * FROM "{golden_table}" WHERE golden_id = ?', [key], limit=1)
                golden, withheld = self._golden_in_scope(entity, key, rows[0] if rows else None, scope)
                return golden, members, withheld
        return None, self._scoped(entity, "record_id = ?", [key], scope, limit=1), 0

    def _golden_in_scope(self, entity: str, key: str, golden: dict[str, Any] | None,
                         scope: Scope) -> tuple[dict[str, Any] | None, int]:
        """The golden row rebuilt from the members in scope when some member is outside it (see
        :mod:`hopnhat.serve.pagedata.golden_scope`), and the number withheld; as stored for the whole province."""
        if golden is None or scope.unrestricted:
            return golden, 0
        cond, sparams = predicate(scope, self.reader.dialect, entity, self.cat.columns(entity), alias="e")
        counts = self.reader.rows(f'SELECT count(*) AS n, sum(CASE WHEN {cond} THEN 1 ELSE 0 END) AS inside '
                                  f'FROM "{entity}" e WHERE e.golden_id = ?', [*sparams, key])[0]
        withheld = int(counts["n"] or 0) - int(counts["inside"] or 0)
        if withheld == 0:
            return golden, 0
        runs = ("(SELECT run_id, row_number() OVER (ORDER BY started_at, run_id) AS _run_rank FROM runs)"
                if self.cat.has("runs") else "(SELECT NULL AS run_id, 0 AS _run_rank)")
        inside = self.reader.arrow(f'SELECT e.*, coalesce(r._run_rank, 0) AS _run_rank FROM "{entity}" e '
                                   f"LEFT JOIN {runs} r ON r.run_id = e.run_id WHERE e.golden_id = ? AND {cond}",
                                   [key, *sparams])
        return restrict(golden, inside, entity, self.survivorship, self.trust), withheld

    def page(self, entity: str, key: str, scope: Scope, revealed: AbstractSet[str] = frozenset()) -> RecordPage | None:
        if entity not in PAGE_ENTITIES:
            return None
        golden, members, withheld = self.visible(entity, key, scope)
        if not members:
            return None
        base = golden or members[0]
        merged = {**members[0], **{k: v for k, v in (golden or {}).items() if v is not None}}
        page = RecordPage(entity, key, _member(golden, revealed) if golden else None,
                          _fields(entity, base, golden, members, revealed),
                          [_member(m, revealed) for m in members], [self._source_row(m, revealed) for m in members],
                          _address(entity, merged), identifiers=[f for f in revealable(entity) if base.get(f)],
                          withheld=withheld)
        ids = sorted({str(m.get(f)) for m in [base, *members] for f in ID_FIELDS[entity] if m.get(f)})
        if entity == "person":
            page.dossiers = self._dossiers(ids, revealed, scope)
            page.parcels = self._parcels(ids, revealed, scope)
            page.events = self._events(members, scope)
        if entity == "dossier":
            page.history = self._history(members[0])
        return page

    def _source_row(self, m: dict[str, Any], revealed: AbstractSet[str]) -> dict[str, Any]:
        table = f"{m.get('src_source')}__{m.get('src_table')}"
        row: dict[str, Any] = {}
        if table in self.cat.legacy:
            found = self.reader.rows(f"SELECT * FROM {self.reader.dialect.legacy(table)} WHERE record_id = ?",
                                     [m["record_id"]], limit=1)
            row = found[0] if found else {}
        shown = {k: (v if not is_identifier(k) else mask(v)) if k not in revealed else v for k, v in row.items()
                 if k not in ("record_id",) and not k.startswith("_") and v is not None}
        shown = {k: mask_digits_in(v) if k not in revealed and isinstance(v, str) else v for k, v in shown.items()}
        return {"record_id": m["record_id"], "table": table, "row": row.get("_row"), "cells": shown}

    def _linked(self, entity: str, where: str, params: list[Any], scope: Scope, order: str) -> list[dict[str, Any]]:
        """Rows of ``entity`` linked to the record, in the user's scope (never the whole table)."""
        if not self.cat.has(entity):
            return []
        cond, sparams = predicate(scope, self.reader.dialect, entity, self.cat.columns(entity))
        return self.reader.rows(f'SELECT * FROM "{entity}" WHERE ({where}) AND {cond} ORDER BY {order}',
                                [*params, *sparams], limit=self.limit)

    def _dossiers(self, ids: list[str], revealed: AbstractSet[str], scope: Scope) -> list[dict[str, Any]]:
        if not ids:
            return []
        marks = ", ".join("?" for _ in ids)
        rows = self._linked("dossier", f"applicant_id IN ({marks})", ids, scope, "received_at DESC")
        return [_member(r, revealed) for r in rows]

    def _parcels(self, ids: list[str], revealed: AbstractSet[str], scope: Scope) -> list[dict[str, Any]]:
        if not ids:
            return []
        marks = ", ".join("?" for _ in ids)
        rows = self._linked("parcel", f"holder_id IN ({marks})", ids, scope, "record_id")
        return [{**_member(r, revealed), "new_commune_label": unit_label(r.get("commune_new_commune_code"), "new"),
                 "old_commune_label": unit_label(r.get("commune_old_commune_code"), "old")} for r in rows]

    def _events(self, members: list[dict[str, Any]], scope: Scope) -> list[dict[str, Any]]:
        cols = self.cat.columns("person_event")
        if not cols or not {"person_key", "related_person_key"} <= cols:
            return []
        keys = [(m["src_source"], m["src_key"]) for m in members if m.get("src_key")]
        if not keys:
            return []
        where = " OR ".join("(src_source = ? AND (person_key = ? OR related_person_key = ?))" for _ in keys)
        params = [p for s, k in keys for p in (s, k, k)]
        return [_member(r, set()) for r in self._linked("person_event", where, params, scope, "event_date")]

    def _history(self, dossier: dict[str, Any]) -> list[dict[str, Any]]:
        if not self.cat.has("dossier_history") or not dossier.get("code"):
            return []
        return self.reader.rows("SELECT * FROM dossier_history WHERE src_source = ? AND parent_key = ? ORDER BY \"at\"",
                                [dossier["src_source"], dossier["code"]], limit=self.limit)

    def identifier(self, entity: str, key: str, field_name: str, scope: Scope) -> str | None:
        """The full value of one identifier of a record in scope (for a logged reveal)."""
        if entity not in PAGE_ENTITIES or field_name not in revealable(entity):
            return None
        golden, members = self.members(entity, key, scope)
        for row in ([golden] if golden else []) + members:
            if row.get(field_name):
                return str(row[field_name])
        return None

    def archive_row(self, table: str, row: int, scope: Scope) -> dict[str, Any] | None:
        """One legacy archive row: visible when its record is in scope, or (for a row that became no record)
        only to users of the whole province."""
        if table not in self.cat.legacy:
            return None
        found = self.reader.rows(f"SELECT * FROM {self.reader.dialect.legacy(table)} WHERE _row = ?", [row], limit=1)
        if not found:
            return None
        rec = found[0]
        entity = self._entity_of_record(rec.get("record_id"))
        if entity:
            if not self._scoped(entity, "record_id = ?", [rec["record_id"]], scope, limit=1):
                return None
        elif not scope.unrestricted:
            return None
        values = {k: mask(v) if is_identifier(k) else mask_digits_in(v) if isinstance(v, str) else v
                  for k, v in rec.items() if v is not None}
        return {"table": table, "row": row, "record_id": rec.get("record_id"), "entity": entity, "cells": values}

    def _entity_of_record(self, record_id: str | None) -> str | None:
        if not record_id:
            return None
        for entity in PAGE_ENTITIES:
            if self.cat.has(entity) and self.reader.rows(f'SELECT 1 AS x FROM "{entity}" WHERE record_id = ?',
                                                         [record_id], limit=1):
                return entity
        return None


def revealable(entity: str) -> tuple[str, ...]:
    """Fields of an entity that are masked on screen and may be revealed (logged)."""
    return tuple(f.name for f in FIELDS.get(entity, ()) if is_identifier(f.name))


def _shown(name: str, value: Any, revealed: AbstractSet[str]) -> Any:
    """An identifier masked, unless revealed (then marked :class:`Clear` for the output boundary's mask)."""
    if value is None:
        return None
    if name in revealed:
        return Clear(value)
    return mask(value) if is_identifier(name) else value


def _member(m: dict[str, Any], revealed: AbstractSet[str]) -> dict[str, Any]:
    return {k: _shown(k, v, revealed) for k, v in m.items()}


def _fields(entity: str, base: dict[str, Any], golden: dict[str, Any] | None, members: list[dict[str, Any]],
            revealed: AbstractSet[str]) -> list[dict[str, Any]]:
    """Each field of the entity: value, the record it came from (provenance) and that record's system/table."""
    provenance: dict[str, str] = {}
    if golden and golden.get("provenance"):
        try:
            provenance = json.loads(golden["provenance"])
        except (TypeError, ValueError):
            provenance = {}
    by_id = {m["record_id"]: m for m in members}
    out = []
    for f in FIELDS[entity]:
        value = base.get(f.name)
        if value is None or value == "":
            continue
        src_id = provenance.get(f.name) or (None if golden else base.get("record_id"))
        src = by_id.get(src_id or "", {})
        out.append({"name": f.name, "doc": f.doc, "value": _shown(f.name, value, revealed),
                    "identifier": is_identifier(f.name), "revealed": f.name in revealed,
                    "record_id": src_id, "system": src.get("src_system"), "table": src.get("src_table"),
                    "source_key": src.get("src_key"), "run_id": src.get("run_id")})
    return out


def _old_code(entity: str, row: dict[str, Any]) -> str | None:
    """The old commune: stored, or (for a text address the pipeline did not code) read again from the text."""
    p = ADDRESS_FIELD[entity]
    if row.get(f"{p}_old_commune_code"):
        return str(row[f"{p}_old_commune_code"])
    text = row.get(p)
    return convert_address(text).old_commune_code if isinstance(text, str) and text.strip() else None


def _address(entity: str, row: dict[str, Any]) -> dict[str, Any]:
    p = ADDRESS_FIELD[entity]
    cands = [c for c in (row.get(f"{p}_candidates") or "").split(";") if c]
    return {"text": row.get(p), "status": row.get(f"{p}_status"), "reason": row.get(f"{p}_reason"),
            "old": unit_label(_old_code(entity, row), "old"),
            "new": unit_label(row.get(f"{p}_new_commune_code"), "new"),
            "new_province": row.get(f"{p}_new_province_code"), "candidates": [unit_label(c, "new") for c in cands]}
