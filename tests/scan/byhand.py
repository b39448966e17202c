"""A small folder of legacy exports written by hand (not by hopnhat's estate generator), and the merger file an
engineer would write for it: what ``hopnhat init --scan`` is measured against outside the demo.

- ``xa_tan_phu/nhan_khau.xlsx``: a commune's population list printed from Excel — issuing body, national motto and
  title above the header, a birth date written under ``Nam`` | ``Nữ`` (two header rows, merged cells), a row numbering
  the columns, an empty second sheet;
- ``ho_tich_cu/khai_sinh.csv``: a birth register from a DOS-era program: TCVN3 bytes (its header too), ``;``;
- ``kinh_te.sqlite``: two tables, businesses (primary key) and land parcels, at the top of the folder;
- ``mot_cua/ho_so.ndjson``: a one-stop-shop export, the applicant nested;
- ``hong.xlsx``: a truncated workbook (must be skipped with its reason).
"""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

from openpyxl import Workbook

from hopnhat.text.cells import as_text
from hopnhat.text.legacy import encode

PEOPLE = [  # name, sex, birth date, CCCD, address, phone, ethnicity, relation, job
    ("Nguyễn Văn Hùng", "Nam", "12/03/1968", "049068001234", "Thôn Phú Thạnh, xã Tân Phú", "0905123456", "Kinh",
     "Chủ hộ", "Làm ruộng"),
    ("Trần Thị Lệ", "Nữ", "05/11/1972", "049172004567", "Thôn Phú Thạnh, xã Tân Phú", "0935765432", "Kinh", "Vợ",
     "Buôn bán"),
    ("Nguyễn Văn Tài", "Nam", "1995", "049095007788", "Thôn Phú Thạnh, xã Tân Phú", "", "Kinh", "Con", "Công nhân"),
    ("Hồ Thị Bích", "Nữ", "23/07/1988", "049188003311", "Thôn Tân Lợi, xã Tân Phú", "0773112233", "Cơ Tu",
     "Chủ hộ", "Giáo viên"),
    ("Lê Quang Vinh", "Nam", "30/01/2001", "049201009900", "Thôn Tân Lợi, xã Tân Phú", "0868000111", "Kinh", "Con",
     "Sinh viên"),
]


def population_list(path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "Nhân khẩu"
    sheet["A1"], sheet["E1"] = "UBND XÃ TÂN PHÚ", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    sheet["E2"] = "Độc lập - Tự do - Hạnh phúc"
    sheet["A4"] = "DANH SÁCH NHÂN KHẨU THƯỜNG TRÚ NĂM 2024"
    sheet.merge_cells("A4:K4")
    heads = ["STT", "Họ và tên", "Ngày sinh", None, "Số CCCD", "Dân tộc", "Quan hệ với chủ hộ", "Nghề nghiệp",
             "Nơi thường trú", "Số điện thoại", "Ghi chú"]
    for col, head in enumerate(heads, start=1):
        sheet.cell(6, col, head)
    sheet.cell(7, 3, "Nam")
    sheet.cell(7, 4, "Nữ")
    sheet.merge_cells("C6:D6")
    for col in (1, 2, 5, 6, 7, 8, 9, 10, 11):
        sheet.merge_cells(start_row=6, start_column=col, end_row=7, end_column=col)
    for col in range(1, 12):
        sheet.cell(8, col, f"({col})")
    for i, (name, sex, born, cccd, address, phone, ethnic, relation, job) in enumerate(PEOPLE, start=1):
        row = [i, name, born if sex == "Nam" else None, born if sex == "Nữ" else None, cccd, ethnic, relation, job,
               address, phone or None, None]
        for col, value in enumerate(row, start=1):
            sheet.cell(8 + i, col, value)
    book.create_sheet("Sheet2")
    book.save(path)


BIRTHS = [  # book number, registered, child, born, sex, father, mother, place
    ("12/1998", "20/04/1998", "Phạm Thị Hoa", "02/04/1998", "Nữ", "Phạm Văn Đức", "Võ Thị Lan", "UBND xã Điện Minh"),
    ("13/1998", "21/04/1998", "Đặng Văn Quý", "15/03/1998", "Nam", "Đặng Văn Hải", "Lê Thị Mỹ", "UBND xã Điện Minh"),
    ("14/1998", "28/04/1998", "Trương Thị Ngọc Ánh", "19/04/1998", "Nữ", "Trương Công Định", "Hồ Thị Xuân",
     "UBND xã Điện Phước"),
    ("15/1998", "02/05/1998", "Huỳnh Tấn Lộc", "30/04/1998", "Nam", "Huỳnh Tấn Phát", "Ngô Thị Hằng",
     "UBND xã Điện Phước"),
    ("16/1998", "05/05/1998", "Nguyễn Thị Thùy Dương", "01/05/1998", "Nữ", "Nguyễn Hữu Thọ", "Đỗ Thị Kiều",
     "UBND xã Điện Minh"),
]


def birth_register(path: Path) -> None:
    head = "Số đăng ký;Ngày đăng ký;Họ và tên trẻ;Ngày sinh;Giới tính;Họ và tên cha;Họ và tên mẹ;Nơi đăng ký"
    lines = [head, *(";".join(row) for row in BIRTHS)]
    path.write_bytes(b"\r\n".join(encode(line, "tcvn3") for line in lines) + b"\r\n")


def economy_database(path: Path) -> None:
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE doanh_nghiep (id INTEGER PRIMARY KEY, mst TEXT, ten_dn TEXT, loai_hinh_dn TEXT, "
                   "ngay_dkkd TEXT, dia_chi_tru_so TEXT, nguoi_dai_dien TEXT, tinh_trang TEXT)")
        db.executemany("INSERT INTO doanh_nghiep VALUES (?, ?, ?, ?, ?, ?, ?, ?)", [
            (1, "4000123456", "Công ty TNHH Thủy sản Hội An", "Công ty TNHH", "2009-05-14",
             "Số 12 Trần Phú, phường Minh An, thành phố Hội An", "Trần Văn Hòa", "Đang hoạt động"),
            (2, "4000654321", "Doanh nghiệp tư nhân Mộc Kim Bồng", "Doanh nghiệp tư nhân", "2015-11-02",
             "Thôn Trung Hà, xã Cẩm Kim, thành phố Hội An", "Nguyễn Thị Thu", "Tạm ngừng"),
            (3, "4000777888-001", "Chi nhánh Công ty CP Du lịch Cửa Đại", "Chi nhánh", "2019-01-20",
             "Khối Phước Thịnh, phường Cẩm An", "Lê Minh Tâm", "Đang hoạt động")])
        db.execute("CREATE TABLE thua_dat (ma_thua TEXT, ma_xa TEXT, so_to TEXT, so_thua TEXT, dien_tich REAL, "
                   "muc_dich_su_dung TEXT, chu_su_dung TEXT, so_gcn TEXT)")
        db.executemany("INSERT INTO thua_dat VALUES (?, ?, ?, ?, ?, ?, ?, ?)", [
            ("20341-12-45", "20341", "12", "45", 152.5, "ONT", "Nguyễn Văn Hùng", "BV 123456"),
            ("20341-12-46", "20341", "12", "46", 98.0, "ONT", "Trần Thị Lệ", "BV 123457"),
            ("20341-13-7", "20341", "13", "7", 1200.0, "LUC", "Hồ Thị Bích", None)])


DOSSIERS = [
    {"SoHoSo": "000.00.20.H49-240315-0007", "MaThuTuc": "1.001612", "TenThuTuc": "Đăng ký khai sinh",
     "NgayNop": "15/03/2024", "NgayHenTra": "18/03/2024", "TinhTrang": "Đã trả kết quả",
     "NguoiNop": {"HoTen": "Phạm Văn Đức", "SoGiayTo": "049070001122", "DiaChi": "Điện Minh, Điện Bàn"}},
    {"SoHoSo": "000.00.20.H49-240316-0008", "MaThuTuc": "1.000894", "TenThuTuc": "Đăng ký kết hôn",
     "NgayNop": "16/03/2024", "NgayHenTra": "19/03/2024", "TinhTrang": "Đang xử lý",
     "NguoiNop": {"HoTen": "Lê Văn Tám", "SoGiayTo": "049090003344", "DiaChi": "Điện Phước, Điện Bàn"}},
    {"SoHoSo": "000.00.20.H49-240318-0009", "MaThuTuc": "1.001612", "TenThuTuc": "Đăng ký khai sinh",
     "NgayNop": "18/03/2024", "NgayHenTra": "21/03/2024", "TinhTrang": "Yêu cầu bổ sung",
     "NguoiNop": {"HoTen": "Võ Thị Lan", "SoGiayTo": "049172005566", "DiaChi": "Điện Minh, Điện Bàn"}},
]


def dossier_export(path: Path) -> None:
    path.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in DOSSIERS), encoding="utf-8")


def write_folder(root: Path) -> Path:
    """The folder of exports (see the module doc) under ``root/du_lieu``."""
    data = root / "du_lieu"
    for folder in ("xa_tan_phu", "ho_tich_cu", "mot_cua"):
        (data / folder).mkdir(parents=True)
    population_list(data / "xa_tan_phu" / "nhan_khau.xlsx")
    birth_register(data / "ho_tich_cu" / "khai_sinh.csv")
    economy_database(data / "kinh_te.sqlite")
    dossier_export(data / "mot_cua" / "ho_so.ndjson")
    (data / "hong.xlsx").write_bytes(b"PK\x03\x04" + b"\x00" * 40)
    return data


_HAND_WRITTEN = """\
version: 1
merged_unit: {province_code: '48', name: Thành phố Đà Nẵng, old_provinces: ['49']}
sources:
- name: xa_tan_phu
  system: Dân cư
  kind: excel
  tables:
  - name: nhan_khau
    path: du_lieu/xa_tan_phu/nhan_khau.xlsx
    sheet: Nhân khẩu
    header_rows: [6, 7]
    data_start_row: 9
    maps_to: person
    columns:
      source_key: STT
      full_name: Họ và tên
      birth_date: {coalesce: [Ngày sinh - Nam, Ngày sinh - Nữ], type: date, formats: [dd/mm/yyyy, yyyy]}
      sex: {from_nonempty: {Ngày sinh - Nam: Nam, Ngày sinh - Nữ: Nữ}}
      id_number: {column: Số CCCD, type: id_number}
      ethnicity: Dân tộc
      address: {column: Nơi thường trú, type: admin_address}
      phone: {column: Số điện thoại, type: phone}
- name: ho_tich_cu
  system: Hộ tịch
  kind: csv
  tables:
  - name: khai_sinh
    path: du_lieu/ho_tich_cu/khai_sinh.csv
    delimiter: ';'
    encoding: tcvn3
    maps_to: person_event
    columns:
      source_key: {column: <<Số đăng ký>>}
      kind: {const: birth}
      book_number: <<Số đăng ký>>
      registered_date: {column: <<Ngày đăng ký>>, type: date, formats: [dd/mm/yyyy]}
      person_name: <<Họ và tên trẻ>>
      event_date: {column: <<Ngày sinh>>, type: date, formats: [dd/mm/yyyy]}
      sex: <<Giới tính>>
      father_name: <<Họ và tên cha>>
      mother_name: <<Họ và tên mẹ>>
      place: {column: <<Nơi đăng ký>>, type: admin_address}
- name: kinh_te
  system: Kinh tế
  kind: sqlite
  path: du_lieu/kinh_te.sqlite
  tables:
  - name: doanh_nghiep
    table: doanh_nghiep
    maps_to: organization
    columns:
      source_key: id
      tax_code: {column: mst, type: tax_code}
      name: ten_dn
      legal_form: loai_hinh_dn
      registered_date: {column: ngay_dkkd, type: date, formats: [yyyy-mm-dd]}
      address: {column: dia_chi_tru_so, type: admin_address}
      representative_name: nguoi_dai_dien
      status: tinh_trang
  - name: thua_dat
    table: thua_dat
    maps_to: parcel
    columns:
      source_key: ma_thua
      commune: {column: ma_xa, type: admin_code}
      map_sheet: so_to
      parcel_number: so_thua
      area_m2: {column: dien_tich, type: decimal}
      land_use: muc_dich_su_dung
      holder_name: chu_su_dung
      certificate_no: so_gcn
- name: mot_cua
  system: Một cửa
  kind: ndjson
  tables:
  - name: ho_so
    path: du_lieu/mot_cua/ho_so.ndjson
    maps_to: dossier
    columns:
      source_key: SoHoSo
      code: SoHoSo
      procedure_code: MaThuTuc
      procedure_name: TenThuTuc
      received_at: {column: NgayNop, type: datetime, formats: [dd/mm/yyyy]}
      due_at: {column: NgayHenTra, type: datetime, formats: [dd/mm/yyyy]}
      status: {column: TinhTrang, type: status, values: {Đã trả kết quả: 10, Đang xử lý: 4, Yêu cầu bổ sung: 5}}
      applicant_name: {json: NguoiNop.HoTen}
      applicant_id: {json: NguoiNop.SoGiayTo, type: id_number}
      applicant_address: {json: NguoiNop.DiaChi, type: admin_address}
"""


def as_read(header: str) -> str:
    """A TCVN3 header as the readers read it (its bytes' Windows-1252 view): how merger.yaml must name it."""
    return as_text(encode(header, "tcvn3"))


def hand_written() -> str:
    """The merger file an engineer would write for :func:`write_folder`'s exports (paths from ``root``)."""
    return re.sub(r"<<(.+?)>>", lambda m: json.dumps(as_read(m.group(1))), _HAND_WRITTEN)
