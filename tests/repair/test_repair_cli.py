"""``hopnhat repair IN --output OUT`` on CSV/TSV, Excel and JSON files with mixed per-column encodings."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from openpyxl import Workbook, load_workbook
from typer.testing import CliRunner, Result

from hopnhat.cli import repair as repair_cli
from hopnhat.i18n import set_language
from hopnhat.repair import repair_file
from hopnhat.text.legacy import cp1252_view, encode

runner = CliRunner()
# The command on its own app (with the global --lang of hopnhat's main app), so these tests do not depend on what
# the other sub-commands import; test_registered_in_main checks the real entry point.
app = typer.Typer()
app.command("repair")(repair_cli.repair)


@app.callback()
def _root(lang: str = typer.Option("", "--lang")) -> None:
    set_language(lang or None)

NAMES = [
    "Nguyễn Thị Hoà", "Trần Văn Đức", "Lê Thị Thu Hương", "Phạm Minh Tuấn", "Hoàng Văn Thụ", "Võ Thị Sáu",
    "Đặng Quốc Bảo", "Bùi Thị Xuân", "Đỗ Mười", "Hồ Xuân Hương", "Ngô Quyền", "Dương Văn Minh", "Lý Thường Kiệt",
    "Trương Định", "Huỳnh Thúc Kháng", "Phan Bội Châu", "Vũ Trọng Phụng", "Đinh Bộ Lĩnh", "Tô Hoài", "Lâm Thị Mỹ Dạ",
]
PLACES = [
    "Thừa Thiên Huế", "Đắk Lắk", "Quảng Nam", "Phường Hải Châu", "Hà Nội", "Đà Nẵng", "Quảng Ngãi", "Kon Tum",
    "Hải Phòng", "Hải Dương", "Bình Định", "Gia Lai", "Lâm Đồng", "Cà Mau", "Bạc Liêu", "Sóc Trăng", "Vĩnh Long",
    "Trà Vinh", "Bến Tre", "Hoà Bình",
]
NOTES = [f"Đã cấp lại giấy khai sinh số {i}, ngày 0{i % 9 + 1}/01/1999" for i in range(20)]
STREETS = [f"Số {i} đường Lê Lợi, phường Vĩnh Ninh" for i in range(20)]
IDS = [f"ID-{i:04d}" for i in range(20)]


def _run(*args: str) -> Result:
    return runner.invoke(app, [*args], catch_exceptions=False)


def _mixed_csv(path: Path) -> list[list[str]]:
    """A file whose columns are each in another encoding; returns the expected repaired rows."""
    header = ["id", "ho_ten", "dia_chi", "ghi_chu", "duong", "que_quan"]
    encodings = ["utf-8", "tcvn3", "vni", "cp1258-decomposed", "mojibake", "utf-8"]
    rows = [[i, n, p, t, s, p] for i, n, p, t, s in zip(IDS, NAMES, PLACES, NOTES, STREETS, strict=True)]
    lines = [",".join(header).encode()]
    for row in rows:
        cells = [encode(value, enc) for value, enc in zip(row, encodings, strict=True)]
        lines.append(b",".join(b'"' + c + b'"' if b"," in c else c for c in cells))
    path.write_bytes(b"\r\n".join(lines) + b"\r\n")
    return [header, *rows]


def _read_csv(path: Path) -> list[list[str]]:
    import csv

    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def test_mixed_encodings_per_column(tmp_path: Path) -> None:
    expected = _mixed_csv(tmp_path / "in.csv")
    result = _run("repair", str(tmp_path / "in.csv"), "--output", str(tmp_path / "out.csv"))
    assert result.exit_code == 0, result.output
    assert _read_csv(tmp_path / "out.csv") == expected
    assert (tmp_path / "out.csv").read_bytes().count(b"\r\n") == 21  # line endings kept
    for column, encoding in [("ho_ten", "tcvn3"), ("dia_chi", "vni"), ("ghi_chu", "cp1258"), ("duong", "mojibake")]:
        line = next(ln for ln in result.output.splitlines() if f" {column} " in ln)
        assert encoding in line
    report = repair_file(tmp_path / "in.csv", tmp_path / "again.csv")
    changed = {c.column: (c.detection.encoding, c.changed) for c in report.columns}
    assert changed["id"] == ("ascii", 0) and changed["que_quan"] == ("utf-8", 0)
    assert changed["ho_ten"] == ("tcvn3", 20) and changed["dia_chi"] == ("vni", 18)  # Kon Tum, Gia Lai: ASCII
    assert changed["ghi_chu"][0] == "cp1258-decomposed" and changed["duong"] == ("mojibake", 20)


def test_clean_file_is_unchanged(tmp_path: Path) -> None:
    data = "\ufeff" + '"id";"ho_ten";"dia_chi"\r\n' + "".join(
        f'"{i}";"{n}";"{p}"\r\n' for i, n, p in zip(IDS, NAMES, PLACES, strict=True)
    )
    (tmp_path / "clean.csv").write_bytes(data.encode("utf-8"))
    result = _run("repair", str(tmp_path / "clean.csv"), "-o", str(tmp_path / "out.csv"))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out.csv").read_bytes() == data.encode("utf-8")


def test_tsv_layout_kept_when_repaired(tmp_path: Path) -> None:
    lines = [b"ma\tten"] + [f"{i}\t".encode() + encode(n, "tcvn3") for i, n in zip(IDS, NAMES, strict=True)]
    (tmp_path / "in.tsv").write_bytes(b"\n".join(lines))  # no final newline
    assert _run("repair", str(tmp_path / "in.tsv"), "-o", str(tmp_path / "out.tsv")).exit_code == 0
    expected = "ma\tten\n" + "\n".join(f"{i}\t{n}" for i, n in zip(IDS, NAMES, strict=True))
    assert (tmp_path / "out.tsv").read_text(encoding="utf-8") == expected


def test_legacy_header_row_is_repaired(tmp_path: Path) -> None:
    header = ["Họ và tên", "Địa chỉ"]
    lines = [b",".join(encode(h, "tcvn3") for h in header)]
    lines += [encode(n, "tcvn3") + b"," + encode(p, "tcvn3") for n, p in zip(NAMES, PLACES, strict=True)]
    (tmp_path / "in.csv").write_bytes(b"\n".join(lines) + b"\n")
    report = repair_file(tmp_path / "in.csv", tmp_path / "out.csv")
    assert _read_csv(tmp_path / "out.csv")[0] == header
    assert [c.column for c in report.columns][-2:] == header


def test_unrepairable_cell_is_kept_and_reported(tmp_path: Path) -> None:
    lines = [b"id,dia_chi"] + [f"{i},".encode() + encode(p, "vni") for i, p in zip(IDS, PLACES, strict=True)]
    lines[5] = b"ID-0004,b\xf9\xa7"  # a VNI tone mark after a consonant, then a byte no reading makes a letter of
    (tmp_path / "in.csv").write_bytes(b"\n".join(lines) + b"\n")
    result = _run("--lang", "en", "repair", str(tmp_path / "in.csv"), "-o", str(tmp_path / "out.csv"))
    assert result.exit_code == 0, result.output
    assert "row 6, column 'dia_chi': kept 'bù§'" in result.output
    rows = _read_csv(tmp_path / "out.csv")
    assert rows[5] == ["ID-0004", "bù§"] and rows[1][1] == "Thừa Thiên Huế"
    strict = _run("repair", "--strict", str(tmp_path / "in.csv"), "-o", str(tmp_path / "out2.csv"))
    assert strict.exit_code == 1


def test_excel_workbook(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["Mã", "Họ tên (TCVN3)", "Quê (VNI)", "Ghi chú", "Số"])
    for i, (name, place, note) in enumerate(zip(NAMES, PLACES, NOTES, strict=True)):
        sheet.append([IDS[i], cp1252_view(encode(name, "tcvn3")), cp1252_view(encode(place, "vni")), note, i])
    sheet["F2"] = "=E2+1"
    book.save(tmp_path / "in.xlsx")
    result = _run("repair", str(tmp_path / "in.xlsx"), "--output", str(tmp_path / "out.xlsx"))
    assert result.exit_code == 0, result.output
    out = load_workbook(tmp_path / "out.xlsx").active
    rows = [list(r) for r in out.iter_rows(values_only=True)]
    assert rows[0] == ["Mã", "Họ tên (TCVN3)", "Quê (VNI)", "Ghi chú", "Số", None]
    assert [r[1] for r in rows[1:]] == NAMES and [r[2] for r in rows[1:]] == PLACES
    assert [r[3] for r in rows[1:]] == NOTES and [r[4] for r in rows[1:]] == list(range(20))
    assert rows[1][0] == "ID-0000" and rows[1][5] == "=E2+1"


def test_clean_excel_is_copied(tmp_path: Path) -> None:
    book = Workbook()
    for name in NAMES:
        book.active.append([name])
    book.save(tmp_path / "in.xlsx")
    report = repair_file(tmp_path / "in.xlsx", tmp_path / "out.xlsx")
    assert report.copied and (tmp_path / "out.xlsx").read_bytes() == (tmp_path / "in.xlsx").read_bytes()


def test_json_and_ndjson(tmp_path: Path) -> None:
    records = [{"id": i, "ten": cp1252_view(encode(n, "vni")), "dia_chi": {"tinh": encode(p, "mojibake").decode()}}
               for i, n, p in zip(IDS, NAMES, PLACES, strict=True)]
    (tmp_path / "in.json").write_text(json.dumps(records, ensure_ascii=False, indent=2), encoding="utf-8")
    assert _run("repair", str(tmp_path / "in.json"), "-o", str(tmp_path / "out.json")).exit_code == 0
    out = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    assert [r["ten"] for r in out] == NAMES and [r["dia_chi"]["tinh"] for r in out] == PLACES
    assert [r["id"] for r in out] == IDS
    (tmp_path / "in.ndjson").write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    report = repair_file(tmp_path / "in.ndjson", tmp_path / "out.ndjson")
    lines = (tmp_path / "out.ndjson").read_text(encoding="utf-8").splitlines()
    assert [json.loads(ln)["ten"] for ln in lines] == NAMES
    assert {c.column: c.detection.encoding for c in report.columns} == {"id": "ascii", "ten": "vni",
                                                                         "dia_chi.tinh": "mojibake"}


def test_missing_file_and_same_output(tmp_path: Path) -> None:
    result = _run("--lang", "en", "repair", str(tmp_path / "nope.csv"), "-o", str(tmp_path / "out.csv"))
    assert result.exit_code == 2 and "nope.csv" in result.output and "not found" in result.output
    (tmp_path / "a.csv").write_text("x\n")
    assert _run("repair", str(tmp_path / "a.csv"), "-o", str(tmp_path / "a.csv")).exit_code == 2
    (tmp_path / "a.xls").write_bytes(b"\xd0\xcf")
    result = _run("--lang", "en", "repair", str(tmp_path / "a.xls"), "-o", str(tmp_path / "b.xls"))
    assert result.exit_code == 2 and ".xlsx" in result.output
    (tmp_path / "bad.xlsx").write_bytes(b"not a zip")
    result = _run("repair", str(tmp_path / "bad.xlsx"), "-o", str(tmp_path / "out.xlsx"))
    assert result.exit_code == 2 and "bad.xlsx" in result.output


def test_help() -> None:
    result = _run("repair", "--help")
    assert result.exit_code == 0 and "--output" in result.output and "TCVN3" in result.output


def test_registered_in_main() -> None:
    from hopnhat.cli.main import app as main_app

    result = runner.invoke(main_app, ["repair", "--help"])
    assert result.exit_code == 0 and "--output" in result.output


def test_csv_repair_loads_no_database_excel_or_arrow_library(tmp_path: Path) -> None:
    """Start-up is most of a small file's time: a CSV repair reads bytes with the csv module only (the ingest package,
    openpyxl and the mojibake fallback load when a file or a cell needs them)."""
    import subprocess
    import sys

    src, dst = tmp_path / "in.csv", tmp_path / "out.csv"
    src.write_bytes("name,place\n".encode() + b"".join(
        encode(n, "tcvn3") + b"," + p.encode() + b"\n" for n, p in zip(NAMES, PLACES)))
    code = ("import sys, json\nfrom hopnhat.cli.main import run\nsys.argv = ['hopnhat', *json.loads(sys.argv[1])]\n"
            "try:\n    run()\nexcept SystemExit:\n    pass\n"
            "sys.stderr.write('\\nMODULES ' + json.dumps(sorted(sys.modules)))")
    argv = ["repair", str(src), "--output", str(dst)]
    done = subprocess.run([sys.executable, "-c", code, json.dumps(argv)], capture_output=True, text=True, timeout=120,
                          check=True)
    loaded = set(json.loads(done.stderr.rsplit("MODULES ", 1)[1]))
    assert "hopnhat.repair.delimited" in loaded and dst.read_text(encoding="utf-8").count("Nguyễn Thị Hoà") == 1
    assert not {"sqlalchemy", "openpyxl", "pyarrow", "hopnhat.ingest.api", "ftfy", "hopnhat.repair.bigcsv",
                "rich.progress", "attr"} & loaded


def test_excel_unicode_text_is_read_as_utf16(tmp_path: Path) -> None:
    """Excel's "Unicode Text" export is UTF-16 with a byte-order mark, tab-separated. Its cells are Unicode already;
    a column typed with a .VnTime font is still TCVN3 seen through Windows-1252, and is repaired. Read byte by byte, it
    came out as NULs between letters."""
    typed = [cp1252_view(encode(n, "tcvn3")) for n in NAMES]
    text = "ma\tho_ten\tdia_chi\r\n" + "".join(f"{i}\t{t}\t{p}\r\n" for i, t, p in zip(IDS, typed, PLACES, strict=True))
    for codec in ("utf-16-le", "utf-16-be"):
        bom = "\ufeff".encode(codec)
        (tmp_path / "in.txt").write_bytes(bom + text.encode(codec))
        result = _run("repair", str(tmp_path / "in.txt"), "-o", str(tmp_path / "out.txt"))
        assert result.exit_code == 0, result.output
        out = (tmp_path / "out.txt").read_bytes()
        assert out.startswith(b"\xef\xbb\xbf") and b"\x00" not in out  # written as UTF-8, with a BOM
        rows = [line.split("\t") for line in out[3:].decode("utf-8").split("\r\n")[:-1]]
        assert rows == [["ma", "ho_ten", "dia_chi"], *([i, n, p] for i, n, p in zip(IDS, NAMES, PLACES, strict=True))]
    (tmp_path / "bad.txt").write_bytes(b"\xff\xfe" + "ma\tten\r\n1\tAn\r\n".encode("utf-16-le") + b"\x00\xd8")
    bad = _run("repair", str(tmp_path / "bad.txt"), "-o", str(tmp_path / "bad-out.txt"))
    assert bad.exit_code == 2 and "UTF-16" in bad.output and not (tmp_path / "bad-out.txt").exists()


def test_old_xls_register_is_written_as_xlsx(tmp_path: Path) -> None:
    """An Excel 97–2003 register typed with .VnTime and VNI-Times fonts (written by xlwt, a library this project did
    not write): repaired into an .xlsx, sheets, merged title and numbers kept; an .xls output is refused."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("Sổ hộ tịch")
    sheet.write_merge(0, 0, 0, 3, cp1252_view(encode("SỔ ĐĂNG KÝ KHAI SINH", "tcvn3")))
    for c, name in enumerate(["Mã", "Họ tên", "Quê", "Số"]):
        sheet.write(1, c, name)
    for i, (name, place) in enumerate(zip(NAMES, PLACES, strict=True), start=2):
        sheet.write(i, 0, IDS[i - 2])
        sheet.write(i, 1, cp1252_view(encode(name, "tcvn3")))
        sheet.write(i, 2, cp1252_view(encode(place, "vni")))
        sheet.write(i, 3, 7 + i, xlwt.easyxf(num_format_str="00000"))
    book.add_sheet("Ghi chú").write(0, 0, "=1+1")
    book.save(str(tmp_path / "so.xls"))
    refused = _run("--lang", "en", "repair", str(tmp_path / "so.xls"), "-o", str(tmp_path / "out.xls"))
    assert refused.exit_code == 2 and ".xlsx" in refused.output and not (tmp_path / "out.xls").exists()
    result = _run("repair", str(tmp_path / "so.xls"), "-o", str(tmp_path / "out.xlsx"))
    assert result.exit_code == 0, result.output
    out = load_workbook(tmp_path / "out.xlsx")
    assert out.sheetnames == ["Sổ hộ tịch", "Ghi chú"]
    rows = [list(r) for r in out["Sổ hộ tịch"].iter_rows(values_only=True)]
    assert rows[0][0] == "SỔ ĐĂNG KÝ KHAI SINH" and [str(m) for m in out["Sổ hộ tịch"].merged_cells.ranges] == ["A1:D1"]
    assert [r[1] for r in rows[2:]] == NAMES and [r[2] for r in rows[2:]] == PLACES
    assert [r[3] for r in rows[2:]] == [9 + i for i in range(20)] and out["Sổ hộ tịch"]["D3"].number_format == "00000"
    assert out["Ghi chú"]["A1"].value == "=1+1" and out["Ghi chú"]["A1"].data_type == "s"  # text, not a formula
