"""The CLI commands that write citizens' data to files — ``hopnhat quarantine export``, ``hopnhat review export`` —
mask identifiers unless ``--no-mask`` is given, and every file they write is an entry (``cli_export``) of the
project's keyed audit chain, which ``hopnhat audit verify`` still finds whole."""

from __future__ import annotations

import csv
import hashlib
import json
import re
from pathlib import Path

import duckdb
import pytest
from tests.serve.test_serve_cli import merger  # noqa: F401 - the fixture: a merger file with its app db in tmp_path
from typer.testing import CliRunner

from hopnhat.cli import audit as audit_cli
from hopnhat.cli import quarantine as quarantine_cli
from hopnhat.cli import review as review_cli
from hopnhat.project.config import load_project

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
