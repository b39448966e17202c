"""Reading and writing the tables of ``hopnhat units convert``: text kept as text, delimiters, fallbacks, errors."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from hopnhat.errors import InputError
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
    path = _write(tmp_path / "in.csv", "id,addr\n1,Thôn Hạ\n", encoding="utf-16")
    with pytest.raises(InputError) as err:
        read_table(path)
    assert err.value.source == str(path) and "repair" in (err.value.reason or "")


@pytest.mark.parametrize("name", ["out.csv", "out.tsv", "out.parquet", "out.xlsx"])
def test_round_trip(tmp_path, name):
    table = pa.table({"ma": ["007", None, "a,b"], "status": ["converted", "split", None]})
    write_table(table, tmp_path / name)
    back = read_table(tmp_path / name)
    assert back.column("ma").to_pylist() == ["007", None, "a,b"]
    assert back.column("status").to_pylist() == ["converted", "split", None]


def test_unsupported_types(tmp_path):
    with pytest.raises(InputError):
        write_table(pa.table({"a": ["1"]}), tmp_path / "out.json")
    with pytest.raises(InputError):
        read_table(_write(tmp_path / "in.json", "{}"))
    with pytest.raises(InputError):
        read_table(tmp_path / "missing.csv")
