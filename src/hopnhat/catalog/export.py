"""Excel export of the roadmap and the decisions for the steering committee (Vietnamese headers, deterministic)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from hopnhat.catalog.kinds import label, term
from hopnhat.catalog.state import CatalogState
from hopnhat.catalog.workbook import save_deterministic

_FILL = PatternFill("solid", fgColor="DDEBF7")
ROADMAP_HEADERS = ("Mã nhiệm vụ", "Hệ thống", "Công việc", "Đơn vị chủ trì", "Bắt đầu", "Hạn hoàn thành",
                   "Phụ thuộc", "Kinh phí (VNĐ)", "Gấp (ngày hợp nhất)", "Mốc cố định", "Mã lượt chạy dữ liệu")
DECISION_HEADERS = ("Mã hệ thống", "Tên hệ thống", "Tỉnh (cũ)", "Nhóm", "Quyết định", "Khuyến nghị", "Điểm",
                    "Chi phí trong kỳ (VNĐ)", "Cấp độ ATTT cần", "Lý do", "Điều chỉnh của người lập kế hoạch")


def _sheet(wb: Workbook, title: str, headers: Sequence[str], rows: Sequence[Sequence[Any]],
           widths: Sequence[int]) -> Worksheet:
    ws = wb.create_sheet(title)
    ws.append(list(headers))
    for cell in ws[1]:
        cell.font, cell.fill = Font(bold=True), _FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in rows:
        ws.append(list(row))
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.freeze_panes = "B2"
    return ws


def _roadmap_rows(state: CatalogState) -> list[list[Any]]:
    systems = state.systems
    return [[t.id, systems[t.system_id].name if t.system_id in systems else "", t.title_vi, t.owner, t.start, t.due,
             ", ".join(t.depends_on), t.budget, "Có" if t.urgent else "", "Có" if t.fixed else "",
             ", ".join(t.run_ids)] for t in state.tasks]


def _decision_rows(state: CatalogState) -> list[list[Any]]:
    systems = state.systems
    rows = []
    for d in state.decisions:
        s = systems[d.system_id]
        group = label("domain", s.domain) if s.domain else label("kind", s.kind)
        rows.append([s.id, s.name, s.unit_code, group, term("action", d.action).vi, term("action", d.recommended).vi,
                     d.total, d.horizon_cost, d.required_level, "\n".join(d.reasons_vi), d.override_note or ""])
    return rows


def write_roadmap_workbook(state: CatalogState, path: Path) -> Path:
    """Sheets ``LoTrinh`` (tasks), ``QuyetDinh`` (decisions with reasons) and ``KinhPhi`` (budget per owner)."""
    wb = Workbook()
    wb.remove(wb.active)
    road = _sheet(wb, "LoTrinh", ROADMAP_HEADERS, _roadmap_rows(state), (24, 36, 60, 26, 12, 12, 30, 16, 10, 10, 20))
    for row in road.iter_rows(min_row=2):
        row[4].number_format = row[5].number_format = "DD/MM/YYYY"
        row[7].number_format = "#,##0"
    _sheet(wb, "QuyetDinh", DECISION_HEADERS, _decision_rows(state), (22, 40, 8, 28, 28, 28, 8, 16, 8, 90, 40))
    owners: dict[str, int] = {}
    for t in state.tasks:
        owners[t.owner] = owners.get(t.owner, 0) + t.budget
    _sheet(wb, "KinhPhi", ("Đơn vị chủ trì", "Kinh phí (VNĐ)"), sorted(owners.items()) +
           [("Tổng cộng", sum(owners.values()))], (40, 20))
    return save_deterministic(wb, Path(path))
