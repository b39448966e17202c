"""The cursor column of a SQL table (``cursor: updated_at``): checked at the edge (merger file) and against the
database (present, orderable), its mark kept with its type, and the stamp that tells a server's table changed."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from hopnhat.errors import ConfigError, InputError
from hopnhat.load.cursor import cursor_columns_problems, cursor_stamp, decode, encode, take_mark
from hopnhat.project.config import Project, load_project


def _write(folder: Path, source: dict[str, Any], table: dict[str, Any]) -> Path:
    spec = {"name": "nguoi", "maps_to": "person", "columns": {"source_key": "id", "full_name": "ho_ten"}, **table}
    doc = {"version": 1, "merged_unit": {"province_code": "48", "name": "Đà Nẵng"},
           "sources": [{"name": "ho_tich", "system": "Hộ tịch", **source, "tables": [spec]}]}
    path = folder / "merger.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize(("source", "table", "words"), [
    ({"kind": "csv"}, {"path": "nguoi.csv", "cursor": "updated_at"}, ["ho_tich", "nguoi", "updated_at", "SQL"]),
    ({"kind": "sqlite", "path": "db.sqlite"}, {"query": "SELECT * FROM t", "cursor": "updated_at"},
     ["ho_tich", "nguoi", "updated_at", "query"]),
    ({"kind": "sqlite", "path": "db.sqlite"},
     {"table": "t", "cursor": "updated_at", "explode": "items",
      "columns": {"parent_key": "id", "full_name": "ho_ten"}}, ["nguoi", "updated_at", "source_key"]),
    ({"kind": "sqlite", "path": "db.sqlite"}, {"table": "t", "cursor": ""}, ["cursor"]),
])
def test_a_cursor_where_it_cannot_work_stops_the_project_load(tmp_path: Path, source: dict[str, Any],
                                                              table: dict[str, Any], words: list[str]) -> None:
    with pytest.raises(ConfigError) as caught:
        load_project(_write(tmp_path, source, table))
    said = f"{caught.value.key} {caught.value.reason}"
    for word in words:
        assert word in said


def test_a_cursor_on_a_sql_table_loads(tmp_path: Path) -> None:
    project = load_project(_write(tmp_path, {"kind": "postgresql", "dsn": "postgresql://u@h/db"},
                                  {"table": "nguoi", "cursor": "updated_at"}))
    assert project.config.sources[0].tables[0].cursor == "updated_at"


@pytest.mark.parametrize("value", [None, 7, -2**62, 0.1, Decimal("12.50"), "2025-06-01 08:00:00", b"\x00\xff",
                                   datetime(2025, 6, 1, 8, 0, 0, 123456),
                                   datetime(2025, 6, 1, 8, tzinfo=timezone(timedelta(hours=7))),
                                   date(2025, 6, 1), time(8, 30, 1), timedelta(days=1, microseconds=5)])
def test_a_mark_is_kept_with_its_type(value: Any) -> None:
    back = decode(encode(value))
    assert back == value and type(back) is type(value)


def _sqlite_project(tmp_path: Path, cursor: str, create: str) -> Project:
    con = sqlite3.connect(tmp_path / "db.sqlite")
    con.execute(create)
    con.execute("INSERT INTO nguoi (ho_ten) VALUES ('An'), ('Bình')")
    con.execute("UPDATE nguoi SET id = rowid" if "(id " in create else "UPDATE nguoi SET ma = rowid")
    con.commit()
    con.close()
    return load_project(_write(tmp_path, {"kind": "sqlite", "path": "db.sqlite"},
                               {"table": "nguoi", "cursor": cursor}))


@pytest.mark.parametrize(("create", "cursor", "reason"), [
    ("CREATE TABLE nguoi (id INTEGER, ho_ten TEXT, updated_at TEXT)", "sua_luc", "updated_at"),  # names the columns
    ("CREATE TABLE nguoi (id INTEGER, ho_ten TEXT, da_xoa BOOLEAN)", "da_xoa", "BOOLEAN"),
    ("CREATE TABLE nguoi (id INTEGER, ho_ten TEXT, updated_at)", "updated_at", "NullType"),  # no declared type
    ("CREATE TABLE nguoi (ma INTEGER, ho_ten TEXT, updated_at TEXT)", "updated_at", "source_key"),
])
def test_a_missing_or_unorderable_cursor_column_is_refused(tmp_path: Path, create: str, cursor: str,
                                                            reason: str) -> None:
    project = _sqlite_project(tmp_path, cursor, create)
    source = project.config.sources[0]
    with pytest.raises(InputError) as caught:
        take_mark(project, source, source.tables[0])
    error = caught.value
    assert (error.source, error.table, error.column) == ("ho_tich", "nguoi", cursor)
    assert reason in str(error.reason)
    assert [p.column for p in cursor_columns_problems(project)] == [cursor]


def test_the_stamp_moves_with_the_cursor_and_the_rows(tmp_path: Path) -> None:
    project = _sqlite_project(tmp_path, "updated_at", "CREATE TABLE nguoi (id INTEGER, ho_ten TEXT, updated_at TEXT)")
    source = project.config.sources[0]
    table = source.tables[0]

    def stamp() -> str:
        return cursor_stamp(project, source, table)

    first = stamp()
    assert first == stamp() and "cursor:" in first
    con = sqlite3.connect(tmp_path / "db.sqlite")
    stamps = []
    for sql in ("UPDATE nguoi SET updated_at = '2025-06-01' WHERE id = 1",  # a value where there was none
                "UPDATE nguoi SET updated_at = '2025-06-02' WHERE id = 2",  # the highest value moves
                "DELETE FROM nguoi WHERE id = 1"):  # a row less
        con.execute(sql)
        con.commit()
        stamps.append(stamp())
    con.close()
    assert len({first, *stamps}) == 4
    taken = take_mark(project, source, table)
    assert taken is not None and (taken.high, taken.nulls, taken.rows) == ("2025-06-02", 0, 1)


@pytest.mark.parametrize("command", [["migrate"], ["cutover", "--source", "ho_tich", "--rehearse"]])
def test_a_misnamed_cursor_refuses_the_run_before_the_store_is_opened(tmp_path: Path, command: list[str]) -> None:
    """``hopnhat migrate`` and ``cutover`` check every cursor column before any table is loaded: exit 2, the error
    names the source, table and column, and no store is written."""
    from typer.testing import CliRunner

    from hopnhat.cli.main import app

    project = _sqlite_project(tmp_path, "sua_luc", "CREATE TABLE nguoi (id INTEGER, ho_ten TEXT, updated_at TEXT)")
    result = CliRunner().invoke(app, [command[0], str(project.path), *command[1:]])
    assert result.exit_code == 2, result.output
    assert all(word in result.output for word in ("ho_tich", "nguoi", "sua_luc", "updated_at")), result.output
    assert not project.store_path.exists()
