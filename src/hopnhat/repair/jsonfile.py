"""JSON and NDJSON files: every string leaf is a cell; its column is its key path (``address.street``, ``tags[]``).

Refused with the line or record and key path, before anything is written: a syntax error, nesting deeper than
:data:`MAX_DEPTH`, a number JSON output could not hold (``1e999999`` is infinite; ``NaN``/``Infinity`` are not JSON;
an integer of more than 4,300 digits), a lone surrogate escape (``"\\ud800"``: no UTF-8 text can hold it). The output
is checked once more: it never holds ``Infinity`` or ``NaN``.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hopnhat.errors import InputError
from hopnhat.i18n import tr
from hopnhat.io.writers import json_bytes
from hopnhat.repair.columns import ColumnReport, repair_column
from hopnhat.repair.delimited import BOM
from hopnhat.text.legacy import cp1252_view

MAX_DEPTH = 200  # levels of nesting: deeper is no table of records (and would exhaust the stack)


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


_SYNTAX = {"Expecting value": "thiếu giá trị", "Unterminated string starting at": "chuỗi chưa đóng ngoặc kép",
           "Expecting ',' delimiter": "thiếu dấu phẩy", "Expecting ':' delimiter": "thiếu dấu hai chấm",
           "Extra data": "có dữ liệu thừa sau giá trị", "Invalid control character at": "có ký tự điều khiển",
           "Expecting property name enclosed in double quotes": "tên khóa phải trong ngoặc kép",
           "Invalid \\escape": "chuỗi thoát \\ không hợp lệ"}


def _syntax(msg: str) -> str:
    """Python's JSON syntax message in Vietnamese (the English one is shown with --lang en)."""
    return _SYNTAX.get(msg, msg)


def _bad(path: Path, exc: json.JSONDecodeError, line: int | None = None) -> InputError:
    return InputError(tr("Tệp JSON sai cú pháp", "Invalid JSON file"), source=str(path), row=line or exc.lineno,
                      reason=tr(f"cột {exc.colno}: {_syntax(exc.msg)}", f"column {exc.colno}: {exc.msg}"),
                      hint=tr("sửa cú pháp ở dòng được chỉ ra hoặc xuất lại tệp",
                              "fix the syntax on the line named or export the file again"))


class _Refused(ValueError):
    """A value JSON output could not hold (the reason is the message)."""


def _float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise _Refused(tr(f"số {text[:40]} lớn hơn mọi số máy tính lưu được (vô hạn)",
                          f"the number {text[:40]} is larger than any number a computer stores (infinite)"))
    return value


def _constant(text: str) -> float:
    raise _Refused(tr(f"{text} không phải giá trị JSON", f"{text} is not a JSON value"))


def _loads(path: Path, text: str, line: int | None = None) -> Any:
    """One JSON document, refused (InputError naming the line) when it is not JSON or cannot be written back."""
    try:
        value = json.loads(text, parse_float=_float, parse_constant=_constant)
    except json.JSONDecodeError as exc:
        raise _bad(path, exc, line) from exc
    except RecursionError as exc:
        raise _refused(path, line, tr("lồng nhau quá sâu", "nested too deeply")) from exc
    except ValueError as exc:  # _Refused, or an integer of more digits than Python converts
        reason = str(exc) if isinstance(exc, _Refused) else tr("số nguyên quá dài", "an integer far too long")
        raise _refused(path, line, reason) from exc
    _check_tree(path, value, line)
    return value


def _refused(path: Path, line: int | None, reason: str, key: str | None = None) -> InputError:
    return InputError(tr("Tệp JSON có giá trị không ghi lại được", "The JSON file holds a value that cannot be kept"),
                      source=str(path), row=line, key=key, reason=reason,
                      hint=tr("sửa giá trị được chỉ ra ở nguồn rồi xuất lại tệp",
                              "fix the value named at the source and export the file again"))


def _check_tree(path: Path, root: Any, line: int | None) -> None:
    """Depth at most MAX_DEPTH; no lone surrogate in a key or string (walked without recursion)."""
    stack: list[tuple[Any, str, int]] = [(root, "", 1)]
    while stack:
        node, where, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise _refused(path, line, tr(f"lồng nhau sâu hơn {MAX_DEPTH} mức",
                                          f"nested deeper than {MAX_DEPTH} levels"),
                           where or None)
        if isinstance(node, str):
            _utf8(path, node, line, where)
        elif isinstance(node, dict):
            for key, child in node.items():
                _utf8(path, key, line, where)
                stack.append((child, f"{where}.{key}" if where else key, depth + 1))
        elif isinstance(node, list):
            stack.extend((child, f"{where}[]", depth + 1) for child in node)


def _utf8(path: Path, text: str, line: int | None, where: str) -> None:
    if text.isascii():
        return
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise _refused(path, line, tr("chuỗi có ký tự thay thế lẻ (\\ud800…), không phải văn bản Unicode",
                                      "a string holds a lone surrogate (\\ud800…), which is not Unicode text"),
                       where or None) from exc


def _ndjson(path: Path, text: str) -> JsonDoc:
    records, rows = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            records.append(_loads(path, line, number))
            rows.append(number)
    return JsonDoc(records, rows, True, None, text.endswith("\n"))


def parse(path: Path, data: bytes) -> JsonDoc:
    """Parse by extension (.ndjson/.jsonl) or content (several documents one a line)."""
    text = _text(data)
    if path.suffix.lower() in (".ndjson", ".jsonl"):
        return _ndjson(path, text)
    try:
        root = _loads(path, text)
    except InputError as exc:
        if isinstance(exc.__cause__, json.JSONDecodeError) and exc.__cause__.msg == "Extra data":
            return _ndjson(path, text)
        raise
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
        data = b"\n".join(json_bytes(r, where=f"row {row}") for r, row in zip(doc.records, doc.rows, strict=True))
    else:
        data = json_bytes(doc.records if doc.is_list else doc.records[0], doc.indent)
    return data + (b"\n" if doc.final_newline else b"")
