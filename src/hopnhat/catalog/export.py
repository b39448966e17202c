"""Excel exports for the steering committee (Vietnamese headers, deterministic, formula-safe): the roadmap with the
decisions and the per-criterion explanation, and the inventory of every province back to Excel."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from hopnhat.catalog.columns import BY_FIELD
from hopnhat.catalog.criteria import CRITERION_LABELS
from hopnhat.catalog.kinds import label, term
from hopnhat.catalog.model import Evidence
from hopnhat.catalog.roadmap import ordered
from hopnhat.catalog.state import CatalogState
from hopnhat.catalog.workbook import save_deterministic
from hopnhat.io.excel import keep_text

_FILL = PatternFill("solid", fgColor="DDEBF7")
_URGENT_FILL = PatternFill("solid", fgColor="FCE4D6")
ROADMAP_HEADERS = ("Gấp (ngày hợp nhất)", "Mã nhiệm vụ", "Hệ thống", "Tỉnh (cũ)", "Công việc", "Đơn vị chủ trì",
                   "Bắt đầu", "Hạn hoàn thành", "Phụ thuộc", "Kinh phí (VNĐ)", "Mốc cố định", "Mã lượt chạy dữ liệu")
DECISION_HEADERS = ("Mã hệ thống (tỉnh-mã)", "Mã trong tỉnh", "Tên hệ thống", "Tỉnh (cũ)", "Đơn vị chủ quản", "Nhóm",
                    "Quyết định", "Khuyến nghị", "Điểm", "Chi phí trong kỳ (VNĐ)", "Cấp độ ATTT cần", "Lý do",
                    "Điều chỉnh của người lập kế hoạch", "Chạy song song")
EXPLAIN_HEADERS = ("Nhóm (vai trò)", "Tiêu chí", "Trọng số", "Mã hệ thống", "Tên hệ thống", "Điểm",
                   "Điểm có trọng số", "Lý do", "Tệp kiểm kê", "Sheet", "Dòng", "Cột", "Trường", "Giá trị trong ô")


def _sheet(wb: Workbook, title: str, headers: Sequence[str], rows: Sequence[Sequence[Any]],
           widths: Sequence[int]) -> Worksheet:
    ws = wb.create_sheet(title)
    ws.append(list(headers))
    for cell in ws[1]:
        cell.font, cell.fill = Font(bold=True), _FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in rows:
        ws.append(list(row))
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            keep_text(cell)  # an inventory text starting with '=' stays text
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.freeze_panes = "C2"
    return ws


def _roadmap_rows(state: CatalogState) -> list[list[Any]]:
    systems = state.systems
    return [["Gấp" if t.urgent else "", t.id, systems[t.system_id].name if t.system_id in systems else "",
             t.unit_code or "", t.title_vi, t.owner, t.start, t.due, ", ".join(t.depends_on), t.budget,
             "Có" if t.fixed else "", ", ".join(t.run_ids)] for t in ordered(state.tasks)]


def _decision_rows(state: CatalogState) -> list[list[Any]]:
    systems = state.systems
    rows = []
    for d in state.decisions:
        s = systems[d.system_id]
        group = label("domain", s.domain) if s.domain else label("kind", s.kind)
        rows.append([s.key, s.id, s.name, s.unit_code, s.owner, group, term("action", d.action).vi,
                     term("action", d.recommended).vi, d.total, d.horizon_cost, d.required_level,
                     "\n".join(d.reasons_vi), d.override_note or "", "Có" if d.run_both else ""])
    return rows


def _explain_rows(state: CatalogState) -> list[list[Any]]:
    """One row per role, criterion, system and inventory cell the score was computed from."""
    systems = state.systems
    rows = []
    for d in state.decisions:
        s = systems[d.system_id]
        group = label("domain", s.domain) if s.domain else label("kind", s.kind)
        for c in d.criteria:
            head = [group, CRITERION_LABELS[c.name][0], c.weight, s.key, s.name, c.score, round(c.weight * c.score, 4),
                    c.reason_vi]
            own: list[Evidence | None] = [e for e in c.evidence if e.system == s.key] or [None]
            for e in own:
                header = BY_FIELD[e.field].vi if e and e.field in BY_FIELD else (e.field if e else "")
                rows.append(head + ([e.file, e.sheet, e.row, e.column, header, e.value] if e else ["", "", "", "", "",
                                                                                                  ""]))
    return rows


def write_roadmap_workbook(state: CatalogState, path: Path) -> Path:
    """Sheets ``LoTrinh`` (tasks, urgent first), ``QuyetDinh`` (decisions with reasons), ``GiaiTrinh`` (each
    criterion, weight, score and the inventory cell it came from) and ``KinhPhi`` (budget per owner)."""
    wb = Workbook()
    wb.remove(wb.active)
    road = _sheet(wb, "LoTrinh", ROADMAP_HEADERS, _roadmap_rows(state),
                  (8, 24, 36, 8, 60, 30, 12, 12, 30, 16, 10, 20))
    for row in road.iter_rows(min_row=2):
        row[6].number_format = row[7].number_format = "DD/MM/YYYY"
        row[9].number_format = "#,##0"
        if row[0].value:
            for cell in row:
                cell.fill = _URGENT_FILL
    _sheet(wb, "QuyetDinh", DECISION_HEADERS, _decision_rows(state),
           (14, 8, 40, 8, 30, 28, 28, 28, 8, 16, 8, 90, 40, 10))
    explain = _sheet(wb, "GiaiTrinh", EXPLAIN_HEADERS, _explain_rows(state),
                     (28, 30, 9, 12, 40, 8, 10, 70, 22, 10, 7, 6, 30, 24))
    explain.auto_filter.ref = explain.dimensions
    owners: dict[str, int] = {}
    for t in state.tasks:
        owners[t.owner] = owners.get(t.owner, 0) + t.budget
    _sheet(wb, "KinhPhi", ("Đơn vị chủ trì", "Kinh phí (VNĐ)"), sorted(owners.items()) +
           [("Tổng cộng", sum(owners.values()))], (50, 20))
    return save_deterministic(wb, Path(path))
