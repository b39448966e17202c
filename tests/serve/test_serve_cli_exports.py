"""The CLI commands that write citizens' data to files — ``hopnhat quarantine export``, ``hopnhat review export`` —
mask identifiers unless ``--no-mask`` is given, and every file they write is an entry (``cli_export``) of the
project's keyed audit chain, which ``hopnhat audit verify`` still finds whole. The listings on the terminal —
``hopnhat quarantine list``, ``hopnhat review list`` (table or JSON) — are masked the same way, and a listing printed
with ``--no-mask`` is an entry too (``output``: ``terminal``)."""

from __future__ import annotations

import csv
import hashlib
import json
import re
import shutil
from pathlib import Path

import duckdb
import pytest
from tests.serve.test_serve_cli import merger  # noqa: F401 - the fixture: a merger file with its app db in tmp_path
from typer.testing import CliRunner

from hopnhat.cli import audit as audit_cli
from hopnhat.cli import quarantine as quarantine_cli
from hopnhat.cli import review as review_cli
from hopnhat.cli.common import console
from hopnhat.project.config import load_project
from hopnhat.serve.security.mask import mask

runner = CliRunner()


@pytest.fixture(scope="module")
def store_identifiers(estate: Path) -> set[str]:
    """Every CCCD/CMND/phone of the store's citizens and applicants, read from the store itself."""
    con = duckdb.connect(str(estate / "hopnhat.duckdb"), read_only=True)
    try:
        found = {str(v) for (v,) in con.execute(
            "SELECT unnest([id_number, cccd, cmnd, phone]) FROM person UNION SELECT applicant_id FROM dossier "
            "UNION SELECT holder_id FROM parcel").fetchall() if v}
        raw = {str(v) for (v,) in con.execute("SELECT raw_value FROM quarantine WHERE regexp_matches(raw_value, "
                                              "'^[0-9]{9,12}$')").fetchall()}
    finally:
        con.close()
    return {re.sub(r"\D", "", v) for v in found | raw if len(re.sub(r"\D", "", v)) >= 9}


def _cells(path: Path) -> str:
    with path.open(encoding="utf-8-sig") as fh:
        return "\n".join("\t".join(row) for row in csv.reader(fh))


def _full(text: str, identifiers: set[str]) -> set[str]:
    runs = {re.sub(r"\D", "", m) for m in re.findall(r"\+?\d(?:[ .\-]?\d){8,14}", text)}
    return {i for i in identifiers if any(i in r for r in runs)}


def _entries(merger_path: Path) -> list[dict[str, object]]:
    import sqlite3

    con = sqlite3.connect(load_project(merger_path).app_db_path)
    try:
        if not con.execute("SELECT 1 FROM sqlite_master WHERE name = 'audit'").fetchall():
            return []  # nothing recorded yet: the chain is made by its first entry
        rows = con.execute("SELECT actor, action, detail FROM audit WHERE action = 'cli_export' ORDER BY seq")
        return [{"actor": a, "action": b, **json.loads(d)} for a, b, d in rows.fetchall()]
    finally:
        con.close()


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_quarantine_export_is_masked_and_recorded(merger: Path, tmp_path: Path,  # noqa: F811
                                                  store_identifiers: set[str]) -> None:
    masked, clear = tmp_path / "q.csv", tmp_path / "q-full.csv"
    result = runner.invoke(quarantine_cli.quarantine_app, ["export", str(merger), "-o", str(masked)])
    assert result.exit_code == 0, result.output
    assert "audit" in result.output.lower() or "kiểm toán" in result.output
    text = _cells(masked)
    assert _full(text, store_identifiers) == set()
    assert re.search(r"\d\*{5,}\d{3}", text)  # the identifiers are there, masked
    result = runner.invoke(quarantine_cli.quarantine_app, ["export", str(merger), "-o", str(clear), "--no-mask"])
    assert result.exit_code == 0, result.output
    assert _full(_cells(clear), store_identifiers)  # asked for in full: written in full
    first, second = _entries(merger)
    assert (first["command"], first["masked"], first["sha256"], first["file"]) == \
        ("quarantine export", True, _sha(masked), str(masked.resolve()))
    assert (second["masked"], second["sha256"]) == (False, _sha(clear))
    assert first["rows"] == second["rows"] == len(text.splitlines()) - 1
    verified = runner.invoke(audit_cli.app, ["verify", str(merger)])
    assert verified.exit_code == 0, verified.output


def test_review_export_is_masked_and_recorded(merger: Path, tmp_path: Path,  # noqa: F811
                                              store_identifiers: set[str]) -> None:
    out = tmp_path / "review.csv"
    result = runner.invoke(review_cli.app, ["export", str(out), "--project", str(merger), "--status", "all"])
    assert result.exit_code == 0, result.output
    text = _cells(out)
    assert "pair" in text and _full(text, store_identifiers) == set()
    assert re.search(r"\d\*{5,}\d{3}", text)
    (entry,) = _entries(merger)
    assert (entry["command"], entry["masked"], entry["sha256"]) == ("review export", True, _sha(out))
    bare = tmp_path / "review-bare.csv"
    result = runner.invoke(review_cli.app, ["export", str(bare), "--store",
                                            str(load_project(merger).store_path)])
    assert result.exit_code == 0 and "--store" in result.output  # no chain to write to: it says so
    assert len(_entries(merger)) == 1


@pytest.fixture()
def wide(monkeypatch: pytest.MonkeyPatch) -> None:
    """A terminal wide enough that no identifier is folded over two lines of a table."""
    monkeypatch.setattr(console, "width", 400)


def _printed(merger_path: Path) -> list[dict[str, object]]:
    return [e for e in _entries(merger_path) if e.get("output") == "terminal"]


@pytest.fixture()
def duplicate_cccd(merger: Path, tmp_path: Path) -> tuple[Path, str]:  # noqa: F811
    """A copy of the store with one more quarantined cell: the CCCD of a quarantined citizen row, refused as held
    by another row (the value and the message name it, short enough to show in a listing); its merger file."""
    project = load_project(merger)
    store = tmp_path / "store-copy.duckdb"
    shutil.copy(project.store_path.resolve(), store)
    con = duckdb.connect(str(store))
    try:
        src = con.execute("SELECT src_source, src_table, src_row, src_key, raw_row, run_id FROM quarantine "
                          "WHERE CASE WHEN json_valid(raw_row) THEN json_extract_string(raw_row, '$.so_cccd') END "
                          "IS NOT NULL ORDER BY 1, 2, 3").fetchone()
        assert src is not None
        cccd = json.loads(src[4])["so_cccd"]
        con.execute("INSERT INTO quarantine VALUES (?, ?, ?, ?, 'so_cccd', ?, 'duplicate_id', ?, ?, ?)",
                    [*src[:4], cccd, f"CCCD {cccd} trùng dòng khác", src[4], src[5]])
    finally:
        con.close()
    path = tmp_path / "merger-copy.yaml"
    path.write_text(merger.read_text(encoding="utf-8").replace(f"path: {project.store_path}", f"path: {store}"),
                    encoding="utf-8")
    assert load_project(path).store_path == store
    return path, cccd


def test_quarantine_list_is_masked_unless_asked_and_then_recorded(duplicate_cccd: tuple[Path, str],
                                                                  wide: None, store_identifiers: set[str]) -> None:
    merger_path, cccd = duplicate_cccd
    result = runner.invoke(quarantine_cli.quarantine_app, ["list", str(merger_path), "--limit", "100000"])
    assert result.exit_code == 0, result.output
    assert _full(result.output, store_identifiers) == set() and cccd not in result.output
    assert mask(cccd) in result.output and f"CCCD {mask(cccd)} trùng" in result.output  # in the message too
    assert _entries(merger_path) == []  # a masked listing shows what the web app shows: not recorded
    args = ["list", str(merger_path), "--limit", "100000", "--no-mask"]
    result = runner.invoke(quarantine_cli.quarantine_app, args)
    assert result.exit_code == 0, result.output
    assert cccd in result.output  # asked for in full: printed in full
    assert "kiểm toán" in result.output or "audit" in result.output.lower()
    (entry,) = _printed(merger_path)
    assert (entry["command"], entry["masked"], entry["output"]) == ("quarantine list", False, "terminal")
    assert isinstance(entry["rows"], int) and entry["rows"] > 1
    verified = runner.invoke(audit_cli.app, ["verify", str(merger_path)])
    assert verified.exit_code == 0, verified.output


def test_review_list_is_masked_unless_asked_and_then_recorded(merger: Path, wide: None,  # noqa: F811
                                                              store_identifiers: set[str]) -> None:
    args = ["list", "--project", str(merger), "--status", "all", "--limit", "100000"]
    table = runner.invoke(review_cli.app, args)
    as_json = runner.invoke(review_cli.app, [*args, "--json"])
    assert table.exit_code == 0 and as_json.exit_code == 0, table.output + as_json.output
    assert _full(table.output, store_identifiers) == set() and _full(as_json.stdout, store_identifiers) == set()
    assert re.search(r"\d\*{5,}\d{3}", as_json.stdout)  # the records' identifiers, masked
    assert _entries(merger) == []
    clear = runner.invoke(review_cli.app, [*args, "--json", "--no-mask"])
    assert clear.exit_code == 0, clear.output
    items = json.loads(clear.stdout)["items"]  # the note on stderr leaves the JSON whole
    assert _full(clear.stdout, store_identifiers)
    (entry,) = _printed(merger)
    assert (entry["command"], entry["masked"], entry["rows"]) == ("review list", False, len(items))
    bare = runner.invoke(review_cli.app, ["list", "--store", str(load_project(merger).store_path), "--no-mask"])
    assert bare.exit_code == 0 and "--store" in bare.output  # no chain to write to: it says so
    assert len(_printed(merger)) == 1
