"""XML exports (``kind: xml``, ``records: DanhSach/HoSo``) through ``read_table``: a dossier system's export read as
its golden file; its declared encoding honoured (Windows-1258 with the tone as a combining mark, UTF-16, TCVN3 text
declared Windows-1252 reaching repair as a CSV cell would); hostile documents (XXE, billion laughs) refused without
resolving anything; malformed XML refused before the first record, the rest one quarantined row after it."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.ingest.conftest import OneTable
from tests.ingest.refusals import in_both_languages
from tests.text.independent import font_view

from hopnhat.errors import InputError
from hopnhat.i18n import set_language
from hopnhat.ingest import read_table
from hopnhat.ingest.preflight import preflight
from hopnhat.io.inputs import sniff
from hopnhat.project.config import load_project
from hopnhat.text.legacy import encode

GOLDEN = Path(__file__).parent / "golden" / "xml_dossiers.json"
MAPPING = {"source_key": "@MaHoSo", "full_name": {"json": "NguoiNop.HoTen"}}
DOSSIERS = """<?xml version="1.0" encoding="utf-8"?>
<!-- Xuất từ Hệ thống thông tin giải quyết TTHC tỉnh Quảng Nam -->
<DanhSachHoSo xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" NgayXuat="2025-06-30">
  <ThongTin><TongSo>3</TongSo></ThongTin>
  <HoSo MaHoSo="000.00.15.H49-250612-0001" TrangThai="4">
    <TenTTHC>Đăng ký khai sinh</TenTTHC>
    <NguoiNop loai="CaNhan"><HoTen>Nguyễn Thị Hoà</HoTen><SoGiayTo>049190001234</SoGiayTo></NguoiNop>
    <GiayTo>Tờ khai đăng ký khai sinh</GiayTo>
    <GiayTo>Giấy chứng sinh</GiayTo>
    <GhiChu/>
    <NgayHenTra xsi:nil="true"></NgayHenTra>
  </HoSo>
  <HoSo MaHoSo="000.00.15.H49-250612-0002" TrangThai="10">
    <TenTTHC>Chứng thực bản sao từ bản chính</TenTTHC>
    <NguoiNop loai="ToChuc"><HoTen>Công ty TNHH Phú Hưng</HoTen></NguoiNop>
    <GiayTo>Bản chính &amp; bản sao</GiayTo>
    <GhiChu>Trả kết quả qua <b>bưu điện</b> công ích</GhiChu>
    <QuaTrinh><Buoc ThoiDiem="2025-06-12T08:00"><CanBo>Lê Văn Tám</CanBo></Buoc>
      <Buoc ThoiDiem="2025-06-13T10:30"><CanBo>Phạm Thị Dung</CanBo></Buoc></QuaTrinh>
  </HoSo>
  <HoSo MaHoSo="000.00.15.H49-250613-0003"><![CDATA[hồ sơ <giấy> nộp trực tuyến]]></HoSo>
</DanhSachHoSo>
"""


def _rows(one_table: OneTable, path: Path, records: str = "DanhSachHoSo/HoSo") -> list[dict[str, Any]]:
    project, source, table = one_table("xml", {"path": str(path), "records": records, "columns": MAPPING})
    return pa.concat_tables(list(read_table(project, source, table))).to_pylist()


def _refusal(one_table: OneTable, path: Path, records: str = "DanhSachHoSo/HoSo") -> dict[str, InputError]:
    return in_both_languages(lambda: _rows(one_table, path, records))


def test_a_dossier_export_reads_as_its_golden_file(tmp_path: Path, one_table: OneTable) -> None:
    path = tmp_path / "hoso.xml"
    path.write_text(DOSSIERS, encoding="utf-8")
    rows = _rows(one_table, path)
    if os.environ.get("HOPNHAT_UPDATE_GOLDEN") or not GOLDEN.exists():
        GOLDEN.write_text(json.dumps(rows, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    assert rows == json.loads(GOLDEN.read_text(encoding="utf-8"))


def test_fields_follow_the_documented_rule(tmp_path: Path, one_table: OneTable) -> None:
    path = tmp_path / "hoso.xml"
    path.write_text(DOSSIERS, encoding="utf-8")
    first, second, third = _rows(one_table, path)
    assert [r["_row"] for r in (first, second, third)] == [1, 2, 3]  # ordinals of the HoSo elements
    assert (first["@MaHoSo"], first["@TrangThai"], first["TenTTHC"]) == ("000.00.15.H49-250612-0001", "4",
                                                                           "Đăng ký khai sinh")
    assert json.loads(first["NguoiNop"]) == {"@loai": "CaNhan", "HoTen": "Nguyễn Thị Hoà", "SoGiayTo": "049190001234"}
    assert json.loads(first["GiayTo"]) == ["Tờ khai đăng ký khai sinh", "Giấy chứng sinh"]  # repeated: a list
    assert first["GhiChu"] is None and json.loads(first["NgayHenTra"]) == {"@nil": "true"}
    assert second["GiayTo"] == "Bản chính & bản sao"
    assert json.loads(second["GhiChu"]) == {"b": "bưu điện", "#text": "Trả kết quả qua  công ích"}
    assert [s["CanBo"] for s in json.loads(second["QuaTrinh"])["Buoc"]] == ["Lê Văn Tám", "Phạm Thị Dung"]
    assert third["#text"] == "hồ sơ <giấy> nộp trực tuyến" and third["_raw"].startswith("<HoSo ")
    assert "ThongTin" not in first and "TongSo" not in first  # outside the records: not read


# --- encodings -----------------------------------------------------------------------------------------------------

NAMES = ("Nguyễn Thị Hoà", "Trần Văn Đức", "Huỳnh Thị Mỹ Lệ")


def _document(names: tuple[str, ...], declaration: str) -> str:
    items = "".join(f'<HoSo MaHoSo="{n}"><NguoiNop><HoTen>{escape(name)}</HoTen></NguoiNop></HoSo>\n'
                    for n, name in enumerate(names, start=1))
    return f'<?xml version="1.0"{declaration}?>\n<DanhSachHoSo>\n{items}</DanhSachHoSo>\n'


def _names(rows: list[dict[str, Any]]) -> list[str]:
    return [json.loads(r["NguoiNop"])["HoTen"] for r in rows]


def test_windows_1258_with_combining_tones_reads_as_composed_text(tmp_path: Path, one_table: OneTable) -> None:
    path = tmp_path / "hoso.xml"
    text = _document(NAMES, ' encoding="windows-1258"')
    path.write_bytes(encode(text, "cp1258-decomposed"))
    assert b"\xea\xde" in path.read_bytes()  # ễ as Windows-1258 wrote it: ê, then the combining tilde
    assert _names(_rows(one_table, path)) == list(NAMES)


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le"])
def test_utf16_with_or_without_its_byte_order_mark(codec: str, tmp_path: Path, one_table: OneTable) -> None:
    path = tmp_path / "hoso.xml"
    path.write_bytes(_document(NAMES, ' encoding="UTF-16"').encode(codec))
    assert sniff(path.read_bytes()) == "xml"
    assert _names(_rows(one_table, path)) == list(NAMES)


@pytest.mark.parametrize("declaration", [' encoding="windows-1252"', ' encoding="ISO-8859-1"', ' encoding="TCVN3"'])
def test_tcvn3_text_declared_western_reaches_repair_as_a_csv_cell_would(declaration: str, tmp_path: Path,
                                                                         one_table: OneTable) -> None:
    legacy = ("VŨ THỊ ỨNG", "Trần Văn Đức", "LÝ VĂN TỪ")  # TCVN3's Ụ Ứ Ý Ừ are control bytes XML forbids
    raw = [encode(name, "tcvn3") for name in legacy]
    assert any(b < 0x20 for b in raw[0])
    items = b"".join(b'<HoSo MaHoSo="%d"><NguoiNop><HoTen>%s</HoTen></NguoiNop></HoSo>' % (n, name)
                     for n, name in enumerate(raw, start=1))
    path = tmp_path / "hoso.xml"
    path.write_bytes(f'<?xml version="1.0"{declaration}?>'.encode() + b"<DanhSachHoSo>" + items + b"</DanhSachHoSo>")
    assert _names(_rows(one_table, path)) == [font_view(r, "tcvn3") for r in raw]


def test_utf8_with_a_legacy_value_reads_that_value_as_a_csv_cell_would(tmp_path: Path, one_table: OneTable) -> None:
    vni = encode("Lê Thị Thu", "vni")
    body = _document(("Nguyễn Thị Hoà", "@@"), "").encode("utf-8").replace(b"@@", vni)
    path = tmp_path / "hoso.xml"
    path.write_bytes(body)
    assert _names(_rows(one_table, path)) == ["Nguyễn Thị Hoà", font_view(vni, "vni")]


# --- hostile and broken documents ----------------------------------------------------------------------------------

def test_an_external_entity_is_refused_and_never_read(tmp_path: Path, one_table: OneTable) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("MẬT KHẨU", encoding="utf-8")
    path = tmp_path / "hoso.xml"
    path.write_text(f'<?xml version="1.0"?>\n<!DOCTYPE DanhSachHoSo [<!ENTITY x SYSTEM "file://{secret}">]>\n'
                    "<DanhSachHoSo><HoSo MaHoSo=\"1\"><NguoiNop><HoTen>&x;</HoTen></NguoiNop></HoSo></DanhSachHoSo>",
                    encoding="utf-8")
    error = _refusal(one_table, path)
    assert error["en"].reason == "the document declares an entity <!ENTITY x>: refused"
    assert "XXE" in (error["en"].hint or "") and "MẬT" not in str(error["en"])


def test_a_billion_laughs_is_refused_at_once(tmp_path: Path, one_table: OneTable) -> None:
    lol = ['<!ENTITY lol0 "lol">'] + [f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)]
    path = tmp_path / "hoso.xml"
    path.write_text(f'<?xml version="1.0"?><!DOCTYPE DanhSachHoSo [{"".join(lol)}]>'
                    '<DanhSachHoSo><HoSo MaHoSo="1"><GhiChu>&lol9;</GhiChu></HoSo></DanhSachHoSo>', encoding="utf-8")
    started = time.perf_counter()
    error = _refusal(one_table, path)
    assert time.perf_counter() - started < 5
    assert error["en"].reason is not None and "<!ENTITY lol0>" in error["en"].reason


def test_a_doctype_naming_an_outside_dtd_is_read_without_loading_it(tmp_path: Path, one_table: OneTable) -> None:
    path = tmp_path / "hoso.xml"
    path.write_text('<?xml version="1.0"?>\n<!DOCTYPE DanhSachHoSo SYSTEM "http://192.0.2.1/hoso.dtd">\n'
                    + _document(NAMES, "").split("\n", 1)[1], encoding="utf-8")
    assert _names(_rows(one_table, path)) == list(NAMES)


def test_malformed_before_the_first_record_is_refused_with_line_and_column(tmp_path: Path,
                                                                            one_table: OneTable) -> None:
    path = tmp_path / "hoso.xml"
    path.write_text('<?xml version="1.0"?>\n<DanhSachHoSo>\n  <HoSo MaHoSo="1"><Ten>A</Ten></HoSo x="1">\n',
                    encoding="utf-8")
    error = _refusal(one_table, path)
    assert error["en"].reason == "line 3, column 39: expected '>'" and error["en"].value == str(path)
    assert error["vi"].reason == "dòng 3, cột 39: expected '>'" and error["vi"].message == "Không đọc được tệp XML"


def test_malformed_after_records_keeps_them_and_quarantines_the_rest(tmp_path: Path, one_table: OneTable) -> None:
    text = _document(NAMES, "")
    path = tmp_path / "hoso.xml"
    path.write_text(text[:text.index("Huỳnh")], encoding="utf-8")  # cut inside the third record
    rows = _rows(one_table, path)
    assert _names(rows[:2]) == list(NAMES[:2]) and [r["_error"] for r in rows[:2]] == [None, None]
    assert len(rows) == 3 and rows[2]["_error"].startswith("bad_xml: line 5, column ")
    assert rows[2]["_error"].endswith("(the rest of the file is not read)")


@pytest.mark.parametrize(("records", "found"), [
    ("DanhSach/HoSo", "at the top of the document: the root element <DanhSachHoSo>"),
    ("DanhSachHoSo/HoSoo", "at DanhSachHoSo: no <HoSoo> element among its children (HoSo)"),
    ("DanhSachHoSo/HoSo/Buoc", "at DanhSachHoSo/HoSo: no <Buoc> element among its children (NguoiNop)"),
])
def test_a_path_to_no_element_is_refused_naming_what_is_there(records: str, found: str, tmp_path: Path,
                                                               one_table: OneTable) -> None:
    path = tmp_path / "hoso.xml"
    path.write_text(_document(NAMES, ""), encoding="utf-8")
    error = _refusal(one_table, path, records)
    assert error["en"].reason == f"records = {records}: {found}"


def test_preflight_reads_up_to_the_first_record(tmp_path: Path) -> None:
    (tmp_path / "hoso.xml").write_text("<DanhSachHoSo><HoSo MaHoSo='1'></DanhSachHoSo>", encoding="utf-8")
    (tmp_path / "merger.yaml").write_text(
        "version: 1\nmerged_unit: {province_code: '48', name: Thành phố Đà Nẵng}\nsources:\n"
        "- {name: tthc, system: TTHC, kind: xml, tables: [{name: ho_so, path: hoso.xml, records: DanhSachHoSo/HoSo,\n"
        "   maps_to: person, columns: {source_key: '@MaHoSo'}}]}\n", encoding="utf-8")
    set_language("en")
    try:
        with pytest.raises(InputError) as caught:
            preflight(load_project(tmp_path / "merger.yaml"))
    finally:
        set_language("vi")
    assert (caught.value.reason or "").startswith("line 1, column ")


_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Co")), max_size=10)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(records=st.lists(st.tuples(_TEXT, st.lists(st.sampled_from(["A", "B", "C"]), max_size=4)), max_size=15),
       noise=st.lists(st.sampled_from(["<Meta/>", "<!-- ghi chú -->", "<TongSo>9</TongSo>"]), max_size=3))
def test_every_record_element_is_one_row_with_its_text(records: list[tuple[str, list[str]]], noise: list[str],
                                                       tmp_path: Path, one_table: OneTable) -> None:
    body = "".join(f"<HoSo MaHoSo='{i}'>" + "".join(f"<{c}>{escape(text)}</{c}>" for c in children) + "</HoSo>"
                   + (noise[i % len(noise)] if noise else "") for i, (text, children) in enumerate(records))
    path = tmp_path / "hoso.xml"
    path.write_text(f"<DanhSachHoSo>{''.join(noise)}{body}</DanhSachHoSo>", encoding="utf-8")
    if not records:
        with pytest.raises(InputError):
            _rows(one_table, path)
        return
    rows = _rows(one_table, path)
    assert [r["@MaHoSo"] for r in rows] == [str(i) for i in range(len(records))]
    assert all(r["_error"] is None for r in rows)
    for row, (text, children) in zip(rows, records, strict=True):
        for child in set(children):
            value = [text or None] * children.count(child)
            got = row[child] if children.count(child) == 1 else json.loads(row[child])
            assert got == (value[0] if len(value) == 1 else value)
