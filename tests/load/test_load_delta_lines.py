"""A delta by records hands the reader only the changed records' lines (found by the lines' offsets) and renumbers
them as in the file; the batches must be exactly those a whole read gives for these rows — CSV with a header, NDJSON
past the first 1,000 records (which name the columns and are always read), a SQLite table (rows chosen by SQLite's
``row_number()`` over the reader's order). A CSV's lines the last load read are not checked again for quoted line
breaks; a new line that opens a quote it does not close makes the file one to read row by row."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pyarrow as pa
import pytest

from hopnhat.ingest import read_table
from hopnhat.ingest.fingerprint import Known, Prints, file_prints, read_subset, source_prints
from hopnhat.project.config import Project, load_project

MERGER = """version: 1
merged_unit: {province_code: '48', name: Thành phố Đà Nẵng, cutover: 2025-07-01, old_provinces: ['48', '49']}
store: {path: out/hopnhat.duckdb, app_db: out/app.sqlite, catalog: out/catalog.duckdb}
linkage: {enabled: false}
sources:
  - name: dancu
    system: Hộ tịch
    province: '49'
    kind: csv
    tables:
      - name: nhan_khau
        path: people.csv
        delimiter: ','
        encoding: utf-8
        maps_to: person
        columns:
          source_key: id
          full_name: full_name
  - name: hoso
    system: Một cửa
    province: '48'
    kind: ndjson
    tables:
      - name: ho_so
        path: people.ndjson
        maps_to: person
        columns:
          source_key: id
          full_name: full_name
  - name: soquan
    system: Dân cư
    province: '48'
    kind: sqlite
    path: people.sqlite
    tables:
      - name: cong_dan
        table: cong_dan
        maps_to: person
        columns:
          source_key: id
          full_name: full_name
"""
ROWS = 2500


def _csv_line(i: int) -> str:
    name = f'"Trần, Thị {i}"' if i % 7 == 0 else f"Nguyễn Văn {i}"  # quoted cells among plain ones
    return f"P{i:05d},{name}\n"


def _ndjson_line(i: int) -> str:
    doc: dict[str, object] = {"id": f"H{i:05d}", "full_name": f"Lê Thị {i}"}
    if i == 1800:
        doc["late_column"] = "seen only past the sample"  # not among the columns a whole read names either
    return json.dumps(doc, ensure_ascii=False) + "\n" if i % 500 else "\n"  # some blank lines


@pytest.fixture()
def project(tmp_path: Path) -> Project:
    (tmp_path / "merger.yaml").write_text(MERGER, encoding="utf-8")
    (tmp_path / "people.csv").write_text("id,full_name\n" + "".join(_csv_line(i) for i in range(ROWS)),
                                         encoding="utf-8")
    (tmp_path / "people.ndjson").write_text("".join(_ndjson_line(i) for i in range(ROWS)), encoding="utf-8")
    con = sqlite3.connect(tmp_path / "people.sqlite")
    con.execute("CREATE TABLE cong_dan (id TEXT, full_name TEXT, note TEXT)")
    rows = [(f"C{i % 1900:05d}", f"Phạm Văn {i % 1900}", None if i % 3 else "x") for i in range(ROWS)]
    con.executemany("INSERT INTO cong_dan VALUES (?, ?, ?)", rows)  # duplicated keys: the order's ties
    con.commit()
    con.close()
    return load_project(tmp_path / "merger.yaml")


def _whole(project: Project, source: str) -> pa.Table:
    src = project.source(source)
    return pa.concat_tables(read_table(project, src, src.tables[0], batch_rows=700), promote_options="permissive")


def _subset(project: Project, source: str, prints: Prints, wanted: set[int]) -> pa.Table:
    src = project.source(source)
    return pa.concat_tables(read_subset(project, src, src.tables[0], prints, wanted, 700),
                            promote_options="permissive")


@pytest.mark.parametrize("source", ["dancu", "hoso", "soquan"])
def test_the_changed_lines_read_as_a_whole_read_reads_them(project: Project, source: str) -> None:
    src = project.source(source)
    prints = source_prints(project, src, src.tables[0])
    assert prints is not None
    whole = _whole(project, source)
    rows = whole.column("_row").to_pylist()
    wanted = {rows[0], rows[3], rows[999], rows[1001], rows[1500], rows[-1], *rows[1790:1810]}
    sub = _subset(project, source, prints, wanted)
    expected = whole.filter(pa.array([r in wanted for r in rows]))
    assert sub.column_names == expected.column_names
    assert sub.equals(expected)
    assert set(sub.column("_row").to_pylist()) == wanted


def test_only_new_lines_are_checked_for_quoted_line_breaks(project: Project) -> None:
    src = project.source("dancu")
    table = src.tables[0]
    first = file_prints(project, src, table)
    assert first is not None
    known = Known(first.layout, first.records.column("raw_hash"))
    path = project.resolve(table.path or "")
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    harmless = lines[:5] + ['P90000,"Võ, ""Tí"" Văn"\n'] + lines[5:]
    path.write_text("".join(harmless), encoding="utf-8")
    again = file_prints(project, src, table, known)
    assert again is not None and again.records.equals(file_prints(project, src, table).records)  # type: ignore[union-attr]
    for opening in ('P90001,"Võ Văn\n', 'P90002,Võ"Tí,"Văn\n'):  # a quote left open: the record takes the next line
        path.write_text("".join(lines[:5] + [opening] + lines[5:]), encoding="utf-8")
        assert file_prints(project, src, table, known) is None
        assert file_prints(project, src, table) is None  # as the check of the whole file says
