"""Civil-servant records as an Excel workbook the way a Department of Home Affairs keeps one.

Two header rows under a merged title; "Ngày sinh" is a merged group over "Nam" / "Nữ" columns (the date is written
in the column of the person's sex, the classic Vietnamese form); "Ngạch" groups code and name. Dates are sometimes text
(dd/mm/yyyy), sometimes real Excel dates.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from hopnhat.synth.determinism import normalize_xlsx
from hopnhat.synth.population import Population
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


def write_civil_servants(pop: Population, seed: int, estate: Path, truth: Path) -> TableInfo:
    """About 1.2 civil servants per 100 people; returns what was written."""
    rng = random.Random(f"civil:{seed}:{pop.side.slug}")
    adults = [int(i) for i in pop.adults() if pop.birth(int(i)).year >= 1962]
    province = reference().provinces["old"][pop.side.code]
    wb = Workbook()
    ws = wb.active
    ws.title = "DS CBCC"
    ws.append([f"DANH SÁCH CÁN BỘ, CÔNG CHỨC {province.name.upper()}"])
    ws.append(HEADER_TOP)
    ws.append(HEADER_SUB)
    for rng_ in ("A1:K1", *MERGES):
        ws.merge_cells(rng_)
    ws["A1"].font = Font(bold=True)
    ws["A1"].alignment = Alignment(horizontal="center")
    info = TableInfo("can_bo", "DS CBCC", "STT", [c for c in _columns()], (), TRUTH)
    sink = TruthSink(truth / pop.side.slug / "can_bo_cong_chuc.csv", ["row_number", *info.columns, *TRUTH, "defects"])
    for k in range(max(1, int(len(pop) * 0.012))):
        i = adults[int(rng.random() * len(adults))]
        row = _row(pop, i, k + 1, rng)
        ws.append(row)
        info.rows += 1
        sink.write([info.rows, *("" if v is None else _text(v) for v in row), pop.entity_id(i), ""])
    sink.close()
    path = estate / pop.side.slug / "can_bo" / "can_bo_cong_chuc.xlsx"
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    normalize_xlsx(path)
    return info


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
