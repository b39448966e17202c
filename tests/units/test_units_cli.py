"""The ``hopnhat units`` command contract (used to check the work)."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from openpyxl import Workbook, load_workbook
from typer.testing import CliRunner

from hopnhat.cli.main import build

app = build("units")  # the units noun alone (as `hopnhat units …` loads it)

runner = CliRunner()
ROWS = [
    ("1", "Số 12 Lê Lợi, P.Phước Ninh, Q.Hải Châu, TP.Đà Nẵng", "007"),
    ("2", "thon 3 xa tra bui huyen tra bong tinh quang ngai", "x"),
    ("3", "", "y"),
    ("4", "Phường Hải Châu, Thành phố Đà Nẵng", "z"),
    ("5", "Xã Hòa Bình, Hải Phòng", "w"),
    ("6", "không phải địa chỉ", "v"),
]
ADDED = ["status", "new_province_code", "new_commune_code", "candidates", "reason"]


def _write_csv(path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "dia_chi", "ma"])
        writer.writerows(ROWS)


def _check(rows: list[dict[str, str]]) -> None:
    assert [r["id"] for r in rows] == [r[0] for r in ROWS]
    by_id = {r["id"]: r for r in rows}
    assert by_id["1"]["status"] == "converted" and by_id["1"]["new_commune_code"] == "20242"
    assert by_id["1"]["new_province_code"] == "48" and by_id["1"]["ma"] == "007"
    assert by_id["2"]["status"] == "split" and by_id["2"]["candidates"] == "21136;21157"
    assert not by_id["2"]["new_commune_code"]
    assert by_id["3"]["status"] == "invalid"
    assert by_id["4"]["status"] == "already_new" and by_id["4"]["new_commune_code"] == "20242"
    assert by_id["5"]["status"] == "ambiguous" and len(by_id["5"]["candidates"].split(";")) >= 2
    assert by_id["6"]["status"] == "not_found"


def test_convert_csv_keeps_columns_and_adds_results(tmp_path):
    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    _write_csv(src)
    result = runner.invoke(app, ["units", "convert", str(src), "--column", "dia_chi", "--output", str(out)])
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == ["id", "dia_chi", "ma", *ADDED]
    _check(rows)


def test_convert_excel_and_parquet(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["id", "dia_chi", "ma"])
    for row in ROWS:
        sheet.append(list(row))
    book.save(tmp_path / "in.xlsx")
    result = runner.invoke(app, ["units", "convert", str(tmp_path / "in.xlsx"), "-c", "dia_chi",
                                 "-o", str(tmp_path / "out.xlsx")])
    assert result.exit_code == 0, result.output
    out = load_workbook(tmp_path / "out.xlsx").active
    header, *data = [[("" if v is None else str(v)) for v in r] for r in out.iter_rows(values_only=True)]
    _check([dict(zip(header, r)) for r in data])
    result = runner.invoke(app, ["units", "convert", str(tmp_path / "out.xlsx"), "-c", "dia_chi",
                                 "-o", str(tmp_path / "out.parquet")])
    assert result.exit_code == 0, result.output
    table = pq.read_table(tmp_path / "out.parquet").to_pylist()
    _check([{k: ("" if v is None else v) for k, v in r.items()} for r in table])


def test_missing_column_and_missing_file_are_clear_errors(tmp_path):
    src = tmp_path / "in.csv"
    _write_csv(src)
    result = runner.invoke(app, ["units", "convert", str(src), "--column", "address",
                                 "--output", str(tmp_path / "o.csv")])
    assert result.exit_code == 2
    assert "address" in result.output and "dia_chi" in result.output and str(src) in result.output
    result = runner.invoke(app, ["units", "convert", str(tmp_path / "nope.csv"), "-c", "a",
                                 "-o", str(tmp_path / "o.csv")])
    assert result.exit_code == 2 and "nope.csv" in result.output


def test_show_carries_the_version():
    old = runner.invoke(app, ["units", "show", "20242", "--version", "old"])
    new = runner.invoke(app, ["units", "show", "20242", "--version", "new"])
    assert old.exit_code == 0 and "Phước Ninh" in old.output and "old:20242" in old.output
    assert "Phường Hải Châu" in old.output  # what it became
    assert new.exit_code == 0 and "Hải Châu" in new.output and "new:20242" in new.output
    assert "Phước Ninh" in new.output  # what it was made from
    missing = runner.invoke(app, ["units", "show", "99999", "--version", "new"])
    assert missing.exit_code == 2


def test_show_split_commune_lists_every_new_commune():
    result = runner.invoke(app, ["--lang", "en", "units", "show", "20296", "--version", "old"])
    assert result.exit_code == 0
    assert "Hải Vân" in result.output and "Liên Chiểu" in result.output and "split" in result.output


def test_search_without_diacritics():
    result = runner.invoke(app, ["units", "search", "tra bui"])
    assert result.exit_code == 0
    assert "Trà Bùi" in result.output


def test_split_evidence_from_a_hamlet_list(tmp_path):
    hints = tmp_path / "hamlets.csv"
    hints.write_text("old_commune_code,hamlet,new_commune_code\n21142,Thôn Trà Lương,21157\n", encoding="utf-8")
    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    src.write_text("a\n\"Thôn Trà Lương, Xã Trà Bùi, Huyện Trà Bồng, Tỉnh Quảng Ngãi\"\n"
                   "\"Thôn Khác, Xã Trà Bùi, Huyện Trà Bồng, Tỉnh Quảng Ngãi\"\n", encoding="utf-8")
    result = runner.invoke(app, ["units", "convert", str(src), "-c", "a", "-o", str(out), "--hints", str(hints)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert rows[0]["status"] == "converted" and rows[0]["new_commune_code"] == "21157"
    assert "Trà Lương" in rows[0]["reason"]
    assert rows[1]["status"] == "split"


def test_help_everywhere():
    for args in (["--help"], ["units", "--help"], ["units", "convert", "--help"], ["units", "show", "--help"],
                 ["units", "search", "--help"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 0 and "Usage" in result.output


def _convert_alone(src: Path, out: Path) -> str:
    """``hopnhat units convert`` as its own process; prints which of numpy, pyarrow.compute and pandas it loaded."""
    script = ("import atexit, sys\n"
              "atexit.register(lambda: print(sorted({'numpy', 'pyarrow.compute', 'pandas'} & set(sys.modules))))\n"
              f"sys.argv = ['hopnhat', 'units', 'convert', {str(src)!r}, '-c', 'dia_chi', '-o', {str(out)!r}]\n"
              "from hopnhat.cli.main import run\nrun()")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.strip().splitlines()[-1]


def test_convert_loads_arrow_without_numpy(tmp_path):
    """The command converts one file and exits: Arrow is loaded without NumPy and the compute functions are called
    without ``pyarrow.compute`` (together a quarter of its CPU time on a small file), and the output is the same."""
    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    _write_csv(src)
    assert _convert_alone(src, out) == "[]"
    with out.open(encoding="utf-8", newline="") as fh:
        _check(list(csv.DictReader(fh)))


@pytest.mark.parametrize(("source", "target"), [
    (".tsv", ".csv"), (".parquet", ".csv"), (".xlsx", ".csv"),
    (".csv", ".tsv"), (".csv", ".parquet"), (".csv", ".xlsx"), (".csv", ".json"), (".csv", ".ndjson")])
def test_every_format_converts_alike_without_numpy(tmp_path, source, target):
    """Arrow loaded without NumPy still reads and writes every table format the command takes, and each output
    equals the one a process with NumPy writes (this test's own, through the same command). Text in and out needs
    neither NumPy nor ``pyarrow.compute``; Parquet input and Excel load them later, as pyarrow and fastexcel ask."""
    from hopnhat.units.files import read_table, write_table

    plain = tmp_path / "in.csv"
    _write_csv(plain)
    src = tmp_path / f"in{source}"
    if source != ".csv":
        write_table(read_table(plain), src)
    alone, here = tmp_path / f"alone{target}", tmp_path / f"here{target}"
    loaded = _convert_alone(src, alone)
    if source in (".csv", ".tsv") and target != ".xlsx":
        assert loaded == "[]"
    result = runner.invoke(app, ["units", "convert", str(src), "-c", "dia_chi", "-o", str(here)])
    assert result.exit_code == 0, result.output
    if target == ".parquet":
        assert read_table(alone).equals(read_table(here))
    elif target == ".xlsx":
        assert _sheet(alone) == _sheet(here)
    else:
        assert alone.read_bytes() == here.read_bytes()
    if target == ".csv":
        with alone.open(encoding="utf-8", newline="") as fh:
            _check(list(csv.DictReader(fh)))


def _sheet(path: Path) -> list[tuple[object, ...]]:
    return list(load_workbook(path, read_only=True).active.iter_rows(values_only=True))


def test_an_address_kept_in_columns(tmp_path):
    """A planner's sheet with the address in parts (number and street, commune, district, province): ``-c`` repeated
    reads them as one address, in the order given; the cells are kept as they are."""
    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    with src.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "so_nha", "xa", "huyen", "tinh"])
        writer.writerow(["1", "Số 12 Lê Lợi", "P.Phước Ninh", "Q.Hải Châu", "TP.Đà Nẵng"])
        writer.writerow(["2", "thon 3", "xa tra bui", "huyen tra bong", "tinh quang ngai"])
        writer.writerow(["3", "", " ", "", ""])
        writer.writerow(["4", "", "Phường Hải Châu", "", "Thành phố Đà Nẵng"])
    result = runner.invoke(app, ["units", "convert", str(src), "-c", "so_nha", "-c", "xa", "-c", "huyen", "-c", "tinh",
                                 "-o", str(out)])
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8") as fh:
        rows = {r["id"]: r for r in csv.DictReader(fh)}
    assert rows["1"]["status"] == "converted" and rows["1"]["new_commune_code"] == "20242"
    assert rows["2"]["status"] == "split" and rows["2"]["candidates"] == "21136;21157"
    assert rows["3"]["status"] == "invalid" and rows["4"]["status"] == "already_new"
    assert rows["1"]["xa"] == "P.Phước Ninh" and list(rows["1"])[:5] == ["id", "so_nha", "xa", "huyen", "tinh"]
    missing = runner.invoke(app, ["units", "convert", str(src), "-c", "xa", "-c", "quan", "-o", str(out)])
    assert missing.exit_code == 2 and "quan" in missing.output


def test_excel_unicode_text(tmp_path):
    """Excel's "Unicode Text" export (UTF-16 with a byte-order mark, tab-separated, saved as .txt) is read as such;
    one whose bytes break off is refused naming the line."""
    src, out = tmp_path / "in.txt", tmp_path / "out.csv"
    text = "id\tdia_chi\tma\r\n" + "".join("\t".join(row) + "\r\n" for row in ROWS)
    src.write_bytes(b"\xff\xfe" + text.encode("utf-16-le"))
    result = runner.invoke(app, ["units", "convert", str(src), "-c", "dia_chi", "-o", str(out)])
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8") as fh:
        _check(list(csv.DictReader(fh)))
    src.write_bytes(b"\xff\xfe" + text.encode("utf-16-le") + b"\x00\xd8")
    bad = runner.invoke(app, ["--lang", "en", "units", "convert", str(src), "-c", "dia_chi", "-o", str(out)])
    assert bad.exit_code == 2 and "UTF-16" in bad.output
    from hopnhat.errors import InputError
    from hopnhat.ingest.tables import read_whole

    with pytest.raises(InputError) as refused:
        read_whole(src)
    assert refused.value.row == 8 and refused.value.source == str(src)  # after the header and six rows
