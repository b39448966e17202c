"""A local cache of the built reference tables and lookup indexes, so that a process starts in milliseconds.

Reading the shipped CSV tables and building the indexes takes about a third of a second; unpickling them takes a
few hundredths. The pickle is kept in the user's cache folder (``$HOPNHAT_CACHE_DIR``, else
``$XDG_CACHE_HOME/hopnhat`` or ``~/.cache/hopnhat``) under a fingerprint of everything it was built from: the data
files, the source of the modules that build it and the Python version. Any change gives a new fingerprint, and so a
fresh build. The cache is only an accelerator: when the folder cannot be written or a file cannot be read, the tables
are built in memory as before.
"""

from __future__ import annotations

import gc
import hashlib
import os
import pickle
import sys
import tempfile
from collections.abc import Callable, Iterable
from importlib import resources
from importlib.util import find_spec
from pathlib import Path
from typing import TypeVar, cast

T = TypeVar("T")
_PROTOCOL = pickle.HIGHEST_PROTOCOL


def cache_dir() -> Path | None:
    """Where built tables are kept, or None when caching is switched off (``HOPNHAT_CACHE_DIR=""``)."""
    explicit = os.environ.get("HOPNHAT_CACHE_DIR")
    if explicit is not None:
        return Path(explicit) if explicit else None
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "hopnhat"


def fingerprint(modules: Iterable[str]) -> str:
    """A digest of the shipped data files and of the named modules' source."""
    digest = hashlib.sha256(f"{sys.version}|{_PROTOCOL}".encode())
    data = resources.files("hopnhat.units").joinpath("data")
    for entry in sorted(data.iterdir(), key=lambda e: e.name):
        digest.update(entry.name.encode())
        digest.update(entry.read_bytes())
    for name in modules:
        digest.update(name.encode())
        digest.update(_source(name).read_bytes())
        digest.update(_compiled_stamp(name).encode())
    return digest.hexdigest()[:24]


def _compiled_stamp(module_name: str) -> str:
    """Size and time of the extension module that runs, when it runs compiled: a process running a module compiled
    from an earlier source must not keep its tables under the key of the new source (it did, during a rebuild)."""
    module = sys.modules.get(module_name)
    loaded = Path(getattr(module, "__file__", None) or "")
    if loaded.suffix not in (".so", ".pyd") or not loaded.is_file():
        return ""
    stat = loaded.stat()
    return f"{stat.st_size}:{stat.st_mtime_ns}"


def _source(module_name: str) -> Path:
    """The Python source of a module, also when it runs compiled (``setup.py``): the tables built from the same
    source are the same, compiled or not."""
    module = sys.modules.get(module_name)
    spec = None if module else find_spec(module_name)  # located, not imported
    loaded = Path((module.__file__ if module else spec.origin if spec else None) or "")
    source = loaded.with_name(module_name.rsplit(".", 1)[-1] + ".py")
    return source if source.is_file() else loaded


def cached(name: str, key: str, build: Callable[[], T]) -> T:
    """``build()``, or its result from an earlier process with the same ``key``."""
    folder = cache_dir()
    path = folder / f"{name}-{key}.pickle" if folder else None
    if path is not None and path.is_file():
        try:
            with path.open("rb") as fh:
                return cast(T, _load(fh.read()))  # what build() returned when it was kept
        except Exception:  # noqa: BLE001 - a damaged or foreign cache file is rebuilt, never fatal
            pass
    value = build()
    if path is not None:
        _store(path, value)
    return value


def _load(data: bytes) -> object:
    """Unpickle with the cyclic collector paused: the tables are a hundred thousand objects made at once, and each
    collection they would trigger walks all made so far (a fifth of the load time). What was made is then frozen
    (:func:`gc.freeze`: moved to the permanent generation) before the collector resumes: else the first allocation
    after it starts a collection that walks the 190,000 new containers (a third of the load time again, 0.03 CPU-s
    on every start-up). The tables live as long as the process; the bulk converter freezes them before it forks
    anyway."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return pickle.loads(data)
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()


def _store(path: Path, value: object) -> None:
    """Write atomically (a temporary file renamed), so that a concurrent reader never sees half a file."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        for old in path.parent.glob(path.name.rsplit("-", 1)[0] + "-*.pickle"):
            old.unlink(missing_ok=True)  # earlier builds of the same table
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False, suffix=".tmp") as fh:
            temporary = Path(fh.name)
            try:
                pickle.dump(value, fh, protocol=_PROTOCOL)
            except Exception:  # noqa: BLE001 - not picklable: leave no half-written file behind
                fh.close()
                temporary.unlink(missing_ok=True)
                return
        os.replace(temporary, path)
    except OSError:
        pass


# The reference tables and their lookup indexes are kept together in one file (the indexes hold the reference's units,
# so one unpickling shares them). ``reference.reference()`` and ``index.indexes()`` each take their half from here:
# this module imports neither of them (the arrows go reference → cache and index → reference, cache).
TABLES = "tables"
TABLE_MODULES = ("hopnhat.units.reference", "hopnhat.units.index", "hopnhat.text.normalize", __name__)
_memo: dict[str, object | None] = {}


def tables_key() -> str:
    """The fingerprint the tables are kept under (computed once per process)."""
    if TABLES not in _memo:
        _memo[TABLES] = fingerprint(TABLE_MODULES)
    return str(_memo[TABLES])


def shared(name: str, key: str) -> object | None:
    """What an earlier process kept under ``name`` and ``key``, loaded once per process; None when there is none.

    A miss is remembered too, so that the halves taken by different callers in one process always come from the
    same object (the one loaded, or the ones this process builds and :func:`keep` s)."""
    if f"{name}-{key}" not in _memo:
        folder = cache_dir()
        path = folder / f"{name}-{key}.pickle" if folder else None
        value = None
        if path is not None and path.is_file():
            try:
                with path.open("rb") as fh:
                    value = _load(fh.read())
            except Exception:  # noqa: BLE001 - a damaged or foreign cache file is rebuilt, never fatal
                value = None
        _memo[f"{name}-{key}"] = value
    return _memo[f"{name}-{key}"]


def keep(name: str, key: str, value: object) -> None:
    """Keep ``value`` for later processes (and for this one)."""
    _memo[f"{name}-{key}"] = value
    folder = cache_dir()
    if folder is not None:
        _store(folder / f"{name}-{key}.pickle", value)


# The parser's memos (dictionaries of up to 100,000 entries each) live as long as the process, and a little longer:
# this list refers to itself, so that the interpreter's finalization, which empties every module, leaves it and
# what it holds to the cyclic collector, which leaves it alone once :func:`gc.freeze` has moved it to the
# permanent generation (the bulk converter does, before it forks). The memory then goes back to the system at
# once, instead of the memos' objects being deallocated one by one at exit (about 0.03 CPU-s after 100,000
# whole-country addresses). Without a freeze they are collected at exit as before.
_OUTLIVE: list[object] = []
_OUTLIVE.append(_OUTLIVE)


def outlive(*memos: object) -> None:
    """Keep these past the interpreter's finalization (see ``_OUTLIVE``): for what lives as long as the process."""
    _OUTLIVE.extend(memos)


def forget() -> None:
    """Drop the tables of this process (the next call loads them again)."""
    _memo.clear()
