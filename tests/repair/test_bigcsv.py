"""Large CSV files go through Arrow (:mod:`hopnhat.repair.bigcsv`): same bytes and same reports as the csv module."""

from __future__ import annotations

from pathlib import Path

import pytest

from hopnhat.repair import bigcsv, files, repair_file
from hopnhat.repair.delimited import layout_of
from hopnhat.text.legacy import encode

NAMES = ["Nguyễn Thị Hoà", "Trần Văn Đức", "Lê Thị Thu Hương", "Đặng Quốc Bảo", "Hồ Xuân Hương", "Lý Thường Kiệt"]
PLACES = ["Thừa Thiên Huế", "Đắk Lắk", "Quảng Nam", "Phường Hải Châu", "Hà Nội", "Cà Mau"]


def _rows() -> list[bytes]:
    """Cells that test the quoting: delimiters, quotes, line breaks inside values, empty fields, spaces."""
    rows = []
    for i, (name, place) in enumerate(zip(NAMES * 5, PLACES * 5, strict=True)):
        note = [b'"a, b"', b'"say ""hi"""', b'"two\r\nlines"', b"", b" spaced ", b'x"y'][i % 6]
        rows.append(b",".join([str(i).encode(), encode(name, "tcvn3"), encode(place, "vni"), note,
                               encode(name, "utf-8"), b"b\xf9\xa7" if i == 7 else encode(place, "cp1258")]))
    return rows


Reports = list[tuple[str, str, int, list[object]]]


def _both(path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[bytes, bytes, Reports, Reports]:
    monkeypatch.setattr(files, "ARROW_BYTES", 0)
    arrow = repair_file(path, tmp_path / "arrow.csv")
    monkeypatch.setattr(files, "ARROW_BYTES", 1 << 40)
    plain = repair_file(path, tmp_path / "plain.csv")
    return ((tmp_path / "arrow.csv").read_bytes(), (tmp_path / "plain.csv").read_bytes(),
            [(c.column, c.detection.encoding, c.changed, c.problems) for c in arrow.columns],
            [(c.column, c.detection.encoding, c.changed, c.problems) for c in plain.columns])


@pytest.mark.parametrize(("ending", "final", "bom"), [(b"\r\n", True, False), (b"\n", False, True)])
def test_arrow_path_writes_what_the_csv_module_writes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ending: bytes,
                                                      final: bool, bom: bool) -> None:
    header = b",".join([b"id", encode("Họ tên", "tcvn3"), b"que", b"ghi_chu", b"ten", b"noi"])
    data = (b"\xef\xbb\xbf" if bom else b"") + ending.join([header, *_rows()]) + (ending if final else b"")
    (tmp_path / "in.csv").write_bytes(data)
    assert bigcsv.repair_large(data, layout_of(data, ".csv")) is not None  # Arrow read it
    arrow, plain, arrow_reports, plain_reports = _both(tmp_path / "in.csv", tmp_path, monkeypatch)
    assert arrow == plain and arrow_reports == plain_reports
    assert "Họ tên" in plain.decode() and "Thừa Thiên Huế" in plain.decode()
    assert any(problems for *_, problems in plain_reports)  # the unreadable cell is reported by both


def test_arrow_gives_way_to_the_csv_module_on_ragged_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = _rows()
    data = b"\n".join([b"id,ten,que,ghi,ten2,noi", *rows[:3], b"", *rows[3:], b"1,2"]) + b"\n"
    (tmp_path / "in.csv").write_bytes(data)
    assert bigcsv.repair_large(data, layout_of(data, ".csv")) is None
    arrow, plain, arrow_reports, plain_reports = _both(tmp_path / "in.csv", tmp_path, monkeypatch)
    assert arrow == plain and arrow_reports == plain_reports


def test_a_lone_repair_loads_arrow_without_numpy_and_writes_the_same(tmp_path: Path) -> None:
    """``hopnhat repair`` (``alone``) imports pyarrow without numpy, cloudpickle or ``pyarrow.compute`` (half of
    Arrow's import); the output is the same bytes as the csv module's."""
    import json
    import subprocess
    import sys

    header = b",".join([b"id", encode("Họ tên", "tcvn3"), b"que", b"ghi_chu", b"ten", b"noi"])
    (tmp_path / "in.csv").write_bytes(b"\r\n".join([header, *_rows()]) + b"\r\n")
    code = ("import sys, json\nfrom pathlib import Path\nfrom hopnhat.repair import files\nfiles.ARROW_BYTES = 0\n"
            "src, out = map(Path, sys.argv[1:3])\nfiles.repair_file(src, out, alone=True)\n"
            "print(json.dumps(sorted(sys.modules)))")
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path / "in.csv"), str(tmp_path / "alone.csv")],
                          capture_output=True, text=True, timeout=120, check=True)
    loaded = set(json.loads(done.stdout))
    assert "pyarrow._compute" in loaded
    assert not {"numpy", "cloudpickle", "pyarrow.compute", "pandas"} & loaded
    repair_file(tmp_path / "in.csv", tmp_path / "plain.csv")  # below ARROW_BYTES: the csv module
    assert (tmp_path / "alone.csv").read_bytes() == (tmp_path / "plain.csv").read_bytes()


def test_distinct_values_cut_from_the_buffers_are_arrows_items() -> None:
    """A column's distinct values are cut from the dictionary's offsets and data buffers (not made scalar by scalar):
    the same bytes as ``to_pylist``, also for a slice (an offset into the buffers), empty items and all-empty
    arrays; other types go through ``to_pylist``."""
    import pyarrow as pa

    values = pa.array([b"x", b"", "Nguy\u1ec5n".encode(), b"\xff\xfe\xa7", b"", b"abc"], type=pa.binary())
    for array in (values, values.slice(1), values.slice(2, 3), values.slice(6), pa.array([b"", b""], pa.binary())):
        assert bigcsv._binary_values(array) == array.to_pylist()
    large = pa.array([b"a", b"bc"], type=pa.large_binary())
    assert bigcsv._binary_values(large) == [b"a", b"bc"]
