"""JSON and NDJSON files: every string leaf is a cell; its column is its key path (``address.street``, ``tags[]``)."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hopnhat.errors import InputError
from hopnhat.i18n import tr
from hopnhat.repair.columns import ColumnReport, repair_column
from hopnhat.repair.delimited import BOM
from hopnhat.text.legacy import cp1252_view


@dataclass
class JsonDoc:
    """A parsed JSON (one document) or NDJSON (one record a line) file."""

    records: list[Any]
    rows: list[int]
    ndjson: bool
    indent: int | None
    final_newline: bool
    is_list: bool = True


def _text(data: bytes) -> str:
    data = data[len(BOM) :] if data.startswith(BOM) else data
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return cp1252_view(data)  # a broken export wrote legacy bytes raw; cells are repaired below


def _bad(path: Path, exc: json.JSONDecodeError, line: int | None = None) -> InputError:
    return InputError(tr("Tệp JSON sai cú pháp", "Invalid JSON file"), source=str(path), row=line or exc.lineno,
                      reason=exc.msg)


def _ndjson(path: Path, text: str) -> JsonDoc:
    records, rows = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise _bad(path, exc, number) from exc
            rows.append(number)
    return JsonDoc(records, rows, True, None, text.endswith("\n"))


def parse(path: Path, data: bytes) -> JsonDoc:
    """Parse by extension (.ndjson/.jsonl) or content (several documents one a line)."""
    text = _text(data)
    if path.suffix.lower() in (".ndjson", ".jsonl"):
        return _ndjson(path, text)
    try:
        root = json.loads(text)
    except json.JSONDecodeError as exc:
        if exc.msg == "Extra data":
            return _ndjson(path, text)
        raise _bad(path, exc) from exc
    records = root if isinstance(root, list) else [root]
    indent = 2 if "\n" in text.strip() else None
    rows = list(range(1, len(records) + 1))
    return JsonDoc(records, rows, False, indent, text.endswith("\n"), isinstance(root, list))


Ref = tuple[Any, Any, int]  # container, key, row


def _walk(node: Any, path: str, row: int, refs: dict[str, list[Ref]]) -> None:
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, child in items:
        child_path = f"{path}[]" if isinstance(node, list) else (f"{path}.{key}" if path else str(key))
        if isinstance(child, str):
            refs[child_path].append((node, key, row))
        else:
            _walk(child, child_path, row, refs)


def repair_doc(doc: JsonDoc) -> list[ColumnReport]:
    """Repair every string leaf in place, one column per key path."""
    refs: dict[str, list[Ref]] = defaultdict(list)
    for index, (record, row) in enumerate(zip(doc.records, doc.rows, strict=True)):
        if isinstance(record, str):
            refs[""].append((doc.records, index, row))
        else:
            _walk(record, "", row, refs)
    reports = []
    for column, places in refs.items():
        cells, report = repair_column(column or "(value)", [c[k] for c, k, _ in places], [r for *_, r in places])
        for (container, key, _), cell in zip(places, cells, strict=True):
            container[key] = cell
        reports.append(report)
    return reports


def dump(doc: JsonDoc) -> bytes:
    """UTF-8 JSON text (non-ASCII kept as characters)."""
    if doc.ndjson:
        text = "\n".join(json.dumps(r, ensure_ascii=False) for r in doc.records)
    else:
        root = doc.records if doc.is_list else doc.records[0]
        text = json.dumps(root, ensure_ascii=False, indent=doc.indent)
    return (text + ("\n" if doc.final_newline else "")).encode("utf-8")
