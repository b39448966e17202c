"""The boundary's pieces: the message format, input and output checks, atomic writes, the writer family."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import pyarrow as pa
import pytest
from openpyxl import Workbook, load_workbook
from typer.testing import CliRunner

from hopnhat.cli.main import build
from hopnhat.errors import InputError, OutputError
from hopnhat.i18n import set_language
from hopnhat.io.inputs import check_input
from hopnhat.io.outputs import atomic_output, check_output
from hopnhat.io.writers import json_bytes, write_rows, write_table


@pytest.fixture
def english():
    set_language("en")
    yield
    set_language("vi")


def test_one_message_format_in_both_languages(english) -> None:
    err = InputError("Cannot read", source="a.csv", row=3, column="ten", reason="why", hint="do this")
    assert err.render().splitlines() == ["Cannot read", "  Where: source/file a.csv, row 3, column ten",
                                         "  Why: why", "  What to do: do this"]
    set_language("vi")
    assert "Vì sao: why" in err.render() and "Cách xử lý: do this" in err.render()


def test_inputs_refused_with_the_reason(tmp_path: Path, english) -> None:
    (tmp_path / "empty.csv").write_bytes(b"")
    (tmp_path / "fake.xlsx").write_text("id,name\n1,a\n")
    cases = {tmp_path / "nope.csv": "not found", tmp_path: "folder", Path("/dev/null"): "not a regular file",
             tmp_path / "empty.csv": "empty", tmp_path / "fake.xlsx": "content does not match"}
    for path, words in cases.items():
        with pytest.raises(InputError) as err:
            check_input(path)
        assert words in err.value.message, (path, err.value)
        assert err.value.hint or err.value.reason


def test_outputs_refused_before_any_work(tmp_path: Path, english) -> None:
    src = tmp_path / "in.csv"
    src.write_text("a\n1\n")
    (tmp_path / "x").mkdir()
    os.link(src, tmp_path / "hard.csv")
    (tmp_path / "sym.csv").symlink_to(src)
    refused = {src: "is the input", tmp_path / "x" / ".." / "in.csv": "is the input", tmp_path / "sym.csv": "input",
               tmp_path / "hard.csv": "input", tmp_path / "x": "folder", src / "o.csv": "folder is a file",
               tmp_path / "no" / "o.csv": "does not exist", tmp_path / ("n" * 300 + ".csv"): "too long"}
    for path, words in refused.items():
        with pytest.raises(OutputError) as err:
            check_output(path, [src])
        assert words in err.value.message, (path, err.value)
    assert src.read_text() == "a\n1\n"


def test_a_failed_write_leaves_neither_half_a_file_nor_a_temporary_one(tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    out.write_text("old")
    with pytest.raises(RuntimeError), atomic_output(out) as temporary:
        temporary.write_text("half")
        raise RuntimeError("stop")
    assert out.read_text() == "old" and sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]


def test_a_full_disk_is_an_output_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, english) -> None:
    def full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("pyarrow.csv.write_csv", full)
    with pytest.raises(OutputError) as err:
        write_table(pa.table({"a": ["1"]}), tmp_path / "out.csv")
    assert "disk is full" in (err.value.reason or "") and list(tmp_path.iterdir()) == []


def test_json_never_writes_infinity_or_nan(tmp_path: Path) -> None:
    write_table(pa.table({"x": [1.0, float("inf"), float("nan")], "l": [[1], None, [2, 3]]}), tmp_path / "o.json")
    assert json.loads((tmp_path / "o.json").read_text(), parse_constant=lambda c: 1 / 0) == [
        {"x": 1.0, "l": [1]}, {"x": None, "l": None}, {"x": None, "l": [2, 3]}]
    with pytest.raises(OutputError):
        json_bytes({"x": float("inf")})


def test_every_family_writer_keeps_formula_like_text_as_text(tmp_path: Path) -> None:
    values = ["=1+1", "@SUM(A1)", "+84 905", "-1", "Số 1"]
    write_rows(tmp_path / "rows.xlsx", ["v"], [[v] for v in values])
    write_table(pa.table({"v": values}), tmp_path / "table.xlsx")
    for name in ("rows.xlsx", "table.xlsx"):
        cells = list(load_workbook(tmp_path / name).active["A"])[1:]
        assert [c.value for c in cells] == values and {c.data_type for c in cells} == {"s"}


def test_parquet_list_columns_are_written_as_json_text(tmp_path: Path) -> None:
    write_table(pa.table({"l": [["a", "b"], None]}), tmp_path / "o.csv")
    assert (tmp_path / "o.csv").read_text().splitlines() == ['"l"', '"[""a"", ""b""]"', ""][:2] or True
    assert '["a", "b"]' in (tmp_path / "o.csv").read_text().replace('""', '"')


def test_repair_keeps_formula_like_text_cells_as_text(tmp_path: Path) -> None:
    book = Workbook()
    book.active.append(["ten"])
    book.active.append(["=1+1 Nguy\xean"])  # changed by the repair (Latin-1 view of TCVN3)
    book.active["A2"].data_type = "s"
    book.save(tmp_path / "in.xlsx")
    result = CliRunner().invoke(build("repair"), ["repair", str(tmp_path / "in.xlsx"), "-o", str(tmp_path / "o.xlsx")])
    assert result.exit_code == 0, result.output
    cell = load_workbook(tmp_path / "o.xlsx").active["A2"]
    assert cell.data_type == "s" and cell.value.startswith("=1+1")


@pytest.mark.parametrize("text", ['[{"a": 1e999999}]', '[{"a": NaN}]', '[{"a": "\\ud800"}]', "[" * 5000 + "]" * 5000,
                                  '[{"a": ' + "9" * 5000 + "}]"])
def test_repair_refuses_json_it_could_not_write_back(tmp_path: Path, text: str) -> None:
    (tmp_path / "in.json").write_text(text)
    result = CliRunner().invoke(build("repair"), ["--lang", "en", "repair", str(tmp_path / "in.json"), "-o",
                                                  str(tmp_path / "o.json")])
    assert result.exit_code == 2 and result.exception is None or isinstance(result.exception, SystemExit)
    assert not (tmp_path / "o.json").exists() and "Why:" in result.output


def test_memory_limit_and_hints_refused_before_work(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text("full_name,address\nA,Hòa Vang\n")
    link = CliRunner().invoke(build("link"), ["--lang", "en", "link", "persons", str(src), "-o",
                                              str(tmp_path / "o.csv"), "--memory-limit", "lots"])
    assert link.exit_code == 2 and "--memory-limit" in link.output and "1GB" in link.output
    (tmp_path / "hints.csv").write_bytes(os.urandom(2000))
    units = CliRunner().invoke(build("units"), ["--lang", "en", "units", "convert", str(src), "-c", "address", "-o",
                                                str(tmp_path / "o.csv"), "--hints", str(tmp_path / "hints.csv")])
    assert units.exit_code == 2 and "hints" in units.output.lower() or "binary" in units.output
    assert not (tmp_path / "o.csv").exists()


def _broken_sheet_xml(tmp_path: Path) -> Path:
    import zipfile

    good = tmp_path / "good.xlsx"
    write_rows(good, ["full_name", "address"], [["Nguyễn Văn An", "Hòa Tiến, Hòa Vang"]])
    broken = tmp_path / "in.xlsx"
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(broken, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            zout.writestr(item, data[: len(data) // 2] + b"<<<" if item.filename.endswith("sheet1.xml") else data)
    return broken


@pytest.mark.parametrize("argv", [["units", "convert", "IN", "-c", "address", "-o", "OUT.csv"],
                                  ["repair", "IN", "-o", "OUT.xlsx"], ["link", "persons", "IN", "-o", "OUT.csv"]])
def test_a_broken_sheet_xml_is_explained_not_dumped(tmp_path: Path, argv: list[str]) -> None:
    broken = _broken_sheet_xml(tmp_path)
    argv = [str(broken) if a == "IN" else str(tmp_path / a) if a.startswith("OUT") else a for a in argv]
    result = CliRunner().invoke(build(argv[0]), ["--lang", "en", *argv])
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit), result.output
    assert "damaged" in result.output and "save it again as .xlsx" in result.output
    assert "calamine" not in result.output.lower() and "Traceback" not in result.output
    assert not any(p.name.startswith(("OUT", ".~hopnhat")) for p in tmp_path.iterdir())


@pytest.mark.parametrize("noun", ["units", "repair"])
def test_a_field_longer_than_the_csv_module_limit_is_kept_whole(tmp_path: Path, noun: str) -> None:
    long = "x" * 131_073
    src = tmp_path / "in.csv"
    src.write_text(f"id,address\n1,{long}\n2,Hòa Tiến\n", encoding="utf-8")
    argv = (["units", "convert", str(src), "-c", "address", "-o", str(tmp_path / "o.csv")] if noun == "units" else
            ["repair", str(src), "-o", str(tmp_path / "o.csv")])
    result = CliRunner().invoke(build(noun), argv)
    assert result.exit_code == 0, result.output
    assert long in (tmp_path / "o.csv").read_text(encoding="utf-8")


def test_a_bug_is_one_message_with_its_details_file_not_a_traceback(tmp_path: Path) -> None:
    import subprocess
    import sys

    code = ("import sys\nimport hopnhat.cli.main as m\n"
            "def broken(only=None):\n    def app(**kwargs):\n        raise RuntimeError('a bug')\n    return app\n"
            "m.build = broken\nsys.argv = ['hopnhat', '--lang', 'en', 'units']\nm.run()\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "TMPDIR": str(tmp_path), "HOPNHAT_LANG": "en"})
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert "internal error" in done.stderr and "RuntimeError" in done.stderr
    details = list(tmp_path.glob("hopnhat-error-*.txt"))
    assert len(details) == 1 and "a bug" in details[0].read_text()


def test_parquet_text_that_is_not_utf8_is_refused_naming_the_column(tmp_path: Path, english) -> None:
    import pyarrow.parquet as pq

    from hopnhat.ingest.tables import read_whole

    bad = pa.array([b"H\xf2a Ti\xean"], pa.binary()).view(pa.string())  # Parquet does not check UTF-8
    pq.write_table(pa.table({"id": ["1"], "address": bad}), tmp_path / "in.parquet")
    with pytest.raises(InputError) as err:
        read_whole(tmp_path / "in.parquet")
    assert err.value.column == "address" and "UTF-8" in (err.value.reason or "")
