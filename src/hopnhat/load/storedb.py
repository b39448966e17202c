"""Read-only access to the unified store: an embedded DuckDB file or a PostgreSQL database with the same tables.

Every query the web app sends is parameterised (``?`` placeholders, translated for psycopg), carries a row limit and
runs under a statement timeout (both settings). Connections are read-only at the engine level: DuckDB opens the file
with ``read_only=True``; PostgreSQL sessions run with ``default_transaction_read_only=on``. The few SQL differences
between the two engines live in :class:`Dialect` and nowhere else.
"""

from __future__ import annotations

import heapq
import itertools
import queue
import re
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import duckdb
import pyarrow as pa

from hopnhat.errors import HopnhatError, InputError


class StoreError(HopnhatError):
    """The store cannot be opened or a query failed (timeout, missing table)."""


class QueryTimeout(StoreError):
    """A query ran longer than the statement timeout and was cancelled."""


@dataclass(frozen=True)
class Dialect:
    """SQL that differs between DuckDB and PostgreSQL."""

    name: str

    def codes_overlap(self, columns: Sequence[str], candidates: str | None) -> str:
        """``columns`` (single codes) or the ';'-joined ``candidates`` column share a code with the bound list."""
        if self.name == "duckdb":
            cand = f" || string_split(coalesce({candidates}, ''), ';')" if candidates else ""
            return f"list_has_any([{', '.join(columns)}]{cand}, ?::VARCHAR[])"
        cand = f" || string_to_array(coalesce({candidates}, ''), ';')" if candidates else ""
        return f"(ARRAY[{', '.join(columns)}]::text[]{cand} && ?::text[])"

    def legacy(self, table: str) -> str:
        return f'legacy."{table}"'


class StoreReader(Protocol):
    """The store as everything but the pipeline's writer reads it, whatever holds it (a DuckDB file, a PostgreSQL
    database): a handful of methods per backend, like Splink's DatabaseAPI. Opened by :func:`open_store` only."""

    dialect: Dialect
    location: str

    def rows(self, sql: str, params: Sequence[Any] = (), limit: int | None = None) -> list[dict[str, Any]]: ...

    def arrow(self, sql: str, params: Sequence[Any] = ()) -> pa.Table: ...

    def iterate(self, sql: str, params: Sequence[Any] = ()) -> Iterator[tuple[Any, ...]]:
        """Every row of a query that may be larger than memory, streamed in batches (checksums, exports)."""
        ...

    def tables(self, schema: str = "main") -> dict[str, list[str]]: ...

    def close(self) -> None: ...


BATCH_ROWS = 20_000  # rows per fetch when streaming


def _checked(params: Sequence[Any]) -> list[Any]:
    """Parameters as a list; text with a NUL character is refused (PostgreSQL cannot hold it, nothing matches it)."""
    for p in params:
        if isinstance(p, str) and "\x00" in p:
            raise InputError("text with a NUL character is not a valid value", value=p)
    return list(params)


def _limited(sql: str, limit: int | None) -> str:
    return sql if limit is None else f"SELECT * FROM ({sql}) AS _limited LIMIT {int(limit)}"


def columns_by_table(reader: StoreReader, schema: str) -> dict[str, list[str]]:
    """Every table of ``schema`` with its columns in order, from the standard information schema (both backends)."""
    rows = reader.rows("SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = ? "
                       "ORDER BY table_name, ordinal_position", [schema])
    out: dict[str, list[str]] = {}
    for r in rows:
        out.setdefault(r["table_name"], []).append(r["column_name"])
    return out


class Watchdog:
    """One thread that interrupts DuckDB queries past their deadline (DuckDB has no statement timeout)."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, Any]] = []
        self._live: dict[int, Any] = {}
        self._ids = itertools.count()
        self._cv = threading.Condition()
        threading.Thread(target=self._run, name="hopnhat-query-watchdog", daemon=True).start()

    def arm(self, cursor: Any, seconds: float) -> int:
        token = next(self._ids)
        with self._cv:
            self._live[token] = cursor
            heapq.heappush(self._heap, (time.monotonic() + seconds, token, cursor))
            self._cv.notify()
        return token

    def disarm(self, token: int) -> bool:
        """True when the query finished in time (it was not interrupted)."""
        with self._cv:
            return self._live.pop(token, None) is not None

    def _run(self) -> None:
        while True:
            with self._cv:
                while not self._heap:
                    self._cv.wait()
                deadline, token, cursor = self._heap[0]
                wait = deadline - time.monotonic()
                if wait > 0:
                    self._cv.wait(timeout=min(wait, 1.0))
                    continue
                heapq.heappop(self._heap)
                fire = self._live.pop(token, None) is not None
            if fire:
                cursor.interrupt()


_WATCHDOG: Watchdog | None = None
_WATCHDOG_LOCK = threading.Lock()


def watchdog() -> Watchdog:
    global _WATCHDOG
    with _WATCHDOG_LOCK:
        if _WATCHDOG is None:
            _WATCHDOG = Watchdog()
        return _WATCHDOG


class DuckDBReader:
    """A read-only DuckDB database; one cursor per thread, each query under the watchdog."""

    dialect = Dialect("duckdb")

    def __init__(self, path: Path, timeout_ms: int | None, threads: int | None = None) -> None:
        self.location = str(path)
        if not Path(path).is_file():
            raise InputError("store not found: run 'hopnhat migrate' first", source=str(path))
        try:
            config: dict[str, str | bool | int | float | list[str]] = {"threads": str(threads)} if threads else {}
            self._con = duckdb.connect(str(path), read_only=True, config=config)
        except duckdb.Error as exc:
            raise StoreError("cannot open the store read-only", source=str(path), reason=str(exc)) from exc
        self._local = threading.local()
        self._timeout = timeout_ms / 1000 if timeout_ms else None

    def _cursor(self) -> duckdb.DuckDBPyConnection:
        cur = getattr(self._local, "cursor", None)
        if cur is None:
            cur = self._local.cursor = self._con.cursor()
        return cur

    @contextmanager
    def _guard(self, sql: str) -> Iterator[duckdb.DuckDBPyConnection]:
        cur = self._cursor()
        token = watchdog().arm(cur, self._timeout) if self._timeout else None
        try:
            yield cur
        except duckdb.InterruptException as exc:
            raise QueryTimeout("query cancelled: statement timeout", source=self.location,
                               reason=f"> {(self._timeout or 0) * 1000:.0f} ms") from exc
        except duckdb.Error as exc:
            raise StoreError("store query failed", source=self.location, reason=str(exc).splitlines()[0]) from exc
        finally:
            if token is not None:
                watchdog().disarm(token)

    def rows(self, sql: str, params: Sequence[Any] = (), limit: int | None = None) -> list[dict[str, Any]]:
        with self._guard(sql) as cur:
            cur.execute(_limited(sql, limit), _checked(params))
            names = [d[0] for d in cur.description]
            return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]

    def tuples(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Rows as tuples, for hot paths that read a few columns."""
        with self._guard(sql) as cur:
            return cur.execute(sql, _checked(params)).fetchall()

    def arrow(self, sql: str, params: Sequence[Any] = ()) -> pa.Table:
        with self._guard(sql) as cur:
            return cur.execute(sql, _checked(params)).fetch_arrow_table()

    def iterate(self, sql: str, params: Sequence[Any] = ()) -> Iterator[tuple[Any, ...]]:
        cur = self._con.cursor()  # a cursor of its own: the caller may run other queries while it streams
        try:
            cur.execute(sql, _checked(params))
            while batch := cur.fetchmany(BATCH_ROWS):
                yield from batch
        except duckdb.Error as exc:
            raise StoreError("store query failed", source=self.location, reason=str(exc).splitlines()[0]) from exc
        finally:
            cur.close()

    def tables(self, schema: str = "main") -> dict[str, list[str]]:
        return columns_by_table(self, schema)

    def close(self) -> None:
        self._con.close()


class SQLiteReader:
    """A read-only SQLite file that never changes while open (the lookup index): one connection per thread,
    ``immutable`` (no locking), each query aborted by a progress handler past the statement timeout."""

    def __init__(self, path: Path, timeout_ms: int) -> None:
        self.location = str(path)
        if not Path(path).is_file():
            raise InputError("lookup index not found", source=str(path))
        self._uri = f"file:{path}?mode=ro&immutable=1"
        self._timeout = timeout_ms / 1000
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()

    def _con(self) -> sqlite3.Connection:
        con = getattr(self._local, "con", None)
        if con is None:
            con = sqlite3.connect(self._uri, uri=True, check_same_thread=False)
            con.execute("PRAGMA query_only = ON")
            con.execute("PRAGMA cache_size = -65536")
            self._local.con = con
            with self._lock:
                self._all.append(con)
        return con

    def _fetch(self, sql: str, params: Sequence[Any]) -> tuple[list[str], list[tuple[Any, ...]]]:
        con = self._con()
        deadline = time.monotonic() + self._timeout
        con.set_progress_handler(lambda: int(time.monotonic() > deadline), 20_000)
        try:
            cur = con.execute(sql, _checked(params))
            return [d[0] for d in cur.description or ()], cur.fetchall()
        except sqlite3.OperationalError as exc:
            if "interrupted" in str(exc):
                raise QueryTimeout("query cancelled: statement timeout", source=self.location,
                                   reason=f"> {self._timeout * 1000:.0f} ms") from exc
            raise StoreError("lookup index query failed", source=self.location, reason=str(exc)) from exc
        finally:
            con.set_progress_handler(None, 0)

    def tuples(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self._fetch(sql, params)[1]

    def rows(self, sql: str, params: Sequence[Any] = (), limit: int | None = None) -> list[dict[str, Any]]:
        names, data = self._fetch(_limited(sql, limit), params)
        return [dict(zip(names, r, strict=True)) for r in data]

    def close(self) -> None:
        with self._lock:
            for con in self._all:
                con.close()
            self._all.clear()


_PLACEHOLDER = re.compile(r"\?(::[A-Za-z\[\]]+)?")


def to_psycopg(sql: str) -> str:
    """``?`` placeholders (and DuckDB casts on them) → ``%s``; literal ``%`` doubled. Our SQL has no '?' literals."""
    sql = sql.replace("%", "%%")
    return _PLACEHOLDER.sub(lambda m: "%s" + (m.group(1) or "").replace("VARCHAR[]", "text[]"), sql)


class PostgresReader:
    """A PostgreSQL store through a small pool of read-only psycopg connections."""

    dialect = Dialect("postgresql")

    def __init__(self, dsn: str, timeout_ms: int | None, pool_size: int) -> None:
        import psycopg

        self._psycopg = psycopg
        self.location = mask_dsn(dsn)
        self._dsn, self._timeout = pg_dsn(dsn), timeout_ms or 0  # 0: no statement timeout (batch jobs)
        self._pool: queue.LifoQueue[Any] = queue.LifoQueue()
        self._size, self._made, self._lock = pool_size, 0, threading.Lock()
        with self._conn():
            pass

    def _connect(self) -> Any:
        options = f"-c default_transaction_read_only=on -c statement_timeout={self._timeout}"
        try:
            return self._psycopg.connect(self._dsn, options=options, autocommit=True)
        except self._psycopg.Error as exc:
            raise StoreError("cannot connect to the PostgreSQL store", source=self.location, reason=str(exc)) from exc

    @contextmanager
    def _conn(self) -> Iterator[Any]:
        try:
            con = self._pool.get_nowait()
        except queue.Empty:
            with self._lock:
                grow = self._made < self._size
                self._made += grow
            con = self._connect() if grow else self._pool.get(timeout=self._timeout / 1000 + 5)
        try:
            yield con
        finally:
            if con.closed:
                with self._lock:
                    self._made -= 1
            else:
                self._pool.put(con)

    def _run(self, sql: str, params: Sequence[Any]) -> tuple[list[str], list[tuple[Any, ...]]]:
        with self._conn() as con:
            try:
                with con.cursor() as cur:
                    cur.execute(to_psycopg(sql), _checked(params))
                    return [d.name for d in cur.description or ()], cur.fetchall()
            except self._psycopg.errors.QueryCanceled as exc:
                raise QueryTimeout("query cancelled: statement timeout", source=self.location,
                                   reason=f"> {self._timeout} ms") from exc
            except self._psycopg.Error as exc:
                raise StoreError("store query failed", source=self.location,
                                 reason=str(exc).splitlines()[0]) from exc

    def rows(self, sql: str, params: Sequence[Any] = (), limit: int | None = None) -> list[dict[str, Any]]:
        names, rows = self._run(_limited(sql, limit), params)
        return [dict(zip(names, r, strict=True)) for r in rows]

    def arrow(self, sql: str, params: Sequence[Any] = ()) -> pa.Table:
        names, rows = self._run(sql, params)
        return pa.table({n: pa.array([r[i] for r in rows]) for i, n in enumerate(names)}) if names else pa.table({})

    def iterate(self, sql: str, params: Sequence[Any] = ()) -> Iterator[tuple[Any, ...]]:
        with self._conn() as con:
            try:
                with con.transaction(), con.cursor(name="hopnhat_iterate") as cur:  # server-side: batches
                    cur.itersize = BATCH_ROWS
                    cur.execute(to_psycopg(sql), _checked(params))
                    yield from cur
            except self._psycopg.Error as exc:
                raise StoreError("store query failed", source=self.location,
                                 reason=str(exc).splitlines()[0]) from exc

    def tables(self, schema: str = "main") -> dict[str, list[str]]:
        schema = "public" if schema == "main" else schema
        return columns_by_table(self, schema)

    def close(self) -> None:
        while True:
            try:
                self._pool.get_nowait().close()
            except queue.Empty:
                return


def mask_dsn(url: str) -> str:
    """A DSN with its password hidden, for messages."""
    return re.sub(r"//([^:@/]+):[^@/]*@", r"//\1:***@", url)


def pg_dsn(url: str) -> str:
    """SQLAlchemy-style URLs (postgresql+psycopg://) become plain libpq ones."""
    return url.replace("postgresql+psycopg://", "postgresql://").replace("postgres://", "postgresql://")


def open_store(url: str | Path, timeout_ms: int | None, pool_size: int = 8) -> StoreReader:
    """The one place a store is opened for reading: ``postgresql://…`` → PostgreSQL; ``duckdb:///path``, a path →
    DuckDB file (read-only). ``timeout_ms``: each query's statement timeout; None for batch jobs (checksums)."""
    text = str(url)
    if text.startswith(("postgresql://", "postgres://", "postgresql+psycopg://")):
        return PostgresReader(text, timeout_ms, pool_size)
    if text.startswith("duckdb://"):
        text = text[len("duckdb://"):]
    return DuckDBReader(Path(text), timeout_ms)
