"""The scan's smaller judgements, table by table: where a CSV's header is, what a column's values say, which field a
header names."""

from __future__ import annotations

from pathlib import Path

import pytest

from hopnhat.ingest.headerrow import locate
from hopnhat.link.headers import header_keys
from hopnhat.scan.files import kind_of
from hopnhat.scan.guess import guess_table, match_fields
from hopnhat.scan.sample import Sampled, sample_csv
from hopnhat.scan.values import date_formats, decimal_mark, status_code


def test_a_csv_printed_with_a_title_block_and_column_numbers(tmp_path: Path) -> None:
    path = tmp_path / "ds.csv"
    path.write_text("UBND PHƯỜNG HÒA KHÁNH,,,,\nDANH SÁCH HỘ KINH DOANH,,,,\n,,,,\n"
                    "Mã số thuế,Tên doanh nghiệp,Địa chỉ,Người đại diện,Ngày cấp\n(1),(2),(3),(4),(5)\n"
                    "0401234567,Cửa hàng Hòa Phát,\"12 Âu Cơ, Hòa Khánh\",Lê Văn Phát,03/02/2015\n"
                    "0401234568,Tiệm vàng Kim Thành,\"5 Tôn Đức Thắng, Hòa Khánh\",Phan Thị Kim,17/09/2018\n",
                    encoding="utf-8")
    sampled = sample_csv(path, 100)[0]
    assert (sampled.header_rows, sampled.data_start_row, sampled.rows) == ([4], 6, 2)
    guess = guess_table(sampled)
    assert guess.maps_to == "organization" and guess.source_key == "Mã số thuế"
    assert guess.fields["registered_date"].spec == {"column": "Ngày cấp", "type": "date",
                                                    "formats": ["dd/mm/yyyy", "yyyy", "excel_serial"]}


def test_locate_a_first_row_header_needs_nothing() -> None:
    assert locate([["ma", "ho_ten"], ["1", "An"]]) == (0, False, 1)
    assert locate([["Only one"]]) is None


@pytest.mark.parametrize(("values", "formats", "unsure"), [
    (["01/02/1990", "31/12/1985", "1970"], ["dd/mm/yyyy", "yyyy"], False),
    (["02/13/1990", "05/20/1985"], ["mm/dd/yyyy"], True),
    (["2024-06-01T07:41:39+07:00"], ["iso8601"], False),
    (["35431", "1/1/1997"], ["excel_serial", "dd/mm/yyyy"], False),
    (["hôm qua", "01/02/1990"], ["dd/mm/yyyy"], True),
])
def test_date_formats_from_the_values(values: list[str], formats: list[str], unsure: bool) -> None:
    found, check = date_formats(values)
    assert sorted(found) == sorted(formats) and (check is not None) == unsure


def test_decimal_marks_and_national_statuses() -> None:
    assert decimal_mark(["87,1", "61,4", "100"]) == "," and decimal_mark(["800.1", "12"]) == "."
    assert [status_code(v) for v in ("Mới tiếp nhận", "DaTraKetQua", "Không giải quyết", "7", "???")] == \
        [2, 10, 3, 7, None]


def test_headers_are_read_in_every_casing() -> None:
    assert "so cmnd cccd" in header_keys("SoCMND_CCCD") and "ho ten cha" in header_keys("HoTenCha")
    sampled = Sampled(Path("x.csv"), "csv", "x", columns=["so_cccd", "so_cmnd", "HỌ VÀ TÊN", "NGAY SINH"])
    assert match_fields(sampled, "person") == {"full_name": "HỌ VÀ TÊN", "birth_date": "NGAY SINH", "cccd": "so_cccd",
                                               "cmnd": "so_cmnd"}
    alone = Sampled(Path("x.csv"), "csv", "x", columns=["Số CCCD", "Họ tên"])
    assert match_fields(alone, "person") == {"full_name": "Họ tên", "id_number": "Số CCCD"}


def test_kind_from_the_content_not_the_extension(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text('{"ma": 1}\n{"ma": 2}\n', encoding="utf-8")
    (tmp_path / "b.dat").write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)
    (tmp_path / "c.csv").write_bytes(b"%PDF-1.4\n...")
    assert kind_of(tmp_path / "a.csv").kind == "ndjson" and kind_of(tmp_path / "b.dat").kind == "sqlite"
    pdf = kind_of(tmp_path / "c.csv")
    assert pdf.kind is None and pdf.document


def test_tables_of_one_folder_keep_names_of_their_own(tmp_path: Path) -> None:
    from hopnhat.project.config import load_project
    from hopnhat.scan.api import scan

    data = tmp_path / "dan_cu"
    data.mkdir()
    for name in ("Nhân khẩu.csv", "nhan_khau.csv"):
        (data / name).write_text("Mã,Họ và tên,Ngày sinh\n1,Lê Văn An,01/01/1990\n", encoding="utf-8")
    output = tmp_path / "merger.yaml"
    output.write_text(scan(tmp_path, output).text, encoding="utf-8")
    assert sorted(t.name for t in load_project(output).config.sources[0].tables) == ["nhan_khau", "nhan_khau_2"]


def test_a_column_naming_the_files_of_a_folder_is_the_sources_attachments(tmp_path: Path) -> None:
    from hopnhat.project.config import load_project
    from hopnhat.scan.api import scan

    data = tmp_path / "van_ban"
    (data / "tep").mkdir(parents=True)
    for name in ("12-QĐ-UBND.pdf", "13-CV-UBND.pdf"):
        (data / "tep" / name).write_bytes(b"%PDF-1.4\n%%EOF\n")
    (data / "van_ban.csv").write_text("ma,so_ky_hieu,trich_yeu,ngay_ban_hanh,tep\n"
                                      "1,12/QĐ-UBND,Về việc khen thưởng,02/01/2024,12-QĐ-UBND.pdf\n"
                                      "2,13/CV-UBND,V/v họp giao ban,05/01/2024,13-CV-UBND.pdf\n", encoding="utf-8")
    output = tmp_path / "merger.yaml"
    output.write_text(scan(tmp_path, output).text, encoding="utf-8")
    files = load_project(output).config.files
    assert files.folders == {"van_ban": "van_ban/tep"} and files.columns == {"van_ban": {"van_ban": ["tep"]}}
    assert "# cột chưa ánh xạ" not in output.read_text(encoding="utf-8")


def test_a_tcvn3_header_in_capitals(tmp_path: Path) -> None:
    """TCVN3 writes some capitals on control codes (``Ú`` is 0x01): the draft names such a column with an escape,
    its comments too, and the file loads and passes the run's checks."""
    from hopnhat.ingest.preflight import preflight
    from hopnhat.project.config import load_project
    from hopnhat.scan.api import scan
    from hopnhat.text.legacy import encode

    data = tmp_path / "dan_cu"
    data.mkdir()
    lines = ["MÃ CÔNG DÂN,HỌ VÀ TÊN,NGÀY SINH,ĐỊA CHỈ THƯỜNG TRÚ,SỐ CMND,NƠI LÀM VIỆC CŨ",
             "A1,NGUYỄN VĂN ẤT,01/01/1960,THÔN PHÚ ĐÔNG,205111222,HTX NÔNG NGHIỆP",
             "A2,TRẦN THỊ ỐC,02/02/1970,THÔN PHÚ TÂY,205111333,TRẠM Y TẾ XÃ"]
    (data / "nk.csv").write_bytes(b"\r\n".join(encode(line, "tcvn3") for line in lines) + b"\r\n")
    output = tmp_path / "merger.yaml"
    output.write_text(scan(tmp_path, output).text, encoding="utf-8")
    project = load_project(output)
    preflight(project)
    table = project.config.sources[0].tables[0]
    assert table.encoding == "tcvn3" and table.maps_to == "person"
    assert "\x01" in (table.columns["address"].column or "")
    assert "# cột chưa ánh xạ: NƠI LÀM VIỆC CŨ (=" in output.read_text(encoding="utf-8")


def test_what_a_columns_values_are() -> None:
    from hopnhat.scan.values import value_kind

    assert value_kind(["Nguyễn Văn An", "Trần Thị Bích", "Lê Hoàng"]) == "name"
    assert value_kind(["Hòa Bình", "Tân Phú", "Hoà Vang"]) is None  # places are not people
    assert value_kind(["12/03/2019", "2019-04-05"]) == "date" and value_kind(["1990", "1991"]) is None
    assert value_kind(["049090001234", "205111222"]) == "id_number"
    assert value_kind(["0905 123 456", "+84935123456"]) == "phone"
    assert value_kind(["x"]) is None


def test_a_foxpro_register_with_its_memo(tmp_path: Path) -> None:
    """A FoxPro table written by another library (tests/ingest/dbfwrite.py): names typed in TCVN3 and in VNI, a memo
    file beside it. Its 10-letter field names have no separators (``NGAYSINH``): they are compared letter for letter."""
    from tests.ingest.dbfwrite import register

    from hopnhat.ingest.preflight import preflight
    from hopnhat.project.config import load_project
    from hopnhat.scan.api import scan

    data = tmp_path / "ho_tich"
    data.mkdir()
    register(data)
    output = tmp_path / "merger.yaml"
    draft = scan(tmp_path, output)
    output.write_text(draft.text, encoding="utf-8")
    project = load_project(output)
    preflight(project)
    source = project.config.sources[0]
    table = source.tables[0]
    assert (source.kind, table.maps_to, table.source_key and table.source_key.column) == ("dbf", "person", "MA")
    assert (table.encoding, table.column_encodings) == ("tcvn3", {"HOTENVNI": "vni"})
    read = {f: s.column for f, s in table.columns.items()}
    assert {f: read.get(f) for f in ("full_name", "birth_date", "sex", "birth_place")} == {
        "full_name": "HOTEN", "birth_date": "NGAYSINH", "sex": "GIOITINH", "birth_place": "NOISINH"}
    memo = next(f for f in draft.files if f.found.path.suffix == ".fpt")
    assert memo.skipped and "memo" in (memo.found.reason or "")
