"""A run's priority (hopnhat.run.priority): with ``background`` every thread the run starts (its DuckDB threads
included) and its worker processes are at the SCHED_IDLE policy, niceness 19 and the idle I/O class, as the kernel
reports them in ``/proc/<pid>/task/*/stat``; the calling thread is put back afterwards; ``auto`` is background
while another process holds the published store version open (a web app)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from hopnhat.errors import HopnhatError
from hopnhat.i18n import tr
from hopnhat.load.versions import current_path
from hopnhat.project.config import load_project
from hopnhat.run.parallel import worker_pool
from hopnhat.run.priority import (
    BACKGROUND_NICE,
    IOPRIO_CLASS_IDLE,
    Chosen,
    choose,
    io_priority,
    lowered,
    thread_nice,
    thread_policy,
)
from hopnhat.run.runner import migrate
from hopnhat.synth.generate import SynthSettings, generate


def _nice_of(pid: int) -> dict[int, tuple[int, int]]:
    """Every thread of a process: its niceness and scheduling policy (fields 19 and 41 of its
    /proc/<pid>/task/<tid>/stat)."""
    out = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            stat = Path(f"/proc/{pid}/task/{tid}/stat").read_text()
        except FileNotFoundError:  # the thread ended meanwhile
            continue
        fields = stat.rsplit(")", 1)[1].split()
        out[int(tid)] = (int(fields[16]), int(fields[38]))
    return out


LOWERED = (BACKGROUND_NICE, os.SCHED_IDLE)


def _in_worker() -> tuple[dict[int, tuple[int, int]], tuple[int, int]]:
    con = duckdb.connect(config={"threads": "2"})  # DuckDB's threads start now, after the worker lowered itself
    con.execute("SELECT sum(i) FROM range(100000) t(i)").fetchall()
    return _nice_of(os.getpid()), io_priority()


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("priority")
    generate(SynthSettings(scenario="danang", scale=0.0005, seed=3, out=out))
    return out / "merger.yaml"


def test_background_run_threads_are_niced_and_put_back(small: Path) -> None:
    project = load_project(small)
    before = set(_nice_of(os.getpid()))
    seen: dict[int, tuple[int, int]] = {}

    def during() -> None:  # called by the run after its tables are loaded, its DuckDB store open
        seen.update(_nice_of(os.getpid()))
        seen[-1] = (thread_nice(), thread_policy())
        seen[-2] = (io_priority()[0], 0)

    result = migrate(project, link=False, after_load=during, priority="background")
    assert result.priority == Chosen("background", tr("theo yêu cầu", "asked"))
    started = {tid: nice for tid, nice in seen.items() if tid > 0 and tid not in before}
    assert started, "the run's DuckDB database started no thread"
    assert set(started.values()) == {LOWERED}, started
    assert seen[-1] == LOWERED and seen[-2][0] == IOPRIO_CLASS_IDLE
    assert thread_nice() == 0 and thread_policy() == os.SCHED_OTHER  # the calling thread is put back
    assert io_priority()[0] != IOPRIO_CLASS_IDLE
    state = (result.folder / "state.json").read_text()
    assert '"priority": "background"' in state


def test_normal_run_is_not_niced(small: Path) -> None:
    seen: list[int] = []
    result = migrate(load_project(small), link=False, after_load=lambda: seen.append(thread_nice()), priority="normal",
                     fresh=True)
    assert result.priority == Chosen("normal", tr("theo yêu cầu", "asked")) and seen == [0]


def test_worker_processes_lowered_at_spawn() -> None:
    with lowered(Chosen("background", "asked")), worker_pool(1) as pool:
        threads, io = pool.submit(_in_worker).result()
    assert len(threads) >= 2 and set(threads.values()) == {LOWERED}, threads
    assert io[0] == IOPRIO_CLASS_IDLE
    with worker_pool(1) as pool:  # from a thread at normal priority: workers stay normal
        threads, _io = pool.submit(_in_worker).result()
    assert set(threads.values()) == {(0, os.SCHED_OTHER)}


def test_auto_is_background_while_the_store_is_served(small: Path) -> None:
    project = load_project(small)
    migrate(project, link=False)
    published = current_path(project.store_path)
    assert published is not None
    assert choose("auto", published).priority == "normal"
    reader = subprocess.Popen([sys.executable, "-c", "import duckdb, sys; c = duckdb.connect(sys.argv[1], read_only=1);"
                               " print('open', flush=True); sys.stdin.read()", str(published)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert reader.stdout is not None and reader.stdout.readline().strip() == "open"
        assert choose("auto", published).priority == "background"
    finally:
        reader.communicate("")
    with pytest.raises(HopnhatError):
        choose("idle", published)  # type: ignore[arg-type]


def test_cli_refuses_an_unknown_priority(small: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "hopnhat", "--lang", "en", "migrate", str(small), "--priority",
                           "low"], capture_output=True, text=True)
    assert done.returncode == 2 and "--priority" in done.stderr
