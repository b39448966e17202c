"""Peak memory of a process tree, measured without slowing the tree down.

Two figures, sampled by a thread of the measuring process:

* **peak RSS** — the resident pages of every process of the tree, summed, read every ``rss_every`` seconds (0.1) from
  ``/proc/PID/statm``, and each process's own high-water mark (``VmHWM`` of ``/proc/PID/status``: exact between two
  samples) — the kernel's counters, read without walking the process's page tables or taking its memory lock. The
  larger of the two bounds the tree's footprint from above: RSS counts a shared page in full in every process that
  maps it. Not ``wait4``'s ``ru_maxrss``: it includes the parent's high-water mark at the moment of the fork (the
  mm the child had before its exec), so a child of a bench holding 2 GB reported 2 GB whatever it used.
* **peak PSS** — the proportional set size (a shared page split between its sharers: the tree's true footprint),
  summed over the tree, read every ``pss_every`` seconds (1.0) from ``/proc/PID/smaps_rollup``. That read walks the
  process's page tables under its memory lock, which the process's own page faults wait for: sampled every 0.1 s, as
  ``bench/link.py`` did until session 22, it took hopnhat's linkage at 1 M from 20.8-21.7 s unsampled to 25-27 s.
  Once a second it may miss a short peak; peak RSS, with each process's high-water mark, does not miss it, and is
  never below PSS.

The tree (the process and its descendants, JVMs included) is found again at every PSS sample from ``/proc``'s
parent links.
"""

from __future__ import annotations

import os
import threading
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024


@dataclass(frozen=True)
class Peak:
    """The tree's peaks, in MB, and the most processes seen in it at once."""

    rss_mb: float
    pss_mb: float
    processes: int


def tree(pid: int) -> list[int]:
    """``pid`` and all its descendants (from /proc/*/stat parent links)."""
    children: dict[int, list[int]] = defaultdict(list)
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as fh:
                    ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children[ppid].append(int(entry))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, ()))
    return out


def _summed(pids: list[int], read: Callable[[int], int]) -> int:
    """``read`` of each process summed, a process that is gone (or unreadable) counted as 0."""
    total = 0
    for p in pids:
        try:
            total += read(p)
        except (OSError, ValueError, IndexError, StopIteration):
            continue
    return total


def _statm_kb(pid: int) -> int:
    with open(f"/proc/{pid}/statm", encoding="ascii") as fh:
        return int(fh.read().split()[1]) * PAGE_KB


def _pss_kb(pid: int) -> int:
    with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith("Pss:"))


def _hwm_kb(pid: int) -> int:
    with open(f"/proc/{pid}/status", encoding="ascii") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith("VmHWM:"))


def hwm_kb(pids: list[int]) -> int:
    """The largest high-water mark of resident memory among the processes, in KiB."""
    return max((_summed([p], _hwm_kb) for p in pids), default=0)


def rss_kb(pids: list[int]) -> int:
    """Summed resident set of the processes, in KiB (``statm``'s second field, in pages)."""
    return _summed(pids, _statm_kb)


def pss_kb(pids: list[int]) -> int:
    """Summed PSS of the processes, in KiB."""
    return _summed(pids, _pss_kb)


class TreeMemory:
    """Samples the tree of ``pid`` from a thread until :meth:`stop`; keeps the peaks."""

    def __init__(self, pid: int, rss_every: float = 0.1, pss_every: float = 1.0) -> None:
        if rss_every <= 0 or pss_every < rss_every:
            raise ValueError(f"sampling periods rss_every={rss_every}, pss_every={pss_every}: need 0 < rss <= pss")
        self.pid, self.rss_every = pid, rss_every
        self._pss_ticks = max(1, round(pss_every / rss_every))
        self._rss, self._pss, self._processes = 0, 0, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="tree-memory", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        pids, tick = [self.pid], 0
        while True:
            if tick % self._pss_ticks == 0:
                pids = tree(self.pid)
                self._processes = max(self._processes, len(pids))
                self._pss = max(self._pss, pss_kb(pids))
            self._rss = max(self._rss, rss_kb(pids), hwm_kb(pids))
            tick += 1
            if self._stop.wait(self.rss_every):
                return

    def stop(self) -> Peak:
        """Stop sampling; the peaks seen."""
        self._stop.set()
        self._thread.join()
        return Peak(rss_mb=self._rss / 1024, pss_mb=self._pss / 1024, processes=self._processes)


def vmstat(*names: str) -> dict[str, int]:
    """Machine-wide counters of ``/proc/vmstat`` (huge-page faults, compaction stalls: the machine's state, which moves
    a run's kernel time by seconds — docs/linkage.md, session 17)."""
    wanted, out = set(names), {}
    with open("/proc/vmstat", encoding="ascii") as fh:
        for line in fh:
            key, _, value = line.partition(" ")
            if key in wanted:
                out[key] = int(value)
    return out
