"""A one-stop-shop system's CSV report (code page 1258, its footer "Tổng cộng: 3 hồ sơ" and a signature block
below) migrated end to end: every line accounted for (read = loaded + merged + quarantined), the footer and the
signatures quarantined for what they are, the declared count taken from the load's own read (the file is not read
again for it) and judged against the records alone; a report declaring more than it holds ends the run non-zero."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import openpyxl
import pytest
import yaml
from typer.testing import CliRunner

from hopnhat.cli.main import app
from hopnhat.project.config import load_project
from hopnhat.reconcile.books import books
from hopnhat.text.legacy import encode

DOSSIERS = ["H48-2506-0001,Nguyễn Thị Hoà,12/06/2025", "H48-2506-0002,Trần Văn Đức,13/06/2025",
            "H48-2506-0003,Lê Thị Bích Ngọc,16/06/2025"]
END = ["Người lập biểu,,Thủ trưởng đơn vị", '"(Ký, ghi rõ họ tên)",,"(Ký tên, đóng dấu)"', ",,",
       "Phạm Thị Thu,,Hoàng Văn Nam", ",,\"Đà Nẵng, ngày 15 tháng 7 năm 2025\""]


def _report(path: Path, dossiers: list[str], total: int) -> None:
    lines = ["MA_HO_SO,HO_TEN,NGAY_NHAN", *dossiers, f"Tổng cộng: {total} hồ sơ,,", *END]
    path.write_bytes(encode("\r\n".join(lines) + "\r\n", "cp1258"))


def _merger(folder: Path) -> Path:
    table = {"name": "ho_so", "path": "bao_cao.csv", "encoding": "cp1258", "declared_total": "footer",
             "maps_to": "person", "columns": {"source_key": "MA_HO_SO", "full_name": "HO_TEN"}}
    doc = {"merged_unit": {"province_code": "48", "name": "Thành phố Đà Nẵng"}, "linkage": {"enabled": False},
           "sources": [{"name": "mot_cua", "system": "Một cửa điện tử", "province": "48", "kind": "csv",
                        "tables": [table]}]}
    path = folder / "merger.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


def _store(merger: Path) -> tuple[Any, list[tuple[int, str]]]:
    project = load_project(merger)
    with duckdb.connect(str(project.store_path), read_only=True) as con:
        balance = books(con, project)[0]
        reasons = con.execute("SELECT src_row, reason_code FROM quarantine ORDER BY src_row").fetchall()
    return balance, reasons


def test_a_csv_report_is_accounted_for_and_its_count_taken_from_the_load(tmp_path: Path,
                                                                         second_reads: list[str]) -> None:
    _report(tmp_path / "bao_cao.csv", DOSSIERS, 3)
    merger = _merger(tmp_path)
    out = CliRunner().invoke(app, ["--lang", "en", "migrate", str(merger)], terminal_width=200)
    assert out.exit_code == 0, out.output
    assert second_reads == []  # the footer was read with the records
    balance, reasons = _store(merger)
    assert (balance.read, balance.loaded, balance.merged, balance.quarantined) == (8, 3, 0, 5) and balance.balanced
    assert reasons == [(n, "signature_block") for n in range(6, 11)]
    assert balance.declared is not None
    assert (balance.declared.status, balance.declared.declared, balance.declared.read) == ("ok", 3, 3)

    more = [*DOSSIERS, "H48-2506-0004,Võ Văn Kiệt,17/06/2025"]  # the next export: a delta run
    _report(tmp_path / "bao_cao.csv", more, 4)
    out = CliRunner().invoke(app, ["--lang", "en", "migrate", str(merger)], terminal_width=200)
    assert out.exit_code == 0, out.output
    balance, reasons = _store(merger)
    assert (balance.read, balance.loaded, balance.quarantined) == (9, 4, 5) and balance.balanced
    assert second_reads == []  # the footer read with the records again
    # loaded whole: the footer and the signature lines are told by their place, which a delta cannot see
    assert balance.last_load is not None and (balance.last_load.mode, balance.last_load.note) == ("full", "report_end")
    assert balance.declared is not None
    assert (balance.declared.status, balance.declared.declared, balance.declared.read) == ("ok", 4, 4)


def test_a_csv_report_declaring_more_than_it_holds_fails_the_run(tmp_path: Path) -> None:
    _report(tmp_path / "bao_cao.csv", DOSSIERS[:2], 3)
    out = CliRunner().invoke(app, ["--lang", "en", "migrate", str(_merger(tmp_path))], terminal_width=200)
    assert out.exit_code == 1, out.output
    said = " ".join(out.output.split())
    assert "Before the run: mot_cua/ho_so: the export declares 3 records (row 4 = 3), the file holds 2" in said
    assert "mot_cua/ho_so: the file declares 3 records (row 4 = 3), 2 read: 1 missing" in said


def test_an_excel_report_declaring_more_is_judged_from_the_load_alone(tmp_path: Path, second_reads: list[str],
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for line in ["MA_HO_SO,HO_TEN,NGAY_NHAN", *DOSSIERS[:2]]:
        sheet.append(line.split(","))
    sheet.append(["Tổng cộng: 3 hồ sơ", None, None])
    sheet.append(["Người lập biểu", None, "Thủ trưởng đơn vị"])
    book.save(tmp_path / "bao_cao.xlsx")
    merger = _merger(tmp_path)
    doc = yaml.safe_load(merger.read_text(encoding="utf-8"))
    doc["sources"][0]["kind"] = "excel"
    doc["sources"][0]["tables"][0].update(path="bao_cao.xlsx")
    doc["sources"][0]["tables"][0].pop("encoding")
    merger.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    reads = second_reads

    def read_again(*args: Any) -> None:
        reads.append("before the run")

    monkeypatch.setattr("hopnhat.ingest.declared.report_declared", read_again)
    out = CliRunner().invoke(app, ["--lang", "en", "migrate", str(merger)], terminal_width=200)
    assert out.exit_code == 1, out.output
    said = " ".join(out.output.split())
    assert "Before the run" not in said and reads == []  # the sheet is read once: by the load
    assert "mot_cua/ho_so: the file declares 3 records (row 4 = 3), 2 read: 1 missing" in said
    balance, reasons = _store(merger)
    # the footer is the count, not a row; the signer's line below it is set aside for what it is
    assert (balance.read, balance.loaded, balance.quarantined) == (3, 2, 1) and balance.balanced
    assert [code for _, code in reasons] == ["signature_block"]
