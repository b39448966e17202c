"""A report's end, in CSV as in Excel: the old one-stop-shop and civil-status systems close their exports with a
footer total ("Tổng cộng: 2 hồ sơ") and a signature block ("Người lập biểu", "(Ký, ghi rõ họ tên)", the signers'
names, "Đà Nẵng, ngày 15 tháng 7 năm 2025"). Neither is a record: both readers quarantine them for what they are
(``footer_total``, ``signature_block``) by one rule, CSVs written in code page 1258 or UTF-8 with a BOM as those
systems write them; a run takes the declared count from its own read."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from openpyxl import Workbook
from tests.ingest.conftest import OneTable

from hopnhat.ingest import read_table
from hopnhat.ingest.declared import table_declared
from hopnhat.ingest.footer import footer_total
from hopnhat.text.legacy import cp1252_view, encode

HEADER = ["MA_HO_SO", "HO_TEN", "NGAY_NHAN"]  # the field names the systems export (ASCII)
DOSSIERS = [["H48-2506-0001", "Nguyễn Thị Hoà", "12/06/2025"], ["H48-2506-0002", "Trần Văn Đức", "13/06/2025"],
            ["H48-2506-0003", "Lê Thị Bích Ngọc", "16/06/2025"]]
SIGNATURES = [["Người lập biểu", "", "Thủ trưởng đơn vị"], ["(Ký, ghi rõ họ tên)", "", "(Ký tên, đóng dấu)"],
              ["", "", ""], ["Phạm Thị Thu", "", "HOÀNG VĂN NAM"], ["", "", "Đà Nẵng, ngày 15 tháng 7 năm 2025"]]
REPORT = [HEADER, *DOSSIERS, ["Tổng cộng: 3 hồ sơ", "", ""], *SIGNATURES]
COLUMNS = {"source_key": "MA_HO_SO", "full_name": "HO_TEN"}


def _csv(path: Path, rows: list[list[str]], encoding: str) -> Path:
    """Rows as the old systems save them: comma-separated, CRLF, quoted where a comma is, in ``encoding``."""
    lines = [",".join(f'"{c}"' if "," in c else c for c in row) for row in rows]
    text = "\r\n".join(lines) + "\r\n"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8") if encoding == "utf-8-sig" else encode(text, encoding))
    return path


def _xlsx(path: Path, rows: list[list[str]]) -> Path:
    book = Workbook()
    for row in rows:
        book.active.append([c or None for c in row])
    book.save(path)
    return path


def _rows(one_table: OneTable, kind: str, path: Path, **table: Any) -> list[dict[str, Any]]:
    project, source, spec = one_table(kind, {"path": str(path), "columns": COLUMNS, **table})
    return pa.concat_tables(list(read_table(project, source, spec))).to_pylist()


def _codes(rows: list[dict[str, Any]]) -> list[tuple[int, str | None]]:
    return [(r["_row"], (r["_error"] or "").split(":")[0] or None) for r in rows]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp1258"])
def test_a_csv_report_ends_as_an_excel_report_does(tmp_path: Path, one_table: OneTable, encoding: str) -> None:
    csv_rows = _rows(one_table, "csv", _csv(tmp_path / "bao_cao.csv", REPORT, encoding))
    # the CSV's blank line ",," is a line of the signature block; a sheet's blank row is no row at all
    assert _codes(csv_rows) == [(2, None), (3, None), (4, None), (5, "footer_total"), *[(n, "signature_block")
                                                                                         for n in range(6, 11)]]
    assert "below its footer total (row 5)" in csv_rows[5]["_error"]
    sheet_rows = _rows(one_table, "excel", _xlsx(tmp_path / "bao_cao.xlsx", REPORT))
    assert _codes(sheet_rows) == [c for c in _codes(csv_rows) if c[0] != 8]
    assert {r["MA_HO_SO"] for r in csv_rows if r["_error"] is None} == {d[0] for d in DOSSIERS}
    declared = _rows(one_table, "csv", tmp_path / "bao_cao.csv", declared_total="footer", encoding=encoding)
    assert [c for _, c in _codes(declared)] == [None] * 3 + ["signature_block"] * 5  # the footer is the count


def test_the_declared_count_comes_from_the_read_and_leaves_the_signatures_aside(tmp_path: Path,
                                                                               one_table: OneTable) -> None:
    path = _csv(tmp_path / "bao_cao.csv", REPORT, "cp1258")
    project, source, spec = one_table("csv", {"path": str(path), "columns": COLUMNS, "declared_total": "footer"})
    reading = read_table(project, source, spec, batch_rows=2)
    assert reading.declared() is None  # not read yet: the run cannot take it
    assert sum(b.num_rows for b in reading) == 8
    found = reading.declared()
    assert found is not None and (found.value, found.text, found.records) == (3, "3", 3)
    assert found.where in ("dòng 5", "row 5")
    assert found == table_declared(project, source, spec)  # what a read of its own finds
    short = _csv(tmp_path / "thieu.csv", [HEADER, *DOSSIERS[:2], ["Tổng số:", "", "3"], *SIGNATURES], "utf-8-sig")
    project, source, spec = one_table("csv", {"path": str(short), "columns": COLUMNS, "declared_total": "footer"})
    reading = read_table(project, source, spec)
    assert sum(b.num_rows for b in reading) == 7
    found = reading.declared()
    assert found is not None and (found.value, found.records) == (3, 2)


def test_nothing_above_a_footer_is_taken_for_a_signature(tmp_path: Path, one_table: OneTable) -> None:
    """A data row that reads like a signature, a subtotal followed by more records, names with no signer's title
    above them: records, as before."""
    rows = [HEADER, ["Người lập biểu", "Nguyễn Văn Lập", "01/07/2025"], DOSSIERS[0], ["Cộng: 2", "", ""],
            DOSSIERS[1], ["Tổng cộng: 3 hồ sơ", "", ""], ["Phạm Thị Thu", "", "Hoàng Văn Nam"],
            ["Người lập biểu", "", ""]]
    for kind, path in (("csv", _csv(tmp_path / "a.csv", rows, "utf-8-sig")), ("excel", _xlsx(tmp_path / "a.xlsx",
                                                                                            rows))):
        assert _codes(_rows(one_table, kind, path)) == [(2, None), (3, None), (4, "footer_total"), (5, None),
                                                        (6, "footer_total"), (7, None), (8, None)], kind


@pytest.mark.parametrize("encoding", ["cp1258", "tcvn3", "vni"])
def test_a_footer_in_a_legacy_code_page_is_told_as_the_reader_reads_it(encoding: str) -> None:
    """The CSV reader gives legacy bytes as their Windows-1252 view (repair reads them later): the rule reads it."""
    assert footer_total([cp1252_view(encode("Tổng cộng: 1.234 hồ sơ", encoding)), ""]) == ("1.234", 1234)
    assert footer_total([cp1252_view(encode("Tổng số hộ:", encoding)), "", "812"]) == ("812", 812)
    assert footer_total([cp1252_view(encode("Trần Văn Tổng", encoding)), "12"]) is None


def test_an_official_reports_end_with_its_recipients_is_no_record(tmp_path: Path, one_table: OneTable) -> None:
    """A civil-status office's sheet: "Tổng số:" and the number apart, then "Nơi nhận:" and its list beside the
    signer's title and hint, the signer's name — all in the books as the report's own rows."""
    rows = [HEADER, *DOSSIERS, ["Tổng số:", "", "3"], ["Nơi nhận:", "", "KT. CHỦ TỊCH"],
            ["- Sở Tư pháp;", "", "PHÓ CHỦ TỊCH"], ["- Lưu: VT.", "", "(Đã ký)"], ["", "", "Nguyễn Văn Hùng"]]
    sheet = _rows(one_table, "excel", _xlsx(tmp_path / "bao_cao.xlsx", rows), declared_total="footer")
    assert _codes(sheet) == [(2, None), (3, None), (4, None), *[(n, "signature_block") for n in range(6, 10)]]
    assert [r["MA_HO_SO"] for r in sheet if r["_error"] is None] == [d[0] for d in DOSSIERS]


GROUPED = [HEADER, *DOSSIERS[:2], ["Cộng: 2 hồ sơ", "", ""], DOSSIERS[2], ["Cộng", "1 hồ sơ", ""],
           ["Tổng cộng: 3 hồ sơ", "", ""], *SIGNATURES[:2]]  # a report grouped by commune, each group's subtotal


@pytest.mark.parametrize("kind", ["csv", "excel"])
def test_a_grouped_report_counts_by_its_last_footer_and_quarantines_the_subtotals(tmp_path: Path,
                                                                                  one_table: OneTable,
                                                                                  kind: str) -> None:
    path = (_csv(tmp_path / "bao_cao.csv", GROUPED, "cp1258") if kind == "csv"
            else _xlsx(tmp_path / "bao_cao.xlsx", GROUPED))
    table = {"path": str(path), "columns": COLUMNS, "declared_total": "footer",
             **({"encoding": "cp1258"} if kind == "csv" else {})}
    project, source, spec = one_table(kind, table)
    reading = read_table(project, source, spec)
    rows = pa.concat_tables(list(reading)).to_pylist()
    # the two subtotals are rows of the report's own (each yielded when the footer below it is met), never records
    assert sorted(_codes(rows)) == [(2, None), (3, None), (4, "footer_total"), (5, None), (6, "footer_total"),
                                    (8, "signature_block"), (9, "signature_block")]
    assert all("subtotal" in r["_error"] for r in rows if r["_row"] in (4, 6))
    found = reading.declared()
    assert found is not None and (found.value, found.records) == (3, 3)  # the grand total, against the 3 dossiers
    assert found.where in ("dòng 7", "row 7")
    assert found == table_declared(project, source, spec)
    plain = _rows(one_table, kind, path, **({"encoding": "cp1258"} if kind == "csv" else {}))
    assert [c for _, c in sorted(_codes(plain))].count("footer_total") == 3  # without declared_total: every footer
