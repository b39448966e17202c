"""The inventory workbook: the empty template a planner fills, and the same workbook filled from an inventory.

Sheets: ``HuongDan`` (how to fill it), ``HeThong`` (one row per system), ``SoHoa`` (civil-status digitisation per old
commune), ``DanhMuc`` (the drop-down lists). Saving is deterministic: fixed document properties and zip timestamps, so
the same inventory always gives the same bytes.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from hopnhat.catalog import kinds
from hopnhat.catalog.cells import format_cell
from hopnhat.catalog.columns import (
    COLUMNS,
    DIGITISATION_COLUMNS,
    DIGITISATION_SHEET,
    FIRST_DATA_ROW,
    HEADER_ROW,
    LISTS_SHEET,
    README_SHEET,
    SYSTEMS_SHEET,
    Column,
)
from hopnhat.catalog.model import Digitisation, Inventory
from hopnhat.io.excel import keep_text
from hopnhat.io.outputs import write_bytes

FIXED_STAMP = datetime(2025, 1, 1)
_HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")
_BOLD = Font(bold=True)
_VALIDATED_ROWS = 500
_LISTS = (("kind", "Loại hệ thống"), ("domain", "Lĩnh vực"), ("hosting", "Hình thức triển khai"),
          ("phase", "Giai đoạn"), ("bool", "Có/Không"))


def save_deterministic(wb: Workbook, path: Path) -> Path:
    """Save with fixed properties and zip timestamps (openpyxl stamps 'now' otherwise)."""
    wb.properties.creator = "hopnhat"
    wb.properties.lastModifiedBy = "hopnhat"
    wb.properties.created = FIXED_STAMP
    buffer = io.BytesIO()
    wb.save(buffer)
    path.parent.mkdir(parents=True, exist_ok=True)  # synth writes estates into new folders
    write_bytes(path, _normalise_zip(buffer.getvalue()))  # checked (not a folder, room left) and atomic
    return path


def _normalise_zip(data: bytes) -> bytes:
    stamp = FIXED_STAMP.strftime("%Y-%m-%dT%H:%M:%SZ")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + stamp.encode(), body)
            dst.writestr(zipfile.ZipInfo(info.filename, date_time=(2025, 1, 1, 0, 0, 0)), body,
                         compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _header_block(ws: Worksheet, title: str, unit_code: str, unit_name: str, surveyed: date | None) -> None:
    ws["A1"] = title
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"], ws["C2"] = "Mã tỉnh (cũ):", "Tên tỉnh:"
    ws["B2"], ws["D2"] = unit_code or None, unit_name or None
    ws["A3"], ws["B3"] = "Ngày khảo sát:", surveyed
    for ref in ("A2", "C2", "A3"):
        ws[ref].font = _BOLD
    if surveyed:
        ws["B3"].number_format = "DD/MM/YYYY"


def _column_headers(ws: Worksheet, columns: Sequence[Column]) -> None:
    for i, col in enumerate(columns, start=1):
        cell = ws.cell(row=HEADER_ROW, column=i, value=col.vi + (" *" if col.required else ""))
        cell.font, cell.fill = _BOLD, _HEAD_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.column_dimensions[get_column_letter(i)].width = col.width
    ws.row_dimensions[HEADER_ROW].height = 45
    ws.freeze_panes = ws.cell(row=FIRST_DATA_ROW, column=3)


def _lists_sheet(wb: Workbook) -> dict[str, str]:
    ws = wb.create_sheet(LISTS_SHEET)
    ranges: dict[str, str] = {}
    for i, (vocab, title) in enumerate(_LISTS, start=1):
        values = ["Có", "Không"] if vocab == "bool" else kinds.vi_labels(vocab)
        ws.cell(row=1, column=i, value=title).font = _BOLD
        for r, value in enumerate(values, start=2):
            ws.cell(row=r, column=i, value=value)
        letter = get_column_letter(i)
        ranges[vocab] = f"{LISTS_SHEET}!${letter}$2:${letter}${len(values) + 1}"
        ws.column_dimensions[letter].width = 40
    return ranges


def _validation_for(col: Column, ranges: dict[str, str]) -> DataValidation | None:
    last = FIRST_DATA_ROW + _VALIDATED_ROWS
    if col.type in ranges:
        dv = DataValidation(type="list", formula1=ranges[col.type], allow_blank=not col.required)
        dv.error, dv.errorTitle = "Chọn một giá trị trong danh mục", "Giá trị không hợp lệ"
    elif col.field == "security_level":
        dv = DataValidation(type="whole", operator="between", formula1="1", formula2="5", allow_blank=True)
        dv.error = "Cấp độ từ 1 đến 5 (Nghị định 85/2016/NĐ-CP)"
    elif col.type in ("int", "float"):
        dv = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True)
        dv.error = "Nhập số không âm"
    elif col.type == "date":
        dv = DataValidation(type="date", operator="greaterThan", formula1="1", allow_blank=True)
        dv.error = "Nhập ngày dạng dd/mm/yyyy"
    else:
        return None
    dv.showErrorMessage = True
    dv.prompt = col.help_vi or None
    letter = get_column_letter(COLUMNS.index(col) + 1)
    dv.sqref = f"{letter}{FIRST_DATA_ROW}:{letter}{last}"
    return dv


def _validations(ws: Worksheet, ranges: dict[str, str]) -> None:
    for col in COLUMNS:
        dv = _validation_for(col, ranges)
        if dv is not None:
            ws.add_data_validation(dv)


def _readme(wb: Workbook) -> None:
    ws = wb.active
    ws.title = README_SHEET
    lines = [
        "HƯỚNG DẪN ĐIỀN PHIẾU KHẢO SÁT HỆ THỐNG THÔNG TIN VÀ CƠ SỞ DỮ LIỆU",
        "Mỗi tỉnh (cũ) điền một tệp. Điền mã tỉnh cũ (2 chữ số) và tên tỉnh ở ô B2, D2 của sheet HeThong.",
        "Sheet HeThong: mỗi dòng một hệ thống — 12 hệ thống dùng chung và các CSDL chuyên ngành (ghi rõ lĩnh vực).",
        "Sheet SoHoa: tiến độ số hóa sổ hộ tịch theo từng xã (cũ).",
        "Cột có dấu * là bắt buộc. Chọn giá trị trong danh sách thả xuống khi có. Số tiền ghi bằng VNĐ.",
        "Ngày ghi dạng dd/mm/yyyy. Nhiều giá trị trong một ô cách nhau bởi dấu chấm phẩy (;).",
        "Nhập tệp bằng lệnh: hopnhat catalog import TỆP.xlsx --db catalog.duckdb",
        "",
        "Cột | Ý nghĩa (English) | Bắt buộc | Ghi chú",
    ]
    lines += [f"{c.vi} | {c.en} | {'Có' if c.required else ''} | {c.help_vi}" for c in COLUMNS]
    for r, line in enumerate(lines, start=1):
        ws.cell(row=r, column=1, value=line)
    ws["A1"].font = Font(bold=True, size=14)
    ws.column_dimensions["A"].width = 120


def _write_rows(ws: Worksheet, columns: Sequence[Column], rows: Iterable[dict[str, Any]]) -> None:
    for r, row in enumerate(rows, start=FIRST_DATA_ROW):
        for i, col in enumerate(columns, start=1):
            cell = ws.cell(row=r, column=i, value=format_cell(col, row.get(col.field)))
            keep_text(cell)  # a name typed as '=…' stays text, never a live formula
            if col.type == "date" and cell.value is not None:
                cell.number_format = "DD/MM/YYYY"
            elif col.type in ("int", "money") and cell.value is not None:
                cell.number_format = "#,##0"


def build_workbook(inventory: Inventory | None = None, digitisation: Sequence[Digitisation] = ()) -> Workbook:
    """The template (``inventory=None``) or a filled inventory workbook."""
    wb = Workbook()
    _readme(wb)
    code, name = (inventory.unit_code, inventory.unit_name) if inventory else ("", "")
    surveyed = inventory.surveyed_on if inventory else None
    systems = wb.create_sheet(SYSTEMS_SHEET)
    _header_block(systems, "PHIẾU KHẢO SÁT HỆ THỐNG THÔNG TIN VÀ CSDL", code, name, surveyed)
    _column_headers(systems, COLUMNS)
    digit = wb.create_sheet(DIGITISATION_SHEET)
    _header_block(digit, "TIẾN ĐỘ SỐ HÓA SỔ HỘ TỊCH THEO XÃ", code, name, surveyed)
    _column_headers(digit, DIGITISATION_COLUMNS)
    _validations(systems, _lists_sheet(wb))
    if inventory:
        _write_rows(systems, COLUMNS, (s.model_dump() for s in inventory.systems))
    _write_rows(digit, DIGITISATION_COLUMNS, (d.model_dump() for d in digitisation))
    return wb


def _province_sheets(wb: Workbook, inventory: Inventory, digitisation: Sequence[Digitisation],
                     ranges: dict[str, str]) -> None:
    """One province's ``HeThong-NN`` and ``SoHoa-NN`` sheets, in the template layout (re-importable)."""
    code = inventory.unit_code
    systems = wb.create_sheet(f"{SYSTEMS_SHEET}-{code}")
    _header_block(systems, "PHIẾU KHẢO SÁT HỆ THỐNG THÔNG TIN VÀ CSDL", code, inventory.unit_name,
                  inventory.surveyed_on)
    _column_headers(systems, COLUMNS)
    _validations(systems, ranges)
    _write_rows(systems, COLUMNS, (s.model_dump() for s in inventory.systems))
    digit = wb.create_sheet(f"{DIGITISATION_SHEET}-{code}")
    _header_block(digit, "TIẾN ĐỘ SỐ HÓA SỔ HỘ TỊCH THEO XÃ", code, inventory.unit_name, inventory.surveyed_on)
    _column_headers(digit, DIGITISATION_COLUMNS)
    _write_rows(digit, DIGITISATION_COLUMNS, (d.model_dump() for d in digitisation if d.unit_code == code))


def _summary_sheet(wb: Workbook, inventories: Sequence[Inventory]) -> None:
    """``TongHop``: every province's systems in one table, the province and the qualified key first."""
    ws = wb.create_sheet("TongHop", 1)
    heads = ["Mã tỉnh (cũ)", "Tên tỉnh (cũ)", "Mã hệ thống (tỉnh-mã)"] + [c.vi for c in COLUMNS]
    for i, head in enumerate(heads, start=1):
        cell = ws.cell(row=1, column=i, value=head)
        cell.font, cell.fill = _BOLD, _HEAD_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.column_dimensions[get_column_letter(i)].width = 12 if i <= 3 else COLUMNS[i - 4].width
    r = 2
    for inv in inventories:
        for s in inv.systems:
            values = [inv.unit_code, inv.unit_name, s.key] + [format_cell(c, getattr(s, c.field)) for c in COLUMNS]
            for i, value in enumerate(values, start=1):
                keep_text(ws.cell(row=r, column=i, value=value))
            r += 1
    ws.freeze_panes = "D2"


def write_inventories_workbook(path: Path, inventories: Sequence[Inventory],
                               digitisation: Sequence[Digitisation] = ()) -> Path:
    """Every province's inventory in one workbook: ``TongHop`` (all systems) and, per province, ``HeThong-NN`` and
    ``SoHoa-NN`` in the template layout — ``catalog import`` reads it back."""
    wb = Workbook()
    _readme(wb)
    ranges = _lists_sheet(wb)
    for inv in sorted(inventories, key=lambda i: i.unit_code):
        _province_sheets(wb, inv, digitisation, ranges)
    _summary_sheet(wb, sorted(inventories, key=lambda i: i.unit_code))
    wb.move_sheet(LISTS_SHEET, offset=len(wb.sheetnames) - 1 - wb.sheetnames.index(LISTS_SHEET))
    return save_deterministic(wb, Path(path))


def write_template(path: Path) -> Path:
    return save_deterministic(build_workbook(), Path(path))


def write_inventory_workbook(path: Path, inventory: Inventory, digitisation: Sequence[Digitisation] = ()) -> Path:
    return save_deterministic(build_workbook(inventory, digitisation), Path(path))
