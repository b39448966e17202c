"""Reading and writing the tables of ``hopnhat units convert``: text kept as text, delimiters, fallbacks, errors."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from hopnhat.errors import InputError, OutputError
from hopnhat.units.files import read_table, write_table


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize("sep", [",", ";", "\t", "|"])
def test_text_columns_and_sniffed_delimiter(tmp_path, sep):
    path = _write(tmp_path / "in.csv", f"ma{sep}dia_chi\n007{sep}\"Số 1, Lê Lợi\"\n010{sep}\n")
    table = read_table(path)
    assert table.schema.types == [pa.string(), pa.string()]
    assert table.to_pylist() == [{"ma": "007", "dia_chi": "Số 1, Lê Lợi"}, {"ma": "010", "dia_chi": None}]


def test_bom_and_quoted_newline(tmp_path):
    path = _write(tmp_path / "in.csv", "\ufeffid,addr\n1,\"Thôn 3\nXã Hòa Tiến\"\n")
    assert read_table(path).to_pylist() == [{"id": "1", "addr": "Thôn 3\nXã Hòa Tiến"}]


def test_repeated_header_names_fall_back_to_the_sniffing_reader(tmp_path):
    path = _write(tmp_path / "in.csv", "a,a,b\n1,2,3\n")
    table = read_table(path)
    assert table.num_rows == 1 and len(set(table.column_names)) == 3


def test_not_utf8_is_an_input_error_naming_the_file(tmp_path):
    path = tmp_path / "in.csv"
    path.write_bytes("id,addr\n1,Thôn Hạ\n".encode("utf-8").replace("ô".encode(), b"\xf4"))  # one Latin-1 byte
    with pytest.raises(InputError) as err:
        read_table(path)
    assert err.value.source == str(path) and err.value.row == 2 and "repair" in (err.value.hint or "")
    # UTF-16 with its byte-order mark (Excel's "Unicode Text") is read, not refused
    wide = _write(tmp_path / "wide.csv", "id,addr\n1,Thôn Hạ\n", encoding="utf-16")
    assert read_table(wide).to_pylist() == [{"id": "1", "addr": "Thôn Hạ"}]


@pytest.mark.parametrize("name", ["out.csv", "out.tsv", "out.parquet", "out.xlsx"])
def test_round_trip(tmp_path, name):
    table = pa.table({"ma": ["007", None, "a,b"], "status": ["converted", "split", None]})
    write_table(table, tmp_path / name)
    back = read_table(tmp_path / name)
    assert back.column("ma").to_pylist() == ["007", None, "a,b"]
    assert back.column("status").to_pylist() == ["converted", "split", None]


def test_unsupported_types(tmp_path):
    with pytest.raises(OutputError):
        write_table(pa.table({"a": ["1"]}), tmp_path / "out.docx")
    assert not (tmp_path / "out.docx").exists()
    with pytest.raises(InputError):
        read_table(_write(tmp_path / "in.json", "{}"))
    with pytest.raises(InputError):
        read_table(tmp_path / "missing.csv")


def test_excel_read_as_text_like_a_planner_wrote_it(tmp_path):
    """Numbers, dates and booleans come as text; a blank header is named by its place; spacing rows are dropped;
    a leading zero typed as text survives."""
    import datetime as dt

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["id", None, "so", "ngay", "ma"])
    sheet.append([1, "Hải Châu", 7.5, dt.datetime(2020, 1, 2), "007"])
    sheet.append([None, None, None, None, None])
    sheet.append([2, "Xã Hòa Tiến, Huyện Hòa Vang", 12, None, None])
    book.save(tmp_path / "in.xlsx")
    table = read_table(tmp_path / "in.xlsx")
    assert table.column_names == ["id", "column2", "so", "ngay", "ma"]
    assert table.schema.types == [pa.string()] * 5
    assert table.to_pylist() == [
        {"id": "1", "column2": "Hải Châu", "so": "7.5", "ngay": "2020-01-02 00:00:00", "ma": "007"},
        {"id": "2", "column2": "Xã Hòa Tiến, Huyện Hòa Vang", "so": "12", "ngay": None, "ma": None},
    ]


def test_excel_output_keeps_formula_like_text_as_text(tmp_path):
    """A cell ``=HYPERLINK(…)`` from a legacy record must not become a live formula in the planner's workbook."""
    from openpyxl import load_workbook

    write_table(pa.table({"dia_chi": ["=1+1", "@SUM(A1)", "Số 1"]}), tmp_path / "out.xlsx")
    cells = [c.value for c in load_workbook(tmp_path / "out.xlsx").active["A"]]
    assert cells == ["dia_chi", "=1+1", "@SUM(A1)", "Số 1"]
    assert [c.data_type for c in load_workbook(tmp_path / "out.xlsx").active["A"]][1] == "s"


def test_excel_output_refuses_more_rows_than_a_sheet_holds(tmp_path, monkeypatch):
    from hopnhat.io import writers

    monkeypatch.setattr(writers, "EXCEL_MAX_ROWS", 3)
    with pytest.raises(OutputError) as err:
        write_table(pa.table({"a": ["1", "2", "3"]}), tmp_path / "out.xlsx")
    assert err.value.source == str(tmp_path / "out.xlsx") and ".csv" in (err.value.hint or "")
    assert list(tmp_path.iterdir()) == []  # no half-written workbook, no temporary file
    write_table(pa.table({"a": ["1", "2"]}), tmp_path / "out.xlsx")  # two rows and the header fit


def test_a_damaged_workbook_is_an_input_error(tmp_path):
    with pytest.raises(InputError) as err:
        read_table(_write(tmp_path / "in.xlsx", "not a workbook"))
    assert err.value.source == str(tmp_path / "in.xlsx")
