"""Civil-servant records as an Excel workbook the way a Department of Home Affairs keeps one.

Two header rows under a merged title; "Ngày sinh" is a merged group over "Nam" / "Nữ" columns (the date is written
in the column of the person's sex, the classic Vietnamese form); "Ngạch" groups code and name. Dates are sometimes text
(dd/mm/yyyy), sometimes real Excel dates. A province whose registers are still file exports (no database) keeps the
list as an Excel 97–2003 ``.xls`` workbook, written by xlwt; the other as ``.xlsx`` (:func:`sheet_file`).
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils.cell import range_boundaries

from hopnhat.synth.determinism import normalize_xlsx
from hopnhat.synth.population import Population
from hopnhat.synth.scenarios import Side
from hopnhat.synth.sinks import TruthSink
from hopnhat.synth.tables import TableInfo
from hopnhat.units.reference import reference

HEADER_TOP = ["STT", "Họ và tên", "Ngày sinh", None, "Số CCCD/CMND", "Chức vụ", "Đơn vị công tác", "Ngạch công chức",
              None, "Trình độ chuyên môn", "Quê quán"]
HEADER_SUB = [None, None, "Nam", "Nữ", None, None, None, "Mã ngạch", "Tên ngạch", None, None]
MERGES = ("A2:A3", "B2:B3", "C2:D2", "E2:E3", "F2:F3", "G2:G3", "H2:I2", "J2:J3", "K2:K3")
GRADES = (("01.003", "Chuyên viên"), ("01.002", "Chuyên viên chính"), ("01.004", "Cán sự"),
          ("06.031", "Kế toán viên"), ("03.299", "Thanh tra viên"), ("01.005", "Nhân viên"))
POSTS = ("Chuyên viên", "Phó Trưởng phòng", "Trưởng phòng", "Phó Giám đốc", "Công chức Tư pháp - Hộ tịch",
         "Công chức Địa chính - Xây dựng", "Công chức Văn phòng - Thống kê", "Chủ tịch UBND", "Phó Chủ tịch UBND")
DEGREES = ("Đại học Luật", "Đại học Kinh tế", "Thạc sĩ Quản lý công", "Đại học Hành chính", "Cao đẳng Kế toán",
           "Đại học Công nghệ thông tin")
DEPARTMENTS = ("Sở Nội vụ", "Sở Tư pháp", "Sở Tài chính", "Sở Tài nguyên và Môi trường", "Văn phòng UBND tỉnh",
               "Sở Khoa học và Công nghệ", "Sở Kế hoạch và Đầu tư")
TRUTH = ("entity",)


def sheet_file(side: Side) -> str:
    """The list's path under the estate folder: ``.xls`` where the registers are file exports, else ``.xlsx``."""
    return f"{side.slug}/can_bo/can_bo_cong_chuc.{'xlsx' if side.register_in_db else 'xls'}"


def write_civil_servants(pop: Population, seed: int, estate: Path, truth: Path) -> TableInfo:
    """About 1.2 civil servants per 100 people; returns what was written."""
    rng = random.Random(f"civil:{seed}:{pop.side.slug}")
    adults = [int(i) for i in pop.adults() if pop.birth(int(i)).year >= 1962]
    province = reference().provinces["old"][pop.side.code]
    title = f"DANH SÁCH CÁN BỘ, CÔNG CHỨC {province.name.upper()}"
    info = TableInfo("can_bo", "DS CBCC", "STT", [c for c in _columns()], (), TRUTH)
    sink = TruthSink(truth / pop.side.slug / "can_bo_cong_chuc.csv", ["row_number", *info.columns, *TRUTH, "defects"])
    rows: list[list[object]] = []
    for k in range(max(1, int(len(pop) * 0.012))):
        i = adults[int(rng.random() * len(adults))]
        row = _row(pop, i, k + 1, rng)
        rows.append(row)
        info.rows += 1
        sink.write([info.rows, *("" if v is None else _text(v) for v in row), pop.entity_id(i), ""])
    sink.close()
    path = estate / sheet_file(pop.side)
    path.parent.mkdir(parents=True, exist_ok=True)
    (_save_xlsx if path.suffix == ".xlsx" else _save_xls)(path, title, rows)
    return info


def _save_xlsx(path: Path, title: str, rows: list[list[object]]) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "DS CBCC"
    ws.append([title])
    ws.append(HEADER_TOP)
    ws.append(HEADER_SUB)
    for rng_ in ("A1:K1", *MERGES):
        ws.merge_cells(rng_)
    ws["A1"].font = Font(bold=True)
    ws["A1"].alignment = Alignment(horizontal="center")
    for row in rows:
        ws.append(row)
    wb.save(path)
    normalize_xlsx(path)


def _save_xls(path: Path, title: str, rows: list[list[object]]) -> None:
    """The same sheet as an Excel 97–2003 workbook (xlwt writes the same bytes for the same content)."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    ws = book.add_sheet("DS CBCC")
    bold, dates = xlwt.easyxf("font: bold on; align: horiz center"), xlwt.easyxf(num_format_str="DD/MM/YYYY")
    ws.write_merge(0, 0, 0, 10, title, bold)
    for merged in MERGES:
        first_col, first_row, last_col, last_row = range_boundaries(merged)
        ws.write_merge(first_row - 1, last_row - 1, first_col - 1, last_col - 1, HEADER_TOP[first_col - 1], bold)
    for c, name in enumerate(HEADER_SUB):
        if name is not None:
            ws.write(2, c, name, bold)
    for r, row in enumerate(rows, start=3):
        for c, value in enumerate(row):
            if isinstance(value, dt.datetime):
                ws.write(r, c, value, dates)
            elif value is not None:
                ws.write(r, c, value)
    book.save(str(path))


def _columns() -> list[str]:
    return ["STT", "Họ và tên", "Ngày sinh - Nam", "Ngày sinh - Nữ", "Số CCCD/CMND", "Chức vụ", "Đơn vị công tác",
            "Mã ngạch", "Tên ngạch", "Trình độ chuyên môn", "Quê quán"]


def _text(value: object) -> str:
    return value.strftime("%d/%m/%Y") if isinstance(value, dt.datetime) else str(value)


def _row(pop: Population, i: int, number: int, rng: random.Random) -> list[object]:
    born = pop.birth(i)
    written: object = dt.datetime(born.year, born.month, born.day) if rng.random() < 0.5 else born.strftime("%d/%m/%Y")
    grade = GRADES[int(rng.random() * len(GRADES))]
    commune = pop.communes[int(pop.commune[i])]
    district = reference().districts[commune.district_code or ""]
    unit = DEPARTMENTS[int(rng.random() * len(DEPARTMENTS))] if rng.random() < 0.4 else f"UBND {commune.name}"
    return [number, pop.name(i), None if pop.female[i] else written, written if pop.female[i] else None,
            pop.cccd(i) if rng.random() < 0.9 else (pop.cmnd(i) or pop.cccd(i)), POSTS[int(rng.random() * len(POSTS))],
            unit, grade[0], grade[1], DEGREES[int(rng.random() * len(DEGREES))], f"{commune.name}, {district.name}"]
