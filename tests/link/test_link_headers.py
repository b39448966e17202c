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
