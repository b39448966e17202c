"""Store versions: a run writes the next version beside the served one, then publishes it atomically.

A DuckDB file has one writer, and a writer cannot open a file that another process holds open read-only (the web
app). So the configured store path (``store.path``, e.g. ``hopnhat.duckdb``) is a symbolic link to the published
version, ``<store>-versions/v000007.duckdb``, and a run never writes a published version:

1. :func:`prepare_next` copies the published version to ``<store>-versions/next.duckdb`` (through a ``.part`` file,
   renamed when whole) — or, after a crash, finds the half-built ``next.duckdb`` and the run resumes in it;
2. the run writes ``next.duckdb`` (per-table transactions, as before) and closes it (DuckDB checkpoints on close);
3. :func:`publish_next` renames it to the next version number, then replaces the link with ``os.replace`` (atomic on
   POSIX): every reader opening the store path after that moment gets the new version, those already open keep the
   old one (its file stays readable until they close it, even once pruned);
4. the newest ``keep`` versions stay for :func:`rollback`, older ones are removed.

A half-built ``next.duckdb`` is never published: only a run that finished (books written) calls :func:`publish_next`.
A small change outside a run (``hopnhat review import``) goes the same way through :func:`next_version`.
A store made before versions existed (a plain file) becomes version 1 the first time a run prepares the next one
(a hard link, so no copy and no moment without a store).
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from hopnhat.errors import InputError

NEXT = "next.duckdb"
_VERSION = re.compile(r"^v(\d{6})\.duckdb$")
DEFAULT_KEEP = 3


@dataclass(frozen=True)
class Version:
    name: str  # v000007
    path: Path
    size: int
    written: datetime
    current: bool


def versions_dir(store: Path) -> Path:
    return store.parent / f"{store.stem}-versions"


def next_path(store: Path) -> Path:
    return versions_dir(store) / NEXT


def _number(path: Path) -> int | None:
    m = _VERSION.match(path.name)
    return int(m.group(1)) if m else None


def _version_path(store: Path, number: int) -> Path:
    return versions_dir(store) / f"v{number:06d}.duckdb"


def current_path(store: Path) -> Path | None:
    """The file the store path stands for now (the published version), None when there is no store yet."""
    if store.is_symlink():
        target = store.resolve()
        return target if target.is_file() else None
    return store if store.is_file() else None


def current_name(store: Path) -> str | None:
    """The published version's name (``v000007``), ``unversioned`` for a plain store file, None without a store."""
    path = current_path(store)
    if path is None:
        return None
    return path.stem if _number(path) is not None else "unversioned"


def versions(store: Path) -> list[Version]:
    """Every kept version, oldest first."""
    folder = versions_dir(store)
    cur = current_path(store)
    out = []
    for path in sorted(folder.glob("v*.duckdb")) if folder.is_dir() else []:
        if _number(path) is None:
            continue
        st = path.stat()
        out.append(Version(path.stem, path, st.st_size, datetime.fromtimestamp(st.st_mtime),
                           cur is not None and path.resolve() == cur))
    return out


def _point(store: Path, target: Path) -> None:
    """Make the store path a link to ``target``, atomically (a new link renamed over the old one)."""
    tmp = store.with_name(f".{store.name}.{os.getpid()}.link")
    tmp.unlink(missing_ok=True)
    os.symlink(os.path.relpath(target, store.parent), tmp)
    os.replace(tmp, store)


def _adopt_plain(store: Path) -> None:
    """A store file from before versions becomes version 1 (hard link, then the path becomes a link to it)."""
    if store.is_symlink() or not store.is_file():
        return
    if Path(f"{store}.wal").exists():
        raise InputError("the store has an unfinished write-ahead log: open it once with `hopnhat reconcile`, or "
                         "finish the run that wrote it, before versioned runs", source=str(store))
    folder = versions_dir(store)
    folder.mkdir(parents=True, exist_ok=True)
    numbers = [n for p in folder.glob("v*.duckdb") if (n := _number(p)) is not None]
    first = _version_path(store, max(numbers, default=0) + 1)
    os.link(store, first)
    _point(store, first)


def prepare_next(store: Path) -> tuple[Path, bool]:
    """The file the run writes: the half-built next version when a run was cut short (resumed: True), else a fresh
    copy of the published version (or a new file when there is no store yet)."""
    nxt = next_path(store)
    if nxt.exists():
        return nxt, True
    nxt.parent.mkdir(parents=True, exist_ok=True)
    _adopt_plain(store)
    cur = current_path(store)
    if cur is not None:
        part = nxt.with_name(NEXT + ".part")
        shutil.copyfile(cur, part)
        os.replace(part, nxt)
    return nxt, False


def publish_next(store: Path, keep: int = DEFAULT_KEEP) -> str:
    """Publish the finished next version (its writer closed): it gets the next number and the store path points to
    it. Returns its name."""
    nxt = next_path(store)
    if not nxt.is_file():
        raise InputError("no next version to publish", source=str(nxt))
    if Path(f"{nxt}.wal").exists():
        raise InputError("the next version still has a write-ahead log: its writer did not close it", source=str(nxt))
    numbers = [v for p in versions_dir(store).glob("v*.duckdb") if (v := _number(p)) is not None]
    target = _version_path(store, max(numbers, default=0) + 1)
    os.replace(nxt, target)
    _point(store, target)
    prune(store, keep)
    return target.stem


@contextmanager
def next_version(store: Path, keep: int = DEFAULT_KEEP) -> Iterator[Path]:
    """A change to the store outside a run (review decisions imported): the block writes the next version (a copy of
    the published one) and it is published when the block ends without error, thrown away otherwise. The web app
    keeps serving meanwhile. Refused while a run's next version exists (a run writing, or one cut short: finish it)."""
    if next_path(store).exists():
        raise InputError("a run is writing the store's next version (or was cut short): let it finish, or run "
                         "`hopnhat migrate` again to finish it, then retry", source=str(next_path(store)))
    path, _ = prepare_next(store)
    try:
        yield path
    except BaseException:
        for p in (path, Path(f"{path}.wal")):
            p.unlink(missing_ok=True)
        raise
    publish_next(store, keep)


def prune(store: Path, keep: int) -> list[str]:
    """Remove the versions older than the newest ``keep`` (never the published one). Readers that still have a
    removed version open keep reading it until they close it (POSIX keeps an open file)."""
    kept = versions(store)
    gone = []
    for v in kept[: max(0, len(kept) - max(1, keep))]:
        if not v.current:
            v.path.unlink(missing_ok=True)
            gone.append(v.name)
    return gone


def rollback(store: Path, to: str | None = None) -> str:
    """Point the store back to version ``to`` (default: the one before the published one). Returns its name."""
    kept = versions(store)
    if to is None:
        cur = [i for i, v in enumerate(kept) if v.current]
        if not cur or cur[0] == 0:
            raise InputError("no earlier version kept to roll back to", source=str(versions_dir(store)))
        target = kept[cur[0] - 1]
    else:
        name = to if to.startswith("v") else f"v{int(to):06d}"
        found = [v for v in kept if v.name == name]
        if not found:
            raise InputError("no such store version", source=str(versions_dir(store)), value=to,
                             hint="kept: " + ", ".join(v.name for v in kept))
        target = found[0]
    _point(store, target.path)
    return target.name


__all__ = ["DEFAULT_KEEP", "Version", "current_name", "current_path", "next_path", "next_version", "prepare_next",
           "prune", "publish_next", "rollback", "versions", "versions_dir"]
