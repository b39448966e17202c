"""Import an inventory from the Excel workbook (template filled by a planner) or from YAML.

Every problem is collected, not just the first: an :class:`InventoryError` lists each faulty cell with its sheet, row,
column (the Vietnamese header) and value, so a planner fixes the whole file in one pass.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import yaml
from openpyxl import load_workbook
from pydantic import BaseModel, ValidationError

from hopnhat.catalog.cells import is_blank, parse_cell, parse_date
from hopnhat.catalog.columns import (
    COLUMNS, DIGITISATION_COLUMNS, DIGITISATION_SHEET, FIRST_DATA_ROW, HEADER_ROW, SYSTEMS_SHEET, Column,
)
from hopnhat.catalog.errors import CellError, InventoryError
from hopnhat.catalog.model import Digitisation, Inventory, System
from hopnhat.errors import HopnhatError
from hopnhat.text.normalize import name_key

Problems = list[HopnhatError]


def read_inventory(path: Path) -> tuple[Inventory, list[Digitisation]]:
    """Read one province's inventory (``.xlsx`` or ``.yaml``/``.yml``)."""
    path = Path(path)
    if not path.exists():
        raise InventoryError("không tìm thấy tệp (file not found)", source=str(path))
    if path.suffix.lower() in (".yaml", ".yml"):
        return _from_yaml(path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _from_excel(path)
    raise InventoryError("chỉ nhận .xlsx hoặc .yaml (expected .xlsx or .yaml)", source=str(path))


# ---------------------------------------------------------------- shared row handling

def _typed_row(raw: dict[str, Any], columns: tuple[Column, ...], where: dict[str, Any], problems: Problems,
               header: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for col in columns:
        if col.field not in raw:
            continue
        try:
            value = parse_cell(col, raw[col.field])
        except (ValueError, TypeError) as exc:
            problems.append(CellError("ô không hợp lệ (invalid cell)", column=header[col.field], value=raw[col.field],
                                      reason=str(exc), **where))
            continue
        if value is None and col.required:
            problems.append(CellError("thiếu giá trị bắt buộc (required value missing)", column=header[col.field],
                                      **where))
        elif value is not None:
            out[col.field] = value
    return out


def _validated(model: type[BaseModel], data: dict[str, Any], where: dict[str, Any], problems: Problems,
               header: dict[str, str]) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            field = str(err["loc"][0]) if err["loc"] else None
            column = header.get(field, field) if field else None
            value = data.get(field) if field else None
            problems.append(CellError("dòng không hợp lệ (invalid row)", column=column, value=value,
                                      reason=err["msg"], **where))
        return None


def _raise_if(problems: Problems, source: Path) -> None:
    if problems:
        raise InventoryError(f"{len(problems)} lỗi trong tệp kiểm kê ({len(problems)} problems in the inventory)",
                             problems=problems, source=str(source))


# ---------------------------------------------------------------- Excel

def _header_map(ws: Any, columns: tuple[Column, ...], sheet: str, problems: Problems) -> dict[str, int]:
    keys = {name_key(c.vi): c.field for c in columns} | {name_key(c.en): c.field for c in columns}
    keys |= {name_key(c.field): c.field for c in columns}
    found: dict[str, int] = {}
    for idx, cell in enumerate(next(ws.iter_rows(min_row=HEADER_ROW, max_row=HEADER_ROW)), start=0):
        text = str(cell.value or "").replace("*", "").strip()
        if text and name_key(text) in keys:
            found[keys[name_key(text)]] = idx
    for col in columns:
        if col.required and col.field not in found:
            problems.append(CellError("thiếu cột bắt buộc (required column missing)", table=sheet, row=HEADER_ROW,
                                      column=col.vi))
    return found


def _sheet_rows(ws: Any, positions: dict[str, int]) -> list[tuple[int, dict[str, Any]]]:
    rows = []
    for r, values in enumerate(ws.iter_rows(min_row=FIRST_DATA_ROW, values_only=True), start=FIRST_DATA_ROW):
        raw = {f: values[i] if i < len(values) else None for f, i in positions.items()}
        if not all(is_blank(v) for v in raw.values()):
            rows.append((r, raw))
    return rows


def _unit_header(ws: Any, sheet: str, problems: Problems) -> tuple[str, str, date | None]:
    code = str(ws["B2"].value or "").strip()
    code = code.zfill(2) if code.isdigit() else code
    if not (len(code) == 2 and code.isdigit()):
        problems.append(CellError("mã tỉnh cũ phải có 2 chữ số (old province code must be 2 digits)", table=sheet,
                                  row=2, column="B", value=ws["B2"].value))
    surveyed = None
    if not is_blank(ws["B3"].value):
        try:
            surveyed = parse_date(ws["B3"].value)
        except ValueError as exc:
            problems.append(CellError("ngày khảo sát không hợp lệ", table=sheet, row=3, column="B",
                                      value=ws["B3"].value, reason=str(exc)))
    return code, str(ws["D2"].value or "").strip(), surveyed


def _parse_sheet(ws: Any, sheet: str, columns: tuple[Column, ...], model: type[BaseModel], extra: dict[str, Any],
                 problems: Problems) -> list[Any]:
    header = {c.field: c.vi for c in columns}
    positions = _header_map(ws, columns, sheet, problems)
    out = []
    for r, raw in _sheet_rows(ws, positions):
        where = {"table": sheet, "row": r}
        data = _typed_row(raw, columns, where, problems, header)
        item = _validated(model, {**extra, **data}, where, problems, header)
        if item is not None:
            out.append(item)
    return out


def _from_excel(path: Path) -> tuple[Inventory, list[Digitisation]]:
    try:
        wb = load_workbook(path, data_only=True, read_only=False)
    except Exception as exc:  # openpyxl raises many types for a broken file
        raise InventoryError("không đọc được tệp Excel (cannot read the workbook)", source=str(path),
                             reason=str(exc)) from exc
    problems: Problems = []
    if SYSTEMS_SHEET not in wb.sheetnames:
        raise InventoryError(f"thiếu sheet {SYSTEMS_SHEET} (sheet missing)", source=str(path), table=SYSTEMS_SHEET)
    ws = wb[SYSTEMS_SHEET]
    code, name, surveyed = _unit_header(ws, SYSTEMS_SHEET, problems)
    systems = _parse_sheet(ws, SYSTEMS_SHEET, COLUMNS, System, {"unit_code": code}, problems)
    digit: list[Digitisation] = []
    if DIGITISATION_SHEET in wb.sheetnames:
        digit = _parse_sheet(wb[DIGITISATION_SHEET], DIGITISATION_SHEET, DIGITISATION_COLUMNS, Digitisation,
                             {"unit_code": code}, problems)
    inventory = _validated(Inventory, {"unit_code": code, "unit_name": name or code, "surveyed_on": surveyed,
                                       "systems": systems}, {"table": SYSTEMS_SHEET}, problems, {})
    _raise_if(problems, path)
    return inventory, digit


# ---------------------------------------------------------------- YAML

def _yaml_items(doc: dict[str, Any], key: str, columns: tuple[Column, ...], model: type[BaseModel],
                extra: dict[str, Any], problems: Problems) -> list[Any]:
    header = {c.field: c.field for c in columns}
    out = []
    for i, raw in enumerate(doc.get(key) or [], start=1):
        where = {"table": key, "row": i}
        if not isinstance(raw, dict):
            problems.append(CellError("mỗi mục phải là một bảng khóa-giá trị (expected a mapping)", **where))
            continue
        unknown = set(raw) - set(header)
        for field in sorted(unknown):
            problems.append(CellError("khóa không biết (unknown key)", column=field, value=raw[field], **where))
        data = _typed_row(raw, columns, where, problems, header)
        item = _validated(model, {**extra, **data}, where, problems, header)
        if item is not None:
            out.append(item)
    return out


def _from_yaml(path: Path) -> tuple[Inventory, list[Digitisation]]:
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise InventoryError("YAML không hợp lệ (invalid YAML)", source=str(path), reason=str(exc)) from exc
    problems: Problems = []
    code = str(doc.get("unit_code", "")).zfill(2)
    systems = _yaml_items(doc, "systems", COLUMNS, System, {"unit_code": code}, problems)
    digit = _yaml_items(doc, "digitisation", DIGITISATION_COLUMNS, Digitisation, {"unit_code": code}, problems)
    inventory = _validated(Inventory, {"unit_code": code, "unit_name": doc.get("unit_name") or code,
                                       "surveyed_on": doc.get("surveyed_on"), "systems": systems},
                           {"table": "inventory"}, problems, {})
    _raise_if(problems, path)
    return inventory, digit
