"""Import an inventory from the Excel workbook (template filled by a planner) or from YAML.

Every problem is collected, not just the first: an :class:`InventoryError` lists each faulty cell with its sheet, row,
column (the Vietnamese header) and value, so a planner fixes the whole file in one pass. Each system remembers where
it was read (:class:`~hopnhat.catalog.model.Origin`: file, sheet, row, column of every field) so a score can point
back at the cell it came from. Text is NFC-composed at this edge.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from pydantic import BaseModel, ValidationError

from hopnhat.catalog.cells import is_blank, parse_cell, parse_date, text
from hopnhat.catalog.columns import (
    COLUMNS,
    DIGITISATION_COLUMNS,
    DIGITISATION_SHEET,
    FIRST_DATA_ROW,
    HEADER_ROW,
    SYSTEMS_SHEET,
    Column,
)
from hopnhat.catalog.errors import CellError, InventoryError
from hopnhat.catalog.model import Digitisation, Inventory, Origin, System
from hopnhat.catalog.yamltext import load_text
from hopnhat.errors import HopnhatError
from hopnhat.i18n import tr
from hopnhat.io.xls import XLS, read_xls, to_workbook
from hopnhat.text.normalize import name_key

Problems = list[HopnhatError]
Loaded = tuple[Inventory, list[Digitisation]]
_YAML_KEYS = ("unit_code", "unit_name", "surveyed_on", "systems", "digitisation")
_MAX_BYTES = 50_000_000


def read_inventory(path: Path) -> Loaded:
    """Read one province's inventory (``.xlsx``, Excel 97–2003 ``.xls`` or ``.yaml``/``.yml``)."""
    found = read_inventories(path)
    if len(found) != 1:
        raise InventoryError(tr("tệp chứa kiểm kê của nhiều tỉnh", "the file holds several provinces' inventories"),
                             source=str(path), value=[inv.unit_code for inv, _ in found])
    return found[0]


def read_inventories(path: Path) -> list[Loaded]:
    """Every province's inventory in a file: one for a template workbook or YAML file, one per ``HeThong-NN`` sheet
    for the combined workbook ``catalog export-inventory`` writes."""
    path = Path(path)
    if not path.is_file():
        reason = tr("là một thư mục", "is a folder") if path.is_dir() else None
        raise InventoryError(tr("không tìm thấy tệp kiểm kê", "inventory file not found"), source=str(path),
                             reason=reason)
    if path.stat().st_size > _MAX_BYTES:
        raise InventoryError(tr("tệp kiểm kê quá lớn (quá 50 MB)", "inventory file too large (over 50 MB)"),
                             source=str(path))
    if path.suffix.lower() in (".yaml", ".yml"):
        return [_from_yaml(path)]
    if path.suffix.lower() in (".xlsx", ".xlsm", XLS):
        return _from_excel(path)
    raise InventoryError(tr("chỉ nhận tệp .xlsx, .xls hoặc .yaml", "expected an .xlsx, .xls or .yaml file"),
                         source=str(path))


# ---------------------------------------------------------------- shared row handling

def _typed_row(raw: dict[str, Any], columns: tuple[Column, ...], where: dict[str, Any], problems: Problems,
               header: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for col in columns:
        if col.field not in raw:
            continue
        try:
            value = parse_cell(col, raw[col.field])
        except (ValueError, TypeError, OverflowError) as exc:
            problems.append(CellError(tr("ô không hợp lệ", "invalid cell"), column=header[col.field],
                                      value=raw[col.field], reason=str(exc), **where))
            continue
        if value is None and col.required:
            problems.append(CellError(tr("thiếu giá trị bắt buộc", "required value missing"), column=header[col.field],
                                      **where))
        elif value is not None:
            out[col.field] = value
    return out


def _validated(model: type[BaseModel], data: dict[str, Any], where: dict[str, Any], problems: Problems,
               header: dict[str, str]) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        already = {(p.table, p.row, p.column) for p in problems}
        for err in exc.errors():
            field = str(err["loc"][0]) if err["loc"] else None
            column = header.get(field, field) if field else None
            if err["type"] == "missing" and (where.get("table"), where.get("row"), column) in already:
                continue  # the cell's own error is already listed
            value = data.get(field) if field else None
            reason = str(err["msg"]).removeprefix("Value error, ")
            problems.append(CellError(tr("dòng không hợp lệ", "invalid row"), column=column, value=value,
                                      reason=reason, **where))
        return None


def _raise_if(problems: Problems, source: Path) -> None:
    if problems:
        raise InventoryError(tr(f"{len(problems)} lỗi trong tệp kiểm kê", f"{len(problems)} problems in the inventory"),
                             problems=problems, source=str(source))


def _check_not_empty(inventory: Inventory | None, source: Path, table: str, problems: Problems) -> None:
    if inventory is not None and not inventory.systems and not problems:
        problems.append(CellError(tr("kiểm kê không có hệ thống nào: tệp trống hoặc chưa điền dòng nào",
                                     "the inventory lists no system: the file is empty or no row is filled"),
                                  source=str(source), table=table))


# ---------------------------------------------------------------- Excel

def _header_map(ws: Any, columns: tuple[Column, ...], sheet: str, problems: Problems) -> dict[str, int]:
    keys = {name_key(c.vi): c.field for c in columns} | {name_key(c.en): c.field for c in columns}
    keys |= {name_key(c.field): c.field for c in columns}
    found: dict[str, int] = {}
    header = next(ws.iter_rows(min_row=HEADER_ROW, max_row=HEADER_ROW), ())
    for idx, cell in enumerate(header, start=0):
        label = text(cell.value or "").replace("*", "").strip()
        if label and name_key(label) in keys:
            found[keys[name_key(label)]] = idx
    for col in columns:
        if col.required and col.field not in found:
            problems.append(CellError(tr("thiếu cột bắt buộc", "required column missing"), table=sheet,
                                      row=HEADER_ROW, column=col.vi))
    return found


def _sheet_rows(ws: Any, positions: dict[str, int]) -> list[tuple[int, dict[str, Any]]]:
    rows = []
    for r, values in enumerate(ws.iter_rows(min_row=FIRST_DATA_ROW, values_only=True), start=FIRST_DATA_ROW):
        raw = {f: values[i] if i < len(values) else None for f, i in positions.items()}
        if not all(is_blank(v) for v in raw.values()):
            rows.append((r, raw))
    return rows


def _unit_header(ws: Any, sheet: str, problems: Problems) -> tuple[str, str, date | None]:
    code = text(ws["B2"].value or "")
    code = code.zfill(2) if code.isdigit() else code
    if not (len(code) == 2 and code.isdigit()):
        problems.append(CellError(tr("mã tỉnh cũ phải có 2 chữ số", "old province code must be 2 digits"),
                                  table=sheet, row=2, column="B", value=ws["B2"].value))
    surveyed = None
    if not is_blank(ws["B3"].value):
        try:
            surveyed = parse_date(ws["B3"].value)
        except ValueError as exc:
            problems.append(CellError(tr("ngày khảo sát không hợp lệ", "invalid survey date"), table=sheet, row=3,
                                      column="B", value=ws["B3"].value, reason=str(exc)))
    return code, text(ws["D2"].value or ""), surveyed


def _parse_sheet(ws: Any, sheet: str, columns: tuple[Column, ...], model: type[BaseModel], extra: dict[str, Any],
                 problems: Problems, file: str) -> list[Any]:
    header = {c.field: c.vi for c in columns}
    positions = _header_map(ws, columns, sheet, problems)
    letters = {f: get_column_letter(i + 1) for f, i in positions.items()}
    out = []
    for r, raw in _sheet_rows(ws, positions):
        where = {"table": sheet, "row": r}
        data = _typed_row(raw, columns, where, problems, header)
        if model is System:
            data["origin"] = Origin(file=file, sheet=sheet, row=r, columns=letters)
        item = _validated(model, {**extra, **data}, where, problems, header)
        if item is not None:
            out.append(item)
    return out


def _province_sheets(names: list[str]) -> list[tuple[str, str | None]]:
    """(systems sheet, digitisation sheet) per province: the template's pair, or ``HeThong-NN``/``SoHoa-NN``."""
    if SYSTEMS_SHEET in names:
        return [(SYSTEMS_SHEET, DIGITISATION_SHEET if DIGITISATION_SHEET in names else None)]
    out = []
    for name in names:
        match = re.fullmatch(rf"{SYSTEMS_SHEET}-(\d\d)", name)
        if match:
            digit = f"{DIGITISATION_SHEET}-{match.group(1)}"
            out.append((name, digit if digit in names else None))
    return out


def _excel_province(wb: Any, sheet: str, digit_sheet: str | None, path: Path) -> Loaded:
    problems: Problems = []
    ws = wb[sheet]
    code, name, surveyed = _unit_header(ws, sheet, problems)
    systems = _parse_sheet(ws, sheet, COLUMNS, System, {"unit_code": code}, problems, path.name)
    digit: list[Digitisation] = []
    if digit_sheet:
        digit = _parse_sheet(wb[digit_sheet], digit_sheet, DIGITISATION_COLUMNS, Digitisation, {"unit_code": code},
                             problems, path.name)
    inventory = _validated(Inventory, {"unit_code": code, "unit_name": name or code, "surveyed_on": surveyed,
                                       "systems": systems}, {"table": sheet}, problems, {})
    _check_not_empty(inventory, path, sheet, problems)
    _raise_if(problems, path)
    return inventory, digit


def _workbook(path: Path) -> Any:
    """The workbook at ``path``: an ``.xlsx`` as openpyxl reads it; an Excel 97–2003 ``.xls`` (the template saved in
    the old format) read by xlrd into the same kind of workbook (:func:`hopnhat.io.xls.to_workbook`: values, number
    formats, merges), so one parser reads both. A damaged file is refused naming it."""
    if path.suffix.lower() == XLS:
        return to_workbook(read_xls(path))  # read_xls refuses a damaged file with the project's InputError
    try:
        return load_workbook(path, data_only=True, read_only=False)
    except Exception as exc:  # openpyxl raises many types for a broken file
        raise InventoryError(tr("không đọc được tệp Excel: tệp hỏng hoặc không phải .xlsx",
                                "cannot read the workbook: damaged or not an .xlsx file"), source=str(path),
                             reason=type(exc).__name__) from exc


def _from_excel(path: Path) -> list[Loaded]:
    wb = _workbook(path)
    sheets = _province_sheets(wb.sheetnames)
    if not sheets:
        raise InventoryError(tr(f"thiếu sheet {SYSTEMS_SHEET}", f"sheet {SYSTEMS_SHEET} missing"), source=str(path),
                             table=SYSTEMS_SHEET, value=wb.sheetnames)
    return [_excel_province(wb, sheet, digit, path) for sheet, digit in sheets]


# ---------------------------------------------------------------- YAML

def _yaml_items(doc: dict[str, Any], key: str, columns: tuple[Column, ...], model: type[BaseModel],
                extra: dict[str, Any], problems: Problems, file: str) -> list[Any]:
    header = {c.field: c.field for c in columns}
    items = doc.get(key) or []
    if not isinstance(items, list):
        problems.append(CellError(tr(f"'{key}' phải là một danh sách", f"'{key}' must be a list"), table=key,
                                  value=items))
        return []
    out = []
    for i, raw in enumerate(items, start=1):
        where: dict[str, Any] = {"table": key, "row": i}
        if not isinstance(raw, dict):
            problems.append(CellError(tr("mỗi mục phải là một bảng khóa: giá trị", "each item must be a mapping"),
                                      value=raw, **where))
            continue
        for field in sorted(set(map(str, raw)) - set(header)):
            problems.append(CellError(tr("khóa không biết", "unknown key"), column=field, value=raw.get(field),
                                      **where))
        data = _typed_row(raw, columns, where, problems, header)
        if model is System:
            data["origin"] = Origin(file=file, sheet=key, row=i, columns={c: c for c in raw if c in header})
        item = _validated(model, {**extra, **data}, where, problems, header)
        if item is not None:
            out.append(item)
    return out


def _yaml_doc(path: Path) -> dict[str, Any]:
    try:
        raw = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InventoryError(tr("tệp YAML không phải UTF-8: lưu lại với bảng mã UTF-8",
                                "the YAML file is not UTF-8: save it again as UTF-8"), source=str(path),
                             reason=tr(f"byte lạ ở vị trí {exc.start}", f"bad byte at offset {exc.start}")) from exc
    try:
        doc = load_text(raw)
    except (yaml.YAMLError, RecursionError) as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InventoryError(tr("YAML không hợp lệ", "invalid YAML"), source=str(path),
                             row=mark.line + 1 if mark else None,
                             reason=str(getattr(exc, "problem", None) or type(exc).__name__)) from exc
    if doc is None:
        raise InventoryError(tr("tệp kiểm kê trống: không có hệ thống nào", "the inventory file is empty"),
                             source=str(path))
    if not isinstance(doc, dict):
        raise InventoryError(tr("tệp kiểm kê phải là một bảng khóa: giá trị (unit_code, unit_name, systems…), "
                                "không phải một danh sách hay một giá trị đơn",
                                "the inventory must be a mapping (unit_code, unit_name, systems…), not a list or a "
                                "single value"), source=str(path), value=type(doc).__name__)
    return doc


def _yaml_header(doc: dict[str, Any], problems: Problems) -> tuple[str, str, date | None]:
    for key in sorted(set(map(str, doc)) - set(_YAML_KEYS)):
        problems.append(CellError(tr("khóa không biết", "unknown key"), table="inventory", column=key,
                                  value=doc.get(key), reason=tr("các khóa: ", "keys: ") + ", ".join(_YAML_KEYS)))
    code = text(doc.get("unit_code", ""))
    code = code.zfill(2) if code.isdigit() else code
    surveyed = None
    if not is_blank(doc.get("surveyed_on")):
        try:
            surveyed = parse_date(doc["surveyed_on"])
        except ValueError as exc:
            problems.append(CellError(tr("ngày khảo sát không hợp lệ", "invalid survey date"), table="inventory",
                                      column="surveyed_on", value=doc["surveyed_on"], reason=str(exc)))
    return code, text(doc.get("unit_name") or code), surveyed


def _from_yaml(path: Path) -> Loaded:
    doc = _yaml_doc(path)
    problems: Problems = []
    code, name, surveyed = _yaml_header(doc, problems)
    systems = _yaml_items(doc, "systems", COLUMNS, System, {"unit_code": code}, problems, path.name)
    digit = _yaml_items(doc, "digitisation", DIGITISATION_COLUMNS, Digitisation, {"unit_code": code}, problems,
                        path.name)
    header = {"unit_code": "unit_code", "systems": "systems"}
    inventory = _validated(Inventory, {"unit_code": code, "unit_name": name, "surveyed_on": surveyed,
                                       "systems": systems}, {"table": "inventory"}, problems, header)
    _check_not_empty(inventory, path, "systems", problems)
    _raise_if(problems, path)
    return inventory, digit
