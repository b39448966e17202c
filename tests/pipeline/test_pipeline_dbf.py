"""A FoxPro civil-status register (``kind: dbf``, names typed in TCVN3 and VNI, a memo, a deleted record, a garbage
date, a garbage number) migrated end to end with ``hopnhat migrate``: the names are Unicode in the store, every record
is accounted for (read = loaded + merged + quarantined) and the deleted record and the garbage ones are in quarantine
with their reasons. The table is written by the ``dbf`` package (tests/ingest/dbfwrite.py), not by hopnhat."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml
from tests.ingest.dbfwrite import BAD_DATE, BAD_NUMBER, DELETED, NAMES, PLACES, register
from typer.testing import CliRunner

from hopnhat.cli.main import app
from hopnhat.project.config import load_project
from hopnhat.reconcile.books import books


def _merger(folder: Path, table: dict[str, Any]) -> Path:
    doc = {
        "merged_unit": {"province_code": "48", "name": "Thành phố Đà Nẵng"},
        "linkage": {"enabled": False},
        "sources": [{"name": "hotich_foxpro", "system": "Hộ tịch (FoxPro)", "province": "49", "kind": "dbf",
                     "strictness": "lenient", "tables": [{"name": "khai_sinh", "path": "hotich.dbf",
                                                          "maps_to": "person", **table}]}],
    }
    path = folder / "merger.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


COLUMNS = {"source_key": "MA", "full_name": "HOTEN", "birth_place": "NOISINH",
           "birth_date": {"column": "NGAYSINH", "type": "date", "formats": ["yyyy-mm-dd"]},
           "sex": {"column": "GIOITINH", "values": {"Nam": "M", "Nu": "F"}}}


@pytest.mark.parametrize("declared", [True, False], ids=["encoding-declared", "encoding-detected"])
def test_a_foxpro_register_migrates_repaired_and_accounted(declared: bool, tmp_path: Path) -> None:
    register(tmp_path, "fp")
    table: dict[str, Any] = {"columns": COLUMNS}
    if declared:
        table["encoding"] = "tcvn3"
    merger = _merger(tmp_path, table)
    out = CliRunner().invoke(app, ["--lang", "en", "migrate", str(merger)])
    assert out.exit_code == 0, out.output
    project = load_project(merger)
    with duckdb.connect(str(project.store_path), read_only=True) as con:
        (balance,) = books(con, project)
        people = dict(con.execute("SELECT src_key, full_name FROM person").fetchall())
        places = {r[0] for r in con.execute("SELECT birth_place FROM person").fetchall()}
        quarantine = con.execute("SELECT src_row, reason_code, message FROM quarantine ORDER BY src_row").fetchall()
        cells = con.execute("SELECT src_row, column_name, raw_value FROM quarantine WHERE column_name IS NOT NULL "
                            "ORDER BY src_row").fetchall()
        dates = dict(con.execute("SELECT src_key, birth_date::VARCHAR FROM person").fetchall())
    assert balance.read == 6 and balance.balanced
    assert balance.read == balance.loaded + balance.merged + balance.quarantined
    assert [(row, code) for row, code, _ in quarantine] == [(DELETED, "deleted_in_source"), (BAD_DATE, "bad_date"),
                                                            (BAD_NUMBER, "bad_number")]  # SOTIEN: read, not mapped
    assert "NGAYSINH" in quarantine[1][2] and "19x9/0?9" in quarantine[1][2]
    assert cells == [(BAD_DATE, "NGAYSINH", "19x9/0?9"), (BAD_NUMBER, "SOTIEN", "44,44O.4A?")]  # column and value
    kept = [i for i in range(6) if i + 1 not in (DELETED, BAD_DATE, BAD_NUMBER)]
    assert people == {f"HT{i + 1:04d}": NAMES[i] for i in kept}  # TCVN3 read back as Unicode
    assert places == {PLACES[i] for i in kept}
    assert dates["HT0001"] == "1950-01-10"


def test_a_truncated_register_is_refused_before_any_work(tmp_path: Path) -> None:
    written = register(tmp_path, "fp")
    written.path.write_bytes(written.path.read_bytes()[:-300])  # the copy from the old machine was cut short
    merger = _merger(tmp_path, {"columns": COLUMNS, "encoding": "tcvn3"})
    out = CliRunner().invoke(app, ["--lang", "en", "migrate", str(merger)])
    assert out.exit_code == 2, out.output
    assert "Cannot read the dBase/FoxPro table (.dbf)" in out.output and "hotich.dbf" in out.output
    assert "the file is truncated: its header says 6 records" in out.output and "FoxPro" in out.output
    assert "Traceback" not in out.output and not load_project(merger).store_path.exists()
