"""SQL servers: the estate's register in a REAL PostgreSQL (synth ``--dsn``), and a table in a REAL MariaDB."""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from sqlalchemy import (
    Column,
    Date,
    DateTime,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    create_engine,
)
from tests.ingest.conftest import OneTable

from hopnhat.errors import InputError
from hopnhat.ingest import read_table
from hopnhat.ingest.sql import server_url
from hopnhat.project.config import Project, load_project
from hopnhat.synth import SynthSettings, generate

ROWS = [
    (3, "Nguyễn Văn Ánh", dt.date(1990, 1, 5), Decimal("120.50"), "0123", b"\xa7\xb5 N\xbdng"),
    (1, "Trần Thị Bích", None, Decimal("7"), None, None),
    (2, "Lê Hòa", dt.date(2001, 12, 31), None, "", b""),
    (2, "Lê Hòa (trùng khóa)", dt.date(2001, 12, 31), None, "x", None),
]


def _pg_project(out: Path) -> Project:
    """The synth merger file as written: its PostgreSQL source names the schema and password variable beside the DSN."""
    return load_project(out / "merger.yaml")


@pytest.fixture(scope="module")
def pg_estate(postgres_dsn: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("ingest-pg") / "danang"
    generate(SynthSettings("danang", 0.002, 1, out, dsn=postgres_dsn))
    return out


def test_register_reads_through_postgresql(pg_estate: Path) -> None:
    project = _pg_project(pg_estate)
    source = project.source("danang_dancu")
    assert source.kind == "postgresql"
    for table in source.tables:
        got = pa.concat_tables(read_table(project, source, table, batch_rows=500))
        with (pg_estate / f"truth/danang/{table.name}.csv").open(encoding="utf-8", newline="") as fh:
            truth_rows = list(csv.DictReader(fh))
        truth = {r["id"]: r for r in truth_rows}
        assert got.num_rows == len(truth_rows)
        rows = got.to_pylist()
        assert [r["_row"] for r in rows] == list(range(1, len(rows) + 1))
        assert [int(r["id"]) for r in rows] == sorted(int(r["id"]) for r in rows)
        assert all(r["_error"] is None for r in rows)
        if table.name == "cong_dan":
            for row in rows[:100]:
                assert row["ngay_sinh"] == (truth[row["id"]]["ngay_sinh"] or None)  # DATE → ISO text


def test_postgresql_reads_in_a_read_only_transaction(postgres_dsn: str, one_table: OneTable) -> None:
    project, source, table = one_table("postgresql", {"query": "SELECT current_setting('transaction_read_only') AS ro,"
                                                               " 1 AS id, 'x' AS name"}, dsn=postgres_dsn)
    got = next(iter(read_table(project, source, table)))
    assert got.column("ro").to_pylist() == ["on"]


def test_postgresql_missing_table_and_unreachable_server(postgres_dsn: str, one_table: OneTable) -> None:
    project, source, table = one_table("postgresql", {"table": "public.khong_co"}, dsn=postgres_dsn)
    with pytest.raises(InputError) as info:
        read_table(project, source, table)
    assert info.value.source == "src" and info.value.table == "t" and "khong_co" in str(info.value)
    dead = postgres_dsn.rsplit(":", 1)[0].replace("hopnhat@", "hopnhat:bi-mat@") + ":1/postgres"
    project, source, table = one_table("postgresql", {"table": "x"}, dsn=dead)
    with pytest.raises(InputError) as info:
        read_table(project, source, table)
    assert "bi-mat" not in str(info.value) and "***" in str(info.value) and "127.0.0.1:1" in str(info.value)


def _create(dsn: str) -> None:
    engine = create_engine(server_url("mariadb", dsn))
    meta = MetaData()
    table = Table("cong dan", meta, Column("ma", Integer), Column("ho ten", String(100)), Column("ngay_sinh", Date),
                  Column("dien_tich", Numeric(10, 2)), Column("ma_xa", String(10)), Column("ghi_chu", LargeBinary),
                  Column("cap_nhat", DateTime), Column("mo_ta", Text))
    with engine.begin() as conn:
        meta.drop_all(conn)
        meta.create_all(conn)
        conn.execute(table.insert(), [dict(zip(("ma", "ho ten", "ngay_sinh", "dien_tich", "ma_xa", "ghi_chu"), r),
                                           cap_nhat=dt.datetime(2024, 6, 1, 7, 30), mo_ta="Đà Nẵng") for r in ROWS])
    engine.dispose()


def test_mariadb_table_with_awkward_name(mariadb_dsn: str, one_table: OneTable) -> None:
    _create(mariadb_dsn)
    project, source, table = one_table("mariadb", {"table": "cong dan", "columns": {"source_key": "ma",
                                                                                    "full_name": "ho ten"}},
                                       dsn=mariadb_dsn)
    got = pa.concat_tables(read_table(project, source, table, batch_rows=2))
    rows: list[dict[str, Any]] = got.to_pylist()
    assert got.column_names[4:] == ["ma", "ho ten", "ngay_sinh", "dien_tich", "ma_xa", "ghi_chu", "cap_nhat",
                                    "mo_ta"]
    assert [r["ma"] for r in rows] == ["1", "2", "2", "3"]  # by key, ties in a fixed order
    assert [r["_row"] for r in rows] == [1, 2, 3, 4]
    first = rows[3]
    assert first["ho ten"] == "Nguyễn Văn Ánh" and first["ngay_sinh"] == "1990-01-05"
    assert first["dien_tich"] == "120.50" and first["ma_xa"] == "0123"
    assert first["ghi_chu"] == "§µ N½ng"  # legacy bytes as their Windows-1252 view
    assert first["cap_nhat"] == "2024-06-01T07:30:00" and first["mo_ta"] == "Đà Nẵng"
    assert rows[1]["ma_xa"] is None and rows[0]["ngay_sinh"] is None


def test_mariadb_query_and_errors(mariadb_dsn: str, one_table: OneTable) -> None:
    _create(mariadb_dsn)
    query = {"query": "SELECT ma AS id, `ho ten` AS name FROM `cong dan` WHERE ma >= 2;"}
    project, source, table = one_table("mysql", query, dsn=mariadb_dsn)
    got = next(iter(read_table(project, source, table)))
    assert got.column("id").to_pylist() == ["2", "2", "3"]
    wrong = mariadb_dsn.replace("mat-khau-thu", "sai-mat-khau")
    project, source, table = one_table("mariadb", {"table": "cong dan"}, dsn=wrong)
    with pytest.raises(InputError) as info:
        read_table(project, source, table)
    assert "sai-mat-khau" not in str(info.value) and "***" in str(info.value)
    project, source, table = one_table("mariadb", {"table": "khong_co"}, dsn=mariadb_dsn)
    with pytest.raises(InputError, match="khong_co"):
        read_table(project, source, table)


def test_mariadb_reads_in_a_read_only_transaction(mariadb_dsn: str) -> None:
    from sqlalchemy import exc

    from hopnhat.ingest.sql import SqlReader, make_engine

    _create(mariadb_dsn)
    engine = make_engine("mariadb", None, mariadb_dsn)
    with engine.connect() as conn:
        reader = SqlReader(conn, "cong dan", None, None, "ma", 100)
        assert len(list(reader.records())) == len(ROWS)
        with pytest.raises(exc.OperationalError, match="READ ONLY"):
            conn.exec_driver_sql("INSERT INTO `cong dan` (ma) VALUES (99)")
    engine.dispose()
