"""The web app's reader of a versioned DuckDB store (:mod:`hopnhat.load.versions`): it reads the version published
when it opened, and switches to a newly published one (or a rolled-back one) when told to, atomically: a query
already running finishes on the version it started on, every later query reads the new one, and the old version is
closed once no query uses it. The app's watch thread (:meth:`hopnhat.serve.app.context.AppContext.refresh_version`)
opens the new version and its lookup index first, outside any request, then swaps.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa

from hopnhat.load.storedb import Dialect, StoreReader
from hopnhat.load.versions import current_name, current_path


@dataclass
class _Held:
    reader: StoreReader
    path: Path
    name: str
    users: int = 0
    retired: bool = False
    closed: bool = False


class VersionedStore:
    """A :class:`StoreReader` over the published version of a DuckDB store; ``location`` is the store path (stable
    across versions), ``version`` the name of the version read now."""

    dialect = Dialect("duckdb")

    def __init__(self, store: Path, open_version: Callable[[Path], StoreReader]) -> None:
        self.location = str(store)
        self._store = store
        self._open = open_version
        self._lock = threading.Lock()
        path = current_path(store) or store
        self._held = _Held(open_version(path), path, current_name(store) or "")

    @property
    def version(self) -> str:
        return self._held.name

    def published(self) -> Path | None:
        """The published version's file when it is not the one read now (a run published, or a rollback)."""
        path = current_path(self._store)
        return path if path is not None and path != self._held.path else None

    def open_version(self, path: Path) -> StoreReader:
        return self._open(path)

    def switch(self, reader: StoreReader, path: Path) -> str:
        """Read ``reader`` (the version at ``path``, opened by :meth:`open_version`) from now on."""
        new = _Held(reader, path, path.stem)
        with self._lock:
            old, self._held = self._held, new
            old.retired = True
        self._close_if_idle(old)
        return new.name

    def _acquire(self) -> _Held:
        with self._lock:
            held = self._held
            held.users += 1
            return held

    def _release(self, held: _Held) -> None:
        with self._lock:
            held.users -= 1
        self._close_if_idle(held)

    def _close_if_idle(self, held: _Held) -> None:
        with self._lock:
            if not held.retired or held.users or held.closed:
                return
            held.closed = True
        held.reader.close()

    def rows(self, sql: str, params: Sequence[Any] = (), limit: int | None = None) -> list[dict[str, Any]]:
        held = self._acquire()
        try:
            return held.reader.rows(sql, params, limit)
        finally:
            self._release(held)

    def tuples(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        held = self._acquire()
        try:
            return held.reader.tuples(sql, params)  # type: ignore[attr-defined]
        finally:
            self._release(held)

    def arrow(self, sql: str, params: Sequence[Any] = ()) -> pa.Table:
        held = self._acquire()
        try:
            return held.reader.arrow(sql, params)
        finally:
            self._release(held)

    def iterate(self, sql: str, params: Sequence[Any] = ()) -> Iterator[tuple[Any, ...]]:
        held = self._acquire()
        try:
            yield from held.reader.iterate(sql, params)
        finally:
            self._release(held)

    def tables(self, schema: str = "main") -> dict[str, list[str]]:
        held = self._acquire()
        try:
            return held.reader.tables(schema)
        finally:
            self._release(held)

    def close(self) -> None:
        with self._lock:
            held = self._held
            held.retired = True
        self._close_if_idle(held)


def is_duckdb_path(url: str) -> bool:
    return not url.startswith(("postgresql://", "postgres://", "postgresql+psycopg://"))


__all__ = ["VersionedStore", "is_duckdb_path"]
