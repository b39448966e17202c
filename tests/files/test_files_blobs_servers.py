"""BLOB columns on REAL database servers (MariaDB ``LONGBLOB``, PostgreSQL ``bytea``; tests/mariadbserver.py,
tests/pgserver.py): the files stage reads them once into the store with their lineage and books, and the rows stage
leaves them out of the rows."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import yaml
from sqlalchemy import Column, LargeBinary, MetaData, String, Table, create_engine
from sqlalchemy.dialects.mysql import LONGBLOB
from tests.files import samples

from hopnhat.files.project import open_files, take_manifests
from hopnhat.ingest import read_table
from hopnhat.ingest.sql import server_url
from hopnhat.project.config import load_project

PDF, SCAN = samples.pdf("12/QD-UBND"), samples.image("JPEG", 4)


def _create(kind: str, dsn: str) -> None:
    engine = create_engine(server_url(kind, dsn))
    blob = LONGBLOB() if kind == "mariadb" else LargeBinary()
    meta = MetaData()
    table = Table("giay_to", meta, Column("ma", String(10), primary_key=True), Column("ten_tep", String(200)),
                  Column("noi_dung", blob))
    with engine.begin() as conn:
        meta.drop_all(conn)
        meta.create_all(conn)
        conn.execute(table.insert(), [{"ma": "GT1", "ten_tep": "quyet-dinh.pdf", "noi_dung": PDF},
                                      {"ma": "GT2", "ten_tep": "anh-cccd.jpg", "noi_dung": SCAN},
                                      {"ma": "GT3", "ten_tep": "ban-sao.pdf", "noi_dung": PDF},
                                      {"ma": "GT4", "ten_tep": "thieu.pdf", "noi_dung": None}])
    engine.dispose()


def _merger(tmp_path: Path, kind: str, dsn: str) -> Path:
    doc = {"merged_unit": {"province_code": "48", "name": "Thành phố Đà Nẵng"},
           "files": {"blobs": {"hotich": {"giay_to": {"noi_dung": "ten_tep"}}}},
           "sources": [{"name": "hotich", "system": "Hộ tịch", "kind": kind, "dsn": dsn, "tables": [
               {"name": "giay_to", "table": "giay_to", "maps_to": "document",
                "columns": {"source_key": "ma", "number_symbol": "ten_tep"}}]}]}
    path = tmp_path / "merger.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


def _check(tmp_path: Path, kind: str, dsn: str) -> None:
    _create(kind, dsn)
    project = load_project(_merger(tmp_path, kind, dsn))
    outcome = take_manifests(project)
    assert outcome.balanced and dict(outcome.done["hotich"]) == {"stored": 2, "duplicate": 1, "quarantined": 1}
    (books,) = outcome.books
    assert books.stored_bytes == len(PDF) + len(SCAN) and books.duplicate_bytes == len(PDF)
    store, ledger = open_files(project)
    try:
        (link,) = ledger.links("hotich", "giay_to", "GT2")
        assert link[0] == "noi_dung" and link[1] == "anh-cccd.jpg" and link[3] == "jpg"
        with store.open(str(link[2])) as f:
            assert f.read() == SCAN
    finally:
        ledger.close()
    source = project.source("hotich")
    rows = pa.concat_tables(read_table(project, source, source.tables[0]))
    assert "noi_dung" not in rows.column_names and rows.num_rows == 4  # the rows carry no BLOB bytes
    assert dict(take_manifests(project).done["hotich"]) == {"skipped": 4}


def test_mariadb_blobs(mariadb_dsn: str, tmp_path: Path) -> None:
    _check(tmp_path, "mariadb", mariadb_dsn)


def test_postgresql_blobs(postgres_dsn: str, tmp_path: Path) -> None:
    _check(tmp_path, "postgresql", postgres_dsn)
