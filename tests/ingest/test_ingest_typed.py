"""Typed sources — Excel, Parquet, SQLite: cells as text the way a person reads them, errors that name the place."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from openpyxl import Workbook
from tests.ingest.conftest import OneTable

from hopnhat.errors import InputError
from hopnhat.ingest import read_table
from hopnhat.text.legacy import cp1252_view, encode


def _all(one_table: OneTable, kind: str, table: dict[str, Any], batch_rows: int = 2, **source: Any) -> pa.Table:
    project, src, spec = one_table(kind, table, **source)
    return pa.concat_tables(read_table(project, src, spec, batch_rows=batch_rows))


def _workbook(path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "Dữ liệu"
    ws.append(["id", "name", "Ngày sinh", None, "code", "amount", "flag", "id"])
    ws.merge_cells("C1:D1")
    ws.append([1.0, "Lê Văn A", dt.datetime(1990, 5, 17), dt.datetime(2024, 6, 1, 8, 30), 123, 2.5, True, "x"])
    ws["E2"].number_format = "00000"
    ws.append([None] * 8)  # a blank row: no record
    ws.append([3, "0123", "17/05/1990", dt.time(7, 5), "00042", 10**15, False, None, None, "stray"])
    wb.create_sheet("Khác")
    wb.save(path)


def test_excel_cells_as_a_person_reads_them(one_table: OneTable, tmp_path: Path) -> None:
    _workbook(tmp_path / "t.xlsx")
    got = _all(one_table, "excel", {"path": "t.xlsx", "sheet": "Dữ liệu"})
    assert got.column_names[4:] == ["id", "name", "Ngày sinh", "Ngày sinh_2", "code", "amount", "flag", "id_2"]
    first, second = got.to_pylist()
    assert (first["_row"], first["id"], first["Ngày sinh"], first["Ngày sinh_2"]) == (2, "1", "1990-05-17",
                                                                                     "2024-06-01T08:30:00")
    assert (first["code"], first["amount"], first["flag"], first["_error"]) == ("00123", "2.5", "true", None)
    assert json.loads(first["_raw"])["name"] == "Lê Văn A"
    assert (second["_row"], second["name"], second["Ngày sinh"], second["Ngày sinh_2"]) == (4, "0123", "17/05/1990",
                                                                                           "07:05:00")
    assert (second["code"], second["amount"], second["id_2"]) == ("00042", "1000000000000000", None)
    assert second["_error"] == "long_row: cells beyond the header's 8 columns: J"
    assert json.loads(second["_raw"])["J"] == "stray"


def test_excel_first_sheet_by_default_and_missing_sheet(one_table: OneTable, tmp_path: Path) -> None:
    _workbook(tmp_path / "t.xlsx")
    assert _all(one_table, "excel", {"path": "t.xlsx"}).num_rows == 2
    project, source, table = one_table("excel", {"path": "t.xlsx", "sheet": "Sheet9"})
    with pytest.raises(InputError, match="Sheet9.*'Dữ liệu', 'Khác'") as info:
        read_table(project, source, table)
    assert info.value.table == "t" and info.value.value.endswith("t.xlsx")


@pytest.mark.parametrize("data", [b"id,name\n1,a\n", b"", b"PK\x03\x04broken"])
def test_not_an_xlsx_is_an_input_error(one_table: OneTable, tmp_path: Path, data: bytes) -> None:
    (tmp_path / "t.xlsx").write_bytes(data)
    project, source, table = one_table("excel", {"path": "t.xlsx"})
    with pytest.raises(InputError) as info:
        read_table(project, source, table)
    assert info.value.source == "src" and "t.xlsx" in str(info.value)


def test_parquet_types_become_text(one_table: OneTable, tmp_path: Path) -> None:
    table = pa.table({
        "id": pa.array([1, 2, 3], pa.int64()),
        "name": ["Đà Nẵng", None, ""],
        "area": pa.array([1.0, 2.25, None], pa.float64()),
        "born": pa.array([dt.date(1990, 1, 2), None, dt.date(2000, 12, 31)], pa.date32()),
        "at": pa.array([dt.datetime(2024, 6, 1, 7, 0), None, None], pa.timestamp("s")),
        "price": pa.array([Decimal("10.50"), None, None], pa.decimal128(10, 2)),
        "blob": pa.array([encode("Hà", "tcvn3"), None, None], pa.binary()),
        "tags": pa.array([["a", "b"], None, []], pa.list_(pa.string())),
        "owner": pa.array([{"n": "Lê"}, None, None], pa.struct([("n", pa.string())])),
    })
    pq.write_table(table, tmp_path / "t.parquet", row_group_size=2)
    got = _all(one_table, "parquet", {"path": "t.parquet"})
    rows = got.to_pylist()
    assert [r["_row"] for r in rows] == [1, 2, 3]
    assert (rows[0]["id"], rows[0]["area"], rows[0]["born"], rows[0]["at"], rows[0]["price"]) == (
        "1", "1", "1990-01-02", "2024-06-01T07:00:00", "10.50")
    assert rows[0]["blob"] == cp1252_view(encode("Hà", "tcvn3")) and rows[0]["tags"] == '["a","b"]'
    assert rows[0]["owner"] == '{"n":"Lê"}' and rows[1]["name"] is None and rows[2]["name"] is None
    assert rows[1]["area"] == "2.25" and rows[2]["tags"] == "[]"


def test_damaged_parquet_is_an_input_error(one_table: OneTable, tmp_path: Path) -> None:
    (tmp_path / "t.parquet").write_bytes(b"PAR1 not really")
    project, source, table = one_table("parquet", {"path": "t.parquet"})
    with pytest.raises(InputError, match="t.parquet"):
        read_table(project, source, table)


def _sqlite(path: Path) -> None:
    con = sqlite3.connect(path)
    con.execute('CREATE TABLE "nhân khẩu" (id INTEGER, name TEXT, born DATE, note TEXT, history TEXT)')
    rows = [(2, "Trần B", "1990-01-02", None, '[{"action": "nhận"}, {"action": "trả"}]'),
            (1, "Lê A", "not a date", "x", "[]"),
            (None, "Không khóa", None, None, None),
            (2, "Trần B (trùng)", None, None, '"không phải danh sách"')]
    con.executemany('INSERT INTO "nhân khẩu" VALUES (?, ?, ?, ?, ?)', rows)
    con.execute("INSERT INTO \"nhân khẩu\" VALUES (9, CAST(? AS TEXT), NULL, NULL, NULL)", (encode("Hà", "tcvn3"),))
    con.commit()
    con.close()


def test_sqlite_read_only_in_key_order_with_legacy_bytes(one_table: OneTable, tmp_path: Path) -> None:
    db = tmp_path / "dân cư.sqlite"
    _sqlite(db)
    before = db.read_bytes()
    got = _all(one_table, "sqlite", {"table": "nhân khẩu"}, path=db.name).to_pylist()
    assert [(r["_row"], r["id"]) for r in got] == [(1, None), (2, "1"), (3, "2"), (4, "2"), (5, "9")]
    assert got[2]["name"] == "Trần B" and got[1]["born"] == "not a date"  # no type conversion can fail
    assert got[4]["name"] == cp1252_view(encode("Hà", "tcvn3"))  # TEXT that is not UTF-8: lossless view
    assert db.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == ["dân cư.sqlite"]


def test_sqlite_explode_json_text_and_query(one_table: OneTable, tmp_path: Path) -> None:
    _sqlite(tmp_path / "d.sqlite")
    spec = {"table": "nhân khẩu", "maps_to": "dossier_history",
            "columns": {"explode": "history", "parent_key": "id", "action": "action"}}
    rows = _all(one_table, "sqlite", spec, path="d.sqlite").to_pylist()
    assert [(r["id"], r["_item"], r["action"], (r["_error"] or "")[:10]) for r in rows] == [
        (None, None, None, "not_a_list"), ("2", 0, "nhận", ""), ("2", 1, "trả", ""),
        ("2", None, None, "not_a_list"), ("9", None, None, "not_a_list")]  # id 1 has an empty list: no row
    query = {"query": 'SELECT id, name FROM "nhân khẩu" WHERE id < 3'}
    got = _all(one_table, "sqlite", query, path="d.sqlite")
    assert got.column("id").to_pylist() == ["1", "2", "2"] and got.column_names[4:] == ["id", "name"]


@pytest.mark.parametrize("table, path, match", [({"table": "khong_co"}, "d.sqlite", "khong_co"),
                                                ({"table": "x"}, "mat.sqlite", "mat.sqlite"),
                                                ({"query": "SELECT , FROM"}, "d.sqlite", "syntax error")])
def test_sqlite_errors_name_the_place(one_table: OneTable, tmp_path: Path, table: dict[str, object], path: str,
                                      match: str) -> None:
    _sqlite(tmp_path / "d.sqlite")
    project, source, spec = one_table("sqlite", table, path=path)
    with pytest.raises(InputError, match=match) as info:
        read_table(project, source, spec)
    assert (info.value.source, info.value.table) == ("src", "t")


def test_wrong_dsn_is_an_input_error(one_table: OneTable) -> None:
    project, source, table = one_table("postgresql", {"table": "x"}, dsn="khong phai dsn://:matkhau@")
    with pytest.raises(InputError) as info:
        read_table(project, source, table)
    assert "matkhau" not in str(info.value)


def _old_workbook(path: Path) -> None:
    """:func:`_workbook` saved as Excel 97–2003 (.xls) by xlwt, a writer this project did not write."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("Dữ liệu")
    dates, moment = xlwt.easyxf(num_format_str="DD/MM/YYYY"), xlwt.easyxf(num_format_str="DD/MM/YYYY HH:MM")
    for c, name in enumerate(["id", "name"]):
        sheet.write(0, c, name)
    sheet.write_merge(0, 0, 2, 3, "Ngày sinh")
    for c, name in enumerate(["code", "amount", "flag", "id"], start=4):
        sheet.write(0, c, name)
    row: list[Any] = [1.0, "Lê Văn A", (dt.datetime(1990, 5, 17), dates), (dt.datetime(2024, 6, 1, 8, 30), moment),
                      (123, xlwt.easyxf(num_format_str="00000")), 2.5, True, "x"]
    for c, value in enumerate(row):
        sheet.write(1, c, *(value if isinstance(value, tuple) else (value,)))
    later: list[Any] = [3, "0123", "17/05/1990", (dt.time(7, 5), xlwt.easyxf(num_format_str="HH:MM")), "00042",
                        float(10**15), False, None, None, "stray"]
    for c, value in enumerate(later):  # row 3 of the sheet (index 2) left blank
        if value is not None:
            sheet.write(3, c, *(value if isinstance(value, tuple) else (value,)))
    book.add_sheet("Khác")
    book.save(str(path))


def test_an_old_xls_workbook_reads_as_its_xlsx(one_table: OneTable, tmp_path: Path) -> None:
    """The same sheet as .xlsx (openpyxl) and as .xls (xlwt) gives the same records: _row, cells, merged header,
    padded code, dates, the stray cell beyond the header."""
    _workbook(tmp_path / "t.xlsx")
    _old_workbook(tmp_path / "t.xls")
    new = _all(one_table, "excel", {"path": "t.xlsx", "sheet": "Dữ liệu"})
    old = _all(one_table, "excel", {"path": "t.xls", "sheet": "Dữ liệu"})
    assert old.column_names == new.column_names
    keep = [c for c in new.column_names if c != "_raw"]
    assert old.select(keep).to_pylist() == new.select(keep).to_pylist()
    project, source, table = one_table("excel", {"path": "t.xls", "sheet": "Sheet9"})
    with pytest.raises(InputError, match="Sheet9"):
        list(read_table(project, source, table))
    (tmp_path / "bad.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)  # an OLE header, no book
    project, source, table = one_table("excel", {"path": "bad.xls"})
    with pytest.raises(InputError) as refused:
        list(read_table(project, source, table))
    assert "bad.xls" in str(refused.value) and "xlrd" not in str(refused.value)
