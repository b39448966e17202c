"""CLI contracts: ``hopnhat link persons`` (CSV, Excel, Parquet; renamed columns) and ``hopnhat review``."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from tests.link.conftest import Linked
from typer.testing import CliRunner

from hopnhat.cli.link import app as link_app
from hopnhat.cli.review import app as review_app
from hopnhat.link.evaluate import evaluate
from hopnhat.link.truth import person_rows

runner = CliRunner()


@pytest.fixture(scope="module")
def people(estate: Path) -> pa.Table:
    """The estate's person rows as a clerk would have them: six columns plus the truth, names renamed."""
    raw = person_rows(estate)
    table = raw.select(["full_name", "dob", "sex", "id_number", "phone", "address", "entity"])
    return table.rename_columns(["Họ và tên", "Ngày sinh", "sex", "id_number", "phone", "address", "entity"])


def _run(args: list[str]) -> str:
    result = runner.invoke(link_app, args)
    assert result.exit_code == 0, result.output
    return result.output


def test_csv_every_row_and_column_plus_cluster(people: pa.Table, tmp_path: Path) -> None:
    src, out = tmp_path / "people.csv", tmp_path / "linked.csv"
    pacsv.write_csv(people, src)
    output = _run(["persons", str(src), "--output", str(out), "--column", "full_name=Họ và tên",
                   "--column", "dob=Ngày sinh"])
    assert "→" in output
    result = duckdb.read_csv(str(out), all_varchar=True).fetch_arrow_table()
    assert result.column_names == people.column_names + ["cluster_id", "match_probability"]
    assert result.num_rows == people.num_rows
    assert result.column("Họ và tên").to_pylist() == people.column("Họ và tên").to_pylist()
    rows = [str(i) for i in range(result.num_rows)]
    ev = evaluate(dict(zip(rows, result.column("cluster_id").to_pylist())),
                  dict(zip(rows, people.column("entity").to_pylist())))
    assert ev.pairs.f1 >= 0.99
    probs = [float(p) for p in result.column("match_probability").to_pylist() if p]
    assert probs and all(0.6 <= p <= 1 for p in probs)


def test_excel_and_parquet(people: pa.Table, tmp_path: Path) -> None:
    from openpyxl import Workbook, load_workbook

    small = people.slice(0, 300)
    book = Workbook()
    book.active.append(small.column_names)
    for row in zip(*(c.to_pylist() for c in small.columns)):
        book.active.append(list(row))
    book.save(tmp_path / "in.xlsx")
    _run(["persons", str(tmp_path / "in.xlsx"), "-o", str(tmp_path / "out.xlsx"), "-c", "full_name=Họ và tên",
          "-c", "dob=Ngày sinh"])
    rows = list(load_workbook(tmp_path / "out.xlsx").active.iter_rows(values_only=True))
    assert rows[0][-2:] == ("cluster_id", "match_probability") and len(rows) == 301
    pq.write_table(small, tmp_path / "in.parquet")
    _run(["persons", str(tmp_path / "in.parquet"), "-o", str(tmp_path / "out.parquet"), "-c", "full_name=Họ và tên",
          "-c", "dob=Ngày sinh"])
    assert pq.read_table(tmp_path / "out.parquet").num_rows == 300


def test_bad_columns_are_named(people: pa.Table, tmp_path: Path) -> None:
    src = tmp_path / "p.csv"
    unknown = people.slice(0, 10).rename_columns(["Nhân khẩu", *people.column_names[1:]])  # no name header
    pacsv.write_csv(unknown, src)
    result = runner.invoke(link_app, ["persons", str(src), "-o", str(tmp_path / "o.csv")])
    assert result.exit_code == 2 and "full_name" in result.output and "Nhân khẩu" in result.output
    pacsv.write_csv(people.slice(0, 10), src)  # "Họ và tên", "Ngày sinh": recognised
    result = runner.invoke(link_app, ["persons", str(src), "-o", str(tmp_path / "o.csv"), "-c", "nickname=x"])
    assert result.exit_code == 2 and "nickname" in result.output
    result = runner.invoke(link_app, ["persons", str(src), "-o", str(tmp_path / "o.csv"), "-c", "dob=Sinh"])
    assert result.exit_code == 2 and "Sinh" in result.output


def test_help_lists_the_options() -> None:
    output = runner.invoke(link_app, ["persons", "--help"]).output
    for option in ("--output", "--column", "--engine", "--threads"):
        assert option in output


def test_review_list_export_import(linked: Linked, tmp_path: Path) -> None:
    store = tmp_path / "store.duckdb"
    store.write_bytes(linked.path.read_bytes())
    listed = runner.invoke(review_app, ["list", "--store", str(store), "--entity", "parcel", "--json"])
    assert listed.exit_code == 0 and '"split_unit"' in listed.output
    out = tmp_path / "queue.csv"
    exported = runner.invoke(review_app, ["export", str(out), "--store", str(store), "--entity", "parcel"])
    assert exported.exit_code == 0 and out.is_file()
    lines = out.read_text(encoding="utf-8-sig").splitlines()
    header = lines[0].split(",")
    first = next(iter(__import__("csv").DictReader(lines)))
    cells = dict(first, decision="commune:" + first["candidates"].split(";")[0])
    import csv as _csv

    with out.open("w", encoding="utf-8", newline="") as fh:
        writer = _csv.DictWriter(fh, fieldnames=header)
        writer.writeheader()
        writer.writerow(cells)
    imported = runner.invoke(review_app, ["import", str(out), "--store", str(store), "--user", "clerk"])
    assert imported.exit_code == 0, imported.output
    decided = runner.invoke(review_app, ["list", "--store", str(store), "--status", "decided", "--json"])
    assert cells["item_key"] in decided.output and "clerk" in decided.output


def test_review_without_store_is_a_clear_error(tmp_path: Path) -> None:
    result = runner.invoke(review_app, ["list", "--store", str(tmp_path / "none.duckdb")])
    assert result.exit_code == 2
