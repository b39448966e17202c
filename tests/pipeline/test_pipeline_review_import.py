"""``hopnhat review import`` while the store is served: the decisions go into the store's next version, published
atomically, so a process holding the served version open (the web app) never blocks it and keeps its version."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest
from tests.pipeline.test_pipeline_delta import copy_with_store
from typer.testing import CliRunner

from hopnhat.cli.review import app as review_app
from hopnhat.load.versions import current_name, current_path
from hopnhat.project.config import Project
from hopnhat.run.runner import RunResult

HOLD = ("import duckdb, sys, time\n"
        "con = duckdb.connect(sys.argv[1], read_only=True)\n"
        "print(con.execute('SELECT count(*) FROM review_items').fetchone()[0], flush=True)\n"
        "sys.stdin.readline()\n"
        "print(con.execute('SELECT count(*) FROM review_decisions').fetchone()[0], flush=True)\n")


def _fill(sheet: Path) -> int:
    """Decide every exported item: pairs 'different', split addresses their first candidate."""
    with sheet.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        row["decision"] = ("different" if row["kind"] == "pair" else f"commune:{row['candidates'].split(';')[0]}")
    with sheet.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return len(rows)


def test_review_import_publishes_the_next_version_while_the_store_is_held_open(
        migrated: tuple[Project, RunResult], tmp_path: Path) -> None:
    project = copy_with_store(migrated[0], tmp_path / "estate")
    runner = CliRunner()
    sheet = tmp_path / "queue.csv"
    exported = runner.invoke(review_app, ["export", str(sheet), "--project", str(project.path)])
    assert exported.exit_code == 0, exported.output
    filled = _fill(sheet)
    assert filled > 0
    served = current_path(project.store_path)
    before = current_name(project.store_path)
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(project.store_path)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdin is not None
        assert int(holder.stdout.readline()) == filled  # the served version is open in another process
        imported = runner.invoke(review_app, ["import", str(sheet), "--user", "clerk", "--project", str(project.path)])
        assert imported.exit_code == 0, imported.output
        holder.stdin.write("\n")
        holder.stdin.flush()
        assert int(holder.stdout.readline()) == 0  # the holder keeps reading its own version, unchanged
    finally:
        holder.kill()
        holder.wait()
    assert current_name(project.store_path) != before and current_path(project.store_path) != served
    decided = runner.invoke(review_app, ["list", "--status", "decided", "--json", "--project", str(project.path)])
    assert json.loads(decided.output)["total"] == filled


def test_review_import_keeps_the_lookup_index_of_the_served_version(
        migrated: tuple[Project, RunResult], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Decisions change no entry of the lookup index: the version ``review import`` publishes has the previous
    version's fingerprint, so the web app finds its index ready and builds nothing when it switches."""
    from hopnhat.load import lookup_index
    from hopnhat.load.storedb import open_store
    from hopnhat.run.runner import build_lookup_index

    project = copy_with_store(migrated[0], tmp_path / "estate")
    build_lookup_index(project)
    runner = CliRunner()
    sheet = tmp_path / "queue.csv"
    assert runner.invoke(review_app, ["export", str(sheet), "--project", str(project.path)]).exit_code == 0
    _fill(sheet)
    before = current_name(project.store_path)
    imported = runner.invoke(review_app, ["import", str(sheet), "--user", "clerk", "--project", str(project.path)])
    assert imported.exit_code == 0, imported.output
    assert current_name(project.store_path) != before

    def no_build(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the app would build a new lookup index after review import")

    monkeypatch.setattr(lookup_index, "build_index", no_build)
    reader = open_store(project.store_path, timeout_ms=60_000)
    try:
        path, fp = lookup_index.ensure_index(reader, project)
    finally:
        reader.close()
    assert lookup_index.index_fingerprint(path) == fp
