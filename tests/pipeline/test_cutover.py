"""The cut-over of a legacy source on a live estate: evolve, then cut over (books balanced at the freeze point, signed
report, catalog marked); a rehearsal leaves nothing behind; refusals (changed after the freeze, books that do not
balance); kill -9 during a cut-over, then resume, gives the same books and store."""

from __future__ import annotations

import hashlib
import json
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from tests.pipeline.conftest import catalogued_estate
from tests.pipeline.test_pipeline_delta import checksums as _checksums

from hopnhat.catalog.store import load_state
from hopnhat.errors import ConfigError
from hopnhat.i18n import set_language
from hopnhat.load.store import connect
from hopnhat.load.storedb import open_store
from hopnhat.project.config import Project, load_project
from hopnhat.run.cutover import (
    CutoverOptions,
    CutoverRefused,
    Signer,
    cutover,
    rehearse,
    source_overview,
    verify_report,
)
from hopnhat.run.cutover.folder import cutover_dir
from hopnhat.synth.evolve import evolve, net_changes, read_changes

SOURCE = "quangnam_tthc"
SIGNER = Signer(b"k" * 32, "test-key")


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Messages and catalog notes in English here (the CLI subprocesses get --lang en)."""
    set_language("en")
    yield
    set_language(None)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated estate with its catalog (inventory, decisions, roadmap), then two days of live change."""
    out = catalogued_estate(tmp_path_factory.mktemp("cutover") / "estate")
    evolve(out, 2)
    return out


def _copy(live: Path, to: Path) -> Project:
    shutil.copytree(live, to, symlinks=True)
    return load_project(to / "merger.yaml")


def _opts(**kw: object) -> CutoverOptions:
    return CutoverOptions(signed_by="Trần Thị B", link=False, **kw)  # type: ignore[arg-type]


def _audit_signer(project: Project) -> Signer:
    from hopnhat.serve.app.settings import project_audit_key
    from hopnhat.serve.security.audit import key_id

    key = project_audit_key(project).encode("utf-8")
    return Signer(key, key_id(key))


def _verify_cli(project: Project, report: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "hopnhat", "--lang", "en", "cutover", str(project.path), "--verify",
                           str(report)], capture_output=True, text=True)


def test_evolve_then_cut_over(live: Path, tmp_path: Path) -> None:
    project = _copy(live, tmp_path / "p")
    signer = _audit_signer(project)
    result = cutover(project, SOURCE, signer, _opts())
    report = result.report
    assert [b["table"] for b in report["books"]] == ["ho_so", "ho_so_qua_trinh"]
    assert all(b["balanced"] for b in report["books"]) and report["system_read_only"]
    lines = (project.base / "estate/quangnam/tthc/ho_so.ndjson").read_text(encoding="utf-8").splitlines()
    assert report["books"][0]["read"] == len(lines)  # exactly the frozen file's rows, after two live days
    net = net_changes(read_changes(project.base))[f"{SOURCE}/ho_so"]
    con = connect(project.store_path, read_only=True)
    try:
        keys = {k for (k,) in con.execute("SELECT src_key FROM dossier WHERE src_source = ?", [SOURCE]).fetchall()}
    finally:
        con.close()
    assert set(net["inserted"]) <= keys and not set(net["deleted"]) & keys
    assert verify_report(result.document, signer)
    tampered = json.loads(json.dumps(result.document))
    tampered["report"]["books"][0]["quarantined"] += 1
    assert not verify_report(tampered, signer) and not verify_report(result.document, Signer(b"x" * 32, signer.key_id))
    assert _verify_cli(project, result.folder / "report.json").returncode == 0
    (tmp_path / "tampered.json").write_text(json.dumps(tampered), encoding="utf-8")
    assert _verify_cli(project, tmp_path / "tampered.json").returncode == 1
    saved = json.loads((result.folder / "report.json").read_text(encoding="utf-8"))
    assert saved == result.document and report["signed_by"] == "Trần Thị B"
    state = load_state(project.catalog_path)
    assert state.latest_source_states()[SOURCE].state == "cut_over"
    system = report["system_id"]
    assert state.latest_status()[f"{system}:migrate_data"].state == "done"
    assert report["run_id"] in next(t for t in state.tasks if t.id == f"{system}:migrate_data").run_ids
    views = {v.source: v.state for v in source_overview(project)}
    assert views[SOURCE] == "cut_over" and views["danang_tthc"] == "syncing"
    from hopnhat.serve.pagedata.catalog import CatalogPages

    reader = open_store(project.store_path, timeout_ms=None)
    try:  # the web app's monitoring page data, read through the served store
        web = {v.source: v.state for v in CatalogPages(project.catalog_path, project, reader).monitor(
            date.today()).sources}
    finally:
        reader.close()
    assert web == views
    again = cutover(project, SOURCE, signer, _opts())
    assert again.already and again.document == result.document


def _tree(root: Path) -> dict[str, tuple[int, int, str]]:
    return {str(p.relative_to(root)): (p.stat().st_size, p.stat().st_mtime_ns,
                                       hashlib.sha256(p.read_bytes()).hexdigest())
            for p in sorted(root.rglob("*")) if p.is_file() and not p.is_symlink()}


def test_rehearse_leaves_nothing_behind(live: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import tempfile

    own = tmp_path / "system-tmp"  # this test's own temporary folder: another process's rehearsal is not counted
    own.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(own))
    project = _copy(live, tmp_path / "p")
    before, link = _tree(project.base), project.store_path.readlink()
    temp_before = set(Path(tempfile_dir()).glob("hopnhat-rehearsal-*"))
    assert Path(tempfile_dir()) == own
    result = rehearse(project, SOURCE, SIGNER, _opts())
    assert result.report["rehearsal"] and all(b["balanced"] for b in result.report["books"])
    assert result.seconds >= sum(result.steps.values()) > 0
    assert _tree(project.base) == before and project.store_path.readlink() == link
    assert not cutover_dir(project, SOURCE).exists()
    assert set(Path(tempfile_dir()).glob("hopnhat-rehearsal-*")) == temp_before


def tempfile_dir() -> str:
    import tempfile

    return tempfile.gettempdir()


def test_a_source_changed_after_its_freeze_is_refused(live: Path, tmp_path: Path) -> None:
    project = _copy(live, tmp_path / "p")

    def legacy_keeps_writing(step: str) -> None:
        if step == "run":
            evolve(project.base, 1)  # the old system took one more day of dossiers after the freeze

    with pytest.raises(CutoverRefused, match="đã thay đổi sau khi đóng băng|changed after its freeze") as caught:
        cutover(project, SOURCE, SIGNER, _opts(on_step=legacy_keeps_writing))
    assert "ho_so.ndjson" in str(caught.value.value)
    state = load_state(project.catalog_path).latest_source_states()[SOURCE]
    assert state.state == "syncing" and "refused" in state.note
    folder = cutover_dir(project, SOURCE)
    assert not (folder / "freeze.json").exists() and (folder / "freeze-refused-1.json").exists()
    result = cutover(project, SOURCE, SIGNER, _opts())  # frozen anew, now quiet: it goes through
    assert all(b["balanced"] for b in result.report["books"])


def test_books_that_do_not_balance_are_refused(live: Path, tmp_path: Path) -> None:
    project = _copy(live, tmp_path / "p")

    def lose_rows(step: str) -> None:
        if step == "reconcile":  # three dossiers lost from the store after the run
            con = connect(project.store_path)
            try:
                con.execute("DELETE FROM dossier WHERE rowid IN (SELECT rowid FROM dossier WHERE src_source = ? "
                            "ORDER BY src_key LIMIT 3)", [SOURCE])
            finally:
                con.close()

    with pytest.raises(CutoverRefused, match="không cân đối|do not balance") as caught:
        cutover(project, SOURCE, SIGNER, _opts(on_step=lose_rows))
    assert "ho_so" in str(caught.value.value)
    state = load_state(project.catalog_path)
    assert state.latest_source_states()[SOURCE].state == "frozen"
    assert f"{state.latest_source_states()[SOURCE].system_id}:migrate_data" not in state.latest_status()


def test_refused_before_work(live: Path, tmp_path: Path) -> None:
    project = _copy(live, tmp_path / "p")
    with pytest.raises(ConfigError, match="không có nguồn này|no such source"):
        cutover(project, "khong_co", SIGNER, _opts())
    project.catalog_path.unlink()
    with pytest.raises(ConfigError, match="chưa có kho danh mục|no catalog"):
        cutover(project, SOURCE, SIGNER, _opts())
    future = subprocess.run([sys.executable, "-m", "hopnhat", "--lang", "en", "cutover", str(project.path), "--source",
                             SOURCE, "--at", "2999-01-01T00:00"], capture_output=True, text=True)
    assert future.returncode == 2 and "future" in future.stderr


def _cmd(project: Project) -> list[str]:
    return [sys.executable, "-m", "hopnhat", "--lang", "en", "cutover", str(project.path), "--source", SOURCE,
            "--no-link",
            "--signed-by", "Lê Văn C"]


def _books(project: Project) -> list[object]:
    report = json.loads((cutover_dir(project, SOURCE) / "report.json").read_text(encoding="utf-8"))["report"]
    return [_without_run_ids(b) for b in report["books"]]


def _without_run_ids(value: object) -> object:
    """The books as they compare across runs: every ``run_id`` (the table's, its ``last_load``'s) left out."""
    if isinstance(value, dict):
        return {k: _without_run_ids(v) for k, v in value.items() if k != "run_id"}
    return value


@pytest.mark.slow
def test_kill_minus_nine_during_a_cutover_then_resume(live: Path, tmp_path: Path) -> None:
    clean, project = _copy(live, tmp_path / "clean"), _copy(live, tmp_path / "killed")
    started = time.monotonic()
    subprocess.run(_cmd(clean), check=True, capture_output=True)
    full = time.monotonic() - started
    kills = 0
    for delay in (0.25, 0.45, 0.65):
        proc = subprocess.Popen(_cmd(project), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay * full)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait()
    assert kills >= 2
    done = subprocess.run(_cmd(project), capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    assert _books(project) == _books(clean)
    assert _checksums(project) == _checksums(clean)
    assert load_state(project.catalog_path).latest_source_states()[SOURCE].state == "cut_over"
