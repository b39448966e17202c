"""A small hand-written store for the lookup's ranking tests: citizens written by hand (not by the project's
generator), chosen to be hard for the lookup — namesakes in other years and communes, names whose words are also
admin-unit words (Dương, Quang, Hòa, Xa), Hòa beside Hoa, a citizen with an old CMND in a legacy archive and a second
record from another system written without diacritics, addresses in the old three-tier form (whose commune merged
into a new one) and in the new two-tier form.

Addresses are placed by the shipped converter, as the pipeline would place them; golden ids are given by hand."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa

from hopnhat.load.lookup_index import build_index
from hopnhat.load.storedb import open_store
from hopnhat.model.schema import HOUSEKEEPING, ddl, entity_columns
from hopnhat.project.config import Project, load_project
from hopnhat.units.convert import convert_address

# golden id, full name, birth date, sex, id number, phone, address — one row per record
PERSONS: list[tuple[str, str, str, str, str, str, str]] = [
    ("G-DUNG71", "Dương Đức Dũng", "1971-04-12", "M", "048071001234", "0905111222",
     "Thôn Phong Nam, Xã Hòa Châu, Huyện Hòa Vang, Thành phố Đà Nẵng"),
    ("G-DUNG71", "Duong Duc Dung", "1971-04-12", "M", "048071001234", "",
     "Thon Phong Nam, Xa Hoa Chau, Huyen Hoa Vang, TP Da Nang"),
    ("G-DUNG85", "Dương Đức Dũng", "1985-09-30", "M", "049085004321", "0935222333",
     "Khối phố 3, Phường An Sơn, Thành phố Tam Kỳ, Tỉnh Quảng Nam"),
    ("G-DUONG80", "Nguyễn Văn Dương", "1980-07-03", "M", "048080007788", "0914333444",
     "Tổ 5, Phường Hòa Khánh Bắc, Quận Liên Chiểu, Thành phố Đà Nẵng"),
    ("G-DUONG62", "Nguyễn Văn Dương", "1962-02-14", "M", "049062001122", "",
     "Thôn 2, Xã Tam Dân, Huyện Phú Ninh, Tỉnh Quảng Nam"),
    ("G-HUNG85BQ", "Nguyễn Văn Hùng", "1985-03-12", "M", "049085112233", "0987654321",
     "Thôn 3, Xã Bình Quế, Huyện Thăng Bình, Tỉnh Quảng Nam"),
    ("G-HUNG85TD", "Nguyễn Văn Hùng", "1985-11-02", "M", "049085445566", "",
     "Thôn 1, Xã Tam Dân, Huyện Phú Ninh, Tỉnh Quảng Nam"),
    ("G-HUNG90", "Nguyễn Văn Hùng", "1990-06-21", "M", "048090778899", "0905999888",
     "12 Trần Phú, Phường Hải Châu I, Quận Hải Châu, Thành phố Đà Nẵng"),
    ("G-HUNG-PQ", "Nguyễn Phi Hùng", "1985-08-08", "M", "049085009999", "",
     "Thôn 3, Xã Bình Quế, Huyện Thăng Bình, Tỉnh Quảng Nam"),
    ("G-HOA75", "Nguyễn Thị Hòa", "1975-01-20", "F", "049175001111", "",
     "Thôn 4, Xã Bình Quế, Huyện Thăng Bình, Tỉnh Quảng Nam"),
    ("G-HOA75B", "Nguyễn Thị Hoa", "1975-05-05", "F", "049175002222", "",
     "Thôn 4, Xã Bình Quế, Huyện Thăng Bình, Tỉnh Quảng Nam"),
    ("G-LAN92", "Trần Thị Lan", "1992-10-10", "F", "049192004567", "0773555666",
     "Khối phố 2, Phường Tân Thạnh, Thành phố Tam Kỳ, Tỉnh Quảng Nam"),
    ("G-LAN88", "Trần Thị Lan", "1988-12-01", "F", "048188004568", "",
     "Tổ 9, Phường Thanh Khê Đông, Quận Thanh Khê, Thành phố Đà Nẵng"),
    ("G-VINH90", "Lê Quang Vinh", "1990-02-02", "M", "048090123123", "",
     "Tổ 1, Phường Mỹ An, Quận Ngũ Hành Sơn, Thành phố Đà Nẵng"),
    ("G-QUANG65", "Quang Văn Hòa", "1965-03-03", "M", "049065321321", "",
     "Thôn 5, Xã Tam Dân, Huyện Phú Ninh, Tỉnh Quảng Nam"),
    ("G-XA58", "Phan Văn Xa", "1958-05-18", "M", "049058777666", "",
     "Thôn 1, Xã Bình Quế, Huyện Thăng Bình, Tỉnh Quảng Nam"),
    ("G-PHUONG", "Hoàng Thị Phương", "1979-07-07", "F", "048179010101", "",
     "Tổ 3, Phường Hòa Khánh Bắc, Quận Liên Chiểu, Thành phố Đà Nẵng"),
    ("G-ANH", "Võ Minh Anh", "2001-01-15", "M", "048201020202", "0399888777",
     "Thôn 2, Xã Hòa Châu, Huyện Hòa Vang, Thành phố Đà Nẵng"),
    ("G-HOAPHONG", "Võ Hòa Phong", "1980-09-09", "M", "048080090909", "",
     "Tổ 2, Phường Mỹ An, Quận Ngũ Hành Sơn, Thành phố Đà Nẵng"),  # Hòa Phong is also a commune
    ("G-HUYEN90", "Trát Hoài Huyền", "1990-04-04", "F", "049190030303", "",  # a rare family name
     "Thôn An Mỹ, Xã Tam Thạnh, Huyện Núi Thành, Tỉnh Quảng Nam"),  # Tam Thạnh: "Tam Thanh" is another commune too
    ("G-HOANG68", "Đặng Văn Hoàng", "1968-06-06", "M", "049068040404", "",  # Hoàng, a family name, as given name
     "Thôn 1, Xã Bình Định, Huyện Thăng Bình, Tỉnh Quảng Nam"),  # a commune named like a province
]
# 45 women named Anh born in 1976, then one Ánh: folded alike, more of them than a screen and a half
_COMMUNES = ("Xã Hòa Nhơn, Huyện Hòa Vang, Thành phố Đà Nẵng", "Phường Điện Phương, Thị xã Điện Bàn, Tỉnh Quảng Nam",
             "Xã Tiên Lập, Huyện Tiên Phước, Tỉnh Quảng Nam")
PERSONS += [(f"G-ANH76-{i:02d}", "Lê Thị Anh", f"1976-{i % 12 + 1:02d}-{i % 28 + 1:02d}", "F",
             f"0491760{i:05d}", "", f"Thôn {i % 9 + 1}, {_COMMUNES[i % 3]}") for i in range(45)]
PERSONS.append(("G-ANH76", "Lê Thị Ánh", "1976-08-08", "F", "049176099999", "",
                "Thôn 2, Xã Hòa Nhơn, Huyện Hòa Vang, Thành phố Đà Nẵng"))
PERSONS.append(("G-LE76", "Nguyễn Thị Lê", "1976-03-03", "F", "049176088888", "",  # Lê as a given name
                "Thôn 3, Xã Hòa Nhơn, Huyện Hòa Vang, Thành phố Đà Nẵng"))
PERSONS.append(("G-HUNGLE85", "Lê Nguyễn Hùng", "1985-05-05", "M", "049085077777", "",  # Nguyễn as middle name
                "Thôn 3, Xã Hòa Nhơn, Huyện Hòa Vang, Thành phố Đà Nẵng"))
PERSONS.append(("G-HUNGNM85", "Nguyễn Hùng", "1985-07-07", "M", "049085066666", "",  # no middle name
                "Thôn 4, Xã Hòa Nhơn, Huyện Hòa Vang, Thành phố Đà Nẵng"))
# a full name's block crowded beyond the candidates a test reads (family + middle initial + given name: 100 Nguyễn
# Thị Trang), then the one Nguyễn Thanh Trang, recorded after them
PERSONS += [(f"G-TRANG-{i:02d}", "Nguyễn Thị Trang", f"{1960 + i % 40}-{i % 12 + 1:02d}-{i % 28 + 1:02d}", "F",
             f"0481830{i:05d}", "", f"Thôn {i % 9 + 1}, {_COMMUNES[i % 3]}") for i in range(100)]
PERSONS.append(("G-TRANG83", "Nguyễn Thanh Trang", "1983-04-09", "F", "049183012345", "",
                "Thôn 6, Xã Hòa Nhơn, Huyện Hòa Vang, Thành phố Đà Nẵng"))
PERSONS.append(("G-NHANH70", "Phan Chi Nhánh", "1970-10-10", "M", "049070012345", "",  # "chi nhánh": a branch
                "Thôn 2, Xã Bình Quế, Huyện Thăng Bình, Tỉnh Quảng Nam"))
# a name whose last two words are a commune (Tiến Lộc, the old Tiên Lộc's new commune), beside two namesakes of its
# first three words living there
PERSONS.append(("G-DUYTL", "Huỳnh Văn Duy Tiến Lộc", "1999-01-31", "M", "048099012345", "",
                "Tổ 4, Phường Mỹ An, Quận Ngũ Hành Sơn, Thành phố Đà Nẵng"))
PERSONS += [(f"G-DUY-{i}", "Huỳnh Văn Duy", f"19{70 + i}-05-05", "M", f"04907{i}012345", "",
             "Thôn 3, Xã Tiên Lộc, Huyện Tiên Phước, Tỉnh Quảng Nam") for i in range(2)]
# old CMNDs of citizens who hold a CCCD now (a legacy table the pipeline keeps as an archive): golden id → CMND
OLD_CMND = {"G-LAN92": "205123456", "G-DUONG62": "201987654"}

MERGER = """version: 1
merged_unit: {{province_code: '48', name: Thành phố Đà Nẵng, cutover: '2025-07-01', old_provinces: ['49', '48']}}
store: {{path: {store}, app_db: {app_db}}}
sources:
- name: dancu
  system: Hộ tịch - dân cư
  province: '48'
  kind: csv
  tables:
  - name: cong_dan
    path: cong_dan.csv
    maps_to: person
    columns: {{source_key: id, full_name: ho_ten, birth_date: {{column: ngay_sinh, type: date}},
               id_number: {{column: so_cccd, type: id_number}}, address: {{column: dia_chi, type: admin_address}}}}
"""


def _person_rows() -> dict[str, list[object]]:
    cols: dict[str, list[object]] = {k: [] for k in (
        "record_id", "golden_id", "full_name", "birth_date", "sex", "id_number", "phone", "address",
        "address_old_commune_code", "address_new_province_code", "address_new_commune_code", "address_status",
        "address_candidates", "src_row")}
    for i, (golden, name, birth, sex, number, phone, address) in enumerate(PERSONS):
        conv = convert_address(address)
        assert conv.status in ("converted", "already_new", "split"), (address, conv.reason)
        values = [f"dancu/cong_dan/{i}", golden, name, birth, sex, number, phone or None, address,
                  conv.old_commune_code, conv.new_province_code, conv.new_commune_code, conv.status,
                  ";".join(conv.candidates) or None, i + 1]
        for key, value in zip(cols, values, strict=True):
            cols[key].append(value)
    return cols


def build(folder: Path) -> tuple[Project, Path]:
    """The store, its merger file and its lookup index in ``folder``; returns (project, index path)."""
    store = folder / "store.duckdb"
    con = duckdb.connect(str(store))
    try:
        con.execute(ddl("person", entity_columns("person")))
        for name, cols in HOUSEKEEPING.items():
            con.execute(ddl(name, cols))
        con.register("p", pa.table(_person_rows()))
        con.execute("""INSERT INTO person (record_id, golden_id, full_name, birth_date, sex, id_number, phone,
                address, address_old_commune_code, address_new_province_code, address_new_commune_code,
                address_status, address_candidates, src_row, src_source, src_system, src_province, src_table,
                src_key, run_id)
            SELECT record_id, golden_id, full_name, CAST(birth_date AS DATE), sex, id_number, phone, address,
                address_old_commune_code, address_new_province_code, address_new_commune_code, address_status,
                address_candidates, src_row, 'dancu', 'Hộ tịch - dân cư', '48', 'cong_dan', CAST(src_row AS VARCHAR),
                'test-run' FROM p""")
        con.execute("INSERT INTO runs VALUES ('test-run', now(), now(), 'done', 'test', 'test', 'test')")
        con.execute("CREATE SCHEMA legacy")
        con.execute("CREATE TABLE legacy.dancu__cmnd_cu (record_id VARCHAR, _row BIGINT, ho_ten VARCHAR, "
                    "so_cmnd VARCHAR)")
        for row, (golden, cmnd) in enumerate(OLD_CMND.items(), start=1):
            con.execute("INSERT INTO legacy.dancu__cmnd_cu SELECT min(record_id), ?, any_value(full_name), ? "
                        "FROM person WHERE golden_id = ?", [row, cmnd, golden])
        con.execute("CHECKPOINT")
    finally:
        con.close()
    merger = folder / "merger.yaml"
    merger.write_text(MERGER.format(store=store, app_db=folder / "app.sqlite"), encoding="utf-8")
    project = load_project(merger)
    reader = open_store(str(store), 60_000)
    try:
        index = build_index(reader, project, folder / "lookup.sqlite")
    finally:
        reader.close()
    return project, index
