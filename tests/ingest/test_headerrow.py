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
    result = CliRunner().invoke(app, ["--lang", "en", "units", "convert", str(src), "--column", "Nơi thường trú",
                                      "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "Skipped 4 rows that are neither column names nor records" in " ".join(result.output.split())
    converted = read_whole(out)
    assert converted.column_names[:6] == HEADER and converted.num_rows == 3
    statuses = converted.column("status").to_pylist()
    assert statuses[2] == "converted" and set(statuses) <= {"converted", "split", "ambiguous", "already_new"}


FORM_TOP: list[str | None] = ["STT", "Họ và tên", "Ngày sinh", None, "Số CCCD", "Nơi thường trú", None]
FORM_SUB: list[str | None] = [None, None, "Nam", "Nữ", None, "Xã/Phường", "Tỉnh/TP"]
FORM_NAMES = ["STT", "Họ và tên", "Ngày sinh - Nam", "Ngày sinh - Nữ", "Số CCCD", "Nơi thường trú - Xã/Phường",
              "Nơi thường trú - Tỉnh/TP"]
FORM_RECORDS: list[list[str | None]] = [
    ["1", "Nguyễn Văn An", "12/05/1990", None, "034090012345", "Tân Phú", "Thái Bình"],
    ["2", "Trần Thị Bình", None, "1985", None, "Phường 14", "Hồ Chí Minh"],
]
MERGED = ("A{top}:A{sub}", "B{top}:B{sub}", "C{top}:D{top}", "E{top}:E{sub}", "F{top}:G{top}")


def _form(path: Path, above: list[list[str | None]], numbers: bool = True) -> Path:
    rows = [*above, FORM_TOP, FORM_SUB, *([[f"({i})" for i in range(1, 8)]] if numbers else []), *FORM_RECORDS]
    book = Workbook()
    for row in rows:
        book.active.append(row)
    top = len(above) + 1
    for cells in MERGED:  # as the form was drawn: merged cells, their text in the first one
        book.active.merge_cells(cells.format(top=top, sub=top + 1))
    book.save(path)
    return path


def test_a_form_with_two_header_rows(tmp_path: Path) -> None:
    titled = read_whole(_form(tmp_path / "titled.xlsx", [TITLE[0] + [None], [None] * 7, TITLE[3] + [None]]))
    assert titled.column_names == FORM_NAMES and titled.to_pylist()[1]["Ngày sinh - Nữ"] == "1985"
    assert titled.num_rows == 2 and skipped(titled) == 4  # a title line, the two header rows, the numbers
    first = read_whole(_form(tmp_path / "first.xlsx", [], numbers=False))  # the header rows on top
    assert first.column_names == FORM_NAMES and first.num_rows == 2 and skipped(first) == 1
    exported = tmp_path / "form.csv"  # the same form saved as CSV: the merged cells' other parts blank
    with exported.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([[c or "" for c in r] for r in [FORM_TOP, FORM_SUB, *FORM_RECORDS]])
    assert read_whole(exported).column_names == FORM_NAMES


def test_a_second_row_that_is_a_record_is_a_record() -> None:
    # under a header with a merged cell, a record fills columns of their own: it is no header row
    table = pa.table({"Họ và tên": ["Nguyễn Văn An", "Lê Văn Cường"], "Ngày sinh": ["Nam", "x"],
                      "column3": [None, None], "Ghi chú": [None, None]})
    assert below_title(table) is table
    # a value (a date, a year) under the merged cell is a record's, even with the other columns blank
    table = pa.table({"Họ và tên": [None], "Ngày sinh": [None], "column3": ["1985"], "Ghi chú": [None]})
    assert below_title(table) is table


def test_a_title_line_over_the_header_is_no_header_row() -> None:
    # the issuing body and the motto span the sheet: the header row under them is not their second row
    table = pa.table({"UBND XÃ TÂN PHÚ": ["STT", "1"], "column2": ["Họ và tên", "Nguyễn Văn An"],
                      "column3": ["Ngày sinh", "1990"], "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM": ["Nơi thường trú", "Huế"],
                      "column5": ["Ghi chú", None]})
    found = below_title(table)
    assert found.column_names == ["STT", "Họ và tên", "Ngày sinh", "Nơi thường trú", "Ghi chú"]
    assert found.num_rows == 1


def test_column_numbers_under_a_first_row_header() -> None:
    numbered = pa.table({"STT": ["(1)", "1"], "Họ và tên": ["(2)", "An"], "Ngày sinh": ["(3)", "1990"]})
    assert below_title(numbered).num_rows == 1 and skipped(below_title(numbered)) == 1
    # a record of small numbers right under the header is a record: not 1, 2, 3 in order, or 1, 2, 3 unbracketed
    # over fewer than five columns
    counts = pa.table({"Thôn": ["2", "3"], "Số hộ": ["5", "7"], "Số khẩu": ["1", "9"]})
    assert below_title(counts) is counts
    ordered = pa.table({"Thôn": ["1", "3"], "Số hộ": ["2", "7"], "Số khẩu": ["3", "9"]})
    assert below_title(ordered) is ordered
    wide = pa.table({name: [str(i), "x"] for i, name in enumerate(["STT", "Họ tên", "Năm sinh", "Xã", "Tỉnh"], 1)})
    assert below_title(wide).num_rows == 1
