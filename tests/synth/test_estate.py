"""Truth and estate agree; encodings are really legacy; determinism; merger.yaml."""

from __future__ import annotations

import csv
import hashlib
import json
import sqlite3
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook
from tests.synth.helpers import truth_rows

from hopnhat.io.xls import read_xls
from hopnhat.synth import SynthSettings, generate
from hopnhat.text import legacy


def _lines(path: Path) -> list[bytes]:
    """The record lines: below the header, above a report's end (its total, then the signatures)."""
    lines = path.read_bytes().removeprefix(b"\xef\xbb\xbf").split(b"\r\n")[1:-1]
    total = next((n for n, line in enumerate(lines) if line.startswith("Tổng số: ".encode())), len(lines))
    return lines[:total]


def test_the_marriage_register_ends_as_the_systems_reports_do(estate: Path) -> None:
    """``ket_hon.csv`` closes with its total and a signature block, as the civil-status system's reports do."""
    path = estate / "estate/quangnam/dancu/ket_hon.csv"
    records = len(truth_rows(estate / "truth/quangnam/ket_hon.csv"))
    tail = [line.decode("utf-8") for line in path.read_bytes().split(b"\r\n")[-7:-1]]
    total = f"{records:,}".replace(",", ".")
    assert tail == [f"Tổng số: {total} trường hợp,,,,,,", "Người lập biểu,,,,,,Thủ trưởng đơn vị",
                    '"(Ký, ghi rõ họ tên)",,,,,,"(Ký tên, đóng dấu)"', ",,,,,,", "Phạm Thị Thu,,,,,,Hoàng Văn Nam",
                    ",,,,,,Ngày 30 tháng 6 năm 2025"]


def _encodings(estate: Path) -> dict[str, tuple[str, dict[str, str]]]:
    doc = yaml.safe_load((estate / "merger.yaml").read_text(encoding="utf-8"))
    src = next(s for s in doc["sources"] if s["name"] == "quangnam_dancu")
    return {t["name"]: (t["encoding"], t.get("column_encodings", {})) for t in src["tables"]}


def _decode_row(line: bytes, columns: list[str], encoding: str, per_column: dict[str, str]) -> list[str]:
    if not per_column:
        return next(csv.reader([legacy.decode(line, encoding)]))
    fields = next(csv.reader([line.decode("latin-1")]))
    return [legacy.decode(f.encode("latin-1"), per_column.get(c, encoding)) for c, f in zip(columns, fields)]


def test_legacy_files_decode_to_truth(estate: Path) -> None:
    for name, (encoding, per_column) in _encodings(estate).items():
        path = estate / f"estate/quangnam/dancu/{name}.csv"
        truth = truth_rows(estate / f"truth/quangnam/{name}.csv")
        lines = _lines(path)
        assert len(lines) == len(truth), name
        columns = next(csv.reader([path.read_bytes().removeprefix(b"\xef\xbb\xbf").split(b"\r\n")[0].decode()]))
        checked = 0
        for line, row in zip(lines, truth):
            if row["defects"] in ("truncated", "bad_encoding"):
                continue
            assert _decode_row(line, columns, encoding, per_column) == [row[c] for c in columns], (name, line)
            checked += 1
        assert checked > 0.95 * len(truth)


def test_legacy_files_are_not_utf8(estate: Path) -> None:
    for name in ("nhan_khau_tcvn3", "nhan_khau_vni", "khai_sinh"):
        with pytest.raises(UnicodeDecodeError):
            (estate / f"estate/quangnam/dancu/{name}.csv").read_bytes().decode("utf-8")
    decomposed = (estate / "estate/quangnam/dancu/nhan_khau_cp1258.csv").read_bytes()
    assert b"\xcc" in decomposed or b"\xde" in decomposed or b"\xec" in decomposed  # combining tone marks


def test_truth_counts_match_estate(estate: Path) -> None:
    summary = json.loads((estate / "truth/summary.json").read_text(encoding="utf-8"))["tables"]
    con = sqlite3.connect(estate / "estate/danang/dancu.sqlite")
    for table in ("cong_dan", "su_kien_ho_tich"):
        count = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        truth = truth_rows(estate / f"truth/danang/{table}.csv")
        assert count == summary[f"danang/dancu/{table}"]["rows"] == len(truth)
    for slug in ("quangnam", "danang"):
        ndjson = (estate / f"estate/{slug}/tthc/ho_so.ndjson").read_text(encoding="utf-8").splitlines()
        assert len(ndjson) == summary[f"{slug}/tthc/ho_so"]["rows"]
        broken = sum(1 for line in ndjson if not line.endswith("}"))
        assert broken == summary[f"{slug}/tthc/ho_so"]["defects"].get("truncated", 0)
        if slug == "danang":
            sheet = load_workbook(estate / f"estate/{slug}/can_bo/can_bo_cong_chuc.xlsx").active
            assert sheet.max_row - 3 == summary[f"{slug}/can_bo/DS CBCC"]["rows"]
            assert "C2:D2" in {str(r) for r in sheet.merged_cells.ranges}
        else:  # the province without a register database keeps an Excel 97-2003 workbook
            (old,) = read_xls(estate / f"estate/{slug}/can_bo/can_bo_cong_chuc.xls")
            assert old.name == "DS CBCC" and len(old.rows) - 3 == summary[f"{slug}/can_bo/DS CBCC"]["rows"]
            assert (3, 2, 4, 2) in old.merges and old.rows[1][2].value == "Ngày sinh"


def test_bad_encoding_rows_in_database_are_mojibake(estate: Path) -> None:
    con = sqlite3.connect(estate / "estate/danang/dancu.sqlite")
    truth = truth_rows(estate / "truth/danang/cong_dan.csv")
    names = [r[0] for r in con.execute("SELECT ho_ten FROM cong_dan ORDER BY rowid")]
    bad = [(n, t) for n, t in zip(names, truth) if t["defects"] == "bad_encoding"]
    assert bad and all(n != t["ho_ten"] and n.encode("cp1252", errors="ignore") for n, t in bad)


def _digest(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_same_seed_same_bytes_other_seed_differs(tmp_path: Path) -> None:
    a, b, c = (generate(SynthSettings("quangngai", 0.001, s, tmp_path / n)).out
               for n, s in (("a", 5), ("b", 5), ("c", 6)))
    da, db, dc = _digest(a), _digest(b), _digest(c)
    assert da == db
    assert da.keys() == dc.keys()
    assert sum(da[k] != dc[k] for k in da) > 0.8 * len(da)


def test_merger_yaml_names_existing_files(estate: Path) -> None:
    doc = yaml.safe_load((estate / "merger.yaml").read_text(encoding="utf-8"))
    assert doc["merged_unit"]["province_code"] == "48"
    maps = {t["maps_to"] for s in doc["sources"] for t in s["tables"]}
    assert maps == {"person", "person_event", "organization", "dossier", "dossier_history", "parcel", "civil_servant",
                    "document"}
    for source in doc["sources"]:
        if "path" in source:
            assert (estate / source["path"]).exists()
        for table in source["tables"]:
            if "path" in table:
                assert (estate / table["path"]).exists(), table["path"]
