"""A second folder of exports written by hand AFTER the scan's header lists were frozen, and scanned once: its
agreement then (28/34 fields) is the scan's out-of-sample figure (docs/project.md). No header was added to a list
after seeing it; reading a column by its values (people's names, dates) was added after, and measured here in-sample.

- ``phong_ldtbxh/ho_ngheo.xlsx``: a poor-household list, capitals, a title block, ``NĂM SINH`` only;
- ``so_khdt/DKKD_2019.csv``: business registrations in VNI, capital ASCII headers (``MST``, ``TEN_DN``, ``NGUOI_DD``);
- ``van_thu/vanban_den.json``: incoming documents, a JSON array (not NDJSON);
- ``tnmt/thuadat.parquet``: land parcels as a GIS export writes them (``SoTo``, ``SoThua``, ``TenChu``);
- ``noi_vu.sqlite``: civil servants (``MaCB``, ``PhongBan``, ``MaNgach``).
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from openpyxl import Workbook

from hopnhat.text.legacy import encode


def poor_households(path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "DS"
    sheet["A1"] = "UBND XÃ BÌNH QUẾ"
    sheet["A2"] = "DANH SÁCH HỘ NGHÈO NĂM 2023"
    heads = ["TT", "HỌ VÀ TÊN CHỦ HỘ", "NĂM SINH", "GIỚI TÍNH", "SỐ CMND/CCCD", "ĐỊA CHỈ (THÔN/TỔ)", "SỐ KHẨU",
             "GHI CHÚ"]
    for col, head in enumerate(heads, start=1):
        sheet.cell(4, col, head)
    rows = [(1, "NGUYỄN VĂN BÌNH", 1956, "Nam", "205123456", "Thôn 1", 4, None),
            (2, "TRẦN THỊ HẠNH", 1962, "Nữ", "049162000321", "Thôn 2", 2, "Khuyết tật"),
            (3, "LÊ VĂN THẠNH", 1948, "Nam", "205654321", "Thôn 2", 3, None),
            (4, "PHAN THỊ LỤA", 1971, "Nữ", "049171009988", "Thôn 4", 5, None)]
    for r, row in enumerate(rows, start=5):
        for col, value in enumerate(row, start=1):
            sheet.cell(r, col, value)
    book.save(path)


def business_register(path: Path) -> None:
    lines = ["MST,TEN_DN,LOAI_HINH,NGAY_CAP_GCN,DIA_CHI,NGUOI_DD,TINH_TRANG",
             '4000111222,Công ty TNHH Minh Phúc,TNHH,12/06/2019,"Thôn Hà Quảng, xã Điện Quang",Võ Minh Phúc,Hoạt động',
             '4000111333,Công ty CP Gạch ngói Điện Bàn,Cổ phần,30/07/2019,"Khối 5, phường Vĩnh Điện",Đoàn Văn Tư,'
             'Ngừng hoạt động',
             '4000111444,DNTN Thành Đạt,DNTN,02/09/2019,"Thôn Đông Khương, xã Điện Phương",Nguyễn Thành Đạt,Hoạt động']
    path.write_bytes(b"\r\n".join(encode(line, "vni") for line in lines) + b"\r\n")


def incoming_documents(path: Path) -> None:
    docs = [{"id": 101, "SoKyHieu": "45/UBND-VP", "LoaiVanBan": "Công văn", "CoQuanBanHanh": "UBND huyện Điện Bàn",
             "NgayBanHanh": "2023-05-04", "NgayDen": "06/05/2023", "TrichYeu": "V/v rà soát hộ nghèo",
             "NguoiKy": "Trần Văn Nam"},
            {"id": 102, "SoKyHieu": "12/QĐ-UBND", "LoaiVanBan": "Quyết định", "CoQuanBanHanh": "UBND tỉnh Quảng Nam",
             "NgayBanHanh": "2023-05-10", "NgayDen": "12/05/2023", "TrichYeu": "Về việc phê duyệt danh sách",
             "NguoiKy": "Lê Trí Thanh"}]
    path.write_text(json.dumps(docs, ensure_ascii=False, indent=1), encoding="utf-8")


def parcels(path: Path) -> None:
    pq.write_table(pa.table({"MaXa": ["20572", "20572", "20575"], "SoTo": ["7", "7", "12"],
                             "SoThua": ["101", "102", "33"], "DienTich": [250.5, 1320.0, 96.2],
                             "MucDich": ["ONT", "LUC", "ODT"], "TenChu": ["Võ Văn Lý", "Võ Văn Lý", "Hà Thị Sen"],
                             "SoGCN": ["CH 00123", "CH 00124", None]}), path)


def civil_servants(path: Path) -> None:
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE can_bo (MaCB TEXT PRIMARY KEY, HoTen TEXT, NgaySinh TEXT, GioiTinh TEXT, "
                   "ChucVu TEXT, PhongBan TEXT, MaNgach TEXT, TrinhDo TEXT, QueQuan TEXT)")
        db.executemany("INSERT INTO can_bo VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", [
            ("CB001", "Ngô Thị Thu", "1985-03-02", "Nữ", "Trưởng phòng", "Phòng Nội vụ", "01.003", "Thạc sĩ",
             "Điện Bàn, Quảng Nam"),
            ("CB002", "Đinh Văn Lâm", "1990-11-21", "Nam", "Chuyên viên", "Phòng Tư pháp", "01.003", "Đại học",
             "Duy Xuyên, Quảng Nam")])


def write_folder(root: Path) -> Path:
    data = root / "xuat"
    for folder in ("phong_ldtbxh", "so_khdt", "van_thu", "tnmt"):
        (data / folder).mkdir(parents=True)
    poor_households(data / "phong_ldtbxh" / "ho_ngheo.xlsx")
    business_register(data / "so_khdt" / "DKKD_2019.csv")
    incoming_documents(data / "van_thu" / "vanban_den.json")
    parcels(data / "tnmt" / "thuadat.parquet")
    civil_servants(data / "noi_vu.sqlite")
    return data


HAND_WRITTEN = """\
version: 1
merged_unit: {province_code: '48', name: Thành phố Đà Nẵng, old_provinces: ['49']}
sources:
- name: phong_ldtbxh
  system: Bảo trợ xã hội
  kind: excel
  tables:
  - name: ho_ngheo
    path: xuat/phong_ldtbxh/ho_ngheo.xlsx
    sheet: DS
    header_rows: [4]
    data_start_row: 5
    maps_to: person
    columns:
      source_key: TT
      full_name: HỌ VÀ TÊN CHỦ HỘ
      birth_date: {column: NĂM SINH, type: date, formats: [yyyy]}
      sex: GIỚI TÍNH
      id_number: {column: SỐ CMND/CCCD, type: id_number}
      address: {column: ĐỊA CHỈ (THÔN/TỔ), type: admin_address}
- name: so_khdt
  system: Đăng ký doanh nghiệp
  kind: csv
  tables:
  - name: dkkd_2019
    path: xuat/so_khdt/DKKD_2019.csv
    delimiter: ','
    encoding: vni
    maps_to: organization
    columns:
      source_key: MST
      tax_code: {column: MST, type: tax_code}
      name: TEN_DN
      legal_form: LOAI_HINH
      registered_date: {column: NGAY_CAP_GCN, type: date, formats: [dd/mm/yyyy]}
      address: {column: DIA_CHI, type: admin_address}
      representative_name: NGUOI_DD
      status: TINH_TRANG
- name: van_thu
  system: Quản lý văn bản
  kind: json
  tables:
  - name: vanban_den
    path: xuat/van_thu/vanban_den.json
    maps_to: document
    columns:
      source_key: id
      number_symbol: SoKyHieu
      doc_type: LoaiVanBan
      issuing_body: CoQuanBanHanh
      issued_date: {column: NgayBanHanh, type: date, formats: [yyyy-mm-dd]}
      received_date: {column: NgayDen, type: date, formats: [dd/mm/yyyy]}
      summary: TrichYeu
      signer: NguoiKy
- name: tnmt
  system: CSDL đất đai
  kind: parquet
  tables:
  - name: thuadat
    path: xuat/tnmt/thuadat.parquet
    maps_to: parcel
    columns:
      source_key: {coalesce: [MaXa, SoTo, SoThua]}
      commune: {column: MaXa, type: admin_code}
      map_sheet: SoTo
      parcel_number: SoThua
      area_m2: {column: DienTich, type: decimal}
      land_use: MucDich
      holder_name: TenChu
      certificate_no: SoGCN
- name: noi_vu
  system: CSDL cán bộ, công chức
  kind: sqlite
  path: xuat/noi_vu.sqlite
  tables:
  - name: can_bo
    table: can_bo
    maps_to: civil_servant
    columns:
      source_key: MaCB
      full_name: HoTen
      birth_date: {column: NgaySinh, type: date, formats: [yyyy-mm-dd]}
      sex: GioiTinh
      position: ChucVu
      workplace: PhongBan
      grade_code: MaNgach
      qualification: TrinhDo
      hometown: {column: QueQuan, type: admin_address}
"""
