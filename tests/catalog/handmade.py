"""Đà Nẵng's inventory as its IT department typed it into a workbook — written by hand, cell by cell, with openpyxl
directly (not through the project's template writer): ids numbered from 1 like Quảng Nam's, headers in capitals or
without the '*', a number as the province code, a blank row in the middle, '3.200' and '1,2 tỷ đồng' as text,
dates as text and as Excel dates, yes/no as 'Có'/'x'/'không', names typed decomposed (NFD) or with stray spaces.
"""

from __future__ import annotations

import unicodedata
from datetime import datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook

HEADERS = ("Mã hệ thống", "TÊN HỆ THỐNG", "Loại hệ thống *", "Lĩnh vực (CSDL chuyên ngành)", "Đơn vị chủ quản",
           "Nhà cung cấp", "Hình thức triển khai", "Giai đoạn", "Vận hành từ ngày", "Hết hỗ trợ kỹ thuật (ngày)",
           "Số người dùng", "Số bản ghi", "Lượng giao dịch/tháng", "Năng lực thiết kế (người dùng)",
           "Năng lực thiết kế (giao dịch/tháng)", "Vốn đầu tư (VNĐ)", "Chi phí vận hành/năm (VNĐ)",
           "Giá thuê cả hợp đồng (VNĐ)", "Thời hạn thuê (năm)", "Ngày hết hạn hợp đồng", "Cấp độ ATTT (NĐ 85)",
           "Đã phê duyệt HSĐXCĐ", "Kết nối (LGSP/NDXP, CSDL quốc gia)", "Bảng mã", "Số cán bộ vận hành")
TTHC_OWNER = "Trung tâm Phục vụ hành chính công thành phố Đà Nẵng thuộc Văn phòng Ủy ban nhân dân thành phố"
DX = "Sở Khoa học và Công nghệ thành phố Đà Nẵng"
VP = "Văn phòng UBND thành phố Đà Nẵng"
D = datetime

# id, name, kind, domain, owner, vendor, hosting, phase, since, support_end, users, records, monthly, cap users,
# cap monthly, capital, yearly, lease, lease years, lease end, level, approved, integrations, encodings, staff
ROWS: tuple[tuple[Any, ...], ...] = (
    (1, "Hệ thống thông tin giải quyết thủ tục hành chính thành phố Đà Nẵng (một cửa điện tử và Cổng dịch vụ công "
        "thành phố, đặt tại Trung tâm dữ liệu thành phố)", "Hệ thống thông tin giải quyết TTHC", None, TTHC_OWNER,
     None, "Trung tâm dữ liệu", "Chính thức", D(2016, 1, 1), "31/12/2030", "4.100", "2,6 triệu", "27.500", 12000,
     "70.000", "9 tỷ", "1,1 tỷ đồng", None, None, None, 3, "Có",
     "LGSP; NDXP; Cổng DVC quốc gia; CSDLQG dân cư", "UTF-8", 5),
    (2, "Hệ thống quản lý văn bản và điều hành thành phố Đà Nẵng", "quan ly van ban va dieu hanh", None, VP, "CMC",
     "Trung tâm dữ liệu", None, "01/07/2015", None, "9.800", "5,2 triệu", 150000, 20000, 300000, "6 tỷ", "700 triệu",
     None, None, None, 3, "x", "LGSP, NDXP, Trục liên thông văn bản quốc gia", None, 3),
    (3, "  Cơ sở dữ liệu hộ tịch điện tử thành phố Đà Nẵng ", "CSDL chuyên ngành", "Hộ tịch",
     "Sở Tư pháp thành phố Đà Nẵng", None, "Tại chỗ", None, D(2015, 3, 1), None, 900, "1,9 triệu", 11000, None, None,
     "1,8 tỷ", "150 triệu", None, None, None, 2, "không", "CSDL hộ tịch điện tử", "UTF-8; VNI", 1),
    (4, "Thư điện tử công vụ thành phố Đà Nẵng", "email", None, DX, None, "Trung tâm dữ liệu", None,
     "2010-05-01", None, "11.000", "5 triệu", 180000, 30000, 600000, "2 tỷ", "400 triệu", None, None, None, 3, "Có",
     "LGSP", None, 2),
    (5, "Nền tảng tích hợp, chia sẻ dữ liệu thành phố Đà Nẵng", "Nền tảng tích hợp, chia sẻ dữ liệu (LGSP)", None, DX,
     None, "Trung tâm dữ liệu", None, D(2018, 6, 1), None, 500, "7,5 triệu", 520000, None, 2000000, "5 tỷ",
     "600 triệu", None, None, None, 3, "Có", "NDXP; CSDLQG dân cư; CSDLQG đăng ký doanh nghiệp", None, 4),
    (6, "Cổng thông tin điện tử thành phố Đà Nẵng", "Cổng thông tin điện tử", None, VP, None, "Trung tâm dữ liệu", None,
     None, None, 380, 70000, 1100, None, None, "3 tỷ", "500 triệu", None, None, None, 2, "Có", None, None, 3),
    (7, "Hệ thống quản lý nhiệm vụ thành phố Đà Nẵng", "task", None, VP, "CMC", "Trung tâm dữ liệu", None, None, None,
     "3.000", 180000, 4500, None, None, "1,2 tỷ", "200 triệu", None, None, None, 2, None, None, None, 1),
    (8, "Kho quản lý kết quả giải quyết TTHC thành phố Đà Nẵng", "results", None, TTHC_OWNER, None,
     "Trung tâm dữ liệu", None, None, None, 1500, "1 triệu", 20000, None, None, "2,5 tỷ", "300 triệu", None, None,
     None, 3, "Có", "LGSP; Cổng DVC quốc gia", None, 2),
    (9, "Hệ thống thông tin báo cáo thành phố Đà Nẵng", "reporting", None, VP, None, "Trung tâm dữ liệu", None, None,
     None, 1200, 90000, 2700, None, None, "1,5 tỷ", "200 triệu", None, None, None, 2, None,
     "Hệ thống báo cáo Chính phủ", None, 1),
    (10, "Cổng dữ liệu mở thành phố Đà Nẵng", "opendata", None, DX, None, "Trung tâm dữ liệu", None, None, None, 100,
     2500, 50, None, None, "800 triệu", "120 triệu", None, None, None, 2, None, None, None, 1),
    (11, "Ứng dụng Danang Smart City", "mobile", None, DX, "VNPT", "Thuê dịch vụ", None, None, None, "120.000",
     "600.000", "50.000", None, None, None, None, "1,5 tỷ", 3, "31/12/2026", 2, None, None, None, 0),
    (12, "Hệ thống hội nghị truyền hình thành phố Đà Nẵng", "video", None, VP, "Viettel", "Tại chỗ", None, None, None,
     700, 3000, 180, None, None, "4 tỷ", "400 triệu", None, None, None, 2, None, None, None, 2),
    (13, "Phòng họp không giấy thành phố Đà Nẵng", "meeting", None, VP, None, "Trung tâm dữ liệu", None, None, None,
     800, 20000, 450, None, None, "1,5 tỷ", "200 triệu", None, None, None, 2, None, None, None, 1),
    (14, "Cơ sở dữ liệu đất đai thành phố Đà Nẵng", "CSDL chuyên ngành", "Đất đai",
     "Sở Nông nghiệp và Môi trường thành phố Đà Nẵng", "Viettel", "Trung tâm dữ liệu", None, None, None, 800,
     "1,6 triệu", 12000, None, None, "15 tỷ", "1,3 tỷ", None, None, None, 3, "Có", "CSDLQG đất đai", None, 4),
    (15, "Cơ sở dữ liệu cán bộ, công chức, viên chức thành phố Đà Nẵng", "CSDL chuyên ngành",
     "Cán bộ, công chức, viên chức", "Sở Nội vụ thành phố Đà Nẵng", None, "Tại chỗ", None, None, None, 350, 33000,
     800, None, None, "700 triệu", "100 triệu", None, None, None, 2, None, "CSDLQG cán bộ công chức", None, 1),
    (16, "Cơ sở dữ liệu y tế thành phố Đà Nẵng", "CSDL chuyên ngành", "Y tế", "Sở Y tế thành phố Đà Nẵng", "FPT IS",
     "Thuê dịch vụ", "Thử nghiệm", None, None, 5000, "3 triệu", 60000, None, None, None, None, "2,4 tỷ", 3,
     "30/06/2027", 3, "không", None, None, 0),
)
#: the cells this file holds, for the tests: (id, field) → the value the import must give
EXPECTED = {(1, "users"): 4100, (1, "records"): 2_600_000, (1, "capital_cost"): 9_000_000_000,
            (1, "yearly_cost"): 1_100_000_000, (2, "users"): 9800, (11, "lease_cost"): 1_500_000_000,
            (14, "capital_cost"): 15_000_000_000, (4, "yearly_cost"): 400_000_000}
NFD_IDS = (2, 6, 14)  # names typed decomposed


def write_danang_workbook(path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "HeThong"
    ws["A1"] = "PHIẾU KHẢO SÁT HỆ THỐNG THÔNG TIN — THÀNH PHỐ ĐÀ NẴNG"
    ws["A2"], ws["B2"], ws["C2"], ws["D2"] = "Mã tỉnh (cũ):", 48, "Tên tỉnh:", "Đà Nẵng"
    ws["A3"], ws["B3"] = "Ngày khảo sát:", "6/5/2025"
    for i, head in enumerate(HEADERS, start=1):
        ws.cell(row=4, column=i, value=head)
    row = 5
    for values in ROWS:
        if values[0] == 9:
            row += 1  # a blank row left in the middle
        for i, value in enumerate(values, start=1):
            if i == 2 and values[0] in NFD_IDS:
                value = unicodedata.normalize("NFD", value)
            ws.cell(row=row, column=i, value=value)
        row += 1
    digit = wb.create_sheet("SoHoa")
    digit["B2"], digit["D2"] = 48, "Đà Nẵng"
    for i, head in enumerate(("Mã xã (cũ)", "Tên xã (cũ)", "Tổng số sổ hộ tịch", "Số sổ đã số hóa",
                              "Số liệu đến ngày"), start=1):
        digit.cell(row=4, column=i, value=head)
    digit.append(["20194", "Hải Châu I", 900, 880, "30/04/2025"])
    digit.append(["20200", "Hòa Vang", 700, 0, D(2025, 4, 30)])
    wb.save(path)
    return path
