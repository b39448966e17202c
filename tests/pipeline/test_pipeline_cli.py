"""The pipeline's command-line contract: reconcile (--json, exit code), store checksum, quarantine, publish."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
from openpyxl import load_workbook
from typer.testing import CliRunner

from hopnhat.cli.main import app
from hopnhat.project.config import Project
from hopnhat.run.runner import RunResult

runner = CliRunner()


def _run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["--lang", "en", *args])
    return result.exit_code, result.output


def test_reconcile_json_has_one_entry_per_source_table(migrated: tuple[Project, RunResult], tmp_path: Path) -> None:
    project, _ = migrated
    out = tmp_path / "books.json"
    code, text = _run("reconcile", str(project.path), "--json", str(out))
    assert code == 0, text
    entries = json.loads(out.read_text(encoding="utf-8"))
    assert len(entries) == sum(len(s.tables) for s in project.config.sources)
    for e in entries:
        assert {"source", "table", "read", "loaded", "merged", "quarantined"} <= set(e)
        assert e["read"] == e["loaded"] + e["merged"] + e["quarantined"]


def test_reconcile_and_quarantine_outputs_are_checked_before_work(migrated: tuple[Project, RunResult],
                                                                  tmp_path: Path) -> None:
    project, _ = migrated
    before = project.path.read_bytes()
    for target in (project.path, project.path.parent / "x" / ".." / project.path.name):
        code, text = _run("reconcile", str(project.path), "--json", str(target))
        assert code == 2 and project.path.read_bytes() == before, text
    code, text = _run("reconcile", str(project.path), "--json", str(tmp_path / "missing" / "books.json"))
    assert code == 2 and not (tmp_path / "missing").exists(), text
    code, text = _run("quarantine", "export", str(project.path), "-o", str(tmp_path / "q.pdf"))
    assert code == 2 and not (tmp_path / "q.pdf").exists(), text
    assert not list(tmp_path.glob("*.tmp*")) and not list(tmp_path.glob(".*"))


def test_reconcile_exits_non_zero_when_a_row_is_lost(migrated: tuple[Project, RunResult], tmp_path: Path) -> None:
    project, _ = migrated
    copy = tmp_path / "merger.yaml"
    store = tmp_path / "hopnhat.duckdb"
    shutil.copy(project.store_path, store)
    copy.write_text(project.path.read_text(encoding="utf-8"), encoding="utf-8")
    with duckdb.connect(str(store)) as c:
        c.execute("DELETE FROM person WHERE record_id = (SELECT min(record_id) FROM person)")
    code, text = _run("reconcile", str(copy))
    assert code == 1
    assert "✘" in text


def test_store_checksum_prints_one_line_per_unified_table(migrated: tuple[Project, RunResult]) -> None:
    project, _ = migrated
    code, text = _run("store", "checksum", str(project.path))
    assert code == 0, text
    lines = dict((ln.split("\t")[0], ln.split("\t")[1:]) for ln in text.strip().splitlines())
    for table in ("person", "person_event", "organization", "dossier", "dossier_history", "parcel",
                  "civil_servant", "quarantine"):
        assert table in lines and len(lines[table][1]) == 16


def test_quarantine_list_and_export_to_excel(migrated: tuple[Project, RunResult], tmp_path: Path) -> None:
    project, _ = migrated
    code, text = _run("quarantine", "list", str(project.path), "--limit", "5")
    assert code == 0 and "quarantined rows" in text
    out = tmp_path / "q.xlsx"
    code, text = _run("quarantine", "export", str(project.path), "-o", str(out))
    assert code == 0, text
    ws = load_workbook(out).active
    header = [c.value for c in ws[1]]
    assert header[:3] == ["src_source", "src_table", "src_row"] and "reason_code" in header
    assert ws.max_row > 1


def test_publish_to_postgresql_gives_the_same_checksums(migrated: tuple[Project, RunResult],
                                                         publish_dsn: str) -> None:
    project, _ = migrated
    code, text = _run("publish", str(project.path), "--to", publish_dsn)
    assert code == 0, text
    code_again, _ = _run("publish", str(project.path), "--to", publish_dsn)  # idempotent
    assert code_again == 0
    _, duck = _run("store", "checksum", str(project.path))
    _, pg = _run("store", "checksum", str(project.path), "--store", publish_dsn)
    assert duck.strip() and duck == pg


def test_missing_merger_file_is_a_clear_error(tmp_path: Path) -> None:
    code, text = _run("migrate", str(tmp_path / "nope.yaml"))
    assert code == 2 and "not found" in text
