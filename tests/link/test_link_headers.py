"""A clerk's list as it comes: columns named in Vietnamese, the name in parts, the CMND beside the CCCD."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pytest
from typer.testing import CliRunner

from hopnhat.cli.link import app as link_app
from hopnhat.errors import InputError
from hopnhat.link.headers import header_key, resolve
from hopnhat.link.standalone import _column, link_people, resolve_columns
from hopnhat.link.truth import person_rows

REGISTER = ["STT", "Họ và tên", "Ngày sinh (dd/mm/yyyy)", "Giới tính", "Số CMND", "Số CCCD", "SĐT",
            "Nơi thường trú", "Nơi ở hiện nay", "Quê quán", "Nơi sinh", "Họ tên cha", "Họ tên mẹ"]


def test_headers_are_compared_folded() -> None:
    assert header_key("Ngày sinh (dd/mm/yyyy)") == "ngay sinh"
    assert header_key("SỐ CMND/CCCD (*)") == "so cmnd cccd"
    assert header_key("  Điện thoại  ") == "dien thoai"
    assert header_key("ĐỊA_CHỈ") == "dia chi"


def test_a_register_s_headers() -> None:
    found = resolve(REGISTER, {})
    assert found.read == {"full_name": ("Họ và tên",), "dob": ("Ngày sinh (dd/mm/yyyy)",), "sex": ("Giới tính",),
                          "id_number": ("Số CCCD", "Số CMND"), "phone": ("SĐT",), "address": ("Nơi thường trú",)}
    assert found.unused == {"address": ("Nơi ở hiện nay",)}  # matched, reported, not read
    assert found.recognised == frozenset(found.read)
    # a father's name, a home town, a birthplace and a row number are never read as the person's
    read = {c for cols in found.read.values() for c in cols}
    assert not read & {"Họ tên cha", "Họ tên mẹ", "Quê quán", "Nơi sinh", "STT"}


def test_unaccented_capital_headers() -> None:
    found = resolve(["HO TEN", "NAM SINH", "GIOI TINH", "SO DINH DANH", "DIEN THOAI", "DIA CHI"], {})
    assert found.read["full_name"] == ("HO TEN",) and found.read["dob"] == ("NAM SINH",)
    assert found.read["id_number"] == ("SO DINH DANH",) and found.read["phone"] == ("DIEN THOAI",)


def test_the_full_date_is_preferred_to_the_year() -> None:
    assert resolve(["Họ tên", "Năm sinh", "Ngày sinh"], {}).read["dob"] == ("Ngày sinh",)


def test_renamed_and_key_named_columns_win() -> None:
    found = resolve(["full_name", "Họ và tên", "Ngày sinh", "Năm sinh", "address"], {"dob": "Năm sinh"})
    assert found.read == {"full_name": ("full_name",), "dob": ("Năm sinh",), "address": ("address",)}
    assert found.recognised == frozenset()


def test_a_name_in_parts() -> None:
    assert resolve(["Họ", "Chữ đệm", "Tên", "Ngày sinh"], {}).read["full_name"] == ("Họ", "Chữ đệm", "Tên")
    assert resolve(["Họ", "Tên"], {}).read["full_name"] == ("Họ", "Tên")
    assert resolve(["Họ và tên đệm", "Tên"], {}).read["full_name"] == ("Họ và tên đệm", "Tên")
    assert resolve(["Last name", "Middle name", "First name"], {}).read["full_name"] == (
        "Last name", "Middle name", "First name")


@pytest.mark.parametrize("headers", [["Tên", "Ngày sinh"], ["Họ", "Ngày sinh"], ["Họ tên cha", "Ngày sinh"], []])
def test_no_name_is_a_clear_error(headers: list[str]) -> None:
    with pytest.raises(InputError) as caught:
        resolve(headers, {})
    assert "full_name" in str(caught.value) and all(h in str(caught.value) for h in headers)


def test_bad_renames_are_named() -> None:
    with pytest.raises(InputError, match="nickname"):
        resolve(["Họ tên"], {"nickname": "Họ tên"})
    with pytest.raises(InputError, match="Sinh"):
        resolve(["Họ tên"], {"dob": "Sinh"})


def test_parts_are_joined_skipping_blank_cells() -> None:
    table = pa.table({"Họ": ["Nguyễn", "Rơ Mah", " ", None], "Chữ đệm": ["Văn", "", None, "Thị"],
                      "Tên": ["An", "Hmun", "Lan", None], "Số CCCD": ["034090012345", None, "", None],
                      "Số CMND": ["201234567", "230111222", "", None]})
    columns = resolve_columns(table, {})
    assert _column(table, columns.get("full_name")).to_pylist() == ["Nguyễn Văn An", "Rơ Mah Hmun", "Lan", "Thị"]
    assert _column(table, columns.get("id_number"), " / ").to_pylist() == [
        "034090012345 / 201234567", "230111222", None, None]


def _register(people: pa.Table) -> pa.Table:
    """The estate's people as a register exports them: the name in three columns, the old CMND in a column beside
    the CCCD, Vietnamese headers."""
    words = [(n or "").split() for n in people.column("full_name").to_pylist()]
    ids = people.column("id_number").to_pylist()
    cccd = [i if i and len(i) == 12 else None for i in ids]
    cmnd = [i if i and len(i) != 12 else None for i in ids]
    return pa.table({
        "STT": [str(i + 1) for i in range(people.num_rows)],
        "Họ": [w[0] if w else None for w in words],
        "Chữ đệm": [" ".join(w[1:-1]) or None if len(w) > 2 else None for w in words],
        "Tên": [w[-1] if len(w) > 1 else None for w in words],
        "Ngày sinh": people.column("dob"), "Giới tính": people.column("sex"),
        "Số CCCD": cccd, "Số CMND": cmnd, "Điện thoại": people.column("phone"),
        "Địa chỉ thường trú": people.column("address"), "Quê quán": people.column("address"),
    })


def test_a_register_links_as_the_same_list_with_the_tool_s_names(estate: Path) -> None:
    people = person_rows(estate).select(["full_name", "dob", "sex", "id_number", "phone", "address"])
    spaced = pa.array([" ".join((n or "").split()) or None for n in people.column("full_name").to_pylist()])
    people = people.set_column(0, "full_name", spaced)
    register = _register(people)
    assert resolve_columns(register, {}).read["id_number"] == ("Số CCCD", "Số CMND")
    plain = link_people(people, threads=1)
    found = link_people(register, threads=1)
    assert found.table.column_names == register.column_names + ["cluster_id", "match_probability"]
    assert found.table.column("cluster_id").equals(plain.table.column("cluster_id"))
    assert found.clusters == plain.clusters and found.clusters < people.num_rows


def test_cli_says_which_columns_it_read(tmp_path: Path) -> None:
    src, out = tmp_path / "danh-sach.csv", tmp_path / "ket-qua.csv"
    pacsv.write_csv(pa.table({
        "Họ": ["Nguyễn", "Nguyễn", "Trần"], "Tên đệm": ["Văn", "Văn", "Thị"], "Tên": ["An", "An", "Bình"],
        "Ngày sinh": ["12/05/1990", "12/05/1990", "1985"], "Số CCCD": ["034090012345", "034090012345", None],
        "Nơi thường trú": ["Xã Tân Phú, Tỉnh Hưng Yên"] * 3, "Nơi ở hiện nay": ["Phường Hải Châu, Đà Nẵng"] * 3}),
        src)
    result = CliRunner().invoke(link_app, ["persons", str(src), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "'Họ' + 'Tên đệm' + 'Tên'" in result.output and "'Số CCCD'" in result.output
    assert "'Nơi ở hiện nay'" in result.output  # matched too, said not read
    assert pacsv.read_csv(out).column_names[-2:] == ["cluster_id", "match_probability"]


def test_a_form_s_paired_columns() -> None:
    """Two header rows (ingest.headerrow): the birth date in the column of the person's sex, the address in parts."""
    found = resolve(["STT", "Họ và tên", "Ngày sinh - Nam", "Ngày sinh - Nữ", "Giấy tờ tùy thân - Số",
                     "Giấy tờ tùy thân - Ngày cấp", "Giấy tờ tùy thân - Nơi cấp", "Nơi thường trú - Thôn/Xóm",
                     "Nơi thường trú - Xã/Phường", "Nơi thường trú - Tỉnh/TP", "Quê quán"], {})
    assert found.read["dob"] == ("Ngày sinh - Nam", "Ngày sinh - Nữ") and "sex" not in found.read
    assert found.sex_from == ("Ngày sinh - Nam", "Ngày sinh - Nữ") and "sex" in found.recognised
    assert found.read["id_number"] == ("Giấy tờ tùy thân - Số",)  # not the date nor the place of issue
    assert found.read["address"] == ("Nơi thường trú - Thôn/Xóm", "Nơi thường trú - Xã/Phường",
                                     "Nơi thường trú - Tỉnh/TP")
    # a sex marked in one of two columns; a sex column of its own wins over both pairs
    marks = resolve(["Họ tên", "Năm sinh", "Giới tính - Nam", "Giới tính - Nữ", "Thôn", "Xã", "Huyện", "Tỉnh"], {})
    assert marks.sex_from == ("Giới tính - Nam", "Giới tính - Nữ") and marks.read["dob"] == ("Năm sinh",)
    assert marks.read["address"] == ("Thôn", "Xã", "Huyện", "Tỉnh")
    own = resolve(["Họ tên", "Giới tính", "Ngày sinh - Nam", "Ngày sinh - Nữ", "Địa chỉ", "Xã"], {})
    assert own.sex_from is None and own.read["sex"] == ("Giới tính",) and own.read["address"] == ("Địa chỉ",)
    # "Năm" (a year) is no sex column: only a pair under one merged cell is
    assert resolve(["Họ tên", "Nam", "Nữ"], {}).sex_from is None


def test_the_sex_is_the_filled_column() -> None:
    from hopnhat.link.standalone import _marked_sex

    table = pa.table({"Ngày sinh - Nam": ["12/05/1990", None, " ", "1970", None],
                      "Ngày sinh - Nữ": [None, "1985", "03/04/1960", "1971", ""]})
    assert _marked_sex(table, ("Ngày sinh - Nam", "Ngày sinh - Nữ")).to_pylist() == ["Nam", "Nữ", "Nữ", None, None]


def test_a_two_row_form_links_as_the_same_list(estate: Path, tmp_path: Path) -> None:
    """The estate's people typed into a form with two header rows (a title block, ``Ngày sinh`` merged over
    ``Nam`` | ``Nữ``, the column numbers) link as the plain list does — the sex read from the column the date is in."""
    from openpyxl import Workbook

    people = person_rows(estate).select(["full_name", "dob", "sex", "id_number", "phone", "address"])
    rows = people.to_pylist()
    book = Workbook()
    sheet = book.active
    sheet.append(["UBND XÃ HÒA VANG", None, None, None, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", None, None])
    sheet.append(["DANH SÁCH NHÂN KHẨU", None, None, None, None, None, None])
    sheet.append(["STT", "Họ và tên", "Ngày sinh", None, "Số CCCD/CMND", "Điện thoại", "Nơi thường trú"])
    sheet.append([None, None, "Nam", "Nữ", None, None, None])
    sheet.append([f"({i})" for i in range(1, 8)])
    for i, r in enumerate(rows, start=1):
        male = r["sex"] == "Nam"
        sheet.append([str(i), r["full_name"], r["dob"] if male else None, None if male else r["dob"],
                      r["id_number"], r["phone"], r["address"]])
    for cells in ("A3:A4", "B3:B4", "C3:D3", "E3:E4", "F3:F4", "G3:G4"):
        sheet.merge_cells(cells)
    book.save(tmp_path / "form.xlsx")
    from hopnhat.ingest.tables import read_whole

    form = read_whole(tmp_path / "form.xlsx")
    assert form.num_rows == people.num_rows and form.column_names[2:4] == ["Ngày sinh - Nam", "Ngày sinh - Nữ"]
    no_date = pa.compute.is_null(people.column("dob"))  # no date written: the form shows no sex either
    expected = people.set_column(2, "sex", pa.compute.if_else(no_date, pa.scalar(None, pa.string()),
                                                              people.column("sex")))
    plain, found = link_people(expected, threads=1), link_people(form, threads=1)
    assert found.table.column("cluster_id").equals(plain.table.column("cluster_id"))
    assert found.clusters == plain.clusters < people.num_rows
