"""A table whose load fails mid-run is kept as state and shown: the run is "failed" (store and run folder), the
table's rows are rolled back, the other tables load, ``hopnhat reconcile`` exits non-zero naming the table and its
error, the dashboard shows it; once the source is fixed, the next run loads it and the failure is gone.

The failing source is real: a SQLite register whose query breaks at one row (``json()`` of broken text raises in
SQLite itself), after a whole batch of 50,000 rows is already inside the table's transaction.
"""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml
from typer.testing import CliRunner

from hopnhat.cli.main import app
from hopnhat.project.config import load_project
from hopnhat.reconcile.books import books
from hopnhat.run.runner import migrate

ROWS = 60_000
BREAK_AT = 55_000  # past the first 50,000-row batch: rows already inserted when the source fails


def _register(path: Path, broken: bool) -> None:
    path.unlink(missing_ok=True)
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE nhan_khau (id INTEGER PRIMARY KEY, ho_ten TEXT, ghi_chu TEXT)")
    con.executemany("INSERT INTO nhan_khau VALUES (?, ?, ?)",
                    [(i, f"Nguyễn Văn {i}", "{bad" if broken and i == BREAK_AT else "{}") for i in range(1, ROWS + 1)])
    con.commit()
    con.close()


def _estate(tmp: Path, broken: bool = True, rows: int = 5) -> Path:
    with (tmp / "people.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["Ma", "HoTen"])
        writer.writerows([[f"P{i}", f"Trần Thị {i}"] for i in range(1, rows + 1)])
    _register(tmp / "register.sqlite", broken)
    doc: dict[str, Any] = {
        "merged_unit": {"province_code": "48", "name": "Thành phố Đà Nẵng"},
        "linkage": {"enabled": False},
        "sources": [
            {"name": "good", "system": "Hộ tịch", "province": "49", "kind": "csv",
             "tables": [{"name": "people", "path": "people.csv", "maps_to": "person",
                         "columns": {"source_key": "Ma", "full_name": "HoTen"}}]},
            {"name": "register", "system": "Dân cư", "province": "48", "kind": "sqlite", "path": "register.sqlite",
             "tables": [{"name": "nhan_khau", "maps_to": "person",
                         "query": "SELECT id, ho_ten, json(ghi_chu) AS ghi_chu FROM nhan_khau ORDER BY id",
                         "columns": {"source_key": "id", "full_name": "ho_ten"}}]},
        ],
    }
    path = tmp / "merger.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


def _store_rows(store: Path, sql: str) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(store), read_only=True) as con:
        return con.execute(sql).fetchall()


def _check_failed_run(merger: Path, folder: Path) -> None:
    project = load_project(merger)
    assert _store_rows(project.store_path, "SELECT status, finished_at IS NOT NULL FROM runs") == [("failed", True)]
    failures = _store_rows(project.store_path, "SELECT src_source, src_table, error FROM table_failures")
    assert [(s, t) for s, t, _ in failures] == [("register", "nhan_khau")]
    assert "malformed JSON" in failures[0][2]
    assert _store_rows(project.store_path,  # the failed table's 50,000 staged rows were rolled back
                       "SELECT src_source, count(*) FROM person GROUP BY 1") == [("good", 5)]
    state = json.loads((folder / "state.json").read_text())
    assert state["register/nhan_khau"]["stage"] == "failed" and "malformed JSON" in state["register/nhan_khau"]["error"]
    assert state["good/people"]["stage"] == "loaded" and state["run"]["stage"] == "failed"


def _check_dashboard(merger: Path) -> None:
    """The web app's dashboard reads the same books: the failed table unbalanced, with its error."""
    from hopnhat.load.storedb import open_store
    from hopnhat.serve.pagedata.dashboard import Dashboard
    from hopnhat.serve.pagedata.records import Catalogue

    reader = open_store(load_project(merger).store_path, timeout_ms=10_000)
    try:
        balances = {f"{b.source}/{b.table}": b for b in Dashboard(reader, Catalogue(reader), 100, 100).balances()}
    finally:
        reader.close()
    assert balances["good/people"].balanced
    assert not balances["register/nhan_khau"].balanced
    assert "malformed JSON" in (balances["register/nhan_khau"].error or "")


def test_a_table_failing_mid_run_is_recorded_shown_and_cleared_by_the_next_run(tmp_path: Path) -> None:
    merger = _estate(tmp_path)
    result = migrate(load_project(merger))
    assert [(f.source, f.table) for f in result.failed] == [("register", "nhan_khau")]
    assert not result.balanced
    _check_failed_run(merger, result.folder)

    out = CliRunner().invoke(app, ["--lang", "en", "reconcile", str(merger), "--json", str(tmp_path / "r.json")])
    assert out.exit_code == 1
    assert "register/nhan_khau: load failed:" in out.output and "malformed JSON" in out.output
    books_json = {f"{b['source']}/{b['table']}": b for b in json.loads((tmp_path / "r.json").read_text())}
    assert books_json["good/people"]["balanced"] and books_json["good/people"]["error"] is None
    assert not books_json["register/nhan_khau"]["balanced"]
    assert "malformed JSON" in books_json["register/nhan_khau"]["error"]
    _check_dashboard(merger)

    _register(tmp_path / "register.sqlite", broken=False)  # the source is fixed: the next run loads it
    again = migrate(load_project(merger))
    assert again.failed == [] and again.balanced and again.run_id != result.run_id
    project = load_project(merger)
    assert _store_rows(project.store_path, "SELECT count(*) FROM table_failures") == [(0,)]
    assert _store_rows(project.store_path, "SELECT src_source, count(*) FROM person GROUP BY 1 ORDER BY 1") == [
        ("good", 5), ("register", ROWS)]
    with duckdb.connect(str(project.store_path), read_only=True) as con:
        assert all(b.balanced and b.error is None for b in books(con, project))


@pytest.mark.slow
def test_a_table_failing_in_a_worker_process_is_recorded_too(tmp_path: Path) -> None:
    merger = _estate(tmp_path)
    result = migrate(load_project(merger), workers=2)
    assert [(f.source, f.table) for f in result.failed] == [("register", "nhan_khau")]
    _check_failed_run(merger, result.folder)
    assert not list((result.folder / "staging").glob("*.duckdb"))  # the failed staging file is not left behind
