"""The estate's FoxPro table writer (``hopnhat.synth.foxpro``): what it writes is a FoxPro 2 table that dbfread
itself (not hopnhat's reader) reads back as the truth says — TCVN3 bytes under a Windows-1252 code page byte, FoxPro
dates, memos, the deleted records deleted, the impossible dates as garbage in the date field."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
from dbfread import DBF
from dbfread.memo import open_memofile

from hopnhat.synth.foxpro import FoxProTable
from hopnhat.synth.tables import TableInfo
from hopnhat.text.legacy import encode

FIELDS = {"MA": "C(10)", "HOTEN": "C(40)", "NGAY": "D", "GHICHU": "M"}
NAMES = ["Nguyễn Văn BỐ", "Ốc Thị Mỵ", "Trần Thị Hoà", "Lê Đình Ánh", "Đỗ Thị Hằng", "Phạm Ngọc Ước"]


def _write(folder: Path, rows: int, rate: float) -> Path:
    info = TableInfo("hotich", "khai_tu", "MA", list(FIELDS), ("NGAY",), (), defect_rate=rate)
    table = FoxProTable(info, folder / "truth.csv", "7", folder / "khai_tu.dbf", FIELDS, "tcvn3")
    for i in range(rows):
        day = f"19{50 + i % 50}-0{1 + i % 9}-1{i % 10}"
        table.add({"MA": f"KT{i:05d}", "HOTEN": NAMES[i % len(NAMES)], "NGAY": day,
                   "GHICHU": "Đăng ký quá hạn" if i % 3 == 0 else ""})
    table.close()
    return folder / "khai_tu.dbf"


def test_a_foxpro_table_reads_back_as_its_truth(tmp_path: Path) -> None:
    path = _write(tmp_path, 300, 0.3)
    with (tmp_path / "truth.csv").open(encoding="utf-8", newline="") as fh:
        truth = list(csv.DictReader(fh))
    raw = path.read_bytes()
    assert raw[0] == 0xF5 and raw[29] == 0x03 and path.with_suffix(".fpt").exists()  # FoxPro 2, "Windows-1252"
    table = DBF(str(path), encoding="latin-1", raw=True, ignorecase=False)
    live = list(table.records)
    deleted = list(table.deleted)
    kinds = [t["defects"] for t in truth]
    assert len(deleted) == kinds.count("deleted") > 0 and len(live) + len(deleted) == 300
    assert kinds.count("impossible_date") > 0 and kinds.count("duplicate_key") > 0
    wanted = [t for t in truth if t["defects"] != "deleted"]
    for record, want in zip(live, wanted, strict=True):
        assert record["HOTEN"].rstrip(b" ") == encode(want["HOTEN"], "tcvn3")  # 'Ố' (0xFF) kept at either end
        assert record["MA"].rstrip(b" ").decode() == want["MA"]
        assert record["NGAY"].decode("ascii") == want["NGAY"].replace("-", "")  # an impossible one as written
        if want["defects"] == "impossible_date":
            with pytest.raises(ValueError):
                dt.date.fromisoformat(want["NGAY"])
    with open_memofile(str(path.with_suffix(".fpt")), raw[0]) as memos:  # FoxPro 2 memo pointers: ASCII digits
        notes = [memos[int(r["GHICHU"].strip() or 0)] for r in live]
    for note, want in zip(notes, wanted, strict=True):
        assert (note or b"") == encode(want["GHICHU"], "tcvn3")
