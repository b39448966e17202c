"""What an export says it holds (``declared_total:``): a portal's API dump (``data.total`` beside ``data.items``, its
page and page size), an exchange file's ``<DanhSach TongSo="812">`` or ``<TongSo>``, an Excel report's footer
"Tổng cộng: 1.234 hồ sơ" — found by a second, cheap read and its records counted as the readers read them."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from tests.ingest.conftest import OneTable

from hopnhat.errors import ConfigError
from hopnhat.ingest import jsonfile, read_table
from hopnhat.ingest.cells import parse_count
from hopnhat.ingest.declared import (
    Paging,
    XmlCount,
    find_json_count,
    find_xml_count,
    json_declared,
    table_declared,
    xml_declared,
)
from hopnhat.ingest.footer import footer_total
from hopnhat.ingest.preflight import declared_notices
from hopnhat.ingest.xmlfile import XmlReader
from hopnhat.project.config import load_project

ITEMS = [{"maHoSo": f"000.00.15.H48-250612-{n:04d}", "chuHoSo": {"hoTen": name}, "ghiChu": note}
         for n, (name, note) in enumerate([("Nguyễn Thị Hoà", "đã nhận, chờ bổ sung [giấy tờ]"),
                                           ("Trần Văn Đức", 'ghi "khẩn", có dấu phẩy, ngoặc {'),
                                           ("Lê Thị Bích Ngọc", "]} ,"), ("Phạm Văn Tỵ", "\\ cuối")], start=1)]


def _dump(items: list[Any], total: Any, page: int = 1, size: int = 100, before: bool = False) -> bytes:
    paging = {"page": page, "pageSize": size, "total": total}
    data = {**paging, "items": items} if before else {"items": items, **paging}
    return json.dumps({"success": True, "data": data}, ensure_ascii=False, indent=1).encode("utf-8")


def test_counts_are_read_as_vietnamese_reports_write_them() -> None:
    cases = {"812": 812, "1.234": 1234, "12.345.678": 12345678, "1,234": 1234, "1 234": 1234, 15: 15, 7.0: 7,
             "12.5": None, "-3": None, -3: None, "nhiều": None, True: None, None: None, "1.23": None}
    assert {k: parse_count(k) for k in cases} == cases


def test_an_api_dump_of_the_first_page_says_how_many_pages_exist() -> None:
    found = json_declared(io.BytesIO(_dump(ITEMS, 12_345, size=4)), "data.items", "data.total")
    assert (found.value, found.records, found.where, found.problem) == (12_345, 4, "data.total", None)
    assert found.paging == Paging(1, 4, 3087) and found.paging.more_pages()
    before = json_declared(io.BytesIO(_dump(ITEMS, "1.234", before=True)), "data.items", "data.total")
    assert (before.value, before.text, before.records) == (1234, "1.234", 4)
    assert before.paging == Paging(1, 100, 13)


def test_a_dump_without_its_count_or_cut_before_it_says_so() -> None:
    whole = _dump(ITEMS, 4)
    cut = json_declared(io.BytesIO(whole[:whole.index(b"0003")]), "data.items", "data.total")
    assert cut.value is None and cut.records == 3 and "cut" in (cut.problem or "") or "cắt" in (cut.problem or "")
    after_second = whole.index(b"}", whole.index(b"}", whole.index(b"0002")) + 1) + 1  # right after element 2
    assert whole[after_second - 1:after_second] == b"}"
    ends = json_declared(io.BytesIO(whole[:after_second]), "data.items", "data.total")
    rows = list(jsonfile.json_records(io.BytesIO(whole[:after_second]), ["data", "items"]))
    assert ends.records == len(rows) == 3 and rows[-1].error is not None and rows[-1].error.startswith("truncated")
    none = json_declared(io.BytesIO(_dump(ITEMS, "nhiều")), "data.items", "data.total")
    assert none.value is None and none.records == 4 and none.problem is not None and "nhiều" in none.problem


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(items=st.lists(st.one_of(st.dictionaries(st.sampled_from(["a", "b", "[", "}"]),
                                                st.text(alphabet='ab,[]{}"\\ ạĐ')),
                                st.text(alphabet='x,]["\\'), st.integers(), st.none(), st.lists(st.text(max_size=3))),
                      max_size=30),
       chunk=st.integers(min_value=1, max_value=40))
def test_the_count_is_the_readers_rows_whatever_the_strings_and_chunks(items: list[Any], chunk: int,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Strings full of brackets, quotes and commas, chunks cut anywhere: the scan counts what the reader reads."""
    monkeypatch.setattr(jsonfile, "CHUNK", chunk)
    data = _dump(items, len(items))
    found = json_declared(io.BytesIO(data), "data.items", "data.total")
    rows = list(jsonfile.json_records(io.BytesIO(data), ["data", "items"]))
    assert found.records == len(rows) == len(items) and found.value == len(items)
    start, end = data.index(b"["), data.rindex(b"]")  # a transfer cut anywhere inside the records
    for at in range(start + 1, end, max(1, (end - start) // 15)):
        cut = json_declared(io.BytesIO(data[:at]), "data.items", "data.total")
        assert cut.value is None and cut.records == len(list(jsonfile.json_records(io.BytesIO(data[:at]),
                                                                                     ["data", "items"]))), at


XML = """<?xml version="1.0" encoding="utf-8"?>
<DanhSach TongSo="{attr}" NgayXuat="30/06/2025">
 <ThongTinXuat HeThong="Một cửa điện tử"/>
 <HoSo Ma="H49-1"><HoTen>Nguyễn Thị Hoà</HoTen><HoSo>không phải bản ghi</HoSo></HoSo>
 <HoSo Ma="H49-2"><HoTen>Trần Văn Đức</HoTen></HoSo>
 <HoSo Ma="H49-3"><HoTen>Lê Thị Bích Ngọc</HoTen></HoSo>
 <TongSo>{element}</TongSo>
</DanhSach>
"""


def test_an_xml_export_declares_its_count_as_an_attribute_or_an_element() -> None:
    data = XML.format(attr="812", element="1.000").encode("utf-8")
    attr = xml_declared(io.BytesIO(data), "DanhSach/HoSo", "DanhSach/@TongSo")
    element = xml_declared(io.BytesIO(data), "DanhSach/HoSo", "DanhSach/TongSo")
    assert (attr.value, attr.records, element.value, element.text) == (812, 3, 1000, "1.000")
    missing = xml_declared(io.BytesIO(data), "DanhSach/HoSo", "DanhSach/@SoLuong")
    assert missing.value is None and missing.problem is not None and missing.records == 3
    cut = xml_declared(io.BytesIO(data[:data.index(b"H49-3") + 20]), "DanhSach/HoSo", "DanhSach/TongSo")
    assert cut.value is None and cut.records == 3  # two whole records and the cut rest, as the reader reads it


COUNTED = """<?xml version="1.0" encoding="utf-8"?>
<DanhSach NgayXuat="30/06/2025">
 <HoSo Ma="H49-1"><HoTen>Nguyễn Thị Hoà</HoTen></HoSo>
 <HoSo Ma="H49-2"><HoTen>Trần Văn Đức</HoTen></HoSo>
 <TongSo>1.000</TongSo>
 <HoSo Ma="H49-3"><HoTen>Lê Thị Bích Ngọc</HoTen></HoSo>
</DanhSach>
""".encode()


def _read_xml(data: bytes, total: str) -> tuple[int, Any]:
    """The rows the reader reads and the count it saw while streaming them (as a run takes it)."""
    count = XmlCount(total)
    reader = XmlReader(io.BytesIO(data), ["DanhSach", "HoSo"], count)
    rows = sum(1 for _ in reader.records())
    return rows, count.declared(rows, reader.broken)


@pytest.mark.parametrize(("cut", "value", "records"), [
    (COUNTED.index(b"1.000") + 3, None, 3),  # inside the count: `<TongSo>1.0` is no count
    (COUNTED.index(b"</TongSo>") + 12, 1000, 3),  # after it, inside the next record: the count stands
    (len(COUNTED), 1000, 3),  # whole
])
def test_an_xml_export_cut_inside_or_after_its_count(cut: int, value: int | None, records: int) -> None:
    """One pull loop: what was whole before the cut is read — by the count, the scan's draft and the reader alike."""
    data = COUNTED[:cut]
    found = xml_declared(io.BytesIO(data), "DanhSach/HoSo", "DanhSach/TongSo")
    assert (found.value, found.records) == (value, records)
    assert (found.problem is None) == (value is not None)
    assert find_xml_count(io.BytesIO(data), ["DanhSach", "HoSo"]) == (None if value is None else "DanhSach/TongSo")
    assert _read_xml(data, "DanhSach/TongSo") == (records, found)  # a run's own read finds the same


def test_a_syntax_error_after_the_count_leaves_it_found_by_the_draft_too() -> None:
    """Before session 27 the scan's loop dropped the events parsed before a syntax error and drafted nothing."""
    broken = COUNTED.replace(b'<HoSo Ma="H49-3">', b'<HoSo Ma="H49-3"<<')
    found = xml_declared(io.BytesIO(broken), "DanhSach/HoSo", "DanhSach/TongSo")
    assert (found.value, found.records) == (1000, 3)  # two records and the reader's bad_xml row
    assert find_xml_count(io.BytesIO(broken), ["DanhSach", "HoSo"]) == "DanhSach/TongSo"
    assert _read_xml(broken, "DanhSach/TongSo") == (3, found)
    attribute = XML.format(attr="812", element="3").encode("utf-8")
    assert _read_xml(attribute, "DanhSach/@TongSo")[1] == xml_declared(io.BytesIO(attribute), "DanhSach/HoSo",
                                                                       "DanhSach/@TongSo")


def test_the_scan_drafts_a_count_beside_the_records() -> None:
    data = XML.format(attr="812", element="3").encode("utf-8")
    assert find_xml_count(io.BytesIO(data), ["DanhSach", "HoSo"]) == "DanhSach/@TongSo"
    assert find_xml_count(io.BytesIO(data.replace(b' TongSo="812"', b"")), ["DanhSach", "HoSo"]) == "DanhSach/TongSo"
    assert find_json_count(io.BytesIO(_dump(ITEMS, 4)), ["data", "items"]) == "data.total"
    assert find_json_count(io.BytesIO(json.dumps({"data": {"items": ITEMS}}).encode()), ["data", "items"]) is None


def test_a_footer_row_is_told_by_its_cells() -> None:
    assert footer_total(["Tổng cộng: 1.234 hồ sơ"]) == ("1.234", 1234)
    assert footer_total(["TỔNG SỐ:", None, "812"]) == ("812", 812)
    assert footer_total(["Cộng", "12 người"]) == ("12", 12)
    for row in (["Nguyễn Văn Tổng", "12"], ["Tổng cộng"], ["H48-1", "Tổng cộng: 3"], ["Tổng cộng: nhiều"]):
        assert footer_total(row) is None, row


def _report(path: Path, names: list[str], footer: list[Any]) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["Mã hồ sơ", "Họ và tên", "Ngày nhận"])
    for n, name in enumerate(names, start=1):
        sheet.append([f"H48-{n}", name, "12/06/2025"])
    sheet.append(footer)
    sheet.merge_cells(f"A{len(names) + 2}:B{len(names) + 2}")
    book.save(path)


def _excel_rows(one_table: OneTable, path: Path, **table: Any) -> list[dict[str, Any]]:
    project, source, spec = one_table("excel", {"path": str(path), "columns": {"source_key": "Mã hồ sơ",
                                                                                "full_name": "Họ và tên"}, **table})
    return pa.concat_tables(list(read_table(project, source, spec))).to_pylist()


def test_an_excel_footer_total_is_never_a_record(tmp_path: Path, one_table: OneTable) -> None:
    path = tmp_path / "bao_cao.xlsx"
    _report(path, ["Nguyễn Thị Hoà", "Trần Văn Đức"], ["Tổng cộng: 3 hồ sơ", None, None])
    quarantined = _excel_rows(one_table, path)  # without declared_total: a row, quarantined for what it is
    assert [r["_error"] for r in quarantined] == [None, None, "footer_total: the report's footer total, not a "
                                                  "record (declared_total: footer compares it with the rows read)"]
    declared = _excel_rows(one_table, path, declared_total="footer")
    assert [r["Mã hồ sơ"] for r in declared] == ["H48-1", "H48-2"]  # the footer is the count, not a row
    project, source, spec = one_table("excel", {"path": str(path), "declared_total": "footer",
                                                "columns": {"source_key": "Mã hồ sơ", "full_name": "Họ và tên"}})
    found = table_declared(project, source, spec)
    assert found is not None and (found.value, found.records, found.text) == (3, 2, "3")
    assert found.where in ("dòng 4", "row 4")
    assert declared_notices(project) == []  # an Excel report's count is judged from the load's own read, not before


def _merger(tmp_path: Path, table: dict[str, Any], kind: str = "json") -> Path:
    spec = {"name": "ho_so", "maps_to": "person", "columns": {"source_key": "maHoSo"}, **table}
    doc = {"merged_unit": {"province_code": "48", "name": "Thành phố Đà Nẵng"},
           "sources": [{"name": "dvc", "system": "Cổng DVC", "kind": kind, "tables": [spec]}]}
    path = tmp_path / "merger.yaml"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.mark.parametrize(("kind", "table", "word"), [
    ("dbf", {"path": "a.dbf", "declared_total": "footer"}, "json, xml, excel or csv"),
    ("csv", {"path": "a.csv", "declared_total": "data.total"}, "for csv write 'footer'"),
    ("json", {"path": "a.json", "declared_total": "data.total"}, "needs 'records'"),
    ("json", {"path": "a.json", "records": "data.items", "declared_total": "data.items.total"}, "outside the records"),
    ("xml", {"path": "a.xml", "records": "DanhSach/HoSo", "declared_total": "Khac/@TongSo"}, "outside the records"),
    ("excel", {"path": "a.xlsx", "declared_total": "A10"}, "write 'footer'"),
    ("json", {"path": "a.json", "records": "data.items", "accept_short": {"declared": 9, "read": 4,
                                                                          "reason": "trang đầu để thử"}},
     "does not set"),
])
def test_a_declared_total_that_cannot_be_is_refused_naming_the_table(tmp_path: Path, kind: str,
                                                                     table: dict[str, Any], word: str) -> None:
    from hopnhat.i18n import set_language

    set_language("en")
    try:
        with pytest.raises(ConfigError) as caught:
            load_project(_merger(tmp_path, table, kind))
    finally:
        set_language("vi")
    assert word in caught.value.render() and "ho_so" in caught.value.render()
