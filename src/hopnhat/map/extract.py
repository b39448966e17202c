"""Where a field's raw text comes from: a column, a JSON path, the first non-empty of several columns, which of several
columns is filled, or a constant — the safe, documented set of expressions a merger file may use (no eval)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from hopnhat.project.config import ColumnSpec

Columns = dict[str, Sequence[str | None]]


def _blank(value: str | None) -> bool:
    return value is None or not str(value).strip()


def _walk(doc: Any, path: list[str]) -> str | None:
    for part in path:
        if isinstance(doc, dict):
            doc = doc.get(part)
        elif isinstance(doc, list) and part.isdigit() and int(part) < len(doc):
            doc = doc[int(part)]
        else:
            return None
    if doc is None:
        return None
    if isinstance(doc, (dict, list)):
        return json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
    return str(doc)


def _load(cell: str | None) -> Any:
    try:
        return json.loads(cell) if cell else None
    except ValueError:
        return None


def _json_cells(cells: Sequence[str | None], path: list[str], docs: list[Any] | None = None) -> list[str | None]:
    """``docs``: the cells already decoded (several fields read from one JSON column decode it once)."""
    if not path:
        return list(cells)
    return [_walk(doc, path) for doc in (docs if docs is not None else map(_load, cells))]


def _column(columns: Mapping[str, Sequence[str | None]], name: str, rows: int) -> Sequence[str | None]:
    return columns.get(name) or [None] * rows


def extract(spec: ColumnSpec, columns: Mapping[str, Sequence[str | None]], rows: int,
            decoded: dict[str, list[Any]] | None = None) -> list[str | None]:
    """The raw text of one field for every row of a batch (missing source columns read as empty). ``decoded``: a
    per-batch memo of JSON columns already decoded, filled as fields ask for them."""
    if spec.column is not None:
        return list(_column(columns, spec.column, rows))
    if spec.json_path is not None:
        top, *path = spec.json_path.split(".")
        cells = _column(columns, top, rows)
        if decoded is None or not path:
            return _json_cells(cells, path)
        if top not in decoded:
            decoded[top] = list(map(_load, cells))
        return _json_cells(cells, path, decoded[top])
    if spec.coalesce is not None:
        cols = [_column(columns, c, rows) for c in spec.coalesce]
        return [next((col[i] for col in cols if not _blank(col[i])), None) for i in range(rows)]
    if spec.from_nonempty is not None:
        pairs = [(_column(columns, c, rows), v) for c, v in spec.from_nonempty.items()]
        return [next((v for col, v in pairs if not _blank(col[i])), None) for i in range(rows)]
    return [None if spec.const is None else str(spec.const)] * rows


def origin_label(spec: ColumnSpec) -> str:
    """How the field's origin is named in errors and lineage: ``NgaySinh``, ``ChuHoSo.HoTen``, ``A|B``."""
    if spec.json_path is not None:
        return spec.json_path
    cols = spec.source_columns()
    return "|".join(cols) if cols else f"const:{spec.const}"
