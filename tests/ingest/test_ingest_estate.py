"""Every table of a real synthetic estate (``hopnhat synth danang --scale 0.002``) reads completely and faithfully."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from xml.etree import ElementTree

import pyarrow as pa
import pytest

from hopnhat.ingest import RAW_COLUMNS, read_lookup, read_table
from hopnhat.ingest.footer import REPORT_CODES
from hopnhat.project.config import Project, SourceSpec, TableSpec
from hopnhat.text.legacy import cp1252_view, encode


def _truth(estate: Path, source: SourceSpec, table: TableSpec) -> list[dict[str, str]]:
    slug = source.name.split("_")[0]
    name = "ho_so" if table.explode else table.name
    path = estate / "truth" / slug / f"{name}.csv"
    if not path.exists():
        path = estate / "truth" / slug / f"tthc_{name}.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _read(project: Project, source: SourceSpec, table: TableSpec, batch_rows: int = 50_000) -> pa.Table:
    batches = list(read_table(project, source, table, batch_rows))
    assert batches, "at least one batch, even for an empty table"
    return pa.concat_tables(batches)


def _tables(project: Project) -> list[tuple[SourceSpec, TableSpec]]:
    return [(s, t) for s in project.config.sources for t in s.tables]


def _history_items(path: Path) -> int:
    items = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            items += 1  # a truncated line is one error row
            continue
        items += len(record.get("QuaTrinhXuLy", record.get("history", [])))
    return items


def _exported_documents(path: Path) -> int:
    """The records of a document export, counted by the standard library's readers (XML: ElementTree)."""
    if path.suffix == ".xml":
        return len(ElementTree.parse(path).getroot().findall("VanBan"))
    return len(json.loads(path.read_text(encoding="utf-8"))["data"]["items"])


def test_every_table_reads_one_row_per_record(project: Project, estate: Path) -> None:
    summary = json.loads((estate / "truth" / "summary.json").read_text(encoding="utf-8"))["tables"]
    assert len(_tables(project)) == 21  # 19 registers and lists + both provinces' document-management exports
    for source, table in _tables(project):
        got = _read(project, source, table, batch_rows=300)
        assert got.column_names[:4] == list(RAW_COLUMNS)
        assert all(got.schema.field(n).type == pa.string() for n in got.column_names[2:])
        if source.name.endswith("_van_ban"):  # the document export has no defects planted: its rows are its truth
            assert got.num_rows == _exported_documents(project.resolve(table.path or "")) > 0, source.name
            assert got.column("_error").null_count == got.num_rows
            continue
        truth = _truth(estate, source, table)
        if table.explode:
            assert got.num_rows == _history_items(project.resolve(table.path or ""))
            continue
        errors = got.column("_error").to_pylist()
        # a report's own lines (the marriage register's signature block below its footer total): rows, no records
        own = sum((e or "").startswith(REPORT_CODES) for e in errors)
        assert own == (5 if table.declared_total == "footer" else 0), (source.name, table.name)
        assert got.num_rows - own == len(truth), (source.name, table.name)
        rows = got.column("_row").to_pylist()
        assert rows == sorted(set(rows))
        # read but flagged: a truncated CSV line; a FoxPro record marked deleted, or whose date field holds no date
        flagged = ("truncated", "deleted", "impossible_date") if source.kind == "dbf" else ("truncated",)
        broken = sum(r["defects"] in flagged for r in truth)
        assert sum(e is not None for e in errors) - own == broken, (source.name, table.name)
        slug, system = source.name.split("_", 1)
        assert summary[f"{slug}/{system}/{table.sheet or table.name}"]["rows"] == got.num_rows - own


def test_csv_cells_are_the_bytes_as_text(project: Project, estate: Path) -> None:
    """UTF-8 cells as they are; TCVN3 cells as their Windows-1252 view (repair comes later); ``_row`` = line + 1."""
    source = project.source("quangnam_dancu")
    for name, encoding in (("nhan_khau_utf8", None), ("nhan_khau_tcvn3", "tcvn3")):
        table = next(t for t in source.tables if t.name == name)
        got = _read(project, source, table).to_pylist()
        truth = _truth(estate, source, table)
        checked = 0
        for row, want in zip(got, truth, strict=True):
            assert row["_row"] == int(want["row_number"]) + 1
            if want["defects"]:
                continue
            for column in ("MaCongDan", "HoTen", "NoiThuongTru", "SoCMND_CCCD"):
                expected = want[column] if encoding is None else cp1252_view(encode(want[column], encoding))
                assert row[column] == (expected or None), (name, row["_row"], column)
            checked += 1
        assert checked > 200


def test_foxpro_register_reads_tcvn3_bytes_as_the_csv_reader_does(project: Project, estate: Path) -> None:
    """The death register kept in FoxPro (``khai_tu.dbf`` + ``.fpt``): ``_row`` = record number, text as the
    Windows-1252 view of its TCVN3 bytes, FoxPro dates ISO, memos read, a deleted record flagged."""
    source = project.source("quangnam_hotich")
    (table,) = source.tables
    got = _read(project, source, table).to_pylist()
    truth = _truth(estate, source, table)
    assert len(got) == len(truth) > 10
    notes = 0
    for row, want in zip(got, truth, strict=True):
        assert row["_row"] == int(want["row_number"])
        if want["defects"] == "deleted":
            assert row["_error"].startswith("deleted_in_source: ")
        if want["defects"]:
            continue
        for column in ("SODANGKY", "MACONGDAN", "HOTEN", "NOIDANGKY", "GHICHU", "NGAYCHET", "NGAYDANGKY"):
            assert row[column] == (cp1252_view(encode(want[column], "tcvn3")) or None), (row["_row"], column)
        notes += bool(want["GHICHU"])
    assert notes > 0


def test_truncated_csv_line_is_a_short_row_with_its_raw_text(project: Project, estate: Path) -> None:
    source = project.source("quangnam_dancu")
    table = next(t for t in source.tables if t.name == "khai_sinh")
    got = _read(project, source, table).to_pylist()
    broken = [r for r in got if r["_error"]]
    assert len(broken) == 1 and broken[0]["_error"].startswith("short_row: ")
    raw_lines = (estate / "estate/quangnam/dancu/khai_sinh.csv").read_bytes().split(b"\r\n")
    assert broken[0]["_raw"] == cp1252_view(raw_lines[broken[0]["_row"] - 1])


def test_excel_merged_headers_and_typed_cells(project: Project, estate: Path) -> None:
    source = project.source("quangnam_can_bo")
    table = source.tables[0]
    got = _read(project, source, table)
    assert got.column_names[4:] == ["STT", "Họ và tên", "Ngày sinh - Nam", "Ngày sinh - Nữ", "Số CCCD/CMND",
                                    "Chức vụ", "Đơn vị công tác", "Mã ngạch", "Tên ngạch", "Trình độ chuyên môn",
                                    "Quê quán"]
    for row, want in zip(got.to_pylist(), _truth(estate, source, table), strict=True):
        assert row["_row"] == int(want["row_number"]) + 3  # title row, two header rows
        assert row["STT"] == want["STT"]  # a number cell, without ".0"
        assert row["Số CCCD/CMND"] == want["Số CCCD/CMND"]  # text keeps its leading zero
        for column in ("Ngày sinh - Nam", "Ngày sinh - Nữ"):
            if want[column]:
                d, m, y = want[column].split("/")
                assert row[column] in (want[column], f"{y}-{m}-{d}")  # a text date as typed, a date cell ISO
            else:
                assert row[column] is None
        assert json.loads(row["_raw"])["Họ và tên"] == want["Họ và tên"]


def test_ndjson_nested_objects_are_compact_json(project: Project) -> None:
    source = project.source("danang_tthc")
    table = next(t for t in source.tables if not t.explode)
    got = _read(project, source, table).to_pylist()
    good = [r for r in got if not r["_error"]]
    assert len(good) == len(got)
    applicant = json.loads(good[0]["applicant"])
    assert set(applicant) == {"fullname", "identity_no", "address"}
    assert "Đà Nẵng" in good[0]["applicant"] and ", " not in good[0]["applicant"].split('"address"')[0]
    assert [r["_row"] for r in got] == list(range(1, len(got) + 1))


def test_explode_gives_one_row_per_history_item(project: Project, estate: Path) -> None:
    source = project.source("quangnam_tthc")
    table = next(t for t in source.tables if t.explode)
    got = _read(project, source, table, batch_rows=1000).to_pylist()
    lines = (estate / "estate/quangnam/tthc/ho_so.ndjson").read_text(encoding="utf-8").splitlines()
    first = json.loads(lines[0])
    mine = [r for r in got if r["_row"] == 1]
    assert [r["_item"] for r in mine] == list(range(len(first["QuaTrinhXuLy"])))
    for row, item in zip(mine, first["QuaTrinhXuLy"], strict=True):
        assert row["TrangThai"] == item["TrangThai"]  # the item's status wins over the dossier's
        assert row["MaHoSo"] == first["MaHoSo"]  # the parent key comes along
        assert json.loads(row["_raw"]) == item
    errors = [r for r in got if r["_error"]]
    assert len(errors) == 2 and all(r["_error"].startswith("bad_json: ") and r["_item"] is None for r in errors)


def test_sqlite_register_in_key_order(project: Project, estate: Path) -> None:
    source = project.source("danang_dancu")
    table = next(t for t in source.tables if t.name == "cong_dan")
    got = _read(project, source, table).to_pylist()
    truth = {r["id"]: r for r in _truth(estate, source, table)}
    assert [r["_row"] for r in got] == list(range(1, len(got) + 1))
    assert [int(r["id"]) for r in got] == sorted(int(r["id"]) for r in got)
    for row in got[:200]:
        want = truth[row["id"]]
        assert row["ngay_sinh"] == (want["ngay_sinh"] or None)
        assert row["so_cccd"] == (want["so_cccd"] or None)
    assert json.loads(got[0]["_raw"])["id"] == got[0]["id"]


def test_batches_are_bounded_and_lookups_are_keyed(project: Project) -> None:
    source = project.source("quangnam_tthc")
    sizes = [b.num_rows for b in read_table(project, source, source.tables[0], batch_rows=256)]
    assert max(sizes) == 256 and sum(sizes) == 1700
    units = read_lookup(project, source, "don_vi")
    assert units["000.00.00.H49"]["ma_hanh_chinh"] == "49"
    assert units["000.00.00.H49"]["ten_don_vi"].startswith("Trung tâm Phục vụ hành chính công")


@pytest.mark.parametrize("name", ["quangnam_dancu", "quangnam_dat_dai"])
def test_mapping_columns_are_present(project: Project, name: str) -> None:
    from hopnhat.ingest import needed_columns

    source = project.source(name)
    for table in source.tables:
        first = next(iter(read_table(project, source, table, 10)))
        assert set(needed_columns(table)) <= set(first.column_names)
