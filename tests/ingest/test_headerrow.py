"""A list that opens with a title block is read from its real header row; any other file as before."""

from __future__ import annotations

import csv
from pathlib import Path

import pyarrow as pa
from openpyxl import Workbook
from typer.testing import CliRunner

from hopnhat.cli.main import app
from hopnhat.ingest.headerrow import below_title, skipped
from hopnhat.ingest.tables import read_whole

HEADER: list[str | None] = ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Số CCCD", "Nơi thường trú"]
RECORDS: list[list[str | None]] = [
    ["1", "Nguyễn Văn An", "12/05/1990", "Nam", "034090012345", "Thôn 3, Xã Tân Phú, Huyện Đông Hưng, Tỉnh Thái Bình"],
    ["2", "Nguyễn Văn An", "12/05/1990", "Nam", "034090012345", "Xã Tân Phú, Tỉnh Hưng Yên"],
    ["3", "Trần Thị Bình", "1985", "Nữ", None, "Phường 14, Quận Gò Vấp, Thành phố Hồ Chí Minh"],
]
TITLE: list[list[str | None]] = [
    ["UBND XÃ TÂN PHÚ", None, None, None, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", None],
    [None, None, None, None, "Độc lập - Tự do - Hạnh phúc", None],
    [None, None, None, None, None, None],
    ["DANH SÁCH NHÂN KHẨU THƯỜNG TRÚ", None, None, None, None, None],
]
NUMBERS: list[str | None] = ["(1)", "(2)", "(3)", "(4)", "(5)", "(6)"]
FOOTER: list[str | None] = [None, None, None, None, "Người lập biểu", None]


def _sheet(path: Path, rows: list[list[str | None]]) -> Path:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def test_a_titled_sheet_is_read_from_its_header(tmp_path: Path) -> None:
    table = read_whole(_sheet(tmp_path / "ds.xlsx", [*TITLE, HEADER, NUMBERS, *RECORDS, FOOTER]))
    assert table.column_names == HEADER
    assert table.column("Họ và tên").to_pylist() == ["Nguyễn Văn An", "Nguyễn Văn An", "Trần Thị Bình", None]
    assert table.num_rows == 4  # the footer stays: a row is never dropped below the header
    assert skipped(table) == 4  # three title rows left after the blank one, and the column numbers


def test_a_titled_csv_exported_from_excel(tmp_path: Path) -> None:
    path = tmp_path / "ds.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([[c or "" for c in r] for r in [*TITLE, HEADER, *RECORDS]])
    table = read_whole(path)
    assert table.column_names == HEADER and table.num_rows == 3 and skipped(table) == 4  # the blank line too


def test_a_sheet_whose_first_row_is_its_header_is_read_as_before(tmp_path: Path) -> None:
    table = read_whole(_sheet(tmp_path / "plain.xlsx", [HEADER, *RECORDS]))
    assert table.column_names == HEADER and table.num_rows == 3 and skipped(table) == 0
    # a header with a few blank names is still the header
    gaps: list[str | None] = ["STT", None, "Ngày sinh", "Giới tính", "Số CCCD", "Nơi thường trú"]
    table = read_whole(_sheet(tmp_path / "gaps.xlsx", [gaps, *RECORDS]))
    assert table.num_rows == 3 and skipped(table) == 0 and table.column_names[2] == "Ngày sinh"


def test_nothing_dense_below_leaves_the_table() -> None:
    table = pa.table({"DANH SÁCH": ["a", None, "b"], "column2": [None, None, None], "column3": [None, "c", None]})
    assert below_title(table) is table


def test_repeated_and_blank_names_of_the_found_header() -> None:
    table = pa.table({"Tiêu đề": [None, "Họ tên", "An"], "column2": [None, "Họ tên", "An"],
                      "column3": [None, None, "x"], "column4": ["ghi chú", "Ngày sinh", "1990"]})
    found = below_title(table)
    assert found.column_names == ["Họ tên", "Họ tên_2", "column3", "Ngày sinh"] and found.num_rows == 1


def test_units_convert_reads_a_titled_sheet(tmp_path: Path) -> None:
    src = _sheet(tmp_path / "ds.xlsx", [*TITLE, HEADER, NUMBERS, *RECORDS])
    out = tmp_path / "out.csv"
    result = CliRunner().invoke(app, ["units", "convert", str(src), "--column", "Nơi thường trú", "-o", str(out)])
    assert result.exit_code == 0, result.output
    converted = read_whole(out)
    assert converted.column_names[:6] == HEADER and converted.num_rows == 3
    statuses = converted.column("status").to_pylist()
    assert statuses[2] == "converted" and set(statuses) <= {"converted", "split", "ambiguous", "already_new"}
