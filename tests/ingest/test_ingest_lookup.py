"""``read_lookup``: small code lists keyed by their key column, decoded with their declared encoding."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook
from tests.ingest.conftest import project_of

from hopnhat.errors import InputError
from hopnhat.ingest import read_lookup
from hopnhat.project.config import Project, SourceSpec
from hopnhat.text.legacy import encode


def _source(tmp_path: Path, file: str, **lookup: str) -> tuple[Project, SourceSpec]:
    spec = {"path": file, "key": "ma", "admin_code": "ma_hc", **lookup}
    table = {"name": "t", "path": "t.ndjson", "maps_to": "person", "columns": {"source_key": "id"}}
    project = project_of(tmp_path, [{"name": "src", "system": "x", "kind": "ndjson", "lookups": {"don_vi": spec},
                                     "tables": [table]}])
    return project, project.config.sources[0]


def test_legacy_encoded_lookup_is_decoded(tmp_path: Path) -> None:
    name = encode("UBND Huyện Đại Lộc", "tcvn3")
    (tmp_path / "dv.csv").write_bytes(b"ma,ten,ma_hc\r\n 000.00.05.H49 ," + name + b",503\r\n001,x,1\r\n001,x,1\r\n")
    project, source = _source(tmp_path, "dv.csv", encoding="tcvn3")
    units = read_lookup(project, source, "don_vi")
    assert units["000.00.05.H49"] == {"ma": " 000.00.05.H49 ", "ten": "UBND Huyện Đại Lộc", "ma_hc": "503"}
    assert units["001"]["ma_hc"] == "1"  # a row repeated as it was is harmless


def test_excel_lookup(tmp_path: Path) -> None:
    wb = Workbook()
    wb.active.append(["ma", "ma_hc"])
    wb.active.append(["A1", 20194])
    wb.save(tmp_path / "dv.xlsx")
    project, source = _source(tmp_path, "dv.xlsx")
    assert read_lookup(project, source, "don_vi") == {"A1": {"ma": "A1", "ma_hc": "20194"}}


@pytest.mark.parametrize("content, match", [(b"ma,ma_hc\n1,a\n1,b\n", "two different rows"),
                                            (b"code,ma_hc\n1,a\n", "key .ma."),
                                            (b"ma,ma_hc\n1\n", "row=2.*short_row")])
def test_bad_lookups_name_the_row(tmp_path: Path, content: bytes, match: str) -> None:
    (tmp_path / "dv.csv").write_bytes(content)
    project, source = _source(tmp_path, "dv.csv")
    with pytest.raises(InputError, match=match) as info:
        read_lookup(project, source, "don_vi")
    assert info.value.table == "lookup:don_vi" and "dv.csv" in str(info.value)


def test_missing_lookup_file_or_name(tmp_path: Path) -> None:
    project, source = _source(tmp_path, "khong_co.csv")
    with pytest.raises(InputError, match="khong_co.csv"):
        read_lookup(project, source, "don_vi")
    with pytest.raises(InputError, match="don_vi"):
        read_lookup(project, source, "khac")
