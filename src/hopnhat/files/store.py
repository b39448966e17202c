"""The content-addressed file store: each distinct content once, under its SHA-256, never half-written.

:class:`FileStore` is what the rest of hopnhat asks of a store; :class:`FolderStore` is the embedded default, a plain
folder tree (``objects/ab/cdef…``, the hash's first two hex digits as a sub-folder) that works on any disk or NAS
mount. A file is streamed once: hashed while it is copied to ``tmp/<random>``, then renamed to its address — a
rename within one file system is atomic, so a copy killed half-way (kill -9) leaves only a ``tmp/`` file, which the
next run removes, and never a half file under ``objects/``. :meth:`FolderStore.flush` puts a batch's files on disk
(one ``syncfs`` of the store's file system instead of one ``fsync`` per file) before the ledger records them, so after
a power cut the ledger never names a content the disk lost; an object a power cut left shorter than its content is
rewritten when the content is met again. A content already stored is not
written again (the copy is dropped): the store holds it once whatever the sources that reference it. A refused
content (truncated, mislabelled…) is moved aside to ``quarantine/<sha256>`` (kept, never lost, never served).
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import hashlib
import itertools
import os
import shutil
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Protocol

from hopnhat.files.kinds import HEAD, TAIL

CHUNK = 1 << 20  # 1 MiB: the memory a copy needs, whatever the file's size


@dataclass(frozen=True)
class Copied:
    """One streamed copy: its hash, size, first and last bytes, and whether the content was new to the store."""

    sha256: str
    size: int
    head: bytes
    tail: bytes
    new: bool


class FileStore(Protocol):
    """A content-addressed store (the folder tree here, an S3-compatible bucket in :mod:`hopnhat.files.s3store`).

    ``put`` is called from several threads at once (the copy pool of :func:`hopnhat.files.intake.take_all`); the
    other methods from one."""

    def put(self, stream: BinaryIO, *, keep: bool = True) -> Copied:
        """Stream ``stream`` in; store it under its hash unless ``keep`` is False or the hash is already there."""
        ...

    def has(self, sha256: str) -> bool: ...

    def flush(self) -> None:
        """Put what was written so far on stable storage (before the ledger records it)."""
        ...

    def open(self, sha256: str) -> BinaryIO: ...

    def hash_of(self, sha256: str) -> str | None:
        """The SHA-256 of the stored bytes as they are now (None when the object vanished)."""
        ...

    def set_aside(self, sha256: str) -> None:
        """Move a content just put (and refused) out of the served objects into the quarantine area."""
        ...

    def addresses(self) -> Iterator[str]: ...

    def clear_partial(self) -> int:
        """Remove what a killed run left half-written (never visible as stored); how many there were."""
        ...

    def where(self, sha256: str) -> str:
        """Where a content lives, for a person (a path, an s3:// address)."""
        ...


def _syncfs(folder: Path) -> None:
    """Flush the file system holding ``folder`` (Linux ``syncfs``; elsewhere ``sync``)."""
    libc = ctypes.CDLL(None, use_errno=True)
    fd = os.open(folder, os.O_RDONLY)
    try:
        if not hasattr(libc, "syncfs") or libc.syncfs(fd) != 0:
            os.sync()
    finally:
        os.close(fd)


_local = threading.local()
_TEMP_NAMES = itertools.count()  # temporary names unique within a process (next() is atomic under the GIL)
_RUN = uuid.uuid4().hex[:8]


def thread_buffer() -> memoryview:
    """This thread's copy buffer (one per thread, reused by every file: no allocation per chunk or per file, so the
    heap does not fragment and memory stays flat in the number of files)."""
    view: memoryview | None = getattr(_local, "buffer", None)
    if view is None:
        view = _local.buffer = memoryview(bytearray(CHUNK))
    return view


def write_all(fd: int, chunk: memoryview) -> None:
    """Write a whole chunk to a file descriptor (``os.write`` may write less than asked)."""
    written = 0
    while written < len(chunk):
        written += os.write(fd, chunk[written:])


def read_full(stream: BinaryIO, view: memoryview) -> int:
    """Fill ``view`` from ``stream``; how many bytes came (fewer than its size only at the end of the stream)."""
    got = 0
    while got < len(view) and (n := stream.readinto(view[got:])):  # type: ignore[attr-defined]
        got += n
    return got


def copy_hashing(stream: BinaryIO, write: Callable[[memoryview], object] | None,
                 digest: Any = None) -> tuple[str, int]:
    """Read ``stream`` once, 1 MiB at a time, into SHA-256 (``digest`` when one was started) and (when given)
    ``write``; the hash and the size read here. Reading, hashing and writing release the GIL, so copies in several
    threads run in parallel."""
    digest = digest or hashlib.sha256()
    size = 0
    view = thread_buffer()
    while n := stream.readinto(view):  # type: ignore[attr-defined]
        chunk = view[:n]
        digest.update(chunk)
        if write is not None:
            write(chunk)
        size += n
    return digest.hexdigest(), size


def ends_of(fd: int, size: int) -> tuple[bytes, bytes]:
    """The first HEAD and last TAIL bytes of a file just written (read back from the page cache)."""
    return os.pread(fd, HEAD, 0), os.pread(fd, TAIL, max(0, size - TAIL))


class FolderStore:
    """The folder-tree store rooted at ``root`` (created on first use)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.objects = root / "objects"
        self.tmp = root / "tmp"
        self.quarantine = root / "quarantine"
        self.tmp.mkdir(parents=True, exist_ok=True)
        for i in range(256):  # every fan-out folder made once, not checked per file
            (self.objects / f"{i:02x}").mkdir(parents=True, exist_ok=True)

    def clear_partial(self) -> int:
        left = list(self.tmp.iterdir())
        for path in left:
            path.unlink(missing_ok=True)
        return len(left)

    def path_of(self, sha256: str) -> Path:
        return self.objects / sha256[:2] / sha256[2:]

    def where(self, sha256: str) -> str:
        return str(self.path_of(sha256))

    def has(self, sha256: str) -> bool:
        return self.path_of(sha256).is_file()

    def put(self, stream: BinaryIO, *, keep: bool = True) -> Copied:
        view = thread_buffer()
        size = read_full(stream, view)
        if size < CHUNK:  # the whole content is in the buffer: hashed before any file is made
            return self._put_small(view[:size], keep)
        return self._put_large(stream, view, keep)

    def _put_small(self, data: memoryview, keep: bool) -> Copied:
        """A content that fits in the copy buffer: when the store holds it already nothing is written (no temporary
        file made and unlinked for a duplicate), else it is written once and renamed to its address."""
        sha, size = hashlib.sha256(data).hexdigest(), len(data)
        head, tail = bytes(data[:HEAD]), bytes(data[max(0, size - TAIL):])
        target = self.path_of(sha)
        if not keep or _same_size(target, size):
            return Copied(sha, size, head, tail, False)
        temp = self._temp()
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        try:
            try:
                write_all(fd, data)
            finally:
                os.close(fd)
            os.replace(temp, target)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp)
            raise
        return Copied(sha, size, head, tail, True)

    def _temp(self) -> str:
        return f"{self.tmp}/{os.getpid()}-{_RUN}-{next(_TEMP_NAMES)}"

    def _put_large(self, stream: BinaryIO, first: memoryview, keep: bool) -> Copied:
        """A content larger than the buffer: streamed to a temporary file while hashed, then renamed."""
        temp = self._temp()
        fd = os.open(temp, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o644)
        try:
            try:
                write_all(fd, first)
                sha, size = copy_hashing(stream, functools.partial(write_all, fd), hashlib.sha256(first))
                size += len(first)
                head, tail = ends_of(fd, size)
            finally:
                os.close(fd)
            target = self.path_of(sha)
            if not keep or _same_size(target, size):
                os.unlink(temp)
                return Copied(sha, size, head, tail, False)
            os.replace(temp, target)
            return Copied(sha, size, head, tail, True)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp)
            raise

    def flush(self) -> None:
        _syncfs(self.objects)

    def set_aside(self, sha256: str) -> None:
        self.quarantine.mkdir(exist_ok=True)
        os.replace(self.path_of(sha256), self.quarantine / sha256)

    def open(self, sha256: str) -> BinaryIO:
        return self.path_of(sha256).open("rb")

    def hash_of(self, sha256: str) -> str | None:
        try:
            with self.open(sha256) as f:
                return copy_hashing(f, None)[0]
        except FileNotFoundError:
            return None

    def addresses(self) -> Iterator[str]:
        for folder in sorted(self.objects.iterdir()):
            for path in sorted(folder.iterdir()):
                yield folder.name + path.name

    def size(self) -> int:
        return sum(p.stat().st_size for p in self.objects.rglob("*") if p.is_file())

    def remove_all(self) -> None:
        shutil.rmtree(self.root)


def _same_size(path: Path, size: int) -> bool:
    """Whether an object is already there whole (a power cut may leave a renamed object shorter: rewrite it)."""
    try:
        return os.stat(path).st_size == size
    except FileNotFoundError:
        return False
