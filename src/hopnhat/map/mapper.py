"""Apply one source table's mapping to a batch: raw text → repaired text → typed fields → store columns.

The result of a batch is column lists aligned with the batch's rows, the repairs made (originals kept), the problems
found per row, and for each row whether it must go to quarantine and why. How strict to be is the source's setting:
``strict`` quarantines a row with any unusable value; ``lenient`` loads it with that value empty and records the
problem (the raw value stays in the repairs/issues tables and in the legacy archive).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from hopnhat.base.timing import stage
from hopnhat.i18n import tr
from hopnhat.ingest import needed_columns
from hopnhat.map.admin import SUFFIXES, AdminResolver, AdminResult
from hopnhat.map.extract import extract, origin_label
from hopnhat.model.schema import FIELDS
from hopnhat.project.config import ColumnSpec, SourceSpec, TableSpec
from hopnhat.repair.stage import ColumnRepairer, canonical_encoding
from hopnhat.values import parse_column
from hopnhat.values.dates import Habitual

REQUIRED = {"person": ("full_name",), "civil_servant": ("full_name",), "dossier": ("code",),
            "dossier_history": ("parent_key",), "parcel": ("parcel_number",), "person_event": ("kind",),
            "organization": ("name",)}
_PARSE_FIRST = ("birth_date", "sex")  # id numbers are checked against them
_ADMIN = ("admin_code", "admin_address")


@dataclass(frozen=True)
class Issue:
    """One problem with one cell (or a whole row when ``field`` is None)."""

    row: int
    field: str | None
    column: str | None
    value: str | None
    code: str
    message: str
    severity: str = "error"


@dataclass
class MappedBatch:
    keys: list[str | None]
    src_rows: list[int]
    row_hashes: list[str]
    columns: dict[str, list[Any]]
    raw: list[str | None]
    repairs: list[tuple[int, str, str, str, str, str]] = field(default_factory=list)  # row, field, col, orig, new, kind
    issues: list[Issue] = field(default_factory=list)
    quarantine: dict[int, Issue] = field(default_factory=dict)


def _pylist(column: pa.ChunkedArray | pa.Array) -> list[Any]:
    """A column as a Python list; text columns through NumPy (several times faster than ``to_pylist``; nulls stay
    None — numeric columns keep ``to_pylist``, NumPy would turn their nulls into NaN)."""
    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        return column.to_numpy(zero_copy_only=False).tolist()
    return column.to_pylist()


def row_hash(raw: str | None, item: int | None) -> str:
    blob = (raw or "") + ("" if item is None else f"#{item}")
    return hashlib.blake2b(blob.encode("utf-8", "surrogatepass"), digest_size=12).hexdigest()


class TableMapper:
    """Maps the batches of one source table (stateful: encodings detected once, caches kept)."""

    def __init__(self, source: SourceSpec, table: TableSpec, resolver: AdminResolver,
                 lookups: dict[str, dict[str, dict[str, str]]]) -> None:
        self.source = source
        self.table = table
        self.resolver = resolver
        self.lookups = lookups
        self.repairers: dict[str, ColumnRepairer] = {}
        self.habitual: dict[str, Habitual] = {}  # date fields' 01/01 reading, decided by the first batch that can
        self.wanted = {"_row", "_item", "_error", "_raw", *needed_columns(table)}

    # --- per field ---------------------------------------------------------------------------------------------
    def _encoding(self, spec: ColumnSpec) -> str | None:
        for col in spec.source_columns():
            if col in self.table.column_encodings:
                return canonical_encoding(self.table.column_encodings[col])
        return canonical_encoding(self.table.encoding)

    def _repairer(self, name: str, spec: ColumnSpec) -> ColumnRepairer:
        return self.repairers.setdefault(name, ColumnRepairer(
            origin_label(spec), self._encoding(spec), strict=self.source.strictness == "strict"))

    def _repaired(self, name: str, spec: ColumnSpec, cells: list[str | None], out: MappedBatch) -> list[str | None]:
        if spec.const is not None or spec.from_nonempty is not None:
            return cells
        fixed, changes = self._repairer(name, spec).repair(cells)
        for ch in changes:
            if ch.problem is None:
                out.repairs.append((ch.index, name, origin_label(spec), ch.original, ch.repaired, ch.kind))
            else:
                out.issues.append(Issue(ch.index, name, origin_label(spec), ch.original, "bad_encoding", ch.problem))
        return fixed

    def _parse_kind(self, name: str, spec: ColumnSpec) -> str:
        store = self.table.field_type(name)
        if store in _ADMIN or spec.lookup:
            return store if store in _ADMIN else "admin_code"
        return spec.type or store

    def _admin(self, name: str, spec: ColumnSpec, kind: str, cells: list[str | None], columns: dict[str, list[Any]],
               texts: dict[str, list[str | None]]) -> list[AdminResult]:
        if spec.lookup:
            cells = self._via_lookup(spec.lookup, cells)
        if kind == "admin_address":
            return self.resolver.from_text(cells)
        hints = texts.get("hamlet") or texts.get("address") or texts.get("place")
        sheets = texts.get("map_sheet")
        return self.resolver.from_codes(cells, spec.version, hints, sheets)

    def _via_lookup(self, name: str, cells: list[str | None]) -> list[str | None]:
        table = self.lookups.get(name, {})
        column = self.source.lookups[name].admin_code
        return [(table.get(c.strip(), {}).get(column or "") if c else None) for c in cells]

    def _store_admin(self, name: str, cells: list[str | None], results: list[AdminResult], out: MappedBatch) -> None:
        out.columns[name] = cells
        for suffix, attr in zip(SUFFIXES, ("old_commune_code", "new_province_code", "new_commune_code", "status",
                                           "candidates", "reason")):
            out.columns[name + suffix] = [getattr(r, attr) or None for r in results]
        for i, (cell, r) in enumerate(zip(cells, results)):
            if cell and r.status in ("not_found", "invalid"):
                out.issues.append(Issue(i, name, None, cell, f"unit_{r.status}", r.reason or r.status, "warning"))

    def _typed(self, name: str, spec: ColumnSpec, kind: str, cells: list[str | None], out: MappedBatch,
               context: dict[str, list[Any]]) -> None:
        opts: dict[str, Any] = {"formats": spec.formats, "values": spec.values, "decimal": spec.decimal}
        if kind == "id_number" and context:
            opts["context"] = context
        if kind == "date":
            opts["habitual"] = self.habitual.get(name)
        result = parse_column(kind, cells, **opts)
        if result.habitual is not None:
            self.habitual.setdefault(name, result.habitual)
        out.columns[name] = list(result.values)
        for suffix, values in result.extras.items():
            out.columns[name + suffix] = list(values)
        for i, problem in result.problems:
            out.issues.append(Issue(i, name, origin_label(spec), cells[i], problem.code, problem.message,
                                    problem.severity))

    # --- per batch ---------------------------------------------------------------------------------------------
    def _field_order(self) -> list[str]:
        names = list(self.table.columns)
        return sorted(names, key=lambda n: (n not in _PARSE_FIRST, self._parse_kind(n, self.table.columns[n])
                                            in _ADMIN, names.index(n)))

    def map_batch(self, batch: pa.Table) -> MappedBatch:
        n = batch.num_rows
        wanted = self.wanted
        data = {name: _pylist(batch.column(name)) for name in batch.column_names if name in wanted}
        items = data.get("_item") or [None] * n
        raw = data.get("_raw") or [None] * n
        out = MappedBatch(keys=self._keys(data, n, items), src_rows=list(data["_row"]),
                          row_hashes=[row_hash(r, it) for r, it in zip(raw, items)], columns={}, raw=raw)
        texts: dict[str, list[str | None]] = {}
        decoded: dict[str, list[Any]] = {}  # JSON columns decoded once for all the fields read from them
        for name in self._field_order():
            spec = self.table.columns[name]
            with stage("repair"):
                cells = self._repaired(name, spec, extract(spec, data, n, decoded), out)
            texts[name] = cells
            kind = self._parse_kind(name, spec)
            if kind in _ADMIN:
                with stage("units"):
                    self._store_admin(name, cells, self._admin(name, spec, kind, cells, out.columns, texts), out)
            else:
                ctx = {k: out.columns[k] for k in _PARSE_FIRST if k in out.columns}
                with stage("map"):
                    self._typed(name, spec, kind, cells, out, ctx)
        self._dispose(out, data.get("_error") or [None] * n, data)
        return out

    def see(self, batch: pa.Table) -> list[str | None]:
        """A batch seen but not mapped (delta runs map only its changed rows): each column's repairer sees its cells
        (the encoding is read from the whole batch, as a full run reads it), each date field not yet decided reads
        its 01/01 rule from the whole batch (as the full run's first batch decides it), and the rows' keys are
        returned, made as ``map_batch`` makes them."""
        n = batch.num_rows
        data = {name: _pylist(batch.column(name)) for name in batch.column_names if name in self.wanted}
        decoded: dict[str, list[Any]] = {}
        for name in self._field_order():
            spec = self.table.columns[name]
            plain = spec.const is not None or spec.from_nonempty is not None
            rep = None if plain else self._repairer(name, spec)
            settle = rep is not None and rep.encoding in (None, "ascii")
            date = name not in self.habitual and self._parse_kind(name, spec) == "date"
            if not (settle or date):
                continue
            cells = extract(spec, data, n, decoded)
            if settle and rep is not None:
                rep.settle(cells)
            if date:
                self._decide_habitual(name, spec, cells if rep is None else rep.repair(cells)[0])
        return self._keys(data, n, data.get("_item") or [None] * n)

    def _decide_habitual(self, name: str, spec: ColumnSpec, cells: list[str | None]) -> None:
        """A date field's 01/01 reading from a batch seen but not mapped, as ``map_batch`` would decide it."""
        result = parse_column("date", cells, formats=spec.formats, values=spec.values, decimal=spec.decimal)
        if result.habitual is not None:
            self.habitual[name] = result.habitual

    def date_fields(self) -> list[str]:
        """The fields parsed as dates (those a column reading is kept for)."""
        return [n for n, spec in self.table.columns.items() if self._parse_kind(n, spec) == "date"]

    def keys(self, batch: pa.Table) -> list[str | None]:
        """The rows' keys, made as ``map_batch`` makes them (no repairer sees the batch)."""
        n = batch.num_rows
        data = {name: _pylist(batch.column(name)) for name in batch.column_names if name in self.wanted}
        return self._keys(data, n, data.get("_item") or [None] * n)

    def column_repairers(self) -> dict[str, ColumnRepairer]:
        """Every repaired column's repairer (made now when not yet), by field name: a delta run restores their
        encoding reading from the last load instead of reading every batch again."""
        for name, spec in self.table.columns.items():
            if spec.const is None and spec.from_nonempty is None:
                self._repairer(name, spec)
        return self.repairers

    def _keys(self, data: dict[str, list[Any]], n: int, items: list[int | None]) -> list[str | None]:
        if self.table.explode is not None:
            parents = extract(self.table.columns["parent_key"], data, n)
            return [f"{p.strip()}#{it}" if p and p.strip() and it is not None else None
                    for p, it in zip(parents, items)]
        assert self.table.source_key is not None
        keys = extract(self.table.source_key, data, n)
        return [k.strip() if k and k.strip() else None for k in keys]

    def _dispose(self, out: MappedBatch, errors: list[str | None], data: dict[str, list[Any]]) -> None:
        """Decide which rows go to quarantine, and why (first reason wins; all reasons are kept in issues)."""
        strict = self.source.strictness == "strict"
        for i, err in enumerate(errors):
            if err:
                code, _, message = err.partition(": ")
                column, value = _reader_cell(message, data, out.raw[i], i)
                out.quarantine[i] = Issue(i, None, column, value, code or "unreadable_row", message or err)
            elif out.keys[i] is None:
                out.quarantine[i] = Issue(i, None, None, None, "missing_key",
                                          tr("thiếu khóa của dòng", "the row has no key"))
        for name in REQUIRED.get(self.table.maps_to, ()):
            values = out.columns.get(name)
            if values is None:
                continue
            for i, v in enumerate(values):
                if i not in out.quarantine and (v is None or v == ""):
                    out.quarantine[i] = Issue(i, name, None, None, "missing_required",
                                              tr(f"thiếu trường bắt buộc {name}", f"required field {name} is empty"))
        for issue in out.issues:
            if strict and issue.severity == "error" and issue.row not in out.quarantine:
                out.quarantine[issue.row] = issue


_READER_COLUMN = re.compile(r"column ([^:]+): ")


def _reader_cell(message: str, data: dict[str, list[Any]], raw: str | None, i: int) -> tuple[str | None, Any]:
    """The column and cell a reader's error names when it names one (``column NGAYSINH: …``, as the DBF reader
    words a field it could not read), else no column and the raw record."""
    found = _READER_COLUMN.match(message)
    if found is None:
        return None, raw
    column = found.group(1)
    if column in data:
        return column, data[column][i]
    try:
        cells = json.loads(raw) if raw else None
    except json.JSONDecodeError:
        cells = None
    return column, cells.get(column) if isinstance(cells, dict) else None


def store_fields(entity: str) -> list[str]:
    """Field names of an entity (schema order)."""
    return [f.name for f in FIELDS[entity]]
