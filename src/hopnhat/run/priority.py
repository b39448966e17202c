"""The priority a run works at: ``background`` (the ``SCHED_IDLE`` CPU policy, niceness 19, the idle I/O class) so
that ``hopnhat serve`` keeps answering in milliseconds on the same machine while a run writes the next store
version, or ``normal``.

Why ``SCHED_IDLE`` and not niceness alone: a web app's request wakes several threads (the event loop, the thread
pool, the GIL passed between them); a waking thread preempts a ``SCHED_IDLE`` one at once, while a niced
(``SCHED_OTHER``) one may keep the CPU until its slice ends, and such waits add up in the slowest lookups
(measured at 3 M persons: p99 115–280 ms while a nice-19 run loaded and reconciled, 35 ms before it). The run
still gets every CPU cycle nobody else wants.

``run.priority`` in the merger file (``auto`` | ``background`` | ``normal``, validated there) or ``hopnhat migrate
--priority``; ``auto`` (the default) means background when something reads the published store version (a web app
serving the merger holds DuckDB's shared lock on it), else normal.

On Linux the policy, niceness and I/O class belong to a thread, not a process: a thread inherits them from the
thread that creates it, a process from the thread that forks it. So :func:`lowered` lowers the calling thread
*before* the run opens any DuckDB database (DuckDB's worker threads, started when a database is opened, then
inherit it), and the run's worker processes lower themselves first thing (:func:`lower_thread` in their
initializer). It puts the calling thread back when the run ends (lowering niceness back needs ``CAP_SYS_NICE``;
without it the thread stays lowered and a warning says so).
"""

from __future__ import annotations

import ctypes
import fcntl
import logging
import os
import struct
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from hopnhat.errors import HopnhatError
from hopnhat.i18n import tr

Priority = Literal["auto", "background", "normal"]
PRIORITIES: tuple[Priority, ...] = ("auto", "background", "normal")
BACKGROUND_NICE = 19
IOPRIO_CLASS_IDLE = 3
_IOPRIO_CLASS_SHIFT = 13
_IOPRIO_WHO_PROCESS = 1
_SYSCALLS = {"x86_64": (251, 252), "aarch64": (30, 31)}  # (ioprio_set, ioprio_get)

log = logging.getLogger("hopnhat.run")


@dataclass(frozen=True)
class Chosen:
    """The priority a run works at and why (shown in the run's log and kept in its state, in the user's language)."""

    priority: Literal["background", "normal"]
    why: str


def choose(asked: Priority, store_file: Path | None) -> Chosen:
    """``background``/``normal`` as asked; ``auto``: background when the published store version is being read."""
    if asked not in PRIORITIES:
        raise HopnhatError("unknown run priority", value=asked, hint="auto, background or normal")
    if asked != "auto":
        return Chosen(asked, tr("theo yêu cầu", "asked"))
    if store_file is not None and store_file.is_file() and is_read_elsewhere(store_file):
        return Chosen("background", tr("kho đang được đọc (ứng dụng web đang phục vụ)",
                                       "store being read (a web app serves it)"))
    return Chosen("normal", tr("không tiến trình nào đọc kho", "nothing reads the store"))


def is_read_elsewhere(path: Path) -> bool:
    """Whether another process has ``path`` open: it holds a lock on it (DuckDB takes a shared one on a file it
    opens; asked with ``F_OFD_GETLK``, which takes none), or one of its open files is it (``/proc/<pid>/fd``, for
    the processes this user may see: a process that opened and closed the file a second time has lost its lock)."""
    return _locked(path) or _open_in(path)


def _locked(path: Path) -> bool:
    fd = os.open(path, os.O_RDONLY)
    try:
        query = struct.pack("hhqqi4x", fcntl.F_WRLCK, os.SEEK_SET, 0, 0, 0)
        answer = fcntl.fcntl(fd, fcntl.F_OFD_GETLK, query)
    finally:
        os.close(fd)
    return struct.unpack("hhqqi4x", answer)[0] != fcntl.F_UNLCK


def _open_in(path: Path) -> bool:
    target, me = str(path.resolve()), str(os.getpid())
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or pid == me:
            continue
        try:
            if any(os.readlink(f"/proc/{pid}/fd/{fd}") == target for fd in os.listdir(f"/proc/{pid}/fd")):
                return True
        except OSError:  # gone meanwhile, or another user's
            continue
    return False


def _syscall(index: int) -> int:
    machine = os.uname().machine
    if machine not in _SYSCALLS:
        raise HopnhatError("I/O priority not supported on this machine", value=machine)
    return _SYSCALLS[machine][index]


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


def io_priority(tid: int = 0) -> tuple[int, int]:
    """(class, level) of a thread's I/O priority (``ioprio_get``; 0 = this thread)."""
    value = _libc().syscall(_syscall(1), _IOPRIO_WHO_PROCESS, tid)
    if value < 0:
        raise HopnhatError("ioprio_get failed", reason=os.strerror(ctypes.get_errno()))
    return value >> _IOPRIO_CLASS_SHIFT, value & ((1 << _IOPRIO_CLASS_SHIFT) - 1)


def set_io_priority(klass: int, level: int = 0, tid: int = 0) -> None:
    if _libc().syscall(_syscall(0), _IOPRIO_WHO_PROCESS, tid, (klass << _IOPRIO_CLASS_SHIFT) | level) != 0:
        raise HopnhatError("ioprio_set failed", reason=os.strerror(ctypes.get_errno()))


def thread_nice(tid: int | None = None) -> int:
    """A thread's niceness as the kernel reports it (``/proc/self/task/<tid>/stat``, field 19)."""
    return int(_stat(tid)[19 - 3])


def thread_policy(tid: int | None = None) -> int:
    """A thread's scheduling policy (``/proc/self/task/<tid>/stat``, field 41; ``os.SCHED_IDLE`` is 5)."""
    return int(_stat(tid)[41 - 3])


def _stat(tid: int | None) -> list[str]:
    """The fields of a thread's stat after its name (field 3, the state, first)."""
    return Path(f"/proc/self/task/{tid or _tid()}/stat").read_text().rsplit(")", 1)[1].split()


def _tid() -> int:
    return int(_libc().syscall(186 if os.uname().machine == "x86_64" else 178))  # gettid


def lower_thread() -> None:
    """This thread (and every thread and process it starts from now on) at ``SCHED_IDLE``, niceness 19, idle I/O."""
    os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))  # pid 0: the calling thread on Linux
    os.setpriority(os.PRIO_PROCESS, 0, BACKGROUND_NICE)
    set_io_priority(IOPRIO_CLASS_IDLE)


@contextmanager
def lowered(chosen: Chosen) -> Iterator[None]:
    """Run the body at ``chosen``'s priority (background: this thread lowered, then put back)."""
    if chosen.priority != "background":
        yield
        return
    policy, nice, io = os.sched_getscheduler(0), os.getpriority(os.PRIO_PROCESS, 0), io_priority()
    lower_thread()
    try:
        yield
    finally:
        try:
            os.sched_setscheduler(0, policy, os.sched_param(0))
            os.setpriority(os.PRIO_PROCESS, 0, nice)
            set_io_priority(*io)
        except (PermissionError, HopnhatError) as exc:
            log.warning("this thread stays at background priority after the run (%s)", exc)


__all__ = ["PRIORITIES", "Chosen", "Priority", "choose", "io_priority", "is_read_elsewhere", "lower_thread",
           "lowered", "thread_nice", "thread_policy"]
