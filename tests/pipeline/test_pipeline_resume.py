"""Killed at any point (kill -9) and rerun, a migration — full or delta — resumes and ends with exactly the same store
and books; run twice, it changes nothing."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from tests.pipeline.conftest import fresh_copy
from tests.pipeline.test_pipeline_delta import CHANGED, change_rows, copy_with_store
from tests.pipeline.test_pipeline_delta import checksums as _checksums

from hopnhat.project.config import Project
from hopnhat.run.runner import RunResult, migrate


def _migrate_cmd(project: Project) -> list[str]:
    return [sys.executable, "-m", "hopnhat", "migrate", str(project.path)]


def test_second_run_changes_nothing(migrated: tuple[Project, RunResult]) -> None:
    project, _ = migrated
    before = _checksums(project)
    again = migrate(project)
    assert len(again.loaded) == 0 and len(again.skipped) == sum(len(s.tables) for s in project.config.sources)
    assert again.balanced
    assert _checksums(project) == before


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            found += [int(c) for c in task.read_text().split()]
        except OSError:
            pass
    return found


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[-1][0] != "Z"
    except OSError:
        return False


def _assert_gone(pids: list[int]) -> None:
    deadline = time.monotonic() + 10
    while any(_alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [p for p in pids if _alive(p)], "worker processes outlived the killed migration"


@pytest.mark.slow
def test_kill_minus_nine_at_random_points_then_resume_gives_the_same_store(estate: Path, tmp_path: Path) -> None:
    project = fresh_copy(estate, tmp_path / "estate")
    clean = fresh_copy(estate, tmp_path / "clean")  # an uninterrupted run the same way (same command, same language)
    started = time.monotonic()
    subprocess.run(_migrate_cmd(clean), check=True, capture_output=True)
    full = time.monotonic() - started
    expected = _checksums(clean)
    rng = random.Random(11)
    kills, workers = 0, []
    for _ in range(15):
        if kills >= 5:
            break
        proc = subprocess.Popen(_migrate_cmd(project), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.1, 0.3) * full)
        if proc.poll() is None:
            workers += _children(proc.pid)
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait()
    assert kills >= 5
    _assert_gone(workers)  # the workers of a killed run die with it (no orphan left loading into nowhere)
    done = subprocess.run(_migrate_cmd(project), capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    assert _checksums(project) == expected


def _run_books(project: Project) -> dict[str, list[tuple[object, ...]]]:
    """The last run's books (per table), the delta's books and the deleted rows, without run ids and times."""
    con = duckdb.connect(str(project.store_path), read_only=True)
    try:
        run = con.execute("SELECT run_id FROM runs ORDER BY started_at DESC LIMIT 1").fetchone()
        assert run is not None
        return {
            "reconciliation": con.execute("SELECT * EXCLUDE (run_id) FROM reconciliation WHERE run_id = ? "
                                          "ORDER BY ALL", run).fetchall(),
            # the delta's books, in whichever run did it (a run finished before a kill: the next ones skip all)
            "table_delta": con.execute("SELECT * EXCLUDE (run_id, finished_at) FROM table_delta WHERE mode = 'delta' "
                                       "ORDER BY ALL").fetchall(),
            "deleted_rows": con.execute("SELECT * EXCLUDE (run_id, deleted_at) FROM deleted_rows ORDER BY ALL")
            .fetchall()}
    finally:
        con.close()


@pytest.mark.slow
def test_kill_minus_nine_during_a_delta_then_resume_gives_the_same_books_and_store(estate: Path,
                                                                                    tmp_path: Path) -> None:
    project = fresh_copy(estate, tmp_path / "estate")
    subprocess.run(_migrate_cmd(project), check=True, capture_output=True)
    rng = random.Random(3)
    for source, table in CHANGED:
        change_rows(project, source, table, rng)
    clean = copy_with_store(project, tmp_path / "clean")  # the same delta, uninterrupted
    started = time.monotonic()
    subprocess.run(_migrate_cmd(clean), check=True, capture_output=True)
    took = time.monotonic() - started
    expected, books = _checksums(clean), _run_books(clean)
    assert {r[2] for r in books["table_delta"]} == {"delta"}
    rng, kills = random.Random(13), 0
    for _ in range(12):
        if kills >= 4:
            break
        proc = subprocess.Popen(_migrate_cmd(project), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.05, 0.6) * took)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait()
    assert kills >= 2
    done = subprocess.run(_migrate_cmd(project), capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    assert _checksums(project) == expected
    assert _run_books(project) == books
