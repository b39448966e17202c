"""CSV/TSV edge cases: delimiters, BOM, quoting, broken records, legacy bytes, binary junk, huge fields."""

from __future__ import annotations

import codecs
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from tests.ingest.conftest import OneTable

from hopnhat.errors import InputError
from hopnhat.ingest import read_table
from hopnhat.text.legacy import cp1252_view, encode


def _rows(one_table: OneTable, tmp_path: Path, data: bytes, name: str = "t.csv", kind: str = "csv",
          **table: Any) -> tuple[list[str], list[dict[str, Any]]]:
    (tmp_path / name).write_bytes(data)
    project, source, spec = one_table(kind, {"path": name, **table})
    got = pa.concat_tables(read_table(project, source, spec, batch_rows=3))
    return got.column_names[4:], got.to_pylist()


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiter_is_sniffed(one_table: OneTable, tmp_path: Path, delimiter: str) -> None:
    lines = [["id", "name", "address"], ["1", "Lê Văn A", "Hải Châu, Đà Nẵng"], ["2", "Trần B", "Tam Kỳ"]]
    text = "\r\n".join(delimiter.join(f'"{c}"' if "," in c else c for c in r) for r in lines)
    names, rows = _rows(one_table, tmp_path, text.encode("utf-8"))
    assert names == ["id", "name", "address"]
    assert rows[0]["address"] == "Hải Châu, Đà Nẵng" and rows[1]["_row"] == 3


def test_tsv_kind_and_named_delimiter(one_table: OneTable, tmp_path: Path) -> None:
    data = b"id\tname\n1\tA;B\n"
    assert _rows(one_table, tmp_path, data, "t.tsv", kind="tsv")[1][0]["name"] == "A;B"
    assert _rows(one_table, tmp_path, data, "u.txt", delimiter="tab")[1][0]["name"] == "A;B"


def test_bom_quoted_newlines_and_row_numbers(one_table: OneTable, tmp_path: Path) -> None:
    text = 'id,name,note\r\n1,"Nguyễn\r\nVăn A","dòng 1\ndòng 2"\r\n\r\n2,B,"có ""ngoặc"""\r\n'
    data = codecs.BOM_UTF8 + text.encode()
    names, rows = _rows(one_table, tmp_path, data)
    assert names == ["id", "name", "note"]
    assert rows[0]["name"] == "Nguyễn\r\nVăn A" and rows[0]["note"] == "dòng 1\ndòng 2"
    assert rows[0]["_raw"] == '1,"Nguyễn\r\nVăn A","dòng 1\ndòng 2"'
    assert [r["_row"] for r in rows] == [2, 4]  # record 3 is the blank line: no record, still counted
    assert rows[1]["note"] == 'có "ngoặc"' and all(r["_error"] is None for r in rows)


def test_short_and_long_rows_are_kept_with_their_reason(one_table: OneTable, tmp_path: Path) -> None:
    data = b"id,name,phone\n1,A\n2,B,0905,extra\n3,C,0906,,\n4,D,0907\n"
    _, rows = _rows(one_table, tmp_path, data)
    assert [r["_error"] for r in rows] == ["short_row: 2 fields, the header has 3",
                                           "long_row: 4 fields, the header has 3", None, None]
    assert rows[0]["name"] == "A" and rows[0]["phone"] is None
    assert rows[1]["phone"] == "0905" and rows[1]["_raw"] == "2,B,0905,extra"
    assert rows[2]["phone"] == "0906"  # trailing empty fields are no loss


def test_nul_and_control_bytes_are_binary_junk(one_table: OneTable, tmp_path: Path) -> None:
    data = b"id,name\n1,A\x00B\n2,\x1bC\n3,D\n"
    _, rows = _rows(one_table, tmp_path, data)
    assert rows[0]["_error"].startswith("binary_junk: byte 0x00") and rows[0]["name"] == "A\x00B"
    assert rows[1]["_error"].startswith("binary_junk: byte 0x1B")
    assert rows[2]["_error"] is None


def test_legacy_bytes_come_out_as_their_cp1252_view(one_table: OneTable, tmp_path: Path) -> None:
    tcvn3 = encode("Nguyễn Thị Hà, ỨNG HÒA", "tcvn3")  # TCVN3 capitals use control bytes: they are text
    vni = encode("Đà Nẵng", "vni")
    data = b"id,name,place,note\r\n1,\"" + tcvn3 + b"\"," + vni + b"," + "Hội An".encode() + b"\r\n"
    _, rows = _rows(one_table, tmp_path, data)
    assert rows[0]["_error"] is None
    assert rows[0]["name"] == cp1252_view(tcvn3) and rows[0]["place"] == cp1252_view(vni)
    assert rows[0]["note"] == "Hội An"  # a UTF-8 cell in the same record stays UTF-8
    assert b"\x11" in tcvn3  # Ứ: a control byte that is a TCVN3 letter, not junk


def test_header_names_blank_and_repeated(one_table: OneTable, tmp_path: Path) -> None:
    names, rows = _rows(one_table, tmp_path, b"id, name ,,HoTen,hoten,_row,id\n1,a,b,c,d,e,f\n")
    assert names == ["id", "name", "col_3", "HoTen", "hoten_2", "_row_2", "id_2"]
    assert rows[0]["_row"] == 2 and rows[0]["_row_2"] == "e"


def test_leading_zeros_and_empty_cells(one_table: OneTable, tmp_path: Path) -> None:
    _, rows = _rows(one_table, tmp_path, b"id,code,name\n007,00123,\n")
    assert rows[0]["id"] == "007" and rows[0]["code"] == "00123" and rows[0]["name"] is None


def test_title_rows_above_the_header(one_table: OneTable, tmp_path: Path) -> None:
    data = "DANH SÁCH NHÂN KHẨU,,\nid,name,\n,Họ,Tên\n1,Lê,An\n".encode()
    names, rows = _rows(one_table, tmp_path, data, header_rows=[2, 3], data_start_row=4)
    assert names == ["id", "name - Họ", "Tên"]
    assert rows == [{"_row": 4, "_item": None, "_error": None, "_raw": "1,Lê,An", "id": "1", "name - Họ": "Lê",
                     "Tên": "An"}]


def test_utf16_unicode_text_export(one_table: OneTable, tmp_path: Path) -> None:
    data = codecs.BOM_UTF16_LE + "id\tname\r\n1\tĐà Nẵng\r\n".encode("utf-16-le")
    names, rows = _rows(one_table, tmp_path, data, "t.txt")
    assert names == ["id", "name"] and rows[0]["name"] == "Đà Nẵng" and rows[0]["_raw"] == "1\tĐà Nẵng"


def test_ten_megabyte_field(one_table: OneTable, tmp_path: Path) -> None:
    big = "ạ" * (5 * 1024 * 1024)  # 10 MB of UTF-8
    _, rows = _rows(one_table, tmp_path, f'id,name\n1,"{big}"\n2,b\n'.encode())
    assert len(rows) == 2 and rows[0]["name"] == big and len(rows[0]["_raw"]) == 4000
    assert rows[1]["name"] == "b"


def test_unclosed_quote_swallows_into_one_accounted_record(one_table: OneTable, tmp_path: Path) -> None:
    _, rows = _rows(one_table, tmp_path, b'id,name\n1,"A\n2,B\n')
    assert len(rows) == 1 and rows[0]["name"] == "A\n2,B\n"


def test_header_only_gives_one_empty_batch(one_table: OneTable, tmp_path: Path) -> None:
    (tmp_path / "t.csv").write_bytes(b"id,name\r\n")
    project, source, table = one_table("csv", {"path": "t.csv"})
    batches = list(read_table(project, source, table))
    assert len(batches) == 1 and batches[0].num_rows == 0 and batches[0].column_names == [
        "_row", "_item", "_error", "_raw", "id", "name"]


@pytest.mark.parametrize("data, reason", [(b"", "no header"), (b"\r\n\r\n", "no header"),
                                          (b"PK\x03\x04\x14\x00\x00\x00", "not text")])
def test_unreadable_header_is_an_input_error(one_table: OneTable, tmp_path: Path, data: bytes, reason: str) -> None:
    (tmp_path / "t.csv").write_bytes(data)
    project, source, table = one_table("csv", {"path": "t.csv"})
    with pytest.raises(InputError, match=reason) as info:
        read_table(project, source, table)
    assert info.value.source == "src" and info.value.table == "t" and info.value.value.endswith("t.csv")


def test_missing_file_names_source_table_and_path(one_table: OneTable, tmp_path: Path) -> None:
    project, source, table = one_table("csv", {"path": "khong/co.csv"})
    with pytest.raises(InputError) as info:
        read_table(project, source, table)
    assert (info.value.source, info.value.table) == ("src", "t") and "khong/co.csv" in str(info.value)


def test_a_blank_last_header_row_does_not_eat_the_first_record(one_table: OneTable, tmp_path: Path) -> None:
    names, rows = _rows(one_table, tmp_path, b"id,name\n\n1,A\n2,B\n", header_rows=[1, 2])
    assert names == ["id", "name"] and [(r["_row"], r["id"]) for r in rows] == [(3, "1"), (4, "2")]
