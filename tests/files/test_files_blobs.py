"""BLOB columns of SQL sources through the files stage of a run: two provinces' document databases (SQLite) whose
attachments are BLOBs — read once, hashed, stored once across both, linked with lineage (source, table, row, column),
books per source with bytes; the rows stage loads the records without the BLOB bytes."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import duckdb
import yaml
from tests.files import samples

from hopnhat.files.project import open_files
from hopnhat.i18n import set_language
from hopnhat.project.config import load_project
from hopnhat.run.runner import migrate

SCAN = samples.image("JPEG", 5)  # the same citizen's scan held by both provinces


def _db(path: Path, rows: list[tuple[str, str, bytes | str | None, bytes | None]]) -> None:
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE van_ban (ma TEXT PRIMARY KEY, so_ky_hieu TEXT, ten_tep BLOB, noi_dung BLOB)")
    con.executemany("INSERT INTO van_ban VALUES (?, ?, ?, ?)", rows)
    con.commit()
    con.close()


def _estate(tmp_path: Path) -> Path:
    legacy = samples.legacy_name("Giấy khai sinh Nguyễn Văn An.jpg", "tcvn3")
    _db(tmp_path / "qn.sqlite", [
        ("QN1", "12/QĐ-UBND", "12-QD.pdf", samples.pdf("12/QD-UBND")),
        ("QN2", "13/QĐ-UBND", legacy, SCAN),  # a name in TCVN3 bytes
        ("QN3", "14/QĐ-UBND", "14-QD.pdf", samples.pdf()[:-7]),  # truncated
        ("QN4", "15/QĐ-UBND", "15-QD.pdf", None),  # no file
    ])
    _db(tmp_path / "dn.sqlite", [
        ("DN1", "7/CV-UBND", "ks-scan.jpg", SCAN),
        ("DN2", "8/CV-UBND", None, samples.png()),  # no name column value: named after the record
    ])
    sources = [{"name": p, "system": "Quản lý văn bản", "kind": "sqlite", "path": f"{p}.sqlite", "tables": [
        {"name": "van_ban", "table": "van_ban", "maps_to": "document",
         "columns": {"source_key": "ma", "number_symbol": "so_ky_hieu"}}]} for p in ("qn", "dn")]
    doc = {"merged_unit": {"province_code": "48", "name": "Thành phố Đà Nẵng"},
           "files": {"blobs": {p: {"van_ban": {"noi_dung": "ten_tep"}} for p in ("qn", "dn")}},
           "sources": sources}
    merger = tmp_path / "merger.yaml"
    merger.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return merger


def test_blobs_move_with_their_records(tmp_path: Path) -> None:
    set_language("en")
    try:
        project = load_project(_estate(tmp_path))
        result = migrate(project, link=False)
    finally:
        set_language(None)
    assert result.files is not None and result.balanced
    assert dict(result.files.done["dn"]) == {"stored": 2}  # dn comes first (the merger file's sorted keys)
    assert dict(result.files.done["qn"]) == {"stored": 1, "duplicate": 1, "quarantined": 2}
    books = {b.source: b for b in result.files.books}
    assert books["qn"].duplicate_bytes == len(SCAN) and books["dn"].stored_bytes == len(samples.png()) + len(SCAN)
    assert books["qn"].quarantined_bytes == len(samples.pdf()) - 7 and all(b.balanced for b in books.values())
    with duckdb.connect(str(project.store_path), read_only=True) as con:
        keys = [r[0] for r in con.execute("SELECT src_key FROM document ORDER BY src_key").fetchall()]
    assert keys == ["DN1", "DN2", "QN1", "QN2", "QN3", "QN4"]  # every record loaded, BLOB bytes not in its row
    store, ledger = open_files(project)
    try:
        (qn2,) = ledger.links("qn", "van_ban", "QN2")
        (dn1,) = ledger.links("dn", "van_ban", "DN1")
        assert qn2[0] == "noi_dung" and qn2[1] == "Giấy khai sinh Nguyễn Văn An.jpg" and qn2[3] == "jpg"
        assert dn1[2] == qn2[2] and store.has(str(dn1[2]))  # one content for both provinces
        assert ledger.links("dn", "van_ban", "DN2")[0][1] == "van_ban-DN2-noi_dung"
        reasons = {r[2]: r[5] for r in ledger.quarantine()}
        assert reasons == {"QN3": "truncated PDF (no %%EOF at the end)", "QN4": "file missing"}
        paths = {r[4] for r in ledger.quarantine()}
        assert paths == {"blob:van_ban.noi_dung[QN3]", "blob:van_ban.noi_dung[QN4]"}
    finally:
        ledger.close()
    again = migrate(project, link=False)
    assert again.files is not None and dict(again.files.done["qn"]) == {"skipped": 4}
