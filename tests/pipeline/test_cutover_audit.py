"""The cut-over's entry in the project's keyed audit chain: appended once (a resumed cut-over adds no second one),
in the web app's format, checked by ``hopnhat audit verify`` with the web app's own entries; an edited entry is found;
a rehearsal writes a ``cutover_rehearsal`` entry to the real project's chain (never with a throw-away key); a key
other than the chain's is refused before the catalog is marked."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.pipeline.conftest import catalogued_estate

from hopnhat.catalog.store import load_state
from hopnhat.errors import ConfigError
from hopnhat.i18n import set_language
from hopnhat.project.config import Project, load_project
from hopnhat.run.cutover import CutoverOptions, Signer, cutover, rehearse
from hopnhat.run.cutover.folder import cutover_dir
from hopnhat.serve.app.appdb import AppDB
from hopnhat.serve.app.settings import project_audit_key
from hopnhat.serve.security import audit

SOURCE = "quangnam_tthc"
SIGNED_BY = "Trần Thị B"


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language(None)


@pytest.fixture(scope="module")
def estate(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated estate with its catalog (inventory, decisions, roadmap)."""
    out = catalogued_estate(tmp_path_factory.mktemp("cutover-audit") / "estate")
    return out


def _project(estate: Path, to: Path) -> Project:
    shutil.copytree(estate, to, symlinks=True)
    return load_project(to / "merger.yaml")


def _web_app_ran(project: Project) -> tuple[AppDB, Signer]:
    """The web app's database with its own entries, and the signer of the project's audit key."""
    key = project_audit_key(project)
    db = AppDB(project.app_db_path, key)
    audit.append(db, "admin", "login_success", "10.0.0.7", {})
    audit.append(db, "canbo1", "lookup", "10.0.0.8", {"q": "Nguyễn Văn An", "results": 3})
    return db, Signer(key.encode("utf-8"), audit.key_id(key.encode("utf-8")))


def _opts() -> CutoverOptions:
    return CutoverOptions(signed_by=SIGNED_BY, link=False)


def _verify_cli(project: Project) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "hopnhat", "--lang", "en", "audit", "verify", str(project.path)],
                          capture_output=True, text=True, env={**os.environ, "COLUMNS": "200"})


def test_the_cut_over_is_in_the_chain_once_and_verifies(estate: Path, tmp_path: Path) -> None:
    project = _project(estate, tmp_path / "p")
    db, signer = _web_app_ran(project)
    result = cutover(project, SOURCE, signer, _opts())
    assert result.audit_seq == 3
    newest = audit.entries(db, None, None, limit=1)[0]
    report_json = result.folder / "report.json"
    assert newest["seq"] == 3 and newest["action"] == "cutover" and newest["actor"] == SIGNED_BY
    detail = newest["detail"]
    assert detail["source"] == SOURCE and detail["signed_by"] == SIGNED_BY and detail["rehearsal"] is False
    assert detail["frozen_at"] == result.report["frozen_at"] and detail["run_id"] == result.report["run_id"]
    assert detail["report_sha256"] == hashlib.sha256(report_json.read_bytes()).hexdigest()
    assert detail["signature"] == result.document["signature"]["value"]
    assert audit.verify(db).ok and audit.verify(db).entries == 3
    done = _verify_cli(project)
    assert done.returncode == 0 and "3 entries" in done.stdout

    # killed after the entry was appended, before the step was recorded: the resumed cut-over appends no second one
    steps = json.loads((result.folder / "steps.json").read_text(encoding="utf-8"))
    del steps["mark"]
    (result.folder / "steps.json").write_text(json.dumps(steps), encoding="utf-8")
    again = cutover(project, SOURCE, signer, _opts())
    assert again.audit_seq == 3 and audit.verify(db).entries == 3
    assert cutover(project, SOURCE, signer, _opts()).already and audit.verify(db).entries == 3

    con = sqlite3.connect(str(project.app_db_path), isolation_level=None)
    con.execute("DROP TRIGGER audit_no_update")
    con.execute("UPDATE audit SET detail = replace(detail, ?, ?) WHERE seq = 3", [SIGNED_BY, "Someone Else"])
    con.close()
    verdict = audit.verify(db)
    assert not verdict.ok and verdict.first_bad == 3
    broken = _verify_cli(project)
    assert broken.returncode == 1 and "seq=3" in broken.stderr


def test_a_cut_over_without_the_web_app_starts_the_chain(estate: Path, tmp_path: Path) -> None:
    project = _project(estate, tmp_path / "p")
    key = project_audit_key(project)
    signer = Signer(key.encode("utf-8"), audit.key_id(key.encode("utf-8")))
    assert not project.app_db_path.exists()
    assert cutover(project, SOURCE, signer, _opts()).audit_seq == 1
    db = AppDB(project.app_db_path, key)  # the web app's first start keeps the entry and goes on from it
    audit.append(db, "admin", "login_success", "10.0.0.7", {})
    verdict = audit.verify(db)
    assert verdict.ok and verdict.entries == 2
    assert [e["action"] for e in audit.entries(db, None, None, limit=5)] == ["login_success", "cutover"]


def test_a_key_other_than_the_chains_is_refused_before_the_catalog_is_marked(estate: Path, tmp_path: Path) -> None:
    project = _project(estate, tmp_path / "p")
    db, _ = _web_app_ran(project)
    with pytest.raises(ConfigError, match="not the key this audit chain"):
        cutover(project, SOURCE, Signer(b"k" * 32, "another-key"), _opts())
    assert load_state(project.catalog_path).latest_source_states()[SOURCE].state == "frozen"
    assert audit.verify(db).entries == 2


def test_a_rehearsal_is_in_the_real_chain_marked_as_such(estate: Path, tmp_path: Path) -> None:
    project = _project(estate, tmp_path / "p")
    db, signer = _web_app_ran(project)
    throwaway = Signer(b"t" * 32, "rehearsal-0123456789abcdef")
    assert rehearse(project, SOURCE, throwaway, _opts()).audit_seq is None  # never keyed by a throw-away key
    assert audit.verify(db).entries == 2
    result = rehearse(project, SOURCE, signer, _opts())
    assert result.audit_seq == 3
    newest = audit.entries(db, None, None, limit=1)[0]
    assert newest["action"] == "cutover_rehearsal" and newest["detail"]["rehearsal"] is True
    assert newest["detail"]["source"] == SOURCE and newest["detail"]["frozen_at"] == result.report["frozen_at"]
    assert audit.verify(db).ok and not cutover_dir(project, SOURCE).exists()
    assert load_state(project.catalog_path).latest_source_states().get(SOURCE) is None or \
        load_state(project.catalog_path).latest_source_states()[SOURCE].state != "cut_over"
