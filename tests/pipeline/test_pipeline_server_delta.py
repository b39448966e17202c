"""A database server's table without a cursor has no data stamp (no file size or time): every run must read it again
(a delta comparing every row by key and content hash), or a live legacy system's changes would never be seen after
its first load. On real PostgreSQL and MariaDB servers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml
from sqlalchemy import create_engine, text

from hopnhat.ingest.sql import server_url
from hopnhat.project.config import Project, load_project
from hopnhat.run.runner import migrate

ROWS = [(i, f"Nguyễn Văn An {i}", f"19{50 + i}-0{1 + i % 9}-1{i % 9}") for i in range(1, 31)]


def _table(kind: str, dsn: str, table: str) -> Any:
    engine = create_engine(server_url(kind, dsn))
    with engine.begin() as conn:
        conn.execute(text(f"DROP TABLE IF EXISTS {table}"))
        conn.execute(text(f"CREATE TABLE {table} (id INTEGER, ho_ten VARCHAR(200), ngay_sinh VARCHAR(20))"))
        conn.execute(text(f"INSERT INTO {table} VALUES (:i, :n, :d)"),
                     [{"i": i, "n": n, "d": d} for i, n, d in ROWS])
    return engine


def _merger(folder: Path, kind: str, dsn: str, table: str) -> Project:
    doc = {"version": 1, "merged_unit": {"province_code": "48", "name": "Thành phố Đà Nẵng"},
           "linkage": {"enabled": False},
           "sources": [{"name": "ho_tich", "system": "Hộ tịch", "province": "48", "kind": kind, "dsn": dsn,
                        "tables": [{"name": "nguoi", "table": table, "maps_to": "person",
                                    "columns": {"source_key": "id", "full_name": "ho_ten",
                                                "birth_date": {"column": "ngay_sinh",
                                                               "formats": ["yyyy-mm-dd"]}}}]}]}
    folder.mkdir()
    (folder / "merger.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return load_project(folder / "merger.yaml")


def _check(project: Project, engine: Any, table: str) -> None:
    assert migrate(project, link=False, workers=1).loaded[0].mode == "full"
    with engine.begin() as conn:
        conn.execute(text(f"UPDATE {table} SET ho_ten = 'Trần Thị Bích 4' WHERE id = 4"))
        conn.execute(text(f"DELETE FROM {table} WHERE id = 9"))
        conn.execute(text(f"INSERT INTO {table} VALUES (31, 'Lê Hoàng Cường', '1990-03-13')"))
    second = migrate(project, link=False, workers=1)
    assert not second.skipped, "a server table without a cursor was skipped: its changes would never be seen"
    counts = second.loaded[0]
    assert (counts.mode, counts.read_by) == ("delta", "rows")
    assert (counts.read, counts.unchanged, counts.inserted, counts.updated, counts.deleted) == (30, 28, 1, 1, 1)
    con = duckdb.connect(str(project.store_path), read_only=True)
    try:
        assert con.execute("SELECT src_key FROM deleted_rows").fetchall() == [("9",)]
    finally:
        con.close()
    third = migrate(project, link=False, workers=1).loaded[0]  # nothing changed: read, all unchanged
    assert (third.read, third.unchanged, third.inserted, third.updated, third.deleted) == (30, 30, 0, 0, 0)


@pytest.mark.slow
def test_a_postgresql_table_without_a_cursor_is_read_again_by_every_run(postgres_dsn: str, tmp_path: Path) -> None:
    engine = _table("postgresql", postgres_dsn, "nguoi_nocursor")
    _check(_merger(tmp_path / "m", "postgresql", postgres_dsn, "nguoi_nocursor"), engine, "nguoi_nocursor")


@pytest.mark.slow
def test_a_mariadb_table_without_a_cursor_is_read_again_by_every_run(mariadb_dsn: str, tmp_path: Path) -> None:
    engine = _table("mariadb", mariadb_dsn, "nguoi_nocursor")
    _check(_merger(tmp_path / "m", "mariadb", mariadb_dsn, "nguoi_nocursor"), engine, "nguoi_nocursor")
