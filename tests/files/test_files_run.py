"""A migrate run carries files: a document-management export (the ``document`` entity, its commune remapped) whose
manifest names the signed PDFs and scans; the run stores them, keeps their books and links them to the records."""

from __future__ import annotations

from pathlib import Path

import duckdb
import yaml
from tests.files import samples

from hopnhat.files.project import open_files
from hopnhat.project.config import load_project
from hopnhat.run.runner import migrate

DOCS = ("ma,so_ky_hieu,loai,co_quan,ma_xa,ngay,trich_yeu,nguoi_ky,chieu,noi_nhan,ma_ho_so\n"
        "VB1,12/QĐ-UBND,Quyết định,UBND phường Hòa Hiệp Bắc,20194,15/03/2024,Về việc cấp giấy phép xây dựng,"
        "Nguyễn Văn An,outgoing,Ông Trần Văn Bình,000.00.20.H17-240315-0001\n"
        "VB2,45/CV-UBND,Công văn,UBND phường Hòa Hiệp Bắc,20194,02/04/2024,Về việc rà soát hồ sơ đất đai,"
        "Lê Thị Cúc,incoming,,\n")


def _estate(tmp_path: Path) -> Path:
    (tmp_path / "vb.csv").write_text(DOCS, encoding="utf-8")
    folder = tmp_path / "tep"
    folder.mkdir()
    (folder / "12-QD-UBND.pdf").write_bytes(samples.pdf("12/QD-UBND"))
    (folder / "12-QD-UBND-ban-sao.pdf").write_bytes(samples.pdf("12/QD-UBND"))  # the same scan twice
    (folder / "45-CV.pdf").write_bytes(samples.image("JPEG"))  # a JPEG named .pdf
    (folder / "manifest.csv").write_text("table,row,column,path\nvan_ban,VB1,ban_ky,12-QD-UBND.pdf\n"
                                         "van_ban,VB1,ban_sao,12-QD-UBND-ban-sao.pdf\nvan_ban,VB2,ban_ky,45-CV.pdf\n"
                                         "van_ban,VB2,phu_luc,khong-co.pdf\n", encoding="utf-8")
    columns = {"source_key": "ma", "number_symbol": "so_ky_hieu", "doc_type": "loai", "issuing_body": "co_quan",
               "issuing_commune": {"column": "ma_xa", "type": "admin_code"},
               "issued_date": {"column": "ngay", "type": "date", "formats": ["dd/mm/yyyy"]},
               "summary": "trich_yeu", "signer": "nguoi_ky", "direction": "chieu", "recipients": "noi_nhan",
               "dossier_code": "ma_ho_so"}
    doc = {"merged_unit": {"province_code": "48", "name": "Thành phố Đà Nẵng"},
           "files": {"folders": {"qlvb": "tep"}, "manifests": {"qlvb": "manifest.csv"}},
           "sources": [{"name": "qlvb", "system": "Quản lý văn bản", "province": "48", "kind": "csv", "tables": [
               {"name": "van_ban", "path": "vb.csv", "maps_to": "document", "columns": columns}]}]}
    merger = tmp_path / "merger.yaml"
    merger.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return merger


def test_a_run_moves_documents_and_their_files(tmp_path: Path) -> None:
    project = load_project(_estate(tmp_path))
    result = migrate(project, link=False)
    assert result.files is not None and result.balanced
    assert dict(result.files.done["qlvb"]) == {"stored": 1, "duplicate": 1, "quarantined": 2}
    (books,) = result.files.books
    assert (books.referenced, books.stored, books.duplicate, books.quarantined) == (4, 1, 1, 2)
    with duckdb.connect(str(project.store_path), read_only=True) as con:
        rows = con.execute("SELECT src_key, number_symbol, issuing_commune_new_commune_code, issued_date, direction "
                           "FROM document ORDER BY src_key").fetchall()
    assert [r[0] for r in rows] == ["VB1", "VB2"] and rows[0][1] == "12/QĐ-UBND"
    assert all(r[2] for r in rows), rows  # the old commune code remapped to a new one
    assert str(rows[0][3]) == "2024-03-15" and rows[1][4] == "incoming"
    store, ledger = open_files(project)
    try:
        links = ledger.links("qlvb", "van_ban", "VB1")
        assert [(c, k) for c, _, _, k in links] == [("ban_ky", "pdf"), ("ban_sao", "pdf")]
        assert links[0][2] == links[1][2] and store.has(str(links[0][2]))
    finally:
        ledger.close()
    again = migrate(project, link=False)
    assert again.files is not None and dict(again.files.done["qlvb"]) == {"skipped": 4}


def test_a_path_column_with_legacy_names(tmp_path: Path) -> None:
    """A TCVN3 export (bytes, not UTF-8) whose column names PDFs stored under the same TCVN3 names on disk."""
    names = ["Quyết định số 7.pdf", "Giấy khai sinh Nguyễn Văn An.jpg", "Tờ trình.pdf"]
    data = [samples.pdf("7/QD"), samples.image("JPEG"), samples.pdf()[:-7]]
    folder = tmp_path / "dinh_kem"
    folder.mkdir()
    lines = [b"ma;so;tep"]
    for i, (name, body) in enumerate(zip(names, data, strict=True), 1):
        raw = samples.legacy_name(name, "tcvn3")
        with open(bytes(folder) + b"/" + raw, "wb") as f:
            f.write(body)
        lines.append(b"VB%d;%d/QD;" % (i, i) + raw)
    lines.append(b"VB4;4/QD;")  # no file: not a reference
    (tmp_path / "vb.csv").write_bytes(b"\r\n".join(lines) + b"\r\n")
    doc = {"merged_unit": {"province_code": "48", "name": "Thành phố Đà Nẵng"},
           "files": {"folders": {"cu": "dinh_kem"}, "columns": {"cu": {"van_ban": ["tep"]}}},
           "sources": [{"name": "cu", "system": "Quản lý văn bản", "kind": "csv", "tables": [
               {"name": "van_ban", "path": "vb.csv", "delimiter": ";", "maps_to": "document",
                "columns": {"source_key": "ma", "number_symbol": "so"}}]}]}
    merger = tmp_path / "merger.yaml"
    merger.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    project = load_project(merger)
    result = migrate(project, link=False)
    assert result.files is not None and dict(result.files.done["cu"]) == {"stored": 2, "quarantined": 1}
    assert result.balanced
    store, ledger = open_files(project)
    try:
        got = [ledger.links("cu", "van_ban", f"VB{i}") for i in (1, 2, 3)]
        assert [g[0][1] for g in got] == names  # the names repaired from TCVN3
        assert [g[0][3] for g in got] == ["pdf", "jpg", "pdf"]
        assert ledger.quarantine()[0][5] == "PDF bị cắt cụt (không có %%EOF ở cuối)"  # Vietnamese by default
    finally:
        ledger.close()
