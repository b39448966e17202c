"""The benches' memory sampler (bench/treemem.py): a tree's peaks are seen, children included; PSS is not above RSS."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import treemem  # noqa: E402

# a parent holding ~160 MB that starts a child holding ~240 MB, each for a second: the tree peaks near 400 MB
TREE = """
import subprocess, sys, time
held = bytearray(160 << 20)
held[::4096] = b"x" * len(held[::4096])
child = subprocess.Popen([sys.executable, "-c",
    "import time; b = bytearray(240 << 20); b[::4096] = b'y' * len(b[::4096]); time.sleep(1.2)"])
child.wait()
"""


def test_tree_peaks_count_every_process() -> None:
    proc = subprocess.Popen([sys.executable, "-c", TREE])
    memory = treemem.TreeMemory(proc.pid, rss_every=0.05, pss_every=0.2)
    _, status, _ = os.wait4(proc.pid, 0)
    peak = memory.stop()
    assert os.waitstatus_to_exitcode(status) == 0
    assert peak.processes == 2
    # both processes' pages, summed — not the measuring process's size, which wait4's ru_maxrss of a child includes
    # (a pytest worker of 800 MB made it 868 MB)
    assert 400 <= peak.rss_mb < 600, peak
    assert 380 <= peak.pss_mb <= peak.rss_mb, peak


def test_periods_are_checked() -> None:
    with pytest.raises(ValueError, match="rss_every"):
        treemem.TreeMemory(os.getpid(), rss_every=1.0, pss_every=0.5)


def test_vmstat_reads_the_named_counters() -> None:
    counters = treemem.vmstat("pgfault", "no_such_counter")
    assert set(counters) == {"pgfault"} and counters["pgfault"] > 0
